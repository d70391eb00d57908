"""Annual (or quarterly) quality grading of organizations, collectives and members.

Sources: Quy định 366-QĐ/TW, 30/8/2025 and Hướng dẫn 43-HD/BTCTW, 31/10/2025 (100-point sheet,
grades); Quy định 124-QĐ/TW, 2023 (conditions, forced "unfulfilled"); Hướng dẫn 21-HD/BTCTW, 2019
(excellent ≤ 20% of good per grassroots organization). All thresholds come from the rule set.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from .deadlines import add_months
from .rulesets import RuleSet, ruleset_for


def _fraction(value: Any) -> Fraction:
    # str() first so 0.2 becomes exactly 1/5 and "2/3" parses too.
    return Fraction(str(value))


class Grade(StrEnum):
    """The four grades, best first."""

    EXCELLENT = "excellent"
    GOOD = "good"
    FULFILLED = "fulfilled"
    UNFULFILLED = "unfulfilled"

    @property
    def label(self) -> str:
        return GRADE_LABELS[self]

    @property
    def rank(self) -> int:
        """3 for excellent down to 0 for unfulfilled, for comparisons."""
        return 3 - list(Grade).index(self)


GRADE_LABELS: dict[str, str] = {
    Grade.EXCELLENT: "Hoàn thành xuất sắc nhiệm vụ",
    Grade.GOOD: "Hoàn thành tốt nhiệm vụ",
    Grade.FULFILLED: "Hoàn thành nhiệm vụ",
    Grade.UNFULFILLED: "Không hoàn thành nhiệm vụ",
}


@dataclass(frozen=True)
class Conditions:
    """Facts of the period besides the points. A share left ``None`` is not recorded and not checked.

    ``disciplined_in_period`` means reprimand or worse during the period, not counting a violation
    the subject detected and fixed itself (the caller decides that). ``has_disciplined_subunit``
    applies to a collective or a leader: a sub-unit or leadership member disciplined.
    """

    tasks_on_time_share: float | Fraction | None = None
    tasks_exceeding_share: float | Fraction | None = None
    disciplined_in_period: bool = False
    targets_met_share: float | Fraction | None = None
    subunits_disciplined_share: float | Fraction | None = None
    disunity: bool = False
    is_collective: bool = False
    is_leader: bool = False
    has_disciplined_subunit: bool = False


@dataclass(frozen=True)
class GradeDecision:
    """The grade and, when it is below what the points give, why (in Vietnamese)."""

    grade: Grade
    points_grade: Grade
    reasons: list[str] = field(default_factory=list)


def _pct(value: Fraction) -> str:
    return f"{float(value) * 100:g}%"


def points_grade(points: float, rs: RuleSet) -> Grade:
    """The grade the points alone give, from ``evaluation.grade_bands`` (90 / 70 / 50).

    Source: Quy định 366-QĐ/TW, 30/8/2025; Hướng dẫn 43-HD/BTCTW, 31/10/2025.
    """
    top = rs["evaluation.common_points"] + rs["evaluation.task_points"]
    if not 0 <= points <= top:
        raise ValueError(f"Điểm {points:g} nằm ngoài thang 0–{top}.")
    bands = rs["evaluation.grade_bands"]
    for grade in (Grade.EXCELLENT, Grade.GOOD, Grade.FULFILLED):
        if points >= bands[grade.value]:
            return grade
    return Grade.UNFULFILLED


def _forced_unfulfilled(c: Conditions, rs: RuleSet) -> list[str]:
    reasons = []
    if c.disciplined_in_period:
        reasons.append("Bị kỷ luật (từ khiển trách trở lên) trong kỳ đánh giá.")
    targets_min = _fraction(rs["evaluation.forced_unfulfilled_targets_met_min"])
    if c.targets_met_share is not None and _fraction(c.targets_met_share) < targets_min:
        reasons.append(f"Đạt dưới {_pct(targets_min)} chỉ tiêu, nhiệm vụ.")
    subunits_max = _fraction(rs["evaluation.forced_unfulfilled_subunits_disciplined_max"])
    if c.subunits_disciplined_share is not None and _fraction(c.subunits_disciplined_share) > subunits_max:
        reasons.append(f"Trên {_pct(subunits_max)} tổ chức, đơn vị trực thuộc bị kỷ luật.")
    if c.disunity:
        reasons.append("Nội bộ mất đoàn kết.")
    return reasons


def _unmet(grade: Grade, c: Conditions, rs: RuleSet) -> list[str]:
    """Why ``grade``'s extra conditions do not hold (empty when they do)."""
    on_time = None if c.tasks_on_time_share is None else _fraction(c.tasks_on_time_share)
    reasons = []
    if grade in (Grade.EXCELLENT, Grade.GOOD) and on_time is not None and on_time < 1:
        reasons.append(f"{grade.label}: cần 100% nhiệm vụ hoàn thành đúng hạn (mới {_pct(on_time)}).")
    if grade is Grade.EXCELLENT:
        exceeding_min = _fraction(rs["evaluation.excellent_exceeding_tasks_min"])
        if c.tasks_exceeding_share is not None and _fraction(c.tasks_exceeding_share) < exceeding_min:
            reasons.append(
                f"{grade.label}: cần ít nhất {_pct(exceeding_min)} nhiệm vụ vượt mức"
                f" (mới {_pct(_fraction(c.tasks_exceeding_share))})."
            )
        if (c.is_collective or c.is_leader) and c.has_disciplined_subunit:
            reasons.append(f"{grade.label}: có đơn vị trực thuộc hoặc thành viên lãnh đạo bị kỷ luật.")
    if grade is Grade.FULFILLED and c.is_collective and on_time is not None:
        late_max = _fraction(rs["evaluation.fulfilled_late_tasks_max"])
        if 1 - on_time > late_max:
            reasons.append(f"{grade.label}: tập thể có quá {_pct(late_max)} nhiệm vụ chậm tiến độ.")
    return reasons


