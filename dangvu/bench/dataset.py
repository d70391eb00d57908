"""The data set behind ``dangvu bench --scale province``: the province demo, built once and reused.

Building the province demo takes minutes, so the bench keeps it in a SQLite file of its own
(``$DANGVU_HOME/bench/province-<seed>.sqlite3``, never the user's database) with a sidecar JSON
marker saying what was built: scale, seed, size, the demo's step names and a digest of the demo's
source files. A later run reuses the file when the marker still matches and rebuilds it when the
demo changed (a step added, a step's code edited), when the file was built in an earlier year
(the bench reads the current year) or when the marker is missing.

With ``DATABASE_URL`` set (PostgreSQL) the bench never empties a database: it builds into it only
when it holds no organization, reuses it when it holds the province demo, and refuses otherwise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dangvu.core import clock

if TYPE_CHECKING:  # Django is set up after this module is imported
    from dangvu.registry.models import Organization

MARKER_VERSION = 1
SCALE = "province"


class BenchDataError(RuntimeError):
    """The configured database cannot be used for the bench (message in Vietnamese)."""


def home() -> Path:
    """``DANGVU_HOME`` as :mod:`dangvu.settings` reads it; needed before Django is configured."""
    return Path(os.environ.get("DANGVU_HOME", Path.home() / ".local" / "share" / "dangvu")).expanduser()


def sqlite_path(seed: int, members: int | None = None, base: Path | None = None) -> Path:
    """The bench's own SQLite file for this seed (and size, when not the default)."""
    size = f"-{members}" if members else ""
    return (base or home()) / "bench" / f"{SCALE}-{seed}{size}.sqlite3"


def marker_path_for(db: Path) -> Path:
    return db.with_suffix(".json")


def _demo_sources() -> list[Path]:
    """The demo package (its steps included) and every module a demo step lives in."""
    from dangvu.demo import services

    files = set(Path(services.__file__).parent.rglob("*.py"))
    for _name, step in services.STEPS:
        source = inspect.getsourcefile(step)
        if source:
            files.add(Path(source))
    return sorted(files)


def fingerprint() -> dict[str, Any]:
    """What identifies the demo's code: its step names, in order, and a digest of its sources."""
    from dangvu.demo import services

    digest = hashlib.sha256()
    for path in _demo_sources():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return {"steps": [name for name, _ in services.STEPS], "sources": digest.hexdigest()}


def expected_marker(seed: int, members: int | None = None) -> dict[str, Any]:
    return {"version": MARKER_VERSION, "scale": SCALE, "seed": seed, "members_target": members, **fingerprint()}


def is_current(marker: dict[str, Any] | None, expected: dict[str, Any], today: dt.date) -> bool:
    """The marker describes the data set ``expected`` asks for, built this calendar year."""
    if not marker or any(marker.get(k) != v for k, v in expected.items()):
        return False
    return str(marker.get("built_on", ""))[:4] == str(today.year)


