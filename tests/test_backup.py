"""``dangvu backup`` / ``dangvu restore`` (issue 18, point 5).

Every instance here is a subprocess on its own DANGVU_HOME (and, when DATABASE_URL names a
PostgreSQL server, its own fresh database on that server), as an operator would run the commands:
a small demo is built once, backed up while another process keeps writing, and restored into an
empty instance; every table's row count and checksum must equal the manifest's, and the head counts
each meeting keeps must still agree with its attendance rows (the copy is one instant).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from conftest import ROOT

from dangvu.backup.tables import canonical

# Its module-wide data set is built once: every test of this file runs on one worker.
pytestmark = pytest.mark.xdist_group("backup")

PG_URL = os.environ.get("DATABASE_URL", "")
ON_PG = PG_URL.startswith(("postgres://", "postgresql://"))
MEDIA = {"bien-ban/CB01/2025/biên bản tháng 3.pdf": b"%PDF-1.4 minutes\n" * 50, "bien-ban/CB02/2024/a.png": b"\x89PNG" * 9}
NOTHING_WRITTEN = "Không có gì được ghi"

# Run inside an instance: build a small demo and put a few uploaded files in MEDIA_ROOT.
BUILD = """
from dangvu.cli import setup_django; setup_django()
from pathlib import Path
import json, sys
from django.conf import settings
from dangvu.demo.services import build_demo
build_demo("commune", 7, members_target=150)
for name, hexdata in json.loads(sys.argv[1]).items():
    p = Path(settings.MEDIA_ROOT) / name; p.parent.mkdir(parents=True, exist_ok=True); p.write_bytes(bytes.fromhex(hexdata))
"""

# Keeps changing attendance through the meetings service (rows and the meeting's head counts in one
# transaction) until the stop file appears; one line in the log per committed write.
WRITER = """
from dangvu.cli import setup_django; setup_django(migrate=False)
import itertools, sys
from pathlib import Path
from django.contrib.auth import get_user_model
from dangvu.meetings.models import Attendance, Meeting
from dangvu.meetings.services import set_attendance
stop, log = Path(sys.argv[1]), open(sys.argv[2], "a", buffering=1)
admin = get_user_model().objects.get(username="admin")
rows = list(Attendance.objects.filter(status__in=["present", "absent"]).values_list("meeting_id", "member_id")[:400])
for i, (meeting_id, member_id) in enumerate(itertools.cycle(rows)):
    if stop.exists():
        break
    meeting = Meeting.objects.get(pk=meeting_id)
    status = Attendance.objects.get(meeting=meeting, member_id=member_id).status
    set_attendance(admin, meeting, {member_id: "absent" if status == "present" else "present"})
    log.write(f"{i}\\n")
"""

# Prints what an instance holds: every table's (rows, sha256), meetings whose head counts disagree
# with their attendance rows, the last audit entry about a backup/restore, and the uploaded files.
# ``--without-restore-entry`` leaves out the audit entry the restore itself wrote (rolled back).
INSPECT = """
from dangvu.cli import setup_django; setup_django(migrate=False)
import hashlib, json, sys
from pathlib import Path
from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from dangvu.backup.tables import table_sums
from dangvu.meetings.models import Meeting
entries = list(LogEntry.objects.filter(additional_data__has_key="maintenance").order_by("id")
               .values_list("id", "additional_data"))
with transaction.atomic():
    if "--without-restore-entry" in sys.argv:
        assert entries[-1][1]["maintenance"] == "restore", entries
        connection.cursor().execute("DELETE FROM auditlog_logentry WHERE id = %s", [entries[-1][0]])
    sums = {t: [s.rows, s.sha256] for t, s in table_sums().items()}
    transaction.set_rollback(True)
counts = Meeting.objects.annotate(p=Count("attendances", filter=Q(attendances__status="present")),
                                  e=Count("attendances", filter=~Q(attendances__status="exempt")))
bad = sum((pc, ec) != (p, e) for pc, ec, p, e in counts.values_list("present_count", "expected_count", "p", "e"))
media = Path(settings.MEDIA_ROOT)
files = {p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
         for p in sorted(media.rglob("*")) if p.is_file()} if media.is_dir() else {}
