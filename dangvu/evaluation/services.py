"""Evaluation use cases: the only code that writes rounds and evaluations.

Each public function is one transaction: it checks the actor's scope, applies the rules of
:mod:`dangvu.core.evaluation` with the rule set in force at the end of the round's period, and
raises :class:`ServiceError` (a Vietnamese message and a code) with nothing written on refusal.

The steps of one evaluation, in order: self-assessment (points per criterion of the round's
sheet, self-proposed grade, task shares) → the cell's proposal → the committee's decision. A
decision without a proposal is refused unless the committee office records it with a reason.
The final grade is the decision lowered by the conditions: reprimand or worse in the period
(from the registry's ``Discipline``, not counting self-corrected cases) forces "unfulfilled".
Finalising a members' round checks the excellent quota per grassroots organization.

What moved out (and is still importable from here): the sheet files → :mod:`.sheets`; who is
evaluated, the registry facts, the quota and the page reads → :mod:`.selectors`; the grade of one
evaluation → :mod:`.grading`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.core import clock
from dangvu.core.evaluation import Grade, sheet_total
from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import nfc
from dangvu.registry.models import Organization

from .grading import GRADED_FIELDS, conditions_for, grade_evaluation
from .models import QUARTERLY_KINDS, Evaluation, EvaluationRound, RoundState, SubjectKind
from .selectors import (
    COMMITTEE_ROLES,
    EVALUATED_STATUSES,
    OFFICE_ROLES,
    ROLE_LABELS,
    ROLE_ORDER,
    QuotaRow,
    Subject,
    distribution,
    excellent_allowed,
    first_already_graded,
    new_members_not_graded,
    period_of,
    published_rows,
    quota_breaches,
    quota_rows,
    registry_facts,
    round_period,
    subject_orgs,
    subjects_for,
)
from .sheets import DEFAULT_SHEET, SHEETS_DIR, load_sheet

__all__ = [
    "COMMITTEE_ROLES", "DEFAULT_SHEET", "EVALUATED_STATUSES", "GRADED_FIELDS", "OFFICE_ROLES", "ROLE_LABELS",
    "ROLE_ORDER", "SHEETS_DIR", "QuotaRow", "ServiceError", "Subject", "conditions_for", "decide", "distribution",
    "excellent_allowed", "finalise_round", "grade_evaluation", "is_committee_office", "load_sheet",
    "new_members_not_graded", "open_round", "period_of", "propose", "propose_for_unit", "proposed_meeting_grade", "publish_round",
    "published_rows", "quota_breaches", "quota_rows", "refresh_round", "registry_facts", "round_period",
    "self_assess", "subject_orgs", "subjects_for",
]

# The names these had before the split (the demo builder uses them).


# -- opening a round ---------------------------------------------------------------------------------

def _check_period(subject_kind: str, year: int, quarter: int | None) -> None:
    if subject_kind not in SubjectKind.values:
        raise ServiceError("Đối tượng đánh giá không hợp lệ.", Code.INVALID, field="subject_kind")
    this_year = clock.today().year
    if not 2000 <= int(year) <= this_year:
        raise ServiceError(f"Năm đánh giá phải từ 2000 đến {this_year}.", Code.OUT_OF_RANGE, field="year")
    if subject_kind in QUARTERLY_KINDS:
        if quarter not in (1, 2, 3, 4):
            raise ServiceError("Đánh giá đảng viên giữ chức vụ theo quý: hãy chọn quý.", Code.REQUIRED,
                               field="quarter")
    elif quarter is not None:
        raise ServiceError("Đối tượng này đánh giá theo năm, không chọn quý.", Code.INVALID, field="quarter")


@transaction.atomic
def open_round(by, org: Organization, subject_kind: str, year: int, quarter: int | None = None,
               sheet_path: Path | str = DEFAULT_SHEET) -> EvaluationRound:
    """Open a round run by ``org`` and create one evaluation per subject of its subtree.

    A subject already in another round of the same kind and period is refused (each member and
    organization is graded once per period), and so is a round with nobody to evaluate.
    """
    ensure_can_edit(by, org)
    _check_period(subject_kind, year, quarter)
    period = period_of(year, quarter)
    subjects = subjects_for(org, subject_kind, period)
    if not subjects:
        raise ServiceError(f"{org.name} không có {SubjectKind(subject_kind).label.lower()} nào để đánh giá "
                           f"trong {period.label}.", Code.STATE)
    other = first_already_graded(subject_kind, year, quarter, subjects)
    if other is not None:
        raise ServiceError(f"{other.subject_name} đã có trong đợt đánh giá {other.round.period_label} do "
                           f"{other.round.organization.name} tiến hành; mỗi đối tượng chỉ đánh giá một lần mỗi kỳ.",
                           Code.DUPLICATE)
    rnd = EvaluationRound.objects.create(
        organization=org, subject_kind=subject_kind, year=year, quarter=quarter, state=RoundState.OPEN,
        sheet=load_sheet(subject_kind, sheet_path, ruleset_for(period.end)), opened_by=acting_user(by),
        opened_at=timezone.now())
    Evaluation.objects.bulk_create([
        Evaluation(round=rnd, member_id=s.member_id, organization_id=s.organization_id, unit_id=s.unit_id,
                   position=s.position)
        for s in subjects
    ], batch_size=500)
    from dangvu.accounts.audit import log_bulk

    log_bulk(acting_user(by), rnd, "evaluations", created=len(subjects), round=rnd.pk)
    refresh_round(rnd)
    return rnd


@transaction.atomic
def refresh_round(rnd: EvaluationRound, evaluations: list[Evaluation] | None = None) -> int:
    """Recompute conditions and grades of the round's evaluations; save those that changed."""
    evaluations = list(rnd.evaluations.all()) if evaluations is None else evaluations
    if not evaluations:
        return 0
    rs = ruleset_for(rnd.rule_day)
    facts = registry_facts(rnd, evaluations)
    changed = 0
    for ev in evaluations:
        before = [getattr(ev, f) for f in GRADED_FIELDS]
        grade_evaluation(rnd, ev, facts, rs)
        if [getattr(ev, f) for f in GRADED_FIELDS] != before:
            ev.save(update_fields=GRADED_FIELDS)  # one save per row keeps the audit log's before → after
            changed += 1
    return changed