def grade_from_points(
    points: float, rs: RuleSet | None = None, conditions: Conditions | None = None
) -> GradeDecision:
    """The grade from the points, lowered to the highest grade whose conditions hold.

    Excellent needs 100% of tasks on time and ≥ 30% exceeding (a collective or leader: no
    disciplined sub-unit or leadership member); good needs 100% on time; fulfilled, for a
    collective, at most 20% of tasks late. Forced unfulfilled: disciplined in the period, under 50%
    of targets met, over 20% of sub-units disciplined, internal disunity.
    Source: Quy định 366-QĐ/TW, 30/8/2025; Hướng dẫn 43-HD/BTCTW, 31/10/2025; Quy định 124-QĐ/TW, 2023.
    """
    rs = rs or ruleset_for()
    c = conditions or Conditions()
    by_points = points_grade(points, rs)
    forced = _forced_unfulfilled(c, rs)
    if forced:
        return GradeDecision(Grade.UNFULFILLED, by_points, forced)
    reasons: list[str] = []
    for grade in list(Grade)[list(Grade).index(by_points) :]:
        unmet = _unmet(grade, c, rs)
        if not unmet:
            return GradeDecision(grade, by_points, reasons)
        reasons.extend(unmet)
    raise AssertionError("unreachable: unfulfilled has no conditions")  # pragma: no cover


def default_sheet(rs: RuleSet | None = None) -> dict[str, dict[str, float]]:
    """The bare 100-point sheet: one common-criteria line and one task-results line."""
    rs = rs or ruleset_for()
    return {
        "common": {"common": rs["evaluation.common_points"]},
        "task": {"task": rs["evaluation.task_points"]},
    }


