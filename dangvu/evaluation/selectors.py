"""Evaluation reads: who a round evaluates, the registry facts that grade them, the excellent quota,
and what the pages show within a user's Access. Reads only; the services write.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from dangvu.core.evaluation import Grade, excellent_quota_check, last_graded_admission
from dangvu.core.rulesets import RuleSet, ruleset_for
from dangvu.indicators import Period
from dangvu.registry.models import GRASSROOTS_KINDS, Discipline, Member, Organization, OrgKind, Post

from .models import CLOSED_STATES, Evaluation, EvaluationRound, SubjectKind

EVALUATED_STATUSES = ("full", "probationary")
"""Members exempt from work and activity are not graded (Quy định 124-QĐ/TW, 2023, Điều 5)."""

COMMITTEE_ROLES = ("secretary", "deputy", "committee_member")
OFFICE_ROLES = ("secretary", "deputy", "unit_head")
ROLE_ORDER = {"secretary": 0, "deputy": 1, "unit_head": 2, "committee_member": 3}
ROLE_LABELS = {"secretary": "Bí thư", "deputy": "Phó Bí thư", "committee_member": "Cấp ủy viên",
               "unit_head": "Thủ trưởng cơ quan, đơn vị"}


# -- who is evaluated -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Subject:
    member_id: int | None
    organization_id: int | None
    unit_id: int
    position: str = ""


def period_of(year: int, quarter: int | None) -> Period:
    """The indicators' period of a round of ``year`` (and ``quarter``, for quarterly rounds)."""
    return Period.quarter(year, quarter) if quarter else Period.year(year)


def round_period(rnd: EvaluationRound) -> Period:
    return period_of(rnd.year, rnd.quarter)


def _posts(org: Organization, roles: Iterable[str], period: Period):
    """Posts of ``roles`` in the subtree held at the end of the period (or today, if earlier): on a
    handover day that is the successor's post only (``Post.objects.held_on``)."""
    return Post.objects.held_on(period.as_of).filter(
        organization__in=Organization.objects.subtree(org), role__in=list(roles),
        member__status__in=EVALUATED_STATUSES)


def subject_orgs(org: Organization, period: Period):
    """Organizations a round run by ``org`` grades: below a province or upper level, the grassroots
    organizations; below a grassroots organization or sub-committee, its cells and sub-committees."""
    if org.kind in (OrgKind.PROVINCE, OrgKind.UPPER):
        kinds = list(GRASSROOTS_KINDS)
    else:
        kinds = [OrgKind.CELL, OrgKind.SUB_COMMITTEE]
    return (Organization.objects.subtree(org).filter(depth__gt=org.depth, kind__in=kinds)
            .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=period.end))
            .filter(Q(established_on__isnull=True) | Q(established_on__lte=period.end)))


def new_members_not_graded(org: Organization, period: Period):
    """Members of the subtree admitted too recently to be graded in ``period``: they take part in
    the review but get no grade (``evaluation.min_months_since_admission``)."""
    last_admitted = last_graded_admission(period.end, ruleset_for(period.end))
    return Member.objects.in_subtree(org).filter(status__in=EVALUATED_STATUSES, admitted_on__gt=last_admitted,
                                                 admitted_on__lte=period.end)


def subjects_for(org: Organization, subject_kind: str, period: Period) -> list[Subject]:
    """Who a round of ``subject_kind`` run by ``org`` for ``period`` evaluates."""
    if subject_kind == SubjectKind.MEMBER:
        # Members admitted less than 6 months before the period's end take part in the review but
        # are not graded: they get no evaluation in the round.
        last_admitted = last_graded_admission(period.end, ruleset_for(period.end))
        rows = (Member.objects.in_subtree(org).filter(status__in=EVALUATED_STATUSES)
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


def first_already_graded(subject_kind: str, year: int, quarter: int | None,
                         subjects: list[Subject]) -> Evaluation | None:
    """An evaluation of one of ``subjects`` in another round of the same kind and period, if any."""
    if not subjects:
        return None
    same = Evaluation.objects.filter(round__subject_kind=subject_kind, round__year=year, round__quarter=quarter)
    field, ids = (("member_id", [s.member_id for s in subjects]) if subjects[0].member_id
                  else ("organization_id", [s.organization_id for s in subjects]))
    for i in range(0, len(ids), 500):  # chunks: SQLite limits the parameters of one query
        other = same.filter(**{f"{field}__in": ids[i:i + 500]}).select_related("round__organization").first()
        if other is not None:
            return other
    return None


# -- registry facts of the period ---------------------------------------------------------------------

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
            Organization.objects.subtree(parent).filter(depth=parent.depth + 1)
            .exclude(kind=OrgKind.GROUP).filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=period.start))
            .values_list("pk", flat=True))
    return out


def _posts_in(org_ids: Iterable[int], period: Period):
    """Committee posts of these organizations held on some day of the period. ``ended_on`` is the
    first day a post is no longer held (as in ``Post.objects.held_on``), so a post that ended on the
    period's first day was not held in it."""
    return (Post.objects.filter(organization_id__in=list(org_ids), role__in=COMMITTEE_ROLES,
                                started_on__lte=period.end)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=period.start)))


