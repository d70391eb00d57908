"""SQLite planner statistics refreshed when the server starts (dangvu.common.planner_stats): a table
never analyzed, or grown or shrunk past the factor, is analyzed; an unchanged one is left alone;
PostgreSQL (autovacuum) is left to itself."""

from __future__ import annotations

import pytest
from django.db import connection

from dangvu.common import planner_stats
from dangvu.common.planner_stats import GROWTH, refresh_planner_statistics, stale_tables
from dangvu.registry import services as s
from dangvu.registry.models import Organization

pytestmark = pytest.mark.django_db


def _add_orgs(n: int, prefix: str) -> None:
    root = s.create_organization(None, None, code=f"{prefix}0", name=f"Đảng bộ thử {prefix}",
                                 kind="grassroots_committee")
    for i in range(1, n):
        s.create_organization(None, root, code=f"{prefix}{i}", name=f"Chi bộ thử {prefix}{i}", kind="cell")


def _analyzed(table: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        row = cursor.fetchone()
    return int(row[0].split()[0]) if row else None


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only: PostgreSQL is analyzed by autovacuum")
def test_stale_tables_are_analyzed_and_fresh_ones_left_alone() -> None:
    table = Organization._meta.db_table
    _add_orgs(6, "T")
    rows = Organization.objects.count()
    assert table in stale_tables(min_rows=5)
    assert table not in stale_tables(min_rows=10_000)  # too small to matter
    assert table in refresh_planner_statistics(min_rows=5)
    assert _analyzed(table) == rows
    assert table not in refresh_planner_statistics(min_rows=5)  # unchanged since
    _add_orgs(rows * GROWTH, "U")  # grown past the factor
    assert table in refresh_planner_statistics(min_rows=5)
    assert _analyzed(table) == Organization.objects.count()


def test_other_engines_are_left_to_their_own_statistics(monkeypatch) -> None:
    monkeypatch.setattr(planner_stats.connection, "vendor", "postgresql")
    assert refresh_planner_statistics(min_rows=0) == []
