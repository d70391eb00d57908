"""The evaluation round per cell (issue 13, point 4).

A commune's members' round over two cells: the cell secretary's "Đánh giá" page lists it with her
cell's forms (it used to say "Chưa có đợt đánh giá nào"); the round page is grouped by unit with a
count per state, filtered by unit and state and paginated by 50; one screen per cell proposes every
member's grade in one save (one service call, one transaction, audited, refusals with codes); the
finalise page states the excellent quota's percentage from the rule set (it read "không quá % số").
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from conftest import logged_in, make_member_data
from django.urls import reverse
from evaluation_world import self_points
from person_names import register_people

from dangvu.common import Code, ServiceError
from dangvu.evaluation import services as es
from dangvu.evaluation.models import Evaluation
from dangvu.registry import services as rs

pytestmark = pytest.mark.django_db

YEAR = 2025
EXTRA = 54  # the cell: 54 forms waiting


client_for = logged_in


@pytest.fixture
def commune_round(tree):
    """C1's members' round of 2025: C1A (secretary's cell) with 56 members, C1B with one."""
    register_people(tree.orgs["C1A"], EXTRA, "Đảng Viên Thử")
    rs.register_member(None, tree.orgs["C1B"], make_member_data(
        "Vũ Văn Bảy", dt.date(1988, 8, 8), admitted_on=dt.date(2010, 1, 5), full_on=dt.date(2011, 1, 5)))
    return es.open_round(tree.users["office"], tree.orgs["C1"], "member", YEAR)


def self_assess_all(rnd, unit, grade: str = "good") -> None:
    for ev in rnd.evaluations.filter(unit=unit):
        es.self_assess(None, ev, self_points(rnd), grade, tasks_on_time_pct=100, tasks_exceeding_pct=10)


def test_secretary_home_lists_the_communes_round_with_her_cells_forms(tree, commune_round):
    r = client_for(tree.users["secretary"]).get(reverse("evaluation:home"))
    assert r.status_code == 200
    page = r.content.decode()
    assert "Chưa có đợt đánh giá nào" not in page
    assert [x.pk for x in r.context["page"]] == [commune_round.pk]
    # her own forms counted: 56 of C1A waiting for their self-assessment (C1B's one is not hers)
    assert 'data-state="chua-tu-danh-gia" data-count="56"' in page
    assert reverse("evaluation:round_detail", args=[commune_round.pk]) in page
    # her cell's proposal screen one tap away; the office (two cells and more) goes through the round page
    proposals = reverse("evaluation:cell_proposals", args=[commune_round.pk, "C1A"])
    assert proposals in page
    viewer = client_for(tree.users["viewer"]).get(reverse("evaluation:home"))
    assert [x.pk for x in viewer.context["page"]] == [commune_round.pk]
    assert proposals not in viewer.content.decode()  # read-only


def test_round_page_is_grouped_by_unit_with_counts_filtered_and_paginated(tree, commune_round):
    c1a = tree.orgs["C1A"]
    self_assess_all(commune_round, tree.orgs["C1B"])
    ev = commune_round.evaluations.get(member=tree.members["an"])
    es.self_assess(None, ev, self_points(commune_round), "good")
    es.propose(None, ev, "good")
    office = client_for(tree.users["office"])
    url = reverse("evaluation:round_detail", args=[commune_round.pk])
    r = office.get(url)
    assert r.status_code == 200
    units = {u.code: u.counts for u in r.context["units"]}
    assert units == {
        "C1A": {"chua-tu-danh-gia": 55, "cho-de-xuat": 0, "cho-quyet-dinh": 1, "da-quyet-dinh": 0},
        "C1B": {"chua-tu-danh-gia": 0, "cho-de-xuat": 1, "cho-quyet-dinh": 0, "da-quyet-dinh": 0},
    }
    assert r.context["rows"] == []  # two units: the compact table of units first, no 57-row list
    page = r.content.decode()
    assert 'data-unit="C1A"' in page and 'data-state="chua-tu-danh-gia" data-count="55"' in page
    # one unit opened: its rows, 50 a page
    r = office.get(url, {"don-vi": "C1A"})
    assert len(r.context["rows"]) == 50 and r.context["page"].paginator.count == 56
    assert {ev.unit_id for ev, _m, _e in r.context["rows"]} == {c1a.pk}
    r = office.get(url, {"don-vi": "C1A", "trang": "2"})
    assert len(r.context["rows"]) == 6
    assert "don-vi=C1A&amp;trang=1" in r.content.decode()  # the pager keeps the filter
    # by state, across units
    r = office.get(url, {"tinh-trang": "cho-quyet-dinh"})
    assert [ev.member.full_name for ev, _m, _e in r.context["rows"]] == ["Nguyễn Văn An"]
    r = office.get(url, {"tinh-trang": "cho-de-xuat"})
    assert [ev.member.full_name for ev, _m, _e in r.context["rows"]] == ["Vũ Văn Bảy"]
    # unknown values filter nothing and never crash
    for params in ({"don-vi": "C2A"}, {"don-vi": "\x00"}, {"tinh-trang": "xyz"}, {"trang-dv": "abc"}):
        r = office.get(url, params)
        assert r.status_code == 200 and r.context["unit"] is None and r.context["state"] == "", params


def test_secretary_proposes_her_whole_cell_in_one_save(tree, commune_round):
    c1a = tree.orgs["C1A"]
    self_assess_all(commune_round, c1a)
    excellent = commune_round.evaluations.filter(unit=c1a).order_by("member__name_folded")[0]
    excellent.self_grade = "excellent"
    excellent.save(update_fields=["self_grade"])
    secretary = client_for(tree.users["secretary"])
    # her navigation reaches the screen: the round page (her cell only) links to it
    detail = secretary.get(reverse("evaluation:round_detail", args=[commune_round.pk])).content.decode()
    url = reverse("evaluation:cell_proposals", args=[commune_round.pk, "C1A"])
    assert url in detail
    r = secretary.get(url)
    assert r.status_code == 200
    page = r.content.decode()
    assert page.count('type="radio"') == 4 * 56
    # prefilled from the self-assessment: every row has one checked choice
    assert len(re.findall(r'type="radio"[^>]*checked', page)) == 56
    assert r.context["form"].initial == {} and r.context["form"][f"g{excellent.pk}"].initial == "excellent"
    payload = {name: field.initial for name, field in r.context["form"].fields.items()}
    before = LogEntry.objects.count()
    r = secretary.post(url, payload)
    assert r.status_code == 302 and r["Location"].endswith("?don-vi=C1A")
    rows = Evaluation.objects.filter(round=commune_round, unit=c1a)
    assert rows.filter(proposed_grade="good").count() == 55
    assert rows.get(pk=excellent.pk).proposed_grade == "excellent"
    assert set(rows.values_list("proposed_by", flat=True)) == {tree.users["secretary"].pk}
    entries = LogEntry.objects.filter(id__gt=0).count() - before
    assert entries == 56  # one audited change per member
    assert LogEntry.objects.latest("id").actor == tree.users["secretary"]
    # C1B is not hers
    assert secretary.get(reverse("evaluation:cell_proposals", args=[commune_round.pk, "C1B"])).status_code == 404


def test_cell_proposals_are_all_or_nothing_with_codes(tree, commune_round):
    c1a, c1b = tree.orgs["C1A"], tree.orgs["C1B"]
    self_assess_all(commune_round, c1b)
    an = commune_round.evaluations.get(member=tree.members["an"])
    cuong = commune_round.evaluations.get(member=tree.members["cuong"])
    es.self_assess(None, an, self_points(commune_round), "good")
    secretary = tree.users["secretary"]
    # Cường has no self-assessment yet: the whole save is refused, An's proposal not written either
    with pytest.raises(ServiceError) as err:
        es.propose_for_unit(secretary, commune_round, c1a, {an.pk: "good", cuong.pk: "good"})
    assert err.value.code == Code.INCOMPLETE and "Lê Văn Cường" in err.value.message
    an.refresh_from_db()
    assert an.proposed_grade == ""
    with pytest.raises(ServiceError) as err:
        es.propose_for_unit(secretary, commune_round, c1a, {an.pk: "best"})
    assert err.value.code == Code.INVALID
    bay = commune_round.evaluations.get(unit=c1b)
    with pytest.raises(ServiceError) as err:  # a form of another cell cannot be slipped in
        es.propose_for_unit(tree.users["office"], commune_round, c1a, {an.pk: "good", bay.pk: "good"})
    assert err.value.code == Code.NOT_FOUND
    with pytest.raises(ServiceError) as err:  # outside her scope
        es.propose_for_unit(secretary, commune_round, c1b, {bay.pk: "good"})
    assert err.value.code == Code.FORBIDDEN
    assert es.propose_for_unit(secretary, commune_round, c1a, {an.pk: "good"}) == 1
    assert es.propose_for_unit(secretary, commune_round, c1a, {an.pk: "good"}) == 0  # nothing changed
    # the page shows the refusal beside the member and writes nothing
    client = client_for(secretary)
    url = reverse("evaluation:cell_proposals", args=[commune_round.pk, "C1A"])
    r = client.post(url, {f"g{an.pk}": "xuat-sac"})
    assert r.status_code == 400 and "Lựa chọn không hợp lệ." in r.content.decode()
    r = client.post(url, {})
    assert r.status_code == 400 and "Chưa chọn mức xếp loại nào" in r.content.decode()
    # a closed round refuses with the state code
    commune_round.state = "finalised"
    commune_round.save(update_fields=["state"])
    with pytest.raises(ServiceError) as err:
        es.propose_for_unit(secretary, commune_round, c1a, {an.pk: "excellent"})
    assert err.value.code == Code.STATE
    an.refresh_from_db()
    assert an.proposed_grade == "good"


def test_finalise_page_states_the_quota_share_from_the_rule_set(tree, commune_round):
    from dangvu.core.rulesets import ruleset_for

    share = ruleset_for(commune_round.rule_day)["evaluation.excellent_share_of_good_max"]
    assert share == 0.2
    office = client_for(tree.users["office"])
    for url in (reverse("evaluation:round_finalise", args=[commune_round.pk]),
                reverse("evaluation:round_detail", args=[commune_round.pk])):
        page = office.get(url).content.decode()
        assert "không quá 20% số hoàn thành tốt nhiệm vụ" in page, url
        assert "không quá % số" not in page
