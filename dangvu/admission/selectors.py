"""Admission reads: admissions against quotas (per cell and for a subtree), each prospect's
statutory deadlines and warnings, and what the pages show within a user's Access. Reads only.

"Admitted" is the registry's record: the members' "admit" history events (``StatusChange``) whose
receiving organization (``to_org``) lies in the subtree and whose date falls in the period, so an
admission counts where it was made even if the member moved away later.

Quotas of a subtree: when a quota is set both on an organization and on organizations below it
(a commune's total and its cells' shares), only the topmost ones count, so nothing is counted twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Substr

from dangvu.core import clock
from dangvu.core.admission import (
    course_certificate_expires,
    course_certificate_valid,
    dossier_stale,
    parse_term,
)
from dangvu.core.deadlines import DEADLINE_LABELS, admission_decision, cell_resolution
from dangvu.core.rulesets import ruleset_for
from dangvu.plans.snapshots import stored
from dangvu.registry.models import CELL_KINDS, Member, Organization, StatusChange

from .models import OPEN_STAGES, STAGE_ORDER, AdmissionQuota, Prospect, Stage

# -- admissions against quotas ---------------------------------------------------------------------


@dataclass
class Progress:
    """Admitted vs quota for one organization (or subtree) and one period."""

    admitted: int = 0
    students: int = 0
    target: int | None = None
    students_target: int | None = None

    @staticmethod
    def _share(n: int, of: int | None) -> float | None:
        return round(100.0 * n / of, 2) if of else None

    @property
    def share(self) -> float | None:
        return self._share(self.admitted, self.target)

    @property
    def students_share(self) -> float | None:
        return self._share(self.students, self.students_target)

    @property
    def bar(self) -> int:
        return min(100, round(self.share or 0))

    @property
    def students_bar(self) -> int:
        return min(100, round(self.students_share or 0))


@dataclass
class QuotaTable:
    year: int
    term: str | None
    rows: list[tuple[Organization, Progress, Progress | None]] = field(default_factory=list)
    total_year: Progress = field(default_factory=Progress)
    total_term: Progress | None = None


def admissions(org: Organization, start: dt.date, end: dt.date) -> Progress:
    """Admissions (and of them, students) made in ``org``'s subtree between two days (inclusive)."""
    agg = _admit_events(org, start, end).aggregate(
        n=Count("id"), students=Count("id", filter=Q(member__is_student=True)))
    return Progress(admitted=agg["n"], students=agg["students"])


def _admit_events(org: Organization, start: dt.date, end: dt.date):
    return StatusChange.objects.filter(event="admit", to_org__in=Organization.objects.subtree(org),
                                       on__range=(start, end))


