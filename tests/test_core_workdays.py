"""Working days: hand-checked holidays of 2024–2025 and properties of the day arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dangvu.core.workdays import add_working_days, is_working_day, working_days_between

D = dt.date
days = st.dates(min_value=D(2015, 1, 1), max_value=D(2035, 12, 31))


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2025, 1, 24), True),  # Friday before Tết
        (D(2025, 1, 27), False),  # 29 Tết (moved from Saturday 1/2)
        (D(2025, 1, 29), False),  # Mùng một Tết Ất Tỵ
        (D(2025, 1, 31), False),
        (D(2025, 2, 3), True),  # first day back
        (D(2025, 4, 7), False),  # Giỗ Tổ Hùng Vương
        (D(2025, 4, 26), False),  # Saturday: not counted even when swapped for Friday 2/5
        (D(2025, 5, 2), False),
        (D(2025, 9, 1), False),
        (D(2025, 9, 2), False),
        (D(2025, 9, 6), False),  # an ordinary Saturday
        (D(2024, 4, 29), False),  # Monday off in exchange for Saturday 4/5/2024
        (D(2024, 5, 4), False),  # swapped Saturday: still not a working day by contract
        (D(2026, 11, 24), False),  # Ngày Văn hóa Việt Nam, from 2026
    ],
)
def test_known_days(day: dt.date, expected: bool) -> None:
    assert is_working_day(day) is expected


def test_over_tet_2025() -> None:
    # Friday 24/1 → Tết 27–31/1 and the weekends are off → Monday 3/2.
    assert add_working_days(D(2025, 1, 24), 1) == D(2025, 2, 3)
    assert add_working_days(D(2025, 1, 24), 5) == D(2025, 2, 7)
    assert working_days_between(D(2025, 1, 24), D(2025, 2, 2)) == 0


def test_over_30_april_2025() -> None:
    # Tue 29/4 → 30/4, 1/5, 2/5 off, weekend → Monday 5/5.
    assert add_working_days(D(2025, 4, 29), 1) == D(2025, 5, 5)
    # Friday 25/4 → the swapped Saturday 26/4 does not count: Monday 28/4.
    assert add_working_days(D(2025, 4, 25), 1) == D(2025, 4, 28)
    # Friday 26/4/2024 → 29/4, 30/4, 1/5/2024 off → Thursday 2/5.
    assert add_working_days(D(2024, 4, 26), 1) == D(2024, 5, 2)


def test_zero_and_negative() -> None:
    sunday = D(2025, 3, 2)
    assert add_working_days(sunday, 0) == sunday
    with pytest.raises(ValueError):
        add_working_days(sunday, -1)


def test_between_is_antisymmetric() -> None:
    a, b = D(2025, 3, 3), D(2025, 3, 14)
    assert working_days_between(a, b) == 9
    assert working_days_between(b, a) == -9
    assert working_days_between(a, a) == 0


@settings(max_examples=150, deadline=None)
@given(d=days, n=st.integers(min_value=1, max_value=300))
def test_result_is_a_later_working_day(d: dt.date, n: int) -> None:
    result = add_working_days(d, n)
    assert result > d
    assert is_working_day(result)


@settings(max_examples=150, deadline=None)
@given(d=days, n=st.integers(min_value=0, max_value=300))
def test_strictly_increasing_in_n_and_inverse_of_between(d: dt.date, n: int) -> None:
    assert add_working_days(d, n + 1) > add_working_days(d, n)
    assert working_days_between(d, add_working_days(d, n)) == n
