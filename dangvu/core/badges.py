"""Party badges (Huy hiệu Đảng): party age, the badge due on an occasion, early and posthumous award.

Source: Hướng dẫn 01-HD/TW, 28/9/2021, mục 18 (thi hành Điều lệ Đảng). Badges are given at
30, 40, 45 … 90 years of party age, at the grassroots on 3/2, 19/5, 2/9 and 7/11; a seriously ill
member may receive a 30–65-year badge up to 12 months early and a 70–90-year badge up to 24
months early; a badge may be awarded posthumously. Party age counts from the admission decision
date, less the periods out of the Party. Every one of these numbers and lists is a parameter of
the rule set (``badges.*``); nothing here is a literal. Pure Python, no Django.

How "N years of party age" is read: the member has been in the Party for as many days as lie
between the admission date and the same date N years later. Without a gap that is the N-th
anniversary (29/2 → 28/2 in a common year); a gap out of the Party pushes it back by the gap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from .rulesets import RuleSet

SOURCE = "Hướng dẫn 01-HD/TW, 28/9/2021, mục 18"
DEATH_EVENT = "death"  # party age ends on the day of death (the lifecycle event's name)

Span = tuple[dt.date, dt.date | None]  # [start, end): end None while still in the Party


class OccasionError(ValueError):
    """A date that is not one of the rule set's award occasions; the message is plain Vietnamese."""


@dataclass(frozen=True)
class BadgeDue:
    """The badge one member may be proposed for on an occasion."""

    badge: int                # years
    party_age_days: int       # in the Party up to the occasion (or death)
    reached_on: dt.date       # the day the member reaches (reached) the badge's party age
    early: bool = False       # proposed before reaching it, for serious illness
    posthumous: bool = False  # the member has died (truy tặng)


def badge_years(rs: RuleSet) -> list[int]:
    """The badge milestones in years, ascending (Hướng dẫn 01-HD/TW, mục 18)."""
    return sorted(int(y) for y in rs["badges.years"])


def early_months(years: int, rs: RuleSet) -> int:
    """How many months early a seriously ill member may receive the ``years`` badge: the entry of
    ``badges.early_months`` with the largest threshold not above ``years`` (Hướng dẫn 01-HD/TW,
    mục 18: 12 months for 30–65 years, 24 for 70–90)."""
    table = sorted((int(k), int(v)) for k, v in dict(rs["badges.early_months"]).items())
    months = 0
    for threshold, value in table:
        if years >= threshold:
            months = value
    return months


def occasions(year: int, rs: RuleSet) -> list[dt.date]:
    """The award occasions of one year, in date order (``badges.occasions``, "dd/mm")."""
    days = []
    for text in rs["badges.occasions"]:
        day, month = (int(p) for p in str(text).split("/"))
        days.append(dt.date(year, month, day))
    return sorted(days)


def is_occasion(day: dt.date, rs: RuleSet) -> bool:
    return day in occasions(day.year, rs)


def occasions_text(rs: RuleSet) -> str:
    """"3/2, 19/5, 2/9, 7/11": the occasions as a sentence says them."""
    return ", ".join(f"{d.day}/{d.month}" for d in occasions(2000, rs))


def check_occasion(day: dt.date, rs: RuleSet) -> None:
    """Refuse a date that is not an occasion, naming the occasions (for forms that require one)."""
    if not is_occasion(day, rs):
        raise OccasionError(f"Ngày {day:%d/%m/%Y} không phải dịp tặng Huy hiệu Đảng "
                            f"(các dịp: {occasions_text(rs)}).")


def in_party_spans(admitted_on: dt.date, events: Iterable[tuple[str, dt.date]], rs: RuleSet) -> list[Span]:
    """The periods the member was in the Party, from the admission decision: an event of
    ``badges.out_events`` (strike-off, expulsion) ends a period, a later event of
    ``badges.return_events`` (re-admission) opens the next; death ends the last one.

    ``events`` are the member's history (event name, date) in any order; events on or before the
    admission date (the admission itself) are ignored.
    """
    out = set(rs["badges.out_events"])
    back = set(rs["badges.return_events"])
    spans: list[Span] = []
    start: dt.date | None = admitted_on
    for name, on in sorted(((n, d) for n, d in events if d > admitted_on), key=lambda e: e[1]):
        if name == DEATH_EVENT:
            if start is not None:
                spans.append((start, on))
            return spans  # nothing reopens after death
        if start is not None and name in out:
            spans.append((start, on))
            start = None
        elif start is None and name in back:
            start = on
    if start is not None:
        spans.append((start, None))
    return spans


def party_age_days(spans: Sequence[Span], on: dt.date) -> int:
    """Days in the Party before ``on`` (the day itself not counted: admitted today → 0)."""
    total = 0
    for start, end in spans:
        stop = on if end is None else min(end, on)
        if stop > start:
            total += (stop - start).days
    return total


def reached_on(spans: Sequence[Span], years: int) -> dt.date | None:
    """The day the member's party age reaches ``years``, or None if they left before that."""
    if not spans:
        return None
    first = spans[0][0]
    need = (first + relativedelta(years=years) - first).days
    for start, end in spans:
        length = None if end is None else (end - start).days
        if length is None or need <= length:
            return start + dt.timedelta(days=need)
        need -= length
    return None


def badge_due(admitted_on: dt.date | None, events: Iterable[tuple[str, dt.date]], occasion: dt.date,
              awarded: Iterable[int], rs: RuleSet, *, seriously_ill: bool = False,
              died_on: dt.date | None = None) -> BadgeDue | None:
    """The badge a member may be proposed for on ``occasion``, or None.

    - Only a badge above the highest one already awarded; each badge once. Of those reached by the
      occasion, the highest (a member who missed one milestone is proposed for the one reached).
    - ``seriously_ill``: a badge reached no later than its early window after the occasion is due
      early (12 months for 30–65 years, 24 for 70–90, from the rule set), if above the one reached.
    - ``died_on``: party age stops at death; the badge is posthumous and must have been reached
      while the member was alive; no early award after death.
    (Hướng dẫn 01-HD/TW, 28/9/2021, mục 18.)
    """
    if admitted_on is None or admitted_on > occasion:
        return None
    events = list(events)
    if died_on is not None:
        if not rs["badges.posthumous"]:
            return None
        events.append((DEATH_EVENT, died_on))
    spans = in_party_spans(admitted_on, events, rs)
    if spans and spans[-1][1] is not None and spans[-1][1] != died_on:
        return None  # out of the Party now (or left before dying): nothing to propose
    floor = max((int(a) for a in awarded), default=0)
    candidates = [y for y in badge_years(rs) if y > floor]
    age = party_age_days(spans, occasion)
    normal = early = None
    for years in candidates:
        day = reached_on(spans, years)
        if day is None:
            continue
        if day <= occasion:
            normal = (years, day)
        elif seriously_ill and died_on is None and day - relativedelta(months=early_months(years, rs)) <= occasion:
            early = (years, day)
    if early is not None:
        return BadgeDue(early[0], age, early[1], early=True)
    if normal is not None:
        return BadgeDue(normal[0], age, normal[1], posthumous=died_on is not None)
    return None


def next_occasion(day: dt.date, rs: RuleSet) -> dt.date:
    """The first award occasion on or after ``day``."""
    for occ in occasions(day.year, rs) + occasions(day.year + 1, rs):
        if occ >= day:
            return occ
    raise OccasionError("Bộ quy định không có dịp tặng Huy hiệu Đảng nào.")
