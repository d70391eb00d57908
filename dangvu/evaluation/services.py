"""Evaluation use cases: the only code that writes rounds and evaluations.

Each public function is one transaction: it checks the actor's scope, applies the rules of
:mod:`dangvu.core.evaluation` with the rule set in force at the end of the round's period, and
raises :class:`ServiceError` (a Vietnamese message) with nothing written on refusal.

The steps of one evaluation, in order: self-assessment (points per criterion of the round's
sheet, self-proposed grade, task shares) → the cell's proposal → the committee's decision. A
decision without a proposal is refused unless the committee office records it with a reason.
The final grade is the decision lowered by the conditions: reprimand or worse in the period
(from the registry's ``Discipline``, not counting self-corrected cases) forces "unfulfilled".
Finalising a members' round checks the excellent quota per grassroots organization.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from dangvu.common import ServiceError, acting_user, ensure_can_edit
from dangvu.core.evaluation import (
    Conditions,
    Grade,
    GradeDecision,
    excellent_quota_check,
    grade_from_points,
    last_graded_admission,
    sheet_total,
)
from dangvu.core.rulesets import RuleSet, ruleset_for
from dangvu.core.text import nfc
from dangvu.indicators import Period
from dangvu.registry.models import GRASSROOTS_KINDS, Discipline, Member, Organization, OrgKind, Post

from .models import (
    CLOSED_STATES,
    QUARTERLY_KINDS,
    Evaluation,
    EvaluationRound,
    RoundState,
    SubjectKind,
)

__all__ = ["ServiceError"]

SHEETS_DIR = Path(__file__).parent / "sheets"
DEFAULT_SHEET = SHEETS_DIR / "default-2025.yaml"

EVALUATED_STATUSES = ("full", "probationary")
"""Members exempt from work and activity are not graded (Quy định 124-QĐ/TW, 2023, Điều 5)."""

COMMITTEE_ROLES = ("secretary", "deputy", "committee_member")
OFFICE_ROLES = ("secretary", "deputy", "unit_head")
ROLE_ORDER = {"secretary": 0, "deputy": 1, "unit_head": 2, "committee_member": 3}
ROLE_LABELS = {"secretary": "Bí thư", "deputy": "Phó Bí thư", "committee_member": "Cấp ủy viên",
               "unit_head": "Thủ trưởng cơ quan, đơn vị"}


# -- the scoring sheet --------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _read_sheet_file(path: str, mtime: float) -> Any:
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_sheet(subject_kind: str, path: Path | str = DEFAULT_SHEET, rs: RuleSet | None = None) -> dict[str, Any]:
    """The sheet for ``subject_kind`` from a sheet file, checked against the rule set's group totals
    (common criteria ``evaluation.common_points``, task results ``evaluation.task_points``)."""
    try:
        raw = copy.deepcopy(_read_sheet_file(str(path), Path(path).stat().st_mtime))
        sheet = raw["sheets"][subject_kind]
        groups = [{"code": str(g["code"]), "label": str(g["label"]),
                   "criteria": [{"code": str(c["code"]), "label": str(c["label"]), "max": float(c["max"])}
                                for c in g["criteria"]]}
                  for g in sheet["groups"]]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise ServiceError(f"Không đọc được phiếu chấm điểm cho đối tượng «{subject_kind}»: {exc}") from exc
    maxima = {g["code"]: {c["code"]: c["max"] for c in g["criteria"]} for g in groups}
    try:
        sheet_total({c["code"]: 0 for g in groups for c in g["criteria"]}, maxima, rs)
    except ValueError as exc:
        raise ServiceError(f"Phiếu chấm điểm không hợp lệ: {exc}") from exc
    return {"name": str(raw.get("name", "")), "version": str(raw.get("version", "")),
            "source": str(raw.get("source", "")), "groups": groups}


# -- who is evaluated -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Subject:
    member_id: int | None
    organization_id: int | None
    unit_id: int
    position: str = ""


def _period(year: int, quarter: int | None) -> Period:
    return Period.quarter(year, quarter) if quarter else Period.year(year)


def _posts(org: Organization, roles: Iterable[str], period: Period):
    """Posts of ``roles`` in the subtree held at the end of the period (or today, if earlier)."""
    on = period.as_of
    return (Post.objects.filter(organization__path__startswith=org.path, role__in=list(roles),
                                started_on__lte=on, member__status__in=EVALUATED_STATUSES)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on)))


def subject_orgs(org: Organization, period: Period):
    """Organizations a round run by ``org`` grades: below a province or upper level, the grassroots
    organizations; below a grassroots organization or sub-committee, its cells and sub-committees."""
    if org.kind in (OrgKind.PROVINCE, OrgKind.UPPER):
        kinds = list(GRASSROOTS_KINDS)
    else:
        kinds = [OrgKind.CELL, OrgKind.SUB_COMMITTEE]
    return (Organization.objects.filter(path__startswith=org.path, depth__gt=org.depth, kind__in=kinds)
            .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=period.end))
            .filter(Q(established_on__isnull=True) | Q(established_on__lte=period.end)))


def new_members_not_graded(org: Organization, period: Period):
    """Members of the subtree admitted too recently to be graded in ``period``: they take part in
    the review but get no grade (``evaluation.min_months_since_admission``)."""
    last_admitted = last_graded_admission(period.end, ruleset_for(period.end))
    return Member.objects.filter(organization__path__startswith=org.path, status__in=EVALUATED_STATUSES,
                                 admitted_on__gt=last_admitted, admitted_on__lte=period.end)


def subjects_for(org: Organization, subject_kind: str, period: Period) -> list[Subject]:
    """Who a round of ``subject_kind`` run by ``org`` for ``period`` evaluates."""
    if subject_kind == SubjectKind.MEMBER:
        # Members admitted less than 6 months before the period's end take part in the review but
        # are not graded: they get no evaluation in the round.
        last_admitted = last_graded_admission(period.end, ruleset_for(period.end))
        rows = (Member.objects.filter(organization__path__startswith=org.path, status__in=EVALUATED_STATUSES)
                .filter(Q(admitted_on__isnull=True) | Q(admitted_on__lte=last_admitted))
                .order_by("organization__path", "name_folded", "id").values_list("pk", "organization_id"))
        return [Subject(pk, None, unit) for pk, unit in rows]
    if subject_kind == SubjectKind.ORGANIZATION:
        return [Subject(None, pk, pk) for pk in subject_orgs(org, period).order_by("path").values_list("pk", flat=True)]
    roles = COMMITTEE_ROLES if subject_kind == SubjectKind.COMMITTEE_MEMBER else OFFICE_ROLES
    best: dict[int, tuple[int, int, str]] = {}
    rows = _posts(org, roles, period).values_list("member_id", "organization_id", "role", "organization__name")
    for member_id, org_id, role, org_name in rows:
        rank = ROLE_ORDER[role]
        if member_id not in best or rank < best[member_id][0]:
            best[member_id] = (rank, org_id, f"{ROLE_LABELS[role]} — {org_name}")
    return [Subject(pk, None, unit, position) for pk, (_r, unit, position) in sorted(best.items())]


# -- opening a round ---------------------------------------------------------------------------------

def _check_period(subject_kind: str, year: int, quarter: int | None) -> None:
    if subject_kind not in SubjectKind.values:
        raise ServiceError("Đối tượng đánh giá không hợp lệ.")
    if not 2000 <= int(year) <= dt.date.today().year:
        raise ServiceError(f"Năm đánh giá phải từ 2000 đến {dt.date.today().year}.")
    if subject_kind in QUARTERLY_KINDS:
        if quarter not in (1, 2, 3, 4):
            raise ServiceError("Đánh giá đảng viên giữ chức vụ theo quý: hãy chọn quý.")
    elif quarter is not None:
        raise ServiceError("Đối tượng này đánh giá theo năm, không chọn quý.")


@transaction.atomic
def open_round(by, org: Organization, subject_kind: str, year: int, quarter: int | None = None,
               sheet_path: Path | str = DEFAULT_SHEET) -> EvaluationRound:
    """Open a round run by ``org`` and create one evaluation per subject of its subtree.

    A subject already in another round of the same kind and period is refused (each member and
    organization is graded once per period), and so is a round with nobody to evaluate.
    """
    ensure_can_edit(by, org)
    _check_period(subject_kind, year, quarter)
    period = _period(year, quarter)
    subjects = subjects_for(org, subject_kind, period)
    if not subjects:
        raise ServiceError(f"{org.name} không có {SubjectKind(subject_kind).label.lower()} nào để đánh giá "
                           f"trong {period.label}.")
    same = Evaluation.objects.filter(round__subject_kind=subject_kind, round__year=year, round__quarter=quarter)
    field, ids = (("member_id", [s.member_id for s in subjects]) if subjects[0].member_id
                  else ("organization_id", [s.organization_id for s in subjects]))
    other = None
    for i in range(0, len(ids), 500):  # chunks: SQLite limits the parameters of one query
        other = same.filter(**{f"{field}__in": ids[i:i + 500]}).select_related("round__organization").first()
        if other is not None:
            break
    if other is not None:
        raise ServiceError(f"{other.subject_name} đã có trong đợt đánh giá {other.round.period_label} do "
                           f"{other.round.organization.name} tiến hành; mỗi đối tượng chỉ đánh giá một lần mỗi kỳ.")
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


# -- conditions from the registry and the grade --------------------------------------------------

def _share(pct: Decimal | None) -> Fraction | None:
    return None if pct is None else Fraction(str(pct)) / 100


def _disciplined_orgs(ids: Iterable[int], period: Period) -> set[int]:
    return set(Discipline.objects.filter(organization_id__in=list(ids), self_corrected=False,
                                         decided_on__range=(period.start, period.end))
               .values_list("organization_id", flat=True))


def _disciplined_members(ids: Iterable[int], period: Period) -> set[int]:
    """Members with a discipline (every form is reprimand or worse) decided in the period and not
    self-detected and corrected (Quy định 124-QĐ/TW, 2023)."""
    return set(Discipline.objects.filter(member_id__in=list(ids), self_corrected=False,
                                         decided_on__range=(period.start, period.end))
               .values_list("member_id", flat=True))


def _children(org_ids: Iterable[int], period: Period) -> dict[int, list[int]]:
    """Direct sub-organizations (not groups) of each organization, existing in the period."""
    out: dict[int, list[int]] = {}
    for parent in Organization.objects.filter(pk__in=list(org_ids)):
        out[parent.pk] = list(
            Organization.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
            .exclude(kind=OrgKind.GROUP).filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=period.start))
            .values_list("pk", flat=True))
    return out


def _facts(rnd: EvaluationRound, evaluations: list[Evaluation]) -> dict[str, Any]:
    """Registry facts of the period for these evaluations, a few queries for all of them."""
    period = rnd.period
    members = {e.member_id for e in evaluations if e.member_id}
    orgs = {e.organization_id for e in evaluations if e.organization_id}
    leader_units = {e.unit_id for e in evaluations if e.member_id and rnd.subject_kind != SubjectKind.MEMBER}
    children = _children(orgs | leader_units, period)
    below = {c for kids in children.values() for c in kids}
    leaders = defaultdict(set)  # organization → its committee members in the period
    if orgs:
        for org_id, member_id in _posts_in(orgs, period).values_list("organization_id", "member_id"):
            leaders[org_id].add(member_id)
    disciplined_members = _disciplined_members(members | {m for ms in leaders.values() for m in ms}, period)
    disciplined_orgs = _disciplined_orgs(orgs | leader_units | below, period)
    return {"children": children, "leaders": leaders, "members": disciplined_members, "orgs": disciplined_orgs}


def _posts_in(org_ids: Iterable[int], period: Period):
    return (Post.objects.filter(organization_id__in=list(org_ids), role__in=COMMITTEE_ROLES,
                                started_on__lte=period.end)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.start)))


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


GRADED_FIELDS = ["computed_grade", "final_grade", "reasons", "disciplined", "subunits_disciplined_pct"]


def refresh_round(rnd: EvaluationRound, evaluations: list[Evaluation] | None = None) -> int:
    """Recompute conditions and grades of the round's evaluations; save those that changed."""
    evaluations = list(rnd.evaluations.all()) if evaluations is None else evaluations
    if not evaluations:
        return 0
    rs = ruleset_for(rnd.rule_day)
    facts = _facts(rnd, evaluations)
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
        raise ServiceError(f"Đợt đánh giá đang ở trạng thái «{rnd.get_state_display()}»: không sửa được nữa.")


