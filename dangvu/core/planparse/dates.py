"""Dates as Vietnamese party documents write them, matched on folded text."""

from __future__ import annotations

import calendar
import datetime as dt
import re

# "16/6/2022", "16-6-2022", "16.6.2022", "16 / 6 / 2022" (OCR spacing).
DMY = r"(\d{1,2})\s{0,2}[/.\-]\s{0,2}(\d{1,2})\s{0,2}[/.\-]\s{0,2}((?:19|20)\d{2})"
# "22 tháng 01 năm 2026" (folded).
LONG = r"(\d{1,2})\s{1,3}thang\s{1,3}(\d{1,2})\s{1,3}(?:nam|,)\s{0,3}((?:19|20)\d{2})"
# A date, "ngày" optional before it.
DATE = rf"(?:ngay\s{{0,3}})?(?:{DMY}|{LONG})"
DATE_RE = re.compile(DATE)
# "tháng 6/2023", "tháng 6 năm 2023", "tháng 02-2025".
MONTH = r"thang\s{0,3}(\d{1,2})\s{0,2}(?:/|-|\.|\s{1,3}nam\s{1,3})\s{0,2}((?:19|20)\d{2})"
# OCR reads the I of a quarter's numeral as 1 or l ("Quý 11/2026", "quý lV"); no quarter is 11.
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4, "11": 2, "111": 3, "1v": 4, "ll": 2, "lll": 3, "lv": 4}
QUARTER = r"quy\s{1,3}(iv|iii|ii|i|[1-4])\s{0,2}(?:/|-|\s{1,3}nam\s{1,3}|\s{1,3})\s{0,2}((?:19|20)\d{2})"


def make(year: int | str, month: int | str, day: int | str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def month_end(year: int | str, month: int | str) -> dt.date | None:
    y, m = int(year), int(month)
    if not 1 <= m <= 12:
        return None
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def month_start(year: int | str, month: int | str) -> dt.date | None:
    return make(year, month, 1)


def quarter_bounds(q: str, year: int | str) -> tuple[dt.date, dt.date]:
    n = ROMAN[q]
    start = dt.date(int(year), 3 * n - 2, 1)
    end = month_end(year, 3 * n)
    assert end is not None
    return start, end


def from_match(groups: tuple[str | None, ...]) -> dt.date | None:
    """The date of a ``DATE_RE`` match (its six groups, one triple filled)."""
    d, m, y = groups[0:3] if groups[0] else groups[3:6]
    return make(y, m, d) if d else None


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
