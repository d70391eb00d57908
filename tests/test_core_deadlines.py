"""Statutory deadlines, checked against a hand-written 2025 calendar and by properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dangvu.core.deadlines import EVENTS, add_months, admission_decision, deadlines_for, transfer_letter
from dangvu.core.rulesets import ruleset_for

D = dt.date

# Days off of 2025 from the government's announcements, written out by hand (independent of the
# ``holidays`` package): New Year, Tết 27–31/1, Giỗ Tổ 7/4, 30/4–2/5 (Saturday 26/4 worked), 1–2/9.
OFF_2025 = {
    D(2025, 1, 1),
    *(D(2025, 1, d) for d in range(27, 32)),
    D(2025, 4, 7),
    D(2025, 4, 30),
    D(2025, 5, 1),
    D(2025, 5, 2),
    D(2025, 9, 1),
    D(2025, 9, 2),
}


def brute_force(d: dt.date, n: int) -> dt.date:
    day = d
    while n:
        day += dt.timedelta(days=1)
        assert day.year == 2025, "the hand calendar covers 2025 only"
        if day.weekday() < 5 and day not in OFF_2025:
            n -= 1
    return day


def test_cell_resolution_over_tet_2025() -> None:
    result = deadlines_for("cell_resolution", D(2025, 1, 20))
    assert result == {"decision_by": brute_force(D(2025, 1, 20), 60)}
    assert result["decision_by"] == D(2025, 4, 22)  # also counted by hand on a paper calendar


def test_transfer_letter_over_30_april() -> None:
    assert transfer_letter(D(2025, 4, 15)) == {"present_by": D(2025, 5, 30)}
    assert brute_force(D(2025, 4, 15), 30) == D(2025, 5, 30)


def test_admission_decision_on_29_february() -> None:
    result = admission_decision(D(2024, 2, 29))
    assert result["probation_ends"] == D(2025, 2, 28)
    assert result["ceremony_by"] == D(2024, 4, 11)
    assert result["recognition_by"] == brute_force(D(2025, 2, 28), 30) == D(2025, 4, 14)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(D(2025, 3, 31), 12) == D(2026, 3, 31)
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)


def test_province_override_is_used() -> None:
    rs = ruleset_for(D(2025, 6, 2), {"transfer.present_working_days": 10}, by="Tỉnh ủy thử")
    # Mon 2/6/2025 + 10 working days = Mon 16/6.
    assert deadlines_for("transfer_letter", D(2025, 6, 2), rs) == {"present_by": D(2025, 6, 16)}


def test_unknown_event_lists_valid_ones() -> None:
    with pytest.raises(ValueError) as err:
        deadlines_for("ket_nap", D(2025, 1, 1))
    message = str(err.value)
    assert "không hợp lệ" in message
    assert all(event in message for event in EVENTS)


@settings(max_examples=100, deadline=None)
@given(
    event=st.sampled_from(EVENTS),
    d=st.dates(min_value=D(2015, 1, 1), max_value=D(2034, 12, 31)),
    gap=st.integers(min_value=0, max_value=400),
)
def test_later_start_never_gives_earlier_deadline(event: str, d: dt.date, gap: int) -> None:
    early, late = deadlines_for(event, d), deadlines_for(event, d + dt.timedelta(days=gap))
    assert early.keys() == late.keys()
    for key in early:
        assert late[key] >= early[key]
        assert early[key] > d
