"""The periodic report of party-building work (issue 18, point 2): an editable .docx draft whose
numbers are the indicator registry's for the organization's subtree and the period; six months, a
year or the congress term in force (refused without one); the inspection section waits for its
indicators; the download is for the office roles of the subtree and audited.

The conftest tree: C1 (commune Hòa Bình) holds An and Cường in cell C1A and Dung (admitted
01/03/2026) in C1B; C2 holds Bình in C2A. The day is fixed at 15/07/2026."""

from __future__ import annotations

import datetime as dt
import html
import io
import zipfile

import pytest
from auditlog.models import LogEntry
from conftest import logged_in
from django.urls import reverse
from docx import Document
from test_documents import _assert_header, _assert_page_and_fonts, _assert_tables, _plan

from dangvu import indicators
from dangvu.cli import main
from dangvu.core import clock
from dangvu.indicators import REGISTRY, Indicator, Value
from dangvu.reports import periodic_sections as S
from dangvu.reports.periodic import PeriodError, build, parse_period, periodic_docx

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 7, 15)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def lively(tree):
    """Three meetings of C1A in the first half of 2026 (one with An absent), a thematic one of C1B,
    and An's fee basis with C1A's June book paid in full."""
    from dangvu.fees import services as fs
    from dangvu.meetings import services as ms

    c1a, c1b = tree.orgs["C1A"], tree.orgs["C1B"]
    first = None
    for month in (3, 4, 5):
        m = ms.record_meeting(None, c1a, held_on=dt.date(2026, month, 10), starts_at=dt.time(8), ends_at=dt.time(10))
        first = first or m
    ms.record_meeting(None, c1b, held_on=dt.date(2026, 5, 20), starts_at=dt.time(14), ends_at=dt.time(16),
                      kind="thematic", topic="Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh")
    ms.set_attendance(None, first, {tree.members["an"].pk: "absent"})
    fs.set_basis(None, tree.members["an"], category="salaried", base=7_350_000, starts_on=dt.date(2026, 1, 1))
    fs.record_book(None, c1a, dt.date(2026, 6, 1), all_paid=True)
    return tree


def _doc(org, key: str):
    report = build(org, parse_period(key, org))
    return report, Document(io.BytesIO(periodic_docx(report)))


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_every_number_is_the_registrys_for_the_org_and_period(lively):
    c1 = lively.orgs["C1"]
    report, doc = _doc(c1, "2026-H1")
    period = report.rp.period
    assert (period.start, period.end) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    texts = _texts(doc)
    checked = 0
    for result in [report.situation, *report.sections]:
        for key in S.section_keys(result.section):
            ind = indicators.get(key)
            v = indicators.compute(key, c1, period)  # computed again, independently of the report
            assert f"- {ind.label}: {S.value_text(ind.unit, v)}." in texts, key
            checked += 1
    assert checked >= 20
    # Figures known from the data, in the document as the registry gives them.
    meetings = indicators.compute("meetings.count", c1, period)
    assert meetings.value == 4 and meetings.breakdown["thematic"] == 1
    assert "- Số buổi sinh hoạt chi bộ: 4." in texts and "   + Sinh hoạt chuyên đề: 1." in texts
    rate = indicators.compute("meetings.attendance_rate", c1, period)
    assert (rate.numerator, rate.denominator) == (6 + 1 - 1, 7)  # C1A 2×3 + C1B 1, An absent once
    assert "- Tỷ lệ đảng viên dự sinh hoạt chi bộ: 85,71% (6/7)." in texts
    collected = indicators.compute("fees.collected_amount", c1, period).value
    assert collected > 0 and f"- Số đảng phí đã thu: {S.value_text('đồng', Value(collected))}." in texts
    assert "   + Chính thức: 2." in texts and "   + Dự bị: 1." in texts  # members.on_date on 30/06
    # A half-year has no grading section; the numbering follows what is there.
    part_two = texts[texts.index("II. KẾT QUẢ THỰC HIỆN"):texts.index("III. ĐÁNH GIÁ CHUNG")]
    headings = [t for t in part_two if t[:2] in ("2.", "3.", "4.", "5.", "6.", "7.")]
    assert headings == ["2. Sinh hoạt chi bộ", "3. Công tác kết nạp đảng viên", "4. Thu, nộp đảng phí",
                        "5. Công tác kiểm tra, giám sát", "6. Cảnh báo còn tồn tại"]


