"""Congress scheduling rules (pure): length, campaign window, pilot first, committee freeze,
and reading a congress plan's tasks into a campaign timeline.

Sources: Chỉ thị 35-CT/TW, 14/6/2024 (length of congresses; no new committee members within
6 months before the congress); Kế hoạch 133-KH/ĐUK, 26/8/2024 (window of the grassroots
congresses, pilot congress before the others). Every number comes from the rule set.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta

from dangvu.core.rulesets import RuleSet, ruleset_for
from dangvu.core.text import fold, nfc

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


# -- terms and elections ------------------------------------------------------------------------


class ElectionRuleError(ValueError):
    """A value the congress or election rules refuse; the message is plain Vietnamese."""


_TERM = re.compile(r"^\s*(\d{4})\s*[-–—]\s*(\d{4})\s*$")


def term_spans(congresses_per_term: int, rs: RuleSet) -> tuple[int, ...]:
    """How many years a congress term of an organization may cover.

    Điều lệ Đảng, Điều 13, 15: a congress term is ``indicators.term_years`` (5) years. An
    organization that may hold its congress ``congresses_per_term`` times a term (a cell or a
    sub-committee under a grassroots committee: twice, ``congress.lower_congresses_per_term``)
    splits it, e.g. 2025-2027 then 2027-2030, or keeps the whole term where its committee decided so.
    """
    years = int(rs["indicators.term_years"])
    if congresses_per_term <= 1:
        return (years,)
    short = years // congresses_per_term
    return tuple(sorted({short, years - short * (congresses_per_term - 1), years}))


# Kinds under a grassroots committee that hold their congress twice a term (Quy định 24-QĐ/TW, 2021).
LOWER_KINDS = ("cell", "sub_committee")


def congress_term(text: str, org_kind: str, rs: RuleSet) -> str:
    """The term of a congress of an organization of ``org_kind``, written the party's way
    (Điều lệ Đảng, Điều 13, 15; Quy định 24-QĐ/TW, 30/7/2021 for the cells under a grassroots
    committee); see :func:`parse_term`."""
    per_term = int(rs["congress.lower_congresses_per_term"]) if org_kind in LOWER_KINDS else 1
    return parse_term(text, term_spans(per_term, rs), rs)


def parse_term(text: str, spans: Sequence[int], rs: RuleSet) -> str:
    """The term written the party's way ("2025-2030"), from what a person typed ("2025 – 2030").

    Điều lệ Đảng, Điều 13, 15: the term runs from the congress year for ``spans`` years (see
    :func:`term_spans`). Years before ``congress.first_term_year`` (the Party's founding) are refused.
    """
    match = _TERM.match(text or "")
    if not match:
        raise ElectionRuleError(f"Nhiệm kỳ “{(text or '').strip()[:20]}” không đúng dạng; "
                                "ghi năm đầu và năm cuối, ví dụ 2025-2030.")
    start, end = int(match.group(1)), int(match.group(2))
    if start < int(rs["congress.first_term_year"]):
        raise ElectionRuleError(f"Năm đầu nhiệm kỳ {start} quá sớm; ghi năm đầu và năm cuối, ví dụ 2025-2030.")
    if end - start not in spans:
        allowed = " hoặc ".join(f"{start}-{start + n}" for n in spans)
        raise ElectionRuleError(f"Nhiệm kỳ {start}-{end} không đúng số năm; nhiệm kỳ bắt đầu năm {start} "
                                f"là {allowed}.")
    return f"{start}-{end}"


def person_key(name: str) -> str:
    """A name compared as a person: composed, case-folded, single spaces."""
    return " ".join(nfc(name).casefold().split())


def board_candidates(board: Iterable[str], candidates: Iterable[str]) -> list[str]:
    """Names that are both on the counting board and in the list of candidates.

    Quyết định 190-QĐ/TW, 10/10/2024 (quy chế bầu cử trong Đảng): the counting board (ban kiểm
    phiếu) is elected among delegates or members who are not in the list of candidates.
    """
    on_board = {person_key(n) for n in board if n.strip()}
    return [n for n in candidates if person_key(n) in on_board]


def too_few_candidates(seats: int, candidates: int) -> bool:
    """Fewer names on the list than seats to fill.

    Quyết định 190-QĐ/TW, 10/10/2024: the list has more names than seats (the congress sets the
    surplus); a list shorter than the seats needs a decision of the congress, recorded with the
    election.
    """
    return candidates < seats


def delegates_base(convened: int | None, absent: int | None) -> int:
    """The delegates' congress base: official delegates convened minus those absent throughout
    without an alternate (Quyết định 190-QĐ/TW, 10/10/2024). Refuses a base of 0 or less and more
    absent than convened."""
    convened, absent = convened or 0, absent or 0
    if convened < 1:
        raise ElectionRuleError("Số đại biểu được triệu tập phải từ 1 trở lên.")
    if absent < 0 or absent > convened:
        raise ElectionRuleError(f"Số đại biểu vắng ({absent}) không thể nhiều hơn số đại biểu được triệu tập "
                                f"({convened}).")
    if convened - absent < 1:
        raise ElectionRuleError(f"Cả {convened} đại biểu được triệu tập đều vắng: cơ sở tính bằng 0, không bầu được.")
    return convened - absent
