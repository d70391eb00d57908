"""Congress scheduling rules (pure): length, campaign window, pilot first, committee freeze,
and reading a congress plan's tasks into a campaign timeline.

Sources: Chỉ thị 35-CT/TW, 14/6/2024 (length of congresses; no new committee members within
6 months before the congress); Kế hoạch 133-KH/ĐUK, 26/8/2024 (window of the grassroots
congresses, pilot congress before the others). Every number comes from the rule set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta

from dangvu.core.rulesets import RuleSet, ruleset_for
from dangvu.core.text import fold

# Organization kinds whose congress is at grassroots level or below (the rest are upper levels).
UPPER_KINDS = ("province", "upper")


def _d(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def max_days(org_kind: str, rs: RuleSet) -> int:
    """Longest congress allowed: ``congress.delegates_max_days`` above grassroots level,
    ``congress.grassroots_max_days`` otherwise (Chỉ thị 35-CT/TW, 14/6/2024)."""
    return int(rs[_length_key(org_kind)])


def _length_key(org_kind: str) -> str:
    return "congress.delegates_max_days" if org_kind in UPPER_KINDS else "congress.grassroots_max_days"


def check_length(starts_on: dt.date, ends_on: dt.date, org_kind: str, rs: RuleSet | None = None) -> list[str]:
    """Problems with a congress's dates on their own (end before start, too long)."""
    rs = rs or ruleset_for(starts_on)
    if ends_on < starts_on:
        return ["Ngày bế mạc không thể trước ngày khai mạc."]
    days = (ends_on - starts_on).days + 1
    limit = max_days(org_kind, rs)
    if days > limit:
        return [f"Đại hội kéo dài {days} ngày, vượt quá {limit} ngày cho phép "
                f"({rs.source(_length_key(org_kind))})."]
    return []


def check_window(starts_on: dt.date, ends_on: dt.date, pilot: bool, window_start: dt.date | None,
                 window_end: dt.date | None, pilot_end: dt.date | None) -> list[str]:
    """A congress under a campaign is held inside its window; a pilot one before the pilot deadline
    (Kế hoạch 133-KH/ĐUK, mục II.5)."""
    problems = []
    if pilot:
        if pilot_end and ends_on > pilot_end:
            problems.append(f"Đại hội điểm phải hoàn thành trước ngày {_d(pilot_end)} theo kế hoạch.")
        return problems
    if window_start and starts_on < window_start:
        problems.append(f"Theo kế hoạch, đại hội được tổ chức từ ngày {_d(window_start)}; "
                        f"ngày khai mạc {_d(starts_on)} là quá sớm (cần cấp trên đồng ý).")
    if window_end and ends_on > window_end:
        problems.append(f"Theo kế hoạch, đại hội phải hoàn thành trước ngày {_d(window_end)}; "
                        f"ngày bế mạc {_d(ends_on)} là quá muộn.")
    return problems


@dataclass(frozen=True)
class Sibling:
    """Another congress of the same campaign under the same parent organization."""

    name: str
    starts_on: dt.date
    ends_on: dt.date
    pilot: bool


def check_pilot_order(starts_on: dt.date, ends_on: dt.date, pilot: bool, siblings: Iterable[Sibling]) -> list[str]:
    """The pilot congress ends before any other congress of the same campaign under the same parent
    begins, and there is one pilot per parent (Kế hoạch 133-KH/ĐUK, mục II.5.2)."""
    problems = []
    for s in siblings:
        if pilot and s.pilot:
            problems.append(f"Đã chọn {s.name} làm đại hội điểm; mỗi cấp trên chỉ chọn một đại hội điểm.")
        elif pilot and s.starts_on <= ends_on:
            problems.append(f"Đại hội điểm phải xong trước các đại hội khác: {s.name} khai mạc ngày "
                            f"{_d(s.starts_on)}, không sau ngày bế mạc {_d(ends_on)} của đại hội điểm.")
        elif s.pilot and not pilot and starts_on <= s.ends_on:
            problems.append(f"Đại hội điểm ({s.name}) bế mạc ngày {_d(s.ends_on)}; đại hội này phải khai mạc "
                            "sau ngày đó để rút kinh nghiệm.")
    return problems


