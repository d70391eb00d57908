"""The standard member statistics of a subtree on a day (issue 18 point 1): the indicators read the
history, the .docx/.xlsx carry their numbers, ``dangvu report stats`` writes the file, and the web
page and download are scoped and audited.

The conftest tree on 30/06/2026: C1 holds An (born 02/03/1980, male, admitted 19/05/2010, full),
Cường (20/01/1975, male, 02/09/2000, full) in C1A and Dung (30/04/1998, female, admitted
01/03/2026, probationary) in C1B; C2 holds Bình (09/07/1990, female) in C2A."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from conftest import logged_in, make_member_data
from django.urls import reverse

from dangvu import indicators
from dangvu.cli import main
from dangvu.core.periods import Period
from dangvu.registry import services as rs
from dangvu.reports.stats import MEMBER_TABLES, build, stats_docx, stats_xlsx

DAY = dt.date(2026, 6, 30)


def value(key: str, org, day: dt.date = DAY, start: dt.date | None = None):
    return indicators.compute(key, org, Period(start or dt.date(day.year, 1, 1), day))


def test_known_members_give_exact_numbers(tree):
    c1 = tree.orgs["C1"]
    total = value("members.on_date", c1)
    assert total.value == 3 and total.breakdown == {"Dự bị": 1, "Chính thức": 2, "Miễn công tác và sinh hoạt": 0}
    assert value("members.by_gender_on_date", c1).breakdown == {"Nam": 2, "Nữ": 1}
    ages = value("members.by_age_band_on_date", c1).breakdown
    assert ages == {"Dưới 30 tuổi": 1, "Từ 30 đến 39 tuổi": 0, "Từ 40 đến 49 tuổi": 1, "Từ 50 đến 59 tuổi": 1,
                    "Từ 60 đến 69 tuổi": 0, "Từ 70 tuổi trở lên": 0}
    party = value("members.by_party_age_band_on_date", c1).breakdown
    assert party["Dưới 10 năm"] == 1 and party["Từ 10 đến 19 năm"] == 1 and party["Từ 20 đến 29 năm"] == 1
    # Before Dung's admission (01/03/2026) C1 had two members; the province four, then three.
    assert value("members.on_date", c1, dt.date(2026, 2, 28)).value == 2
    assert value("members.on_date", tree.orgs["P"]).value == 4
    kinds = value("organizations.by_kind_on_date", tree.orgs["P"]).breakdown
    assert kinds["Đảng bộ tỉnh/thành phố"] == 1 and kinds["Đảng bộ cơ sở"] == 2 and kinds["Chi bộ trực thuộc"] == 3
    sectors = value("organizations.by_sector_on_date", c1).breakdown
    assert sectors["Thôn, bản, tổ dân phố"] == 1 and sectors["Cơ quan"] == 1 and sectors["Chưa ghi loại hình"] == 1


def test_free_text_categories_group_by_normalised_spelling(tree):
    c1a = tree.orgs["C1A"]
    for i, (ethnicity, religion, job) in enumerate([("Tày", "Phật giáo", "Nông dân"), ("tày ", "phật giáo", "nông dân"),
                                                    ("Nùng", "Không", "Giáo viên")]):
        rs.register_member(None, c1a, make_member_data(
            f"Hoàng Văn {'ABC'[i]}", dt.date(1970, 1, 1 + i), ethnicity=ethnicity, religion=religion,
            occupation=job, admitted_on=dt.date(2001, 1, 1), full_on=dt.date(2002, 1, 1)))
    eth = value("members.by_ethnicity_on_date", c1a).breakdown
    assert eth == {"Kinh": 2, "Tày": 2, "Nùng": 1}
    assert value("members.by_religion_on_date", c1a).breakdown["Phật giáo"] == 2
    jobs = value("members.by_occupation_on_date", c1a).breakdown
    assert jobs["Nông dân"] == 2 and jobs["Giáo viên"] == 1 and jobs["Chưa ghi"] == 2


def test_transfer_out_shows_in_the_changes_and_the_totals(tree):
    an = tree.members["an"]
    transfer = rs.start_transfer(None, an, "permanent", tree.orgs["C2A"], dt.date(2026, 4, 1))
    rs.confirm_transfer(None, transfer, dt.date(2026, 4, 10))
    c1, c2 = tree.orgs["C1"], tree.orgs["C2"]
    # On the letter's day An is still C1's; from the confirmation C2's.
    assert value("members.on_date", c1, dt.date(2026, 4, 9)).value == 3
    assert value("members.on_date", c1).value == 2
    assert value("members.on_date", c2).value == 2
    changes = value("members.changes_in_period", c1).breakdown
    assert changes["Chuyển đi (chuyển sinh hoạt chính thức)"] == 1 and changes["Kết nạp"] == 1
    assert changes["Chuyển đến (chuyển sinh hoạt chính thức)"] == 0
    assert value("members.changes_in_period", c2).breakdown["Chuyển đến (chuyển sinh hoạt chính thức)"] == 1
    # Inside the province the move is no change of the province.
    whole = value("members.changes_in_period", tree.orgs["P"]).breakdown
    assert whole["Chuyển đi (chuyển sinh hoạt chính thức)"] == whole["Chuyển đến (chuyển sinh hoạt chính thức)"] == 0
    report = build(c1, DAY)
    assert (report.opening, report.total, report.problems) == (2, 2, [])


def test_removals_in_the_period_and_before_it(tree):
    rs.record_death(None, tree.members["cuong"], dt.date(2026, 5, 5))
    c1 = tree.orgs["C1"]
    assert value("members.on_date", c1, dt.date(2026, 5, 4)).value == 3
    assert value("members.on_date", c1).value == 2
    assert value("members.changes_in_period", c1).breakdown["Từ trần"] == 1
    # A later period does not see the death; its opening no longer counts Cường.
    later = build(c1, dt.date(2026, 11, 30), dt.date(2026, 6, 1))
    assert dict(later.changes.rows)["Từ trần"] == 0 and later.opening == later.total == 2


def test_every_table_sums_to_the_members_of_the_day(tree):
    report = build(tree.orgs["P"], DAY)
    assert [t.key for t in report.member_tables] == list(MEMBER_TABLES)
    for t in report.member_tables:
        assert sum(n for _, n in t.rows) == t.total == value("members.on_date", tree.orgs["P"]).value == 4
    assert report.problems == []


def test_documents_carry_the_numbers(tree):
    from docx import Document
    from openpyxl import load_workbook

    report = build(tree.orgs["C1"], DAY)
    ws = load_workbook(io.BytesIO(stats_xlsx(report))).active
    rows = [r for r in ws.iter_rows(values_only=True) if r[1] is not None]
    found = {r[1]: r[2] for r in rows if isinstance(r[2], int)}
    assert found["Nam"] == 2 and found["Nữ"] == 1 and found["Dự bị"] == 1 and found["Kết nạp"] == 1
    assert found["Cuối kỳ"] == 3 and found["Đầu kỳ (ngày 31/12/2025)"] == 2
    doc = Document(io.BytesIO(stats_docx(report)))
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    assert ["1", "Nam", "2", "66,67"] in cells and ["2", "Nữ", "1", "33,33"] in cells
    assert ["1", "Dưới 30 tuổi", "1", "33,33"] in cells
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "BÁO CÁO THỐNG KÊ ĐẢNG VIÊN" in text and "Tổng số đảng viên: 3." in text


def test_cli_writes_the_file(tree, tmp_path, capsys):
    from openpyxl import load_workbook

    out = tmp_path / "thong-ke.xlsx"
    assert main(["report", "stats", "--org", "c1", "--date", "2026-06-30", "--out", str(out)]) == 0
    assert "3 đảng viên" in capsys.readouterr().out
    ws = load_workbook(out).active
    assert ("Chính thức", 2) in {(r[1], r[2]) for r in ws.iter_rows(values_only=True)}
    assert main(["report", "stats", "--org", "C1", "--date", "2026-06-31", "--out", str(out)]) == 2
    assert main(["report", "stats", "--org", "NOPE", "--date", "2026-06-30", "--out", str(out)]) == 2
    assert main(["report", "stats", "--org", "C1", "--date", "2026-06-30", "--out", str(tmp_path / "a.pdf")]) == 2
    assert main(["report", "stats", "--org", "C1", "--date", "2026-06-30", "--from", "2026-07-01",
                 "--out", str(out)]) == 2


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_web_download_is_scoped_and_audited(tree, fmt):
    from auditlog.models import LogEntry

    office = logged_in(tree.users["office"])  # office of C1
    url = reverse("registry:org_stats_file", args=["C1", fmt]) + "?ngay=2026-06-30"
    before = LogEntry.objects.count()
    response = office.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].endswith(f'{fmt}"')
    entry = LogEntry.objects.order_by("-pk").first()
    assert LogEntry.objects.count() == before + 1
    assert entry.actor == tree.users["office"] and entry.additional_data["export"] == f"stats.{fmt}"
    assert entry.additional_data["rows"] == 3 and entry.additional_data["date"] == "2026-06-30"
    assert office.get(reverse("registry:org_stats_file", args=["C2", fmt])).status_code == 404
    assert logged_in(tree.users["member"]).get(url).status_code == 404
    assert LogEntry.objects.count() == before + 1


def test_page_shows_the_tables(tree):
    office = logged_in(tree.users["office"])
    page = office.get(reverse("registry:org_stats", args=["C1"]) + "?ngay=30/06/2026&tu_ngay=01/01/2026")
    html = page.content.decode()
    assert page.status_code == 200 and "Đảng viên theo giới tính" in html
    assert '<td data-label="Số lượng" class="num">2</td>\n<td data-label="Tỷ lệ" class="num">66,67%</td>' in html
    assert 'style="width: 67%"' in html  # the bar of «Nam»
    bad = office.get(reverse("registry:org_stats", args=["C1"]) + "?ngay=31/02/2026")
    assert bad.status_code == 200 and "Ngày 31/02/2026 không có." in bad.content.decode()
    assert office.get(reverse("registry:org_stats", args=["C2"])).status_code == 404
