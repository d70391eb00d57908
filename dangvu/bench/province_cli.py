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


def province(args: argparse.Namespace) -> int:
    from dangvu.bench.suite import BENCHES

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
