"""Row counts and checksums of every table, the same whatever the engine.

A table's checksum is the SHA-256 of its rows ordered by primary key, each row the JSON list of its
column values in a canonical form (UTC ISO datetimes, plain decimals, hex bytes), read through the
Django model so that SQLite's strings and PostgreSQL's native types give the same text. Backup
writes them into the manifest; restore and the tests recompute them on the restored database.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model

# Filled by ``migrate`` itself (post_migrate), so a freshly migrated database still counts as empty.
FILLED_BY_MIGRATE = frozenset({"django_migrations", "django_content_type", "auth_permission"})
_CHUNK = 5000


@dataclass(frozen=True)
class TableSum:
    rows: int
    sha256: str

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "sha256": self.sha256}


# How each type a Django field returns is written; the first matching type wins (bool before int,
# datetime before date). Anything else (JSONField dicts and lists) is JSON with sorted keys.
_CANONICAL: tuple[tuple[type | tuple[type, ...], Any], ...] = (
    ((bool, int, str), lambda v: v),
    (float, lambda v: f"f:{v!r}"),
    (decimal.Decimal, lambda v: f"d:{v.normalize():f}"),
    (dt.datetime, lambda v: (v.astimezone(dt.UTC) if v.tzinfo else v).isoformat()),
    ((dt.date, dt.time), lambda v: v.isoformat()),
    ((bytes, bytearray, memoryview), lambda v: f"b:{bytes(v).hex()}"),
    (uuid.UUID, str),
    (dt.timedelta, lambda v: f"t:{v.total_seconds()!r}"),
)


def canonical(value: Any) -> Any:
    """One engine-independent JSON value for a column value as the Django field returns it."""
    if value is None:
        return None
    for kinds, write in _CANONICAL:
        if isinstance(value, kinds):
            return write(value)
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def _models() -> list[type[Model]]:
    """Every table's model: the apps' models, many-to-many tables and Django's migration record."""
    found = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)
             if m._meta.managed and not m._meta.proxy}
    found.setdefault(MigrationRecorder.Migration._meta.db_table, MigrationRecorder.Migration)
    return [found[t] for t in sorted(found)]


def existing_tables(alias: str = "default") -> set[str]:
    with connections[alias].cursor() as cursor:
        return set(connections[alias].introspection.table_names(cursor))


def _columns(alias: str, table: str) -> set[str]:
    conn = connections[alias]
    with conn.cursor() as cursor:
        return {c.name for c in conn.introspection.get_table_description(cursor, table)}


def _rows(model: type[Model], alias: str, fields: list[str]) -> Iterable[tuple]:
    qs = model._default_manager.using(alias).order_by("pk").values_list(*fields)
    pk = model._meta.pk
    if pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField", "IntegerField",
                                  "BigIntegerField", "PositiveIntegerField"):
        return qs.iterator(chunk_size=_CHUNK)
    # Text keys (sessions) sort differently by engine collation: sort them here, by code point.
    return sorted(qs.iterator(chunk_size=_CHUNK), key=lambda r: str(r[0]))


def table_sum(model: type[Model], alias: str = "default") -> TableSum:
    """Row count and checksum of one model's table. Only the columns the table really has are
    read, so an older backup's tables (fewer columns) check against the manifest written then."""
    present = _columns(alias, model._meta.db_table)
    pk = model._meta.pk.attname
    fields = [pk] + [f.attname for f in model._meta.concrete_fields if f.column in present and f.attname != pk]
    digest, count = hashlib.sha256(), 0
    for row in _rows(model, alias, fields):
        digest.update(json.dumps([canonical(v) for v in row], ensure_ascii=False, separators=(",", ":")).encode())
        digest.update(b"\n")
        count += 1
    return TableSum(count, digest.hexdigest())


def table_sums(alias: str = "default") -> dict[str, TableSum]:
    """``{table: TableSum}`` for every model table present in the database ``alias``."""
    present = existing_tables(alias)
    return {m._meta.db_table: table_sum(m, alias) for m in _models() if m._meta.db_table in present}


def user_rows(alias: str = "default") -> int:
    """How many rows the database holds beyond what ``migrate`` writes: 0 means empty."""
    present = existing_tables(alias) - FILLED_BY_MIGRATE
    total = 0
    with connections[alias].cursor() as cursor:
        for table in sorted(present):
            cursor.execute(f"SELECT COUNT(*) FROM {connections[alias].ops.quote_name(table)}")
            total += cursor.fetchone()[0]
    return total


def migration_state(alias: str = "default") -> dict[str, str]:
    """The last applied migration of each app, from the database's own record."""
    if MigrationRecorder.Migration._meta.db_table not in existing_tables(alias):
        return {}
    state: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.using(alias).order_by("id").values_list("app", "name"):
        state[app] = name
    return state
