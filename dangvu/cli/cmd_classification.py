"""``dangvu classification load-framework FILE [--province CODE]`` and
``dangvu classification assess --org CODE --year YYYY``: the province's «chi bộ bốn tốt» framework
(YAML/JSON) and the yearly classification of a subtree's cells."""

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
    from dangvu.classification.services import load_framework
    from dangvu.common import ServiceError

    try:
        fw = load_framework(None, path, province=args.province or "")
    except ServiceError as exc:
        raise CommandError(str(exc)) from exc
    except OSError as exc:
        raise CommandError(f"Không đọc được tệp {path.name}.") from exc
    info = {"id": fw.pk, "name": fw.name, "title": fw.title, "version": fw.version, "province": fw.province,
            "year": fw.year}
    if args.json:
        print_json(info)
    else:
        where = f"tỉnh {fw.province}" if fw.province else "mặc định"
        sys.stdout.write(f"Đã nạp khung «{fw.name}» ({where}, từ năm {fw.year}, phiên bản {fw.version}).\n")
    return 0


def _assess(args: argparse.Namespace) -> int:
    setup_django()
    from dangvu.classification.services import assess_cells
    from dangvu.common import ServiceError
    from dangvu.registry.selectors import org_by_code

    org = org_by_code(args.org)
    if org is None:
        raise CommandError(f"Không có tổ chức mã {args.org}.")
    try:
        counts = assess_cells(None, org, args.year)
    except ServiceError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print_json(counts)
    else:
        sys.stdout.write(f"Năm {args.year}: {counts['earned']} chi bộ đạt, {counts['not_earned']} chưa đạt, "
                         f"{counts['undecided']} chưa đủ căn cứ.\n")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    top = sub.add_parser("classification", help="Phân loại chi bộ «bốn tốt»: khung của tỉnh, phân loại năm")
    top.set_defaults(func=lambda _args: (top.print_help(), 2)[1])
    csub = top.add_subparsers(dest="classification_command", metavar="SUBCOMMAND")
    lf = csub.add_parser("load-framework", help="Nạp khung phân loại chi bộ từ tệp YAML hoặc JSON")
    lf.add_argument("file", metavar="FILE", help="tệp .yaml/.yml/.json")
    lf.add_argument("--province", metavar="CODE", help="mã tổ chức gốc của tỉnh (bỏ trống: khung mặc định)")
    lf.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    lf.set_defaults(func=_load_framework)
    a = csub.add_parser("assess", help="Phân loại các chi bộ của một tổ chức cho một năm")
    a.add_argument("--org", required=True, metavar="CODE")
    a.add_argument("--year", required=True, type=int, metavar="YYYY")
    a.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    a.set_defaults(func=_assess)
