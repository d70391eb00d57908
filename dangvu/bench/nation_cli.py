"""``dangvu bench --scale nation``: the nation data set on PostgreSQL (:mod:`dangvu.bench.nation`).

Builds the data set into the configured, empty PostgreSQL database (or reuses it when it already
holds the nation data set), then reports the bulk-load rate, the time of every indicator at the
root and at one commune, and the page benchmark (:mod:`dangvu.bench.web`) at that commune: its
office, a cell secretary and a member, alone and 20/50 at once.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from typing import Any

from dangvu.cli import CommandError, print_json, setup_django

WEB_ROLES = ("office", "secretary", "member")


def nation(args: argparse.Namespace) -> int:
    from dangvu.bench.province_cli import server_env, web_options

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise CommandError("--scale nation chỉ chạy trên PostgreSQL: đặt DATABASE_URL=postgres://… tới một cơ sở "
                           "dữ liệu rỗng (SQLite không chứa nổi dữ liệu cả nước).")
    members = args.members if args.members is not None else None
    if members is not None and not 1_000 <= members <= 6_000_000:
        raise CommandError("--members phải từ 1000 đến 6000000.")
    options = web_options(args) if args.web else None
    env = dict(os.environ)
    setup_django()
    from dangvu.bench import nation as bn
    from dangvu.bench.province import pick_commune

    root = bn.nation_root()
    load: dict[str, Any] | None = None
    if root is None:
        try:
            load = bn.build_nation(members or bn.DEFAULT_MEMBERS)
        except bn.NationError as exc:
            raise CommandError(str(exc)) from exc
        root = bn.nation_root()
    else:
        sys.stderr.write("Dùng lại dữ liệu cấp toàn quốc đã có trong cơ sở dữ liệu (không đo lại tốc độ nạp).\n")
    commune = pick_commune(root)
    result: dict[str, Any] = {"database": "postgresql", "load": load, **_indicators(root, commune, args.repeat)}
    if options is not None:
        from dangvu.bench.web import web_section

        senv = server_env(env)
        try:
            result["web"] = web_section(root, senv, commune=commune, **{"only": WEB_ROLES, **options})
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            shutil.rmtree(senv["DANGVU_HOME"], ignore_errors=True)
    if args.json:
        print_json(result)
    else:
        for key, value in result.items():
            sys.stdout.write(f"{key}: {value}\n")
    return 0


def _indicators(root: Any, commune: Any, repeat: int) -> dict[str, Any]:
    from dangvu.bench import compare as bc
    from dangvu.core import clock
    from dangvu.indicators import Period, compute_all
    from dangvu.registry.models import Member, Organization

    now = Period.year(clock.today().year)
    sys.stderr.write("Đang đo các chỉ số toàn quốc và của một xã…\n")
    _, root_runs = bc.best_of(lambda: compute_all(root, now), max(1, min(repeat, 2)))
    _, commune_runs = bc.best_of(lambda: compute_all(commune, now), repeat)
    return {
        "root_seconds": min(root_runs),
        "commune_seconds": min(commune_runs),
        "details": {"period": now.label, "root_runs": root_runs, "commune_runs": commune_runs,
                    "root": {"code": root.code, "active_members": Member.objects.in_subtree(root).active().count(),
                             "organizations": Organization.objects.subtree(root).count()},
                    "commune": {"code": commune.code,
                                "active_members": Member.objects.in_subtree(commune).active().count()},
                    "cpu_count": os.cpu_count()},
    }
