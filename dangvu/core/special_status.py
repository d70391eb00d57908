"""Special statuses of a member on the rolls: temporary exemption, working far away, abroad.

They are dated periods beside the member's status (which stays probationary, full or — the
permanent exemption — exempt): a temporary exemption (tạm miễn sinh hoạt) has an end date and a
reason; a member working far away (đi làm ăn xa) or abroad (ra nước ngoài) has a place and an end
date. The member stays on the rolls; while a period of a kind the rule set names
(``status.not_expected_at_meetings``) covers a meeting's day, the member is not expected at it.
A period ends on its date by itself: everything here is computed from the dates.

Sources: Điều lệ Đảng, Điều 7 (exemption from work and meetings: the cell decides on the member's
application); Quy định 29-QĐ/TW, 2016 (temporary transfer 3 months to under 1 year, the longest
period by default); Hướng dẫn 01-HD/TW, 28/9/2021 (members working far away or abroad; which
of them the cell still expects at meetings is unconfirmed: a rule-set parameter).
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from .rulesets import RuleSet, ruleset_for

KINDS = ("temporary_exemption", "away", "abroad")

KIND_LABELS: dict[str, str] = {
    "temporary_exemption": "Tạm miễn sinh hoạt đảng",
    "away": "Đi làm ăn xa",
    "abroad": "Ra nước ngoài",
}

# Kinds whose record must say where the member is.
NEEDS_PLACE = ("away", "abroad")


def period_problem(kind: str, starts_on: dt.date | None, ends_on: dt.date | None, *, reason: str = "",
                   place: str = "", rs: RuleSet | None = None) -> tuple[str, str] | None:
    """(field, Vietnamese message) of the first thing wrong with a special-status period, or ``None``.

    A temporary exemption needs a reason; being away or abroad needs the place; every period needs
    a start and an end after it, at most ``status.special_max_months[kind]`` months long.
    Source: Điều lệ Đảng, Điều 7; the longest periods are unconfirmed defaults of the rule set.
    """
    if kind not in KINDS:
        return "kind", "Loại tình trạng phải là: tạm miễn sinh hoạt, đi làm ăn xa hoặc ra nước ngoài."
    if starts_on is None:
        return "starts_on", "Cần ghi ngày bắt đầu."
    if ends_on is None:
        return "ends_on", "Cần ghi ngày kết thúc (đến ngày nào)."
    if ends_on < starts_on:
        return "ends_on", "Ngày kết thúc không thể trước ngày bắt đầu."
    if kind == "temporary_exemption" and not reason.strip():
        return "reason", "Tạm miễn sinh hoạt cần ghi lý do (chi bộ xét theo đơn của đảng viên)."
    if kind in NEEDS_PLACE and not place.strip():
        return "place", "Cần ghi nơi đảng viên đến (đi làm ăn xa, ra nước ngoài)."
    rs = rs or ruleset_for(starts_on)
    months = rs["status.special_max_months"][kind]
    if ends_on >= starts_on + relativedelta(months=months):
        return "ends_on", (f"{KIND_LABELS[kind]} ghi mỗi lần dưới {months} tháng; quá hạn đó chi bộ xét lại "
                           "và ghi lần mới (hoặc chuyển sinh hoạt tạm thời).")
    return None


def covers(starts_on: dt.date, ends_on: dt.date, day: dt.date) -> bool:
    """The period includes ``day`` (both ends included): a period over ends by itself after ``ends_on``."""
    return starts_on <= day <= ends_on


def excused_from_meetings(kind: str, rs: RuleSet) -> bool:
    """A member in a period of ``kind`` is not expected at the meetings held during it
    (``status.not_expected_at_meetings``; Điều lệ Đảng, Điều 7 for the temporary exemption)."""
    return kind in rs["status.not_expected_at_meetings"]


def overlaps(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> bool:
    """Two periods share at least one day (a member is in one special status at a time)."""
    return a[0] <= b[1] and b[0] <= a[1]


def describe(kind: str, ends_on: dt.date, place: str = "") -> str:
    """'Đi làm ăn xa (Bình Dương) đến 30/06/2026': the roll's and member page's words for a period."""
    where = f" ({place})" if place else ""
    return f"{KIND_LABELS.get(kind, kind)}{where} đến {ends_on:%d/%m/%Y}"
