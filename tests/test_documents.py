"""Every .docx the product writes follows the party-document layout (Hướng dẫn 36-HD/VPTW, 2018):
A4, margins, Times New Roman 13–14 on the styles (East-Asian font too), the issuer block with the
superior committee line, the star and the number, ĐẢNG CỘNG SẢN VIỆT NAM, the "place, date" line
with the ISSUING organization's place (never the venue or another organization's), "Nơi nhận",
the signer chosen on the download, tables with a narrow "TT" column; charts with labels that do
not overlap at a readable size and forecasts of counts in whole units. One document goes through
LibreOffice to a PDF whose page must be A4 (rendered to test-artifacts/ to look at)."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import PASSWORD, ROOT, make_member_data
from django.test import Client
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

from dangvu.core import clock
from dangvu.core.plan_status import forecast

pytestmark = pytest.mark.django_db

ARTIFACTS = ROOT / "test-artifacts"
VENUE = "Hội trường Nhà văn hóa thôn Cầu Đá"  # where the congress sits: never the documents' place
CANDIDATES = ["Nguyễn Văn An", "Lê Văn Cường", "Hoàng Thị Hoa", "Đỗ Văn Khánh"]
BOARD = ["Trịnh Văn Sơn", "Vũ Thị Mai", "Đặng Văn Lực"]
BALLOTS = [[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 1, 0], [1, 1, 0, 0], [0, 0, 0, 0]]
SANS_EM = 0.6  # a digit's width in a sans-serif face, as a share of the font size (an upper bound)
DATE_LINE = re.compile(r"^(?P<place>[^,]+), ngày \d{2} tháng \d{2} năm \d{4}$")


# -- the fixture world: a commune committee with a secretary and a deputy, a plan, a congress ------

@pytest.fixture
def world(tree):
    from dangvu.registry import services as rs

    c1 = tree.orgs["C1"]
    secretary = rs.add_post(None, c1, tree.members["an"], "secretary", dt.date(2025, 1, 10))
    deputy = rs.add_post(None, c1, tree.members["cuong"], "deputy", dt.date(2025, 1, 10))
    return SimpleNamespace(tree=tree, c1=c1, secretary=secretary, deputy=deputy)


def _client(tree, who: str = "viewer") -> Client:
    client = Client()
    client.force_login(tree.users[who])
    return client


def _plan(org):
    """The demo's sample plan (dated at "Tân Phú", another commune) issued by ``org``, saved."""
    from dangvu.core.planparse import parse_text
    from dangvu.demo.steps.plans import sample_text
    from dangvu.plans import services as ps

    text = sample_text()
    plan = ps.draft_from_parse(None, org, parse_text(text), "ke-hoach.txt", text)
    ps.confirm_all(None, plan)
    ps.save_plan(None, plan)
    assert plan.place and plan.place != "Hòa Bình"  # the finding: the report used the plan's place
    return plan


def _congress(world):
    """The commune's congress (one a term), sitting at a venue whose name is not a place."""
    from dangvu.congress import services as cs
    from dangvu.congress.models import Congress

    existing = Congress.objects.filter(organization=world.c1).first()
    return existing or cs.save_congress(None, world.c1, term="2025-2030", kind="members", starts_on=dt.date(2027, 5, 10),
                            ends_on=dt.date(2027, 5, 10), place=VENUE)


def _synthesis_congress(world):
    from dangvu.congress import services as cs

    congress = _congress(world)
    draft = cs.add_draft(None, congress, kind="political_report", issued_on=dt.date(2026, 10, 1))
    comment = cs.add_comment(None, draft, received_on=dt.date(2026, 10, 9), text="Bổ sung số liệu kết nạp",
                             source_org=world.tree.orgs["C1A"])
    cs.answer_comment(None, comment, state="accepted", response="Đã bổ sung ở mục II")
    cs.add_comment(None, draft, received_on=dt.date(2026, 10, 11), text="Rút gọn phần mở đầu",
                   source_name="Hội nghị đảng viên")
    return congress


def _tally(world):
    from dangvu.congress import services as cs

    for i in range(3):
        from dangvu.registry import services as rs

        rs.register_member(None, world.tree.orgs["C1B"], make_member_data(
            f"Đảng viên Thứ {'Nhất Hai Ba'.split()[i]}", dt.date(1970 + i, 5, 5), admitted_on=dt.date(2005, 1, 10),
            full_on=dt.date(2006, 1, 10)))
    election = cs.create_election(None, _congress(world), title="Bầu Ban Chấp hành Đảng bộ", seats=2,
                                  held_on=dt.date(2027, 5, 10), base_kind="members", issued=5,
                                  counting_board="\n".join(BOARD), candidates=CANDIDATES)
    for name in ("Tổ 1", "Tổ 2"):  # two teams' figures must agree before the count
        cs.enter_ballots(None, cs.add_team(None, election, name), [[bool(k) for k in b] for b in BALLOTS])
    return cs.count_election(None, election)


