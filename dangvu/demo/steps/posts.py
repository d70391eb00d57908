"""Demo step "posts": secretaries, deputies and committee members of both congress terms, heads of
workplaces. Written through the bulk loader with the members they refer to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from dangvu.core.rulesets import ruleset_for
from dangvu.registry.models import OrgKind, Post

from ..context import TERM_MONTHS, TERMS, DemoContext, OrgSpec, Sim, age_on, between


def _term_dates(ctx: DemoContext, level: str) -> list[tuple[str, dt.date, dt.date | None]]:
    rng = ctx.rng
    lo, hi = TERM_MONTHS[level]
    out = []
    for label, y0, _y1 in TERMS:
        start = dt.date(y0, rng.randint(lo, hi), rng.randint(1, 28))
        out.append((label, start, None))
    if out[1][1] <= ctx.today:  # the old term ends when the new one starts
        out[0] = (out[0][0], out[0][1], out[1][1])
    return [t for t in out if t[1] <= ctx.today]


def _eligible_now(s: Sim, start: dt.date) -> bool:
    return (s.status == "full" and s.is_full_on(start) and (s.moved_on is None or s.moved_on <= start)
            and not s.pending and not s.away and 24 <= age_on(s.birth, start) <= 66)


def _eligible_then(s: Sim, start: dt.date, end: dt.date) -> bool:
    return (s.is_full_on(start) and s.moved_on is None and s.status != "expelled"
            and (s.exempt_on is None or s.exempt_on > end) and (s.end_on is None or s.end_on > end)
            and 25 <= age_on(s.birth, start) <= 66)


def _add_post(ctx: DemoContext, org: OrgSpec, s: Sim, role: str, start: dt.date, end: dt.date | None,
              term: str) -> None:
    ctx.writer.add(Post, organization_id=org.pk, member_id=s.pk, role=role, started_on=start, ended_on=end,
                        term=term)
    if end is None:
        s.posts.append(role)


def _committee(ctx: DemoContext, org: OrgSpec, pool_now: list[Sim], pool_then: list[Sim], *,
               deputies: int, members: int, level: str, start_override: dt.date | None = None) -> dt.date:
    """Posts of both terms; returns the start of the current term."""
    rng = ctx.rng
    terms = _term_dates(ctx, level)
    if start_override is not None:
        terms = [(terms[-1][0], start_override, None)]
    current_secretary: Sim | None = None
    for label, start, end in reversed(terms):  # current term first
        if end is None:
            pool = ([s for s in pool_now if _eligible_now(s, start)] or [s for s in pool_now if s.status == "full"]
                    or [s for s in pool_now if s.status == "probationary" and not s.pending])
        else:
            pool = [s for s in pool_then if _eligible_then(s, start, end)]
        if not pool:
            continue
        pool = list(pool)
        rng.shuffle(pool)
        pool.sort(key=lambda s: -["", "elementary", "intermediate", "advanced"].index(s.theory))
        if end is not None and current_secretary in pool and rng.random() < 0.6:
            secretary = current_secretary  # re-elected
        else:
            secretary = pool[rng.randrange(min(3, len(pool)))]
        rest = [s for s in pool if s is not secretary]
        rng.shuffle(rest)
        _add_post(ctx, org, secretary, "secretary", start, end, label)
        if end is None:
            current_secretary = secretary
        for s in rest[:deputies]:
            _add_post(ctx, org, s, "deputy", start, end, label)
        for s in rest[deputies:deputies + members]:
            _add_post(ctx, org, s, "committee_member", start, end, label)
    return terms[-1][1]


def _cell_posts(ctx: DemoContext, org: OrgSpec, threshold: int, max_size: int) -> None:
    """A cell's committee (or secretary and deputy) for both terms, and the head of its workplace."""
    rng, today = ctx.rng, ctx.today
    people = ctx.cell_members.get(org.code, [])
    full_now = sum(1 for s in people if s.status == "full")
    start_override = None
    if "recent" in org.flags:
        moved = [s.moved_on for s in people if s.moved_on]
        start_override = min(today, max(moved) + dt.timedelta(days=rng.randint(2, 10))) if moved else today
    if full_now >= threshold and "no_committee" not in org.flags:
        size = min(max_size, 3 if full_now < 30 else 5)
        _committee(ctx, org, people, people, deputies=1, members=size - 2, level="cell",
                   start_override=start_override)
    else:
        # Below the threshold a cell elects a secretary and possibly a deputy; the cells
        # flagged "no_committee" should have elected a committee and did not (an alert).
        deputy = "no_committee" not in org.flags and full_now >= 5 and rng.random() < 0.4
        _committee(ctx, org, people, people, deputies=int(deputy), members=0, level="cell",
                   start_override=start_override)
    if org.sector and org.sector != "residential":
        pool = [s for s in people if s.status == "full" and age_on(s.birth, today) >= 30 and not s.pending]
        if pool:
            sec = [s for s in pool if "secretary" in s.posts]
            head = sec[0] if sec and rng.random() < 0.4 else rng.choice(pool)
            lo = max(org.established_on or dt.date(2019, 1, 1), dt.date(2019, 1, 1), head.admitted_on,
                     head.moved_on or dt.date.min)
            _add_post(ctx, org, head, "unit_head", between(rng, lo, today - dt.timedelta(days=30)), None, "")


