"""Demo step "members": the members of every cell with three years of lifecycle events (the life
simulation lives in :mod:`dangvu.demo.life`)."""

from __future__ import annotations

from ..context import DemoContext, Sim
from ..life import cell_people, unit_events, write_unit


def members(ctx: DemoContext) -> None:
    """Members of every cell with three years of lifecycle events."""
    for unit in ctx.units:  # where the workplace members of each commune live
        ctx.extra.setdefault("villages", {})[unit.code] = [c for c in unit.cells() if c.sector == "residential"]
    for unit in ctx.track(ctx.units, "Đảng viên"):
        sims: list[Sim] = []
        for cell in unit.cells():
            sims.extend(cell_people(ctx, unit, cell))
        unit_events(ctx, unit, sims)
        write_unit(ctx, unit, sims)
        ctx.sims.extend(sims)
    for s in ctx.sims:
        ctx.cell_members.setdefault(s.cell.code, []).append(s)