def _documents(world) -> dict[str, tuple[bytes, str]]:
    """Each .docx the product writes, downloaded as a user does: (bytes, expected signer's name)."""
    client = _client(world.tree)
    plan = _plan(world.c1)
    congress = _synthesis_congress(world)
    tally = _tally(world)
    return {
        "plan report": (client.get(reverse("plans:plan_report", args=[plan.pk, "docx"])).content,
                        "Nguyễn Văn An"),
        "comment synthesis": (client.get(reverse("congress:comments_docx", args=[congress.pk])).content,
                              "Nguyễn Văn An"),
        "counting minutes": (client.get(reverse("congress:tally_docx", args=[tally.pk])).content, BOARD[0]),
        # the fee report is exported by the office roles only (a viewer reads the pages)
        "fee report": (_client(world.tree, "office").get(reverse("fees:fee_report", args=["C1"]),
                                                         {"ky-bao-cao": "2026", "dinh-dang": "docx"}).content,
                       "Nguyễn Văn An"),
    }


# -- the layout of each document ----------------------------------------------------------------------

def _all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _assert_page_and_fonts(doc, name: str) -> None:
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7), name
    margins = {side: round(getattr(section, f"{side}_margin").cm, 2) for side in ("top", "bottom", "left", "right")}
    ranges = {"top": (2.0, 2.5), "bottom": (2.0, 2.5), "left": (3.0, 3.5), "right": (1.5, 2.0)}  # Word keeps twips
    assert all(low <= margins[side] <= high for side, (low, high) in ranges.items()), (name, margins)
    assert "PAGE" in section.footer._element.xml, name  # numbered pages
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and 13 <= normal.font.size.pt <= 14, name
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "Times New Roman" and fonts.get(qn("w:cs")) == "Times New Roman", name
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:asciiTheme")) is None, name  # no theme font wins over it
    # headings, if any, are Times New Roman too (not the template's Calibri Light)
    assert doc.styles["Heading 2"].font.name == "Times New Roman", name


def _assert_header(doc, name: str, place: str, upper: str) -> None:
    left, right = doc.tables[0].rows[0].cells
    lines = [line for p in left.paragraphs for line in p.text.split("\n")]
    assert lines[0] == upper, name
    assert "*" in lines, name
    assert any(re.fullmatch(r"Số\s+-(BC|BB)/\S+", line) for line in lines), (name, lines)
    assert right.paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM" and right.paragraphs[0].runs[0].underline, name
    dates = [m for p in right.paragraphs if (m := DATE_LINE.match(p.text))]
    assert [m["place"] for m in dates] == [place], (name, [p.text for p in right.paragraphs])
    assert right.paragraphs[-1].runs[0].italic, name


def _assert_tables(doc, name: str) -> None:
    numbered = [t for t in doc.tables if t.rows[0].cells[0].text in ("TT", "STT")]
    assert numbered, name
    for table in numbered:
        first, second = table.columns[0].width, table.columns[1].width
        assert first is not None and second is not None and first < second, name
        assert first <= Cm(1.5), name
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed", name
        for row in table.rows:  # Word honours the cells' widths, not the grid's
            assert row.cells[0].width == first and row.cells[1].width == second, name
        sizes = {r.font.size.pt for c in table.rows[1].cells for p in c.paragraphs for r in p.runs if r.font.size}
        assert sizes and all(12 <= s <= 13 for s in sizes), (name, sizes)


def test_each_document_is_in_the_party_layout(world):
    documents = _documents(world)
    assert len(documents) == 4
    for name, (content, signer) in documents.items():
        doc = Document(io.BytesIO(content))
        _assert_page_and_fonts(doc, name)
        _assert_header(doc, name, "Hòa Bình", "ĐẢNG BỘ TỈNH THỬ NGHIỆM")
        _assert_tables(doc, name)
        text = _all_text(doc)
        assert "Nơi nhận:" in text, name
        assert signer in text, name
        assert VENUE not in text.split("\n")[0:12] and "Tân Phú, ngày" not in text, name


