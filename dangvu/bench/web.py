"""``dangvu bench --web``: the pages of each role, served by ``dangvu serve``, one user and many.

For each role (the administrator on the root, the office of one commune, a cell secretary, a
member) the bench signs a login in (a session in the database, as the login page would make),
counts each page's queries once in this process (Django's test client under
``CaptureQueriesContext``), then asks the real server ``requests`` times in a row for p50/p95.
Then a mix of commune-office and secretary clients (half each) asks for their pages for
``seconds`` at each client count: requests/s, p50, p95 and errors (anything but 200).

The load generator is plain threads over :mod:`http.client` keep-alive connections to the
loopback server: it runs on the same cores as the server, which a remote load generator would
not, so the figures are on the safe side.
"""

from __future__ import annotations

import http.client
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .web_pages import PAGES, Scope, page_urls
from .wrk import available as wrk_available
from .wrk import load_wrk

if TYPE_CHECKING:
    from dangvu.registry.models import Organization

GOALS = {"page_p95_ms_at_most": 300.0, "mix_clients": 50, "mix_p95_ms_at_most": 1000.0, "mix_errors_at_most": 0}
"""Targets of the web bench (issue 14), not rule parameters."""
ROLES = ("admin", "office", "secretary", "member")
MIX_ROLES = ("office", "secretary")
REQUEST_TIMEOUT = 60.0
BENCH_USERS = {"office": "bench-vanphong-xa", "secretary": "bench-bithu", "member": "bench-dangvien",
               "admin": "bench-quantri"}


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


# -- who signs in --------------------------------------------------------------------------------

def _login(role: str, kind: str, org: Organization, member: Any = None) -> Any:
    """The bench's login for ``role``, made once through the accounts services (a random password
    nobody knows; the bench signs in by session, not by password)."""
    from django.contrib.auth.models import User

    from dangvu.accounts import services as accounts

    user = User.objects.filter(username=BENCH_USERS[role]).first()
    if user is None:
        user = accounts.create_user(BENCH_USERS[role], secrets.token_urlsafe(24), full_name="Đo hiệu năng")
    accounts.grant_role(user, kind, org, member)
    return user


def scopes(root: Organization, commune: Organization) -> dict[str, Scope]:
    """The four roles: administrator of the root, office of ``commune``, secretary of the commune's
    largest cell, and a member of that cell (her own record)."""
    from dangvu.accounts.models import RoleKind
    from dangvu.registry.indicators import count_members_by_org
    from dangvu.registry.models import CELL_KINDS, Member, Organization

    cells = list(Organization.objects.filter(path__startswith=commune.path, kind__in=CELL_KINDS))
    counts = count_members_by_org(cells) if cells else {}
    cell = max(cells, key=lambda c: (counts[c.pk], -c.pk)) if cells else commune
    member = Member.objects.filter(organization=cell).order_by("pk").first()
    admin = _login("admin", RoleKind.ADMIN, root)
    office = _login("office", RoleKind.OFFICE, commune)
    out = {"admin": Scope(admin, root, other_user=office), "office": Scope(office, commune)}
    if cell.kind in CELL_KINDS:
        out["secretary"] = Scope(_login("secretary", RoleKind.SECRETARY, cell), cell)
    if member is not None:
        out["member"] = Scope(_login("member", RoleKind.MEMBER, cell, member), cell, member=member)
    return out


def session_cookie(user: Any) -> str:
    """A signed-in session of ``user`` (stored in the database, so every server worker knows it)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def count_queries(user: Any, urls: dict[str, str]) -> dict[str, dict[str, int]]:
    """Each page's status and queries, asked once in this process (after one warm-up request)."""
    import logging

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    client.get("/")  # the session's first reads are not a page's
    out = {}
    access = logging.getLogger("dangvu.access")
    level, access.level = access.level, logging.ERROR  # a refused page is an expected answer here
    try:
        for name, url in urls.items():
            with CaptureQueriesContext(connection) as ctx:
                r = client.get(url)
            out[name] = {"status": r.status_code, "queries": len(ctx.captured_queries)}
    finally:
        access.level = level
    return out


