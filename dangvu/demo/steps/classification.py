"""Demo step "classification": last year's «chi bộ bốn tốt» of the cells, through
:mod:`dangvu.classification.services` and the project's default framework.

For each grassroots organization (at most ``MAX_COMMITTEES``, so the province build stays bounded)
the committee enters its word, with evidence, on the criteria no data decides — met for most cells,
not met for one in seven, and left blank for one (it stays «chưa đủ căn cứ») — and then classifies
every cell from the indicators of that year. Deterministic for a given seed and day.
"""

from __future__ import annotations

import random

from dangvu.classification import selectors as sel
from dangvu.classification import services as cs
from dangvu.registry.models import Organization, OrgKind

from ..context import DemoContext

MAX_COMMITTEES = 12
_GRASSROOTS = (OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL)


def classification(ctx: DemoContext) -> None:
    rng = random.Random(f"classification-{ctx.seed}-{ctx.today.isoformat()}")
    year = ctx.today.year - 1
    orgs = list(Organization.objects.subtree(ctx.root_org).filter(kind__in=_GRASSROOTS).order_by("path"))
    for org in orgs[:MAX_COMMITTEES]:
        cells = list(sel.cells_under(org))
        if not cells:
            continue
        fw, _ = sel.framework_in_force(org, year)
        words = [c for c in fw.criteria if not c.measured]
        for i, cell in enumerate(cells):
            if i == len(cells) - 1 and len(cells) > 2:
                continue  # one cell the committee has not reviewed yet
            for criterion in words:
                met = rng.random() > 1 / 7
                cs.record_entry(None, cell, year, criterion.code, met=met, evidence=(
                    f"Báo cáo tổng kết năm {year} của chi bộ; biên bản kiểm điểm cuối năm" if met
                    else f"Năm {year} chi bộ chưa hoàn thành chỉ tiêu này (báo cáo tổng kết)"))
        cs.assess_cells(None, org, year)
