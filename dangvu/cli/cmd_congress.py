"""``dangvu tally`` and ``dangvu congress apportion``: pure-core commands, no Django, no database."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from dangvu.cli import CommandError, print_json
from dangvu.core.apportion import ApportionError, apportion_detail, parse_orgs_csv
from dangvu.core.rulesets import ruleset_for
from dangvu.core.tally import TallyError, parse_ballots_csv, parse_candidates, tally


def _read(path: str, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CommandError(f"Không tìm thấy {what}: {path}") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{what.capitalize()} {path} không phải văn bản UTF-8.") from exc
    except OSError as exc:
        raise CommandError(f"Không đọc được {what} {path}: {exc.strerror}") from exc


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ: {text} (cần dạng YYYY-MM-DD)") from exc


def _tally(args: argparse.Namespace) -> int:
    try:
        candidates = parse_candidates(_read(args.candidates, "tệp danh sách ứng cử viên"))
        ballots = parse_ballots_csv(_read(args.ballots, "tệp phiếu bầu"), candidates)
        result = tally(candidates, ballots, args.seats, args.base, on=args.date, issued=args.issued)
    except TallyError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print_json(result.to_dict())
    else:
        sys.stdout.write("\n".join(result.steps) + "\n")
    return 0


def _apportion(args: argparse.Namespace) -> int:
    minimum = args.min if args.min is not None else ruleset_for(args.date)["congress.default_min_delegates"]
    try:
        orgs = parse_orgs_csv(_read(args.orgs, "tệp danh sách tổ chức"))
        lines = apportion_detail(orgs, args.seats, minimum)
    except ApportionError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print_json({line.code: line.seats for line in lines})
    else:
        for line in lines:
            sys.stdout.write(
                f"{line.code}: {line.seats} đại biểu ({line.members} đảng viên; tối thiểu {line.minimum}"
                f" + theo tỷ lệ {line.base} + dư {line.extra})\n"
            )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tally", help="Kiểm phiếu một lần bầu trong Đảng")
    p.add_argument("--seats", type=int, required=True, help="số lượng cần bầu")
    p.add_argument("--base", type=int, required=True, help="cơ sở tính quá một nửa (số đảng viên/đại biểu)")
    p.add_argument("--candidates", required=True, help="tệp tên ứng cử viên, mỗi dòng một người")
    p.add_argument("--ballots", required=True, help="tệp CSV phiếu bầu: 1 = giữ tên, 0 = gạch tên")
    p.add_argument("--issued", type=int, help="số phiếu phát ra (chỉ ghi vào diễn giải)")
    p.add_argument("--date", type=_date, help="ngày bầu, để chọn bộ quy định (mặc định hôm nay)")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.set_defaults(func=_tally)

    congress = sub.add_parser("congress", help="Đại hội")
    congress.set_defaults(func=lambda _args: (congress.print_help(), 2)[1])
    csub = congress.add_subparsers(dest="congress_command", metavar="SUBCOMMAND")
    a = csub.add_parser("apportion", help="Phân bổ đại biểu cho các tổ chức trực thuộc")
    a.add_argument("--seats", type=int, required=True, help="tổng số đại biểu được triệu tập")
    a.add_argument("--orgs", required=True, help="tệp CSV có cột code,members")
    a.add_argument("--min", type=int, help="số đại biểu tối thiểu mỗi tổ chức (mặc định theo quy định)")
    a.add_argument("--date", type=_date, help="ngày áp dụng bộ quy định (mặc định hôm nay)")
    a.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    a.set_defaults(func=_apportion)
