"""The demo's database-specific bulk loader.

Why it exists: the province demo writes millions of rows (five million attendance rows alone) in
one transaction; through the services, one model instance and one INSERT at a time, that takes
hours instead of minutes. The demo therefore writes the rows the services would write, checked by
the same core rules (:func:`dangvu.core.lifecycle.check_transition`, the scoring and grading code),
as plain tuples with ``executemany``, and rebuilds plain indexes once at the end. It is used by the
demo builder only; no page, command or service of the product writes through it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from dangvu.registry.models import Member

BATCH = 2000


class DemoError(RuntimeError):
    """The generator produced an inconsistent history (a bug in the demo builder)."""


_MISSING = object()
_PLAIN_TYPES = frozenset({
    "AutoField", "BigAutoField", "SmallAutoField", "CharField", "TextField", "SlugField", "EmailField",
    "BooleanField", "IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "PositiveBigIntegerField", "ForeignKey", "OneToOneField",
})


class BulkWriter:
    """Buffers new rows per model and inserts them with ``executemany`` in batches.

    The demo writes millions of rows; building a model instance and compiling an INSERT per
    batch through the ORM costs far more than the database itself, so rows go in as plain tuples.
    Values are adapted with the connection's own adapters (dates, datetimes), defaults and
    ``auto_now`` fields are filled as the ORM would, and unknown field names are refused.
    Models in ``explicit_ids`` get their primary keys from :meth:`new_id` (the history rows need
    the member's id before anything is written); :meth:`finish` resets their sequences.
    """

    def __init__(self, batch: int = BATCH, explicit_ids: tuple[type, ...] = (Member,)) -> None:
        self.batch = batch
        self.explicit_ids = explicit_ids
        self.rows: dict[type, list[tuple]] = {}
        self.specs: dict[type, tuple[str, list[tuple[str, Any, Any]]]] = {}
        self.counts: Counter[str] = Counter()
        self._next: dict[type, int] = {}

    def _spec(self, model: type) -> tuple[str, list[tuple[str, Any, Any]]]:
        spec = self.specs.get(model)
        if spec is None:
            from django.db import connection
            from django.utils import timezone

            ops, qn, now = connection.ops, connection.ops.quote_name, timezone.now()
            columns = []
            for f in model._meta.concrete_fields:
                if f.primary_key and model not in self.explicit_ids:
                    continue
                kind = f.get_internal_type()
                if kind in _PLAIN_TYPES:
                    adapt = None  # the driver takes the Python value as is
                elif kind == "DateField":
                    adapt = ops.adapt_datefield_value
                elif kind == "DateTimeField":
                    adapt = ops.adapt_datetimefield_value
                else:  # anything else (JSON, decimal, time…) the way the ORM prepares it
                    adapt = partial(f.get_db_prep_save, connection=connection)
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    default = now
                else:
                    default = None if f.primary_key else f.get_default()
                columns.append((f.attname, adapt, adapt(default) if adapt and default is not None else default))
            column_of = {f.attname: f.column for f in model._meta.concrete_fields}
            names = ", ".join(qn(column_of[a]) for a, _, _ in columns)
            sql = (f"INSERT INTO {qn(model._meta.db_table)} ({names}) "
                   f"VALUES ({', '.join(['%s'] * len(columns))})")
            spec = self.specs[model] = (sql, columns)
        return spec

    def new_id(self, model: type) -> int:
        if model not in self._next:
            from django.db.models import Max

            self._next[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        pk = self._next[model]
        self._next[model] = pk + 1
        return pk

    def add(self, model: type, **values: Any) -> None:
        _, columns = self._spec(model)
        row = []
        for name, adapt, default in columns:
            value = values.pop(name, _MISSING)
            if value is _MISSING:
                row.append(default)
            else:
                row.append(adapt(value) if adapt is not None and value is not None else value)
        if values:
            raise TypeError(f"{model.__name__}: unknown fields {sorted(values)}")
        buf = self.rows.setdefault(model, [])
        buf.append(tuple(row))
        if len(buf) >= self.batch:
            self._write(model)

    def add_rows(self, model: type, names: tuple[str, ...], rows: Iterable[tuple]) -> None:
        """Many rows at once, each a tuple of values for ``names`` — the model's columns in the order
        :meth:`add` writes them, every one a type the driver takes as is (ids, strings, flags). The
        fast path for the millions of attendance rows: no per-row adapting."""
        sql_columns = self._spec(model)[1]
        if tuple(a for a, _, _ in sql_columns) != names or any(adapt for _, adapt, _ in sql_columns):
            raise TypeError(f"{model.__name__}: add_rows needs plain columns {[a for a, _, _ in sql_columns]}")
        buf = self.rows.setdefault(model, [])
        buf.extend(rows)
        if len(buf) >= self.batch:
            self._write(model)

    def _write(self, model: type) -> None:
        buf = self.rows.get(model)
        if buf:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.executemany(self._spec(model)[0], buf)
            self.counts[model.__name__] += len(buf)
            self.rows[model] = []

    def flush(self) -> None:
        for model in list(self.rows):
            self._write(model)

    def finish(self) -> None:
        """Write what is left and move id sequences past the explicit ids (PostgreSQL)."""
        self.flush()
        from django.core.management.color import no_style
        from django.db import connection

        statements = connection.ops.sequence_reset_sql(no_style(), list(self._next))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def _plain_indexes(cursor, table: str, vendor: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes that enforce nothing (not unique, not the key)."""
    if vendor == "sqlite":
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                       "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'", [table])
    elif vendor == "postgresql":
        cursor.execute("SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x JOIN pg_class c ON c.oid = "
                       "x.indexrelid WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary",
                       [table])
    else:
        return []
    return list(cursor.fetchall())


@contextmanager
def deferred_indexes(writer: BulkWriter, *models: type) -> Iterator[None]:
    """Drop the plain indexes of ``models`` while ``writer`` fills them, then build them again.

    A B-tree fed millions of rows in random key order (attendance by member) costs several times
    more than building the index once at the end. Unique and primary-key indexes stay, so every
    constraint is checked as rows go in. Only inside a transaction (the build is one): a failure
    rolls the dropped indexes back with everything else.
    """
    from django.db import connection

    if not connection.in_atomic_block:
        raise DemoError("deferred_indexes needs a transaction")
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        dropped = [ix for m in models for ix in _plain_indexes(cursor, m._meta.db_table, connection.vendor)]
        for name, _ in dropped:
            cursor.execute(f"DROP INDEX {qn(name)}")
    yield
    writer.flush()
    with connection.cursor() as cursor:
        if dropped and connection.vendor == "postgresql":
            # PostgreSQL builds no index on a table with deferred foreign-key checks pending: run
            # them now (every row is written), then defer again for the steps still to come.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _, sql in dropped:
            cursor.execute(sql)


def refresh_statistics(writer: BulkWriter) -> None:
    """PostgreSQL: write what is buffered and ANALYZE, inside the build's transaction.

    Autovacuum never sees the build's uncommitted rows, so without this the planner keeps the
    empty tables' estimates for the whole build and the later steps' joins (meetings by
    attendance, grades by member) run as nested loops over millions of rows: a commune built in a
    test transaction took minutes instead of seconds. ANALYZE in a transaction counts the rows the
    transaction itself inserted.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    writer.flush()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@contextmanager
def large_cache() -> Iterator[None]:
    """A large SQLite page cache while building: the province writes millions of rows in one
    transaction and would otherwise spill dirty pages to disk all along."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MiB at most, this connection only
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")