def test_meeting_minutes_are_in_the_party_layout(world):
    """The cell's minutes (biên bản sinh hoạt): issued by the cell under its commune's committee,
    dated at the commune, on A4 in Times New Roman like every other document."""
    from dangvu.meetings import services as ms

    meeting = ms.record_meeting(None, world.tree.orgs["C1B"], held_on=dt.date(2026, 3, 12),
                                starts_at=dt.time(14), ends_at=dt.time(16), place=VENUE,
                                topic="Kiểm điểm công tác quý I")
    content = _client(world.tree).get(reverse("meetings:meeting_minutes_draft", args=[meeting.pk])).content
    doc = Document(io.BytesIO(content))
    _assert_page_and_fonts(doc, "minutes")
    left, right = doc.tables[0].rows[0].cells
    assert [line for p in left.paragraphs for line in p.text.split("\n")][:2] == [
        "ĐẢNG BỘ XÃ HÒA BÌNH", "CHI BỘ VĂN PHÒNG XÃ"]
    assert right.paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert [m["place"] for p in right.paragraphs if (m := DATE_LINE.match(p.text))] == ["Hòa Bình"]
    assert f"Địa điểm: {VENUE}." in _all_text(doc)  # the venue in the text, not on the date line


def test_a_cells_report_is_dated_at_its_communes_place_under_its_committee(world):
    plan = _plan(world.tree.orgs["C1A"])
    content = _client(world.tree).get(reverse("plans:plan_report", args=[plan.pk, "docx"])).content
    doc = Document(io.BytesIO(content))
    _assert_header(doc, "cell report", "Hòa Bình", "ĐẢNG BỘ XÃ HÒA BÌNH")
    assert "T/M CHI BỘ" in _all_text(doc)


def test_the_place_comes_from_the_issuers_own_tree_never_another_organization(world):
    from dangvu.registry.selectors import issuing_place as place_of

    orgs = world.tree.orgs
    assert {code: place_of(orgs[code]) for code in orgs} == {
        "P": "Thử Nghiệm", "C1": "Hòa Bình", "C2": "Yên Lạc", "C1A": "Hòa Bình", "C1B": "Hòa Bình",
        "C2A": "Yên Lạc"}


def test_locality_rules():
    from dangvu.core.partydoc import issuing_place, locality_in_name, signer_capacity

    assert locality_in_name("Đảng bộ xã Hòa Bình") == "Hòa Bình"
    assert locality_in_name("Đảng bộ phường 5") == "Phường 5"
    assert locality_in_name("Đảng bộ thị trấn Cầu Giát") == "Cầu Giát"
    assert locality_in_name("Đảng bộ Công ty Điện lực") == ""
    assert locality_in_name("Chi bộ thôn Đồng Tâm") == ""
    # an agency's committee takes the locality above it; with none, the line is left to be written
    assert issuing_place(["Đảng bộ Công ty Điện lực", "Đảng bộ huyện Kim Sơn"]) == "Kim Sơn"
    assert issuing_place(["Chi bộ Trường Tiểu học"]) == ""
    assert signer_capacity("secretary", False) == "T/M ĐẢNG ỦY\nBÍ THƯ"
    assert signer_capacity("deputy", True) == "T/M CHI BỘ\nK/T BÍ THƯ\nPHÓ BÍ THƯ"


# -- the signer chosen on the download ---------------------------------------------------------------