def _topmost(rows: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Rows whose organization has no ancestor among the rows (looked up by path prefix: linear,
    a province holds thousands of quotas)."""
    step = Organization.steplen
    paths = {p for p, _, _ in rows}
    return [r for r in rows if not any(r[0][:i] in paths for i in range(step, len(r[0]), step))]


def subtree_quota(org: Organization, *, year: int | None = None, term: str = "") -> tuple[int | None, int | None]:
    """(target, students target) of the subtree for a year or a term; (None, None) when none is set."""
    qs = AdmissionQuota.objects.in_subtree(org)
    qs = qs.filter(year=year) if year is not None else qs.filter(term=term)
    rows = _topmost(list(qs.values_list("organization__path", "target", "students_target")))
    if not rows:
        return None, None
    return sum(r[1] for r in rows), sum(r[2] for r in rows)


def term_span(term: str) -> tuple[dt.date, dt.date]:
    first, last = parse_term(term)
    return dt.date(first, 1, 1), dt.date(last, 12, 31)


def _ancestor_paths(org: Organization) -> list[str]:
    step = Organization.steplen
    return [org.path[:i] for i in range(step, len(org.path), step)]


def term_for_year(org: Organization, year: int) -> str | None:
    """The term quota (set anywhere in the subtree or above it) covering ``year``; the latest term
    when two overlap (2020-2025 and 2025-2030 both hold 2025)."""
    quotas = (AdmissionQuota.objects.in_subtree(org)
              | AdmissionQuota.objects.filter(organization__path__in=_ancestor_paths(org)))
    terms = set(quotas.exclude(term="").values_list("term", flat=True))
    best: tuple[int, str] | None = None
    for term in terms:
        try:
            first, last = parse_term(term)
        except ValueError:
            continue
        if first <= year <= last and (best is None or first > best[0]):
            best = (first, term)
    return best[1] if best else None


def _child_path(org: Organization, width: int):
    """The organization path cut to ``width`` characters: the path of the row it counts under."""
    return Substr("to_org__path", 1, width)


def _counted_by_row(org: Organization, width: int,
                    spans: dict[str, tuple[dt.date, dt.date]]) -> dict[str, dict[str, list[int]]]:
    """Per span key and row path (an organization's path cut to ``width``): [admitted, students].
    One grouped query per span over the subtree, whatever the number of rows."""
    counted: dict[str, dict[str, list[int]]] = {k: defaultdict(lambda: [0, 0]) for k in spans}
    for key, (start, end) in spans.items():
        rows = (_admit_events(org, start, end).annotate(row=_child_path(org, width)).values("row")
                .annotate(n=Count("id"), students=Count("id", filter=Q(member__is_student=True))).order_by())
        for row in rows:
            slot = counted[key][row["row"]]
            slot[0] += row["n"]
            slot[1] += row["students"]
    return counted


def _quotas_by_row(org: Organization, width: int, own: bool,
                   **period: Any) -> tuple[dict[str, tuple[int, int]], tuple[int | None, int | None]]:
    """Per row path: (target, students target) of that row's subtree — its topmost quotas summed,
    as :func:`subtree_quota` of the row's organization — and the same for the whole subtree. One
    query. ``own``: the only row is ``org`` itself (a cell); else the rows are its children,
    whose figures leave ``org``'s own quota out."""
    rows = list(AdmissionQuota.objects.in_subtree(org).filter(**period)
                .values_list("organization__path", "target", "students_target"))
    top = _topmost(rows)
    total = (sum(r[1] for r in top), sum(r[2] for r in top)) if top else (None, None)
    out: dict[str, tuple[int, int]] = {}
    for path, target, students in (top if own else _topmost([r for r in rows if r[0] != org.path])):
        t, st = out.get(path[:width], (0, 0))
        out[path[:width]] = (t + target, st + students)
    return out, total


def quota_table(org: Organization, year: int) -> QuotaTable:
    """Admissions of ``year`` against the year's quota, and of the term covering ``year`` against
    the term's quota: one row per organization directly under ``org`` (its whole subtree counted;
    a cell: the cell itself), and the subtree's total. One grouped query per figure over the
    subtree, whatever the number of rows (a province root lists its communes, not its thousands of
    cells; each row links to that organization's own table)."""
    term = term_for_year(org, year)
    table = QuotaTable(year=year, term=term)
    spans = {"year": (dt.date(year, 1, 1), dt.date(year, 12, 31))}
    if term:
        spans["term"] = term_span(term)
    own = org.kind in CELL_KINDS
    if own:
        rows = [org]
        width = len(org.path)
    else:
        rows = list(Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)
                    .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=spans["year"][0])).order_by("path"))
        width = len(org.path) + Organization.steplen
    counted = _counted_by_row(org, width, spans)
    totals: dict[str, Progress] = {}
    progress: dict[str, dict[str, Progress]] = defaultdict(dict)
    for key in spans:
        quotas, (target, students) = _quotas_by_row(org, width, own, **({"year": year} if key == "year" else
                                                                         {"term": term}))
        # every admission of the subtree is in one bucket: the rows', or org's own (its path is shorter)
        totals[key] = Progress(sum(c[0] for c in counted[key].values()), sum(c[1] for c in counted[key].values()),
                               target, students)
        for row in rows:
            done = counted[key].get(row.path, [0, 0])
            progress[row.path][key] = Progress(done[0], done[1], *quotas.get(row.path, (None, None)))
    table.rows = [(row, progress[row.path]["year"], progress[row.path].get("term")) for row in rows]
    table.total_year = totals["year"]
    table.total_term = totals.get("term")
    return table


