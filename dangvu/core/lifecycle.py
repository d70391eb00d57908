"""Member status transitions: which lifecycle event is allowed from which status.

Sources: Điều lệ Đảng (Điều 4–8: admission, probation, exemption, removal; Điều 35: discipline
forms); Quy định 232-QĐ/TW, 20/1/2025 and Hướng dẫn 06-HD/TW, 9/6/2025 (admission, probation,
transfer). Parameters come from the rule set in force; nothing here is a literal.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from .rulesets import RuleSet, ruleset_for


class Status(StrEnum):
    PROBATIONARY = "probationary"
    FULL = "full"
    EXEMPT = "exempt"
    STRUCK_OFF = "struck_off"
    EXPELLED = "expelled"
    DECEASED = "deceased"


STATUS_LABELS: dict[str, str] = {
    Status.PROBATIONARY: "Dự bị",
    Status.FULL: "Chính thức",
    Status.EXEMPT: "Miễn công tác và sinh hoạt",
    Status.STRUCK_OFF: "Đã xóa tên",
    Status.EXPELLED: "Đã khai trừ",
    Status.DECEASED: "Từ trần",
}

ACTIVE: frozenset[str] = frozenset({Status.PROBATIONARY, Status.FULL, Status.EXEMPT})
"""Statuses of members still on the rolls of an organization."""


class Event(StrEnum):
    ADMIT = "admit"
    RECOGNIZE_FULL = "recognize_full"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    TEMPORARY_OUT = "temporary_out"
    TEMPORARY_RETURN = "temporary_return"
    EXEMPT = "exempt"
    END_EXEMPTION = "end_exemption"
    STRIKE_OFF = "strike_off"
    EXPEL = "expel"
    DEATH = "death"
    DISCIPLINE = "discipline"
    # Special statuses (dated periods, the status itself unchanged: dangvu.core.special_status).
    TEMPORARY_EXEMPTION = "temporary_exemption"
    AWAY = "away"
    ABROAD = "abroad"
    END_SPECIAL = "end_special"


EVENT_LABELS: dict[str, str] = {
    Event.ADMIT: "Kết nạp (dự bị)",
    Event.RECOGNIZE_FULL: "Công nhận đảng viên chính thức",
    Event.TRANSFER_OUT: "Chuyển sinh hoạt đảng chính thức",
    Event.TRANSFER_IN: "Tiếp nhận sinh hoạt đảng chính thức",
    Event.TEMPORARY_OUT: "Chuyển sinh hoạt đảng tạm thời",
    Event.TEMPORARY_RETURN: "Trở về sinh hoạt sau chuyển tạm thời",
    Event.EXEMPT: "Miễn công tác và sinh hoạt đảng",
    Event.END_EXEMPTION: "Thôi miễn công tác và sinh hoạt đảng",
    Event.STRIKE_OFF: "Xóa tên",
    Event.EXPEL: "Khai trừ",
    Event.DEATH: "Từ trần",
    Event.DISCIPLINE: "Kỷ luật",
    Event.TEMPORARY_EXEMPTION: "Tạm miễn sinh hoạt đảng",
    Event.AWAY: "Đi làm ăn xa",
    Event.ABROAD: "Ra nước ngoài",
    Event.END_SPECIAL: "Kết thúc sớm tạm miễn, đi làm ăn xa, ra nước ngoài",
}

DISCIPLINE_LABELS: dict[str, str] = {
    "reprimand": "Khiển trách",
    "warning": "Cảnh cáo",
    "dismissal": "Cách chức",
    "expulsion": "Khai trừ",
    "dissolution": "Giải tán",
}

# Which statuses each event may start from (Điều lệ Đảng, Điều 5, 7, 8, 35).
ALLOWED_FROM: dict[str, frozenset[str]] = {
    Event.RECOGNIZE_FULL: frozenset({Status.PROBATIONARY}),
    Event.TRANSFER_OUT: ACTIVE,
    Event.TRANSFER_IN: ACTIVE,
    Event.TEMPORARY_OUT: ACTIVE,
    Event.TEMPORARY_RETURN: ACTIVE,
    Event.EXEMPT: frozenset({Status.FULL}),
    Event.END_EXEMPTION: frozenset({Status.EXEMPT}),
    Event.STRIKE_OFF: ACTIVE,
    Event.EXPEL: frozenset({Status.FULL, Status.EXEMPT}),
    Event.DEATH: ACTIVE,
    Event.DISCIPLINE: ACTIVE,
    # A permanently exempt member is relieved already; a temporary exemption is for the others.
    Event.TEMPORARY_EXEMPTION: frozenset({Status.PROBATIONARY, Status.FULL}),
    Event.AWAY: ACTIVE,
    Event.ABROAD: ACTIVE,
    Event.END_SPECIAL: ACTIVE,
}

STATUS_AFTER: dict[str, str] = {
    Event.ADMIT: Status.PROBATIONARY,
    Event.RECOGNIZE_FULL: Status.FULL,
    Event.EXEMPT: Status.EXEMPT,
    Event.END_EXEMPTION: Status.FULL,
    Event.STRIKE_OFF: Status.STRUCK_OFF,
    Event.EXPEL: Status.EXPELLED,
    Event.DEATH: Status.DECEASED,
}


class TransitionRefused(ValueError):
    """An illegal lifecycle event; the message is shown to the user as is (Vietnamese)."""


def probation_ends(admitted_on: dt.date, rs: RuleSet | None = None) -> dt.date:
    """End of probation: the same day N months after the admission decision, or the last day
    of that month when it has no such day (Điều lệ Đảng, Điều 5; Hướng dẫn 06-HD/TW, 9/6/2025)."""
    rs = rs or ruleset_for(admitted_on)
    return admitted_on + relativedelta(months=rs["admission.probation_months"])


def discipline_forms(status: str, rs: RuleSet) -> list[str]:
    """Discipline forms applicable to a member of this status (Điều lệ Đảng, Điều 35:
    probationary members only reprimand or warning)."""
    key = "discipline.forms_probationary" if status == Status.PROBATIONARY else "discipline.forms_member"
    return list(rs[key])


def check_transition(event: str, status: str | None, on: dt.date, *, admitted_on: dt.date | None = None,
                     discipline_form: str | None = None, rs: RuleSet | None = None) -> str:
    """Refuse an illegal event with a Vietnamese message; return the status after it.

    Sources: Điều lệ Đảng Điều 5 (probation), 7–8 (exemption, removal), 35 (discipline forms);
    Quy định 232-QĐ/TW (admission and recognition).
    """
    rs = rs or ruleset_for(on)
    label = EVENT_LABELS.get(event, event)
    if event == Event.ADMIT:
        if status is not None:
            raise TransitionRefused("Người này đã có trong danh sách đảng viên.")
        return Status.PROBATIONARY
    if status is None:
        raise TransitionRefused("Không tìm thấy đảng viên.")
    allowed = ALLOWED_FROM.get(event)
    if allowed is None:
        raise TransitionRefused(f"Sự kiện không hợp lệ: {event}.")
    if status not in allowed:
        now = STATUS_LABELS.get(status, status).lower()
        raise TransitionRefused(f"Không thể ghi «{label}» cho đảng viên đang ở trạng thái «{now}».")
    if event == Event.RECOGNIZE_FULL:
        if admitted_on is None:
            raise TransitionRefused("Chưa có ngày vào Đảng nên chưa thể công nhận chính thức.")
        ends = probation_ends(admitted_on, rs)
        if on < ends:
            months = rs["admission.probation_months"]
            raise TransitionRefused(
                f"Chưa đủ {months} tháng dự bị: thời gian dự bị kết thúc ngày {ends:%d/%m/%Y}."
            )
    if event == Event.DISCIPLINE:
        forms = discipline_forms(status, rs)
        if discipline_form not in forms:
            allowed_labels = ", ".join(DISCIPLINE_LABELS[f].lower() for f in forms)
            who = "đảng viên dự bị" if status == Status.PROBATIONARY else "đảng viên"
            raise TransitionRefused(f"Hình thức kỷ luật {who} chỉ gồm: {allowed_labels}.")
        if discipline_form == "expulsion":
            return Status.EXPELLED
    if admitted_on is not None and on < admitted_on:
        raise TransitionRefused("Ngày ghi nhận không thể trước ngày vào Đảng.")
    return STATUS_AFTER.get(event, status)
