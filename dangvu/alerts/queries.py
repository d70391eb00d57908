"""Alerts counted and paged in SQL (issue 14): the alerts page and ``alerts.count`` no longer build
every alert of the subtree as Python objects.

Kinds about members and prospects (probation, admission deadlines, assignments) can be many
thousands at a province. For each, the alert's kind and severity is a function of one date of
the row (the admission date, the course, resolution or decision date); the working-day deadlines
behind it are computed in Python once per calendar day of a short window (:func:`date_classes`),
never once per row, and the result is pushed into the query as a ``CASE`` over those days. Counts
per kind, severity and organization are then one grouped query per kind, and a page's rows are
fetched per kind with ``LIMIT`` for the organizations the page covers only; the alerts of those
rows are built by the same per-row functions as :func:`dangvu.alerts.selectors.alerts_for`, so
the messages are the same.

Kinds about cells (meetings short in a month or quarter, cell size, committee) and unexcused
absences are queries too: cells (or members) filtered in SQL by the same rule — a filtered count of
meetings below what the rule set asks, full members (a correlated count) against the thresholds,
a grouped count of absent months — with the kind and severity as a constant (they depend on the
day, not on the row). They are counted and paged like the others; only a page's rows become
:class:`Alert` objects. :func:`dangvu.alerts.selectors.alerts_for` keeps the one-pass Python
gathering of every kind, which the tests compare with these queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass, field

from django.db.models import Case, CharField, Count, Q, Value, When

from dangvu.admission.models import Prospect, Stage
from dangvu.core import clock
from dangvu.core.alerts import (
    KINDS,
    SEVERITIES,
    Alert,
    assignment_cutoff,
    count_by_kind,
    deadline_state,
    sort_key,
)
from dangvu.core.rulesets import RuleSet, load_rulesets, ruleset_for
from dangvu.honours import selectors as honours
from dangvu.meetings import selectors as meetings
from dangvu.plans.snapshots import changes_since, rules_fingerprint
from dangvu.registry.models import Organization

from . import selectors as sel
from .models import AlertSnapshot

Tag = tuple[str, str]  # (kind, severity)

STABLE_DAYS = 31
"""A passed deadline repeated this many consecutive days (going back in time) holds for every
earlier day: deadlines grow with the day they are counted from, so an older day is as late."""
MAX_SCAN_DAYS = 4000
"""Longest scan back (the course certificate's validity of years comes first)."""
PAGE_SIZE = 50
"""Alerts on one page of the alerts page; the first page of the unfiltered list is kept with the counts."""



def _code(tag: Tag) -> str:
    """Tags sort as the alerts do: severity first, then kind."""
    return f"{SEVERITIES.index(tag[1])}{KINDS.index(tag[0]):02d}"


def _tag(code: str) -> Tag:
    return KINDS[int(code[1:])], SEVERITIES[int(code[0])]


def date_classes(classify: Callable[[dt.date], Tag | None], start: dt.date
                 ) -> tuple[dict[Tag, list[dt.date]], dt.date, Tag | None]:
    """The alert of a row as a function of one of its dates, tabulated: ``(days by tag, lower,
    default)`` — a day listed under a tag has it, a day before ``lower`` has ``default``, any
    other day (later than ``start`` included) has none. Scans back from ``start`` until a passed
    deadline has held :data:`STABLE_DAYS` days in a row."""
    classes: dict[Tag, list[dt.date]] = defaultdict(list)
    day, run, last = start, 0, None
    for _ in range(MAX_SCAN_DAYS):
        tag = classify(day)
        run = run + 1 if tag is not None and tag == last else 1
        last = tag
        if tag is not None:
            classes[tag].append(day)
            if run >= STABLE_DAYS and tag[1] == "passed":
                return classes, day, tag
        day -= dt.timedelta(days=1)
    return classes, day, None


def _case(whens: list[When]) -> Case:
    return Case(*whens, default=Value(""), output_field=CharField())


def _date_whens(field_name: str, tabulated, extra: dict | None = None) -> list[When]:
    classes, lower, default = tabulated
    extra = extra or {}
    whens = [When(**extra, **{f"{field_name}__in": days}, then=Value(_code(tag))) for tag, days in classes.items()]
    if default is not None:
        whens.append(When(**extra, **{f"{field_name}__lt": lower}, then=Value(_code(default))))
    return whens


PROSPECT_DATES = (((Stage.COURSE, Stage.VETTED), "course_passed_on"), ((Stage.CELL_RESOLVED,), "resolved_on"),
                  ((Stage.DECIDED,), "decision_on"))
"""The date each open stage's alerted deadline is counted from."""

_TABLES: dict[tuple, dict] = {}


def _tables(today: dt.date, rs: RuleSet) -> dict:
    """The day tables of the probation and prospect kinds on ``today``: computed once per day and
    rule set in a process (a few hundred deadline computations), then reused by every request."""
    key = (today, rs.name, repr(sorted(rs.params.items())), tuple(id(x) for x in load_rulesets()))
    if key not in _TABLES:
        if len(_TABLES) > 64:
            _TABLES.clear()

        def classify(stage: str, name: str) -> Callable[[dt.date], Tag | None]:
            def tag_of(d: dt.date) -> Tag | None:
                found = sel.prospect_tags(Prospect(stage=stage, **{name: d}), today, rs)
                return found[0][:2] if found else None
            return tag_of

        tables = {name: date_classes(classify(stages[0], name), today) for stages, name in PROSPECT_DATES}
        tables["probation"] = date_classes(lambda d: sel.probation_tag(d, today, rs),
                                           sel.latest_probation_admission(today, rs))
        _TABLES[key] = tables
    return _TABLES[key]


def warm(today: dt.date | None = None) -> None:
    """Compute today's day tables now (the server does it before forking its workers)."""
    today = today or clock.today()
    _tables(today, ruleset_for(today))


@dataclass
class KindQuery:
    """One SQL kind: its rows annotated with ``tag`` (only alerted rows), and how a row becomes
    an alert (``build``), or how a page's rows do at once (``build_all``, one query for the page).
    ``org`` is the path to the row's organization (``""``: the row is the organization, a cell)."""

    qs: object
    order: tuple[str, ...]
    build: Callable[[object], list[Alert]] | None = None
    values: tuple[str, ...] = field(default=())
    org: str = "organization__"
    build_all: Callable[[list], list[Alert]] | None = None
    kinds: tuple[str, ...] = ()  # the kinds its rows can be (empty: several, told by the tag)
    # A kind whose query is already grouped (one row per alert): its own count and page.
    counter: Callable[[], list[tuple[str, str, str, str, int]]] | None = None
    pager: Callable[[list[str], int, str], list[Alert]] | None = None  # (paths, limit, kind or "")
    narrow: Callable[[list[str]], object] | None = None  # the rows of these organizations, read from them only

    def alerts(self, rows: list) -> list[Alert]:
        if self.build_all is not None:
            return self.build_all(rows)
        return [a for row in rows for a in self.build(row)]


class SubtreeAlerts:
    """The alerts of one organization's subtree on ``today``, counted and paged without building
    them all. ``counts()`` rows: (org path, org code, org name, kind, severity, n)."""

    def __init__(self, org: Organization, today: dt.date | None = None, stored: dict | None = None) -> None:
        """``stored``: a :meth:`snapshot` of the same subtree and day, read instead of counting
        again (the counts, and the short lists paged from memory); SQL kinds still page live."""
        self.org, self.today = org, today or clock.today()
        self.rs: RuleSet = ruleset_for(self.today)
        self._kinds: list[KindQuery] | None = None
        self._counts = [tuple(r) for r in stored["counts"]] if stored is not None else None
        self._gathered: dict[str, list[Alert]] = (
            {key: [alert_from_row(r) for r in rows] for key, rows in stored["listed"].items()}
            if stored is not None else {})
        # The unfiltered list's first page as counted (its organizations' paths and its alerts): the
        # page most views open, read back instead of asking every kind for its rows again.
        first = (stored or {}).get("first_page") or {}
        self._first: tuple[list[str], list[Alert]] | None = (
            (first["paths"], [alert_from_row(r) for r in first["rows"]]) if first else None)

    def snapshot(self) -> dict:
        """What :class:`dangvu.alerts.models.AlertSnapshot` keeps (JSON): the counts, the short lists
        and the unfiltered list's first page."""
        counts = self.counts()
        paths, _skip = covering(per_organization(counts), 0, PAGE_SIZE)
        first = self.rows(paths, "", PAGE_SIZE)
        return {"counts": [list(r) for r in counts],
                "listed": {key: [alert_row(a) for a in found] for key, found in self._gathered.items()},
                "first_page": {"paths": paths, "rows": [alert_row(a) for a in first]}}

    # -- the kinds -----------------------------------------------------------------------------
    def _meetings(self) -> list[KindQuery]:
        """Per (kind, month or quarter): the cells short of meetings in it, existing from its first day."""
        today, rs = self.today, self.rs
        near, needed = rs["alerts.deadline_near_days"], sel.meetings_needed(rs)
        cells = sel._cells(self.org, today)
        out = []
        for (kind, _when), (first, last) in sel.meeting_spans(today).items():
            severity = deadline_state(today, last, near)
            short = meetings.cells_short_in_span(cells, sel.MEETING_KIND[kind], first, last, needed[kind], today)
            qs = (Organization.objects.filter(pk__in=short)
                  .filter(Q(established_on__isnull=True) | Q(established_on__lte=first))
                  .annotate(tag=Value(_code((kind, severity)))))

            def build(row, kind=kind, first=first, last=last, severity=severity) -> list[Alert]:
                code, name, path = row
                return [Alert(kind, code, name, sel.meeting_message(kind, first, last, severity, today), severity, last,
                              org_path=path)]
            out.append(KindQuery(qs, ("pk",), build, ("code", "name", "path"), org="", kinds=(kind,)))
        return out

    def _cells(self) -> list[KindQuery]:
        """Cells too small, and cells big enough for a committee without one; a page's full-member
        counts (for the messages) in one query."""
        org, today, rs = self.org, self.today, self.rs
        out = []
        for kind, cells in (("cell_too_small", sel.small_cells), ("cell_needs_committee", sel.cells_without_committee)):
            def build_all(rows: list, kind=kind) -> list[Alert]:
                full = sel.full_members_of(org, {path for _code, _name, path in rows})
                return [sel.cell_alert(kind, (code, name, path, full[path]), rs) for code, name, path in rows]

            def narrow(paths: list[str], kind=kind, cells=cells):  # a page's cells: their members only
                return cells(org, today, rs, paths).annotate(tag=Value(_code((kind, "info"))))
            out.append(KindQuery(narrow(None), ("pk",), values=("code", "name", "path"), org="",
                                 build_all=build_all, kinds=(kind,), narrow=narrow))
        return out

    def _absences(self) -> KindQuery:
        """Members to be considered for removal (Điều lệ Đảng, Điều 8): one alert each naming every
        ground, unexcused absences and unpaid fees (:func:`sel.absence_alerts`: one grouped query for
        the absences, one for the fees (:mod:`dangvu.fees.arrears_sql`), however many members).
        Only members with a ground come back, so the list is counted and paged here."""
        return self._listed("removal", sel.absence_alerts, ("unexcused_absences", "unpaid_fees"))

    def _probation(self) -> KindQuery:
        today, rs = self.today, self.rs
        whens = _date_whens("admitted_on", _tables(today, rs)["probation"])
        cols = ("pk", "full_name", "admitted_on", "organization__code", "organization__name", "organization__path")
        qs = sel.probation_members(self.org, today, rs).annotate(tag=_case(whens)).exclude(tag="")
        return KindQuery(qs, ("name_folded", "admitted_on", "pk"),
                         lambda row: [a for a in [sel.probation_alert_for(row, today, rs)] if a], cols)

    def _prospects(self) -> KindQuery:
        today, rs = self.today, self.rs
        tables = _tables(today, rs)
        whens: list[When] = []
        for stages, name in PROSPECT_DATES:
            whens += _date_whens(name, tables[name], {"stage__in": stages})
        qs = sel.open_prospects(self.org).annotate(tag=_case(whens)).exclude(tag="").select_related("organization")
        return KindQuery(qs, ("name_folded", "pk"), lambda p: sel.prospect_alerts_for(p, today, rs))

    def _assignments(self) -> KindQuery | None:
        cutoff = assignment_cutoff(self.today, self.rs)
        if cutoff is None:
            return None
        qs = sel.unassigned_members(self.org, self.today, cutoff).annotate(tag=Value(_code(("no_assignment", "info"))))
        cols = ("pk", "full_name", "organization__code", "organization__name", "organization__path")
        return KindQuery(qs, ("name_folded", "pk"), lambda row: [sel.assignment_alert_for(row, self.today)], cols)

    def _fees(self) -> KindQuery:
        """Late remittances: at most one per organization and month of the last
        ``fees.remit_alert_months``, computed by the fees app from a few grouped queries; counted
        and paged from that short list."""
        return self._listed("fees", sel.fee_alerts, ("fees_remittance_late",))

    def _inspection(self) -> KindQuery:
        """Recommendations after an inspection past their deadline: one alert each (a short list)."""
        return self._listed("inspection", sel.inspection_alerts, ("inspection_recommendation_overdue",))

    def _badges(self) -> list[KindQuery]:
        """Members due a badge at the next occasion and not proposed: in SQL for the members whose
        party age is the days since admission (nearly all), by the Python rule for the few with a
        break in it (struck off, then re-admitted)."""
        occasion = honours.badge_alert_occasion(self.today, self.rs)
        if occasion is None:
            return []
        rs = ruleset_for(occasion)
        qs = honours.unproposed_badge_members(self.org, occasion, rs).annotate(tag=Value(_code(("badge_due", "near"))))
        cols = ("pk", "full_name", "badge", "organization__code", "organization__name", "organization__path")

        def build(row) -> list[Alert]:
            pk, name, badge, *cell = row
            return [honours.badge_alert(pk, name, badge, occasion, tuple(cell))]

        breaks = honours.badge_break_members(self.org, rs)
        return [KindQuery(qs, ("name_folded", "pk"), build, cols, kinds=("badge_due",)),
                self._listed("badge_breaks", lambda org, today, _rs: honours.badge_alerts(org, today, self.rs, only=breaks),
                             ("badge_due",))]

    def _listed(self, key: str, gather: sel.Gatherer, kinds: tuple[str, ...]) -> KindQuery:
        """A kind whose gatherer returns only the alerts themselves (a short list): gathered once,
        on first use (or read from the stored snapshot), then counted and paged from it."""
        def gathered() -> list[Alert]:
            if key not in self._gathered:
                self._gathered[key] = gather(self.org, self.today, self.rs)
            return self._gathered[key]
        return KindQuery(None, (), kinds=kinds, counter=lambda: _count_listed(gathered()),
                         pager=lambda paths, limit, kind: _page_listed(gathered(), paths, limit, kind))

    def _queries(self) -> list[KindQuery]:
        if self._kinds is None:
            found = [*self._meetings(), self._absences(), self._probation(), self._prospects(), self._assignments(),
                     *self._cells(), self._fees(),
                     self._listed("letters", sel.letter_alerts, ("letter_deadline",)),
                     *self._badges(),
                     self._inspection()]
            self._kinds = [q for q in found if q is not None]
        return self._kinds

    # -- counts and pages ----------------------------------------------------------------------
    def counts(self) -> list[tuple[str, str, str, str, str, int]]:
        """Alerts per organization, kind and severity: one grouped query per SQL kind (or as stored)."""
        if self._counts is not None:
            return self._counts
        out: dict[tuple[str, str, str, str, str], int] = defaultdict(int)
        for q in self._queries():
            if q.counter is not None:
                for path, code, name, tag, n in q.counter():
                    out[(path, code, name, *_tag(tag))] += n
                continue
            rows = (q.qs.values(f"{q.org}path", f"{q.org}code", f"{q.org}name", "tag")
                    .annotate(n=Count("pk")).order_by())
            for r in rows:
                kind, severity = _tag(r["tag"])
                out[(r[f"{q.org}path"], r[f"{q.org}code"], r[f"{q.org}name"], kind, severity)] += r["n"]
        self._counts = [(*key, n) for key, n in out.items()]
        return self._counts

    def rows(self, paths: Iterable[str], kind: str, limit: int) -> list[Alert]:
        """The first ``limit`` alerts (of ``kind``, or every kind when empty) of the organizations at
        ``paths``, ordered as the page lists them: by organization (tree order), then most urgent."""
        paths = list(paths)
        if self._first is not None and not kind and paths == self._first[0] and limit <= PAGE_SIZE:
            return self._first[1][:limit]
        out: list[Alert] = []
        for q in self._queries():
            if kind and q.kinds and kind not in q.kinds:
                continue  # this query's rows are all of another kind
            if q.pager is not None:
                out += q.pager(paths, limit, kind)
                continue
            qs = q.narrow(paths) if q.narrow is not None else q.qs.filter(**{f"{q.org}path__in": paths})
            if kind:
                qs = qs.filter(tag__in=[_code((kind, s)) for s in SEVERITIES])
            qs = qs.order_by(f"{q.org}path", "tag", *q.order)
            if q.build_all is not None and len(q.values) == 1:
                rows = list(qs.values_list(*q.values, flat=True)[:limit])
            elif q.build_all is not None:
                rows = list(qs.values_list(*q.values)[:limit])
            else:
                rows = list((qs.values_list(*q.values) if q.values else qs)[:limit])
            if rows:
                out += q.alerts(rows)
        return sorted(out, key=page_key)[:limit]


def per_organization(counts: Iterable[tuple]) -> list[tuple[str, int]]:
    """(organization path, alerts) of count rows, in tree order: how the page's list is laid out."""
    n: dict[str, int] = defaultdict(int)
    for path, _code, _name, _kind, _severity, k in counts:
        n[path] += k
    return sorted(n.items())


def covering(per_org: list[tuple[str, int]], start: int, stop: int) -> tuple[list[str], int]:
    """The organizations whose alerts hold positions ``start``…``stop - 1`` of the list laid out by
    :func:`per_organization`, and how many alerts of the first of them come before ``start``."""
    seen, skip, paths = 0, 0, []
    for path, n in per_org:
        if seen + n > start and seen < stop:
            skip = skip if paths else start - seen
            paths.append(path)
        seen += n
    return paths, skip


def alert_row(a: Alert) -> list:
    """An alert as a JSON row (every field, in order; the date as ISO text)."""
    row = list(astuple(a))
    row[5] = a.date.isoformat() if a.date else None
    return row


def alert_from_row(row: list) -> Alert:
    fields = list(row)
    fields[5] = dt.date.fromisoformat(fields[5]) if fields[5] else None
    return Alert(*fields)


def _count_listed(alerts: list[Alert]) -> list[tuple[str, str, str, str, int]]:
    """Counts per organization and tag of a kind gathered as a (short) list of alerts."""
    n: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for a in alerts:
        n[(a.org_path, a.org_code, a.org_name, _code((a.kind, a.severity)))] += 1
    return [(*key, k) for key, k in n.items()]


def _page_listed(alerts: list[Alert], paths: list[str], limit: int, kind: str) -> list[Alert]:
    """The first ``limit`` of those alerts (of ``kind`` when given) in the organizations at ``paths``."""
    wanted = set(paths)
    return sorted((a for a in alerts if a.org_path in wanted and (not kind or a.kind == kind)), key=page_key)[:limit]


def page_key(a: Alert) -> tuple:
    """The page's order: by organization (tree order), then as :func:`dangvu.core.alerts.sort_key`."""
    return (a.org_path, *sort_key(a))


def day_snapshot(org: Organization, day: dt.date) -> AlertSnapshot | None:
    """The counts kept for the subtree and day (:mod:`dangvu.alerts.services`), if any, made with
    today's rule sets; whether still right is for the caller to ask (:func:`changes_since`)."""
    return (AlertSnapshot.objects.filter(organization=org, day=day, rules=rules_fingerprint())
            .only("stamp", "computed_at", "counts", "listed", "first_page").first())


def alert_counts_by_kind(org: Organization, today: dt.date | None = None) -> dict[str, int]:
    """Alerts of the subtree per kind (every kind listed), as ``count_by_kind(alerts_for(...))``:
    the day's kept counts when nothing in the subtree has changed since, else counted now."""
    today = today or clock.today()
    snap = day_snapshot(org, today)
    fresh = snap is not None and changes_since(org, snap.stamp) == 0
    rows = snap.counts if fresh else SubtreeAlerts(org, today).counts()
    counts = count_by_kind([])
    for *_rest, kind, _severity, n in rows:
        counts[kind] += n
    return counts
