"""Background reading of scanned plans: Tesseract takes seconds a page, so an upload that needs OCR
starts a job here and the browser follows its progress page until the draft review opens.

Job state lives in files, one folder per job under ``settings.DANGVU_SCAN_JOBS_DIR`` (below
DANGVU_HOME), not in the database: the plans app's schema stays as it is, a job is throw-away
state, and the worker thread never touches the ORM (the draft is made by the user's own request
when it polls, through the services, with the user's rights re-checked). Each file is replaced
atomically (write, then rename), so a poll never reads half a state.

A job folder holds ``job.json`` (who, where, what; fixed), ``state.json`` (status, pages done,
message, draft), ``source.*`` (the upload, deleted once read) and ``result.json`` (text and parse,
deleted once the draft is made). Folders older than a day are removed when a job starts.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from dangvu.core.planparse import PlanReadError, parse_text
from dangvu.core.planparse.extract import check_items, read_text

log = logging.getLogger(__name__)

QUEUED, RUNNING, PARSED, DRAFTED, FAILED = "queued", "running", "parsed", "drafted", "failed"
ACTIVE = (QUEUED, RUNNING)
KEEP_SECONDS = 24 * 3600
STALE_SECONDS = 30 * 60        # no page done for this long (a page times out at 3 min): it is gone
MAX_ACTIVE_PER_USER = 3
MAX_ACTIVE = 20
_ID = re.compile(r"[0-9a-f]{32}")
INTERRUPTED = "Việc đọc bản quét bị gián đoạn (máy chủ khởi động lại); hãy tải tệp lên lại."

_slots_lock = threading.Lock()
_slots: dict[str, threading.BoundedSemaphore] = {}  # made once, on the first scan (settings are read then)


class ScanBusy(Exception):
    """Too many scans are waiting; the message is for the user."""


@dataclass
class Job:
    id: str
    dir: Path
    meta: dict[str, Any]
    state: dict[str, Any]

    @property
    def status(self) -> str:
        return self.state.get("status", FAILED)


def _root() -> Path:
    return Path(settings.DANGVU_SCAN_JOBS_DIR)


def _write(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _set_state(job_dir: Path, **changes: Any) -> dict[str, Any]:
    state = _read(job_dir / "state.json") or {}
    state.update(changes, updated=time.time())
    _write(job_dir / "state.json", state)
    return state


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def get(job_id: str, user_id: int) -> Job | None:
    """The user's job, or None (unknown id, someone else's job, or expired)."""
    if not _ID.fullmatch(job_id or ""):
        return None
    job_dir = _root() / job_id
    meta, state = _read(job_dir / "job.json"), _read(job_dir / "state.json")
    if meta is None or state is None or meta.get("user") != user_id:
        return None
    # A job dies with the server process that ran it. A queued one may wait long behind others; a
    # running one reports every page, so a long silence means it is gone too.
    status = state.get("status")
    if status in ACTIVE and (not _alive(state.get("pid")) or (
            status == RUNNING and time.time() - state.get("updated", 0) > STALE_SECONDS)):
        state = _set_state(job_dir, status=FAILED, error=INTERRUPTED)
    return Job(job_id, job_dir, meta, state)


def _jobs() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    out = []
    root = _root()
    if root.is_dir():
        for d in root.iterdir():
            meta, state = _read(d / "job.json"), _read(d / "state.json")
            if meta and state:
                out.append((meta, state))
    return out


def _sweep() -> None:
    """Remove the folders of jobs finished or abandoned more than a day ago."""
    root = _root()
    if not root.is_dir():
        return
    now = time.time()
    for d in root.iterdir():
        try:
            if now - d.stat().st_mtime > KEEP_SECONDS and now - (d / "state.json").stat().st_mtime > KEEP_SECONDS:
                shutil.rmtree(d, ignore_errors=True)
        except OSError:
            shutil.rmtree(d, ignore_errors=True)


def start(user_id: int, org_code: str, name: str, raw: bytes, suffix: str, *, pages: int,
          start_year: int | None = None, end_year: int | None = None) -> str:
    """Queue the reading of an uploaded scan; its id. ScanBusy when too many are waiting."""
    _sweep()
    active = [(m, s) for m, s in _jobs() if s.get("status") in ACTIVE and _alive(s.get("pid"))]
    if sum(1 for m, _s in active if m.get("user") == user_id) >= MAX_ACTIVE_PER_USER:
        raise ScanBusy(f"Bạn đang có {MAX_ACTIVE_PER_USER} bản quét chờ đọc; hãy đợi chúng xong rồi tải tiếp.")
    if len(active) >= MAX_ACTIVE:
        raise ScanBusy("Máy chủ đang đọc nhiều bản quét; hãy thử lại sau ít phút.")
    job_id = uuid.uuid4().hex
    job_dir = _root() / job_id
    job_dir.mkdir(parents=True, mode=0o700)
    source = job_dir / f"source{suffix}"
    source.write_bytes(raw)
    _write(job_dir / "job.json", {"user": user_id, "org": org_code, "name": name, "pages": pages,
                                  "start_year": start_year, "end_year": end_year, "created": time.time()})
    _set_state(job_dir, status=QUEUED, done=0, total=pages, pid=os.getpid())
    threading.Thread(target=_run, args=(job_dir, source), name=f"scan-{job_id[:8]}", daemon=True).start()
    return job_id


def _worker_slots() -> threading.BoundedSemaphore:
    with _slots_lock:
        if "workers" not in _slots:
            _slots["workers"] = threading.BoundedSemaphore(max(1, int(settings.DANGVU_SCAN_WORKERS)))
        return _slots["workers"]


def _run(job_dir: Path, source: Path) -> None:
    """The worker: OCR page by page (progress in state.json), then parse; never raises."""
    try:
        with _worker_slots():
            _set_state(job_dir, status=RUNNING)

            def progress(done: int, total: int) -> None:
                _set_state(job_dir, done=done, total=total)

            text = read_text(source, progress=progress, max_pages=settings.DANGVU_SCAN_MAX_PAGES,
                             max_pixels=settings.DANGVU_SCAN_MAX_PIXELS)
            parsed = check_items(parse_text(text, scanned=True))  # the text's length checked by both
        if not parsed.get("targets") and not parsed.get("tasks"):
            raise PlanReadError("Đã nhận dạng chữ nhưng không tìm thấy chỉ tiêu hay nhiệm vụ nào; hãy kiểm "
                                "tra lại tệp (bản quét rõ, đúng văn bản kế hoạch).")
        _write(job_dir / "result.json", {"text": text, "parsed": parsed})
        _set_state(job_dir, status=PARSED)
    except PlanReadError as exc:
        _set_state(job_dir, status=FAILED, error=str(exc))
    except Exception:  # a parser slip on odd OCR output must end the job, not hang the page
        log.exception("scan job %s failed", job_dir.name)
        _set_state(job_dir, status=FAILED, error="Không đọc được bản quét này; hãy kiểm tra lại tệp.")
    finally:
        with contextlib.suppress(OSError):
            source.unlink()


def claim_result(job: Job) -> dict[str, Any] | None:
    """The parse of a finished job, for exactly one caller: two polls arriving together must not
    make two drafts. None when another request has it (or had it)."""
    try:
        fd = os.open(job.dir / "claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return None
    os.close(fd)
    result = _read(job.dir / "result.json")
    if result is None:
        failed(job, "Không đọc được kết quả nhận dạng; hãy tải tệp lên lại.")
    return result


def drafted(job: Job, plan_id: int) -> None:
    _set_state(job.dir, status=DRAFTED, plan=plan_id)
    with contextlib.suppress(OSError):
        (job.dir / "result.json").unlink()  # the text now lives in the draft


def failed(job: Job, message: str) -> None:
    _set_state(job.dir, status=FAILED, error=message)
    with contextlib.suppress(OSError):
        (job.dir / "result.json").unlink()

