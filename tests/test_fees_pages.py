"""Issue 15, points 2, 6 (import) and the member's own history, through the pages: the cell's
monthly book (all paid in one post, exceptions, corrections shown beside the original), the fee
basis form (amounts with thousand separators, the fee previewed), the member's own months, the
Excel import (whole-file check, preview, one transaction), and who may do what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from conftest import logged_in
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dangvu.core import clock
from dangvu.core.fees import MonthState
from dangvu.fees import selectors as sel
from dangvu.fees import services as s
from dangvu.fees.models import FeeBasis, FeeBook, FeePayment, PaymentKind
from dangvu.registry import services as rs
from dangvu.registry.models import ImportBatch

D = dt.date
NOV = D(2026, 11, 1)
TODAY = D(2026, 11, 20)


@pytest.fixture
def cell(tree, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    an, cuong = tree.members["an"], tree.members["cuong"]
    s.set_basis(None, an, category="salaried", base=7_350_000, starts_on=D(2026, 1, 1))     # 73.500 đ
    s.set_basis(None, cuong, category="pensioner", base=5_001_000, starts_on=D(2026, 1, 1))  # 25.005 đ
    return tree


def _book(code: str = "C1A", month: dt.date = NOV) -> str:
    return reverse("fees:book", args=[code, month.year, month.month])


def _paid(member, month=NOV) -> int:
    return sum(FeePayment.objects.filter(member=member, month=month).values_list("amount", flat=True))


def test_book_page_shows_every_member_with_due_rule_and_totals(cell) -> None:
    page = logged_in(cell.users["secretary"]).get(_book())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nguyễn Văn An" in html and "Lê Văn Cường" in html
    assert "73.500" in html and "Quyết định 342-QĐ/TW, 28/12/2010: 1% tiền lương" in html  # the rule text, on tap
    totals = page.context["totals"]
    assert (totals.due, totals.paid, totals.collected) == (98_505, 0, 0)
    assert totals.counts[MonthState.UNPAID] == 2
    assert "Tất cả đã nộp đủ" in html
    assert page.context["collector"] is None  # no secretary post recorded in the tree


def test_all_paid_is_one_post_and_exceptions_ride_along(cell) -> None:
    client = logged_in(cell.users["secretary"])
    an, cuong = cell.members["an"], cell.members["cuong"]
    r = client.post(_book(), {f"k{cuong.pk}": "partial", f"a{cuong.pk}": "10.000", "collected_by": an.pk,
                              "collected_on": "15/11/2026"})
    assert r.status_code == 302 and r["Location"] == _book()
    assert (_paid(an), _paid(cuong)) == (73_500, 10_000)
    book = FeeBook.objects.get(organization=cell.orgs["C1A"], month=NOV)
    assert (book.collected_by, book.collected_on) == (an, D(2026, 11, 15))
    # Posting "all paid" again (a second phone) adds nothing for members already in the book.
    assert client.post(_book(), {}).status_code == 302
    assert FeePayment.objects.filter(month=NOV).count() == 2
    page = client.get(_book())
    assert page.context["totals"].paid == 83_500
    assert {r.member.pk: r.state for r in page.context["rows"]} == {an.pk: MonthState.PAID,
                                                                    cuong.pk: MonthState.PARTIAL}


def test_ahead_excused_more_and_unpaid_from_the_form(cell) -> None:
    client = logged_in(cell.users["secretary"])
    an, cuong, own_cell = cell.members["an"], cell.members["cuong"], cell.orgs["C1A"]
    r = client.post(_book(month=D(2026, 10, 1)), {f"k{an.pk}": "ahead", f"n{an.pk}": "2",
                                                   f"k{cuong.pk}": "excused", f"r{cuong.pk}": "Ốm nằm viện"})
    assert r.status_code == 302
    assert sorted(FeePayment.objects.filter(member=an).values_list("month", "amount")) == [
        (D(2026, 10, 1), 73_500), (D(2026, 11, 1), 73_500)]
    rows = {r.member.pk: r for r in sel.book_rows(own_cell, D(2026, 10, 1))}
    assert (rows[cuong.pk].state, rows[cuong.pk].reason) == (MonthState.EXCUSED, "Ốm nằm viện")
    # November: An is covered by October's payment ahead; Cường pays more (voluntary), not as due.
    r = client.post(_book(), {f"k{cuong.pk}": "more", f"a{cuong.pk}": "50 000"})
    assert r.status_code == 302
    row = next(x for x in sel.book_rows(own_cell, NOV) if x.member == cuong)
    assert (row.paid, row.voluntary) == (50_000, 24_995)
    assert _paid(an) == 73_500  # not paid twice
    assert client.get(_book(month=D(2026, 12, 1))).status_code == 404  # the future has no book


def test_unpaid_tap_and_a_member_without_basis(cell) -> None:
    client = logged_in(cell.users["secretary"])
    an, own_cell = cell.members["an"], cell.orgs["C1A"]
    hoa = rs.register_member(None, own_cell, {"full_name": "Đỗ Thị Hoa", "birth_date": D(1990, 1, 1),
                                              "gender": "female", "ethnicity": "Kinh", "admitted_on": D(2015, 1, 1),
                                              "full_on": D(2016, 1, 1)})
    page = client.get(_book())
    assert [r.member for r in page.context["no_basis"]] == [hoa]
    assert reverse("fees:basis_set", args=[hoa.pk]) in page.content.decode()  # flagged, with the way to fix it
    assert client.post(_book(), {f"k{an.pk}": "unpaid"}).status_code == 302
    assert FeePayment.objects.filter(month=NOV).count() == 1  # Cường only: An unpaid, Hoa has no basis
    assert client.post(_book(), {f"k{hoa.pk}": "paid", f"a{hoa.pk}": "5.000", f"k{an.pk}": "unpaid"}).status_code == 302
    assert (_paid(an), _paid(hoa)) == (0, 5_000)


def test_form_errors_are_plain_and_nothing_is_written(cell) -> None:
    client = logged_in(cell.users["secretary"])
    an, cuong = cell.members["an"], cell.members["cuong"]
    cases = [
        ({f"k{cuong.pk}": "partial"}, "Ghi số tiền đồng chí Lê Văn Cường đã nộp."),
        ({f"k{cuong.pk}": "partial", f"a{cuong.pk}": "7,5"}, "không phải số tiền"),
        ({f"k{cuong.pk}": "excused"}, "Cần ghi lý do chưa nộp của đồng chí Lê Văn Cường."),
        ({f"k{an.pk}": "partial", f"a{an.pk}": "80.000"}, "Nộp thiếu: số tiền của đồng chí Nguyễn Văn An"),
        ({f"k{an.pk}": "ahead", f"n{an.pk}": "40"}, "Nộp trước từ 2 đến"),
    ]
    for data, message in cases:
        r = client.post(_book(), data)
        assert r.status_code == 400, data
        assert message in r.content.decode(), (data, message)
    assert not FeePayment.objects.exists()


def test_correction_is_a_new_entry_shown_beside_the_original(cell) -> None:
    client = logged_in(cell.users["secretary"])
    cuong = cell.members["cuong"]
    client.post(_book(), {f"k{cuong.pk}": "more", f"a{cuong.pk}": "50.000"})
    original = FeePayment.objects.get(member=cuong, month=NOV)
    url = reverse("fees:correct", args=[original.pk])
    assert "50.000" in client.get(url).content.decode()
    r = client.post(url, {"amount": "25.005", "reason": "Ghi nhầm số tiền"})
    assert r.status_code == 302 and r["Location"] == _book()
    fix = FeePayment.objects.get(kind=PaymentKind.CORRECTION)
    assert (fix.amount, fix.corrects_id, fix.reason) == (-24_995, original.pk, "Ghi nhầm số tiền")
    assert FeePayment.objects.get(pk=original.pk).amount == 50_000  # never edited
    html = client.get(_book()).content.decode()
    assert "<s class=\"money\">50.000 đ</s> → <b class=\"money\">25.005 đ</b>" in html
    assert "-24.995 đ — Ghi nhầm số tiền" in html
    same = client.post(url, {"amount": "25005", "reason": "Lần nữa"})
    assert same.status_code == 400 and "không có gì để đính chính" in same.content.decode()
    # a correction of a correction is refused: correct the original
    assert client.get(reverse("fees:correct", args=[fix.pk])).status_code == 404


def test_every_payment_and_correction_is_audited(cell) -> None:
    client = logged_in(cell.users["secretary"])
    cuong = cell.members["cuong"]
    client.post(_book(), {})
    client.post(reverse("fees:correct", args=[FeePayment.objects.get(member=cuong).pk]),
                {"amount": "20.000", "reason": "Thu nhầm"})
    fix = FeePayment.objects.get(kind=PaymentKind.CORRECTION)
    kind = ContentType.objects.get_for_model(FeePayment)
    logged = LogEntry.objects.filter(content_type=kind, action=LogEntry.Action.CREATE)
    assert set(logged.values_list("object_pk", flat=True)) == {
        str(pk) for pk in FeePayment.objects.values_list("pk", flat=True)}
    assert logged.count() == 3
    entry = logged.get(object_pk=str(fix.pk))
    assert entry.actor == cell.users["secretary"]
    assert entry.changes_dict["amount"][1] == "-5005"


def test_scope_other_cell_404_viewer_reads_but_cannot_write(cell) -> None:
    an = cell.members["an"]
    secretary, viewer = logged_in(cell.users["secretary"]), logged_in(cell.users["viewer"])
    assert secretary.get(_book("C2A")).status_code == 404
    assert secretary.get(_book("C1B")).status_code == 404
    assert secretary.get(_book("C1")).status_code == 404  # a committee has no book
    page = viewer.get(_book())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tất cả đã nộp đủ" not in html and "Nguyễn Văn An" in html
    assert viewer.post(_book(), {}).status_code == 403
    s.record_book(None, cell.orgs["C1A"], NOV, all_paid=True)
    entry = FeePayment.objects.get(member=an)
    assert viewer.post(reverse("fees:correct", args=[entry.pk]), {"amount": "1", "reason": "x"}).status_code == 403
    assert logged_in(cell.users["member"]).get(_book()).status_code == 404
    other = s.record_book(None, cell.orgs["C2A"], NOV, lines={
        cell.members["binh"].pk: s.BookLine(s.LineKind.PAID, amount=5_000)})
    foreign = other.payments.get()
    assert secretary.get(reverse("fees:correct", args=[foreign.pk])).status_code == 404
    assert FeePayment.objects.count() == 3


def test_basis_form_takes_thousand_separators_and_previews_the_fee(cell) -> None:
    client = logged_in(cell.users["office"])
    an = cell.members["an"]
    url = reverse("fees:basis_set", args=[an.pk])
    preview = client.post(url, {"category": "salaried", "base": "8.000.000", "starts_on": "2026-11", "xem": "1"})
    assert preview.status_code == 200
    assert "Mức đóng: 80.000 đồng/tháng" in preview.content.decode()
    assert FeeBasis.objects.filter(member=an).count() == 1  # the preview saves nothing
    bad = client.post(url, {"category": "other", "base": "50.000", "starts_on": "11/2026"})
    assert bad.status_code == 400
    assert "2.000–30.000 đồng một tháng; 50.000 đồng nằm ngoài khoảng đó" in bad.content.decode()
    ok = client.post(url, {"category": "other", "base": "20 000", "starts_on": "11/2026", "past_working_age": "on"})
    assert ok.status_code == 302
    assert sel.due_for(an, NOV).due == 10_000 and sel.due_for(an, D(2026, 10, 1)).due == 73_500
    page = client.get(reverse("fees:member_fees", args=[an.pk])).content.decode()
    assert "Từ tháng 1/2026" in page and "Từ tháng 11/2026" in page  # the history of bases
    assert logged_in(cell.users["viewer"]).post(url, {"category": "other", "base": "20000",
                                                      "starts_on": "2026-11"}).status_code == 403


def test_member_sees_own_months_and_nobody_elses(cell) -> None:
    own, an = cell.own, cell.members["an"]
    s.record_book(None, cell.orgs["C1A"], D(2026, 9, 1), all_paid=True)
    s.record_book(None, cell.orgs["C1A"], D(2026, 10, 1), lines={own.pk: s.BookLine(s.LineKind.EXCUSED, reason="Ốm")})
    s.record_book(None, cell.orgs["C1A"], NOV, lines={own.pk: s.BookLine(s.LineKind.PAID, amount=40_000)})
    fix = s.correct_payment(None, FeePayment.objects.get(member=own, month=NOV), amount=30_000, reason="Nhầm")
    client = logged_in(cell.users["member"])
    page = client.get(reverse("fees:member_fees", args=[own.pk]))
    assert page.status_code == 200
    months = {m.month: m for m in page.context["months"]}
    assert len(months) == 12 and max(months) == NOV
    assert (months[NOV].paid, months[NOV].state, months[NOV].voluntary) == (30_000, MonthState.PAID, 4_995)
    assert months[D(2026, 10, 1)].state == MonthState.EXCUSED
    assert (months[D(2026, 9, 1)].paid, months[D(2026, 9, 1)].state) == (25_005, MonthState.PAID)
    assert months[D(2026, 8, 1)].state == MonthState.UNPAID
    assert fix.reason in page.content.decode() and "Sổ thu của chi bộ" not in page.content.decode()
    assert len(client.get(reverse("fees:member_fees", args=[own.pk]), {"so-thang": "24"}).context["months"]) == 24
    assert client.get(reverse("fees:member_fees", args=[an.pk])).status_code == 404
    assert client.get(reverse("fees:basis_set", args=[own.pk])).status_code == 403


# -- the Excel import --------------------------------------------------------------------------

def _xlsx(rows: list[list]) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(["Họ và tên", "Số thẻ đảng viên/CCCD", "Tháng", "Số tiền", "Ghi chú/lý do"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("so-thu.xlsx", out.getvalue())


def test_template_lists_the_cells_members(cell) -> None:
    r = logged_in(cell.users["secretary"]).get(reverse("fees:import_template", args=["C1A"]))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    assert values[0] == ["Họ và tên", "Số thẻ đảng viên/CCCD", "Tháng", "Số tiền", "Ghi chú/lý do"]
    assert sorted(v[0] for v in values[1:]) == ["Lê Văn Cường", "Nguyễn Văn An"]
    assert {v[2] for v in values[1:]} == {"11/2026"}


def test_import_lists_every_problem_by_row_and_writes_nothing(cell) -> None:
    client = logged_in(cell.users["secretary"])
    s.record_book(None, cell.orgs["C1A"], D(2026, 9, 1), all_paid=True)
    r = client.post(reverse("fees:import_start", args=["C1A"]), {"file": _xlsx([
        ["Nguyễn Văn An", None, "10/2026", 73500, None],       # good
        ["Trần Thị Bình", None, "10/2026", 5000, None],         # another cell's member
        ["Lê Văn Cường", None, "13/2026", 25005, None],         # no such month
        ["Lê Văn Cường", None, "12/2026", 25005, None],         # the future
        ["Lê Văn Cường", None, "10/2026", "7,5", None],         # not an amount
        ["Lê Văn Cường", None, "10/2026", None, None],          # no amount, no reason
        ["Nguyễn Văn An", None, "09/2026", 73500, None],        # already in the book
        ["Nguyễn Văn An", None, "10/2026", 1000, None],         # twice the same month
    ])})
    assert r.status_code == 302
    batch = ImportBatch.objects.get(kind="fee_book")
    assert batch.state == "invalid"
    page = client.get(r["Location"]).content.decode()
    problems = {p["row"]: " ".join(p["errors"]) for p in batch.problems}
    assert set(problems) == {2, 3, 4, 5, 6, 7, 8, 9}
    assert "Chi bộ không có đảng viên tên «Trần Thị Bình»" in problems[3]
    assert "không đúng dạng tháng/năm" in problems[4] and "Tháng 12/2026 chưa đến." in problems[5]
    assert "không phải số đồng" in problems[6] and "phải ghi lý do" in problems[7]
    assert "Sổ đã ghi đồng chí Nguyễn Văn An tháng 09/2026" in problems[8]
    assert "có 2 dòng cho tháng 10/2026" in problems[2] and "có 2 dòng" in problems[9]
    assert "chưa nhập được" in page and "Xác nhận nhập" not in page
    assert FeePayment.objects.filter(month=D(2026, 10, 1)).count() == 0
    refused = client.post(reverse("fees:import_confirm", args=[batch.pk]))
    assert refused.status_code == 302 and FeePayment.objects.filter(month=D(2026, 10, 1)).count() == 0


def test_import_preview_then_one_transaction(cell) -> None:
    client = logged_in(cell.users["secretary"])
    an, cuong = cell.members["an"], cell.members["cuong"]
    r = client.post(reverse("fees:import_start", args=["C1A"]), {"file": _xlsx([
        ["nguyen van an", None, "10/2026", "73.500", None],
        ["Lê Văn Cường", None, D(2026, 10, 5), 10000, None],
        ["Lê Văn Cường", None, "T9/2026", None, "Đi làm ăn xa"],
    ])})
    batch = ImportBatch.objects.get(kind="fee_book")
    preview = client.get(r["Location"]).content.decode()
    assert batch.state == "preview" and "Xác nhận nhập 3 dòng" in preview
    assert "Nộp thiếu: 10.000 trên 25.005 đồng phải nộp." in preview
    assert not FeePayment.objects.exists()
    log_before = LogEntry.objects.count()
    done = client.post(reverse("fees:import_confirm", args=[batch.pk]))
    assert done.status_code == 302
    assert (_paid(an, D(2026, 10, 1)), _paid(cuong, D(2026, 10, 1))) == (73_500, 10_000)
    rows = {r.member.pk: r for r in sel.book_rows(cell.orgs["C1A"], D(2026, 9, 1))}
    assert (rows[cuong.pk].state, rows[cuong.pk].reason) == (MonthState.EXCUSED, "Đi làm ăn xa")
    assert LogEntry.objects.count() - log_before >= 4  # every entry, the import itself, the books
    again = client.post(reverse("fees:import_confirm", args=[batch.pk]))
    assert again.status_code == 302 and FeePayment.objects.count() == 3
    assert "đã được nhập rồi" in client.get(again["Location"]).content.decode()
    # the same file again: refused row by row (already in the book), nothing paid twice
    client.post(reverse("fees:import_start", args=["C1A"]), {"file": _xlsx([
        ["Nguyễn Văn An", None, "10/2026", 73500, None]])})
    assert ImportBatch.objects.filter(kind="fee_book").latest("pk").state == "invalid"


def test_import_refused_to_viewer_and_outside(cell) -> None:
    assert logged_in(cell.users["viewer"]).post(reverse("fees:import_start", args=["C1A"]),
                                                {"file": _xlsx([])}).status_code == 403
    assert logged_in(cell.users["secretary"]).get(reverse("fees:import_start", args=["C2A"])).status_code == 404
    assert not ImportBatch.objects.exists()


# -- amounts as people type them; the registry's import pages keep to their own kinds --------------

@pytest.mark.parametrize(("typed", "amount"), [("7.350.000", 7_350_000), ("7 350 000", 7_350_000),
                                               ("7,350,000", 7_350_000), ("7350000", 7_350_000),
                                               ("73.500 đ", 73_500), ("0", 0)])
def test_amounts_with_thousand_separators(typed, amount) -> None:
    from dangvu.core.numbers import parse_amount

    assert parse_amount(typed) == amount


@pytest.mark.parametrize("typed", ["7,5", "7.35", "1.2345", "-5", "12.000.00", "1.000,5", "", "mười nghìn"])
def test_amounts_that_are_not_whole_dong_are_refused(typed) -> None:
    from dangvu.core.numbers import parse_amount

    with pytest.raises(ValueError, match="không phải số tiền"):
        parse_amount(typed)


def test_registry_import_pages_do_not_open_fee_batches(cell) -> None:
    client = logged_in(cell.users["secretary"])
    client.post(reverse("fees:import_start", args=["C1A"]), {"file": _xlsx([["Nguyễn Văn An", None, "10/2026", 1, None]])})
    batch = ImportBatch.objects.get(kind="fee_book")
    assert client.get(reverse("registry:import_preview", args=[batch.pk])).status_code == 404
    assert client.post(reverse("registry:import_confirm", args=[batch.pk])).status_code == 404
    start = client.get(reverse("registry:import_start")).content.decode()
    assert "Sổ thu đảng phí" not in start and 'value="members"' in start


def test_collector_defaults_to_the_fee_post_then_the_secretary_and_links_lead_to_the_book(cell) -> None:
    an, cuong, own_cell = cell.members["an"], cell.members["cuong"], cell.orgs["C1A"]
    client = logged_in(cell.users["secretary"])
    rs.add_post(None, own_cell, an, "secretary", D(2025, 1, 2))
    assert client.get(_book()).context["collector"] == an
    rs.add_post(None, own_cell, cuong, "fee_collector", D(2025, 3, 1))
    page = client.get(_book())
    assert page.context["collector"] == cuong
    assert page.context["form"].initial["collected_by"] == cuong.pk
    for url in (reverse("home"), reverse("registry:org_detail", args=["C1A"])):
        assert f'href="{_book()}"' in client.get(url).content.decode() and "Thu đảng phí tháng 11" in client.get(
            url).content.decode()
    member_page = client.get(reverse("registry:member_detail", args=[an.pk])).content.decode()
    assert reverse("fees:member_fees", args=[an.pk]) in member_page
