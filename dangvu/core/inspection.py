"""Inspection (kiểm tra) and supervision (giám sát): the rules of a yearly programme's items and of
the recommendations an inspection leaves behind. Pure Python, no Django.

Sources: Quy định 22-QĐ/TW, 28/7/2021 (công tác kiểm tra, giám sát và kỷ luật của Đảng) and Hướng dẫn
02-HD/TW, 9/12/2021: each committee and its inspection commission keep a yearly programme of
inspection and supervision, of organizations and of members, regular (thường xuyên), thematic
(chuyên đề) and on signs of violation (khi có dấu hiệu vi phạm); an inspection ends with a
conclusion, and the recommendations it makes are followed up until carried out. When an item
counts as late is the project's default (``inspection.late_after_days``), not fixed by 22-QĐ/TW.
"""

from __future__ import annotations

import datetime as dt

from .deadlines import add_months

ACTIVITIES: dict[str, str] = {"inspection": "Kiểm tra", "supervision": "Giám sát"}
"""Kiểm tra, giám sát (Quy định 22-QĐ/TW, Điều 3–4)."""

FORMS: dict[str, str] = {
    "regular": "Thường xuyên",
    "thematic": "Chuyên đề",
    "violation": "Khi có dấu hiệu vi phạm",
}
"""The forms of inspection and supervision (Quy định 22-QĐ/TW; Hướng dẫn 02-HD/TW)."""

SUBJECTS: dict[str, str] = {"organization": "Tổ chức đảng", "member": "Đảng viên"}

STATES: dict[str, str] = {
    "planned": "Chưa triển khai",
    "under_way": "Đang tiến hành",
    "concluded": "Đã kết luận",
    "late": "Chậm so với chương trình",
}
"""A programme item's state, in the order the progress view lists them."""

RECOMMENDATION_STATES: dict[str, str] = {
    "open": "Đang thực hiện",
    "overdue": "Quá hạn",
    "done_on_time": "Đã thực hiện đúng hạn",
    "done_late": "Đã thực hiện (quá hạn)",
}


def item_state(planned_end: dt.date, started_on: dt.date | None, concluded_on: dt.date | None,
               today: dt.date, late_after_days: int = 0) -> str:
    """The state of a programme item on ``today``.

    - ``concluded``: its conclusion is dated on or before today;
    - ``late``: not concluded and the planned period ended more than ``late_after_days`` days ago
      (``inspection.late_after_days``, the project's default 0: the day after the period);
    - ``under_way``: begun (the decision or its start recorded) and not late;
    - ``planned``: otherwise.

    Hướng dẫn 02-HD/TW: the programme fixes each item's period; an item not concluded by then is
    behind the programme.
    """
    if late_after_days < 0:
        raise ValueError(f"Số ngày không được âm: {late_after_days}")
    if concluded_on is not None and concluded_on <= today:
        return "concluded"
    if today > planned_end + dt.timedelta(days=late_after_days):
        return "late"
    if started_on is not None and started_on <= today:
        return "under_way"
    return "planned"


def recommendation_on_time(due_on: dt.date, done_on: dt.date | None) -> bool:
    """True when the recommendation was carried out on or before its deadline (the deadline day
    itself is in time; Bộ luật Dân sự 2015, Điều 148)."""
    return done_on is not None and done_on <= due_on


def recommendation_state(due_on: dt.date, done_on: dt.date | None, today: dt.date) -> str:
    """``done_on_time`` / ``done_late`` once carried out (a completion dated after today is not yet
    counted), ``overdue`` after its deadline, ``open`` before it (Quy định 22-QĐ/TW: the
    conclusions and recommendations of an inspection are followed up until carried out)."""
    if done_on is not None and done_on <= today:
        return "done_on_time" if recommendation_on_time(due_on, done_on) else "done_late"
    return "overdue" if today > due_on else "open"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return add_months(day.replace(day=1), 1) - dt.timedelta(days=1)


def months_between(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    """The (year, month) pairs from ``start``'s month to ``end``'s month, both included."""
    if end < start:
        raise ValueError("Tháng kết thúc trước tháng bắt đầu.")
    out: list[tuple[int, int]] = []
    day = month_start(start)
    while day <= end:
        out.append((day.year, day.month))
        day = add_months(day, 1)
    return out

