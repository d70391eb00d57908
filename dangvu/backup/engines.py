"""The two engines: a consistent copy of the live database, and putting a copy in place.

SQLite: ``sqlite3.Connection.backup`` in one step reads the live WAL database inside one read
transaction, so writers carry on and the copy is the database as of one instant. PostgreSQL: one
REPEATABLE READ transaction exports its snapshot; ``pg_dump --snapshot`` dumps exactly that, and the
checksums are computed inside the same transaction, so the manifest describes the dump.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connections, transaction

from .tables import TableSum, existing_tables, migration_state, table_sums


class EngineError(Exception):
    """A plain Vietnamese reason why the database could not be copied or restored."""


def engine_name(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise EngineError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu loại {vendor}.")
    return vendor


def sqlite_path(alias: str = "default") -> Path:
    return Path(connections[alias].settings_dict["NAME"])


@contextmanager
def sqlite_alias(path: Path) -> Iterator[str]:
    """A temporary Django connection to a SQLite file (a snapshot), without the WAL settings."""
    alias = "dangvu_backup_copy"
    settings = copy.deepcopy(connections.databases["default"])
    settings.update(NAME=str(path), OPTIONS={}, CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False)
    connections.databases[alias] = settings
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.databases[alias]


def sqlite_snapshot(dest: Path) -> tuple[dict[str, TableSum], dict[str, str]]:
    """Copy the live SQLite database to ``dest``; its checksums and migration state."""
    source_path = sqlite_path()
    if not source_path.is_file():
        raise EngineError(f"Chưa có cơ sở dữ liệu để sao lưu ({source_path.name} không có trong DANGVU_HOME).")
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)  # all pages in one step: one read transaction, one instant
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
    finally:
        target.close()
        source.close()
    with sqlite_alias(dest) as alias:
        return table_sums(alias), migration_state(alias)


def _pg_env(alias: str = "default") -> dict[str, str]:
    s = connections[alias].settings_dict
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"),
                     ("PGDATABASE", "NAME")):
        if s.get(key):
            env[var] = str(s[key])
    if s.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = s["OPTIONS"]["sslmode"]
    return env


def pg_tool(name: str, alias: str = "default") -> str:
    """The path of ``pg_dump``/``pg_restore``, refused when missing or older than the server."""
    tool = shutil.which(name)
    if tool is None:
        raise EngineError(f"Không tìm thấy lệnh {name}: hãy cài gói postgresql-client (Debian: "
                          f"`apt install postgresql-client`) cùng phiên bản với máy chủ PostgreSQL.")
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=False).stdout
    found = re.search(r"(\d+)(?:\.\d+)*", out)
    server = connections[alias].pg_version // 10000
    if found is None or int(found.group(1)) < server:
        raise EngineError(f"Lệnh {name} ({out.strip() or 'không rõ phiên bản'}) cũ hơn máy chủ PostgreSQL {server}: "
                          f"hãy cài postgresql-client {server} trở lên.")
    return tool


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["không rõ lý do"])[-1]
        raise EngineError(f"{what} không thành công: {detail}")


def pg_snapshot(dest: Path) -> tuple[dict[str, TableSum], dict[str, str]]:
    """``pg_dump -Fc`` of one snapshot into ``dest``; the checksums of the same snapshot."""
    conn = connections["default"]
    conn.ensure_connection()
    tool = pg_tool("pg_dump")
    with transaction.atomic():
        with conn.cursor() as cursor:
            # The first statement of the transaction: every later read sees the same instant.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        _run([tool, "-Fc", f"--snapshot={snapshot}", "-f", str(dest)], "pg_dump")
        return table_sums(), migration_state()


def sqlite_install(snapshot: Path) -> None:
    """Put a verified SQLite copy in place of the (empty) configured database file."""
    target = sqlite_path()
    connections.close_all()
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(snapshot, target)


def pg_install(dump: Path) -> None:
    """``pg_restore`` into the configured (empty) PostgreSQL database, in one transaction."""
    tool = pg_tool("pg_restore")
    leftover = sorted(existing_tables())
    if leftover:
        # Only empty tables a previous `migrate` made (the caller checked): the dump recreates them.
        quote = connections["default"].ops.quote_name
        with transaction.atomic(), connections["default"].cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(quote(t) for t in leftover)} CASCADE")
    _run([tool, "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges",
          "-d", connections["default"].settings_dict["NAME"], str(dump)], "pg_restore")
