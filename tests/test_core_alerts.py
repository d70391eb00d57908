"""Pure alert rules: deadline states, periods, absences, probation, assignments, cell size — by
hand-picked cases and by properties (hypothesis)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangvu.core.alerts import (
    KIND_LABELS,
    KINDS,
    SEVERITIES,
    Alert,
    absence_window_start,
    absences_call_for_removal,
    assignment_cutoff,
    cell_needs_committee,
    cell_too_small,
    count_by_kind,
    count_passed_by_kind,
    deadline_alert_severity,
    deadline_state,
    meetings_short,
    month_span,
    previous_month_span,
    previous_quarter_span,
    probation_alert,
    quarter_span,
    sort_key,
)
from dangvu.core.deadlines import deadlines_for
from dangvu.core.lifecycle import probation_ends
from dangvu.core.rulesets import ruleset_for

D = dt.date
RS = ruleset_for(D(2026, 6, 1))
RANK = {s: i for i, s in enumerate(SEVERITIES)}
days = st.dates(min_value=D(2016, 1, 1), max_value=D(2035, 12, 31))


def test_rule_parameters_are_in_the_rule_sets() -> None:
    for on in (D(2020, 1, 1), D(2026, 1, 1)):
        rs = ruleset_for(on)
        assert rs["member.unexcused_absence_removal"] == 3
        assert rs["member.unexcused_absence_window_months"] == 12
        assert rs["alerts.probation_ending_days"] == 30
        assert rs["alerts.deadline_near_days"] == 10
        assert rs["alerts.certificate_expiring_days"] == 60
        assert rs["alerts.assignment_grace_days"] == 90
        assert rs["organization.min_full_members"] == 3
        assert rs["organization.cell_committee_min_full_members"] == 9
        assert rs.source("alerts.assignment_grace_days").startswith("Mặc định của Đảng vụ")


def test_every_kind_has_a_label() -> None:
    assert set(KIND_LABELS) == set(KINDS) and len(KINDS) == 16  # unpaid_fees, fees_remittance_late (issue 15); letter_deadline, badge_due, inspection_recommendation_overdue (issue 16)


# -- deadlines --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("today", "state"), [
    (D(2026, 6, 1), "info"), (D(2026, 6, 5), "near"), (D(2026, 6, 15), "near"), (D(2026, 6, 16), "passed")])
def test_deadline_state_examples(today: dt.date, state: str) -> None:
    assert deadline_state(today, D(2026, 6, 15), 10) == state


def test_deadline_alert_severity_drops_far_deadlines() -> None:
    assert deadline_alert_severity(D(2026, 6, 1), D(2026, 6, 15), 10) is None
    assert deadline_alert_severity(D(2026, 6, 14), D(2026, 6, 15), 10) == "near"
    with pytest.raises(ValueError):
        deadline_state(D(2026, 6, 1), D(2026, 6, 15), -1)


@given(days, days, st.integers(0, 400), st.integers(0, 400))
def test_a_later_today_never_makes_a_deadline_less_urgent(deadline, today, later_by, near) -> None:
    later = today + dt.timedelta(days=later_by)
    assert RANK[deadline_state(later, deadline, near)] <= RANK[deadline_state(today, deadline, near)]


@given(days, days, st.integers(0, 400))
def test_passed_exactly_after_the_deadline_day(deadline, today, near) -> None:
    assert (deadline_state(today, deadline, near) == "passed") == (today > deadline)


@given(days, days, st.integers(0, 200), st.integers(0, 200))
def test_a_wider_window_never_makes_a_deadline_less_urgent(deadline, today, near, wider_by) -> None:
    assert RANK[deadline_state(today, deadline, near + wider_by)] <= RANK[deadline_state(today, deadline, near)]


# -- periods ----------------------------------------------------------------------------------------

def test_periods() -> None:
    assert month_span(D(2024, 2, 10)) == (D(2024, 2, 1), D(2024, 2, 29))
    assert previous_month_span(D(2026, 1, 31)) == (D(2025, 12, 1), D(2025, 12, 31))
    assert quarter_span(D(2026, 11, 21)) == (D(2026, 10, 1), D(2026, 12, 31))
    assert previous_quarter_span(D(2026, 2, 3)) == (D(2025, 10, 1), D(2025, 12, 31))


@given(days)
def test_spans_contain_the_day_and_touch(day) -> None:
    first, last = month_span(day)
    assert first <= day <= last and first.day == 1 and (last + dt.timedelta(days=1)).day == 1
    assert previous_month_span(day)[1] + dt.timedelta(days=1) == first
    q_first, q_last = quarter_span(day)
    assert q_first <= day <= q_last and q_first.month % 3 == 1
    assert previous_quarter_span(day)[1] + dt.timedelta(days=1) == q_first


@given(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5))
def test_more_meetings_never_create_a_shortfall(held, more, needed) -> None:
    if not meetings_short(held, needed):
        assert not meetings_short(held + more, needed)
    assert meetings_short(0, 1) and not meetings_short(1, 1)


# -- absences ---------------------------------------------------------------------------------------

def test_absence_window_is_twelve_months_up_to_today() -> None:
    assert absence_window_start(D(2026, 6, 24), RS) == D(2025, 6, 25)
    assert absence_window_start(D(2025, 2, 28), RS) == D(2024, 2, 29)  # 28/2/2024 + 12 months = 28/2/2025


@given(st.integers(0, 50), st.integers(0, 50))
def test_raising_absences_never_removes_the_alert(count, more) -> None:
    if absences_call_for_removal(count, RS):
        assert absences_call_for_removal(count + more, RS)
    assert absences_call_for_removal(count, RS) == (count >= 3)


def test_absence_threshold_follows_an_override() -> None:
    five = RS.with_overrides({"member.unexcused_absence_removal": 5}, by="Tỉnh ủy thử")
    assert not absences_call_for_removal(4, five) and absences_call_for_removal(5, five)


# -- probation --------------------------------------------------------------------------------------

def test_probation_examples() -> None:
    admitted = D(2025, 7, 10)
    ends = probation_ends(admitted)
    rec = deadlines_for("admission_decision", admitted)["recognition_by"]
    assert ends == D(2026, 7, 10)
    assert probation_alert(D(2026, 6, 9), ends, rec, RS) is None  # 31 days before
    assert probation_alert(D(2026, 6, 10), ends, rec, RS) == ("probation_ending", "near")  # 30 days
    assert probation_alert(D(2026, 7, 9), ends, rec, RS) == ("probation_ending", "near")
    assert probation_alert(D(2026, 7, 10), ends, rec, RS) == ("recognition_overdue", "info")
    assert probation_alert(rec, ends, rec, RS) == ("recognition_overdue", "near")
    assert probation_alert(rec + dt.timedelta(days=1), ends, rec, RS) == ("recognition_overdue", "passed")


PROBATION_ORDER = {None: 0, ("probation_ending", "near"): 1, ("recognition_overdue", "info"): 2,
                   ("recognition_overdue", "near"): 3, ("recognition_overdue", "passed"): 4}


@given(st.dates(min_value=D(2016, 1, 1), max_value=D(2030, 12, 31)), st.integers(0, 800), st.integers(0, 200))
def test_probation_alerts_only_move_forward(admitted, offset, later_by) -> None:
    ends = probation_ends(admitted)
    rec = deadlines_for("admission_decision", admitted)["recognition_by"]
    today = admitted + dt.timedelta(days=offset)
    later = today + dt.timedelta(days=later_by)
    assert PROBATION_ORDER[probation_alert(later, ends, rec, RS)] >= PROBATION_ORDER[probation_alert(today, ends, rec, RS)]


# -- assignments, cells -----------------------------------------------------------------------------

def test_assignment_cutoff() -> None:
    assert assignment_cutoff(D(2026, 3, 31), RS) is None  # 1/1 + 90 days = 1/4
    assert assignment_cutoff(D(2026, 4, 1), RS) == D(2026, 1, 1)
    assert assignment_cutoff(D(2026, 6, 24), RS) == D(2026, 3, 26)


@given(days, st.integers(0, 400))
def test_assignment_cutoff_never_moves_back(today, later_by) -> None:
    later = today + dt.timedelta(days=later_by)
    a, b = assignment_cutoff(today, RS), assignment_cutoff(later, RS)
    if a is not None and later.year == today.year:
        assert b is not None and b >= a


@given(st.integers(0, 40), st.integers(0, 40))
def test_cell_size_rules_are_monotone(full, more) -> None:
    if not cell_too_small(full, RS):
        assert not cell_too_small(full + more, RS)
    if cell_needs_committee(full, False, RS):
        assert cell_needs_committee(full + more, False, RS)
    assert not cell_needs_committee(full, True, RS)
    assert cell_too_small(full, RS) == (full < 3)
    assert cell_needs_committee(full, False, RS) == (full >= 9)


# -- the Alert itself -------------------------------------------------------------------------------

def test_alert_json_and_order() -> None:
    late = Alert("admission_ceremony_due", "C1A", "Chi bộ A", "Quá hạn", "passed", D(2026, 6, 15),
                 prospect_id=7, prospect_name="Hoàng Thị Mai", org_path="000100010001")
    small = Alert("cell_too_small", "C1A", "Chi bộ A", "Ít", org_path="000100010001")
    member = Alert("no_assignment", "C1A", "Chi bộ A", "Chưa", member_id=3, member_name="An", org_path="000100010001")
    assert sorted([small, member, late], key=sort_key) == [late, member, small]
    assert late.as_dict() == {"kind": "admission_ceremony_due", "organization": {"code": "C1A", "name": "Chi bộ A"},
                              "member": None, "prospect": {"id": 7, "name": "Hoàng Thị Mai"},
                              "message": "Quá hạn", "date": "2026-06-15", "severity": "passed"}
    assert member.as_dict()["member"] == {"id": 3, "name": "An"} and member.as_dict()["date"] is None
    counts = count_by_kind([late, small, member])
    assert list(counts) == list(KINDS) and counts["cell_too_small"] == 1 and counts["no_regular_meeting"] == 0
    assert count_passed_by_kind([late, small])["admission_ceremony_due"] == 1
    with pytest.raises(ValueError):
        Alert("unknown", "C1A", "Chi bộ A", "x")
    with pytest.raises(ValueError):
        Alert("cell_too_small", "C1A", "Chi bộ A", "x", severity="urgent")
