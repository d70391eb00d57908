"""Alerts: what a cell or committee should act on now, and the rules that decide each one.

An alert names its kind (a stable English key), the organization and, where there is one, the
member or prospect concerned, a Vietnamese message, the date that matters (a deadline, the end of
a period) and a severity: ``passed`` (a deadline or period is over), ``near`` (it falls within the
warning window), ``info`` (to be looked at, no date pressing). Every threshold and window is a
rule-set parameter; the functions here are pure and take the rule set (or the number) they need.

Sources: Điều lệ Đảng (Điều 5, 8, 21, 24); Quy định 232-QĐ/TW, 20/1/2025; Hướng dẫn 06-HD/TW,
9/6/2025; Chỉ thị 50-CT/TW, 23/7/2025; Hướng dẫn 42-HD/BTCTW, 28/10/2025; Quy định 294-QĐ/TW,
26/5/2025. Warning windows (``alerts.*``) are the project's defaults, changeable per province.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .deadlines import add_months
from .rulesets import RuleSet
from .text import fold

KINDS: tuple[str, ...] = (
    "no_regular_meeting",
    "no_thematic_meeting",
    "unexcused_absences",
    "unpaid_fees",
    "probation_ending",
    "recognition_overdue",
    "admission_decision_due",
    "admission_ceremony_due",
    "certificate_expiring",
    "no_assignment",
    "cell_too_small",
    "cell_needs_committee",
    "fees_remittance_late",
    "letter_deadline",
    "badge_due",
    "inspection_recommendation_overdue",
)
"""Every alert kind, in the order they are listed within one severity."""

KIND_LABELS: dict[str, str] = {
    "no_regular_meeting": "Chưa sinh hoạt thường kỳ",
    "no_thematic_meeting": "Chưa sinh hoạt chuyên đề",
    "unexcused_absences": "Vắng sinh hoạt không lý do nhiều lần",
    "unpaid_fees": "Không đóng đảng phí nhiều tháng",
    "probation_ending": "Sắp hết thời gian dự bị",
    "recognition_overdue": "Chưa xét chuyển đảng viên chính thức",
    "admission_decision_due": "Hạn quyết định kết nạp",
    "admission_ceremony_due": "Hạn tổ chức lễ kết nạp",
    "certificate_expiring": "Giấy chứng nhận lớp nhận thức về Đảng hết hạn",
    "no_assignment": "Chưa được phân công nhiệm vụ",
    "cell_too_small": "Chi bộ chưa đủ đảng viên chính thức",
    "cell_needs_committee": "Chi bộ cần bầu chi ủy",
    "fees_remittance_late": "Chưa nộp đảng phí lên cấp trên",
    "letter_deadline": "Hạn giải quyết đơn thư",
    "badge_due": "Đủ tuổi đảng nhận Huy hiệu Đảng, chưa đề nghị",
    "inspection_recommendation_overdue": "Kiến nghị sau kiểm tra, giám sát quá hạn",
}

SEVERITIES: tuple[str, ...] = ("passed", "near", "info")
"""Most urgent first."""

SEVERITY_LABELS: dict[str, str] = {"passed": "Đã quá hạn", "near": "Sắp đến hạn", "info": "Cần lưu ý"}

_KIND_RANK = {k: i for i, k in enumerate(KINDS)}
_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Alert:
    """One alert. ``org_path`` only orders and groups alerts (not part of the JSON contract)."""

    kind: str
    org_code: str
    org_name: str
    message: str
    severity: str = "info"
    date: dt.date | None = None
    member_id: int | None = None
    member_name: str | None = None
    prospect_id: int | None = None
    prospect_name: str | None = None
    org_path: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.kind not in _KIND_RANK:
            raise ValueError(f"Loại cảnh báo không hợp lệ: {self.kind!r}")
        if self.severity not in _SEVERITY_RANK:
            raise ValueError(f"Mức cảnh báo không hợp lệ: {self.severity!r}")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]

    def as_dict(self) -> dict[str, Any]:
        """The CLI's JSON shape: kind, organization, member (or null), message, date, severity;
        ``prospect`` names the quần chúng ưu tú of an admission alert (null otherwise)."""
        return {
            "kind": self.kind,
            "organization": {"code": self.org_code, "name": self.org_name},
            "member": {"id": self.member_id, "name": self.member_name} if self.member_id is not None else None,
            "prospect": ({"id": self.prospect_id, "name": self.prospect_name}
                         if self.prospect_id is not None else None),
            "message": self.message,
            "date": self.date.isoformat() if self.date else None,
            "severity": self.severity,
        }


def sort_key(alert: Alert) -> tuple:
    """Severity (most urgent first), then kind, then organization (tree order), then person (by the
    folded name, as member lists are), then date."""
    return (_SEVERITY_RANK[alert.severity], _KIND_RANK[alert.kind], alert.org_path, alert.org_code,
            fold(alert.member_name or alert.prospect_name), alert.date or dt.date.min)


def count_by_kind(alerts: Iterable[Alert]) -> dict[str, int]:
    """Alerts per kind, every kind listed (zero included), in :data:`KINDS` order."""
    counts = dict.fromkeys(KINDS, 0)
    for a in alerts:
        counts[a.kind] += 1
    return counts


def count_passed_by_kind(alerts: Iterable[Alert]) -> dict[str, int]:
    """Alerts whose deadline or period has passed, per kind (zero included)."""
    return count_by_kind(a for a in alerts if a.severity == "passed")


# -- deadlines --------------------------------------------------------------------------------

def deadline_state(today: dt.date, deadline: dt.date, near_days: int) -> str:
    """``passed`` once ``today`` is after ``deadline`` (the deadline day itself is still in time),
    ``near`` when at most ``near_days`` days remain, else ``info``.

    The statutory deadlines come from :mod:`dangvu.core.deadlines` (Điều lệ Đảng, Điều 4–5; Quy
    định 232-QĐ/TW, 20/1/2025; Hướng dẫn 06-HD/TW, 9/6/2025); a period counted in days ends at the
    end of its last day (Bộ luật Dân sự 2015, Điều 148). The window is ``alerts.deadline_near_days``
    (or ``alerts.certificate_expiring_days`` for the course certificate), the project's default.
    """
    if near_days < 0:
        raise ValueError(f"Số ngày cảnh báo không được âm: {near_days}")
    if today > deadline:
        return "passed"
    return "near" if (deadline - today).days <= near_days else "info"


def deadline_alert_severity(today: dt.date, deadline: dt.date, near_days: int) -> str | None:
    """The severity of a deadline alert, or None while the deadline is still far off."""
    state = deadline_state(today, deadline, near_days)
    return None if state == "info" else state


# -- meetings ---------------------------------------------------------------------------------

def month_span(day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the month containing ``day``."""
    first = day.replace(day=1)
    return first, add_months(first, 1) - dt.timedelta(days=1)


