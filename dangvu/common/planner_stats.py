"""Query planner statistics of the embedded SQLite database (issue 14).

SQLite plans with the statistics ANALYZE leaves in ``sqlite_stat1`` and, without them, guesses:
on the province data set it walked the members' status index and sorted 148,000 rows for the
member list's first page of 50 (root administrator 201 ms → 76 ms once analyzed). PostgreSQL's
autovacuum keeps its own statistics; SQLite has nothing of the kind, so the server refreshes them
when it starts (:func:`dangvu.cli.cmd_demo.serve`): every table large enough to matter whose row
count has halved or doubled since it was last analyzed, or that never was, is analyzed again
(the whole province: about 4 s, once; a commune: milliseconds; nothing to do: a few ms).
"""

from __future__ import annotations

from django.db import connection

MIN_ROWS = 1000
"""Smaller tables are read whole whatever the plan; not worth analyzing."""
GROWTH = 2
"""A table analyzed at n rows is analyzed again at n / GROWTH or n × GROWTH rows."""


def _analyzed_rows(cursor) -> dict[str, int]:
    """Row count per table when last analyzed (the first number of each ``sqlite_stat1`` line)."""
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    if cursor.fetchone() is None:
        return {}
    cursor.execute("SELECT tbl, stat FROM sqlite_stat1")
    return {tbl: int(stat.split()[0]) for tbl, stat in cursor.fetchall() if stat}


def stale_tables(min_rows: int = MIN_ROWS) -> list[str]:
    """SQLite tables of at least ``min_rows`` rows whose statistics are missing or off by :data:`GROWTH`.
    Rows are estimated by the largest row id (one index step per table, not a count)."""
    with connection.cursor() as cursor:
        known = _analyzed_rows(cursor)
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        tables = [name for (name,) in cursor.fetchall()]
        out = []
        for name in tables:
            cursor.execute(f"SELECT max(rowid) FROM {connection.ops.quote_name(name)}")
            rows = cursor.fetchone()[0] or 0
            before = known.get(name)
            if rows >= min_rows and (before is None or rows > before * GROWTH or rows * GROWTH < before):
                out.append(name)
    return out


def refresh_planner_statistics(min_rows: int = MIN_ROWS) -> list[str]:
    """ANALYZE the SQLite tables whose statistics are stale (:func:`stale_tables`); the tables
    analyzed. PostgreSQL (autovacuum analyzes) and other engines: nothing to do."""
    if connection.vendor != "sqlite":
        return []
    tables = stale_tables(min_rows)
    with connection.cursor() as cursor:
        for name in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")
    return tables
