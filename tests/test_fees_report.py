"""Issue 15, point 5: the fees indicators (paid in full, due, collected, voluntary, remitted up,
kept) with exact values, and the quarterly/yearly report "thu, nộp đảng phí" (.xlsx, .docx, CLI,
download on the organization page)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from conftest import logged_in
from django.urls import reverse
from openpyxl import load_workbook

from dangvu import indicators
from dangvu.cli import main
from dangvu.core import clock
from dangvu.fees import services as s
from dangvu.fees.models import FeePayment
from dangvu.indicators import Period

pytestmark = pytest.mark.django_db
D = dt.date
Q3 = Period.quarter(2026, 3)


@pytest.fixture
def fees(tree, monkeypatch):
    """Third quarter of 2026. C1A: An 73.500 đ a month, Cường 25.005 đ; C2A: Bình 20.000 đ.
    July: all paid. August: An 100.000 (26.500 voluntary), Cường 10.000 of 25.005. September: An
    pays September–November ahead, Cường excused. Bình pays every month; August was written as
    200.000 and corrected to 20.000. C1A sent C1 49.000 for July (48.000 confirmed) and 55.000 for
    August (not confirmed yet). Dung (C1B) has no basis."""
    monkeypatch.setattr(clock, "today", lambda: D(2026, 11, 20))
    m, o = tree.members, tree.orgs
    s.set_basis(None, m["an"], category="salaried", base=7_350_000, starts_on=D(2025, 1, 1))
    s.set_basis(None, m["cuong"], category="pensioner", base=5_001_000, starts_on=D(2025, 1, 1))
    s.set_basis(None, m["binh"], category="other", base=20_000, starts_on=D(2026, 1, 1))
    line = s.BookLine
    s.record_book(None, o["C1A"], D(2026, 7, 1), all_paid=True)
    s.record_book(None, o["C1A"], D(2026, 8, 1), lines={m["an"].pk: line(s.LineKind.PAID, amount=100_000),
                                                        m["cuong"].pk: line(s.LineKind.PARTIAL, amount=10_000)})
    s.record_book(None, o["C1A"], D(2026, 9, 1), lines={m["an"].pk: line(s.LineKind.AHEAD, months=3),
                                                        m["cuong"].pk: line(s.LineKind.EXCUSED, reason="Ốm")})
    for month in (7, 9):
        s.record_book(None, o["C2A"], D(2026, month, 1), all_paid=True)
    s.record_book(None, o["C2A"], D(2026, 8, 1), lines={m["binh"].pk: line(s.LineKind.PAID, amount=200_000)})
    s.correct_payment(None, FeePayment.objects.get(member=m["binh"], month=D(2026, 8, 1)), amount=20_000,
                      reason="Ghi nhầm số tiền")
    july = s.record_remittance(None, o["C1A"], D(2026, 7, 1), amount=49_000, sent_on=D(2026, 8, 5))
    s.confirm_remittance(None, july, amount=48_000, confirmed_on=D(2026, 8, 6))
    s.record_remittance(None, o["C1A"], D(2026, 8, 1), amount=55_000, sent_on=D(2026, 9, 10))
    return tree


def value(key: str, org, period: Period = Q3):
    return indicators.compute(key, org, period)


def test_fee_indicators_exact_values(fees) -> None:
    p, c1, c1a, c2 = (fees.orgs[k] for k in ("P", "C1", "C1A", "C2"))
    share = value("fees.paid_in_full_share", p)
    assert (share.numerator, share.denominator, share.value) == (2, 3, 66.67)  # Cường paid part of August
    assert value("fees.paid_in_full_share", c2).value == 100.0
    due = value("fees.due_amount", p)
    assert (due.value, due.breakdown) == (3 * 73_500 + 3 * 25_005 + 3 * 20_000, {"excused": 25_005})
    assert value("fees.voluntary_amount", p).value == 26_500
    collected = value("fees.collected_amount", p)
    assert collected.value == 73_500 + 25_005 + 100_000 + 10_000 + 3 * 73_500 + 20_000 + 200_000 - 180_000 + 20_000
    assert collected.breakdown == {"payments": 669_005, "corrections": -180_000, "members": 3}
    assert value("fees.collected_amount", c1).value == 429_005
    sent = value("fees.remitted_up_amount", c1a)
    assert (sent.value, sent.breakdown) == (104_000, {"confirmed": 48_000, "unconfirmed": 1})
    assert value("fees.kept_amount", c1a).value == 429_005 - 104_000
    assert value("fees.remitted_up_amount", c1).value == 0  # C1A sent to C1: inside C1, not sent up by it
    # Q4 read on 20/11: October only (November is still being collected). An is paid ahead;
    # Cường and Bình paid nothing.
    q4 = value("fees.paid_in_full_share", p, Period.quarter(2026, 4))
    assert (q4.numerator, q4.denominator) == (1, 3)
    assert value("fees.due_amount", p, Period.quarter(2026, 4)).value == 73_500 + 25_005 + 20_000
    assert value("fees.collected_amount", p, Period.quarter(2026, 4)).value == 0
    # A quarter not begun has nothing.
    assert value("fees.paid_in_full_share", p, Period.quarter(2027, 1)).value is None


def test_indicators_command_shows_the_fee_indicators(fees, capsys) -> None:
    assert main(["indicators", "--org", "C1", "--year", "2026", "--quarter", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["fees.collected_amount"]["value"] == 429_005
    assert data["fees.collected_amount"]["unit"] == "đồng"
    assert (data["fees.paid_in_full_share"]["numerator"], data["fees.paid_in_full_share"]["denominator"]) == (1, 2)
    assert main(["indicators", "--org", "C1", "--year", "2026", "--quarter", "3"]) == 0
    assert "429.005 đ" in capsys.readouterr().out


# -- the report -----------------------------------------------------------------------------------

def _sheet_rows(content: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(content)).active
    return [tuple(c.value for c in row) for row in ws.iter_rows(min_row=4)]


def test_the_xlsx_report_has_a_row_per_organization_under_and_the_total(fees, tmp_path, capsys) -> None:
    out = tmp_path / "dang-phi.xlsx"
    assert main(["report", "fees", "--org", "P", "--period", "2026-Q3", "--out", str(out)]) == 0
    assert "thu, nộp đảng phí quý 3/2026 của Đảng bộ tỉnh Thử Nghiệm (2 tổ chức trực thuộc)" in (said := capsys.readouterr().out)
    assert "Phải thu 355.515 đ; đã thu 489.005 đ; nộp cấp trên 0 đ; để lại 489.005 đ." in said
    rows = _sheet_rows(out.read_bytes())
    assert rows[0][:4] == ("TT", "Tổ chức đảng", "Số đảng viên", "Phải thu")
    # members, due, collected, voluntary, sent up, confirmed, kept
    assert rows[1] == (1, "Đảng bộ xã Hòa Bình", 3, 220_500 + 75_015, 429_005, 26_500, 0, 0, 429_005)
    assert rows[2] == (2, "Đảng bộ xã Yên Lạc", 1, 60_000, 60_000, 0, 0, 0, 60_000)
    assert rows[3] == (None, "Tổng cộng", 4, 355_515, 489_005, 26_500, 0, 0, 489_005)
    # C1's report: its cells, C1A having sent 104.000 up to C1 (48.000 confirmed).
    out = tmp_path / "c1.xlsx"
    assert main(["report", "fees", "--org", "C1", "--period", "2026-Q3", "--out", str(out)]) == 0
    rows = _sheet_rows(out.read_bytes())
    assert rows[1] == (1, "Chi bộ thôn Đồng Tâm", 2, 295_515, 429_005, 26_500, 104_000, 48_000, 325_005)
    assert rows[2] == (2, "Chi bộ Văn phòng xã", 1, 0, 0, 0, 0, 0, 0)
    assert rows[3][1:] == ("Tổng cộng", 3, 295_515, 429_005, 26_500, 0, 0, 429_005)
    # The year holds the quarter's figures and nothing else was recorded.
    out = tmp_path / "year.xlsx"
    assert main(["report", "fees", "--org", "C1", "--period", "2026", "--out", str(out)]) == 0
    year = _sheet_rows(out.read_bytes())
    assert year[1][4] == 429_005 and year[1][6] == 104_000


def test_the_command_refuses_a_bad_period_or_organization(fees, tmp_path, capsys) -> None:
    out = tmp_path / "x.xlsx"
    assert main(["report", "fees", "--org", "P", "--period", "2026-Q5", "--out", str(out)]) == 2
    assert "2026-Q3" in capsys.readouterr().err
    assert main(["report", "fees", "--org", "KHONG", "--period", "2026", "--out", str(out)]) == 2
    assert not out.exists()


def test_the_docx_report_states_the_figures_and_is_audited(fees) -> None:
    from auditlog.models import LogEntry
    from docx import Document

    client = logged_in(fees.users["office"])
    url = reverse("fees:fee_report", args=["C1"])
    r = client.get(url, {"ky-bao-cao": "2026-Q3", "dinh-dang": "docx"})
    assert r.status_code == 200 and r["Content-Disposition"].endswith('bao-cao-dang-phi-c1-2026-q3.docx"')
    doc = Document(io.BytesIO(r.content))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "TT")
    assert [c.text for c in table.rows[1].cells] == ["1", "Chi bộ thôn Đồng Tâm", "2", "295.515", "429.005",
                                                     "26.500", "104.000", "325.005"]
    assert [c.text for c in table.rows[-1].cells][1:] == ["Tổng cộng", "3", "295.515", "429.005", "26.500", "0",
                                                          "429.005"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "THU, NỘP ĐẢNG PHÍ QUÝ 3/2026" in text
    assert "Còn 1 khoản nộp cấp trên chưa được xác nhận." not in text  # C1 itself sent nothing up
    entry = LogEntry.objects.filter(additional_data__export="fee-report.docx").get()
    assert (entry.actor, entry.additional_data["period"]) == (fees.users["office"], "2026-q3")
    # xlsx from the page; a bad period is a plain 404; a viewer may not export; outside is 404.
    assert client.get(url, {"ky-bao-cao": "2026", "dinh-dang": "xlsx"})["Content-Type"] == XLSX
    assert client.get(url, {"ky-bao-cao": "hôm qua"}).status_code == 404
    assert logged_in(fees.users["viewer"]).get(url).status_code == 403
    assert logged_in(fees.users["secretary"]).get(url).status_code == 404
    assert logged_in(fees.users["secretary"]).get(reverse("fees:fee_report", args=["C1A"])).status_code == 200


def test_the_organization_page_offers_the_report_to_office_roles(fees) -> None:
    page = logged_in(fees.users["office"]).get(reverse("registry:org_detail", args=["C1"])).content.decode()
    assert reverse("fees:fee_report", args=["C1"]) in page and 'value="2026-Q4"' in page
    page = logged_in(fees.users["viewer"]).get(reverse("registry:org_detail", args=["C1"])).content.decode()
    assert reverse("fees:fee_report", args=["C1"]) not in page


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