def test_a_year_has_the_grading_and_a_subtree_counts_only_its_own(lively):
    report, doc = _doc(lively.orgs["C1A"], "2026")
    texts = _texts(doc)
    assert "3. Đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên" in texts
    assert "- Số buổi sinh hoạt chi bộ: 3." in texts  # C1B's thematic meeting is not C1A's
    assert "- Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên: chưa có số liệu." in texts


def test_admission_against_the_quota(tree):
    from dangvu.admission import services as ads

    c1 = tree.orgs["C1"]
    ads.set_quota(None, c1, target=4, year=2026)
    texts = _texts(_doc(c1, "2026-H1")[1])
    assert "- Tỷ lệ thực hiện chỉ tiêu kết nạp đảng viên: 25% (1/4)." in texts  # Dung of four


def test_a_period_without_data_says_so_plainly(tree):
    from dangvu.registry import services as rs

    c1 = tree.orgs["C1"]
    _, doc = _doc(c1, "2019")
    texts = _texts(doc)
    assert "- Số buổi sinh hoạt chi bộ: 0." in texts
    assert "- Tỷ lệ đảng viên dự sinh hoạt chi bộ: chưa có số liệu." in texts
    assert texts.count(S.SECTION_EMPTY) >= 3  # meetings, grading, fees
    assert "Trong kỳ không có kế hoạch nào của cấp ủy đang thực hiện được ghi trong hệ thống." in texts
    # A cell with nothing recorded at all: the whole report says so.
    empty = rs.create_organization(None, c1, code="C1C", name="Chi bộ Trường học", kind="cell", sector="school")
    report, doc = _doc(empty, "2026-H1")
    assert not report.has_data
    assert any(t.startswith("Lưu ý: hệ thống chưa có số liệu nào của kỳ báo cáo này") for t in _texts(doc))


def test_inspection_section_waits_for_its_indicators(tree, monkeypatch):
    c1 = tree.orgs["C1"]
    registered = [k for k in indicators.load_all() if k.startswith("inspection.")]
    texts = _texts(_doc(c1, "2026-H1")[1])
    missing = "(số liệu kiểm tra, giám sát: chưa có trong hệ thống)"
    assert "5. Công tác kiểm tra, giám sát" in texts
    assert (missing in texts) == (not registered)

    def inspections(org, period):
        return Value.count(7 if org.code == "C1" else 0)

    monkeypatch.setitem(REGISTRY, "inspection.test_done_count", Indicator(
        "inspection.test_done_count", "Số cuộc kiểm tra đã tiến hành", "count", inspections))
    texts = _texts(_doc(c1, "2026-H1")[1])
    assert missing not in texts
    assert "- Số cuộc kiểm tra đã tiến hành: 7." in texts


def test_term_is_the_congress_term_in_force_or_refused(tree):
    from dangvu.congress import services as cs

    c1 = tree.orgs["C1"]
    with pytest.raises(PeriodError, match="Chưa ghi đại hội nhiệm kỳ hiện tại"):
        parse_period("term", c1)
    # A congress planned for later does not open a term yet.
    cs.save_congress(None, c1, term="2030-2035", kind="members", starts_on=dt.date(2030, 6, 1),
                     ends_on=dt.date(2030, 6, 2))
    with pytest.raises(PeriodError):
        parse_period("term", c1)
    cs.save_congress(None, c1, term="2025-2030", kind="members", starts_on=dt.date(2025, 6, 10),
                     ends_on=dt.date(2025, 6, 11))
    rp = parse_period("term", c1)
    assert (rp.period.start, rp.period.end, rp.phrase) == (dt.date(2025, 6, 10), dt.date(2030, 12, 31),
                                                           "nhiệm kỳ 2025–2030")
    report, doc = _doc(c1, "term")
    texts = _texts(doc)
    assert "Kết quả công tác xây dựng Đảng nhiệm kỳ 2025–2030" in texts
    assert "3. Đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên (kết quả năm 2026)" in texts
    admitted = indicators.compute("admissions.quota_progress_share", c1, rp.period)
    assert admitted.numerator == 1  # Dung, admitted 01/03/2026
    assert admitted.denominator is None  # no quota set: the count stays in the text
    assert ("- Tỷ lệ thực hiện chỉ tiêu kết nạp đảng viên: chưa tính được tỷ lệ: đạt 1, chưa có số để so sánh."
            in texts)


@pytest.mark.parametrize("text", ["2026-H3", "H1", "2027", "2026-Q1", "", "0000-H1", "1929", "9999", "\x00"])
def test_bad_or_future_periods_are_refused(tree, text):
    with pytest.raises(PeriodError):
        parse_period(text, tree.orgs["C1"])


