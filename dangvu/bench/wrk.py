"""The concurrent-clients load from Debian's ``wrk`` (issue 14: "a load generator from PyPI or
Debian"). wrk is C with one epoll loop per thread, so on a 2-core machine it takes far less of the
CPU the server needs than Python threads do; :func:`dangvu.bench.web.load` (threads and
``http.client``) stays as the fallback where wrk is not installed.

The clients' pages are interleaved (an office page, a secretary page, …), each line carrying its
role's session cookie; each of wrk's connections is one client asking without pause, the next page
of the list each time. A Lua script reads the list and prints wrk's own latency percentiles as
JSON. Errors, as the threads' load counts them: failed connections, reads, writes and timeouts,
and every answer other than 200 (a redirect to the login page is a lost session, not a page).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

SCRIPT = r"""
local entries, i = {}, 0
local threads = {}
bad = 0  -- a global: done() reads each thread's count with thread:get
function setup(thread)
  threads[#threads + 1] = thread
  thread:set("offset", #threads * 7919)
end
function init(args)
  for line in io.lines(args[1]) do
    local cookie, path = line:match("^(.-)\t(.*)$")
    entries[#entries + 1] = {cookie, path}
  end
  i = offset or 0
end
function request()
  i = i + 1
  local e = entries[(i % #entries) + 1]
  return wrk.format("GET", e[2], {["Cookie"] = e[1]})
end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local e = summary.errors
  local not_ok = 0
  for _, t in ipairs(threads) do not_ok = not_ok + t:get("bad") end
  io.write(string.format(
    '\n{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "max_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "not_200": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency.max,
    e.connect, e.read, e.write, not_ok, e.timeout))
end
"""


def available() -> str | None:
    """The path of ``wrk`` when installed, else None."""
    return shutil.which("wrk")


def interleave(clients: list[tuple[str, list[str]]]) -> list[tuple[str, str]]:
    """(cookie, url) lines taking each distinct client list's pages in turn, so that every role
    gets its share of requests whatever the number of its pages."""
    kinds = list(dict.fromkeys((cookie, tuple(urls)) for cookie, urls in clients))
    longest = max(len(urls) for _cookie, urls in kinds)
    return [(cookie, urls[i % len(urls)]) for i in range(longest) for cookie, urls in kinds]


def load_wrk(base: str, clients: list[tuple[str, list[str]]], seconds: float, *, threads: int = 2,
             timeout_s: int = 30) -> dict[str, Any]:
    """``len(clients)`` connections for ``seconds``; the same fields as :func:`dangvu.bench.web.load`."""
    wrk = available()
    if wrk is None:
        raise RuntimeError("wrk is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        script, pages = Path(tmp, "mix.lua"), Path(tmp, "pages.tsv")
        script.write_text(SCRIPT, encoding="utf-8")
        pages.write_text("".join(f"{cookie}\t{url}\n" for cookie, url in interleave(clients)), encoding="utf-8")
        run = subprocess.run(
            [wrk, f"-t{min(threads, len(clients))}", f"-c{len(clients)}", f"-d{max(1, round(seconds))}s",
             f"--timeout={timeout_s}s", "-s", str(script), base, "--", str(pages)],
            capture_output=True, text=True, timeout=seconds + timeout_s + 60, check=True)
    out = json.loads(run.stdout.strip().splitlines()[-1])
    elapsed = out["duration_us"] / 1e6
    errors = {k: out[k] for k in ("connect", "read", "write", "not_200", "timeout") if out[k]}
    return {"clients": len(clients), "seconds": round(elapsed, 1), "requests": out["requests"],
            "requests_per_second": round(out["requests"] / elapsed, 1) if elapsed else None,
            "p50_ms": round(out["p50_us"] / 1000, 1), "p95_ms": round(out["p95_us"] / 1000, 1),
            "max_ms": round(out["max_us"] / 1000, 1), "errors": sum(errors.values()), "errors_by_status": errors,
            "generator": "wrk"}
