"""``dangvu serve`` for real (issue 14, point 3): several worker processes, cached static files,
sessions and the login throttle shared between workers, a clean stop on SIGTERM and SIGINT;
persistent PostgreSQL connections and a cache shared by every process.

The server runs as a subprocess on its own DANGVU_HOME (a migrated SQLite database with two users),
exactly as an operator starts it.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import pickle
import re
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import ROOT

from dangvu.cli import cmd_demo

# Its module-wide data set is built once: every test of this file runs on one worker.
pytestmark = pytest.mark.xdist_group("serve")

PASSWORD = "Mật-khẩu-thử-2026"
USERS = ("bithu_an", "bithu_binh")
SETUP = f"""
from dangvu.cli import local_secret_key, setup_django
local_secret_key(create=True)  # as `dangvu serve` does on the embedded database
setup_django()
from django.contrib.auth import get_user_model
for name in {USERS!r}:
    get_user_model().objects.create_user(name, password={PASSWORD!r})
"""
STOP_SECONDS = 20  # a stop must end every process within this (the grace period is 10 s)


def _env(home: Path, **extra: str) -> dict[str, str]:
    # Not the test run's settings: no pytest marker (it would switch to the in-memory cache),
    # no development key, the server's own home.
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTEST_VERSION", "DANGVU_SECRET_KEY", "DANGVU_DEBUG", "DJANGO_SETTINGS_MODULE",
                        "DATABASE_URL", "PYTEST_XDIST_WORKER")}
    return env | {"DANGVU_HOME": str(home), "PYTHONPATH": str(ROOT), "DANGVU_LOGIN_FAILURES": "3"} | extra


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, method: str, path: str, body: dict | None = None,
             cookies: dict[str, str] | None = None) -> tuple[int, dict[str, str], str, dict[str, str]]:
    """One request on a new connection (so the kernel may hand it to any worker): status,
    headers, body, cookies set."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Connection": "close"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    data = None
    if body is not None:
        data = urlencode(body)
        headers |= {"Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"http://127.0.0.1:{port}{path}"}
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        jar = SimpleCookie()
        for value in resp.headers.get_all("Set-Cookie") or []:
            jar.load(value)
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, text, {k: m.value for k, m in jar.items()}
    finally:
        conn.close()


def _wait_until_up(proc: subprocess.Popen, port: int, seconds: float = 90) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"the server ended early: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if _request(port, "GET", "/dang-nhap/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("the server did not answer in time")


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: the parent id follows its end.
        if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _start(home: Path, port: int, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dangvu", "serve", "--port", str(port), *args],
                            env=_env(home), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stop(proc: subprocess.Popen, sig: int) -> tuple[int, float, list[int]]:
    workers = _children(proc.pid)
    started = time.monotonic()
    proc.send_signal(sig)
    code = proc.wait(timeout=STOP_SECONDS)
    waited = time.monotonic() - started
    left = [pid for pid in workers if Path(f"/proc/{pid}").exists()
            and "Z" not in (Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[:1])]
    return code, waited, left


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("serve-home")
    subprocess.run([sys.executable, "-c", SETUP], env=_env(path), cwd=ROOT, check=True, timeout=300,
                   capture_output=True)
    return path


@pytest.fixture(scope="module")
def server(home):
    port = _free_port()
    proc = _start(home, port, "--workers", "2", "--threads", "2")
    try:
        _wait_until_up(proc, port)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=STOP_SECONDS)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


def _login(port: int, username: str, password: str = PASSWORD) -> tuple[int, dict[str, str]]:
    status, _h, page, cookies = _request(port, "GET", "/dang-nhap/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, headers, _b, more = _request(port, "POST", "/dang-nhap/",
                                          {"csrfmiddlewaretoken": token, "username": username, "password": password},
                                          cookies=cookies)
    return status, cookies | more


def test_the_server_runs_the_asked_number_of_worker_processes(server) -> None:
    proc, port = server
    # The master forks its workers one after another: the first may answer before the second is up.
    end = time.monotonic() + 60
    workers = _children(proc.pid)
    while len(workers) < 2 and time.monotonic() < end:
        time.sleep(0.2)
        workers = _children(proc.pid)
    time.sleep(1)  # and no third one comes
    workers = _children(proc.pid)
    assert len(workers) == 2
    for pid in workers:  # each one a thread pool of 2 serving threads, besides its main loop
        assert "dangvu" in Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    status, headers, page, _c = _request(port, "GET", "/dang-nhap/")
    assert status == 200 and "Tên đăng nhập" in page


def test_each_answer_closes_its_connection(server) -> None:
    """No keep-alive: a connection kept would stay with one worker however busy it is (the workers
    share the load only as they take new connections)."""
    _proc, port = server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/dang-nhap/", headers={"Connection": "keep-alive"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 200 and resp.getheader("Connection", "").lower() == "close"
        assert resp.will_close
    finally:
        conn.close()


def test_static_files_are_cached_by_browsers(server) -> None:
    _proc, port = server
    status, headers, body, _c = _request(port, "GET", "/static/dangvu/app.css")
    assert status == 200 and body.strip()
    max_age = re.search(r"max-age=(\d+)", headers.get("cache-control", ""))
    assert max_age and int(max_age.group(1)) >= 3600
    assert "no-store" not in headers["cache-control"]
    # Pages stay out of every cache (personal data).
    assert "no-store" in _request(port, "GET", "/dang-nhap/")[1]["cache-control"]


def test_two_users_stay_logged_in_whichever_worker_answers(server) -> None:
    _proc, port = server
    sessions = {}
    for name in USERS:
        status, cookies = _login(port, name)
        assert status == 302 and "sessionid" in cookies
        sessions[name] = cookies
    # Every request on a new connection: over 2 workers, both see each session (kept in the database).
    for _ in range(8):
        for name in USERS:
            status, _h, page, _c = _request(port, "GET", "/tai-khoan/doi-mat-khau/", cookies=sessions[name])
            assert status == 200, name
    assert _request(port, "GET", "/tai-khoan/doi-mat-khau/")[0] == 302  # and nobody else is let in


def test_the_login_throttle_counts_failures_across_workers(server) -> None:
    _proc, port = server
    # DANGVU_LOGIN_FAILURES=3 in the server: the third failure locks, whichever worker saw the others.
    answers = [_login(port, USERS[1], "sai-mật-khẩu")[0] for _ in range(3)]
    assert answers[:2] == [200, 200] and answers[2] == 429
    assert _login(port, USERS[1])[0] == 429  # even the right password, until the lock ends
    assert _login(port, USERS[0])[0] == 302  # another user from the same address is not affected


def test_sigterm_stops_every_process(server) -> None:
    proc, port = server
    code, waited, left = _stop(proc, signal.SIGTERM)
    assert code == 0 and left == []
    with pytest.raises(OSError):
        _request(port, "GET", "/dang-nhap/")
    assert waited < STOP_SECONDS
    err = proc.stderr.read()
    assert "Traceback" not in err


def test_ctrl_c_stops_at_once_and_the_log_stays_quiet(home) -> None:
    port = _free_port()
    proc = _start(home, port, "--workers", "1", "--threads", "1")
    try:
        _wait_until_up(proc, port)
        for _ in range(5):
            assert _request(port, "GET", "/dang-nhap/")[0] == 200
        code, waited, left = _stop(proc, signal.SIGINT)
    finally:
        if proc.poll() is None:
            proc.kill()
    out, err = proc.communicate(timeout=STOP_SECONDS)
    assert code == 0 and left == [] and waited < STOP_SECONDS
    assert "1 tiến trình × 1 luồng" in out
    # No line per request, no start-up chatter: only warnings and errors reach the console.
    assert "GET" not in err and "Booting worker" not in err and "Traceback" not in err


def test_workers_and_threads_come_from_options_then_environment_then_cores(monkeypatch) -> None:
    from gunicorn.app.base import BaseApplication

    assert cmd_demo.DEFAULT_THREADS >= 2  # several threads a worker (and no real server started below)
    seen = {}

    def fake_run(self) -> None:
        seen.update(workers=self.cfg.workers, threads=self.cfg.threads, bind=self.cfg.bind,
                    loglevel=self.cfg.loglevel, preload=self.cfg.preload_app, app=self.wsgi())

    monkeypatch.setattr(BaseApplication, "run", fake_run)
    monkeypatch.delenv("DANGVU_WORKERS", raising=False)
    monkeypatch.delenv("DANGVU_THREADS", raising=False)
    cmd_demo.serve("127.0.0.1", 8123)
    assert seen["workers"] == len(os.sched_getaffinity(0)) and seen["threads"] == cmd_demo.DEFAULT_THREADS
    assert seen["bind"] == ["127.0.0.1:8123"] and seen["loglevel"] == "warning" and seen["preload"]
    assert callable(seen["app"])
    monkeypatch.setenv("DANGVU_WORKERS", "3")
    monkeypatch.setenv("DANGVU_THREADS", "5")
    cmd_demo.serve("::1", 8124)
    assert (seen["workers"], seen["threads"], seen["bind"]) == (3, 5, ["[::1]:8124"])
    cmd_demo.serve("127.0.0.1", 8125, workers=2, threads=1)
    assert (seen["workers"], seen["threads"]) == (2, 1)
    monkeypatch.setenv("DANGVU_WORKERS", "0")
    with pytest.raises(cmd_demo.CommandError, match="DANGVU_WORKERS"):
        cmd_demo.serve("127.0.0.1", 8126)


def test_serve_refuses_a_bad_worker_count(capsys) -> None:
    from dangvu.cli import build_parser

    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["serve", "--workers", "0"])
    assert exit_.value.code == 2
    assert "phải từ 1 đến" in capsys.readouterr().err
    args = build_parser().parse_args(["serve", "--workers", "3", "--threads", "2", "--port", "9000"])
    assert (args.workers, args.threads, args.port) == (3, 2, 9000)


