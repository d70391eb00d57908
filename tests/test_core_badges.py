"""Party badges (Hướng dẫn 01-HD/TW, 2021, mục 18): party age in days, the badge due on an occasion,
early award for serious illness at the window's boundary, posthumous award, excluded periods."""

from __future__ import annotations

import datetime as dt

import pytest

from dangvu.core.badges import (
    OccasionError,
    badge_due,
    badge_years,
    check_occasion,
    early_months,
    in_party_spans,
    occasions,
    party_age_days,
    reached_on,
)
from dangvu.core.rulesets import ruleset_for

RS = ruleset_for(dt.date(2026, 2, 3))
D = dt.date


def test_rule_set_carries_the_badge_parameters_in_both_rule_sets():
    assert badge_years(RS) == [30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90]
    old = ruleset_for(D(2020, 1, 1))
    assert badge_years(old) == badge_years(RS)  # the 2025 rule set inherits them
    assert "01-HD/TW" in RS.source("badges.years")
    assert [early_months(y, RS) for y in (30, 65, 70, 90)] == [12, 12, 24, 24]
    assert occasions(2026, RS) == [D(2026, 2, 3), D(2026, 5, 19), D(2026, 9, 2), D(2026, 11, 7)]


def test_a_day_that_is_not_an_occasion_is_named_with_the_occasions():
    check_occasion(D(2026, 11, 7), RS)
    with pytest.raises(OccasionError, match="3/2, 19/5, 2/9, 7/11"):
        check_occasion(D(2026, 11, 8), RS)


def test_party_age_in_days_counts_from_the_admission_decision():
    spans = in_party_spans(D(1996, 2, 3), [("admit", D(1996, 2, 3)), ("recognize_full", D(1997, 2, 3))], RS)
    assert spans == [(D(1996, 2, 3), None)]
    assert party_age_days(spans, D(1996, 2, 3)) == 0
    assert party_age_days(spans, D(1997, 2, 3)) == 366  # 1996 is a leap year
    assert party_age_days(spans, D(2026, 2, 3)) == 10958  # 30 × 365 + 8 leap days
    assert reached_on(spans, 30) == D(2026, 2, 3)


def test_admitted_on_29_february_reaches_the_badge_on_28_february():
    spans = in_party_spans(D(1996, 2, 29), [], RS)
    assert reached_on(spans, 30) == D(2026, 2, 28)
    assert badge_due(D(1996, 2, 29), [], D(2026, 2, 3), [], RS) is None
    due = badge_due(D(1996, 2, 29), [], D(2026, 5, 19), [], RS)
    assert (due.badge, due.party_age_days, due.early) == (30, 11037, False)


def test_a_period_struck_off_before_re_admission_is_excluded():
    events = [("strike_off", D(2000, 1, 1)), ("admit", D(2000, 3, 1))]  # 60 days out (2000 is leap)
    spans = in_party_spans(D(1990, 1, 1), events, RS)
    assert spans == [(D(1990, 1, 1), D(2000, 1, 1)), (D(2000, 3, 1), None)]
    assert party_age_days(spans, D(2020, 2, 3)) == (D(2020, 2, 3) - D(1990, 1, 1)).days - 60
    assert reached_on(spans, 30) == D(2020, 3, 1)  # 1/1/2020 pushed back by the 60 days
    assert badge_due(D(1990, 1, 1), events, D(2020, 2, 3), [], RS) is None
    assert badge_due(D(1990, 1, 1), [], D(2020, 2, 3), [], RS).badge == 30  # without the gap: due


def test_out_of_the_party_now_means_no_badge():
    assert badge_due(D(1980, 1, 1), [("expel", D(2015, 1, 1))], D(2026, 2, 3), [], RS) is None


def test_each_badge_once_and_the_highest_reached_above_the_last_awarded():
    # 42 years of party age on 3/2/2026
    assert badge_due(D(1984, 1, 1), [], D(2026, 2, 3), [], RS).badge == 40
    assert badge_due(D(1984, 1, 1), [], D(2026, 2, 3), [30], RS).badge == 40
    assert badge_due(D(1984, 1, 1), [], D(2026, 2, 3), [30, 40], RS) is None
    assert badge_due(D(1984, 1, 1), [], D(2026, 2, 3), [45], RS) is None


