"""The sections of the periodic report of party-building work (issue 18, point 2) as data: each a
heading and the indicator keys whose values it lists, so a new source of figures (the inspection
app's ``inspection.*`` indicators) is one line here, or no line at all when it registers under a
section's ``prefix``. Every number is an indicator's value for the organization's subtree and the
report's period (:mod:`dangvu.indicators`); a key not registered (yet) is left out.

The lines are plain text the committee may edit: "- label: value", with the breakdown of a few
indicators (meetings by kind, alerts by kind, organizations and members by kind or status) as
"+ part: n" lines under it. Read only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dangvu import indicators
from dangvu.core.alerts import KIND_LABELS
from dangvu.core.numbers import decimal, thousands
from dangvu.core.periods import Period
from dangvu.indicators import Value

HALF, YEAR, TERM = "half", "year", "term"
ALL_KINDS = (HALF, YEAR, TERM)
NO_DATA = "chưa có số liệu"
SECTION_EMPTY = "Trong kỳ, hệ thống chưa ghi nhận số liệu nào về nội dung này."


@dataclass(frozen=True)
class Section:
    """One numbered item of the report: its heading and the indicators it lists.

    ``prefix`` adds every registered indicator whose key starts with it (sorted); ``kinds`` are the
    period kinds it appears in; ``yearly`` reads it over the calendar year of the period's reading
    day (grading is yearly: a term report gives the latest year's); ``missing`` is said when none of
    its indicators is registered; ``activity`` is off for figures that exist without any work
    recorded (alerts, which an empty organization raises too)."""

    heading: str
    keys: tuple[str, ...] = ()
    prefix: str = ""
    kinds: tuple[str, ...] = ALL_KINDS
    yearly: bool = False
    missing: str = ""
    activity: bool = True


# Part I: the state of the organization on the period's reading day.
SITUATION = Section("Đặc điểm tình hình", ("organizations.by_kind_on_date", "members.on_date",
                                            "members.changes_in_period", "prospects.count"))

# Part II, items 2…: item 1 (the plan's targets and tasks) comes from the plan in force.
RESULTS: list[Section] = [
    Section("Sinh hoạt chi bộ", ("meetings.count", "cells.regular_meetings_complete_share",
                                 "cells.thematic_quarterly_share", "meetings.attendance_rate",
                                 "members.full_attendance_share", "meetings.scored_share",
                                 "meetings.upper_attendance_share")),
    Section("Đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên",
            ("organizations.rated_good_or_better_share", "organizations.rated_fulfilled_only_share",
             "members.rated_good_or_better_share", "members.rated_excellent_share",
             "committee_members.rated_good_or_better_share", "cells.classified_four_good_share",
             "members.exemplary_share"), kinds=(YEAR, TERM), yearly=True),
    Section("Công tác kết nạp đảng viên", ("admissions.quota_progress_share", "prospects.course_passed_count")),
    Section("Thu, nộp đảng phí", ("fees.due_amount", "fees.collected_amount", "fees.voluntary_amount",
                                  "fees.remitted_up_amount", "fees.kept_amount", "fees.paid_in_full_share",
                                  "fees.remitted_on_time_share")),
    Section("Công tác kiểm tra, giám sát", ("discipline.cases_decided_count", "letters.handled_on_time_share"),
            prefix="inspection.",
            missing="(số liệu kiểm tra, giám sát: chưa có trong hệ thống)"),
    Section("Cảnh báo còn tồn tại", ("alerts.count",), activity=False),
]

# Breakdowns listed under their indicator: key → {breakdown key: label}; None when the breakdown's
# keys are its labels already.
BREAKDOWNS: dict[str, dict[str, str] | None] = {
    "organizations.by_kind_on_date": None,
    "members.on_date": None,
    "members.changes_in_period": None,
    "meetings.count": {"regular": "Sinh hoạt thường kỳ", "thematic": "Sinh hoạt chuyên đề",
                       "combined": "Sinh hoạt thường kỳ kết hợp chuyên đề"},
    "alerts.count": KIND_LABELS,
}


@dataclass(frozen=True)
class Line:
    """One indicator's figure as the report states it."""

    key: str
    label: str
    unit: str
    value: Value
    text: str
    parts: list[tuple[str, int]] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return bool(self.value.value) or any(n for _, n in self.parts)


@dataclass(frozen=True)
class SectionResult:
    section: Section
    period: Period
    lines: list[Line]

    @property
    def has_data(self) -> bool:
        return any(line.has_data for line in self.lines)


def value_text(unit: str, v: Value) -> str:
    """The figure in Vietnamese notation: "12", "85,71% (6/7)", "1.250.000 đồng"; no value → "chưa có
    số liệu" (a share with nothing to divide by, a grading not yet closed), or for a share with a
    numerator but nothing to compare it with (admissions without a quota) that numerator."""
    if v.value is None:
        if unit == "%" and v.numerator:  # e.g. members admitted but no quota set: keep the count
            return f"chưa tính được tỷ lệ: đạt {thousands(int(v.numerator))}, chưa có số để so sánh"
        return NO_DATA
    if unit == "%":
        text = f"{decimal(v.value)}%"
        if v.numerator is not None and v.denominator:
            text += f" ({thousands(int(v.numerator))}/{thousands(int(v.denominator))})"
        return text
    if unit == "đồng":
        return f"{thousands(int(v.value))} đồng"
    return thousands(int(v.value))


def _parts(key: str, v: Value) -> list[tuple[str, int]]:
    if key not in BREAKDOWNS or not v.breakdown:
        return []
    labels = BREAKDOWNS[key]
    return [(labels.get(k, k) if labels else k, int(n)) for k, n in v.breakdown.items()
            if isinstance(n, int) and n]


def section_keys(section: Section) -> list[str]:
    """The section's registered indicator keys: its own, then those under its prefix."""
    registry = indicators.load_all()
    keys = [k for k in section.keys if k in registry]
    if section.prefix:
        keys += sorted(k for k in registry if k.startswith(section.prefix) and k not in keys)
    return keys


def section_period(section: Section, period: Period) -> Period:
    if not section.yearly:
        return period
    year = period.as_of.year
    return Period.year(year)


def compute_section(section: Section, org: Any, period: Period) -> SectionResult:
    """Every indicator of ``section`` for ``org``'s subtree over ``period``."""
    span = section_period(section, period)
    lines = []
    for key in section_keys(section):
        ind = indicators.get(key)
        v = ind(org, span)
        lines.append(Line(key, ind.label, ind.unit, v, value_text(ind.unit, v), _parts(key, v)))
    return SectionResult(section, span, lines)