def test_party_layout_and_plan_targets(lively):
    from dangvu.registry import services as rs

    c1 = lively.orgs["C1"]
    rs.add_post(None, c1, lively.members["an"], "secretary", dt.date(2025, 1, 10))
    plan = _plan(c1)
    report, doc = _doc(c1, "2026-H1")
    _assert_page_and_fonts(doc, "periodic")
    _assert_header(doc, "periodic", "Hòa Bình", "ĐẢNG BỘ TỈNH THỬ NGHIỆM")
    _assert_tables(doc, "periodic")
    texts = _texts(doc)
    assert texts[1:3] == ["BÁO CÁO", "Kết quả công tác xây dựng Đảng 6 tháng đầu năm 2026"]
    assert doc.tables[0].rows[0].cells[0].paragraphs[1].text == "ĐẢNG ỦY XÃ HÒA BÌNH"
    # The plan's targets as the plan's progress gives them on the period's last day.
    assert report.plan.plan == plan and report.plan.targets
    table = doc.tables[1]
    assert [c.text for c in table.rows[0].cells] == ["TT", "Chỉ tiêu", "Mục tiêu", "Kết quả", "Đánh giá"]
    assert len(table.rows) == len(report.plan.targets) + 1
    for row, r in zip(table.rows[1:], report.plan.targets, strict=True):
        assert [c.text for c in row.cells[1:]] == [
            r.target.text, r.goal, r.value_text if r.value is not None else "Chưa có số liệu", r.status_label]
    assert any(t.startswith(f"- Nhiệm vụ: {len(report.plan.tasks)} nhiệm vụ;") for t in texts)
    signature = doc.tables[-1].rows[0].cells[1].text
    assert "T/M ĐẢNG ỦY" in signature and "Nguyễn Văn An" in signature
    # On the page the office chooses the deputy instead.
    deputy = rs.add_post(None, c1, lively.members["cuong"], "deputy", dt.date(2025, 1, 10))
    office = logged_in(lively.users["office"])
    assert f'value="{deputy.pk}"' in office.get(reverse("periodic_report", args=["C1"])).content.decode()
    r = office.get(reverse("periodic_report", args=["C1"]), {"ky-bao-cao": "2026-H1", "ky": deputy.pk})
    signature = Document(io.BytesIO(r.content)).tables[-1].rows[0].cells[1].text
    assert "K/T BÍ THƯ" in signature and "Lê Văn Cường" in signature and "Nguyễn Văn An" not in signature


def test_tasks_are_counted_as_they_stood_at_the_periods_end(tree):
    from dangvu.plans import services as ps

    c1 = tree.orgs["C1"]
    plan = _plan(c1)
    task = ps.add_task(None, plan, title="Kiện toàn chi ủy các chi bộ thôn", ends_on=dt.date(2026, 5, 31))
    ps.update_task(None, task, "done", evidence="Quyết định số 9-QĐ/ĐU", done_on=dt.date(2026, 7, 10))
    half = build(c1, parse_period("2026-H1", c1)).plan.tasks
    year = build(c1, parse_period("2026", c1)).plan.tasks
    on_june_30 = next(r for r in half if r.task == task)
    assert (on_june_30.status, on_june_30.days_late) == ("overdue", 30)  # done only on 10/07
    assert next(r for r in year if r.task == task).status == "done"
    texts = _texts(_doc(c1, "2026-H1")[1])
    assert "   + Quá hạn: Kiện toàn chi ủy các chi bộ thôn (thời hạn 31/05/2026)." in texts
    overdue = sum(1 for r in half if r.status == "overdue")
    assert any(t.startswith(f"- Nhiệm vụ: {len(half)} nhiệm vụ;") and t.endswith(f"quá hạn chưa hoàn thành {overdue}.")
               for t in texts)


def test_the_draft_is_editable_plain_text(lively):
    content = periodic_docx(build(lively.orgs["C1"], parse_period("2026", lively.orgs["C1"])))
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        settings = z.read("word/settings.xml").decode()
        body = z.read("word/document.xml").decode()
    assert "documentProtection" not in settings and "writeProtection" not in settings
    assert "<w:sdt" not in body and "fldLock" not in body and "w:lock" not in body and "w:permStart" not in body
    doc = Document(io.BytesIO(content))
    placeholders = [p for p in doc.paragraphs if p.text.startswith("[Cấp ủy viết")]
    assert len(placeholders) == 4
    assert all(len(p.runs) == 1 and p.runs[0].italic for p in placeholders)
    texts = _texts(doc)
    assert texts.index("III. ĐÁNH GIÁ CHUNG") < texts.index("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI")