def _signature_cell(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    return doc.tables[-1].rows[0].cells[1].text


def test_the_user_chooses_the_signer_on_the_download(world):
    plan = _plan(world.c1)
    congress = _synthesis_congress(world)
    client = _client(world.tree)
    page = client.get(reverse("plans:plan_dashboard", args=[plan.pk])).content.decode()
    assert 'name="ky"' in page
    assert f'<option value="{world.secretary.pk}" selected>Nguyễn Văn An (bí thư)</option>' in page
    assert f'<option value="{world.deputy.pk}">Lê Văn Cường (phó bí thư)</option>' in page
    for url in (reverse("plans:plan_report", args=[plan.pk, "docx"]),
                reverse("congress:comments_docx", args=[congress.pk])):
        default = _signature_cell(client.get(url).content)
        assert default.startswith("T/M ĐẢNG ỦY\nBÍ THƯ") and "Nguyễn Văn An" in default, url
        deputy = _signature_cell(client.get(url, {"ky": world.deputy.pk}).content)
        assert deputy.startswith("T/M ĐẢNG ỦY\nK/T BÍ THƯ\nPHÓ BÍ THƯ") and "Lê Văn Cường" in deputy, url
        assert "Nguyễn Văn An" not in deputy, url
        # a post of another organization (or junk) is not a signer: the secretary signs
        for bogus in (world.tree.orgs["C2"].pk + 999, "abc"):
            assert "Nguyễn Văn An" in _signature_cell(client.get(url, {"ky": bogus}).content), (url, bogus)
    synthesis_page = client.get(reverse("congress:congress_detail", args=[congress.pk])).content.decode()
    assert 'name="ky"' in synthesis_page


# -- charts ------------------------------------------------------------------------------------------

def _series(points, fc, due, unit="count", goal=10.0):
    target = SimpleNamespace(unit=unit, value=goal, value_max=None)
    return SimpleNamespace(target=target, points=points, forecast=fc, due_year=due, title="Số đảng viên mới",
                           goal=f"≥ {goal:g}")


def test_a_forecast_of_a_count_is_whole_people_a_share_keeps_its_decimals():
    from dangvu.core.plan_status import round_for_unit

    assert forecast([(2024, 1), (2025, 0.6)], 2030, "count") == 0.0  # was -1.4 → 0; a trend of 0.4 …
    assert forecast([(2023, 0), (2024, 0), (2025, 1)], 2030, "count") == 3.0  # 2.83 people → 3
    assert forecast([(2024, 0), (2025, 0.2)], 2026, "count") == 0.0  # 0.4 person → 0
    assert forecast([(2024, 0), (2025, 0.2)], 2026, "%") == 0.4
    assert round_for_unit(0.5, "count") == 1.0 and round_for_unit(2.49, "count") == 2.0
    assert round_for_unit(66.666, "%") == 66.67


def test_the_plan_page_forecasts_whole_members(world):
    from dangvu.plans import services as ps
    from dangvu.plans.progress import plan_progress

    plan = _plan(world.c1)
    target = ps.add_target(None, plan, text="Kết nạp đảng viên mới mỗi năm", op=">=", value=3, unit="count")
    for year, value in ((2025, 0), (2026, 0.3)):  # a trend read at 2030: 1.5 new members
        ps.record_measurement(None, target, dt.date(year, 12, 1), value)
    series = next(r for r in plan_progress(plan, clock.today()) if r.target.pk == target.pk).series[0]
    assert series.forecast == float(round(series.forecast))
    assert "," not in series.forecast_text


def _svg_labels(svg: str) -> list[tuple[float, float, str, float]]:
    """(x centre, y, text, font size) of the labels centred on the bars: years and values."""
    from xml.etree import ElementTree as ET

    root = ET.fromstring(svg)
    out = []
    for el in root.iter("{http://www.w3.org/2000/svg}text"):
        if el.get("text-anchor") == "middle":
            out.append((float(el.get("x")), float(el.get("y")), el.text, float(el.get("font-size"))))
    return out


def test_the_page_chart_labels_do_not_overlap_and_are_large_enough():
    from dangvu.plans.charts import target_svg

    points = [(y, 100 + 7 * (y - 2014)) for y in range(2014, 2027)]
    svg = target_svg(_series(points, 190.0, 2030, goal=180.0), "t1")
    labels = _svg_labels(svg)
    assert labels and all(size >= 14 for *_, size in labels)  # ~14 px on a phone (22rem at most)
    rows: dict[float, list[tuple[float, float]]] = {}
    for x, y, text, size in labels:
        half = len(text) * size * SANS_EM / 2
        rows.setdefault(y, []).append((x - half, x + half))
    for y, spans in rows.items():
        spans.sort()
        for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False):
            assert a_end <= b_start, (y, spans)
    years = [t[:4] for _, _, t, _ in labels if t[:4].isdigit() and len(t) >= 4 and "," not in t]
    assert years[-1] == "2030" and "(dự báo)" in svg  # the forecast's year is always named
    assert 3 <= len(years) < 14  # 13 years and the forecast: thinned, not dropped


