"""Quality grading: bands, conditions that lower a grade, the sheet total and the excellent quota."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangvu.core.evaluation import (
    Conditions,
    Grade,
    excellent_quota_check,
    grade_from_points,
    sheet_total,
)
from dangvu.core.rulesets import ruleset_for

RS = ruleset_for(dt.date(2025, 12, 1))


@pytest.mark.parametrize(
    "points, grade",
    [
        (100, Grade.EXCELLENT),
        (90, Grade.EXCELLENT),
        (89.5, Grade.GOOD),
        (70, Grade.GOOD),
        (69.99, Grade.FULFILLED),
        (50, Grade.FULFILLED),
        (49.9, Grade.UNFULFILLED),
        (0, Grade.UNFULFILLED),
    ],
)
def test_bands(points: float, grade: Grade) -> None:
    assert grade_from_points(points, RS).grade is grade


def test_labels() -> None:
    assert Grade.EXCELLENT.label == "Hoàn thành xuất sắc nhiệm vụ"
    assert Grade.UNFULFILLED.label == "Không hoàn thành nhiệm vụ"


def test_conditions_lower_the_grade() -> None:
    late = grade_from_points(95, RS, Conditions(tasks_on_time_share=0.9))
    assert late.grade is Grade.FULFILLED and late.points_grade is Grade.EXCELLENT
    assert len(late.reasons) == 2 and "100%" in late.reasons[0]
    few_exceeding = grade_from_points(95, RS, Conditions(tasks_on_time_share=1, tasks_exceeding_share=0.29))
    assert few_exceeding.grade is Grade.GOOD
    enough = Conditions(tasks_on_time_share=1, tasks_exceeding_share=0.3)
    assert grade_from_points(95, RS, enough).grade is Grade.EXCELLENT
    unit = Conditions(
        tasks_on_time_share=1, tasks_exceeding_share=0.5, is_collective=True, has_disciplined_subunit=True
    )
    assert grade_from_points(95, RS, unit).grade is Grade.GOOD


def test_collective_late_tasks() -> None:
    # Exactly 20% late is allowed for "fulfilled"; 25% is not.
    assert (
        grade_from_points(80, RS, Conditions(tasks_on_time_share=0.8, is_collective=True)).grade
        is Grade.FULFILLED
    )
    assert (
        grade_from_points(80, RS, Conditions(tasks_on_time_share=0.75, is_collective=True)).grade
        is Grade.UNFULFILLED
    )
    assert grade_from_points(80, RS, Conditions(tasks_on_time_share=0.75)).grade is Grade.FULFILLED


@pytest.mark.parametrize(
    "conditions, forced",
    [
        (Conditions(disciplined_in_period=True), True),
        (Conditions(targets_met_share=0.49), True),
        (Conditions(targets_met_share=0.5), False),
        (Conditions(subunits_disciplined_share=0.21), True),
        (Conditions(subunits_disciplined_share=0.2), False),
        (Conditions(disunity=True), True),
    ],
)
def test_forced_unfulfilled(conditions: Conditions, forced: bool) -> None:
    decision = grade_from_points(100, RS, conditions)
    assert (decision.grade is Grade.UNFULFILLED) is forced
    assert bool(decision.reasons) is forced


def test_points_out_of_range() -> None:
    with pytest.raises(ValueError):
        grade_from_points(100.5, RS)


shares = st.one_of(st.none(), st.fractions(min_value=0, max_value=1, max_denominator=50))
conditions = st.builds(
    Conditions,
    tasks_on_time_share=shares,
    tasks_exceeding_share=shares,
    disciplined_in_period=st.booleans(),
    targets_met_share=shares,
    subunits_disciplined_share=shares,
    disunity=st.booleans(),
    is_collective=st.booleans(),
    is_leader=st.booleans(),
    has_disciplined_subunit=st.booleans(),
)
points = st.floats(min_value=0, max_value=100, allow_nan=False)


@given(c=conditions, a=points, b=points)
def test_grade_monotone_in_points(c: Conditions, a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert grade_from_points(low, RS, c).grade.rank <= grade_from_points(high, RS, c).grade.rank


def test_sheet_total() -> None:
    assert sheet_total({"common": 28, "task": 65}, rs=RS) == 93
    with pytest.raises(ValueError, match="từ 0 đến 30"):
        sheet_total({"common": 31, "task": 65}, rs=RS)
    with pytest.raises(ValueError, match="Chưa chấm"):
        sheet_total({"common": 20}, rs=RS)
    maxima = {"common": {"politics": 10.1, "ethics": 19.9}, "task": {"plan": 40, "assigned": 30}}
    assert sheet_total({"politics": 10.1, "ethics": 19.9, "plan": 40, "assigned": 30}, maxima, RS) == 100
    with pytest.raises(ValueError, match="phải bằng 30"):
        sheet_total({"a": 1, "b": 1}, {"common": {"a": 20}, "task": {"b": 70}}, RS)
    with pytest.raises(ValueError, match="không có trong phiếu"):
        sheet_total({"common": 1, "task": 1, "extra": 1}, rs=RS)


def test_excellent_quota() -> None:
    counts = {
        "DB-A": {Grade.EXCELLENT: 2, Grade.GOOD: 10},
        "DB-B": {"excellent": 2, "good": 9},
        "DB-C": {Grade.EXCELLENT: 1},
    }
    breaches = {b.organization: b for b in excellent_quota_check(counts, RS)}
    assert set(breaches) == {"DB-B", "DB-C"}
    assert (breaches["DB-B"].allowed, breaches["DB-B"].excess) == (1, 1)
    assert (breaches["DB-C"].allowed, breaches["DB-C"].excess) == (0, 1)
    assert "vượt 1" in breaches["DB-B"].message


@given(excellent=st.integers(min_value=0, max_value=300), good=st.integers(min_value=0, max_value=1500))
def test_quota_breach_iff_over_a_fifth(excellent: int, good: int) -> None:
    breached = bool(excellent_quota_check({"X": {Grade.EXCELLENT: excellent, Grade.GOOD: good}}, RS))
    assert breached is (5 * excellent > good)
