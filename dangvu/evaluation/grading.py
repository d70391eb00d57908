"""One evaluation's grade from its points, its conditions and the committee's decision.

Works on model instances and the registry facts :func:`dangvu.evaluation.selectors.registry_facts`
read; writes nothing (the services save). The rules are :mod:`dangvu.core.evaluation`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from dangvu.core.evaluation import Conditions, Grade, GradeDecision, grade_from_points
from dangvu.core.rulesets import RuleSet

from .models import Evaluation, EvaluationRound, SubjectKind

GRADED_FIELDS = ["computed_grade", "final_grade", "reasons", "disciplined", "subunits_disciplined_pct"]
"""The fields :func:`grade_evaluation` sets (what a refresh saves when it changed)."""


def _share(pct: Decimal | None) -> Fraction | None:
    return None if pct is None else Fraction(str(pct)) / 100


def conditions_for(rnd: EvaluationRound, ev: Evaluation, facts: Mapping[str, Any]) -> Conditions:
    """The core's conditions for one evaluation: task shares as recorded, discipline from the registry."""
    collective = ev.organization_id is not None
    leader = not collective and rnd.subject_kind != SubjectKind.MEMBER
    if collective:
        kids = facts["children"].get(ev.organization_id, [])
        hit = [k for k in kids if k in facts["orgs"]]
        ev.subunits_disciplined_pct = (Decimal(100 * len(hit)) / len(kids)).quantize(Decimal("0.01")) if kids else None
        ev.disciplined = ev.organization_id in facts["orgs"]
        has_disciplined_subunit = bool(hit) or bool(facts["leaders"].get(ev.organization_id, set()) & facts["members"])
    else:
        ev.subunits_disciplined_pct = None
        ev.disciplined = ev.member_id in facts["members"]
        kids = facts["children"].get(ev.unit_id, [])
        has_disciplined_subunit = leader and (ev.unit_id in facts["orgs"] or any(k in facts["orgs"] for k in kids))
    return Conditions(
        tasks_on_time_share=_share(ev.tasks_on_time_pct),
        tasks_exceeding_share=_share(ev.tasks_exceeding_pct),
        disciplined_in_period=ev.disciplined,
        targets_met_share=_share(ev.targets_met_pct),
        subunits_disciplined_share=_share(ev.subunits_disciplined_pct),
        disunity=ev.disunity,
        is_collective=collective,
        is_leader=leader,
        has_disciplined_subunit=has_disciplined_subunit,
    )


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def grade_evaluation(rnd: EvaluationRound, ev: Evaluation, facts: Mapping[str, Any], rs: RuleSet) -> None:
    """Set the computed grade (points and conditions), the final grade (the decision lowered by the
    conditions) and the reasons, on ``ev`` (not saved)."""
    c = conditions_for(rnd, ev, facts)
    top = rs["evaluation.common_points"] + rs["evaluation.task_points"]
    cap: GradeDecision = grade_from_points(top, rs, c)  # the best grade the conditions allow
    computed = grade_from_points(float(ev.self_total), rs, c) if ev.self_total is not None else None
    reasons: list[str] = []
    if computed is not None:
        ev.computed_grade = computed.grade.value
        reasons += computed.reasons
    else:
        ev.computed_grade = Grade.UNFULFILLED.value if cap.grade is Grade.UNFULFILLED else ""
        if cap.grade is Grade.UNFULFILLED:
            reasons += cap.reasons
    if ev.decided_grade:
        decided = Grade(ev.decided_grade)
        if decided.rank > cap.grade.rank:
            ev.final_grade = cap.grade.value
            reasons.append(f"Cấp ủy quyết định «{decided.label}», kết quả hạ xuống «{cap.grade.label}».")
            reasons += cap.reasons
        else:
            ev.final_grade = decided.value
    else:
        ev.final_grade = ""
    ev.reasons = _dedupe(reasons)
