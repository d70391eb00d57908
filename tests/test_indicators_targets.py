"""Indicators added for plan bindings: exact values on small worlds (the shared ``tree``: P → C1
(C1A residential, C1B agency), C2 (C2A residential)), the ``sector`` parameter of the meeting
shares, bounded queries, and the ``dangvu indicators`` command listing them."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from conftest import make_member_data
from person_names import letters

from dangvu import indicators
from dangvu.cli import main
from dangvu.indicators import Period
from dangvu.meetings import services as ms
from dangvu.registry import services as s

D, T = dt.date, dt.time
Y2025, Y2026 = Period.year(2025), Period.year(2026)
_serial = itertools.count(1)
NEW_KEYS = ("cells.village_secretary_is_head_or_front_head_share", "members.full_attendance_share",
            "organizations.studied_document_share", "cells.village_resident_members_share")


def value(key: str, org, period: Period, **params) -> tuple:
    v = indicators.compute(key, org, period, **params)
    return v.value, v.numerator, v.denominator


LONG_AGO, FULL_SINCE = D(2005, 1, 1), D(2006, 1, 1)


def person(org, name: str = "", *, admitted: D = LONG_AGO, full: D | None = FULL_SINCE, **extra):
    n = next(_serial)
    data = make_member_data(name or f"Đảng Viên Số {letters(n)}", D(1970, 1, 1) + dt.timedelta(days=n),
                            admitted_on=admitted, full_on=full, **extra)
    return s.register_member(None, org, data)


def cell(parent, code: str, sector: str = "residential", kind: str = "cell", **fields):
    return s.create_organization(None, parent, code=code, name=f"Chi bộ {code}", kind=kind, sector=sector, **fields)


def meet(org, day: D, kind: str = "regular", **kw):
    return ms.record_meeting(None, org, held_on=day, starts_at=T(19, 0), ends_at=T(21, 0), kind=kind,
                             materials_sent_on=day - dt.timedelta(days=2), **kw)


# -- cells.village_secretary_is_head_or_front_head_share -------------------------------------------

def test_secretary_is_head_or_front_head(tree) -> None:
    o, an, binh = tree.orgs, tree.inside, tree.outside
    c2b = cell(o["C2"], "C2B")
    giang, hoa = person(o["C2A"], "Giang"), person(c2b, "Hoa")
    s.add_post(None, o["C1A"], an, "secretary", D(2021, 1, 1))
    s.add_post(None, o["C2A"], binh, "secretary", D(2020, 1, 1), ended_on=D(2025, 7, 1))
    s.add_post(None, o["C2A"], giang, "secretary", D(2025, 7, 1))
    s.add_post(None, c2b, hoa, "secretary", D(2024, 1, 1))
    # C1A: the secretary is the village head; C2A: Bình was the head, Giang (secretary from 1/7/2025)
    # heads the front committee; C2B: its secretary holds neither post.
    s.save_locality(None, o["C1A"], name="Thôn Đồng Tâm", kind="village", head_member=an, front_head_name="Ông Ngoài")
    s.save_locality(None, o["C2A"], name="Bản Bến Đò", kind="hamlet", head_member=binh, front_head_member=giang)
    s.save_locality(None, c2b, name="Bản Mới", kind="hamlet", head_name="Bà Khác", front_head_name="Ông Khác")
    key = "cells.village_secretary_is_head_or_front_head_share"
    assert value(key, o["P"], Y2025) == (66.67, 2, 3)  # C1A (head), C2A (front head, Giang)
    assert value(key, o["P"], Period.year(2024)) == (66.67, 2, 3)  # C1A, C2A (head, Bình)
    assert value(key, o["C2"], Y2025) == (50.0, 1, 2)
    # one secretary holding both posts counts once
    s.save_locality(None, o["C1A"], name="Thôn Đồng Tâm 2", kind="village", head_member=an, front_head_member=an)
    assert value(key, o["C1"], Y2025) == (100.0, 1, 1)
    # the two narrower shares for the same world: the union is not their sum
    assert value("cells.village_secretary_is_head_share", o["P"], Y2025) == (33.33, 1, 3)
    assert value("cells.village_secretary_is_front_head_share", o["P"], Y2025) == (66.67, 2, 3)
    assert value(key, o["C1B"], Y2025) == (None, 0, 0)  # no residential cell


# -- members.full_attendance_share -------------------------------------------------------------------

def test_full_attendance(tree) -> None:
    o, cuong = tree.orgs, tree.members["cuong"]
    giang = person(o["C1A"], "Giang")
    lan = person(o["C1A"], "Lan")
    s.exempt(None, lan, D(2024, 1, 1))  # exempt: left out of both sides
    m1, m2 = meet(o["C1A"], D(2026, 4, 7)), meet(o["C1A"], D(2026, 5, 5))
    meet(o["C1B"], D(2026, 4, 8))  # Dung present
    ms.set_attendance(None, m1, {giang.pk: "excused"})
    ms.set_attendance(None, m2, {cuong.pk: "absent"})
    # C1: An (present twice), Dung (present once) of An, Cường, Giang, Dung
    assert value("members.full_attendance_share", o["C1"], Y2026) == (50.0, 2, 4)
    assert value("members.full_attendance_share", o["C1A"], Y2026) == (33.33, 1, 3)
    # Bình's cell (C2A) held no meeting: nothing shows she attended, she counts as not attending fully
    assert value("members.full_attendance_share", o["P"], Y2026) == (40.0, 2, 5)
    # the first quarter of 2026: no meeting yet, nobody attended fully
    assert value("members.full_attendance_share", o["C1"], Period.quarter(2026, 1)) == (0.0, 0, 4)
    # Giang came to the make-up of April after all: present at every meeting now
    ms.set_attendance(None, m1, {giang.pk: "present"})
    assert value("members.full_attendance_share", o["C1A"], Y2026) == (66.67, 2, 3)
    # a row marked exempt (relieved that day) is not a meeting the member was due at
    ms.set_attendance(None, m2, {cuong.pk: "exempt"})
    assert value("members.full_attendance_share", o["C1A"], Y2026) == (100.0, 3, 3)


# -- organizations.studied_document_share ------------------------------------------------------------

def test_organizations_studied_document(tree) -> None:
    o = tree.orgs
    an, cuong, dung, binh = (tree.members[k] for k in ("an", "cuong", "dung", "binh"))
    sub = s.create_organization(None, o["C2"], code="C2S", name="Đảng bộ bộ phận thôn", kind="sub_committee")
    group = s.create_organization(None, o["C1A"], code="C1A-T1", name="Tổ đảng 1", kind="group")
    cell(o["C1"], "C1X", dissolved_on=D(2025, 12, 1))  # gone before 2026: not counted
    assert group.kind == "group"
    ms.record_study_session(None, o["C1"], document_title="Nghị quyết 21", document_number="21-NQ/TW",
                            held_on=D(2026, 3, 2), member_ids=[an.pk, dung.pk])
    ms.record_study_session(None, o["C1A"], document_title="Nghị quyết 21", document_number="21-nq/tw",
                            held_on=D(2026, 3, 20), makeup=True, member_ids=[cuong.pk])
    ms.record_study_session(None, o["C2A"], document_title="Chỉ thị 35", document_number="35-CT/TW",
                            held_on=D(2026, 4, 1), member_ids=[binh.pk])
    key = "organizations.studied_document_share"
    # C1 subtree: C1, C1A, C1B (the group is not an organization that studies) — C1 and C1A did
    assert value(key, o["C1"], Y2026, document="21-NQ/TW") == (66.67, 2, 3)
    # P subtree: P, C1, C2, C1A, C1B, C2A, C2S — any document: C1, C1A, C2A
    assert value(key, o["P"], Y2026) == (42.86, 3, 7)
    assert value(key, o["P"], Y2026, document="21-NQ/TW") == (28.57, 2, 7)
    assert value(key, o["P"], Y2026, document="35-CT/TW") == (14.29, 1, 7)
    assert value(key, o["P"], Y2025) == (0.0, 0, 7)  # C1X was dissolved by the end of 2025
    assert value(key, o["P"], Period(D(2025, 1, 1), D(2025, 6, 30))) == (0.0, 0, 8)  # it existed in June
    assert value(key, sub, Y2026) == (0.0, 0, 1)
    # the members' share of the same world differs: it counts people, not organizations
    assert value("members.studied_document_share", o["C1"], Y2026, document="21-NQ/TW") == (100.0, 3, 3)


# -- cells.village_resident_members_share --------------------------------------------------------------

def test_village_resident_members_full_or_probationary(tree) -> None:
    o = tree.orgs
    # C1A has An and Cường (full, resident); add one probationary resident and one non-resident
    person(o["C1A"], "Dự Bị", admitted=D(2025, 6, 1), full=None)
    person(o["C1A"], "Ở Xa", resident=False)
    # C2A has Bình; add a commune official (does not count) and an exempt member (does not count)
    person(o["C2A"], "Cán Bộ Xã", commune_official=True)
    s.exempt(None, person(o["C2A"], "Miễn"), D(2024, 1, 1))
    key, full_key = "cells.village_resident_members_share", "cells.village_resident_full_members_share"
    assert value(key, o["P"], Y2025) == (50.0, 1, 2)  # default 3: C1A has An, Cường, Dự Bị
    assert value(full_key, o["P"], Y2025) == (0.0, 0, 2)  # only 2 full members in C1A
    assert value(key, o["P"], Y2025, min_members=4) == (0.0, 0, 2)
    assert value(key, o["P"], Y2025, min_members=1) == (100.0, 2, 2)
    # the probationary member admitted on 1/6/2025 was not a member yet at the end of 2024
    assert value(key, o["P"], Period.year(2024)) == (0.0, 0, 2)
    assert value(key, o["C1B"], Y2025) == (None, 0, 0)


def test_default_minimum_comes_from_the_rule_set(tree, monkeypatch) -> None:
    from dangvu.registry import indicators as ri

    real = ri.ruleset_for
    person(tree.orgs["C1A"], "Thứ Ba")
    key = "cells.village_resident_members_share"
    assert value(key, tree.orgs["C1"], Y2025) == (100.0, 1, 1)  # 3 resident members, rule: 3
    monkeypatch.setattr(ri, "ruleset_for", lambda day: real(day).with_overrides(
        {"indicators.village_cell_min_resident_members": 4}))
    assert value(key, tree.orgs["C1"], Y2025) == (0.0, 0, 1)


# -- the sector parameter of the meeting shares ---------------------------------------------------------

def test_meeting_shares_limited_to_a_sector(tree) -> None:
    o = tree.orgs
    q1 = Period.quarter(2025, 1)
    for month in (1, 2, 3):  # the agency cell meets every month, thematic once; the villages never
        meet(o["C1B"], D(2025, month, 10), combined=month == 2)
    meet(o["C1A"], D(2025, 1, 12))
    regular, thematic = "cells.regular_meetings_complete_share", "cells.thematic_quarterly_share"
    assert value(regular, o["P"], q1) == (33.33, 1, 3)
    assert value(regular, o["P"], q1, sector="residential") == (0.0, 0, 2)
    assert value(regular, o["P"], q1, sector="agency") == (100.0, 1, 1)
    assert value(thematic, o["C1"], q1) == (50.0, 1, 2)
    assert value(thematic, o["C1"], q1, sector="residential") == (0.0, 0, 1)
    assert value(regular, o["P"], q1, sector="school") == (None, 0, 0)


# -- bounded queries, the command ----------------------------------------------------------------

def _grow(tree, start: int, count: int) -> None:
    for i in range(start, start + count):
        village = cell(tree.orgs["C1"], f"V{i:03d}")
        people = [person(village) for _ in range(3)]
        s.add_post(None, village, people[0], "secretary", D(2025, 2, 1))
        s.save_locality(None, village, name=f"Thôn {i}", kind="village", head_member=people[0])
        m = meet(village, D(2025, 3, 3))
        ms.set_attendance(None, m, {people[2].pk: "absent"})
        ms.record_study_session(None, village, document_title="NQ", document_number="21-NQ/TW",
                                held_on=D(2025, 4, 1), member_ids=[p.pk for p in people])


@pytest.mark.parametrize("key", NEW_KEYS)
def test_queries_do_not_grow_with_the_data(tree, django_assert_max_num_queries, key) -> None:
    root = tree.orgs["P"]
    _grow(tree, 0, 2)
    with django_assert_max_num_queries(3) as small:
        indicators.compute(key, root, Y2025)
    _grow(tree, 2, 12)
    with django_assert_max_num_queries(3) as large:
        v = indicators.compute(key, root, Y2025)
    assert len(large) == len(small)
    assert v.denominator and v.denominator >= 14


def test_cli_lists_the_new_indicators(tree, capsys) -> None:
    assert main(["indicators", "--org", "P", "--year", "2025", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in NEW_KEYS:
        assert key in data and data[key]["unit"] == "%" and data[key]["label"], key
    assert data["cells.village_resident_members_share"]["denominator"] == 2
    for key in NEW_KEYS:
        doc = indicators.get(key).description
        assert "Seed" in doc or "Plan target" in doc or "plan target" in doc, key