# -- the three steps ----------------------------------------------------------------------------------

def _require_open(rnd: EvaluationRound) -> None:
    if rnd.state != RoundState.OPEN:
        raise ServiceError(f"Đợt đánh giá đang ở trạng thái «{rnd.get_state_display()}»: không sửa được nữa.",
                           Code.STATE)


def _pct(name: str, value: Any, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation as exc:
        raise ServiceError(f"{name}: phải là một số từ 0 đến 100.", Code.INVALID, field=field) from exc
    if not d.is_finite() or not 0 <= d <= 100:
        raise ServiceError(f"{name}: phải là một số từ 0 đến 100.", Code.OUT_OF_RANGE, field=field)
    return d.quantize(Decimal("0.01"))


def _grade(value: str, what: str, field: str) -> str:
    if value not in {g.value for g in Grade}:
        raise ServiceError(f"{what}: hãy chọn một trong bốn mức xếp loại.", Code.INVALID, field=field)
    return value


def _lock(ev: Evaluation) -> Evaluation:
    return Evaluation.objects.select_for_update().select_related("round__organization", "unit").get(pk=ev.pk)


def _points(points: Mapping[str, Any]) -> dict[str, float]:
    clean: dict[str, float] = {}
    for code, value in points.items():
        try:
            clean[str(code)] = float(Decimal(str(value)))
        except (InvalidOperation, ValueError) as exc:
            raise ServiceError(f"Điểm tiêu chí {code} không hợp lệ.", Code.INVALID, field=f"c_{code}") from exc
    return clean


def _may_self_assess(by, ev: Evaluation) -> None:
    """The cell's editors fill the self step; the member fills their own from the member home
    (issue 17), until the cell has proposed a grade."""
    from dangvu.accounts.access import access_for

    if by is None or access_for(by).can_edit_org(ev.unit) or not ev.member_id \
            or ev.member_id not in access_for(by).own_member_ids:
        ensure_can_edit(by, ev.unit)
    elif ev.proposed_grade:
        raise ServiceError("Chi bộ đã đề xuất xếp loại: phiếu tự đánh giá không sửa được nữa.", Code.STATE)


@transaction.atomic
def self_assess(by, ev: Evaluation, points: Mapping[str, Any], self_grade: str, *,
                tasks_on_time_pct: Any = None, tasks_exceeding_pct: Any = None, targets_met_pct: Any = None,
                disunity: bool = False) -> Evaluation:
    """Step 1: the subject's own points per criterion of the round's sheet and proposed grade, with
    the share of tasks done on time and exceeding (and of targets met), recorded by the cell."""
    ev = _lock(ev)
    rnd = ev.round
    _may_self_assess(by, ev)
    _require_open(rnd)
    clean = _points(points)
    rs = ruleset_for(rnd.rule_day)
    try:
        total = sheet_total(clean, rnd.maxima(), rs)
    except ValueError as exc:
        raise ServiceError(str(exc), Code.INVALID) from exc
    ev.self_points = clean
    ev.self_total = Decimal(str(round(total, 2)))
    ev.self_grade = _grade(self_grade, "Tự xếp loại", "self_grade")
    ev.tasks_on_time_pct = _pct("Tỷ lệ nhiệm vụ hoàn thành đúng hạn", tasks_on_time_pct, "tasks_on_time_pct")
    ev.tasks_exceeding_pct = _pct("Tỷ lệ nhiệm vụ vượt mức", tasks_exceeding_pct, "tasks_exceeding_pct")
    ev.targets_met_pct = _pct("Tỷ lệ chỉ tiêu đạt", targets_met_pct, "targets_met_pct")
    ev.disunity = bool(disunity) and ev.is_collective
    ev.self_by, ev.self_at = acting_user(by), timezone.now()
    grade_evaluation(rnd, ev, registry_facts(rnd, [ev]), rs)
    ev.save()
    return ev


@transaction.atomic
def propose(by, ev: Evaluation, grade: str, note: str = "") -> Evaluation:
    """Step 2: the cell's proposed grade and remarks; needs the self-assessment first."""
    ev = _lock(ev)
    rnd = ev.round
    ensure_can_edit(by, ev.unit)
    _require_open(rnd)
    if ev.self_at is None:
        raise ServiceError(f"{ev.subject_name}: chưa có phiếu tự đánh giá, chưa thể đề xuất xếp loại.",
                           Code.INCOMPLETE)
    ev.proposed_grade = _grade(grade, "Đề xuất xếp loại", "grade")
    ev.proposal_note = nfc(note)[:500]
    ev.proposed_by, ev.proposed_at = acting_user(by), timezone.now()
    grade_evaluation(rnd, ev, registry_facts(rnd, [ev]), ruleset_for(rnd.rule_day))
    ev.save()
    return ev


@transaction.atomic
def propose_for_unit(by, rnd: EvaluationRound, unit: Organization, grades: Mapping[int, str]) -> int:
    """Step 2 for a whole cell at once: ``grades`` maps evaluation ids of ``unit`` in ``rnd`` to the
    cell's proposed grade. All or nothing: the first refusal (a closed round, an id not of this cell, a
    grade that is none of the four, a member without a self-assessment) writes nothing. Returns how
    many proposals changed; each change is audited (one log entry per evaluation)."""
    ensure_can_edit(by, unit)
    rnd = EvaluationRound.objects.select_for_update().get(pk=rnd.pk)
    _require_open(rnd)
    # Lock the forms only: PostgreSQL cannot lock the nullable side of the outer joins below.
    rows = {ev.pk: ev for ev in Evaluation.objects.select_for_update(of=("self",)).filter(round=rnd, unit=unit)
            .select_related("member", "organization", "unit")}
    changed: list[Evaluation] = []
    for pk, grade in grades.items():
        ev = rows.get(pk)
        if ev is None:
            raise ServiceError(f"Phiếu số {pk} không thuộc {unit.name} trong đợt đánh giá này.", Code.NOT_FOUND)
        if not grade or grade == ev.proposed_grade:
            continue
        grade = _grade(grade, f"{ev.subject_name} — đề xuất xếp loại", f"g{pk}")
        if ev.self_at is None:
            raise ServiceError(f"{ev.subject_name}: chưa có phiếu tự đánh giá, chưa thể đề xuất xếp loại.",
                               Code.INCOMPLETE, field=f"g{pk}")
        ev.proposed_grade = grade
        ev.proposed_by, ev.proposed_at = acting_user(by), timezone.now()
        changed.append(ev)
    if changed:
        rs = ruleset_for(rnd.rule_day)
        facts = registry_facts(rnd, changed)
        for ev in changed:
            grade_evaluation(rnd, ev, facts, rs)
            ev.save()  # one save per row: the audit log keeps each member's before → after
    return len(changed)


def is_committee_office(by, org: Organization) -> bool:
    """The committee office (văn phòng cấp ủy) of ``org`` or above, or an administrator."""
    if by is None:
        return True
    from dangvu.accounts.access import access_for
    from dangvu.accounts.models import RoleKind

    acc = access_for(by)
    return acc.is_admin or any(r.kind == RoleKind.OFFICE and org.path.startswith(r.organization.path)
                               for r in acc.roles)


@transaction.atomic
def decide(by, ev: Evaluation, grade: str, reason: str = "") -> Evaluation:
    """Step 3: the committee running the round decides the grade.

    Without the cell's proposal only the committee office may decide, and it must record why. The
    final grade is the decision lowered by the conditions, with the reasons kept.
    """
    ev = _lock(ev)
    rnd = ev.round
    ensure_can_edit(by, rnd.organization)
    _require_open(rnd)
    grade = _grade(grade, "Quyết định xếp loại", "grade")
    reason = nfc(reason)[:500]
    if not ev.proposed_grade:
        if not is_committee_office(by, rnd.organization):
            raise ServiceError(f"{ev.subject_name}: chi bộ chưa đề xuất xếp loại. Chỉ văn phòng cấp ủy được "
                               "quyết định khi chưa có đề xuất, và phải ghi lý do.", Code.INCOMPLETE)
        if not reason:
            raise ServiceError(f"{ev.subject_name}: quyết định khi chưa có đề xuất của chi bộ phải ghi lý do.",
                               Code.REQUIRED, field="reason")
    ev.decided_grade = grade
    ev.decision_reason = reason
    ev.decided_by, ev.decided_at = acting_user(by), timezone.now()
    grade_evaluation(rnd, ev, registry_facts(rnd, [ev]), ruleset_for(rnd.rule_day))
    ev.save()
    return ev


# -- closing a round -----------------------------------------------------------------------------------

@transaction.atomic
def finalise_round(by, rnd: EvaluationRound) -> EvaluationRound:
    """Close the round: every evaluation decided, grades recomputed (discipline recorded since is
    applied), and for members the excellent quota holds in every grassroots organization."""
    rnd = EvaluationRound.objects.select_for_update().select_related("organization").get(pk=rnd.pk)
    ensure_can_edit(by, rnd.organization)
    _require_open(rnd)
    missing = list(rnd.evaluations.filter(decided_grade="").select_related("member", "organization")[:6])
    if missing:
        n = rnd.evaluations.filter(decided_grade="").count()
        names = ", ".join(e.subject_name for e in missing[:5]) + (", …" if n > 5 else "")
        raise ServiceError(f"Còn {n} phiếu chưa có quyết định của cấp ủy: {names}.", Code.INCOMPLETE)
    refresh_round(rnd)
    breaches = quota_breaches(rnd)
    if breaches:
        raise ServiceError("Chưa chốt được: số đảng viên xếp loại xuất sắc vượt tỷ lệ cho phép. " + " ".join(breaches),
                           Code.RULE)
    rnd.state = RoundState.FINALISED
    rnd.finalised_by, rnd.finalised_at = acting_user(by), timezone.now()
    rnd.save()
    return rnd


@transaction.atomic
def publish_round(by, rnd: EvaluationRound) -> EvaluationRound:
    """Publish the finalised results (the list members and cells are told)."""
    rnd = EvaluationRound.objects.select_for_update().select_related("organization").get(pk=rnd.pk)
    ensure_can_edit(by, rnd.organization)
    if rnd.state != RoundState.FINALISED:
        raise ServiceError("Chỉ công bố được đợt đánh giá đã chốt kết quả.", Code.STATE)
    rnd.state = RoundState.PUBLISHED
    rnd.published_by, rnd.published_at = acting_user(by), timezone.now()
    rnd.save()
    return rnd


def proposed_meeting_grade(ev: Evaluation):
    """For a cell being graded: the meetings app's proposed annual meeting grade (a proposed figure).
    A read, kept here because it asks the meetings app's services."""
    if ev.organization_id is None or not ev.organization.is_cell:
        return None
    from dangvu.meetings.services import proposed_annual_meeting_grade

    return proposed_annual_meeting_grade(ev.organization, ev.round.year)