# -- the server --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(env: dict[str, str], workers: int | None = None, threads: int | None = None,
           start_timeout: float = 120.0) -> Iterator[str]:
    """``dangvu serve`` on a free loopback port, as a child process; yields its base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "dangvu", "serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(workers)] if workers else []
    cmd += ["--threads", str(threads)] if threads else []
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"Máy chủ web thử dừng ngay khi khởi động (mã thoát {proc.returncode}).")
            try:
                status, _ = _get("127.0.0.1", port, "/dang-nhap/", "", timeout=5)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("Máy chủ web thử không trả lời sau khi khởi động.")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()  # SIGTERM: gunicorn finishes the requests in progress, then stops
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _get(host: str, port: int, url: str, cookie: str, conn: http.client.HTTPConnection | None = None,
         timeout: float = REQUEST_TIMEOUT) -> tuple[int, http.client.HTTPConnection]:
    conn = conn or http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", url, headers={"Cookie": cookie} if cookie else {})
        resp = conn.getresponse()
        resp.read()
    except (OSError, http.client.HTTPException):
        conn.close()
        raise
    return resp.status, conn


def _hostport(base: str) -> tuple[str, int]:
    host, port = base.split("//", 1)[1].rsplit(":", 1)
    return host, int(port)


def _pct(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (nearest rank), in milliseconds rounded to 0.1."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.999999) - 1))] * 1000, 1)


# -- measuring ---------------------------------------------------------------------------------

def single_user(base: str, cookie: str, urls: dict[str, str], requests: int) -> dict[str, dict[str, Any]]:
    """Each page asked ``requests`` times in a row by one client (one warm-up first)."""
    host, port = _hostport(base)
    out: dict[str, dict[str, Any]] = {}
    conn = None
    for name, url in urls.items():
        times: list[float] = []
        statuses: set[int] = set()
        for i in range(requests + 1):
            started = time.perf_counter()
            try:
                status, conn = _get(host, port, url, cookie, conn)
            except (OSError, http.client.HTTPException):
                conn, status = None, 0
            if i:  # the first one warms the page up
                times.append(time.perf_counter() - started)
                statuses.add(status)
        out[name] = {"url": url, "p50_ms": _pct(times, 0.5), "p95_ms": _pct(times, 0.95),
                     "mean_ms": round(statistics.fmean(times) * 1000, 1), "status": sorted(statuses)}
    return out


def load(base: str, clients: list[tuple[str, list[str]]], seconds: float, seed: int = 0) -> dict[str, Any]:
    """``len(clients)`` threads, each ``(cookie, urls)`` asking for its pages in turn (from a random
    start) until ``seconds`` have passed; requests still running then are finished and counted."""
    host, port = _hostport(base)
    lock = threading.Lock()
    times: list[float] = []
    errors: dict[str, int] = {}
    start_gate = threading.Barrier(len(clients) + 1)
    stop_at = [0.0]

    def run(cookie: str, urls: list[str], offset: int) -> None:
        conn = None
        mine: list[float] = []
        bad: dict[str, int] = {}
        start_gate.wait()
        i = offset
        while time.perf_counter() < stop_at[0]:
            url = urls[i % len(urls)]
            i += 1
            started = time.perf_counter()
            try:
                status, conn = _get(host, port, url, cookie, conn)
            except (OSError, http.client.HTTPException) as exc:
                conn, status = None, type(exc).__name__
            mine.append(time.perf_counter() - started)
            if status != 200:
                bad[str(status)] = bad.get(str(status), 0) + 1
        with lock:
            times.extend(mine)
            for k, v in bad.items():
                errors[k] = errors.get(k, 0) + v

    rng = random.Random(seed)
    threads = [threading.Thread(target=run, args=(cookie, urls, rng.randrange(len(urls))), daemon=True)
               for cookie, urls in clients]
    for t in threads:
        t.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start_gate.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    n = len(times)
    return {"clients": len(clients), "seconds": round(elapsed, 1), "requests": n,
            "requests_per_second": round(n / elapsed, 1) if elapsed else None,
            "p50_ms": _pct(times, 0.5), "p95_ms": _pct(times, 0.95), "max_ms": _pct(times, 1.0),
            "errors": sum(errors.values()), "errors_by_status": errors}


def _prepare(roles: dict[str, Scope], names: list[str] | None) -> tuple[dict, dict, dict]:
    """Per role: the pages it may open (200) ``{name: url}``, the others grouped by why they are
    left out, and each page's query count (in this process)."""
    pages: dict[str, dict[str, str]] = {}
    left_out: dict[str, dict[str, list[str]]] = {}
    queries: dict[str, dict[str, int]] = {}
    for role, scope in roles.items():
        urls, missing = page_urls(scope, names)
        counted = count_queries(scope.user, urls)
        pages[role] = {n: u for n, u in urls.items() if counted[n]["status"] == 200}
        reasons = {**missing, **{n: f"trả lời {c['status']}" for n, c in counted.items() if c["status"] != 200}}
        left_out[role] = {why: sorted(n for n, w in reasons.items() if w == why) for why in sorted(set(reasons.values()))}
        queries[role] = {n: c["queries"] for n, c in counted.items() if c["status"] == 200}
    return pages, left_out, queries


