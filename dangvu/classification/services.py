"""Classification use cases: the only code that writes frameworks, the committee's entries and
the cells' yearly results. Each public function is one transaction; a refusal is a
:class:`ServiceError` in plain Vietnamese with nothing written.

The committee above a cell classifies it (Điều lệ Đảng, Điều 21: the upper committee leads and
assesses the cells under it), so entries and assessments need the right to edit the cell's parent.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from django.db import transaction

from dangvu import indicators
from dangvu.accounts.access import access_for
from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.core import clock
from dangvu.core.classification import Framework, FrameworkError, assess
from dangvu.core.classification import load_framework as parse
from dangvu.core.periods import Period
from dangvu.core.text import nfc
from dangvu.registry.models import Organization

from . import selectors as sel
from .models import CellClassification, ClassificationFramework, CriterionEntry

NO_RIGHT = "Chỉ cấp ủy cấp trên trực tiếp của chi bộ mới phân loại chi bộ."
MAX_EVIDENCE = 2000
MAX_FILE = 1_000_000


def _committee_of(cell: Organization) -> Organization:
    if cell.kind != "cell":
        raise ServiceError("Chỉ phân loại được chi bộ.", Code.ORG_KIND)
    parent = Organization.objects.get_parent(cell)
    if parent is None:
        raise ServiceError("Chi bộ này không có cấp ủy cấp trên để phân loại.", Code.ORG_KIND)
    return parent


def _check_year(year: int) -> None:
    today = clock.today()
    if not 2000 <= year <= today.year:
        raise ServiceError(f"Năm phân loại phải từ 2000 đến {today.year}.", Code.OUT_OF_RANGE, field="year")


@transaction.atomic
def load_framework(by, source: str | Path | IO | bytes, province: str = "") -> ClassificationFramework:
    """Store a province's framework (YAML or JSON); the same province, year and version replaces
    the stored one. Only an admin, or the editors of the province itself, may load one."""
    province = nfc(province).strip().upper()
    if by is not None:
        acc = access_for(by)
        root = Organization.objects.filter(depth=1, code__iexact=province).first() if province else None
        if not acc.is_admin and (root is None or not acc.can_edit_org(root)):
            raise ServiceError("Chỉ quản trị hệ thống hoặc văn phòng tỉnh ủy mới nạp được khung phân loại.",
                               Code.FORBIDDEN)
    if isinstance(source, Path):
        raw: bytes | str = source.read_bytes()
    elif hasattr(source, "read"):
        raw = source.read(MAX_FILE + 1)
    else:
        raw = source
    if len(raw) > MAX_FILE:
        raise ServiceError("Tệp khung phân loại lớn quá 1 MB.", Code.FILE_TOO_LARGE, field="file")
    try:
        fw, data = parse(raw, set(indicators.load_all()))
    except FrameworkError as exc:
        raise ServiceError(str(exc), exc.code, field="file") from exc
    data = dict(data, province=province)
    row, _ = ClassificationFramework.objects.update_or_create(
        province=province, year=fw.year, version=fw.version,
        defaults={"name": fw.name, "title": fw.title, "definition": data, "loaded_by": acting_user(by)})
    return row


@transaction.atomic
def record_entry(by, cell: Organization, year: int, criterion: str, *, met: bool, evidence: str) -> CriterionEntry:
    """The committee's word on one criterion of the framework in force, with its evidence."""
    ensure_can_edit(by, _committee_of(cell), NO_RIGHT)
    _check_year(year)
    fw, _ = sel.framework_in_force(cell, year)
    if criterion not in {c.code for c in fw.criteria}:
        raise ServiceError("Tiêu chí này không có trong khung phân loại đang áp dụng.", Code.INVALID,
                           field="criterion")
    evidence = nfc(evidence or "").strip()
    if not evidence:
        raise ServiceError("Cần ghi minh chứng (văn bản, biên bản, số liệu) cho tiêu chí này.", Code.REQUIRED,
                           field="evidence")
    if len(evidence) > MAX_EVIDENCE:
        raise ServiceError(f"Minh chứng dài quá {MAX_EVIDENCE} ký tự.", Code.TOO_LONG, field="evidence")
    row, _ = CriterionEntry.objects.update_or_create(
        cell=cell, year=year, criterion=criterion,
        defaults={"met": bool(met), "evidence": evidence, "entered_by": acting_user(by)})
    return row


def _values(fw: Framework, cell: Organization, year: int) -> dict[str, float | None]:
    period = Period.year(year)
    return {key: indicators.compute(key, cell, period).value for key in sorted(fw.indicator_keys())}


def _store(by, cell: Organization, year: int, fw: Framework, stored: ClassificationFramework | None,
           values: dict[str, float | None]) -> CellClassification:
    result = assess(fw, values, sel.entries_for(cell, year))
    group_of = {c.code: g.label for g in fw.groups for c in g.criteria}
    findings = [{"code": f.criterion.code, "group": group_of[f.criterion.code], "label": f.criterion.label,
                 "indicator": f.criterion.indicator, "threshold": f.criterion.threshold_text(),
                 "met": f.met, "value": f.value, "source": f.source, "reason": f.reason}
                for f in result.findings]
    row, _ = CellClassification.objects.update_or_create(
        cell=cell, year=year,
        defaults={"framework": stored, "title": fw.title, "classified": result.classified,
                  "findings": findings, "reasons": list(result.reasons), "assessed_by": acting_user(by)})
    return row


@transaction.atomic
def assess_cell(by, cell: Organization, year: int) -> CellClassification:
    """Classify one cell for ``year`` from the indicators and the committee's entries."""
    ensure_can_edit(by, _committee_of(cell), NO_RIGHT)
    _check_year(year)
    fw, stored = sel.framework_in_force(cell, year)
    return _store(by, cell, year, fw, stored, _values(fw, cell, year))


@transaction.atomic
def assess_cells(by, org: Organization, year: int) -> dict[str, int]:
    """Classify every cell of the subtree the actor may classify; counts by result."""
    _check_year(year)
    counts = {"earned": 0, "not_earned": 0, "undecided": 0}
    fw, stored = sel.framework_in_force(org, year)
    acc = access_for(by) if by is not None else None
    cells = list(sel.cells_under(org))
    if not cells:
        raise ServiceError("Không có chi bộ nào trong tổ chức này để phân loại.", Code.ORG_KIND)
    parents = sel.parents_of(cells)
    for cell in cells:
        committee = parents.get(cell.pk)
        if committee is None or (acc is not None and not acc.can_edit_org(committee)):
            continue
        row = _store(by, cell, year, fw, stored, _values(fw, cell, year))
        counts[{True: "earned", False: "not_earned", None: "undecided"}[row.classified]] += 1
    if not any(counts.values()):
        raise ServiceError(NO_RIGHT, Code.FORBIDDEN)
    return counts