def stored_quota_table(org: Organization, year: int) -> QuotaTable:
    """:func:`quota_table`, read back while nothing in the subtree has changed since it was counted
    (:func:`dangvu.plans.snapshots.stored`): a province's root sums thousands of cells' quotas."""
    return stored("admission_quota", org, str(year), lambda: quota_table(org, year), _dump_table,
                  _load_table)


def _progress_json(p: Progress | None) -> list | None:
    return None if p is None else [p.admitted, p.students, p.target, p.students_target]


def _dump_table(t: QuotaTable) -> dict:
    return {"year": t.year, "term": t.term, "total_year": _progress_json(t.total_year),
            "total_term": _progress_json(t.total_term),
            "rows": [[org.pk, _progress_json(y), _progress_json(term)] for org, y, term in t.rows]}


def _load_table(value: dict) -> QuotaTable:
    orgs = Organization.objects.in_bulk([r[0] for r in value["rows"]])
    def back(p: list | None) -> Progress | None:
        return None if p is None else Progress(*p)
    return QuotaTable(year=value["year"], term=value["term"], total_year=back(value["total_year"]),
                      total_term=back(value["total_term"]),
                      rows=[(orgs[pk], back(y), back(term)) for pk, y, term in value["rows"] if pk in orgs])


# -- deadlines and warnings ---------------------------------------------------------------

SOON_DAYS = 14
"""A deadline this close is highlighted on the pipeline page (display only, not a rule)."""


@dataclass(frozen=True)
class Deadline:
    key: str
    label: str
    on: dt.date
    overdue: bool
    soon: bool


def _deadline(key: str, label: str, on: dt.date, today: dt.date, overdue: bool | None = None) -> Deadline:
    late = today > on if overdue is None else overdue
    return Deadline(key, label, on, late, not late and (on - today).days <= SOON_DAYS)


def deadlines_for(prospect: Prospect, today: dt.date | None = None) -> list[Deadline]:
    """The statutory dates that matter at the prospect's stage, from :mod:`dangvu.core.deadlines`:
    the course certificate's expiry before the resolution; ``decision_by`` after it; ``ceremony_by``
    after the decision; ``probation_ends`` and ``recognition_by`` after admission (until the member
    is recognized). The first one is the next deadline."""
    today = today or clock.today()
    stage = prospect.stage
    if stage in (Stage.COURSE, Stage.VETTED) and prospect.course_passed_on:
        passed = prospect.course_passed_on
        return [_deadline("certificate_expires", "Giấy chứng nhận lớp nhận thức về Đảng hết hạn",
                          course_certificate_expires(passed), today,
                          overdue=not course_certificate_valid(passed, today))]
    if stage == Stage.CELL_RESOLVED and prospect.resolved_on:
        on = cell_resolution(prospect.resolved_on)["decision_by"]
        return [_deadline("decision_by", DEADLINE_LABELS["decision_by"], on, today)]
    if stage == Stage.DECIDED and prospect.decision_on:
        on = admission_decision(prospect.decision_on)["ceremony_by"]
        return [_deadline("ceremony_by", DEADLINE_LABELS["ceremony_by"], on, today)]
    if stage == Stage.ADMITTED and prospect.decision_on:
        member = prospect.member
        if member is not None and member.status != "probationary":
            return []
        dates = admission_decision(prospect.decision_on)
        return [_deadline("recognition_by", DEADLINE_LABELS["recognition_by"], dates["recognition_by"], today),
                _deadline("probation_ends", DEADLINE_LABELS["probation_ends"], dates["probation_ends"], today,
                          overdue=False)]
    return []


