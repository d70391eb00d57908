"""Dates typed by people: reading "05/03/2026" and "2026-03-05", and the range a recorded date may fall in.

Every message is plain Vietnamese for the person who typed the date: a day that does not exist says
so ("Ngày 31/02/2026 không có"), a malformed text shows the expected form with an example, and a date
outside the range names the bound. Pure Python: the web forms, the services and the Excel import
share these rules.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from .rulesets import RuleSet, ruleset_for

# d/m/yyyy or d-m-yyyy or d.m.yyyy (day first, as Vietnamese write dates), or yyyy-mm-dd (the browser's).
_DAY_FIRST = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

FORMAT_HINT = "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/03/2026."


class DateProblem(ValueError):
    """A date that cannot be read or may not be recorded; ``str()`` is the message for the user."""


def parse_date(text: str) -> dt.date:
    """The date in ``text`` (day/month/year or the browser's year-month-day), else DateProblem.

    "31/02/2026" → "Ngày 31/02/2026 không có."; "13/13/2026" → the month does not exist;
    "abc" → the expected form with an example. Digits must be ASCII.
    """
    raw = str(text).strip()
    if not raw.isascii():
        raise DateProblem(FORMAT_HINT)
    if m := _DAY_FIRST.match(raw):
        day, month, year = (int(g) for g in m.groups())
    elif m := _YEAR_FIRST.match(raw):
        year, month, day = (int(g) for g in m.groups())
    else:
        raise DateProblem(FORMAT_HINT)
    if not 1 <= month <= 12:
        raise DateProblem(f"Tháng {month} không có: tháng chỉ từ 1 đến 12. {FORMAT_HINT}")
    if year < 1 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise DateProblem(f"Ngày {day:02d}/{month:02d}/{year:04d} không có.")
    return dt.date(year, month, day)


def earliest_date(rs: RuleSet | None = None) -> dt.date:
    """The first day a party record may carry: 1/1 of the year the Party was founded (3/2/1930).

    Source: Đảng Cộng sản Việt Nam thành lập ngày 3/2/1930 (parameter ``dates.earliest``).
    """
    value = (rs or ruleset_for())["dates.earliest"]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def latest_date(today: dt.date, years_ahead: int) -> dt.date:
    """31/12 of the year ``years_ahead`` after today's: later dates are typing slips (a plan's
    deadline next year is the furthest a record looks ahead). A plausibility bound, not a Party rule."""
    return dt.date(today.year + years_ahead, 12, 31)


def bound_problem(value: dt.date, low: dt.date, high: dt.date) -> str | None:
    """None when ``low <= value <= high``; else a message naming the bound that is crossed."""
    if value < low:
        return f"Ngày {value:%d/%m/%Y} quá sớm: không ghi ngày trước {low:%d/%m/%Y}."
    if value > high:
        return f"Ngày {value:%d/%m/%Y} quá xa: không ghi ngày sau {high:%d/%m/%Y}."
    return None


def birth_problem(birth: dt.date, today: dt.date, max_age_years: int) -> str | None:
    """None for a plausible birth date: not after today, not more than ``max_age_years`` ago.

    The upper age is a plausibility bound (a typing slip such as 1900 for 1990), not a Party rule.
    """
    if birth > today:
        return "Ngày sinh không thể ở tương lai."
    oldest = oldest_birth(today, max_age_years)
    if birth < oldest:
        return f"Ngày sinh {birth:%d/%m/%Y} quá sớm: không ghi ngày sinh trước {oldest:%d/%m/%Y}."
    return None


def oldest_birth(today: dt.date, max_age_years: int) -> dt.date:
    """The earliest plausible birth date: the same day ``max_age_years`` before today (28/2 for 29/2)."""
    year = today.year - max_age_years
    day = today
    return dt.date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))
