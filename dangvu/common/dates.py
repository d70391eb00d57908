"""The range of dates a person may type, shared by forms, services and imports (issue 13).

The earliest date is the rule set's ``dates.earliest`` (1/1/1930, the year the Party was founded);
the latest and the oldest birth date are plausibility settings (``DANGVU_DATE_YEARS_AHEAD``,
``DANGVU_BIRTH_MAX_AGE_YEARS``), not Party rules. The rules themselves are :mod:`dangvu.core.dates`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from dangvu.core import clock, dates
from dangvu.core.rulesets import ruleset_for


def date_bounds(ahead_terms: int = 0) -> tuple[dt.date, dt.date]:
    """(earliest, latest) date a form accepts: 1/1/1930 (the rule set's ``dates.earliest``, the year
    the Party was founded) to 31/12 of the year ``DANGVU_DATE_YEARS_AHEAD`` after this one (a
    plausibility setting: later dates are typing slips). Planning dates look further ahead:
    ``ahead_terms`` terms of the rule set's ``indicators.term_years`` (a plan's deadlines: one term;
    the congress of the term after next, prepared in the test and demo worlds: two)."""
    today = clock.today()
    rs = ruleset_for(today)
    ahead = rs["indicators.term_years"] * ahead_terms if ahead_terms else settings.DANGVU_DATE_YEARS_AHEAD
    return dates.earliest_date(rs), dates.latest_date(today, ahead)


def birth_bounds() -> tuple[dt.date, dt.date]:
    """(earliest, latest) birth date: ``DANGVU_BIRTH_MAX_AGE_YEARS`` ago (a plausibility setting) to today."""
    today = clock.today()
    return dates.oldest_birth(today, settings.DANGVU_BIRTH_MAX_AGE_YEARS), today


def check_date(value: dt.date | None) -> str | None:
    """None when a recorded (non-birth) date lies within :func:`date_bounds`, else why not (Vietnamese)."""
    return dates.bound_problem(value, *date_bounds()) if value else None


def check_birth_date(value: dt.date | None) -> str | None:
    """None for a plausible birth date (:func:`birth_bounds`), else why not (Vietnamese)."""
    today = clock.today()
    return dates.birth_problem(value, today, settings.DANGVU_BIRTH_MAX_AGE_YEARS) if value else None
