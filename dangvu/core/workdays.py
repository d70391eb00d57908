"""Working days in Vietnam, for deadlines counted "within N working days".

Sources: Bộ luật Lao động 2019, Điều 111 (nghỉ hằng tuần) and Điều 112 (nghỉ lễ, Tết); Quyết định
188/1999/QĐ-TTg (state bodies work Monday–Friday); the government's yearly notices that fix the
Tết days and swap a working Saturday for a bridging weekday (e.g. Thông báo 6150/TB-BLĐTBXH, 2024,
for Tết 2025).
Party deadlines counted in working days: Quy định 232-QĐ/TW, 20/1/2025; Hướng dẫn 06-HD/TW, 9/6/2025.

The calendar is the ``holidays`` package's Vietnam calendar (``holidays.country_holidays("VN")``).
As shipped (0.108) it holds, per year:

- Tết Dương lịch (1/1); Tết Nguyên Đán: the lunar New Year's Eve and days 1–4 (5 days, since 2013),
  with a day that falls on a weekend moved to the nearest weekday ("29 Tết", "Mùng năm Tết"), so a
  Tết week always costs five weekdays, as the yearly notices decide;
- Giỗ Tổ Hùng Vương (10/3 lunar), 30/4, 1/5, Quốc khánh 2/9 plus one adjacent day (since 2021),
  Ngày Văn hóa Việt Nam 24/11 (from 2026); a holiday on a weekend is observed on the next weekday;
- swapped days decided by the government (e.g. Friday 2/5/2025 off, Saturday 26/4/2025 worked).

A working day here is exactly what the product contract says: a Monday–Friday that is none of
those holidays. A Saturday the government makes a working day in exchange for a bridging day off is
deliberately *not* counted, so every deadline is reproducible from the calendar alone. For future
years the package knows only the statutory days; swaps are added when the government announces them.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

_ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=256)
def _calendar(year: int) -> frozenset[dt.date]:
    """Holidays falling in ``year``.

    Neighbouring years are generated too: a swap decided in one year's notice may fall in the
    previous one (Friday 2/1/2015 off for Saturday 27/12/2014 worked).
    """
    cal = holidays.country_holidays("VN", years=(year - 1, year, year + 1))
    return frozenset(d for d in cal if d.year == year)


def is_working_day(d: dt.date) -> bool:
    """True when ``d`` is a working day of state bodies in Vietnam (see the module docstring).

    Source: Bộ luật Lao động 2019, Điều 111–112; Quyết định 188/1999/QĐ-TTg; yearly holiday notices.
    """
    return d.weekday() < 5 and d not in _calendar(d.year)


@lru_cache(maxsize=65536)  # pure in (d, n): a root's pages ask for the same few thousand dates again and again
def add_working_days(d: dt.date, n: int) -> dt.date:
    """The ``n``-th working day strictly after ``d`` — the last day of "within n working days of d".

    The day of the event itself does not count, whether or not it is a working day (Bộ luật Dân sự
    2015, Điều 147: a period starts on the day after the event). ``n = 0`` returns ``d`` unchanged
    (no time allowed); a negative ``n`` raises ValueError.
    Source: Quy định 232-QĐ/TW, 20/1/2025; Hướng dẫn 06-HD/TW, 9/6/2025 (deadlines in working days).
    """
    if n < 0:
        raise ValueError(f"Số ngày làm việc không được âm: {n}")
    day = d
    while n:
        day += _ONE_DAY
        if is_working_day(day):
            n -= 1
    return day


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days strictly after ``a`` up to and including ``b``.

    So ``working_days_between(d, add_working_days(d, n)) == n``. When ``b`` is before ``a`` the
    count is negative: minus the working days strictly after ``b`` up to and including ``a``.
    Source: Bộ luật Lao động 2019, Điều 111–112.
    """
    if b < a:
        return -working_days_between(b, a)
    count = 0
    day = a + _ONE_DAY
    while day <= b:
        count += is_working_day(day)
        day += _ONE_DAY
    return count
