"""Classification reads: the framework in force for an organization and year, the cells of a
subtree with their yearly result, one cell's entries, and the share of cells classified. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q

from dangvu.core.classification import Entry, Framework, default_framework
from dangvu.core.text import nfc
from dangvu.registry.models import Organization

from .models import CellClassification, ClassificationFramework, CriterionEntry


def province_of(org: Organization) -> Organization:
    return org if org.depth == 1 else Organization.objects.get(path=org.path[: Organization.steplen])


def _pick(qs, year: int) -> ClassificationFramework | None:
    return qs.filter(year__lte=year).order_by("-year", "-id").first() or qs.order_by("year", "-id").first()


def stored_framework(org: Organization, year: int) -> ClassificationFramework | None:
    """The province's newest framework from ``year`` or before (else its oldest); else the stored
    default (blank province) by the same rule; else None."""
    root = province_of(org)
    keys = {root.code.upper(), nfc(root.name).upper()}
    found = _pick(ClassificationFramework.objects.filter(province__in=keys), year)
    return found or _pick(ClassificationFramework.objects.filter(province=""), year)


def framework_in_force(org: Organization, year: int) -> tuple[Framework, ClassificationFramework | None]:
    """The framework a cell of ``org``'s province is classified with for ``year``: the stored one,
    else the project's default file (not stored)."""
    stored = stored_framework(org, year)
    if stored is not None:
        return Framework.from_dict(stored.definition), stored
    return default_framework()[0], None


def cells_under(org: Organization):
    return Organization.objects.filter(path__startswith=org.path, kind="cell", dissolved_on__isnull=True) \
        .order_by("path")


def parent_of(org: Organization) -> Organization | None:
    return Organization.objects.get_parent(org)


def parents_of(orgs: list[Organization]) -> dict[int, Organization]:
    """Each organization's parent (by the organization's id), in one query."""
    step = Organization.steplen
    by_path = {o.path: o for o in Organization.objects.filter(path__in={o.path[:-step] for o in orgs if o.depth > 1})}
    return {o.pk: by_path[o.path[:-step]] for o in orgs if o.path[:-step] in by_path}


def entries_for(cell: Organization, year: int) -> dict[str, Entry]:
    return {e.criterion: Entry(e.met, e.evidence)
            for e in CriterionEntry.objects.filter(cell=cell, year=year)}


def entry_rows(cell: Organization, year: int) -> dict[str, CriterionEntry]:
    return {e.criterion: e for e in CriterionEntry.objects.filter(cell=cell, year=year).select_related("entered_by")}


def result_for(cell: Organization, year: int) -> CellClassification | None:
    return CellClassification.objects.filter(cell=cell, year=year).first()


@dataclass(frozen=True)
class CellRow:
    cell: Organization
    result: CellClassification | None


CELLS_PER_PAGE = 50  # a province holds 3,700 cells: the overview pages them


def cell_rows(org: Organization, year: int, page: str | int | None = 1) -> tuple[Page, list[CellRow]]:
    """A page of the subtree's cells (tree order) with each one's result for ``year`` (None: not
    assessed); a page number that is not one gives the first or last page. Three queries."""
    shown = Paginator(cells_under(org).select_related(None), CELLS_PER_PAGE).get_page(page or 1)
    cells = list(shown)
    results = {r.cell_id: r for r in CellClassification.objects.filter(cell__in=[c.pk for c in cells], year=year)}
    return shown, [CellRow(c, results.get(c.pk)) for c in cells]


def classified_counts(org: Organization, year: int) -> dict[str, Any]:
    """Cells of the subtree classified for ``year``: earned, not earned, undecided; one query."""
    return CellClassification.objects.filter(
        cell__path__startswith=org.path, cell__kind="cell", year=year).aggregate(
        earned=Count("id", filter=Q(classified=True)), not_earned=Count("id", filter=Q(classified=False)),
        undecided=Count("id", filter=Q(classified__isnull=True)))
