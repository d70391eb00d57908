"""Cell classification «chi bộ bốn tốt» (issue 17, point 4): the framework is data, each criterion
is computed from an indicator where the year has data or entered by the committee with evidence,
the yearly result per cell keeps its reasons, and ``cells.classified_four_good_share`` counts them."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from conftest import logged_in
from hypothesis import given
from hypothesis import strategies as st

from dangvu import indicators
from dangvu.classification import services as cs
from dangvu.classification.models import CellClassification, ClassificationFramework, CriterionEntry
from dangvu.common import Code, ServiceError
from dangvu.core.classification import (
    Entry,
    Framework,
    FrameworkError,
    assess,
    default_framework,
    load_framework,
)
from dangvu.indicators import Period

YEAR = dt.date.today().year - 1

# Two criteria: the cell has at least two members (the registry decides), and the committee's word
# on the local tasks (evidence).
SMALL = f"""
name: "Khung thử nghiệm của tỉnh"
title: "Chi bộ bốn tốt"
version: "t.1"
year: {YEAR}
groups:
  - code: team
    label: "Tốt về đội ngũ"
    criteria:
      - code: team.size
        label: "Chi bộ có từ 2 đảng viên"
        indicator: members.count
        at_least: 2
  - code: tasks
    label: "Tốt về nhiệm vụ"
    criteria:
      - code: tasks.local
        label: "Hoàn thành nhiệm vụ chính trị của thôn"
        evidence: true