def freeze_starts(congress_on: dt.date, rs: RuleSet | None = None) -> dt.date:
    """First day on which no committee member may be added before a congress starting ``congress_on``
    (``congress.committee_freeze_months`` before it; Chỉ thị 35-CT/TW, 14/6/2024)."""
    rs = rs or ruleset_for(congress_on)
    return congress_on - relativedelta(months=int(rs["congress.committee_freeze_months"]))


def in_freeze(post_starts_on: dt.date, congress_on: dt.date, rs: RuleSet | None = None) -> bool:
    """True when a committee post starting ``post_starts_on`` falls in the freeze before the congress.
    A post starting on or after the congress day belongs to the new term and is allowed."""
    return freeze_starts(congress_on, rs) <= post_starts_on < congress_on


# -- a parsed plan → campaign -------------------------------------------------------------------


@dataclass
class PlanItem:
    title: str
    deadline: dt.date
    applies_to: str  # issuer | below | all
    phase: str | None
    source_id: str


@dataclass
class PlanTimeline:
    title: str
    document_number: str
    issued_on: dt.date | None
    term: str
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    pilot_end: dt.date | None = None
    phases: list[tuple[str, str, dt.date | None, dt.date | None]] = field(default_factory=list)  # id, title, start, end
    items: list[PlanItem] = field(default_factory=list)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _term(text: str) -> str:
    import re

    m = re.search(r"(20\d\d)\s*[-–]\s*(20\d\d)", text or "")
    return f"{m.group(1)}-{m.group(2)}" if m else ""


def _applies_to(task: Mapping[str, Any]) -> str:
    lead = fold(" ".join(task.get("lead") or []))
    title = fold(task.get("title") or "")
    if "cap co so" in lead or title.startswith("cap co so") or "cac dang bo, chi bo co so" in title:
        return "below"
    if lead or title.startswith(("dang uy", "ban thuong vu", "giao ban", "cac tieu ban")):
        return "issuer"
    return "all"


def timeline_from_plan(plan: Mapping[str, Any]) -> PlanTimeline:
    """Campaign phases, milestones (every task with a deadline) and congress window from the JSON
    of ``dangvu plan parse`` (see plan-format.md).

    Phases: top-level tasks (no "-" in the id) timed "between". Window: a task about the
    grassroots congresses (đại hội … cơ sở) timed "between". Pilot deadline: the latest deadline of
    a task about the pilot congress (đại hội điểm).
    """
    tl = PlanTimeline(title=plan.get("title") or "Kế hoạch đại hội", document_number=plan.get("number") or "",
                      issued_on=_date(plan.get("date")), term=_term(plan.get("title") or ""))
    phase_ids: dict[str, str] = {}
    tasks: Sequence[Mapping[str, Any]] = plan.get("tasks") or []
    for task in tasks:
        timing = task.get("timing") or {}
        tid = task.get("id") or ""
        if "-" not in tid and timing.get("kind") == "between":
            tl.phases.append((tid, task.get("title") or tid, _date(timing.get("start")), _date(timing.get("end"))))
            phase_ids[tid] = task.get("title") or tid
    for task in tasks:
        timing = task.get("timing") or {}
        tid = task.get("id") or ""
        end = _date(timing.get("end"))
        title = task.get("title") or ""
        folded = fold(title)
        if "dai hoi diem" in folded and end:
            tl.pilot_end = max(tl.pilot_end, end) if tl.pilot_end else end
        elif ("dai hoi dang bo, chi bo co so" in folded or "dai hoi chi bo, dang bo co so" in folded) \
                and timing.get("kind") == "between":
            tl.window_start, tl.window_end = _date(timing.get("start")), end
        if not end or tid in phase_ids:
            continue
        phase = tid.split("-", 1)[0]
        tl.items.append(PlanItem(title=title[:500], deadline=end, applies_to=_applies_to(task),
                                 phase=phase if phase in phase_ids else None, source_id=tid))
    return tl
