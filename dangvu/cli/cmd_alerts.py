"""``dangvu alerts --org CODE [--date YYYY-MM-DD] [--kind KIND] [--json]``: the alerts of one
subtree (:func:`dangvu.alerts.selectors.alerts_for`), as a JSON list or a readable table.

``dangvu alerts --store [--org CODE]``: count and store the day's alerts of that organization, or
of every organization above the cells (for a nightly job, so that the first look at a province's
alerts page does not wait for the count; :mod:`dangvu.alerts.services`)."""

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


def _store(org_code: str | None, day: dt.date) -> int:
    from dangvu.alerts.selectors import organizations_above_cells
    from dangvu.alerts.services import store_counts

    orgs = [_org(org_code)] if org_code is not None else organizations_above_cells()
    for i, org in enumerate(orgs, 1):
        counted = store_counts(org, day).counts()
        sys.stderr.write(f"[{i}/{len(orgs)}] {org.name} ({org.code}): {sum(r[-1] for r in counted)} cảnh báo\n")
    sys.stdout.write(f"Đã tính và lưu số cảnh báo ngày {day:%d/%m/%Y} của {len(orgs)} tổ chức.\n")
    return 0


def _org(text: str):
    from dangvu.core.text import nfc
    from dangvu.registry.selectors import org_by_code

    org = org_by_code(nfc(text).strip().upper())
    if org is None:
        raise CommandError(f"Không tìm thấy tổ chức đảng có mã «{text}».")
    return org


def _alerts(args: argparse.Namespace) -> int:
    day = _parse_date(args.date)
    if args.store:
        setup_django()
        return _store(args.org, day)
    if args.org is None:
        raise CommandError("Cần --org MÃ (mã tổ chức đảng), hoặc --store để tính và lưu số cảnh báo.")
    if args.kind is not None and args.kind not in KINDS:
        raise CommandError(f"Loại cảnh báo không hợp lệ: {args.kind!r}. Chọn một trong: {', '.join(KINDS)}.")
    setup_django()
    from dangvu.alerts.selectors import alerts_for

    org = _org(args.org)
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
    p.add_argument("--org", metavar="CODE", help="mã tổ chức đảng")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="ngày xét (mặc định: hôm nay)")
    p.add_argument("--kind", metavar="KIND", help=f"chỉ một loại cảnh báo: {', '.join(KINDS)}")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.add_argument("--store", action="store_true",
                   help="tính và lưu số cảnh báo trong ngày (của --org, hoặc mọi tổ chức trên chi bộ), cho việc chạy hằng đêm")
    p.set_defaults(func=_alerts)