print(json.dumps({"tables": sums, "bad_meetings": bad, "audit": [e[1] for e in entries], "media": files}))
"""


def _server_url(name: str) -> str:
    parts = urlsplit(PG_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)


class Instances:
    """Fresh instances: a DANGVU_HOME each, and a database of their own on PostgreSQL."""

    def __init__(self, base: Path) -> None:
        self.base, self.databases = base, []

    def new(self, name: str) -> dict[str, str]:
        home = self.base / f"{name}-{uuid.uuid4().hex[:6]}"
        home.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DANGVU_", "PYTEST", "DATABASE_URL"))}
        env |= {"DANGVU_HOME": str(home), "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "dangvu.settings",
                "DANGVU_SECRET_KEY": "backup-test-" + "k" * 40}
        if ON_PG:
            db = f"dangvu_bk_{name}_{uuid.uuid4().hex[:8]}"
            _pg_admin(f'CREATE DATABASE "{db}"')
            self.databases.append(db)
            env["DATABASE_URL"] = _server_url(db)
        return env

    def drop(self) -> None:
        for db in self.databases:
            _pg_admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.fixture(scope="module")
def instances(tmp_path_factory):
    made = Instances(tmp_path_factory.mktemp("backup"))
    yield made
    made.drop()


def _python(env: dict[str, str], code: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                          timeout=600)
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def _dangvu(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dangvu", *args], env=env, capture_output=True, text=True,
                          timeout=600)


def _inspect(env: dict[str, str], *flags: str) -> dict:
    return json.loads(_python(env, INSPECT, *flags).stdout)


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.loads(tar.extractfile("manifest.json").read())


@pytest.fixture(scope="module")
def source(instances):
    env = instances.new("src")
    _dangvu(env, "stats")  # migrate first, so the build's own timing is not the migrations'
    _python(env, BUILD, json.dumps({k: v.hex() for k, v in MEDIA.items()}))
    return env


@pytest.fixture(scope="module")
def backup_while_writing(source, tmp_path_factory):
    """The backup made while a second process keeps committing writes; the writes it overlapped."""
    work = tmp_path_factory.mktemp("work")
    stop, log = work / "stop", work / "writes.log"
    log.touch()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(stop), str(log)], env=source,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not log.read_text() and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        before = len(log.read_text().splitlines())
        archive = work / "dangvu.tar.gz"
        done = _dangvu(source, "backup", "--out", str(archive))
        after = len(log.read_text().splitlines())
    finally:
        stop.touch()
        _, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err[-3000:]
    assert done.returncode == 0, done.stderr
    return archive, done.stdout, after - before


@pytest.fixture(scope="module")
def restored(instances, backup_while_writing):
    env = instances.new("dst")
    archive = backup_while_writing[0]
    done = _dangvu(env, "restore", str(archive))
    assert done.returncode == 0, done.stderr
    return env, done


def test_backup_overlaps_writes_and_lists_every_table(source, backup_while_writing) -> None:
    archive, stdout, overlapped = backup_while_writing
    assert overlapped > 0, "the writer committed nothing while the backup ran"
    manifest = _manifest(archive)
    assert manifest["engine"] == ("postgresql" if ON_PG else "sqlite")
    assert manifest["migrations"]["registry"].startswith("00")
    # Every table of the live database is in the manifest (its rows have moved on since).
    live = _inspect(source)
    assert set(manifest["tables"]) == set(live["tables"])
    assert manifest["tables"]["registry_member"]["rows"] == live["tables"]["registry_member"][0] > 100
    assert {f"media/{name}" for name in MEDIA} <= set(manifest["files"])
    assert f"{len(manifest['tables'])} bảng" in stdout
    assert live["audit"][-1]["maintenance"] == "backup"
    assert live["audit"][-1]["rows"] == sum(t["rows"] for t in manifest["tables"].values())


def test_restore_reproduces_every_table(backup_while_writing, restored) -> None:
    archive = backup_while_writing[0]
    env, done = restored
    manifest = _manifest(archive)
    got = _inspect(env, "--without-restore-entry")
    expected = {t: [v["rows"], v["sha256"]] for t, v in manifest["tables"].items()}
    assert got["tables"] == expected
    assert got["bad_meetings"] == 0  # the copy is one instant: no meeting's counts half-written
    assert got["media"] == {name: hashlib.sha256(data).hexdigest() for name, data in MEDIA.items()}
    assert got["audit"][-1]["maintenance"] == "restore"
    assert f"{len(expected)} bảng" in done.stdout and "khớp" in done.stdout


def test_restore_refuses_an_instance_with_data(source, backup_while_writing) -> None:
    done = _dangvu(source, "restore", str(backup_while_writing[0]))
    assert done.returncode == 3
    assert "đang có dữ liệu" in done.stderr and "Traceback" not in done.stderr


def _damaged(archive: Path, out: Path, how: str) -> Path:
    data = archive.read_bytes()
    if how == "flipped":
        middle = bytearray(data)
        for i in range(len(data) // 2, len(data) // 2 + 16):
            middle[i] ^= 0xFF
        out.write_bytes(bytes(middle))
    elif how == "truncated":
        out.write_bytes(data[: len(data) * 2 // 3])
    elif how == "random":
        out.write_bytes(os.urandom(200_000))
    elif how == "trailer":  # the gzip CRC itself: only reading to the very end notices it
        out.write_bytes(data[:-8] + bytes(b ^ 0x55 for b in data[-8:-4]) + data[-4:])
    else:  # no manifest: the same members, repacked without it
        with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
            for info in src:
                if info.name != "manifest.json":
                    dst.addfile(info, src.extractfile(info))
    return out


def _assert_nothing_written(env: dict[str, str]) -> None:
    home = Path(env["DANGVU_HOME"])
    assert not (home / "media").exists()
    assert not list(home.glob("dangvu.sqlite3*"))
    assert not [p for p in home.iterdir() if p.name.startswith(".dangvu-restore-")]
    if ON_PG:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        assert tables == 0


@pytest.mark.parametrize("how, says", [
    ("flipped", "bị hỏng"), ("truncated", "bị hỏng"), ("trailer", "bị hỏng"),
    ("random", "không phải tệp sao lưu của Đảng vụ"), ("no-manifest", "không có bảng kê manifest.json"),
])
def test_restore_refuses_a_damaged_file(instances, backup_while_writing, tmp_path, how, says) -> None:
    bad = _damaged(backup_while_writing[0], tmp_path / f"{how}.tar.gz", how)
    env = instances.new("bad")
    done = _dangvu(env, "restore", str(bad))
    assert done.returncode == 1, done.stdout
    assert says in done.stderr and NOTHING_WRITTEN in done.stderr
    assert "Traceback" not in done.stderr
    _assert_nothing_written(env)


def _repack(archive: Path, out: Path, change) -> Path:
    """The archive with its manifest passed through ``change`` (member hashes left as they were)."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for info in src:
            data = src.extractfile(info).read()
            if info.name == "manifest.json":
                data = json.dumps(change(json.loads(data))).encode()
                info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


