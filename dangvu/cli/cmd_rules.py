"""``dangvu rules deadlines`` and ``dangvu rules show``: pure-core commands, no Django."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from dangvu.cli import CommandError, print_json
from dangvu.core.deadlines import DEADLINE_LABELS, EVENT_LABELS, deadlines_for
from dangvu.core.rulesets import ruleset_for


def _parse_date(text: str | None) -> dt.date | None:
    # Parsed here, not by argparse, so the error message stays in Vietnamese.
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Ngày không hợp lệ: {text!r} (cần dạng YYYY-MM-DD, ví dụ 2025-01-20).") from None


def _deadlines(args: argparse.Namespace) -> int:
    day = _parse_date(args.date)
    assert day is not None  # --date is required
    try:
        result = deadlines_for(args.event, day)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print_json({key: value.isoformat() for key, value in result.items()})
    else:
        sys.stdout.write(f"{EVENT_LABELS[args.event]}: {day:%d/%m/%Y}\n")
        for key, value in result.items():
            sys.stdout.write(f"  {DEADLINE_LABELS.get(key, key)}: {value:%d/%m/%Y}\n")
    return 0


def _plain(value: Any) -> Any:
    """Rule values as JSON: dates as ISO text, everything else as YAML gave it."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _show(args: argparse.Namespace) -> int:
    rs = ruleset_for(_parse_date(args.date))
    params = {
        key: {"value": _plain(rs[key]), "label": rs.labels.get(key, key), "source": rs.source(key)}
        for key in sorted(rs.params)
    }
    if args.json:
        print_json({"name": rs.name, "effective": rs.effective.isoformat(), "params": params})
    else:
        sys.stdout.write(f"{rs.name} (hiệu lực từ {rs.effective:%d/%m/%Y})\n")
        for key, spec in params.items():
            sys.stdout.write(f"  {key} = {spec['value']}  — {spec['label']} [{spec['source']}]\n")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    rules = sub.add_parser("rules", help="Quy định của Đảng: thời hạn, tham số đang áp dụng")
    rules.set_defaults(func=lambda _args: (rules.print_help(), 2)[1])
    rsub = rules.add_subparsers(dest="rules_command", metavar="SUBCOMMAND")

    d = rsub.add_parser("deadlines", help="Tính các thời hạn theo quy định sau một sự kiện")
    d.add_argument("--event", required=True, help="sự kiện: " + ", ".join(EVENT_LABELS))
    d.add_argument("--date", required=True, help="ngày xảy ra sự kiện, dạng YYYY-MM-DD")
    d.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    d.set_defaults(func=_deadlines)

    s = rsub.add_parser("show", help="In bộ quy định đang có hiệu lực")
    s.add_argument("--date", help="ngày cần xem (mặc định hôm nay), dạng YYYY-MM-DD")
    s.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    s.set_defaults(func=_show)