def warnings_for(prospect: Prospect, today: dt.date | None = None) -> list[str]:
    """Late steps already taken, and conditions that have lapsed (Vietnamese)."""
    today = today or clock.today()
    out: list[str] = []
    if prospect.resolved_on and prospect.decision_on:
        decision_by = cell_resolution(prospect.resolved_on)["decision_by"]
        if prospect.decision_on > decision_by:
            out.append(f"Quyết định kết nạp ngày {prospect.decision_on:%d/%m/%Y} chậm so với hạn "
                       f"{decision_by:%d/%m/%Y} ({ruleset_for(prospect.resolved_on)['admission.decision_working_days']}"
                       " ngày làm việc kể từ nghị quyết chi bộ).")
    if prospect.decision_on and prospect.ceremony_on:
        ceremony_by = admission_decision(prospect.decision_on)["ceremony_by"]
        if prospect.ceremony_on > ceremony_by:
            out.append(f"Lễ kết nạp ngày {prospect.ceremony_on:%d/%m/%Y} chậm so với hạn {ceremony_by:%d/%m/%Y}. "
                       f"Lý do: {prospect.ceremony_late_reason or 'chưa ghi'}.")
    if prospect.stage in (Stage.SOURCE, Stage.COURSE, Stage.VETTED):
        if prospect.dossier_on and dossier_stale(prospect.dossier_on, today):
            out.append(f"Hồ sơ lập ngày {prospect.dossier_on:%d/%m/%Y} đã quá hạn chưa được xét: phải bổ sung "
                       "giấy giới thiệu và nghị quyết giới thiệu của Đoàn.")
        if prospect.course_passed_on and not course_certificate_valid(prospect.course_passed_on, today):
            out.append("Giấy chứng nhận lớp nhận thức về Đảng đã hết hạn; phải học lại trước khi chi bộ xét.")
    return out


# -- what a user's Access shows --------------------------------------------------------------------

def prospect_in_scope(acc, pk: int) -> Prospect | None:
    return (Prospect.objects.filter(organization__in=acc.orgs(), pk=pk)
            .select_related("organization", "member", "introducer_1", "introducer_2").first())


@dataclass
class Pipeline:
    """The pipeline page of a subtree: one page of prospects by stage, each with its next deadline
    first, and the counts of the whole subtree (per stage, open, overdue)."""

    sections: list[tuple[Stage, list, int]]  # (stage, this page's prospects, all at the stage)
    dropped: list
    dropped_count: int
    open_count: int
    overdue: int
    page: Any


PIPELINE_ORDER = [*STAGE_ORDER, Stage.DROPPED]


def _with_probation(rows: QuerySet[Prospect], org: Organization) -> QuerySet[Prospect]:
    """``rows`` with ``probation``: the prospect's member while still probationary in the subtree
    (a member moved out of it while probationary is the new organization's to follow), as an outer
    join whose conditions sit in its ON clause. In a WHERE, a join on the member had PostgreSQL hash
    every member of the database at the province root, and a subquery (``member_id IN …``) charged
    its cost to each probe of the organization index, so a commune read the whole prospects table;
    in the ON clause the member's status index (root) or key (commune) serves both. SQLite, which
    kept the subquery as a list, now looks up each admitted prospect's member by key: about 10 ms
    more per query at a province's root, none at a commune."""
    subtree = Organization.objects.subtree(org).values("pk")
    return rows.alias(probation=FilteredRelation(
        "member", condition=Q(member__status="probationary", member__organization__in=Subquery(subtree))))


STILL_PROBATIONARY = Q(probation__isnull=False)
"""On rows from :func:`_with_probation`: the admitted prospect's member is still probationary."""


def _pipeline_rows(org: Organization, year: int) -> QuerySet[Prospect]:
    shown = (Q(stage__in=OPEN_STAGES) | Q(stage=Stage.ADMITTED, decision_on__year=year)
             | (Q(stage=Stage.ADMITTED) & STILL_PROBATIONARY) | Q(stage=Stage.DROPPED, dropped_on__year=year))
    # The condition is wrapped in a CASE so that the database reads the subtree's prospects on the
    # organization index: as a bare OR over stages, SQLite reads every prospect at those stages
    # everywhere (a multi-index OR on the stage index) and its cost grows with other communes.
    return (_with_probation(Prospect.objects.in_subtree(org), org)
            .alias(shown=Case(When(shown, then=Value(True)), default=Value(False), output_field=BooleanField()))
            .filter(shown=True))


