"""The indicator part of ``dangvu bench --scale province``.

Times :func:`dangvu.indicators.compute_all` for the province (the root) and for one commune (its
largest grassroots committee) over the current year, then compares three indicators computed
three ways (:mod:`dangvu.bench.compare`) over the last finished year — the latest year with
yearly grades. The naive version runs on the commune first; it runs on the root too when that
is estimated to take at most ``naive_budget`` seconds, and the headline ratios are taken on the
largest scope where all three ran (``compared_on``). Without the optional DuckDB the bench says
so in one line and compares ours with the naive version only.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from typing import TYPE_CHECKING, Any

from dangvu.core import clock

from . import compare as bc

if TYPE_CHECKING:
    from dangvu.core.periods import Period
    from dangvu.registry.models import Organization

GOALS = {"vs_naive_at_least": 20.0, "vs_duckdb_at_most": 3.0}
"""Targets of the bench itself (issue 4), not rule parameters."""


def pick_commune(root: Organization) -> Organization:
    """The grassroots committee of the subtree with the most active members (the heaviest commune);
    the root itself when it has none."""
    from dangvu.registry.indicators import count_members_by_org
    from dangvu.registry.models import Organization

    committees = list(Organization.objects.subtree(root).filter(kind="grassroots_committee"))
    if not committees:
        return root
    counts = count_members_by_org(committees)
    return max(committees, key=lambda c: (counts[c.pk], -c.pk))


def _active_members(org: Organization) -> int:
    from dangvu.registry.models import Member

    return Member.objects.in_subtree(org).active().count()


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def _duckdb(keys: list[str], compared: Period) -> tuple[Any, dict[str, Any] | None]:
    """The DuckDB connection and its load timings, or ``(None, None)`` (said once) without DuckDB."""
    if not bc.duckdb_available():
        sys.stderr.write(bc.DUCKDB_MISSING + "\n")
        return None, None
    return bc.duckdb_connection(keys, compared)


def indicator_section(root: Organization, *, repeat: int = 3, naive_budget: float = 180.0,
                      today: dt.date | None = None) -> dict[str, Any]:
    from dangvu.indicators import Period, compute_all, load_all

    today = today or clock.today()
    now, compared = Period.year(today.year), Period.year(today.year - 1)
    commune = pick_commune(root)
    _, root_runs = bc.best_of(lambda: compute_all(root, now), repeat)
    _, commune_runs = bc.best_of(lambda: compute_all(commune, now), repeat)

    keys = bc.choose(root, compared)
    con, load = _duckdb(keys, compared)
    on_commune = bc.compare(keys, commune, compared, con, repeat=repeat)
    sizes = {"root": _active_members(root), "commune": _active_members(commune)}
    # Naive work grows with the rows it walks, which grow with the members.
    estimate = on_commune["naive_seconds"] * sizes["root"] / max(1, sizes["commune"])
    naive_at_root = root.pk != commune.pk and estimate <= naive_budget
    on_root = (bc.compare(keys, root, compared, con, repeat=repeat, naive=naive_at_root)
               if root.pk != commune.pk else on_commune)
    if con is not None:
        con.close()
    headline, scope = (on_root, "root") if naive_at_root or root.pk == commune.pk else (on_commune, "commune")
    vs_naive = _ratio(headline["naive_seconds"], headline["ours_seconds"])
    vs_duckdb = _ratio(headline["ours_seconds"], headline["duckdb_seconds"])
    return {
        "root_seconds": min(root_runs),
        "commune_seconds": min(commune_runs),
        "vs_naive": vs_naive,
        "vs_duckdb": vs_duckdb,
        "agree": on_commune["agree"] and on_root["agree"],
        "details": {
            "period": now.label,
            "compared_period": compared.label,
            "root": {"code": root.code, "name": root.name, "active_members": sizes["root"]},
            "commune": {"code": commune.code, "name": commune.name, "active_members": sizes["commune"]},
            "indicators": len(load_all()),
            "root_runs": root_runs,
            "commune_runs": commune_runs,
            "compared": keys,
            "compared_on": scope,
            "naive_root_estimate_seconds": round(estimate, 1),
            "naive_budget_seconds": naive_budget,
            "vs_duckdb_with_load": _ratio(headline["ours_seconds"],
                                          headline["duckdb_seconds"] + load["total_seconds"]) if load else None,
            "duckdb_load": load,
            "comparison": {"commune": on_commune, "root": on_root},
            "goals": {**GOALS, "met": {
                "vs_naive": vs_naive is not None and vs_naive >= GOALS["vs_naive_at_least"],
                "vs_duckdb": vs_duckdb is not None and vs_duckdb <= GOALS["vs_duckdb_at_most"]}},
            "cpu_count": os.cpu_count(),
        },
    }