"""


# -- the rules (pure) ------------------------------------------------------------------------------

def test_the_default_framework_names_only_indicators_the_registry_has() -> None:
    fw, data = default_framework(set(indicators.load_all()))
    assert fw.title == "Chi bộ bốn tốt" and len(fw.groups) == 4
    assert fw.indicator_keys() <= set(indicators.load_all())
    assert any(not c.measured for c in fw.criteria)  # some criteria are the committee's word


@pytest.mark.parametrize(("text", "words"), [
    (SMALL.replace("members.count", "members.no_such_thing"), "không có chỉ số «members.no_such_thing»"),
    (SMALL.replace("        at_least: 2\n", ""), "cần ngưỡng"),
    (SMALL.replace("        evidence: true\n", ""), "cần «indicator»"),
    (SMALL.replace(f"year: {YEAR}", "year: năm nay"), "«year» phải là một năm"),
    (SMALL.replace("code: tasks.local", "code: team.size"), "bị trùng"),
    ("groups: [", "viết sai ở dòng"),
])
def test_a_framework_that_cannot_be_computed_is_refused_in_vietnamese(text, words) -> None:
    with pytest.raises(FrameworkError) as err:
        load_framework(text, {"members.count"})
    assert words in str(err.value)


def _fw() -> Framework:
    return load_framework(SMALL, {"members.count"})[0]


def test_data_decides_and_an_entry_cannot_overrule_it() -> None:
    fw = _fw()
    assert assess(fw, {"members.count": 3}, {"tasks.local": Entry(True, "NQ 05")}).classified is True
    low = assess(fw, {"members.count": 1}, {"team.size": Entry(True, "ý kiến"), "tasks.local": Entry(True, "x")})
    assert low.classified is False
    assert low.reasons == ("Tốt về đội ngũ — Chi bộ có từ 2 đảng viên: 1 (≥ 2): chưa đạt",)
    # No data for the year: the committee's entry decides, and says so.
    none = assess(fw, {"members.count": None}, {"team.size": Entry(True, "Sổ đảng viên"), "tasks.local": Entry(True, "x")})
    assert none.classified is True and none.findings[0].source == "evidence"


def test_missing_entries_leave_the_cell_undecided_with_what_is_missing() -> None:
    result = assess(_fw(), {"members.count": 5}, {})
    assert result.classified is None
    assert [f.criterion.code for f in result.missing] == ["tasks.local"]
    assert "cần cấp ủy ghi nhận kèm minh chứng" in result.reasons[0]


def test_a_group_may_need_only_some_of_its_criteria() -> None:
    text = SMALL.replace("  - code: tasks\n", "  - code: tasks\n    need: 1\n").replace(
        "        evidence: true\n", "        evidence: true\n      - code: tasks.other\n"
        "        label: \"Phong trào\"\n        evidence: true\n")
    fw = load_framework(text, {"members.count"})[0]
    both = {"tasks.local": Entry(False, "chưa"), "tasks.other": Entry(True, "có")}
    assert assess(fw, {"members.count": 2}, both).classified is True


VALUES = st.one_of(st.none(), st.integers(0, 10))
ENTRY = st.one_of(st.none(), st.booleans())


@given(VALUES, ENTRY, ENTRY, st.integers(0, 5))
def test_more_data_or_a_better_word_never_makes_a_result_worse(value, size_word, task_word, more) -> None:
    """Property: raising the measured value, or turning a missing entry into «đạt», never moves the
    result down (earned > undecided > not earned)."""
    fw = _fw()
    rank = {False: 0, None: 1, True: 2}

    def entries(size, task):
        e = {}
        if size is not None:
            e["team.size"] = Entry(size, "minh chứng")
        if task is not None:
            e["tasks.local"] = Entry(task, "minh chứng")
        return e

    before = assess(fw, {"members.count": value}, entries(size_word, task_word)).classified
    if value is not None:
        higher = assess(fw, {"members.count": value + more}, entries(size_word, task_word)).classified
        assert rank[higher] >= rank[before]
    if task_word is None:
        better = assess(fw, {"members.count": value}, entries(size_word, True)).classified
        assert rank[better] >= rank[before]


# -- the services and pages --------------------------------------------------------------------------

@pytest.fixture
def small(tree):
    cs.load_framework(tree.users["admin"], SMALL.encode(), province="P")
    return tree


def test_only_an_admin_or_the_province_office_loads_a_framework(tree) -> None:
    with pytest.raises(ServiceError) as err:
        cs.load_framework(tree.users["office"], SMALL.encode(), province="P")
    assert err.value.code == Code.FORBIDDEN and not ClassificationFramework.objects.exists()
    with pytest.raises(ServiceError) as err:
        cs.load_framework(tree.users["admin"], SMALL.replace("members.count", "x.y").encode(), province="P")
    assert "không có chỉ số «x.y»" in err.value.message and not ClassificationFramework.objects.exists()
    row = cs.load_framework(tree.users["admin"], SMALL.encode(), province="P")
    assert (row.title, row.year, row.version, row.province) == ("Chi bộ bốn tốt", YEAR, "t.1", "P")


def test_cells_are_classified_from_the_registry_and_the_committees_word(small) -> None:
    t = small
    c1, c1a, c1b = t.orgs["C1"], t.orgs["C1A"], t.orgs["C1B"]
    counts = cs.assess_cells(t.users["office"], c1, YEAR)
    # C1A has two members (size met, tasks not yet entered); C1B one (size not met).
    assert counts == {"earned": 0, "not_earned": 1, "undecided": 1}
    a = CellClassification.objects.get(cell=c1a, year=YEAR)
    assert a.classified is None and a.reasons == [
        "Tốt về nhiệm vụ — Hoàn thành nhiệm vụ chính trị của thôn: cần cấp ủy ghi nhận kèm minh chứng"]
    size = indicators.compute("members.count", c1a, Period.year(YEAR)).value
    assert a.findings[0]["value"] == size == 2 and a.findings[0]["source"] == "indicator"
    b = CellClassification.objects.get(cell=c1b, year=YEAR)
    assert b.classified is False and "1 (≥ 2): chưa đạt" in b.reasons[0]
    share = indicators.compute("cells.classified_four_good_share", c1, Period.year(YEAR))
    assert (share.value, share.numerator, share.denominator) == (0.0, 0, 1)
    assert share.breakdown["undecided"] == 1

    cs.record_entry(t.users["office"], c1a, YEAR, "tasks.local", met=True,
                    evidence="Nghị quyết chi bộ số 05; thôn đạt văn hóa")
    assert cs.assess_cell(t.users["office"], c1a, YEAR).classified is True
    share = indicators.compute("cells.classified_four_good_share", c1, Period.year(YEAR))
    assert (share.value, share.numerator, share.denominator) == (50.0, 1, 2)
    # The province sees the same cells; the other commune's cells are not assessed yet.
    assert indicators.compute("cells.classified_four_good_share", t.orgs["P"], Period.year(YEAR)).value == 50.0
    assert indicators.compute("cells.classified_four_good_share", t.orgs["C2"], Period.year(YEAR)).value is None


def test_refusals_write_nothing(small) -> None:
    t = small
    c1a = t.orgs["C1A"]
    cases = [
        (t.users["secretary"], c1a, YEAR, "tasks.local", "Có", Code.FORBIDDEN),  # a cell does not grade itself
        (t.users["office"], c1a, YEAR, "tasks.local", "   ", Code.REQUIRED),
        (t.users["office"], c1a, YEAR, "no.such", "Có", Code.INVALID),
        (t.users["office"], c1a, dt.date.today().year + 1, "tasks.local", "Có", Code.OUT_OF_RANGE),
        (t.users["office"], t.orgs["C1"], YEAR, "tasks.local", "Có", Code.ORG_KIND),
        (t.users["office"], t.orgs["C2A"], YEAR, "tasks.local", "Có", Code.FORBIDDEN),
    ]
    for by, cell, year, code, evidence, expected in cases:
        with pytest.raises(ServiceError) as err:
            cs.record_entry(by, cell, year, code, met=True, evidence=evidence)
        assert err.value.code == expected, (code, evidence)
    assert not CriterionEntry.objects.exists()
    with pytest.raises(ServiceError) as err:
        cs.assess_cells(t.users["secretary"], c1a, YEAR)
    assert err.value.code == Code.FORBIDDEN and not CellClassification.objects.exists()


def test_the_pages_show_results_and_take_the_committees_word(small) -> None:
    t = small
    office = logged_in(t.users["office"])
    url = f"/to-chuc/C1/phan-loai-chi-bo/?nam={YEAR}"
    page = office.get(url).content.decode()
    assert "Chưa phân loại" in page and "Khung thử nghiệm của tỉnh" in page
    assert office.post(f"/to-chuc/C1/phan-loai-chi-bo/danh-gia/?nam={YEAR}").status_code == 302
    page = office.get(url).content.decode()
    assert "Chưa đạt" in page and "Chưa đủ căn cứ" in page and "1 (≥ 2): chưa đạt" in page

    cell_url = f"/chi-bo/C1A/phan-loai/?nam={YEAR}"
    bad = office.post(cell_url, {"criterion": "tasks.local", "met": "1", "evidence": ""})
    assert bad.status_code == 200 and not CriterionEntry.objects.exists()
    done = office.post(cell_url, {"criterion": "tasks.local", "met": "1", "evidence": "Biên bản họp thôn"})
    assert done.status_code == 302
    page = office.get(cell_url).content.decode()
    assert 'data-result>Đạt<' in page and "Cấp ủy ghi nhận đạt: Biên bản họp thôn" in page
    entry = CriterionEntry.objects.get()
    assert LogEntry.objects.get_for_object(entry).filter(actor=t.users["office"]).exists()

    # The cell's secretary reads her cell's result but cannot enter or re-assess.
    secretary = logged_in(t.users["secretary"])
    page = secretary.get(cell_url).content.decode()
    assert 'data-result>Đạt<' in page and 'name="evidence"' not in page
    assert secretary.post(cell_url, {"criterion": "tasks.local", "met": "0", "evidence": "x"}).status_code == 403
    assert secretary.post(f"/chi-bo/C1A/phan-loai/danh-gia/?nam={YEAR}").status_code == 403
    assert CriterionEntry.objects.get().met is True
    assert office.get(f"/chi-bo/C1/phan-loai/?nam={YEAR}").status_code == 404  # not a cell
    assert office.get("/to-chuc/C1/phan-loai-chi-bo/?nam=abc").status_code == 404


def test_the_overview_pages_the_cells(small, monkeypatch) -> None:
    """Issue 14: a province holds 3,700 cells; the overview shows a page of them, in tree order."""
    from dangvu.classification import selectors as sel

    monkeypatch.setattr(sel, "CELLS_PER_PAGE", 1)
    office = logged_in(small.users["office"])
    url = f"/to-chuc/C1/phan-loai-chi-bo/?nam={YEAR}"
    first, second = office.get(url), office.get(url + "&trang=2")
    assert [r.cell.code for r, _ in first.context["rows"]] == ["C1A"]
    assert [r.cell.code for r, _ in second.context["rows"]] == ["C1B"]
    assert f"nam={YEAR}&amp;trang=2" in first.content.decode() and "Trang 2/2" in second.content.decode()
    assert [r.cell.code for r, _ in office.get(url + "&trang=x").context["rows"]] == ["C1A"]


def test_the_command_loads_a_framework_and_classifies(tree, tmp_path, capsys) -> None:
    import json

    from dangvu.cli import main

    path = tmp_path / "khung.yaml"
    path.write_text(SMALL, encoding="utf-8")
    assert main(["classification", "load-framework", str(path), "--province", "P", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Chi bộ bốn tốt"
    assert main(["classification", "assess", "--org", "C1", "--year", str(YEAR), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"earned": 0, "not_earned": 1, "undecided": 1}
    path.write_text(SMALL.replace("members.count", "members.nothing"), encoding="utf-8")
    assert main(["classification", "load-framework", str(path)]) != 0
    assert "không có chỉ số «members.nothing»" in capsys.readouterr().err
