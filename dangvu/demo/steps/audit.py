"""Demo step "audit": one audit entry summing up the bulk build (it comes last)."""

from __future__ import annotations

from ..context import DemoContext


def audit(ctx: DemoContext) -> None:
    """One summary entry for the whole bulk build (per-row signals were bypassed)."""
    from dangvu.accounts.audit import log_bulk

    ctx.writer.flush()
    total = sum(ctx.writer.counts.values())
    log_bulk(None, ctx.root_org, "demo", created=total, scale=ctx.scale, seed=ctx.seed,
             counts=dict(ctx.writer.counts))
