"""The monthly routine's pure rules: a cell's meeting habits (to prefill this month's record)
and the score criteria that the recorded data decides.

Sources: Điều lệ Đảng, Điều 24 (a regular meeting every month); Chỉ thị 50-CT/TW, 23/7/2025 and
Hướng dẫn 42-HD/BTCTW, 28/10/2025 (duration, materials sent before the meeting, attendance are
criteria of the meeting's quality). The habit itself is no Party rule: it is what the cell did
in its last regular meetings, offered as a proposal the secretary can change.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .meetings import AUTO_KINDS, MeetingWarning, ScoringFramework, month_end

# How many of the cell's latest regular meetings make its habit.
HABIT_WINDOW = 6

# The kinds of ``auto`` criteria (:data:`dangvu.core.meetings.AUTO_KINDS`), by name.
AUTO_DURATION, AUTO_MATERIALS, AUTO_ATTENDANCE = AUTO_KINDS


@dataclass(frozen=True)
class PastMeeting:
    """What the habit reads of one earlier regular meeting."""

    held_on: dt.date
    starts_at: dt.time
    ends_at: dt.time
    place: str = ""
    chair_id: int | None = None
    materials_sent_on: dt.date | None = None


@dataclass(frozen=True)
class Habit:
    """The proposed record of this month's regular meeting (every field may be None or blank
    when the cell has no history for it)."""

    held_on: dt.date
    starts_at: dt.time | None
    ends_at: dt.time | None
    place: str
    chair_id: int | None
    materials_sent_on: dt.date | None


def _mode(values: Iterable[Hashable]) -> Any:
    """The most frequent value; ties go to the one seen first (the newest meeting)."""
    values = [v for v in values if v not in (None, "")]
    if not values:
        return None
    counts = Counter(values)
    best = max(counts.values())
    return next(v for v in values if counts[v] == best)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The ``nth`` (1-based; 5 = the last) ``weekday`` of the month."""
    first = dt.date(year, month, 1)
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    while day > month_end(year, month):
        day -= dt.timedelta(days=7)
    return day


def _usual_day(past: Sequence[PastMeeting], year: int, month: int) -> dt.date:
    """This month's day by the cell's habit: the usual weekday of the month (e.g. the second
    Tuesday) when that is at least as regular as the usual day of the month, else that day."""
    by_weekday = [(m.held_on.weekday(), (m.held_on.day - 1) // 7 + 1) for m in past]
    by_day = [m.held_on.day for m in past]
    weekday = _mode(by_weekday)
    day = _mode(by_day)
    if by_weekday.count(weekday) >= by_day.count(day):
        return _nth_weekday(year, month, *weekday)
    return dt.date(year, month, min(day, month_end(year, month).day))


def meeting_habit(past: Sequence[PastMeeting], today: dt.date) -> Habit:
    """This month's regular meeting as the cell usually holds it, from its latest regular meetings
    (newest first; at most :data:`HABIT_WINDOW` are read): the usual day (never after ``today``,
    since only a held meeting is recorded), times, place, chair, and the materials date at the
    usual lead time before the meeting. No history: today, everything else blank."""
    past = list(past)[:HABIT_WINDOW]
    if not past:
        return Habit(today, None, None, "", None, None)
    held_on = min(_usual_day(past, today.year, today.month), today)
    times = _mode((m.starts_at, m.ends_at) for m in past)
    lead = _mode((m.held_on - m.materials_sent_on).days for m in past
                 if m.materials_sent_on is not None and m.materials_sent_on <= m.held_on)
    return Habit(held_on=held_on, starts_at=times[0], ends_at=times[1], place=_mode(m.place for m in past) or "",
                 chair_id=_mode(m.chair_id for m in past),
                 materials_sent_on=held_on - dt.timedelta(days=lead) if lead is not None else None)


def _floor2(value: float) -> float:
    return math.floor(value * 100 + 1e-9) / 100


def data_points(framework: ScoringFramework, warnings: Iterable[MeetingWarning], present: int,
                expected: int) -> dict[str, float]:
    """Points of the framework's ``auto`` criteria, decided by the recorded meeting:

    - ``duration``: full points unless the meeting is too short (:func:`meeting_warnings`:
      90 minutes, 120 when combined — Chỉ thị 50-CT/TW; Hướng dẫn 42-HD/BTCTW), else 0;
    - ``materials``: full points unless the materials went out late or the date is not recorded
      (at least 1 day before — Hướng dẫn 42-HD/BTCTW), else 0;
    - ``attendance``: full points from the criterion's ``full_at`` rate (percent) upwards, below
      it in proportion (rounded down to 0.01); no one expected counts as full attendance.
    The thresholds come from the rule set (through the warnings) and the framework's data.
    """
    codes = {w.code for w in warnings}
    rate = 100.0 * present / expected if expected else 100.0
    out: dict[str, float] = {}
    for c in framework.auto_criteria:
        if c.auto == AUTO_DURATION:
            out[c.code] = 0.0 if "too_short" in codes else c.max_points
        elif c.auto == AUTO_MATERIALS:
            out[c.code] = 0.0 if "materials_late" in codes else c.max_points
        elif c.auto == AUTO_ATTENDANCE:
            full_at = c.full_at or 100.0
            out[c.code] = c.max_points if rate >= full_at else _floor2(c.max_points * rate / full_at)
    return out


def merge_points(framework: ScoringFramework, auto: Mapping[str, float],
                 manual: Mapping[str, float]) -> dict[str, float]:
    """A full score sheet: the data-decided points, and the person's points for the others."""
    auto_codes = {c.code for c in framework.auto_criteria}
    return {**{k: v for k, v in manual.items() if k not in auto_codes}, **auto}
