"""Discipline rules (Quy định 69-QĐ/TW, 102-QĐ/TW, 22-QĐ/TW; Điều lệ Đảng, Điều 35–38): limitation,
new violations restarting it, child under 12 months, competent level, step order, appeal window."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangvu.core.discipline import (
    DisciplineRefused,
    Step,
    appeal_deadline,
    check_appeal,
    check_form,
    check_limitation,
    check_not_blocked,
    check_step,
    check_vote,
    competent_level,
    limitation_ends,
    vote_passes,
)
from dangvu.core.rulesets import ruleset_for

RS = ruleset_for(dt.date(2026, 6, 1))
D = dt.date
days = st.dates(min_value=D(1990, 1, 1), max_value=D(2040, 12, 31))
forms = st.sampled_from(["reprimand", "warning", "dismissal", "expulsion"])


def test_rule_set_carries_the_discipline_parameters():
    assert RS["discipline.limitation_years"] == {"reprimand": 5, "warning": 10, "dismissal": 10}
    assert RS["discipline.child_months"] == 12
    assert RS["discipline.appeal_months"] == 1
    assert "69-QĐ/TW" in RS.source("discipline.limitation_years")
    assert "chưa xác nhận" in RS.source("discipline.appeal_months")
    assert ruleset_for(D(2018, 1, 1))["discipline.limitation_years"] == RS["discipline.limitation_years"]


def test_limitation_by_form_and_none_for_expulsion_or_grave_grounds():
    v = D(2020, 3, 15)
    assert limitation_ends(v, "reprimand", RS) == D(2025, 3, 14)
    assert limitation_ends(v, "warning", RS) == D(2030, 3, 14)
    assert limitation_ends(v, "dismissal", RS) == D(2030, 3, 14)
    assert limitation_ends(v, "expulsion", RS) is None
    assert limitation_ends(v, "reprimand", RS, grave="illegal_diploma") is None
    with pytest.raises(DisciplineRefused):
        limitation_ends(v, "reprimand", RS, grave="unknown")


def test_expired_limitation_refuses_with_the_end_date():
    check_limitation(D(2025, 3, 14), D(2020, 3, 15), "reprimand", RS)  # last day: still allowed
    with pytest.raises(DisciplineRefused, match="hết thời hiệu.*14/03/2025"):
        check_limitation(D(2025, 3, 15), D(2020, 3, 15), "reprimand", RS)
    check_limitation(D(2045, 1, 1), D(2020, 3, 15), "expulsion", RS)


def test_new_violation_within_the_period_restarts_it_one_after_it_does_not():
    v = D(2018, 1, 10)
    assert limitation_ends(v, "reprimand", RS, later_violations=[D(2021, 6, 1)]) == D(2026, 5, 31)
    # the period had run out (2023-01-09) before the new violation: nothing to restart
    assert limitation_ends(v, "reprimand", RS, later_violations=[D(2024, 6, 1)]) == D(2023, 1, 9)
    # chained: each new violation inside the running period restarts it again
    assert limitation_ends(v, "reprimand", RS, later_violations=[D(2022, 1, 1), D(2026, 12, 1)]) == D(2031, 11, 30)


@given(days, days, forms)
def test_a_later_violation_date_never_shortens_the_limitation(a, b, form):
    early, late = sorted((a, b))
    e1, e2 = limitation_ends(early, form, RS), limitation_ends(late, form, RS)
    assert (e1 is None) == (e2 is None)
    if e1 is not None:
        assert e2 >= e1


@given(days, st.lists(days, max_size=4), forms)
def test_new_violations_never_shorten_and_one_inside_restarts(v, later, form):
    base = limitation_ends(v, form, RS)
    with_new = limitation_ends(v, form, RS, later_violations=later)
    if base is None:
        assert with_new is None
        return
    assert with_new >= base
    inside = [d for d in later if v < d <= base]
    if inside:  # the first new violation inside the period restarts it from that day at least
        assert with_new >= limitation_ends(min(inside), form, RS)


def test_child_under_twelve_months_blocks_consideration():
    born = D(2026, 1, 20)
    with pytest.raises(DisciplineRefused, match="nuôi con nhỏ dưới 12 tháng.*20/01/2027"):
        check_not_blocked(D(2026, 6, 1), born, RS)
    check_not_blocked(D(2027, 1, 20), born, RS)
    check_not_blocked(D(2026, 6, 1), None, RS)


@given(days, days)
def test_child_block_is_exactly_the_first_twelve_months(born, on):
    from dateutil.relativedelta import relativedelta

    blocked = born <= on < born + relativedelta(months=12)
    try:
        check_not_blocked(on, born, RS)
    except DisciplineRefused:
        assert blocked
    else:
        assert not blocked


def test_competent_level_by_form_and_posts():
    assert competent_level("reprimand", [], RS) == 0  # the cell
    assert competent_level("warning", [], RS) == 0
    assert competent_level("expulsion", [], RS) == 1  # the grassroots committee
    assert competent_level("dismissal", [0], RS) == 1  # a cell committee member: the committee above
    assert competent_level("dismissal", [1], RS) == 2  # a grassroots committee member: the level above it
    assert competent_level("expulsion", [0, 1], RS) == 2
    assert competent_level("reprimand", [1], RS) == 1  # warned by the committee they sit on
    with pytest.raises(DisciplineRefused, match="không giữ chức vụ"):
        competent_level("dismissal", [], RS)


@given(forms, st.lists(st.integers(0, 4), max_size=3), st.integers(0, 4))
def test_holding_one_more_post_never_lowers_the_competent_level(form, posts, extra):
    if form == "dismissal" and not posts:
        posts = [0]
    assert competent_level(form, [*posts, extra], RS) >= competent_level(form, posts, RS)


def test_probationary_members_only_reprimand_or_warning():
    check_form("warning", "probationary", RS)
    with pytest.raises(DisciplineRefused, match="dự bị"):
        check_form("expulsion", "probationary", RS)
    check_form("expulsion", "full", RS)


def test_vote_needs_more_than_half_of_full_members():
    assert vote_passes(5, 9, RS) and not vote_passes(4, 8, RS) and vote_passes(5, 8, RS)
    assert not vote_passes(0, 0, RS)
    with pytest.raises(DisciplineRefused, match="vượt quá"):
        check_vote(6, 4, 9)


def test_steps_in_order_only():
    check_step(Step.OPENED, Step.SELF_REVIEW)
    with pytest.raises(DisciplineRefused, match="Chi bộ họp.*Đảng viên tự kiểm điểm"):
        check_step(Step.OPENED, Step.CELL_VOTE)
    with pytest.raises(DisciplineRefused, match="Cấp có thẩm quyền"):
        check_step(Step.SELF_REVIEW, Step.DECIDED)
    with pytest.raises(DisciplineRefused, match="đã có quyết định"):
        check_step(Step.DECIDED, Step.CLOSED)
    with pytest.raises(DisciplineRefused, match="dừng xem xét"):
        check_step(Step.CLOSED, Step.SELF_REVIEW)
    check_step(Step.DECIDED, Step.APPEALED)
    check_step(Step.APPEALED, Step.APPEAL_DECIDED)


def test_appeal_window_one_month_from_receipt():
    assert appeal_deadline(D(2026, 1, 31), RS) == D(2026, 2, 28)
    check_appeal(D(2026, 2, 28), D(2026, 1, 31), RS)
    with pytest.raises(DisciplineRefused, match="Quá hạn khiếu nại.*28/02/2026"):
        check_appeal(D(2026, 3, 1), D(2026, 1, 31), RS)
    with pytest.raises(DisciplineRefused, match="trước ngày nhận"):
        check_appeal(D(2026, 1, 30), D(2026, 1, 31), RS)
