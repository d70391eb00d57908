"""Registry indicators for plan targets: exact values on small scenarios, bounded queries, the
``dangvu indicators`` command, and the plan parser's keys all present in the registry."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from conftest import make_member_data
from person_names import letters

from dangvu import indicators
from dangvu.cli import main
from dangvu.core.planparse.binding import INDICATOR_KEYS
from dangvu.indicators import Period
from dangvu.registry import services as s

D = dt.date
Y2024, Y2025 = Period.year(2024), Period.year(2025)
LONG_AGO, FULL_SINCE = D(2005, 1, 1), D(2006, 1, 1)
_serial = itertools.count(1)


def value(key: str, org, period: Period, **params) -> tuple:
    v = indicators.compute(key, org, period, **params)
    return v.value, v.numerator, v.denominator


def person(org, name: str = "", *, admitted: D = LONG_AGO, full: D | None = FULL_SINCE, **extra):
    """A member entered through the registry service (full unless ``full=None``)."""
    n = next(_serial)
    data = make_member_data(name or f"Đảng Viên Số {letters(n)}", D(1970, 1, 1) + dt.timedelta(days=n),
                            admitted_on=admitted, full_on=full, **extra)
    return s.register_member(None, org, data)


def org(parent, code: str, kind: str = "cell", sector: str = "", **fields):
    return s.create_organization(None, parent, code=code, name=f"Tổ chức {code}", kind=kind, sector=sector, **fields)


# -- village cells ----------------------------------------------------------------------------

def test_village_resident_full_members(tree) -> None:
    o = tree.orgs
    group = org(o["C1A"], "C1A-T1", kind="group")
    person(group, "Đinh Văn Em")  # a group's member counts for its cell: C1A has 3
    person(o["C2A"], "Cán Bộ Xã", commune_official=True)
    person(o["C2A"], "Ở Nơi Khác", resident=False)
    person(o["C2A"], "Dự Bị Mới", admitted=D(2025, 2, 1), full=None)
    exempted = person(o["C2A"], "Miễn Sinh Hoạt")
    s.exempt(None, exempted, D(2024, 1, 1))
    person(o["C1B"], "Cơ Quan Một")
    person(o["C1B"], "Cơ Quan Hai")
    person(o["C1B"], "Cơ Quan Ba")  # agency cells are not village cells
    key = "cells.village_resident_full_members_share"
    assert value(key, o["P"], Y2025) == (50.0, 1, 2)
    assert value(key, o["C1"], Y2025) == (100.0, 1, 1)
    assert value(key, o["C2"], Y2025) == (0.0, 0, 1)
    assert value(key, o["P"], Y2025, min_members=1) == (100.0, 2, 2)
    assert value(key, o["P"], Y2025, min_members=4) == (0.0, 0, 2)
    # A cell dissolved in 2025 counts in 2024 (and fails: no members) but not in 2025.
    org(o["C2"], "C2B", sector="residential", dissolved_on=D(2025, 6, 1))
    assert value(key, o["P"], Y2025) == (50.0, 1, 2)
    assert value(key, o["P"], Y2024) == (33.33, 1, 3)
    # Nothing to divide by: no value.
    assert value(key, o["C1B"], Y2025) == (None, 0, 0)


def test_village_secretary_is_head_or_front_head(tree) -> None:
    o, an, binh = tree.orgs, tree.inside, tree.outside
    giang = person(o["C2A"], "Giang")
    s.add_post(None, o["C1A"], an, "secretary", D(2021, 1, 1))
    s.add_post(None, o["C2A"], binh, "secretary", D(2020, 1, 1), ended_on=D(2025, 7, 1))
    s.add_post(None, o["C2A"], giang, "secretary", D(2025, 7, 1))
    s.save_locality(None, o["C1A"], name="Thôn Đồng Tâm", kind="village", head_member=an, front_head_name="Ông Ngoài")
    s.save_locality(None, o["C2A"], name="Thôn Bến Đò", kind="village", head_member=binh, front_head_member=giang)
    org(o["C2"], "C2B", sector="residential")  # no secretary, no locality: counts, and fails
    head, front = "cells.village_secretary_is_head_share", "cells.village_secretary_is_front_head_share"
    assert value(head, o["P"], Y2025) == (33.33, 1, 3)
    assert value(front, o["P"], Y2025) == (33.33, 1, 3)
    assert value(head, o["P"], Y2024) == (66.67, 2, 3)  # binh was still secretary
    assert value(front, o["P"], Y2024) == (0.0, 0, 3)
    assert value(head, o["C1"], Y2025) == (100.0, 1, 1)
    assert value(front, o["C2"], Y2025) == (50.0, 1, 2)
    # A post ending on the reading day is no longer held that day.
    assert value(head, o["C2"], Period(D(2025, 1, 1), D(2025, 7, 1))) == (0.0, 0, 2)
    assert value(head, o["C2"], Period(D(2025, 1, 1), D(2025, 6, 30))) == (50.0, 1, 2)


def test_locality_heads_are_members(tree) -> None:
    o, an, binh = tree.orgs, tree.inside, tree.outside
    hai = person(o["C2A"], "Hải")
    s.save_locality(None, o["C1A"], name="L1", kind="village", head_member=an, front_head_name="Ông X")
    s.save_locality(None, o["C1A"], name="L2", kind="village", head_name="Bà Y")
    s.save_locality(None, o["C2A"], name="L3", kind="hamlet", front_head_member=binh)
    s.save_locality(None, o["C2A"], name="L4", kind="residential_group", head_member=hai, front_head_member=an)
    s.strike_off(None, hai, D(2025, 3, 1))  # no longer a member: L4's head is not a member's
    v = indicators.compute("localities.head_is_member_share", o["P"], Y2025)
    assert (v.value, v.numerator, v.denominator) == (25.0, 1, 4)
    assert v.breakdown == {"member": 1, "not_member": 2, "unrecorded": 1}
    v = indicators.compute("localities.front_head_is_member_share", o["P"], Y2025)
    assert (v.value, v.numerator, v.denominator) == (50.0, 2, 4)
    assert v.breakdown == {"member": 2, "not_member": 1, "unrecorded": 1}
    assert value("localities.head_is_member_share", o["C1"], Y2025) == (50.0, 1, 2)
    v = indicators.compute("localities.front_head_is_member_share", o["C1"], Y2025)
    assert (v.value, v.numerator, v.denominator) == (0.0, 0, 2)
    assert v.breakdown == {"member": 0, "not_member": 1, "unrecorded": 1}
    assert value("localities.head_is_member_share", o["C1B"], Y2025) == (None, 0, 0)


# -- agency cells, committees, working rules ----------------------------------------------------

def test_agency_secretary_is_unit_head(tree) -> None:
    o = tree.orgs
    school = org(o["C1"], "C1C", sector="school")
    health = org(o["C1"], "C1D", sector="health")
    private = org(o["C1"], "C1E", sector="private")
    lan, minh, nam = person(o["C1B"], "Lan"), person(school, "Minh"), person(school, "Nam")
    oanh, phu = person(health, "Oanh"), person(private, "Phú")
    s.add_post(None, o["C1B"], lan, "secretary", D(2021, 1, 1))
    s.add_post(None, o["C1B"], lan, "unit_head", D(2022, 1, 1))
    s.add_post(None, school, minh, "secretary", D(2021, 1, 1))
    s.add_post(None, school, nam, "unit_head", D(2021, 1, 1))
    s.add_post(None, health, oanh, "secretary", D(2021, 1, 1))
    s.add_post(None, health, oanh, "unit_head", D(2021, 1, 1), ended_on=D(2025, 3, 1))
    s.add_post(None, private, phu, "secretary", D(2021, 1, 1))
    s.add_post(None, private, phu, "unit_head", D(2021, 1, 1))
    key = "cells.agency_secretary_is_unit_head_share"
    assert value(key, o["P"], Y2025) == (33.33, 1, 3)
    assert value(key, o["P"], Y2024) == (66.67, 2, 3)
    assert value(key, o["P"], Y2025, sectors=("private",)) == (100.0, 1, 1)
    assert value(key, o["C2"], Y2025) == (None, 0, 0)


def test_cells_with_committee(tree) -> None:
    o, an, binh = tree.orgs, tree.inside, tree.outside
    quang, son, lan, tuan = (person(o["C2A"], "Quang"), person(o["C2A"], "Sơn"), person(o["C1B"], "Lan"),
                             person(o["C1B"], "Tuấn"))
    s.add_post(None, o["C1A"], an, "secretary", D(2020, 8, 1))
    s.add_post(None, o["C1A"], tree.own, "deputy", D(2020, 8, 1))  # secretary + deputy: no committee
    s.add_post(None, o["C2A"], binh, "secretary", D(2020, 8, 1))
    s.add_post(None, o["C2A"], quang, "deputy", D(2020, 8, 1))
    s.add_post(None, o["C2A"], son, "committee_member", D(2020, 8, 1))
    s.add_post(None, o["C1B"], lan, "secretary", D(2020, 8, 1))
    s.add_post(None, o["C1B"], tuan, "committee_member", D(2020, 8, 1), ended_on=D(2025, 5, 1))
    key = "cells.with_committee_share"
    assert value(key, o["P"], Y2025) == (33.33, 1, 3)
    assert value(key, o["P"], Y2025, sector="residential") == (50.0, 1, 2)
    assert value(key, o["P"], Y2024) == (66.67, 2, 3)
    assert value(key, o["C1"], Y2024, sector="residential") == (0.0, 0, 1)


def test_working_rules_updated(tree) -> None:
    o = tree.orgs
    sub = org(o["C2"], "C2S", kind="sub_committee")
    subcell = org(sub, "C2S1", sector="agency")
    s.record_working_rules(None, o["C1A"], D(2019, 5, 1), D(2022, 3, 1))
    s.record_working_rules(None, o["C1B"], D(2020, 6, 1))
    s.record_working_rules(None, o["C2A"], D(2025, 7, 1))
    s.record_working_rules(None, sub, D(2021, 1, 10))
    s.record_working_rules(None, o["C1"], D(2025, 1, 1))  # a grassroots committee: not counted
    assert subcell.kind == "cell"
    key = "cells.working_rules_updated_share"
    # 2025, 60 months (since 31/12/2020): C1A (2022), C2A, C2S; not C1B (2020) nor C2S1 (none).
    assert value(key, o["P"], Y2025) == (60.0, 3, 5)
    assert value(key, o["P"], Y2025, months=24) == (20.0, 1, 5)
    # 2024 (since 31/12/2019): C1A, C1B, C2S; C2A's rules came later.
    assert value(key, o["P"], Y2024) == (60.0, 3, 5)
    assert value(key, o["C1"], Y2024) == (100.0, 2, 2)
    assert value(key, o["C2"], Y2024) == (33.33, 1, 3)


# -- yearly records, officers' training ------------------------------------------------------------

def test_assignments_and_commitments(tree) -> None:
    o, an, binh, cuong = tree.orgs, tree.inside, tree.outside, tree.own
    dung = tree.members["dung"]  # probationary since 1/3/2026
    ut = person(o["C1A"], "Út")
    s.exempt(None, ut, D(2024, 6, 1))
    s.add_assignment(None, ut, 2025, "Tuyên truyền", D(2025, 1, 10))  # exempt: left out
    s.add_assignment(None, an, 2025, "Phụ trách tổ 1", D(2025, 1, 10))
    s.add_assignment(None, binh, 2025, "Phụ trách tổ 2", D(2025, 1, 10))
    s.add_assignment(None, cuong, 2024, "Phụ trách tổ 3", D(2024, 1, 10))
    s.add_commitment(None, an, 2025, "Gương mẫu", D(2025, 1, 10))
    s.add_commitment(None, dung, 2026, "Gương mẫu", D(2026, 3, 10))
    a, c = "members.with_assignment_share", "members.with_commitment_share"
    assert value(a, o["P"], Y2025) == (66.67, 2, 3)  # dung was not yet a member in 2025
    assert value(c, o["P"], Y2025) == (33.33, 1, 3)
    assert value(a, o["C1"], Y2025) == (50.0, 1, 2)
    assert value(a, o["P"], Y2024) == (33.33, 1, 3)
    assert value(c, o["P"], Period.year(2026)) == (25.0, 1, 4)
    assert value(a, o["C1B"], Y2025) == (None, 0, 0)


def test_officers_trained(tree) -> None:
    o, an, binh, cuong = tree.orgs, tree.inside, tree.outside, tree.own
    giang, lan = person(o["C2A"], "Giang"), person(o["C1B"], "Lan")
    s.add_post(None, o["C1"], an, "secretary", D(2020, 7, 1))
    s.add_post(None, o["C1A"], an, "secretary", D(2020, 7, 1))  # two posts, one officer
    s.add_post(None, o["C1"], cuong, "committee_member", D(2020, 7, 1), ended_on=D(2025, 6, 30))
    s.add_post(None, o["C2A"], binh, "secretary", D(2021, 1, 1))
    s.add_post(None, o["C2A"], giang, "deputy", D(2025, 7, 1))
    s.add_post(None, o["C1B"], lan, "unit_head", D(2021, 1, 1))  # not a committee post
    s.add_training(None, an, "party_work", D(2018, 5, 1))
    s.add_training(None, cuong, "party_work", D(2024, 3, 1))
    s.add_training(None, binh, "theory_elementary", D(2019, 3, 1))  # not party work
    s.add_training(None, giang, "party_work", D(2026, 1, 15))  # after the 2025 reading day
    key = "officers.trained_share"
    assert value(key, o["P"], Y2025) == (33.33, 1, 3)
    assert value(key, o["P"], Y2025, within_years=5) == (0.0, 0, 3)
    assert value(key, o["P"], Y2024) == (66.67, 2, 3)
    assert value(key, o["C1"], Y2025) == (100.0, 1, 1)
    assert value(key, o["C2"], Y2025) == (0.0, 0, 2)
    assert value(key, o["C1B"], Y2025) == (None, 0, 0)


# -- new organizations, admissions ------------------------------------------------------------------

def test_new_private_organizations(tree) -> None:
    o = tree.orgs
    c1p = org(o["C1"], "C1P", sector="private", established_on=D(2025, 4, 10))
    org(o["C1"], "C1Q", sector="private", established_on=D(2024, 12, 31))
    org(o["P"], "GP", kind="grassroots_cell", sector="private", established_on=D(2025, 9, 1),
        dissolved_on=D(2025, 11, 1))  # dissolved later: still founded in 2025
    org(o["C1"], "C1R", sector="agency", established_on=D(2025, 5, 5))
    org(c1p, "C1P-T1", kind="group", sector="private", established_on=D(2025, 6, 1))  # a group is not one
    key = "organizations.new_private_count"
    assert value(key, o["P"], Y2025) == (2, 2, None)
    assert value(key, o["C1"], Y2025) == (1, 1, None)
    assert value(key, o["P"], Y2024) == (1, 1, None)
    assert value(key, o["P"], Period.quarter(2025, 2)) == (1, 1, None)
    assert value(key, o["C2"], Y2025) == (0, 0, None)


@pytest.fixture
def admissions(tree):
    """Members now: an (2010), cuong (2000), binh (2015), dung (2026) plus v1…v6 below."""
    o = tree.orgs
    v1 = s.admit_member(None, o["C1A"], make_member_data("Vũ Một", D(2004, 1, 1), is_student=True),
                        admitted_on=D(2025, 3, 10))
    v2 = person(o["C2A"], "Vũ Hai", admitted=D(2023, 6, 1), full=D(2024, 6, 1))
    v3 = person(o["C1A"], "Vũ Ba", admitted=D(2021, 2, 2), full=None)
    s.strike_off(None, v3, D(2022, 5, 5))
    v4 = person(o["C2A"], "Vũ Bốn", admitted=D(2012, 1, 1), full=D(2013, 1, 1))
    s.record_death(None, v4, D(2024, 12, 31))
    v5 = s.admit_member(None, o["C2A"], make_member_data("Vũ Năm", D(2005, 1, 1), is_student=True),
                        admitted_on=D(2025, 12, 31))
    v6 = person(o["C1A"], "Vũ Sáu", admitted=D(2020, 8, 8), full=D(2021, 8, 8), is_student=True)
    return tree, (v1, v2, v3, v4, v5, v6)


def test_admission_counts(admissions) -> None:
    tree, _ = admissions
    o = tree.orgs
    assert value("admissions.count_year", o["P"], Y2025) == (2, 2, None)  # v1, v5
    assert value("admissions.count_year", o["C1"], Y2025) == (1, 1, None)
    assert value("admissions.count_year", o["P"], Period.year(2026)) == (1, 1, None)  # dung
    assert value("admissions.count_year", o["P"], Period.year(2023)) == (1, 1, None)  # v2
    assert value("admissions.count_year", o["P"], Period.quarter(2025, 4)) == (1, 1, None)  # v5
    # 2025 belongs to the 2020–2025 term, counted over 2021…2025: v1, v2, v3 (struck off later), v5.
    v = indicators.compute("admissions.count_term", o["P"], Y2025)
    assert (v.value, v.numerator, v.denominator, v.breakdown) == (4, 4, None, {"term": "nhiệm kỳ 2020–2025"})
    assert value("admissions.count_term", o["P"], Period.year(2021)) == (4, 4, None)
    v = indicators.compute("admissions.count_term", o["P"], Period.year(2026))
    assert (v.value, v.breakdown) == (1, {"term": "nhiệm kỳ 2025–2030"})
    assert value("admissions.count_term", o["P"], Period.year(2020)) == (1, 1, None)  # 2015–2020: v6
    assert value("admissions.count_term", o["P"], Period.term(2020, 2025)) == (5, 5, None)  # as given
    assert value("admissions.students_count_term", o["P"], Y2025) == (2, 2, None)  # v1, v5
    assert value("admissions.students_count_term", o["P"], Period.year(2020)) == (1, 1, None)  # v6
    assert value("admissions.students_count_term", o["C2"], Y2025) == (1, 1, None)


def test_admission_shares(admissions) -> None:
    tree, _ = admissions
    o = tree.orgs
    year_start, term_start = "admissions.share_of_members_year_start", "admissions.share_of_members_term_start"
    # On the rolls at 1/1/2025: an, cuong, binh, v2, v6 (v3 struck off 2022, v4 died 31/12/2024).
    v = indicators.compute(year_start, o["P"], Y2025)
    assert (v.value, v.numerator, v.denominator) == (40.0, 2, 5)
    assert v.breakdown == {"base_date": "2025-01-01"}
    # At 1/1/2024 v4 was still alive: an, cuong, binh, v2, v4, v6.
    assert value(year_start, o["P"], Y2024) == (0.0, 0, 6)
    assert value(year_start, o["C2"], Y2025) == (50.0, 1, 2)  # v5 ÷ binh, v2
    # The 2020–2025 term opens 1/1/2021: an, cuong, binh, v4, v6 (v3 came in February).
    v = indicators.compute(term_start, o["P"], Y2025)
    assert (v.value, v.numerator, v.denominator) == (40.0, 2, 5)
    assert v.breakdown == {"base_date": "2021-01-01"}
    # From 1/6/2021 v3 was on the rolls (struck off only in 2022): an, cuong, binh, v3, v4, v6;
    # admissions since: v2, v1, v5.
    assert value(term_start, o["P"], Period(D(2021, 6, 1), D(2025, 12, 31))) == (50.0, 3, 6)
    # An explicit term is taken as given: 1/1/2020 (an, cuong, binh, v4), admissions v6, v3, v2, v1, v5.
    assert value(term_start, o["P"], Period.term(2020, 2025)) == (125.0, 5, 4)
    assert value(term_start, o["C1B"], Period.year(2026)) == (None, 1, 0)


# -- bounded queries -----------------------------------------------------------------------------

def _grow(tree, start: int, count: int) -> None:
    """``count`` more residential and agency cells under C1, each with members, posts, a locality,
    working rules, training and yearly records — everything the registry indicators read."""
    for i in range(start, start + count):
        village = org(tree.orgs["C1"], f"V{i:03d}", sector="residential", established_on=D(2025, 2, 1))
        office = org(tree.orgs["C1"], f"A{i:03d}", sector="private", established_on=D(2025, 3, 1))
        people = [person(village, admitted=D(2025, 1 + k, 1), full=None, is_student=True) for k in range(2)]
        people += [person(village) for _ in range(2)]
        head = person(office)
        s.add_post(None, village, people[2], "secretary", D(2025, 2, 1))
        s.add_post(None, village, people[3], "committee_member", D(2025, 2, 1))
        s.add_post(None, office, head, "secretary", D(2025, 3, 1))
        s.add_post(None, office, head, "unit_head", D(2025, 3, 1))
        s.save_locality(None, village, name=f"Thôn {i}", kind="village", head_member=people[2],
                        front_head_member=people[3])
        s.record_working_rules(None, village, D(2025, 3, 1))
        s.add_training(None, people[2], "party_work", D(2025, 4, 1))
        for p in people:
            s.add_assignment(None, p, 2025, "Nhiệm vụ", D(2025, 1, 5))
            s.add_commitment(None, p, 2025, "Cam kết", D(2025, 1, 5))
        s.strike_off(None, people[3], D(2025, 10, 1))


def _registry_keys() -> list[str]:
    return sorted(k for k, ind in indicators.load_all().items() if ind.compute.__module__ == "dangvu.registry.indicators")


def _queries(key: str, org_, period: Period, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(2) as captured:
        indicators.compute(key, org_, period)
    return len(captured)


def test_queries_do_not_grow_with_the_data(tree, django_assert_max_num_queries) -> None:
    keys = _registry_keys()
    assert "admissions.share_of_members_term_start" in keys and "members.count" in keys
    root = tree.orgs["P"]
    _grow(tree, 0, 3)
    small = {k: _queries(k, root, Y2025, django_assert_max_num_queries) for k in keys}
    before = indicators.compute("cells.village_secretary_is_head_share", root, Y2025)
    _grow(tree, 3, 27)
    large = {k: _queries(k, root, Y2025, django_assert_max_num_queries) for k in keys}
    assert large == small
    after = indicators.compute("cells.village_secretary_is_head_share", root, Y2025)
    assert (before.numerator, before.denominator) == (3, 5)  # C1A, C2A have no secretary
    assert (after.numerator, after.denominator) == (30, 32)
    assert value("organizations.new_private_count", root, Y2025) == (30, 30, None)
    assert value("admissions.count_year", root, Y2025) == (60, 60, None)


# -- the command ---------------------------------------------------------------------------------

def test_cli_json_has_every_indicator(tree, capsys) -> None:
    assert main(["indicators", "--org", "p", "--year", "2025", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == set(indicators.load_all())
    registry_keys = set(_registry_keys())
    assert "meetings.count" in data  # other apps' indicators are loaded too
    for key, row in data.items():
        assert {"value", "numerator", "denominator", "label", "unit"} <= set(row), key
        assert row["unit"] in ("%", "count", "đồng"), key
        assert row["label"], key
        if key in registry_keys and row["unit"] == "%" and row["value"] is not None:
            assert row["value"] == round(100 * row["numerator"] / row["denominator"], 2), key
    assert data["members.count"]["value"] == 4
    assert data["cells.village_resident_full_members_share"] == {
        "value": 0.0, "numerator": 0, "denominator": 2, "label": indicators.get(
            "cells.village_resident_full_members_share").label, "unit": "%"}
    assert data["localities.head_is_member_share"]["value"] is None


def test_cli_quarter_and_table(tree, capsys) -> None:
    assert main(["indicators", "--org", "C1", "--year", "2026", "--quarter", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["admissions.count_year"]["value"] == 1  # dung, 1/3/2026
    assert main(["indicators", "--org", "C1", "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Chỉ số của Đảng bộ xã Hòa Bình (C1), năm 2026")
    assert "Tỷ lệ chi bộ thôn có bí thư kiêm trưởng thôn" in out
    assert "chưa có số liệu" in out


@pytest.mark.parametrize(("argv", "fragment"), [
    (["--org", "KHONG", "--year", "2025"], "Không tìm thấy tổ chức đảng có mã «KHONG»"),
    (["--org", "P", "--year", "1800"], "Năm 1800 nằm ngoài khoảng cho phép"),
    (["--org", "P", "--year", str(dt.date.today().year + 2)], "nằm ngoài khoảng cho phép"),
    (["--org", "P", "--year", "hai nghìn"], "Năm không hợp lệ"),
    (["--org", "P", "--year", "2025", "--quarter", "5"], "Quý phải từ 1 đến 4"),
])
def test_cli_refuses_bad_input(tree, capsys, argv: list[str], fragment: str) -> None:
    assert main(["indicators", *argv, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert fragment in captured.err


# -- the plan parser's keys ------------------------------------------------------------------------

PARSER_KEYS = sorted(INDICATOR_KEYS)


@pytest.mark.parametrize("key", PARSER_KEYS)
def test_parser_key_is_registered(key: str) -> None:
    assert key in indicators.load_all()