def registry_facts(rnd: EvaluationRound, evaluations: list[Evaluation]) -> dict[str, Any]:
    """Registry facts of the period for these evaluations, a few queries for all of them."""
    period = round_period(rnd)
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


class _StateCounts:
    """How many forms are in each step (``counts`` by state), shared by the rows that show them."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def by_state(self) -> list[tuple[str, str, int]]:
        """(state, its label, how many) in the order of the steps."""
        return [(key, label, self.counts[key]) for key, label in ROW_STATES.items()]


@dataclass(frozen=True)
class QuotaRow(_StateCounts):
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


def excellent_allowed(good: int, rs: RuleSet) -> int:
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
        others = (Evaluation.objects.in_subtree(g)
                  .filter(round__subject_kind=SubjectKind.MEMBER, round__year=rnd.year,
                          round__quarter__isnull=True, round__state__in=CLOSED_STATES)
                  .exclude(round=rnd).exclude(final_grade="")
                  .values_list("final_grade").annotate(n=Count("id")).order_by())
        for grade, n in others:
            counts[g.pk][grade] += n
    return [QuotaRow(g, dict(counts[g.pk]), excellent_allowed(counts[g.pk][Grade.GOOD.value], rs), undecided[g.pk])
            for g in sorted(orgs.values(), key=lambda o: o.path)]


def quota_breaches(rnd: EvaluationRound) -> list[str]:
    """The core's messages naming each grassroots organization over the excellent quota."""
    rows = quota_rows(rnd)
    by_name = {r.organization.name: r.counts for r in rows}
    return [b.message for b in excellent_quota_check(by_name, ruleset_for(rnd.rule_day))]


# -- reading -------------------------------------------------------------------------------------------

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


# -- what a user's Access shows --------------------------------------------------------------------

def round_in_scope(acc, pk: int) -> tuple[EvaluationRound, bool] | None:
    """The round and whether the user reads all of it (else only the rows of their subtree); None
    when the round is not there or holds nothing of the user's scope."""
    rnd = EvaluationRound.objects.select_related("organization").filter(pk=pk).first()
    if rnd is None:
        return None
    if acc.can_read_org(rnd.organization):
        return rnd, True
    if acc.orgs().subtree(rnd.organization).exists():
        return rnd, False
    return None


def visible_evaluations(acc, rnd: EvaluationRound, whole: bool) -> QuerySet[Evaluation]:
    rows = rnd.evaluations.select_related("member", "organization", "unit", "self_by", "proposed_by", "decided_by")
    return rows if whole else rows.filter(unit__in=acc.orgs())


def evaluation_in_scope(acc, pk: int) -> Evaluation | None:
    return (Evaluation.objects.filter(pk=pk, unit__in=acc.orgs())
            .select_related("round__organization", "member", "organization", "unit").first())


def rounds_of(org: Organization) -> QuerySet[EvaluationRound]:
    """Rounds run by this organization or below it, and rounds above that include it."""
    return (EvaluationRound.objects.covering(org).select_related("organization")
            .order_by("-year", "-quarter", "subject_kind", "-id"))


def editable_units(acc, rnd: EvaluationRound) -> set[int]:
    """Units of the round's subtree whose rows the user may edit (none once the round is closed)."""
    if not rnd.is_open:
        return set()
    return set(acc.editable_orgs().subtree(rnd.organization).values_list("pk", flat=True))


def not_graded_in_scope(acc, rnd: EvaluationRound) -> QuerySet[Member] | list[Member]:
    """For a members' round: the user's members admitted too recently to be graded in it."""
    if rnd.subject_kind != SubjectKind.MEMBER:
        return []
    return (new_members_not_graded(rnd.organization, round_period(rnd)).filter(pk__in=acc.members())
            .order_by("name_folded"))


def published_rows_in_scope(acc, rnd: EvaluationRound, whole: bool) -> list[dict[str, Any]]:
    rows = published_rows(rnd)
    if whole:
        return rows
    units = set(acc.orgs().values_list("pk", flat=True))
    return [r for r in rows if r["unit_id"] in units]


# -- the round page: grouped by unit, filtered by state ----------------------------------------------

ROW_STATES: dict[str, str] = {
    "chua-tu-danh-gia": "Chưa tự đánh giá",
    "cho-de-xuat": "Chờ chi bộ đề xuất",
    "cho-quyet-dinh": "Chờ cấp ủy quyết định",
    "da-quyet-dinh": "Đã quyết định",
}
"""Where an evaluation stands, by its latest step (the query string's ``tinh-trang``)."""

_UNDECIDED = Q(decided_grade="")
STATE_FILTERS: dict[str, Q] = {
    "chua-tu-danh-gia": _UNDECIDED & Q(proposed_grade="", self_at__isnull=True),
    "cho-de-xuat": _UNDECIDED & Q(proposed_grade="", self_at__isnull=False),
    "cho-quyet-dinh": _UNDECIDED & ~Q(proposed_grade=""),
    "da-quyet-dinh": ~_UNDECIDED,
}