def _committee_posts(ctx: DemoContext, org: OrgSpec, subtree: Callable[[OrgSpec], list[Sim]]) -> None:
    """The committee of a province, upper level, grassroots committee or sub-committee."""
    rng = ctx.rng
    pool = subtree(org)
    if org.kind == OrgKind.PROVINCE:
        uppers = [c for c in org.children if c.kind == OrgKind.UPPER]
        pool = [s for u in uppers for s in subtree(u)] or pool
        _committee(ctx, org, pool, pool, deputies=3, members=11, level="upper")
    elif org.kind == OrgKind.UPPER:
        _committee(ctx, org, pool, pool, deputies=2, members=5, level="upper")
    elif org.kind == OrgKind.SUB_COMMITTEE:
        _committee(ctx, org, pool, pool, deputies=1, members=rng.randint(1, 3), level="grassroots")
    elif org.region is not None and org.sector == "" and org.place.startswith(("xã", "phường")):
        agency = [s for s in pool if s.cell.sector == "agency"]
        forces = [s for s in pool if s.cell.sector in ("police", "military") and "secretary" in s.posts]
        start = _committee(ctx, org, agency, agency, deputies=2, members=rng.randint(6, 9),
                           level="grassroots")
        for s in forces:  # the police chief and the military commander sit on the committee
            if _eligible_now(s, start):
                _add_post(ctx, org, s, "committee_member", start, None, TERMS[-1][0])
    else:
        _committee(ctx, org, pool, pool, deputies=1, members=rng.randint(2, 4), level="grassroots")


def posts(ctx: DemoContext) -> None:
    """Secretaries, deputies and committee members for both terms; heads of workplaces."""
    rs = ruleset_for(ctx.today)
    threshold = rs["organization.cell_committee_min_full_members"]
    max_size = rs["organization.cell_committee_max_size"]
    assert ctx.root is not None
    subtree_cache: dict[str, list[Sim]] = {}

    def subtree(org: OrgSpec) -> list[Sim]:
        if org.code not in subtree_cache:
            subtree_cache[org.code] = [s for c in org.cells() for s in ctx.cell_members.get(c.code, [])]
        return subtree_cache[org.code]

    # Cells first, then committees from the bottom up (a commune committee takes the police and
    # military secretaries on board).
    orgs = sorted(ctx.root.walk(), key=lambda o: (not o.is_cell, -len(o.code)))
    for org in ctx.track(orgs, "Chức vụ"):
        if org.is_cell:
            _cell_posts(ctx, org, threshold, max_size)
        else:
            _committee_posts(ctx, org, subtree)
    ctx.writer.flush()
