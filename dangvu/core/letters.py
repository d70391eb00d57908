"""Letters (đơn thư): complaints, denunciations and reports sent to a party committee and its
inspection commission — how each is handled, its deadline, and whether it was settled in time.

Sources: Quy định 22-QĐ/TW, 28/7/2021 (công tác kiểm tra, giám sát và kỷ luật của Đảng) and
Hướng dẫn 02-HD/TW, 9/12/2021. The number of days per kind and level is a rule-set parameter
(``letters.deadline_days``) the province sets; the shipped defaults are unconfirmed. So is the
handling of anonymous letters (``letters.anonymous_reference_kinds``): a complaint or a
denunciation that is anonymous, under a false name or without an address is recorded but not
handled as such; it is kept for reference (lưu để tham khảo) and has no deadline.

Pure functions: no Django, the rule set is passed in.
"""

from __future__ import annotations

import datetime as dt

from .rulesets import RuleSet

KINDS: tuple[str, ...] = ("complaint", "denunciation", "report")
"""khiếu nại, tố cáo, phản ánh."""

LEVELS: tuple[str, ...] = ("grassroots", "upper", "province")
"""The level of the body handling a letter: grassroots (its cells and sub-committees included),
the upper level directly above the grassroots, the province."""

HANDLE = "handle"
REFERENCE = "reference"
HANDLINGS: tuple[str, ...] = (HANDLE, REFERENCE)

_LEVEL_OF_ORG_KIND = {"province": "province", "upper": "upper"}


def level_of(org_kind: str) -> str:
    """The level of an organization of kind ``org_kind`` (Organization.kind): a province, the
    upper level, else the grassroots (a grassroots committee or cell and everything below it)."""
    return _LEVEL_OF_ORG_KIND.get(org_kind, "grassroots")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"Loại đơn thư không hợp lệ: {kind!r}")


def handling(kind: str, anonymous: bool, rs: RuleSet) -> str:
    """``reference`` for an anonymous letter of a kind the rule set keeps for reference only
    (by default complaints and denunciations: Quy định 22-QĐ/TW; Hướng dẫn 02-HD/TW — unconfirmed),
    else ``handle``: the letter is settled by its deadline."""
    _check_kind(kind)
    if anonymous and kind in rs["letters.anonymous_reference_kinds"]:
        return REFERENCE
    return HANDLE


def deadline_days(kind: str, level: str, rs: RuleSet) -> int:
    """Days allowed to settle a letter of ``kind`` at ``level`` (``letters.deadline_days``)."""
    _check_kind(kind)
    if level not in LEVELS:
        raise ValueError(f"Cấp giải quyết không hợp lệ: {level!r}")
    days = int(rs["letters.deadline_days"][kind][level])
    if days <= 0:
        raise ValueError(f"Thời hạn giải quyết phải dương: {days}")
    return days


def letter_deadline(received_on: dt.date, kind: str, level: str, anonymous: bool, rs: RuleSet) -> dt.date | None:
    """The last day to settle the letter: the received day plus the days of its kind and level
    (the deadline day itself is in time), or None when it is kept for reference only."""
    if handling(kind, anonymous, rs) == REFERENCE:
        return None
    return received_on + dt.timedelta(days=deadline_days(kind, level, rs))


def on_time(deadline: dt.date | None, closed_on: dt.date | None) -> bool:
    """Settled by its deadline (a letter with no deadline is never counted late)."""
    return closed_on is not None and (deadline is None or closed_on <= deadline)


def state(today: dt.date, deadline: dt.date | None, closed_on: dt.date | None) -> str:
    """``on_time`` / ``late`` once settled, ``overdue`` when open after its deadline, ``open``
    otherwise (``reference`` letters have no deadline and are never overdue)."""
    if closed_on is not None:
        return "on_time" if on_time(deadline, closed_on) else "late"
    if deadline is not None and today > deadline:
        return "overdue"
    return "open"


def alert_severity(today: dt.date, deadline: dt.date | None, closed_on: dt.date | None, near_days: int) -> str | None:
    """The alert of an open letter: ``passed`` after its deadline, ``near`` within ``near_days``
    of it (``alerts.letter_near_days``), none otherwise or once settled."""
    if near_days < 0:
        raise ValueError(f"Số ngày cảnh báo không được âm: {near_days}")
    if closed_on is not None or deadline is None:
        return None
    if today > deadline:
        return "passed"
    return "near" if (deadline - today).days <= near_days else None


def counted_for_share(as_of: dt.date, deadline: dt.date | None, closed_on: dt.date | None) -> bool:
    """Whether a letter counts in the share settled on time read on ``as_of``: a letter to be
    handled whose outcome is known by then (settled by ``as_of``, or its deadline passed)."""
    if deadline is None:
        return False
    return (closed_on is not None and closed_on <= as_of) or deadline < as_of
