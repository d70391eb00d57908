"""``dangvu fees due``: a member's monthly party fee under the rule set of that month (pure core)."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys

from dangvu.cli import CommandError, print_json
from dangvu.core.fees import FeeCategory, FeeError, dong, monthly_due
from dangvu.core.rulesets import ruleset_for


def _month(text: str) -> dt.date:
    # Parsed here, not by argparse, so the message stays in Vietnamese.
    match = re.fullmatch(r"(\d{4})-(\d{2})", text or "")
    if not match or not 1 <= int(match[2]) <= 12:
        raise CommandError(f"Tháng không hợp lệ: {text!r} (cần dạng YYYY-MM, ví dụ 2026-03).")
    return dt.date(int(match[1]), int(match[2]), 1)


def _base(text: str) -> int:
    digits = (text or "").replace(".", "").replace("_", "")
    if not digits.isascii() or not digits.isdigit():
        raise CommandError(f"Số tiền không hợp lệ: {text!r} (số đồng, không dấu phẩy, ví dụ 7350000).")
    return int(digits)


def _due(args: argparse.Namespace) -> int:
    month = _month(args.month)
    try:
        fee = monthly_due(args.category, _base(args.base), ruleset_for(month),
                          past_working_age=args.past_working_age)
    except FeeError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print_json({"due": fee.due, "rule": fee.rule})
    else:
        sys.stdout.write(f"Đảng phí tháng {month:%m/%Y}: {dong(fee.due)} đồng ({fee.rule})\n")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    fees = sub.add_parser("fees", help="Đảng phí: mức đóng theo quy định")
    fees.set_defaults(func=lambda _args: (fees.print_help(), 2)[1])
    fsub = fees.add_subparsers(dest="fees_command", metavar="SUBCOMMAND")
    d = fsub.add_parser("due", help="Mức đảng phí một tháng của một đảng viên")
    d.add_argument("--category", required=True,  # checked by core, so the refusal is in Vietnamese
                   help="đối tượng: " + ", ".join(FeeCategory) + " (salaried: hưởng lương; pensioner: lương hưu; "
                        "enterprise: doanh nghiệp; other: khác, --base là mức chi bộ quy định)")
    d.add_argument("--base", required=True, help="khoản tính đảng phí, đồng (với other: mức chi bộ quy định)")
    d.add_argument("--month", required=True, help="tháng, dạng YYYY-MM")
    d.add_argument("--past-working-age", action="store_true", help="đảng viên khác đã quá tuổi lao động")
    d.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    d.set_defaults(func=_due)