def overdue_before(stage: str, today: dt.date) -> dt.date:
    """The first day a deadline of ``stage`` may be counted from and not be overdue on ``today``
    (:func:`deadlines_for`'s first deadline). A deadline never comes earlier for a later start (working
    days, months), so every earlier day is overdue and none from this one on: found by bisection,
    a dozen evaluations of the rule instead of one per prospect or per date."""
    counted_from = _COUNTED_FROM[stage]

    def late(day: dt.date) -> bool:
        p = Prospect(stage=stage, **{counted_from: day})
        p.member = None
        first = deadlines_for(p, today)[:1]
        return bool(first and first[0].overdue)

    lo, hi = EARLIEST_COUNTED, today + dt.timedelta(days=1)  # counted from after today: not yet due
    if not late(lo):
        return lo
    while (hi - lo).days > 1:
        mid = lo + (hi - lo) // 2
        lo, hi = (mid, hi) if late(mid) else (lo, mid)
    return hi


def _overdue(rows: QuerySet[Prospect], today: dt.date) -> int:
    """Prospects of ``rows`` (from :func:`_pipeline_rows`) whose next deadline has passed: one count,
    each stage's date before the day :func:`overdue_before` finds (an admitted prospect only while
    still probationary)."""
    late = Q()
    for stage, counted_from in _COUNTED_FROM.items():
        cond = Q(stage=stage, **{f"{counted_from}__lt": overdue_before(stage, today)})
        if stage == Stage.ADMITTED:
            cond &= Q(member_id__isnull=True) | STILL_PROBATIONARY
        late |= cond
    return rows.filter(late).count()


EARLIEST_COUNTED = dt.date(1900, 1, 1)
_COUNTED_FROM = {Stage.COURSE: "course_passed_on", Stage.VETTED: "course_passed_on",
                 Stage.CELL_RESOLVED: "resolved_on", Stage.DECIDED: "decision_on", Stage.ADMITTED: "decision_on"}
"""The date each stage's next deadline is counted from (:func:`deadlines_for`)."""


def pipeline(org: Organization, year: int, today: dt.date, page: str | int | None, per_page: int) -> Pipeline:
    """Open prospects of the subtree, those admitted in ``year`` or still probationary, and those
    dropped in ``year``: ``per_page`` of them on page ``page`` (by stage, then name), with the
    counts per stage and of overdue steps over all of them."""
    rows = _pipeline_rows(org, year)
    counts = dict(rows.values_list("stage").annotate(n=Count("id")).order_by())
    rank = Case(*[When(stage=st, then=Value(i)) for i, st in enumerate(PIPELINE_ORDER)], output_field=IntegerField())
    # The page's members by id (50 at most), not joined before the sort and limit.
    ordered = (rows.select_related("organization").prefetch_related("member").annotate(rank=rank)
               .order_by("rank", "name_folded", "id"))
    shown = Paginator(ordered, per_page).get_page(page or 1)
    by_stage: dict[str, list] = {st: [] for st in PIPELINE_ORDER}
    for p in shown:
        deadlines = deadlines_for(p, today)
        by_stage[p.stage].append((p, deadlines[0] if deadlines else None, deadlines[1:]))
    for items in by_stage.values():
        items.sort(key=lambda it: (it[1].on if it[1] else dt.date.max, it[0].name_folded))
    return Pipeline(
        sections=[(Stage(st), by_stage[st], counts.get(st, 0)) for st in STAGE_ORDER],
        dropped=by_stage[Stage.DROPPED], dropped_count=counts.get(Stage.DROPPED, 0),
        open_count=sum(counts.get(st, 0) for st in OPEN_STAGES), overdue=_overdue(rows, today), page=shown)


def quotas_of(org: Organization) -> QuerySet[AdmissionQuota]:
    """The quotas set on ``org`` itself."""
    return AdmissionQuota.objects.filter(organization=org)


def cells_to_list_under(acc, org: Organization) -> QuerySet[Organization]:
    """Cells of ``org``'s subtree, still active, where the user may list a prospect."""
    return (acc.editable_orgs().subtree(org).filter(kind__in=CELL_KINDS, dissolved_on__isnull=True)
            .order_by("path"))


def only(org: Organization) -> QuerySet[Organization]:
    """``org`` as a one-row choice (a prospect stays in its cell when edited)."""
    return Organization.objects.filter(pk=org.pk)


def introducer_choices(org: Organization) -> QuerySet[Member]:
    """Full members of ``org``'s subtree, who may introduce a prospect."""
    return Member.objects.in_subtree(org).filter(status="full").order_by("name_folded", "id")