def sheet_total(
    scores: Mapping[str, float],
    maxima: Mapping[str, Mapping[str, float]] | None = None,
    rs: RuleSet | None = None,
) -> float:
    """Total of a 100-point evaluation sheet: common criteria (30) + task results (70).

    ``maxima`` is ``{"common": {code: max}, "task": {code: max}}``; the maxima of each group must
    add up to ``evaluation.common_points`` / ``evaluation.task_points``. Every criterion needs a
    score between 0 and its maximum; unknown codes are refused. Default: :func:`default_sheet`.
    Source: Quy định 366-QĐ/TW, 30/8/2025; Hướng dẫn 43-HD/BTCTW, 31/10/2025.
    """
    rs = rs or ruleset_for()
    maxima = maxima if maxima is not None else default_sheet(rs)
    expected = {"common": rs["evaluation.common_points"], "task": rs["evaluation.task_points"]}
    if set(maxima) != set(expected):
        raise ValueError(
            "Phiếu đánh giá phải có đúng hai nhóm: tiêu chí chung (common) và kết quả nhiệm vụ (task)."
        )
    limits: dict[str, Fraction] = {}
    for group, criteria in maxima.items():
        group_sum = sum((_fraction(m) for m in criteria.values()), Fraction(0))
        if group_sum != _fraction(expected[group]):
            raise ValueError(
                f"Tổng điểm tối đa nhóm {group} là {float(group_sum):g}, phải bằng {expected[group]}."
            )
        for code, top in criteria.items():
            if code in limits:
                raise ValueError(f"Mã tiêu chí bị trùng: {code}.")
            limits[code] = _fraction(top)
    unknown = sorted(set(scores) - set(limits))
    if unknown:
        raise ValueError(f"Tiêu chí không có trong phiếu: {', '.join(unknown)}.")
    missing = sorted(set(limits) - set(scores))
    if missing:
        raise ValueError(f"Chưa chấm điểm tiêu chí: {', '.join(missing)}.")
    total = Fraction(0)
    for code, score in scores.items():
        if isinstance(score, float) and not math.isfinite(score):
            raise ValueError(f"Điểm tiêu chí {code} không hợp lệ: {score}.")
        value = _fraction(score)
        if not 0 <= value <= limits[code]:
            raise ValueError(f"Điểm tiêu chí {code} là {score:g}, phải từ 0 đến {float(limits[code]):g}.")
        total += value
    return float(total)


@dataclass(frozen=True)
class QuotaBreach:
    """A grassroots organization with more members graded excellent than the quota allows."""

    organization: str
    excellent: int
    good: int
    allowed: int
    excess: int

    @property
    def message(self) -> str:
        return (
            f"{self.organization}: {self.excellent} đảng viên xếp loại xuất sắc, tối đa được {self.allowed}"
            f" (theo {self.good} đảng viên hoàn thành tốt nhiệm vụ); vượt {self.excess}."
        )


def excellent_quota_check(
    counts_by_grassroots: Mapping[str, Mapping[str, int]], rs: RuleSet | None = None
) -> list[QuotaBreach]:
    """Grassroots organizations where members graded excellent exceed 20% of those graded good.

    "At most 20% of good" is read as excellent ≤ 0.2 × good with exact arithmetic; since counts
    are whole, the allowed maximum is ⌊0.2 × good⌋ (9 good allow 1 excellent, 10 allow 2).
    Counts are keyed by :class:`Grade` (or its value); a missing grade counts as 0.
    Source: Hướng dẫn 21-HD/BTCTW, 2019 (unconfirmed under Quy định 366-QĐ/TW, 30/8/2025).
    """
    rs = rs or ruleset_for()
    share = _fraction(rs["evaluation.excellent_share_of_good_max"])
    breaches = []
    for org, counts in counts_by_grassroots.items():
        excellent = int(counts.get(Grade.EXCELLENT, 0))
        good = int(counts.get(Grade.GOOD, 0))
        allowed = math.floor(share * good)
        if excellent > allowed:
            breaches.append(QuotaBreach(org, excellent, good, allowed, excellent - allowed))
    return breaches


def last_graded_admission(period_end: dt.date, rs: RuleSet | None = None) -> dt.date:
    """The latest admission day of a member graded in a period ending ``period_end``.

    A member admitted less than ``evaluation.min_months_since_admission`` (6) months before the end
    of the period takes part in the review but is not graded; exactly 6 months is enough (months
    counted to the corresponding day, :func:`dangvu.core.deadlines.add_months`).
    Source: Quy định 366-QĐ/TW, 30/8/2025; Hướng dẫn 43-HD/BTCTW, 31/10/2025 (article unconfirmed,
    not yet stated in RULES.md; the rule set before 2025 applies the same number, unconfirmed).
    """
    rs = rs or ruleset_for(period_end)
    return add_months(period_end, -int(rs["evaluation.min_months_since_admission"]))