def test_restore_refuses_a_member_the_manifest_does_not_match(instances, backup_while_writing, tmp_path) -> None:
    def other_hash(m: dict) -> dict:
        name = next(n for n in m["files"] if n.startswith("media/"))
        m["files"][name] = hashlib.sha256(b"something else").hexdigest()
        return m

    env = instances.new("hash")
    done = _dangvu(env, "restore", str(_repack(backup_while_writing[0], tmp_path / "h.tar.gz", other_hash)))
    assert done.returncode == 1 and "SHA-256 không khớp" in done.stderr and NOTHING_WRITTEN in done.stderr
    _assert_nothing_written(env)


@pytest.mark.skipif(ON_PG, reason="SQLite checks the copy before it is put in place; pg_restore writes first")
def test_restore_refuses_rows_the_manifest_does_not_count(instances, backup_while_writing, tmp_path) -> None:
    def one_more(m: dict) -> dict:
        m["tables"]["registry_member"]["rows"] += 1
        return m

    env = instances.new("rows")
    done = _dangvu(env, "restore", str(_repack(backup_while_writing[0], tmp_path / "r.tar.gz", one_more)))
    assert done.returncode == 1 and "registry_member" in done.stderr and "không khớp" in done.stderr
    _assert_nothing_written(env)


def test_restore_refuses_another_engine_and_a_newer_version(instances, backup_while_writing, tmp_path) -> None:
    """A PostgreSQL backup into SQLite (or the reverse), and a backup with an unknown migration."""
    other, member = ("sqlite", "database.sqlite3") if ON_PG else ("postgresql", "database.pgdump")
    manifest = _manifest(backup_while_writing[0])
    payload = b"not really a database"
    manifest.update(engine=other, files={member: hashlib.sha256(payload).hexdigest()})
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as tar:
        for name, data in ((member, payload), ("manifest.json", json.dumps(manifest).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    env = instances.new("engine")
    done = _dangvu(env, "restore", str(foreign))
    assert done.returncode == 1 and "sang loại khác" in done.stderr
    _assert_nothing_written(env)

    def newer(m: dict) -> dict:
        m["migrations"]["registry"] = "9999_from_the_future"
        return m

    done = _dangvu(env, "restore", str(_repack(backup_while_writing[0], tmp_path / "n.tar.gz", newer)))
    assert done.returncode == 1 and "9999_from_the_future" in done.stderr and NOTHING_WRITTEN in done.stderr
    _assert_nothing_written(env)


def test_backup_refuses_a_folder_that_does_not_exist(source, tmp_path) -> None:
    done = _dangvu(source, "backup", "--out", str(tmp_path / "missing" / "b.tar.gz"))
    assert done.returncode == 2 and "Không có thư mục" in done.stderr


def test_canonical_values_do_not_depend_on_the_engine() -> None:
    """What two drivers return differently for one stored value has one checksum text."""
    hcm = dt.timezone(dt.timedelta(hours=7))
    assert canonical(dt.datetime(2026, 1, 2, 10, 0, tzinfo=hcm)) == canonical(
        dt.datetime(2026, 1, 2, 3, 0, tzinfo=dt.UTC)) == "2026-01-02T03:00:00+00:00"
    assert canonical(decimal.Decimal("1.50")) == canonical(decimal.Decimal("1.5")) == "d:1.5"
    assert canonical(decimal.Decimal("100")) == canonical(decimal.Decimal("1E+2")) == "d:100"
    assert canonical(memoryview(b"\x00\xff")) == canonical(b"\x00\xff") == "b:00ff"
    assert canonical({"b": 1, "a": [1, 2]}) == {"a": [1, 2], "b": 1}
    assert canonical(True) is True and canonical(1) == 1 and canonical(1.0) == "f:1.0"
    assert canonical(dt.date(2025, 3, 1)) == "2025-03-01"



def test_restore_into_an_instance_that_was_only_migrated(instances, backup_while_writing) -> None:
    """Empty tables that `migrate` made (and its content types) do not count as data."""
    env = instances.new("migrated")
    assert _dangvu(env, "stats").returncode == 0
    done = _dangvu(env, "restore", str(backup_while_writing[0]))
    assert done.returncode == 0, done.stderr
    manifest = _manifest(backup_while_writing[0])
    got = _inspect(env, "--without-restore-entry")
    assert got["tables"] == {t: [v["rows"], v["sha256"]] for t, v in manifest["tables"].items()}


@pytest.mark.skipif(not ON_PG, reason="pg_dump is needed only on PostgreSQL")
@pytest.mark.parametrize("version, says", [(None, "Không tìm thấy lệnh pg_dump"), ("12.3", "cũ hơn máy chủ")])
def test_backup_refuses_a_missing_or_older_pg_dump(source, tmp_path, version, says) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if version:
        fake = bin_dir / "pg_dump"
        fake.write_text(f"#!/bin/sh\necho 'pg_dump (PostgreSQL) {version}'\n")
        fake.chmod(0o755)
    out = tmp_path / "b.tar.gz"
    done = _dangvu(source | {"PATH": str(bin_dir)}, "backup", "--out", str(out))
    assert done.returncode == 1 and says in done.stderr and "Traceback" not in done.stderr
    assert not out.exists() and not list(tmp_path.glob(".*"))
