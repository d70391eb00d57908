"""``dangvu alerts --org CODE [--date YYYY-MM-DD] [--kind KIND] [--json]``: the alerts of one
subtree (:func:`dangvu.alerts.selectors.alerts_for`), as a JSON list or a readable table."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from dangvu.cli import CommandError, print_json, setup_django
from dangvu.core import clock
from dangvu.core.alerts import KIND_LABELS, KINDS, Alert, count_by_kind


def _parse_date(text: str | None) -> dt.date:
    # Parsed here, not by argparse, so the error message stays in Vietnamese.
    if text is None:
        return clock.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Ngày không hợp lệ: {text!r} (cần dạng YYYY-MM-DD, ví dụ 2026-01-20).") from None


def _table(org, day: dt.date, alerts: list[Alert]) -> str:
    lines = [f"Cảnh báo của {org.name} ({org.code}) ngày {day:%d/%m/%Y}: {len(alerts)}", ""]
    for kind, n in count_by_kind(alerts).items():
        if n:
            lines.append(f"  {KIND_LABELS[kind]}: {n}")
    if alerts:
        lines.append("")
    for a in alerts:
        who = a.member_name or (f"{a.prospect_name} (quần chúng ưu tú)" if a.prospect_name else "")
        where = f"{who} — {a.org_name}" if who else a.org_name
        lines.append(f"[{a.severity_label}] {a.kind_label}: {where}")
        lines.append(f"    {a.message}")
    return "\n".join(lines) + "\n"


def _alerts(args: argparse.Namespace) -> int:
    day = _parse_date(args.date)
    if args.kind is not None and args.kind not in KINDS:
        raise CommandError(f"Loại cảnh báo không hợp lệ: {args.kind!r}. Chọn một trong: {', '.join(KINDS)}.")
    setup_django()
    from dangvu.alerts.selectors import alerts_for
    from dangvu.core.text import nfc
    from dangvu.registry.selectors import org_by_code

    code = nfc(args.org).strip().upper()
    org = org_by_code(code)
    if org is None:
        raise CommandError(f"Không tìm thấy tổ chức đảng có mã «{args.org}».")
    alerts = alerts_for(org, day)
    if args.kind:
        alerts = [a for a in alerts if a.kind == args.kind]
    if args.json:
        print_json([a.as_dict() for a in alerts])
    else:
        sys.stdout.write(_table(org, day, alerts))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("alerts", help="Liệt kê cảnh báo của một tổ chức đảng (cả cây trực thuộc)")
    p.add_argument("--org", required=True, metavar="CODE", help="mã tổ chức đảng")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="ngày xét (mặc định: hôm nay)")
    p.add_argument("--kind", metavar="KIND", help=f"chỉ một loại cảnh báo: {', '.join(KINDS)}")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.set_defaults(func=_alerts)