# -- the page and the command --------------------------------------------------------------------

def test_office_downloads_and_the_export_is_audited(lively):
    office = logged_in(lively.users["office"])
    url = reverse("periodic_report", args=["C1"])
    page = office.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="2026-H1"' in body and 'value="2026"' in body and 'value="2026-H2"' in body
    assert 'value="term"' not in body and "Chưa ghi đại hội nhiệm kỳ hiện tại" in body
    r = office.get(url, {"ky-bao-cao": "2026-H1"})
    assert r.status_code == 200 and r["Content-Type"] == DOCX
    assert r["Content-Disposition"].endswith('bao-cao-xay-dung-dang-c1-2026-h1.docx"')
    assert "- Số buổi sinh hoạt chi bộ: 4." in _texts(Document(io.BytesIO(r.content)))
    entry = LogEntry.objects.filter(additional_data__export="periodic-report.docx").get()
    assert entry.actor == lively.users["office"] and entry.additional_data["period"] == "2026-H1"
    assert entry.object_pk == str(lively.orgs["C1"].pk)


def test_refusals_on_the_page(lively):
    office = logged_in(lively.users["office"])
    assert office.get(reverse("periodic_report", args=["C2"])).status_code == 404  # another subtree
    assert office.get(reverse("periodic_report", args=["C2"]), {"ky-bao-cao": "2026"}).status_code == 404
    viewer = logged_in(lively.users["viewer"])
    assert viewer.get(reverse("periodic_report", args=["C1"]), {"ky-bao-cao": "2026"}).status_code == 403
    bad = office.get(reverse("periodic_report", args=["C1"]), {"ky-bao-cao": "term"})
    assert bad.status_code == 400 and "Chưa ghi đại hội nhiệm kỳ hiện tại" in bad.content.decode()
    assert not LogEntry.objects.filter(additional_data__export="periodic-report.docx").exists()
    secretary = logged_in(lively.users["secretary"])  # a cell's secretary: her cell, not the commune
    assert secretary.get(reverse("periodic_report", args=["C1A"])).status_code == 200
    assert secretary.get(reverse("periodic_report", args=["C1"])).status_code == 404


@pytest.mark.parametrize("bad", ["0000-H1", "9999", "-1", "x" * 10_000, "\x00", "2026-H9", "99999999999999"])
def test_bad_periods_on_the_page_are_400_with_a_plain_message(tree, bad):
    r = logged_in(tree.users["office"]).get(reverse("periodic_report", args=["C1"]), {"ky-bao-cao": bad, "ky": bad})
    assert r.status_code == 400
    with pytest.raises(PeriodError) as refused:
        parse_period(bad[:40], tree.orgs["C1"])
    assert html.escape(str(refused.value)) in r.content.decode()


def test_org_page_links_the_report_for_office_roles(tree):
    link = reverse("periodic_report", args=["C1"])
    assert link in logged_in(tree.users["office"]).get(reverse("registry:org_detail", args=["C1"])).content.decode()
    assert link not in logged_in(tree.users["viewer"]).get(reverse("registry:org_detail", args=["C1"])).content.decode()


def test_cli_writes_the_draft_and_refuses_plainly(lively, tmp_path, capsys):
    out = tmp_path / "bao-cao.docx"
    assert main(["report", "periodic", "--org", "c1", "--period", "2026-H1", "--out", str(out)]) == 0
    assert "6 tháng đầu năm 2026" in capsys.readouterr().out
    assert "- Số buổi sinh hoạt chi bộ: 4." in _texts(Document(str(out)))
    entry = LogEntry.objects.filter(additional_data__export="periodic-report.docx").get()
    assert entry.additional_data["via"] == "cli" and entry.additional_data["period"] == "2026-H1"
    assert main(["report", "periodic", "--org", "C1", "--period", "term", "--out", str(out)]) == 2
    assert "Chưa ghi đại hội nhiệm kỳ hiện tại" in capsys.readouterr().err
    assert main(["report", "periodic", "--org", "NOPE", "--period", "2026", "--out", str(out)]) == 2
    assert main(["report", "periodic", "--org", "C1", "--period", "2026", "--out", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "Không tìm thấy tổ chức đảng có mã «NOPE»" in err and "đuôi .docx" in err
