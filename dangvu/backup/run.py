"""``make_backup`` and ``restore_backup``: what ``dangvu backup`` / ``dangvu restore`` do."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

import dangvu

from . import archive, engines
from .archive import ArchiveError
from .engines import EngineError
from .tables import TableSum, table_sums, user_rows


class BackupError(Exception):
    """Why a backup or a restore was refused or failed, in plain Vietnamese; ``code`` is the exit
    status (1: the file or the copy is unusable, 3: the target instance already holds data)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Outcome:
    path: Path
    engine: str
    tables: int
    rows: int
    files: int
    seconds: float


def _manifest(engine: str, sums: dict[str, TableSum], migrations: dict[str, str]) -> dict[str, Any]:
    return {"format": archive.FORMAT, "format_version": archive.FORMAT_VERSION,
            "dangvu_version": dangvu.__version__, "created_at": timezone.now().isoformat(), "engine": engine,
            "migrations": migrations, "tables": {t: s.as_json() for t, s in sorted(sums.items())}}


def make_backup(out: Path) -> Outcome:
    """Copy the database (one consistent instant) and then the uploads into ``out``. Uploads come
    after the database, so every file a copied row names is already there."""
    started = time.perf_counter()
    try:
        engine = engines.engine_name()
        with tempfile.TemporaryDirectory(prefix=".dangvu-backup-", dir=out.parent) as scratch:
            db_file = Path(scratch) / archive.DB_MEMBERS[engine]
            snapshot = engines.sqlite_snapshot if engine == "sqlite" else engines.pg_snapshot
            sums, migrations = snapshot(db_file)
            manifest = _manifest(engine, sums, migrations)
            files = archive.write_archive(out, archive.DB_MEMBERS[engine], db_file, Path(settings.MEDIA_ROOT),
                                          manifest)
    except EngineError as exc:
        raise BackupError(str(exc)) from exc
    except OSError as exc:
        raise BackupError(f"Không ghi được tệp sao lưu {out}: {exc.strerror or exc}") from exc
    outcome = Outcome(out, engine, len(sums), sum(s.rows for s in sums.values()), files,
                      time.perf_counter() - started)
    _audit("backup", outcome)
    return outcome


def _check_target_empty(engine: str) -> None:
    """The issue's "into an empty DANGVU_HOME": no data in the database, no uploaded file."""
    rows = 0 if engine == "sqlite" and not engines.sqlite_path().exists() else user_rows()
    media = Path(settings.MEDIA_ROOT)
    if rows or (media.is_dir() and any(media.iterdir())):
        where = "cơ sở dữ liệu" if rows else f"thư mục tệp tải lên {media}"
        raise BackupError(f"Không khôi phục: {where} đang có dữ liệu. Chỉ khôi phục vào một DANGVU_HOME trống "
                          "(và một cơ sở dữ liệu PostgreSQL trống); hãy đặt DANGVU_HOME/DATABASE_URL mới.", code=3)


def _check_migrations(manifest: dict[str, Any]) -> None:
    """Refuse a backup made by a newer Đảng vụ (migrations this code does not know)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(f"{app}.{name}" for app, name in manifest["migrations"].items() if (app, name) not in known)
    if unknown:
        raise BackupError(f"Bản sao lưu do Đảng vụ {manifest['dangvu_version']} tạo, mới hơn phiên bản này "
                          f"({dangvu.__version__}): chưa biết migration {', '.join(unknown[:3])}. "
                          "Hãy cài phiên bản mới rồi khôi phục. Không có gì được ghi.")


def differences(manifest_tables: dict[str, dict[str, Any]], sums: dict[str, TableSum]) -> list[str]:
    """Each table whose restored count or checksum is not the manifest's, in Vietnamese."""
    out = []
    for table, expected in sorted(manifest_tables.items()):
        got = sums.get(table)
        if got is None:
            out.append(f"thiếu bảng {table}")
        elif got.rows != expected["rows"]:
            out.append(f"bảng {table}: {got.rows} dòng, bản sao lưu ghi {expected['rows']}")
        elif got.sha256 != expected["sha256"]:
            out.append(f"bảng {table}: nội dung khác bản sao lưu")
    return out


def _install(unpacked: archive.Unpacked) -> dict[str, TableSum]:
    """Put the database in place and read every table back; SQLite is checked before it is moved."""
    if unpacked.engine == "sqlite":
        with engines.sqlite_alias(unpacked.database) as alias:
            sums = table_sums(alias)
        if not differences(unpacked.manifest["tables"], sums):
            engines.sqlite_install(unpacked.database)
        return sums
    engines.pg_install(unpacked.database)
    return table_sums()


def restore_backup(path: Path) -> Outcome:
    """Verify the backup at ``path`` entirely, then restore it into this empty instance and check
    every table's row count and checksum against the manifest."""
    started = time.perf_counter()
    engine = engines.engine_name()
    _check_target_empty(engine)
    home = Path(settings.DANGVU_HOME)
    home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".dangvu-restore-", dir=home) as scratch:
        try:
            unpacked = archive.read_archive(path, Path(scratch))
        except ArchiveError as exc:
            raise BackupError(str(exc)) from exc
        if unpacked.engine != engine:
            raise BackupError(f"Bản sao lưu là của {_ENGINE_NAMES[unpacked.engine]}, còn cơ sở dữ liệu đích là "
                              f"{_ENGINE_NAMES[engine]}: chưa hỗ trợ khôi phục sang loại khác. Không có gì được ghi.")
        _check_migrations(unpacked.manifest)
        try:
            sums = _install(unpacked)
        except EngineError as exc:
            raise BackupError(str(exc)) from exc
        wrong = differences(unpacked.manifest["tables"], sums)
        if wrong:
            raise BackupError("Dữ liệu khôi phục không khớp bản sao lưu: " + "; ".join(wrong[:5]))
        archive.move_media(unpacked, Path(settings.MEDIA_ROOT))
    call_command("migrate", verbosity=0, interactive=False)  # a backup of an older version: bring it up
    outcome = Outcome(path, engine, len(sums), sum(s.rows for s in sums.values()), len(unpacked.media),
                      time.perf_counter() - started)
    _audit("restore", outcome, created_at=unpacked.manifest["created_at"])
    return outcome


_ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _audit(what: str, outcome: Outcome, **extra: Any) -> None:
    from dangvu.accounts.audit import log_maintenance

    log_maintenance(what, file=str(outcome.path), engine=outcome.engine, tables=outcome.tables, rows=outcome.rows,
                    files=outcome.files, **extra)