# -- settings ----------------------------------------------------------------------------------------

def test_postgresql_connections_persist_and_are_checked(monkeypatch) -> None:
    from dangvu import settings

    monkeypatch.setenv("DATABASE_URL", "postgres://dangvu:khoa@db.example:5432/dangvu")
    monkeypatch.delenv("DANGVU_DB_CONN_MAX_AGE", raising=False)
    db = settings._database()
    assert db["CONN_MAX_AGE"] == 60 and db["CONN_HEALTH_CHECKS"] is True
    monkeypatch.setenv("DANGVU_DB_CONN_MAX_AGE", "300")
    assert settings._database()["CONN_MAX_AGE"] == 300
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/dangvu-thu.sqlite3")
    monkeypatch.delenv("DANGVU_DB_CONN_MAX_AGE")
    assert settings._database()["CONN_MAX_AGE"] == 0


def _settings_of(home: Path, **env: str) -> dict:
    code = ("import os, json, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'dangvu.settings'; django.setup();"
            "from django.conf import settings as s;"
            "print(json.dumps({'cache': s.CACHES['default'], 'refresh': s.WHITENOISE_AUTOREFRESH,"
            " 'max_age': s.WHITENOISE_MAX_AGE}))")
    out = subprocess.run([sys.executable, "-c", code], env=_env(home, **env), cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    import json

    return json.loads(out)


def test_a_deployment_shares_one_cache_and_caches_static_files(tmp_path) -> None:
    served = _settings_of(tmp_path, DANGVU_SECRET_KEY="k" * 50)
    assert served["cache"]["BACKEND"] == "dangvu.common.cache.SharedFileCache"
    assert served["cache"]["LOCATION"] == str(tmp_path / "cache")
    assert served["refresh"] is False and served["max_age"] == 3600
    developer = _settings_of(tmp_path, DANGVU_DEBUG="1")
    assert developer["refresh"] is True and developer["max_age"] == 0


def _spend(location: str, times: int) -> None:
    from dangvu.common.cache import SharedFileCache

    cache = SharedFileCache(location, {})
    for _ in range(times):
        cache.incr("budget", 1)


def test_the_shared_cache_counts_exactly_across_processes_and_keeps_the_expiry(tmp_path) -> None:
    from dangvu.common.cache import SharedFileCache

    cache = SharedFileCache(str(tmp_path), {})
    assert cache.add("budget", 0, timeout=24 * 3600) and not cache.add("budget", 5, timeout=60)
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_spend, args=(str(tmp_path), 150)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    assert cache.get("budget") == 600  # no count lost to a race
    assert cache.decr("budget", 100) == 500
    with open(cache._key_to_file("budget"), "rb") as f:
        left = pickle.load(f) - time.time()
    assert 23 * 3600 < left <= 24 * 3600  # a day's budget does not start over after 5 minutes
    with pytest.raises(ValueError):
        cache.incr("unknown")
    cache.clear()
    assert cache.get("budget") is None and cache.add("budget", 1)


def test_a_scan_job_read_by_one_worker_is_followed_from_another(settings, tmp_path) -> None:
    """A scan is read in the worker that took the upload; the progress page may be polled through
    any other. The job lives in files with the reading worker's process id: alive means still
    going, gone means interrupted (a worker ended), whichever process looks."""
    from dangvu.plans import scan_jobs

    settings.DANGVU_SCAN_JOBS_DIR = tmp_path
    reader = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # the other worker
    try:
        job = tmp_path / ("a" * 32)
        job.mkdir()
        scan_jobs._write(job / "job.json", {"user": 7, "org": "X", "name": "Kế hoạch", "pages": 2})
        scan_jobs._set_state(job, status=scan_jobs.RUNNING, done=1, total=2, pid=reader.pid)
        seen = scan_jobs.get(job.name, 7)
        assert reader.pid != os.getpid() and seen.status == scan_jobs.RUNNING and seen.state["done"] == 1
        assert scan_jobs.get(job.name, 8) is None  # someone else's job, from any worker
    finally:
        reader.kill()
        reader.wait(timeout=STOP_SECONDS)
    gone = scan_jobs.get(job.name, 7)
    assert gone.status == scan_jobs.FAILED and gone.state["error"] == scan_jobs.INTERRUPTED