def web_section(root: Organization, env: dict[str, str], *, requests: int = 10, seconds: float = 20.0,
                client_counts: tuple[int, ...] = (20, 50), names: list[str] | None = None,
                workers: int | None = None, threads: int | None = None, commune: Organization | None = None,
                only: tuple[str, ...] = ROLES, base: str | None = None) -> dict[str, Any]:
    """The whole web bench on the data set under ``root``; the server is started with ``env``
    (or ``base`` is an already running one, as in the tests). ``only``: which of :data:`ROLES`."""
    from django.db import connection

    from .province import pick_commune

    commune = commune or pick_commune(root)
    roles = {role: scope for role, scope in scopes(root, commune).items() if role in only}
    cookies = {role: session_cookie(s.user) for role, s in roles.items()}
    pages, left_out, queries = _prepare(roles, names)
    load_before = _loadavg()
    connection.close()  # the server's workers own the database from here (SQLite: no open reader)
    with (server(env, workers, threads) if base is None else _running(base)) as url:
        _say("Đang đo từng trang với một người dùng…")
        single = {role: single_user(url, cookies[role], pages[role], requests) for role in roles}
        mixes = []
        mix_pages = [(cookies[r], list(pages[r].values())) for r in MIX_ROLES if r in roles and pages[r]]
        # Without an office or secretary among the roles asked for there is no mix to measure.
        for count in client_counts if mix_pages else ():
            _say(f"Đang đo {count} người dùng đồng thời trong {seconds:g} giây…")
            clients = [mix_pages[i % len(mix_pages)] for i in range(count)]
            mixes.append(load_wrk(url, clients, seconds) if wrk_available() else load(url, clients, seconds, seed=count))
    per_page = {role: {n: {**single[role][n], "queries": queries[role][n]} for n in pages[role]} for role in roles}
    slow = [f"{role} {n}: {row['p95_ms']} ms" for role, rows in per_page.items() for n, row in rows.items()
            if row["p95_ms"] is None or row["p95_ms"] > GOALS["page_p95_ms_at_most"]]
    at_goal = next((m for m in mixes if m["clients"] == GOALS["mix_clients"]), None)
    met = {"page_p95": not slow,
           "mix_p95": at_goal is not None and at_goal["p95_ms"] is not None
           and at_goal["p95_ms"] <= GOALS["mix_p95_ms_at_most"],
           "mix_errors": at_goal is not None and at_goal["errors"] <= GOALS["mix_errors_at_most"]}
    all_p95 = [row["p95_ms"] for rows in per_page.values() for row in rows.values() if row["p95_ms"] is not None]
    return {
        "database": connection.vendor,
        "pages_measured": sum(len(p) for p in pages.values()),
        "worst_page_p95_ms": max(all_p95) if all_p95 else None,
        "mix": mixes,
        "goals": {**GOALS, "met": met, "slow_pages": slow},
        "details": {
            "roles": {role: {"user": s.user.username, "organization": s.org.code} for role, s in roles.items()},
            "pages": per_page,
            "left_out": left_out,
            "requests_per_page": requests,
            "mix_roles": list(MIX_ROLES),
            "load_generator": ("Debian's wrk (C, epoll), keep-alive, same machine (loopback)" if wrk_available()
                               else "Python threads, http.client keep-alive, same machine (loopback)"),
            "server": {"workers": workers or env.get("DANGVU_WORKERS") or os.cpu_count(),
                       "threads": threads or env.get("DANGVU_THREADS") or 4},
            "cpu_count": os.cpu_count(),
            "load_average_before": load_before,
        },
    }


@contextmanager
def _running(base: str) -> Iterator[str]:
    yield base


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


__all__ = ["GOALS", "PAGES", "ROLES", "count_queries", "load", "scopes", "server", "session_cookie", "single_user",
           "web_section"]
