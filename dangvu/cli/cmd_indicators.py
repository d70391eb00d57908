"""``dangvu indicators --org CODE --year YYYY [--quarter Q] [--json]``: every registered indicator
of one subtree and period (all apps' indicator modules loaded)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dangvu.cli import CommandError, print_json, setup_django
from dangvu.core import clock
from dangvu.core.numbers import thousands

MIN_YEAR = 1930


def _int(text: str, what: str) -> int:
    # Parsed here, not by argparse, so the error message stays in Vietnamese.
    try:
        return int(text)
    except ValueError:
        raise CommandError(f"{what} không hợp lệ: {text!r} (cần một số nguyên).") from None


def period_from_args(year_text: str, quarter_text: str | None):
    """The period asked for; a year outside 1930…next year or a quarter outside 1…4 is refused."""
    from dangvu.indicators import Period

    year = _int(year_text, "Năm")
    last = clock.today().year + 1
    if not MIN_YEAR <= year <= last:
        raise CommandError(f"Năm {year} nằm ngoài khoảng cho phép ({MIN_YEAR}–{last}).")
    if quarter_text is None:
        return Period.year(year)
    quarter = _int(quarter_text, "Quý")
    if not 1 <= quarter <= 4:
        raise CommandError(f"Quý phải từ 1 đến 4, không phải {quarter}.")
    return Period.quarter(year, quarter)


def _number(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", " ").replace(".", ",").rstrip("0").rstrip(",")
    return thousands(value)


def _table(org, period, rows: dict[str, dict[str, Any]]) -> str:
    lines = [f"Chỉ số của {org.name} ({org.code}), {period.label}", ""]
    width = max((len(r["label"]) for r in rows.values()), default=0)
    for key, r in rows.items():
        shown = _number(r["value"]) + ({"%": "%", "đồng": " đ"}.get(r["unit"], "") if r["value"] is not None else "")
        if r["unit"] == "%":
            detail = f"{_number(r['numerator'])}/{_number(r['denominator'])}"
            if r["value"] is None:
                shown = "chưa có số liệu"
        else:
            detail = ""
        lines.append(f"{r['label']:<{width}}  {shown:>16}  {detail:>11}  {key}")
    return "\n".join(lines) + "\n"


def _refresh(args: argparse.Namespace) -> int:
    """Recompute and store the past years' figures of every saved plan (of ``--org``'s subtree)."""
    setup_django()
    from dangvu.core.text import nfc
    from dangvu.plans import services as plan_services
    from dangvu.plans.selectors import plans_to_refresh
    from dangvu.registry.selectors import org_by_code

    org = None
    if args.org:
        org = org_by_code(nfc(args.org).strip().upper())
        if org is None:
            raise CommandError(f"Không tìm thấy tổ chức đảng có mã «{args.org}».")
    plans = plans_to_refresh(org)
    total = sum(plan_services.refresh_figures(None, plan) for plan in plans)
    if args.json:
        print_json({"plans": len(plans), "computed": total})
    else:
        sys.stdout.write(f"Đã tính lại {thousands(total)} số liệu các năm trước của {len(plans)} kế hoạch.\n")
    return 0


def _indicators(args: argparse.Namespace) -> int:
    if args.refresh:
        return _refresh(args)
    if not args.org or not args.year:
        raise CommandError("Cần --org và --year (hoặc --refresh để tính lại số liệu đã lưu của các kế hoạch).")
    period = period_from_args(args.year, args.quarter)
    setup_django()
    from dangvu import indicators
    from dangvu.core.text import nfc
    from dangvu.registry.selectors import org_by_code

    code = nfc(args.org).strip().upper()
    org = org_by_code(code)
    if org is None:
        raise CommandError(f"Không tìm thấy tổ chức đảng có mã «{args.org}».")
    rows = indicators.compute_all(org, period)
    if args.json:
        print_json(rows)
    else:
        sys.stdout.write(_table(org, period, rows))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("indicators", help="Tính mọi chỉ số của một tổ chức đảng (cả cây trực thuộc) trong năm/quý")
    p.add_argument("--org", metavar="CODE", help="mã tổ chức đảng")
    p.add_argument("--year", metavar="YYYY", help="năm")
    p.add_argument("--quarter", metavar="Q", help="quý (1–4); bỏ trống: cả năm")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.add_argument("--refresh", action="store_true",
                   help="tính lại số liệu các năm trước đã lưu của mọi kế hoạch (của --org nếu có)")
    p.set_defaults(func=_indicators)