def test_the_report_chart_labels_do_not_overlap_at_a_readable_size():
    from dangvu.plans.charts import CHART_WIDTH_CM, chart_figure

    points = [(y, 100 + 7 * (y - 2014)) for y in range(2014, 2027)]
    items = [(f"{i}. Chỉ tiêu số {i} có một tên rất dài để thử việc xuống dòng của tiêu đề biểu đồ",
              _series(points, 190.0, 2030)) for i in range(1, 4)]
    items.append(("4. Kết nạp đảng viên là học sinh", _series([(2024, 0), (2025, 1), (2026, 2)], 6.0, 2030, goal=3)))
    fig = chart_figure(items)
    assert fig.get_figwidth() * 2.54 == pytest.approx(CHART_WIDTH_CM)  # drawn 1:1 in the report
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        if not ax.axison:
            continue
        shown = [lb for lb in ax.get_xticklabels() if lb.get_visible() and lb.get_text()]
        assert shown and shown[-1].get_text().startswith("2030")
        boxes = [lb.get_window_extent(renderer) for lb in shown]
        assert all(not a.overlaps(b) for a, b in zip(boxes, boxes[1:], strict=False))
        for label in [*shown, *ax.get_yticklabels(), ax.title]:
            assert label.get_fontsize() * 96 / 72 >= 12  # px at 96 dpi, the picture at its own size
        # a count's axis is in whole people
        ticks = [lb.get_text() for lb in ax.get_yticklabels() if lb.get_text()]
        assert len(ticks) >= 3 and all(re.fullmatch(r"\d+", t) for t in ticks), ticks
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_the_report_picture_is_drawn_at_the_charts_own_width(world):
    from dangvu.plans.charts import CHART_WIDTH_CM

    plan = _plan(world.c1)
    content = _client(world.tree).get(reverse("plans:plan_report", args=[plan.pk, "docx"])).content
    doc = Document(io.BytesIO(content))
    shapes = doc.inline_shapes
    section = doc.sections[0]
    room = section.page_height - section.top_margin - section.bottom_margin
    assert len(shapes) >= 2  # 13 targets' panels: cut into pictures that each fit a page
    assert all(shape.width == Cm(CHART_WIDTH_CM) and shape.height < room for shape in shapes)


# -- through LibreOffice ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_plan_report_prints_on_a4_through_libreoffice(world, tmp_path):
    if shutil.which("soffice") is None:  # CI installs it (.ci/run); elsewhere the test is optional
        if os.environ.get("CI") == "true":
            pytest.fail("CI must install LibreOffice Writer (apt-get install libreoffice-writer-nogui)")
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    import pypdfium2
    from pypdf import PdfReader

    plan = _plan(world.c1)
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(_client(world.tree).get(reverse("plans:plan_report", args=[plan.pk, "docx"])).content)
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, timeout=180, capture_output=True)
    pdf = tmp_path / "bao-cao.pdf"
    reader = PdfReader(pdf)
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(595, abs=2) and float(box.height) == pytest.approx(842, abs=2)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in reader.pages[0].extract_text()
    ARTIFACTS.mkdir(exist_ok=True)
    document = pypdfium2.PdfDocument(str(pdf))
    for i in range(min(2, len(document))):
        document[i].render(scale=1.5).to_pil().save(ARTIFACTS / f"bao-cao-ke-hoach-trang-{i + 1}.png")
    document.close()
    assert Path(ARTIFACTS / "bao-cao-ke-hoach-trang-1.png").stat().st_size > 10_000


# -- the plan page's charts and the signer's choice on a phone -------------------------------------------

_CHART_LABELS_JS = """() => [...document.querySelectorAll('svg.spark')].map(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].map(t => {
    const b = t.getBoundingClientRect();
    return {text: t.textContent, px: parseFloat(t.getAttribute('font-size')) * scale,
            x0: b.left, x1: b.right, y0: b.top, y1: b.bottom};
  });
})"""


def _overlap(a: dict, b: dict) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is not installed")
def test_plan_page_charts_and_signer_choice_fit_a_phone(transactional_db, live_server, tree):
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS, MIN_TAP_PX, PHONE, _no_horizontal_scroll

    from dangvu.registry import services as rs

    rs.add_post(None, tree.orgs["C1"], tree.members["an"], "secretary", dt.date(2025, 1, 10))
    rs.add_post(None, tree.orgs["C1"], tree.members["cuong"], "deputy", dt.date(2025, 1, 10))
    plan = _plan(tree.orgs["C1"])
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = chromium.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.goto(f"{live_server.url}/dang-nhap/")
            page.get_by_label("Tên đăng nhập").fill("viewer")
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()
            page.wait_for_url(lambda url: "/dang-nhap/" not in url)
            page.goto(f"{live_server.url}{reverse('plans:plan_dashboard', args=[plan.pk])}")
            _no_horizontal_scroll(page)
            charts = page.evaluate(_CHART_LABELS_JS)
            assert charts and all(charts)
            for labels in charts:
                assert min(lb["px"] for lb in labels) >= 13, labels  # 12 px is too small on a phone
                for i, a in enumerate(labels):
                    for b in labels[i + 1:]:
                        assert not _overlap(a, b), (a, b)
            signer = page.get_by_label("Người ký văn bản")
            for control in (signer, page.get_by_role("button", name="Tải báo cáo (Word)")):
                box = control.bounding_box()
                assert box["height"] >= MIN_TAP_PX and box["x"] + box["width"] <= 390, box
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "ke-hoach-dien-thoai.png"))
            page.locator("section.target").nth(1).screenshot(path=str(ARTIFACTS / "ke-hoach-bieu-do-dien-thoai.png"))
            context.close()
        finally:
            chromium.close()