def previous_month_span(day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the month before the one containing ``day``."""
    return month_span(day.replace(day=1) - dt.timedelta(days=1))


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_span(day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the calendar quarter containing ``day``."""
    first = dt.date(day.year, 3 * quarter_of(day) - 2, 1)
    return first, add_months(first, 3) - dt.timedelta(days=1)


def previous_quarter_span(day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the quarter before the one containing ``day``."""
    return quarter_span(quarter_span(day)[0] - dt.timedelta(days=1))


def meetings_short(held: int, needed: int) -> bool:
    """True when a period has fewer meetings of a kind than required (a combined regular-and-
    thematic meeting counts as both, as in :func:`dangvu.core.meetings.missing_months`).

    Needed: ``meeting.regular_per_month`` a month (Điều lệ Đảng, Điều 24; Chỉ thị 50-CT/TW,
    23/7/2025), ``meeting.thematic_per_quarter`` a quarter (Hướng dẫn 42-HD/BTCTW, 28/10/2025).
    """
    return held < needed


# -- members ----------------------------------------------------------------------------------

def absence_window_start(today: dt.date, rs: RuleSet) -> dt.date:
    """First day of the window over which unexcused absences are counted: the window is the
    ``member.unexcused_absence_window_months`` months ending on ``today``, so it starts the day
    after the corresponding day that many months earlier (Điều lệ Đảng, Điều 8; Bộ luật Dân sự
    2015, Điều 148 for a period in months)."""
    return add_months(today, -rs["member.unexcused_absence_window_months"]) + dt.timedelta(days=1)


def absences_call_for_removal(count: int, rs: RuleSet) -> bool:
    """True when ``count`` — the calendar months of the window with an unexcused absence — reaches
    ``member.unexcused_absence_removal`` (3): the cell is to consider striking the member off the
    rolls (Điều lệ Đảng, Điều 8: a member who misses meetings or fees three months in a year without
    good reason)."""
    return count >= rs["member.unexcused_absence_removal"]


def removal_grounds(absent_months: int, unpaid_months: int, rs: RuleSet) -> tuple[str, ...]:
    """The grounds on which the cell is to consider striking a member off the rolls: ``absences``
    (months with an unexcused absence ≥ ``member.unexcused_absence_removal``), ``fees`` (months
    unpaid without reason ≥ ``member.unpaid_fee_removal``), both, or none. Điều lệ Đảng, Điều 8:
    "bỏ sinh hoạt đảng hoặc không đóng đảng phí ba tháng trong năm mà không có lý do chính đáng"."""
    grounds = []
    if absences_call_for_removal(absent_months, rs):
        grounds.append("absences")
    if unpaid_months >= rs["member.unpaid_fee_removal"]:
        grounds.append("fees")
    return tuple(grounds)


def _month_list(months: Iterable[dt.date]) -> str:
    return ", ".join(f"{m.month}/{m.year}" for m in sorted(months))


def removal_alert(absent_months: int, last_absence: dt.date | None, unpaid: Iterable[dt.date],
                  rs: RuleSet) -> tuple[str, str, dt.date] | None:
    """(kind, message, date) of the ONE alert calling the cell to consider removal, naming every
    ground that holds (see :func:`removal_grounds`), or None. Kind ``unexcused_absences`` whenever
    absences are a ground (with fees named too when they also hold), ``unpaid_fees`` for arrears
    alone; the date is the latest absence or unpaid month."""
    unpaid = sorted(unpaid)
    grounds = removal_grounds(absent_months, len(unpaid), rs)
    if not grounds:
        return None
    parts, dates = [], []
    if "absences" in grounds:
        parts.append(f"Vắng sinh hoạt không lý do trong {absent_months} tháng của "
                     f"{rs['member.unexcused_absence_window_months']} tháng qua (lần gần nhất "
                     f"{last_absence:%d/%m/%Y})" if last_absence else
                     f"Vắng sinh hoạt không lý do trong {absent_months} tháng của "
                     f"{rs['member.unexcused_absence_window_months']} tháng qua")
        dates += [last_absence] if last_absence else []
    if "fees" in grounds:
        what = (f"không đóng đảng phí {len(unpaid)} tháng không có lý do trong "
                f"{rs['member.unpaid_fee_window_months']} tháng qua (tháng {_month_list(unpaid)})")
        parts.append(what if parts else what[0].upper() + what[1:])
        dates.append(unpaid[-1])
    kind = "unexcused_absences" if "absences" in grounds else "unpaid_fees"
    source = rs.source("member.unexcused_absence_removal" if kind == "unexcused_absences"
                       else "member.unpaid_fee_removal")
    return kind, f"{' và '.join(parts)}: chi bộ xem xét xóa tên ({source}).", max(dates)


def probation_alert(today: dt.date, ends: dt.date, recognition_by: dt.date, rs: RuleSet) -> tuple[str, str] | None:
    """(kind, severity) for a member still on probation, or None.

    - ``probation_ending`` (``near``): probation ends after today but within
      ``alerts.probation_ending_days``;
    - ``recognition_overdue``: probation has ended (full membership takes effect on ``ends``, so
      from that day the cell must consider it) and the member is still probationary; severity by
      the recognition deadline ``recognition_by`` (30 working days after ``ends``): ``passed``
      after it, ``near`` within ``alerts.deadline_near_days`` of it, ``info`` before.

    Source: Điều lệ Đảng, Điều 5; Hướng dẫn 06-HD/TW, 9/6/2025 (recognition within 30 working days).
    """
    if today >= ends:
        return "recognition_overdue", deadline_state(today, recognition_by, rs["alerts.deadline_near_days"])
    if (ends - today).days <= rs["alerts.probation_ending_days"]:
        return "probation_ending", "near"
    return None


def assignment_cutoff(today: dt.date, rs: RuleSet) -> dt.date | None:
    """The latest admission date of a member who should have an assignment for ``today``'s year.

    A cell assigns tasks to its members at the start of the year (Điều lệ Đảng, Điều 24: the cell
    "phân công công việc cho đảng viên"); the alert waits ``alerts.assignment_grace_days`` from
    1 January, or from the admission of a member admitted later. None while the year is younger
    than that (no member is due yet).
    """
    cutoff = today - dt.timedelta(days=rs["alerts.assignment_grace_days"])
    return cutoff if cutoff >= dt.date(today.year, 1, 1) else None


# -- organizations ----------------------------------------------------------------------------

def cell_too_small(full_members: int, rs: RuleSet) -> bool:
    """True when a cell has fewer full members than ``organization.min_full_members`` (3)
    (Điều lệ Đảng, Điều 21; Quy định 294-QĐ/TW, 26/5/2025)."""
    return full_members < rs["organization.min_full_members"]


def cell_needs_committee(full_members: int, has_committee: bool, rs: RuleSet) -> bool:
    """True when a cell has at least ``organization.cell_committee_min_full_members`` (9) full
    members and no committee (chi ủy): it may elect one of at most 7 (Điều lệ Đảng, Điều 24)."""
    return not has_committee and full_members >= rs["organization.cell_committee_min_full_members"]