@dataclass(frozen=True)
class UnitCounts(_StateCounts):
    """One unit (cell) of a round as the round page lists it: its evaluations by state."""

    unit_id: int
    code: str
    name: str
    counts: dict[str, int]


def unit_counts(rows: QuerySet[Evaluation]) -> list[UnitCounts]:
    """The evaluations of ``rows`` per unit, in tree order, with a count per state (one query)."""
    annotations = {key.replace("-", "_"): Count("id", filter=q) for key, q in STATE_FILTERS.items()}
    grouped = (rows.order_by().values("unit_id", "unit__code", "unit__name", "unit__path")
               .annotate(**annotations).order_by("unit__path"))
    return [UnitCounts(g["unit_id"], g["unit__code"], g["unit__name"],
                       {key: g[key.replace("-", "_")] for key in STATE_FILTERS}) for g in grouped]


def filter_rows(rows: QuerySet[Evaluation], unit: Organization | None, state: str) -> QuerySet[Evaluation]:
    """``rows`` of one unit and/or in one state (an unknown state filters nothing)."""
    if unit is not None:
        rows = rows.filter(unit=unit)
    if state in STATE_FILTERS:
        rows = rows.filter(STATE_FILTERS[state])
    return rows


def unit_of_round(acc, rnd: EvaluationRound, code: str) -> Organization | None:
    """A unit of the round's visible rows by its code, or None."""
    if not code or "\x00" in code:
        return None
    units = rnd.evaluations.filter(unit__in=acc.orgs()).values("unit_id")
    return Organization.objects.filter(code=code[:40], pk__in=units).first()


def unit_evaluations(rnd: EvaluationRound, unit: Organization) -> QuerySet[Evaluation]:
    """Every evaluation of one unit in the round, in the round page's order."""
    return rnd.evaluations.filter(unit=unit).select_related("member", "organization", "unit")


def rounds_visible(acc) -> QuerySet[EvaluationRound]:
    """Rounds run in the user's scope, and rounds run above it that grade someone of it (a commune's
    round seen by its cell secretary), newest first."""
    step = Organization.steplen
    above = {root.path[:end] for root in acc.roots[:50] for end in range(step, len(root.path), step)}
    # The rounds above (a few) are listed first, then which of them grade someone of the scope, by
    # the forms of the scope's units: as one EXISTS under an OR, PostgreSQL hashed the forms of every
    # round of the database (a commune office's page: 2 × 50 ms on the province data set).
    above_rounds = list(EvaluationRound.objects.filter(organization__path__in=above).values_list("pk", flat=True))
    graded = (list(Evaluation.objects.filter(round_id__in=above_rounds, unit__in=acc.orgs())
                   .order_by().values_list("round_id", flat=True).distinct()) if above_rounds else [])
    return (EvaluationRound.objects.filter(Q(organization__in=acc.orgs()) | Q(pk__in=graded))
            .select_related("organization").order_by("-year", "-quarter", "subject_kind", "-id"))


def my_counts(acc, rounds: Iterable[EvaluationRound]) -> dict[int, dict[str, int]]:
    """For each round: the user's own rows (those of their scope) counted by state."""
    mine = Evaluation.objects.filter(round__in=[r.pk for r in rounds], unit__in=acc.orgs())
    annotations = {key.replace("-", "_"): Count("id", filter=q) for key, q in STATE_FILTERS.items()}
    return {g["round_id"]: {key: g[key.replace("-", "_")] for key in STATE_FILTERS}
            for g in mine.order_by().values("round_id").annotate(**annotations)}


def my_cells(acc, rounds: Iterable[EvaluationRound], most: int = 3) -> dict[int, list[tuple[str, str]]]:
    """For each open members' round: the (code, name) of the units with forms the user may fill, when
    there are at most ``most`` (a cell secretary's own cell, linked straight to its proposal screen)."""
    open_ids = [r.pk for r in rounds if r.is_open and r.subject_kind != SubjectKind.ORGANIZATION]
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = (Evaluation.objects.filter(round__in=open_ids, unit__in=acc.editable_orgs())
            .order_by("round_id", "unit__path").values_list("round_id", "unit__code", "unit__name").distinct())
    for round_id, code, name in rows:
        found[round_id].append((code, name))
    return {pk: units for pk, units in found.items() if len(units) <= most}


def proposed_meeting_grades(rnd: EvaluationRound, evaluations: Iterable[Evaluation]) -> dict[int, Any]:
    """The meetings app's proposed annual meeting grade of each cell being graded on a page of an
    organizations' round, by evaluation id (``None`` for a subject that is not a cell): a fixed
    number of grouped queries for the whole page instead of four per row."""
    from dangvu.meetings.selectors import proposed_annual_meeting_grades

    cells = {ev.pk: ev.organization for ev in evaluations
             if ev.organization_id is not None and ev.organization.is_cell}
    grades = proposed_annual_meeting_grades({o.pk: o for o in cells.values()}.values(), rnd.year)
    return {pk: grades[org.pk] for pk, org in cells.items()}
