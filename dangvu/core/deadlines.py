"""Statutory deadlines that follow an event in a member's or applicant's file.

Each function takes the event date and the rule set (default: the one in force on that date, so a
caller can pass a province's overrides) and returns named dates. "Within N working days" ends on
the N-th working day after the event (:func:`dangvu.core.workdays.add_working_days`).

Sources: Điều lệ Đảng, Điều 4–5; Quy định 232-QĐ/TW, 20/1/2025; Hướng dẫn 06-HD/TW, 9/6/2025
(Quy định 29-QĐ/TW, 2016 before them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from dateutil.relativedelta import relativedelta

from .rulesets import RuleSet, ruleset_for
from .workdays import add_working_days


def add_months(d: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the month's last day when that month has no such day.

    2024-02-29 + 12 months = 2025-02-28; 2025-01-31 + 1 month = 2025-02-28. This is the
    "ngày tương ứng" rule of Bộ luật Dân sự 2015, Điều 148 for periods counted in months.
    """
    return d + relativedelta(months=months)


def cell_resolution(d: dt.date, rs: RuleSet | None = None) -> dict[str, dt.date]:
    """After the cell's admission resolution: the committee decides within 60 working days.

    Source: Điều lệ Đảng, Điều 4; Quy định 232-QĐ/TW, 20/1/2025; Hướng dẫn 06-HD/TW, 9/6/2025.
    """
    rs = rs or ruleset_for(d)
    return {"decision_by": add_working_days(d, rs["admission.decision_working_days"])}


def admission_decision(d: dt.date, rs: RuleSet | None = None) -> dict[str, dt.date]:
    """After the admission decision (taken as the day the cell receives it).

    - ``ceremony_by``: the admission ceremony within 30 working days;
    - ``probation_ends``: 12 months from the decision, on the corresponding day (the month's last
      day if it has none) — full membership takes effect on this date even if decided later;
    - ``recognition_by``: the cell considers full membership within 30 working days after it.

    Source: Điều lệ Đảng, Điều 5; Quy định 232-QĐ/TW, 20/1/2025; Hướng dẫn 06-HD/TW, 9/6/2025.
    """
    rs = rs or ruleset_for(d)
    probation_ends = add_months(d, rs["admission.probation_months"])
    return {
        "ceremony_by": add_working_days(d, rs["admission.ceremony_working_days"]),
        "probation_ends": probation_ends,
        "recognition_by": add_working_days(probation_ends, rs["admission.recognition_working_days"]),
    }


def transfer_cause(d: dt.date, rs: RuleSet | None = None) -> dict[str, dt.date]:
    """After a change of job or residence: start the permanent transfer within 60 working days.

    Source: Hướng dẫn 06-HD/TW, 9/6/2025 (Quy định 29-QĐ/TW, 2016 before it).
    """
    rs = rs or ruleset_for(d)
    return {"transfer_start_by": add_working_days(d, rs["transfer.start_working_days"])}


def transfer_letter(d: dt.date, rs: RuleSet | None = None) -> dict[str, dt.date]:
    """After the date on the transfer letter: present it to the receiving cell within 30 working days.

    Source: Hướng dẫn 06-HD/TW, 9/6/2025 (Quy định 29-QĐ/TW, 2016 before it).
    """
    rs = rs or ruleset_for(d)
    return {"present_by": add_working_days(d, rs["transfer.present_working_days"])}


_RULES: dict[str, Callable[[dt.date, RuleSet | None], dict[str, dt.date]]] = {
    "cell_resolution": cell_resolution,
    "admission_decision": admission_decision,
    "transfer_cause": transfer_cause,
    "transfer_letter": transfer_letter,
}

EVENTS: tuple[str, ...] = tuple(_RULES)
"""Event names accepted by :func:`deadlines_for`."""

EVENT_LABELS: dict[str, str] = {
    "cell_resolution": "Chi bộ ra nghị quyết đề nghị kết nạp",
    "admission_decision": "Cấp ủy ra quyết định kết nạp",
    "transfer_cause": "Chuyển công tác, thay đổi nơi cư trú",
    "transfer_letter": "Ngày ghi trên giấy giới thiệu sinh hoạt đảng",
}

DEADLINE_LABELS: dict[str, str] = {
    "decision_by": "Hạn cấp ủy quyết định kết nạp",
    "ceremony_by": "Hạn tổ chức lễ kết nạp",
    "probation_ends": "Ngày hết thời gian dự bị",
    "recognition_by": "Hạn chi bộ xét chuyển đảng chính thức",
    "transfer_start_by": "Hạn làm thủ tục chuyển sinh hoạt đảng",
    "present_by": "Hạn nộp giấy giới thiệu sinh hoạt đảng",
}


def deadlines_for(event: str, d: dt.date, rs: RuleSet | None = None) -> dict[str, dt.date]:
    """The deadlines that follow ``event`` on day ``d``; unknown events raise ValueError."""
    try:
        rule = _RULES[event]
    except KeyError:
        raise ValueError(f"Sự kiện không hợp lệ: {event!r}. Chọn một trong: {', '.join(EVENTS)}.") from None
    return rule(d, rs)
