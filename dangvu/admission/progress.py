"""Admissions against quotas, per cell and for a subtree (read only; SQL aggregates).

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

from django.db.models import Count, Q

from dangvu.registry.models import CELL_KINDS, Organization, StatusChange

from .models import AdmissionQuota
from .services import ServiceError, parse_term


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
    return StatusChange.objects.filter(event="admit", to_org__path__startswith=org.path, on__range=(start, end))


def _topmost(rows: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Rows whose organization has no ancestor among the rows (looked up by path prefix: linear,
    a province holds thousands of quotas)."""
    step = Organization.steplen
    paths = {p for p, _, _ in rows}
    return [r for r in rows if not any(r[0][:i] in paths for i in range(step, len(r[0]), step))]


def subtree_quota(org: Organization, *, year: int | None = None, term: str = "") -> tuple[int | None, int | None]:
    """(target, students target) of the subtree for a year or a term; (None, None) when none is set."""
    qs = AdmissionQuota.objects.filter(organization__path__startswith=org.path)
    qs = qs.filter(year=year) if year is not None else qs.filter(term=term)
    rows = _topmost(list(qs.values_list("organization__path", "target", "students_target")))
    if not rows:
        return None, None
    return sum(r[1] for r in rows), sum(r[2] for r in rows)


def term_span(term: str) -> tuple[dt.date, dt.date]:
    first, last = parse_term(term)
    return dt.date(first, 1, 1), dt.date(last, 12, 31)


def term_for_year(org: Organization, year: int) -> str | None:
    """The term quota (set anywhere in the subtree or above it) covering ``year``; the latest term
    when two overlap (2020-2025 and 2025-2030 both hold 2025)."""
    terms = set(AdmissionQuota.objects.filter(
        Q(organization__path__startswith=org.path) | Q(organization__path__in=_ancestor_paths(org)))
        .exclude(term="").values_list("term", flat=True))
    best: tuple[int, str] | None = None
    for term in terms:
        try:
            first, last = parse_term(term)
        except ServiceError:
            continue
        if first <= year <= last and (best is None or first > best[0]):
            best = (first, term)
    return best[1] if best else None


def _ancestor_paths(org: Organization) -> list[str]:
    step = Organization.steplen
    return [org.path[:i] for i in range(step, len(org.path), step)]


def quota_table(org: Organization, year: int) -> QuotaTable:
    """Per cell of the subtree (and the subtree's total): admissions of ``year`` against the year's
    quota, and admissions of the term covering ``year`` against the term's quota."""
    term = term_for_year(org, year)
    table = QuotaTable(year=year, term=term)
    year_span = (dt.date(year, 1, 1), dt.date(year, 12, 31))
    spans = {"year": year_span}
    if term:
        spans["term"] = term_span(term)
    cells = list(Organization.objects.filter(path__startswith=org.path, kind__in=CELL_KINDS)
                 .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=year_span[0])).order_by("path"))
    counted: dict[str, dict[str, list[int]]] = {k: defaultdict(lambda: [0, 0]) for k in spans}
    for key, (start, end) in spans.items():
        rows = (_admit_events(org, start, end).values("to_org__path")
                .annotate(n=Count("id"), students=Count("id", filter=Q(member__is_student=True))))
        for row in rows:
            path = row["to_org__path"]
            cell = next((c for c in cells if path.startswith(c.path)), None)
            slot = counted[key][cell.path if cell else ""]
            slot[0] += row["n"]
            slot[1] += row["students"]
    quotas = {(q.organization_id, q.year, q.term): q for q in AdmissionQuota.objects.filter(
        organization__in=cells).filter(Q(year=year) | Q(term=term or "-"))}
    for cell in cells:
        y = quotas.get((cell.pk, year, ""))
        done = counted["year"][cell.path]
        year_p = Progress(done[0], done[1], y.target if y else None, y.students_target if y else None)
        term_p = None
        if term:
            t = quotas.get((cell.pk, None, term))
            done = counted["term"][cell.path]
            term_p = Progress(done[0], done[1], t.target if t else None, t.students_target if t else None)
        table.rows.append((cell, year_p, term_p))
    target, students = subtree_quota(org, year=year)
    total = admissions(org, *year_span)
    table.total_year = Progress(total.admitted, total.students, target, students)
    if term:
        target, students = subtree_quota(org, term=term)
        total = admissions(org, *spans["term"])
        table.total_term = Progress(total.admitted, total.students, target, students)
    return table