def _pct(name: str, value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation as exc:
        raise ServiceError(f"{name}: phải là một số từ 0 đến 100.") from exc
    if not d.is_finite() or not 0 <= d <= 100:
        raise ServiceError(f"{name}: phải là một số từ 0 đến 100.")
    return d.quantize(Decimal("0.01"))


def _grade(value: str, what: str) -> str:
    if value not in {g.value for g in Grade}:
        raise ServiceError(f"{what}: hãy chọn một trong bốn mức xếp loại.")
    return value


def _lock(ev: Evaluation) -> Evaluation:
    return Evaluation.objects.select_for_update().select_related("round__organization", "unit").get(pk=ev.pk)


@transaction.atomic
def self_assess(by, ev: Evaluation, points: Mapping[str, Any], self_grade: str, *,
                tasks_on_time_pct: Any = None, tasks_exceeding_pct: Any = None, targets_met_pct: Any = None,
                disunity: bool = False) -> Evaluation:
    """Step 1: the subject's own points per criterion of the round's sheet and proposed grade, with
    the share of tasks done on time and exceeding (and of targets met), recorded by the cell."""
    ev = _lock(ev)
    rnd = ev.round
    ensure_can_edit(by, ev.unit)
    _require_open(rnd)
    clean: dict[str, float] = {}
    for code, value in points.items():
        try:
            clean[str(code)] = float(Decimal(str(value)))
        except (InvalidOperation, ValueError) as exc:
            raise ServiceError(f"Điểm tiêu chí {code} không hợp lệ.") from exc
    rs = ruleset_for(rnd.rule_day)
    try:
        total = sheet_total(clean, rnd.maxima(), rs)
    except ValueError as exc:
        raise ServiceError(str(exc)) from exc
    ev.self_points = clean
    ev.self_total = Decimal(str(round(total, 2)))
    ev.self_grade = _grade(self_grade, "Tự xếp loại")
    ev.tasks_on_time_pct = _pct("Tỷ lệ nhiệm vụ hoàn thành đúng hạn", tasks_on_time_pct)
    ev.tasks_exceeding_pct = _pct("Tỷ lệ nhiệm vụ vượt mức", tasks_exceeding_pct)
    ev.targets_met_pct = _pct("Tỷ lệ chỉ tiêu đạt", targets_met_pct)
    ev.disunity = bool(disunity) and ev.is_collective
    ev.self_by, ev.self_at = acting_user(by), timezone.now()
    grade_evaluation(rnd, ev, _facts(rnd, [ev]), rs)
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
        raise ServiceError(f"{ev.subject_name}: chưa có phiếu tự đánh giá, chưa thể đề xuất xếp loại.")
    ev.proposed_grade = _grade(grade, "Đề xuất xếp loại")
    ev.proposal_note = nfc(note)[:500]
    ev.proposed_by, ev.proposed_at = acting_user(by), timezone.now()
    grade_evaluation(rnd, ev, _facts(rnd, [ev]), ruleset_for(rnd.rule_day))
    ev.save()
    return ev


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
    grade = _grade(grade, "Quyết định xếp loại")
    reason = nfc(reason)[:500]
    if not ev.proposed_grade:
        if not is_committee_office(by, rnd.organization):
            raise ServiceError(f"{ev.subject_name}: chi bộ chưa đề xuất xếp loại. Chỉ văn phòng cấp ủy được "
                               "quyết định khi chưa có đề xuất, và phải ghi lý do.")
        if not reason:
            raise ServiceError(f"{ev.subject_name}: quyết định khi chưa có đề xuất của chi bộ phải ghi lý do.")
    ev.decided_grade = grade
    ev.decision_reason = reason
    ev.decided_by, ev.decided_at = acting_user(by), timezone.now()
    grade_evaluation(rnd, ev, _facts(rnd, [ev]), ruleset_for(rnd.rule_day))
    ev.save()
    return ev


# -- the excellent quota ---------------------------------------------------------------------------

def _grassroots_of(unit_paths: Iterable[str], fallback: Organization) -> dict[str, Organization]:
    """The nearest grassroots organization (itself or an ancestor) of each unit path."""
    steplen = Organization.steplen
    paths = set(unit_paths)
    prefixes = {p[:n] for p in paths for n in range(steplen, len(p) + 1, steplen)}
    found = {o.path: o for o in Organization.objects.filter(path__in=prefixes, kind__in=GRASSROOTS_KINDS)}
    out = {}
    for p in paths:
        hits = [found[p[:n]] for n in range(len(p), 0, -steplen) if p[:n] in found]
        out[p] = hits[0] if hits else fallback
    return out


@dataclass(frozen=True)
class QuotaRow:
    """Members' grades in one grassroots organization, with what the quota allows."""

    organization: Organization
    counts: dict[str, int]
    allowed: int
    undecided: int = 0

    @property
    def excellent(self) -> int:
        return self.counts.get(Grade.EXCELLENT.value, 0)

    @property
    def excess(self) -> int:
        return max(0, self.excellent - self.allowed)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _allowed(good: int, rs: RuleSet) -> int:
    """The excellent maximum for ``good`` members graded good, as the core computes it."""
    breach = excellent_quota_check({"": {Grade.GOOD.value: good, Grade.EXCELLENT.value: good + 1}}, rs)
    return breach[0].allowed


def quota_rows(rnd: EvaluationRound) -> list[QuotaRow]:
    """Per grassroots organization: this round's final grades plus those of the other finalised or
    published members' rounds of the same year in that organization."""
    if rnd.subject_kind != SubjectKind.MEMBER:
        return []
    rs = ruleset_for(rnd.rule_day)
    rows = list(rnd.evaluations.values_list("unit__path", "final_grade"))
    where = _grassroots_of({p for p, _g in rows}, rnd.organization)
    counts: dict[int, Counter] = defaultdict(Counter)
    undecided: Counter = Counter()
    orgs: dict[int, Organization] = {}
    for path, grade in rows:
        g = where[path]
        orgs[g.pk] = g
        if grade:
            counts[g.pk][grade] += 1
        else:
            undecided[g.pk] += 1
    for g in orgs.values():
        others = (Evaluation.objects.filter(round__subject_kind=SubjectKind.MEMBER, round__year=rnd.year,
                                            round__quarter__isnull=True, round__state__in=CLOSED_STATES,
                                            unit__path__startswith=g.path)
                  .exclude(round=rnd).exclude(final_grade="")
                  .values_list("final_grade").annotate(n=Count("id")).order_by())
        for grade, n in others:
            counts[g.pk][grade] += n
    return [QuotaRow(g, dict(counts[g.pk]), _allowed(counts[g.pk][Grade.GOOD.value], rs), undecided[g.pk])
            for g in sorted(orgs.values(), key=lambda o: o.path)]


def quota_breaches(rnd: EvaluationRound) -> list[str]:
    """The core's messages naming each grassroots organization over the excellent quota."""
    rows = quota_rows(rnd)
    by_name = {r.organization.name: r.counts for r in rows}
    return [b.message for b in excellent_quota_check(by_name, ruleset_for(rnd.rule_day))]


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
        raise ServiceError(f"Còn {n} phiếu chưa có quyết định của cấp ủy: {names}.")
    refresh_round(rnd)
    breaches = quota_breaches(rnd)
    if breaches:
        raise ServiceError("Chưa chốt được: số đảng viên xếp loại xuất sắc vượt tỷ lệ cho phép. " + " ".join(breaches))
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
        raise ServiceError("Chỉ công bố được đợt đánh giá đã chốt kết quả.")
    rnd.state = RoundState.PUBLISHED
    rnd.published_by, rnd.published_at = acting_user(by), timezone.now()
    rnd.save()
    return rnd


# -- reading ---------------------------------------------------------------------------------------

def distribution(evaluations) -> dict[str, int]:
    """Final grades of a queryset of evaluations, every grade listed, plus ``""`` for undecided."""
    rows = dict(evaluations.values_list("final_grade").annotate(n=Count("id")).order_by())
    out = {g.value: rows.get(g.value, 0) for g in Grade}
    out[""] = rows.get("", 0)
    return out


def published_rows(rnd: EvaluationRound) -> list[dict[str, Any]]:
    """The published list: one row per evaluation, in the order of the round page."""
    out = []
    for ev in rnd.evaluations.select_related("member", "organization", "unit"):
        out.append({"name": ev.subject_name, "unit": ev.unit.name, "unit_id": ev.unit_id, "position": ev.position,
                    "self_total": float(ev.self_total) if ev.self_total is not None else None,
                    "grade": ev.final_grade, "grade_label": ev.get_final_grade_display(),
                    "reasons": "; ".join(ev.reasons)})
    return out


def proposed_meeting_grade(ev: Evaluation):
    """For a cell being graded: the meetings app's proposed annual meeting grade (a proposed figure)."""
    if ev.organization_id is None or not ev.organization.is_cell:
        return None
    from dangvu.meetings.services import proposed_annual_meeting_grade

    return proposed_annual_meeting_grade(ev.organization, ev.round.year)