def read_marker(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_marker(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)  # atomic: a crash never leaves a half-written marker


def demo_root(scale: str = SCALE) -> Organization | None:
    """The root organization of the demo of ``scale`` held by the database, found by the audit
    entry the demo build writes last (``None`` when there is none)."""
    from auditlog.models import LogEntry

    from dangvu.registry.models import Organization

    entry = (LogEntry.objects.filter(additional_data__import="demo", additional_data__scale=scale)
             .order_by("-id").first())
    if entry is None:
        return None
    return Organization.objects.filter(pk=entry.object_pk, depth=1).first()


@dataclass
class Dataset:
    root: Organization
    reused: bool
    marker: dict[str, Any]
    marker_path: str
    database: str
    stale: bool = False  # a reused configured database whose demo no longer matches the code

    def describe(self) -> dict[str, Any]:
        keep = ("seed", "members_target", "steps", "built_on", "build_seconds", "counts", "members")
        return {"database": self.database, "marker": self.marker_path, "reused": self.reused,
                "stale": self.stale, "root": self.root.code, **{k: self.marker.get(k) for k in keep}}


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _build(expected: dict[str, Any], marker_path: Path, progress: bool,
           build: Callable[..., Any] | None) -> dict[str, Any]:
    from dangvu.demo.services import build_demo

    size = f"{expected['members_target']:,}" if expected["members_target"] else "khoảng 150.000"
    _say(f"Đang dựng dữ liệu thử cấp tỉnh ({size} đảng viên, ba năm hoạt động; có thể mất vài phút)…")
    started = time.perf_counter()
    result = (build or build_demo)(SCALE, expected["seed"], progress=progress, members_target=expected["members_target"])
    seconds = round(time.perf_counter() - started, 1)
    marker = {**expected, "built_on": clock.today().isoformat(), "build_seconds": seconds,
              "root": result.root.code, "counts": result.counts, "members": result.members}
    write_marker(marker_path, marker)
    _say(f"Đã dựng xong dữ liệu thử trong {seconds} giây.")
    return marker


def ensure_sqlite(db: Path, seed: int, members: int | None = None, *, progress: bool = False, force: bool = False,
                  build: Callable[..., Any] | None = None, migrate: Callable[[], None] | None = None,
                  empty: Callable[[], None] | None = None) -> Dataset:
    """Reuse the bench's SQLite file when its marker is current, else empty it and build.

    Django must already be configured on ``db`` (the schema need not be up to date). ``migrate``
    brings a reused file's schema up to date and ``empty`` deletes the file and recreates the
    schema; tests pass their own.
    """
    expected = expected_marker(seed, members)
    mpath = marker_path_for(db)
    marker = read_marker(mpath)
    if not force and marker is not None and is_current(marker, expected, clock.today()):
        (migrate or _migrate)()
        root = demo_root()
        if root is not None and root.code == marker.get("root"):
            _say(f"Dùng lại dữ liệu thử cấp tỉnh đã dựng ngày {marker['built_on']} ({db}).")
            return Dataset(root, True, marker, str(mpath), str(db))
    mpath.unlink(missing_ok=True)  # no marker while the file does not hold a finished build
    (empty or (lambda: _empty_sqlite(db)))()
    marker = _build(expected, mpath, progress, build)
    return Dataset(demo_root(), False, marker, str(mpath), str(db))


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _empty_sqlite(db: Path) -> None:
    from django.db import connections

    connections.close_all()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    _migrate()


def configured_marker_path() -> Path:
    """Sidecar marker of a configured database (kept beside the bench's SQLite files)."""
    from django.db import connection

    s = connection.settings_dict
    ident = f"{connection.vendor}:{s.get('HOST')}:{s.get('PORT')}:{s.get('NAME')}"
    return home() / "bench" / f"{connection.vendor}-{hashlib.sha256(ident.encode()).hexdigest()[:12]}.json"


def ensure_configured(seed: int, members: int | None = None, *, progress: bool = False,
                      build: Callable[..., Any] | None = None, marker_path: Path | None = None) -> Dataset:
    """The configured database (``DATABASE_URL``): build into it only when it is empty, reuse it when
    it holds the province demo, refuse otherwise. It is never emptied here."""
    from django.db import connection

    from dangvu.registry.models import Organization

    expected = expected_marker(seed, members)
    mpath = marker_path or configured_marker_path()
    where = f"{connection.vendor} «{connection.settings_dict.get('NAME')}»"
    if not Organization.objects.exists():
        marker = _build(expected, mpath, progress, build)
        return Dataset(demo_root(), False, marker, str(mpath), where)
    root = demo_root()
    if root is None:
        raise BenchDataError(
            f"Cơ sở dữ liệu {where} đã có dữ liệu nhưng không phải dữ liệu mẫu cấp tỉnh: không đo trên đó. "
            "Hãy dùng một cơ sở dữ liệu rỗng (hoặc bỏ DATABASE_URL để đo trên tệp SQLite riêng).")
    marker = read_marker(mpath) or {}
    stale = not is_current(marker, expected, clock.today()) or marker.get("root") != root.code
    if stale:
        _say(f"Lưu ý: dữ liệu mẫu cấp tỉnh trong {where} có thể đã cũ so với mã nguồn (không tự dựng lại "
             "vì cơ sở dữ liệu không rỗng).")
    return Dataset(root, True, marker or {"root": root.code}, str(mpath), where, stale=stale)
