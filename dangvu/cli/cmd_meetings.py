"""``dangvu meetings load-framework FILE``: load a province's meeting scoring framework (YAML/JSON)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dangvu.cli import CommandError, print_json, setup_django


def _load_framework(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"Không tìm thấy tệp: {args.file}")
    setup_django()
    from dangvu.common import ServiceError
    from dangvu.meetings.services import load_framework

    try:  # the service bounds the file's size before reading it, and reads it with the safe loaders
        fw = load_framework(None, path)
    except ServiceError as exc:
        raise CommandError(str(exc)) from exc
    except OSError as exc:
        raise CommandError(f"Không đọc được tệp {path.name}.") from exc
    info = {"id": fw.pk, "name": fw.name, "version": fw.version, "province": fw.province, "year": fw.year,
            "total": float(fw.max_total), "criteria": len(fw.core.criteria)}
    if args.json:
        print_json(info)
    else:
        where = f"tỉnh {fw.province}" if fw.province else "mặc định toàn quốc"
        sys.stdout.write(f"Đã nạp khung «{fw.name}» ({where}, năm {fw.year}, phiên bản {fw.version}): "
                         f"{info['criteria']} tiêu chí, tổng {info['total']:g} điểm.\n")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    meetings = sub.add_parser("meetings", help="Sinh hoạt chi bộ: khung chấm điểm")
    meetings.set_defaults(func=lambda _args: (meetings.print_help(), 2)[1])
    msub = meetings.add_subparsers(dest="meetings_command", metavar="SUBCOMMAND")
    lf = msub.add_parser("load-framework", help="Nạp khung chấm điểm sinh hoạt chi bộ từ tệp YAML hoặc JSON")
    lf.add_argument("file", metavar="FILE", help="tệp .yaml/.yml/.json")
    lf.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    lf.set_defaults(func=_load_framework)
