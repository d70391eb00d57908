"""Demo step "working_rules": each organization's working rules (quy chế làm việc)."""

from __future__ import annotations

import datetime as dt

from dangvu.registry.models import OrgKind, WorkingRules

from ..context import TERMS, DemoContext, between


def working_rules(ctx: DemoContext) -> None:
    """Quy chế làm việc: most re-issued after the 2025 congress, some updated, some stale."""
    rng, today = ctx.rng, ctx.today
    assert ctx.root is not None
    new_term = dt.date(TERMS[-1][1], 6, 1)
    for org in ctx.root.walk():
        roll = rng.random()
        if org.kind == OrgKind.GROUP or (org.is_cell and roll < 0.1):
            continue  # a few cells never recorded theirs
        if "recent" in org.flags and org.established_on:
            issued, updated = org.established_on + dt.timedelta(days=rng.randint(20, 60)), None
        elif roll < 0.55 or not org.is_cell:
            issued, updated = between(rng, new_term, min(today, new_term + dt.timedelta(days=150))), None
        elif roll < 0.8:
            issued = between(rng, dt.date(2020, 6, 1), dt.date(2022, 12, 31))
            updated = between(rng, dt.date(2025, 1, 1), today)
        else:
            issued, updated = between(rng, dt.date(2020, 5, 1), dt.date(2021, 12, 31)), None
        issued = min(issued, today)
        ctx.writer.add(WorkingRules, organization_id=org.pk, issued_on=issued, updated_on=updated,
                                    note="Ban hành kèm theo quyết định của cấp ủy")
    ctx.writer.flush()

