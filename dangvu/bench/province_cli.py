"""``dangvu bench --scale province``: indicators on the province data set, plus the XLSX import rate.

The indicator part runs in this process on the province demo (a SQLite file of the bench's own,
built once and reused — see :mod:`dangvu.bench.dataset` — or the configured ``DATABASE_URL``). The XLSX
import part is the classic bench (:mod:`dangvu.bench.suite`), run in a child process so that it keeps
its temporary SQLite home and never writes into the province data set.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

from dangvu.cli import CommandError, print_json, setup_django

INDICATORS = "indicators"
HEADLINE = ("root_seconds", "commune_seconds", "vs_naive", "vs_duckdb", "agree", "xlsx_rows_per_second")


def _dataset(args: argparse.Namespace):
    from dangvu.bench import dataset as benchdata

    if os.environ.get("DATABASE_URL"):
        setup_django()
        try:
            return benchdata.ensure_configured(args.seed, args.members, progress=True)
        except benchdata.BenchDataError as exc:
            raise CommandError(str(exc)) from exc
    db = benchdata.sqlite_path(args.seed, args.members)
    db.parent.mkdir(parents=True, exist_ok=True)
    # The bench's own file, never the user's database; the schema is brought up to date (or the
    # file rebuilt) by ensure_sqlite.
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    setup_django(migrate=False)
    return benchdata.ensure_sqlite(db, args.seed, args.members, progress=True, force=args.rebuild)


def _indicators(args: argparse.Namespace) -> dict[str, Any]:
    dataset = _dataset(args)
    from dangvu.bench.province import indicator_section

    sys.stderr.write("Đang đo các chỉ số (cách tính thô chạy lâu, có thể vài phút)…\n")
    section = indicator_section(dataset.root, repeat=args.repeat, naive_budget=args.naive_budget)
    section["details"]["dataset"] = dataset.describe()
    return section


def _classic(args: argparse.Namespace, names: list[str], env: dict[str, str]) -> dict[str, Any]:
    """The classic benches (``xlsx_import``…) at province scale, in a child process."""
    cmd = [sys.executable, "-m", "dangvu", "bench", "--scale", "province", "--no-dataset", "--json"]
    for name in names:
        cmd += ["--only", name]
    if args.rows is not None:
        cmd += ["--rows", str(args.rows)]
    cmd += ["--reuse"] * args.reuse + ["--keep"] * args.keep
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode:
        raise CommandError(f"Phần đo {', '.join(names)} bị lỗi (mã thoát {proc.returncode}).")
    return json.loads(proc.stdout)


def web_options(args: argparse.Namespace) -> dict[str, Any]:
    """The ``--web-*`` options, checked, as keyword arguments of :func:`dangvu.bench.web.web_section`."""
    from dangvu.bench.web_pages import PAGES

    clients = tuple(args.web_clients or (20, 50))
    if not 1 <= args.web_requests <= 1000:
        raise CommandError("--web-requests phải từ 1 đến 1000.")
    if not 1 <= args.web_seconds <= 600:
        raise CommandError("--web-seconds phải từ 1 đến 600.")
    if any(not 1 <= c <= 200 for c in clients):
        raise CommandError("--web-clients phải từ 1 đến 200.")
    unknown = sorted(set(args.web_page or ()) - set(PAGES))
    if unknown:
        raise CommandError(f"Không có trang: {', '.join(unknown)}")
    for name in ("workers", "threads"):
        if getattr(args, name) is not None and not 1 <= getattr(args, name) <= 64:
            raise CommandError(f"--{name} phải từ 1 đến 64.")
    out = {"requests": args.web_requests, "seconds": args.web_seconds, "client_counts": clients,
           "names": args.web_page or None, "workers": args.workers, "threads": args.threads}
    if args.web_role:
        out["only"] = tuple(args.web_role)
    return out


def server_env(env: dict[str, str]) -> dict[str, str]:
    """The test server's environment: the data set's database, a throwaway home of its own (cache,
    scan jobs), warnings only."""
    import tempfile

    out = dict(env)
    out["DATABASE_URL"] = os.environ["DATABASE_URL"]
    out["DANGVU_HOME"] = tempfile.mkdtemp(prefix="dangvu-bench-web-")
    out.pop("DANGVU_DEBUG", None)
    return out


def _web(args: argparse.Namespace, env: dict[str, str]) -> int:
    import shutil

    options = web_options(args)
    dataset = _dataset(args)
    from dangvu.bench.web import web_section

    senv = server_env(env)
    try:
        result = web_section(dataset.root, senv, **options)
    except RuntimeError as exc:
        raise CommandError(str(exc)) from exc
    finally:
        shutil.rmtree(senv["DANGVU_HOME"], ignore_errors=True)
    result["details"]["dataset"] = dataset.describe()
    _output(args, result)
    return 0


def _output(args: argparse.Namespace, result: dict[str, Any]) -> None:
    if args.json:
        print_json(result)
        return
    out = sys.stdout
    for key in ("database", "pages_measured", "worst_page_p95_ms"):
        out.write(f"{key}: {result[key]}\n")
    for mix in result["mix"]:
        out.write(f"{mix['clients']} người dùng: {mix['requests_per_second']} yêu cầu/giây, p50 {mix['p50_ms']} ms, "
                  f"p95 {mix['p95_ms']} ms, lỗi {mix['errors']}\n")
    out.write(f"mục tiêu: {result['goals']['met']}\n")
    for line in result["goals"]["slow_pages"]:
        out.write(f"  chậm: {line}\n")


def province(args: argparse.Namespace) -> int:
    from dangvu.bench.suite import BENCHES

    if getattr(args, "web", False):
        return _web(args, dict(os.environ))

    only = list(dict.fromkeys(args.only or [INDICATORS, *BENCHES]))
    unknown = set(only) - {INDICATORS, *BENCHES}
    if unknown:
        raise CommandError(f"Không có phần đo: {', '.join(sorted(unknown))}")
    if args.members is not None and not 300 <= args.members <= 1_000_000:
        raise CommandError("--members phải từ 300 đến 1000000.")
    if not 1 <= args.repeat <= 20:
        raise CommandError("--repeat phải từ 1 đến 20.")
    env = dict(os.environ)  # as the user gave it, before this process points Django at the data set
    result: dict[str, Any] = dict.fromkeys(HEADLINE)
    result["details"] = {}
    if INDICATORS in only:
        section = _indicators(args)
        result["details"].update(section.pop("details"))
        result.update(section)
    classic = [name for name in only if name != INDICATORS]
    if classic:
        sections = _classic(args, classic, env)
        result["details"].update(sections)
        if "xlsx_import" in sections:
            result["xlsx_rows_per_second"] = sections["xlsx_import"]["rows_per_second"]
    if args.json:
        print_json(result)
    else:
        _print(result)
    return 0


def _print(result: dict[str, Any]) -> None:
    out = sys.stdout
    for key in HEADLINE:
        out.write(f"{key}: {result[key]}\n")
    d = result["details"]
    if "compared" in d:
        out.write(f"so sánh trên: {d['compared_on']} ({d['compared_period']})\n")
        for scope, comp in d["comparison"].items():
            for key, row in comp["indicators"].items():
                shown = " ".join(f"{m}={row[m]['numerator']}/{row[m]['denominator']}"
                                 for m in ("ours", "naive", "duckdb") if m in row)
                out.write(f"  {scope} {key}: {shown}\n")
    if "xlsx_import" in d:
        out.write(f"xlsx_import: {d['xlsx_import']}\n")
