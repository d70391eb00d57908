"""Prospect checks: age in full months, certificate, introducer, stale dossier, the 2/3 vote."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangvu.core.admission import (
    age_check,
    age_in_full_months,
    course_certificate_expires,
    course_certificate_valid,
    dossier_stale,
    introducer_check,
    parse_term,
    resolution_passes,
)
from dangvu.core.rulesets import ruleset_for

D = dt.date
RS = ruleset_for(D(2025, 6, 1))


def test_full_months() -> None:
    assert age_in_full_months(D(2000, 1, 31), D(2000, 2, 28)) == 0
    assert age_in_full_months(D(2000, 1, 31), D(2000, 2, 29)) == 1
    assert age_in_full_months(D(2008, 2, 29), D(2026, 2, 27)) == 215
    assert age_in_full_months(D(2008, 2, 29), D(2026, 2, 28)) == 216
    assert age_in_full_months(D(1990, 5, 10), D(1990, 5, 10)) == 0
    with pytest.raises(ValueError):
        age_in_full_months(D(1990, 5, 10), D(1990, 5, 9))


def test_age_limits() -> None:
    assert "Chưa đủ 18" in (age_check(D(2007, 3, 10), D(2025, 3, 9), RS) or "")
    assert age_check(D(2007, 3, 10), D(2025, 3, 10), RS) is None
    # 60 years and 30 days: still 720 full months, eligible.
    assert age_check(D(1965, 3, 10), D(2025, 4, 9), RS) is None
    over = age_check(D(1965, 3, 10), D(2025, 4, 10), RS)
    assert over is not None and "Quá 60" in over and "60 tuổi 1 tháng" in over


@given(
    birth=st.dates(min_value=D(1930, 1, 1), max_value=D(2010, 12, 31)),
    a=st.integers(min_value=0, max_value=40000),
    b=st.integers(min_value=0, max_value=40000),
)
def test_age_monotone_in_on(birth: dt.date, a: int, b: int) -> None:
    a, b = sorted((a, b))
    early, late = birth + dt.timedelta(days=a), birth + dt.timedelta(days=b)
    assert age_in_full_months(birth, early) <= age_in_full_months(birth, late)


def test_course_certificate() -> None:
    assert course_certificate_expires(D(2020, 6, 1), RS) == D(2025, 6, 1)
    assert course_certificate_valid(D(2020, 6, 1), D(2025, 6, 1), RS)
    assert not course_certificate_valid(D(2020, 6, 1), D(2025, 6, 2), RS)
    assert not course_certificate_valid(D(2020, 6, 1), D(2020, 5, 31), RS)
    three = RS.with_overrides({"admission.course_certificate_valid_years": 3}, by="Tỉnh ủy thử")
    assert course_certificate_expires(D(2020, 2, 29), three) == D(2023, 2, 28)


def test_introducer() -> None:
    assert introducer_check(D(2024, 5, 10), None, D(2025, 5, 10), RS) is None
    short = introducer_check(D(2024, 5, 10), None, D(2025, 5, 9), RS)
    assert short is not None and "chưa đủ 1 năm" in short
    assert "chưa là đảng viên chính thức" in (introducer_check(None, None, D(2025, 5, 9), RS) or "")
    worked = introducer_check(D(2010, 1, 1), D(2024, 6, 1), D(2025, 5, 10), RS)
    assert worked is not None and "cùng công tác" in worked
    assert introducer_check(D(2010, 1, 1), D(2024, 5, 10), D(2025, 5, 10), RS) is None


def test_dossier_stale() -> None:
    assert not dossier_stale(D(2024, 3, 15), D(2025, 3, 15), RS)
    assert dossier_stale(D(2024, 3, 15), D(2025, 3, 16), RS)


@pytest.mark.parametrize(
    "in_favour, members, passes",
    [(6, 9, True), (5, 9, False), (2, 3, True), (1, 3, False), (7, 10, True), (6, 10, False), (20, 30, True)],
)
def test_two_thirds(in_favour: int, members: int, passes: bool) -> None:
    assert resolution_passes(in_favour, members, RS) is passes


@given(members=st.integers(min_value=1, max_value=500), data=st.data())
def test_two_thirds_matches_exact_fraction(members: int, data: st.DataObject) -> None:
    in_favour = data.draw(st.integers(min_value=0, max_value=members))
    assert resolution_passes(in_favour, members, RS) is (Fraction(in_favour, members) >= Fraction(2, 3))


def test_vote_share_override_and_bad_counts() -> None:
    half = RS.with_overrides({"admission.cell_vote_share": 0.5}, by="thử")
    assert resolution_passes(5, 10, half)
    with pytest.raises(ValueError):
        resolution_passes(11, 10, RS)
    with pytest.raises(ValueError):
        resolution_passes(0, 0, RS)


def test_parse_term() -> None:
    assert parse_term("2025-2030") == (2025, 2030)
    assert parse_term(" 2020 – 2025 ") == (2020, 2025)
    assert parse_term("2020—2025") == (2020, 2025)
    for bad in ("2025", "", None, "25-30", "2030-2025", "1920-1925", "2025-2040", "abcd-efgh"):
        with pytest.raises(ValueError):
            parse_term(bad)


@given(st.integers(1930, 2200), st.integers(1, 10))
def test_parse_term_round_trip(first: int, span: int) -> None:
    assert parse_term(f"{first}-{first + span}") == (first, first + span)