@pytest.mark.parametrize(("admitted_on", "due"), [
    (D(1996, 2, 3), False),   # reaches 30 on the occasion: due normally, not early
    (D(1997, 2, 3), True),    # reaches 30 exactly 12 months after: early
    (D(1997, 2, 4), None),    # 12 months and a day: too early
])
def test_early_award_for_serious_illness_up_to_twelve_months_for_thirty_years(admitted_on, due):
    got = badge_due(admitted_on, [], D(2026, 2, 3), [], RS, seriously_ill=True)
    assert (None if got is None else got.early) == due
    if got is not None:
        assert got.badge == 30


def test_early_award_up_to_twenty_four_months_from_seventy_years():
    # 68 years on 3/2/2026 and awarded 65: 70 is reached on 3/2/2028, exactly 24 months later
    got = badge_due(D(1958, 2, 3), [], D(2026, 2, 3), [30, 40, 45, 50, 55, 60, 65], RS, seriously_ill=True)
    assert (got.badge, got.early, got.reached_on) == (70, True, D(2028, 2, 3))
    assert badge_due(D(1958, 2, 4), [], D(2026, 2, 3), [65], RS, seriously_ill=True) is None
    # 64 years: the 65 badge only 12 months early, so 13 months before is refused
    assert badge_due(D(1962, 3, 3), [], D(2026, 2, 3), [60], RS, seriously_ill=True) is None
    assert badge_due(D(1962, 2, 4), [], D(2026, 2, 3), [60], RS, seriously_ill=True) is None
    got = badge_due(D(1962, 2, 3), [], D(2026, 2, 3), [60], RS, seriously_ill=True)
    assert (got.badge, got.early, got.reached_on) == (65, True, D(2027, 2, 3))
    # not ill: nothing early
    assert badge_due(D(1962, 2, 3), [], D(2026, 2, 3), [60], RS) is None


def test_posthumous_award_needs_the_age_reached_while_alive():
    got = badge_due(D(1990, 1, 1), [], D(2026, 2, 3), [], RS, died_on=D(2025, 6, 1))
    assert (got.badge, got.posthumous, got.early) == (30, True, False)
    assert got.party_age_days == (D(2025, 6, 1) - D(1990, 1, 1)).days  # age stops at death
    assert badge_due(D(1996, 1, 1), [], D(2026, 2, 3), [], RS, died_on=D(2025, 6, 1)) is None
    # no early award after death, even if marked ill
    assert badge_due(D(1996, 1, 1), [], D(2026, 2, 3), [], RS, died_on=D(2025, 6, 1), seriously_ill=True) is None
    # struck off and died later: not posthumous
    assert badge_due(D(1980, 1, 1), [("strike_off", D(2015, 1, 1))], D(2026, 2, 3), [], RS,
                     died_on=D(2020, 1, 1)) is None


def test_the_exclusions_are_rule_set_parameters():
    rs = RS.with_overrides({"badges.out_events": ["strike_off"]}, by="tỉnh")
    events = [("expel", D(2000, 1, 1)), ("admit", D(2000, 3, 1))]
    assert in_party_spans(D(1990, 1, 1), events, rs) == [(D(1990, 1, 1), None)]
    no_early = RS.with_overrides({"badges.early_months": {30: 0}}, by="tỉnh")
    assert badge_due(D(1997, 2, 3), [], D(2026, 2, 3), [], no_early, seriously_ill=True) is None


def test_next_occasion_is_the_first_on_or_after_the_day():
    from dangvu.core.badges import next_occasion

    assert next_occasion(D(2026, 2, 3), RS) == D(2026, 2, 3)
    assert next_occasion(D(2026, 2, 4), RS) == D(2026, 5, 19)
    assert next_occasion(D(2026, 11, 8), RS) == D(2027, 2, 3)
