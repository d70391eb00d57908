"""Periods the indicators and reports look at: a year, a quarter, a congress term (pure Python)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dangvu.core import clock


@dataclass(frozen=True)
class Period:
    """A span of days [start, end], both inclusive, that an indicator looks at."""

    start: dt.date
    end: dt.date
    label: str = ""

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), f"năm {year}")

    @classmethod
    def quarter(cls, year: int, q: int) -> Period:
        start = dt.date(year, 3 * q - 2, 1)
        end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
        return cls(start, end, f"quý {q}/{year}")

    @classmethod
    def term(cls, first_year: int, last_year: int) -> Period:
        return cls(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31), f"nhiệm kỳ {first_year}–{last_year}")

    @property
    def as_of(self) -> dt.date:
        """The day a state indicator is read on: the period's end, or today if that is earlier."""
        return min(self.end, clock.today())
