"""``dangvu report plan PLAN_ID --out FILE``: the plan's result report, .docx (party-document
layout) or .xlsx (the same tables) by the file's extension, and on stdout each target with each of
its bindings (value, status). Unknown plan or extension → exit 2.

``dangvu report stats --org CODE --date YYYY-MM-DD [--from YYYY-MM-DD] --out FILE``: the standard
member statistics of a subtree on a day (issue 18), .docx or .xlsx by the extension; on stdout the
totals and anything that does not agree. Unknown organization, bad date or extension → exit 2.

``dangvu report fees --org CODE --period 2026-Q3|2026 --out FILE``: the fee report (thu, nộp đảng
phí) of an organization for a quarter or a year, by the file's extension.

``dangvu report periodic --org CODE --period 2026-H1|2026-H2|2026|term --out FILE.docx``: the report
of party-building work for six months, a year or the congress term in force, an editable .docx
draft (issue 18). Unknown organization, bad period (or no term recorded) or extension → exit 2."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from dangvu.cli import CommandError, setup_django

FORMATS = (".docx", ".xlsx")


def _plan(args: argparse.Namespace) -> int:
    out = Path(args.out)
    fmt = out.suffix.lower()
    if fmt not in FORMATS:
        raise CommandError(f"Tệp kết quả phải có đuôi .docx hoặc .xlsx: {out.name}", code=2)
    setup_django()
    from dangvu.accounts.audit import log_export
    from dangvu.plans.selectors import plan_by_id
    from dangvu.reports.plan_report import build, plan_report_docx, plan_report_xlsx

    plan = plan_by_id(args.plan_id)
    if plan is None:
        raise CommandError(f"Không có kế hoạch số hiệu {args.plan_id}.", code=2)
    report = build(plan)
    content = plan_report_docx(report) if fmt == ".docx" else plan_report_xlsx(report)
    try:
        out.write_bytes(content)
    except OSError as exc:
        raise CommandError(f"Không ghi được tệp {out}: {exc.strerror or exc}", code=1) from exc
    log_export(None, plan, f"plan-report{fmt}", rows=len(report.targets) + len(report.tasks), via="cli")
    sys.stdout.write(f"Đã ghi báo cáo {plan.name} ({len(report.targets)} chỉ tiêu, {len(report.tasks)} nhiệm vụ) "
                     f"vào {out}\n")
    sys.stdout.write(targets_summary(report))
    return 0


def targets_summary(report) -> str:
    """Each target with its status, and under it each way it is measured (indicator, params in
    Vietnamese) with its own value and status."""
    lines = []
    for i, r in enumerate(report.targets, start=1):
        lines.append(f"{i}. {r.target.text} — mục tiêu {r.goal}: {r.status_label}")
        for x in r.series:
            how = x.how if x.binding is not None else "nhập số liệu thủ công"
            value = f"{x.value_text} (năm {x.year})" if x.value is not None else "chưa có số liệu"
            lines.append(f"   - {how}: {value} — {x.status_label}")
    return "\n".join(lines) + ("\n" if lines else "")


def _day(text: str | None, what: str) -> dt.date | None:
    # Parsed here, not by argparse, so the message stays in Vietnamese.
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{what} không hợp lệ: {text!r} (cần dạng YYYY-MM-DD, ví dụ 2026-06-30).",
                           code=2) from None


def _stats(args: argparse.Namespace) -> int:
    out = Path(args.out)
    fmt = out.suffix.lower()
    if fmt not in FORMATS:
        raise CommandError(f"Tệp kết quả phải có đuôi .docx hoặc .xlsx: {out.name}", code=2)
    day, start = _day(args.date, "Ngày báo cáo"), _day(args.start, "Ngày đầu kỳ")
    if start is not None and start > day:
        raise CommandError("Ngày đầu kỳ (--from) không thể sau ngày báo cáo (--date).", code=2)
    setup_django()
    from dangvu.accounts.audit import log_export
    from dangvu.core.text import nfc
    from dangvu.registry.selectors import org_by_code
    from dangvu.reports.stats import build, stats_docx, stats_xlsx

    org = org_by_code(nfc(args.org).strip().upper())
    if org is None:
        raise CommandError(f"Không tìm thấy tổ chức đảng có mã «{args.org}».", code=2)
    report = build(org, day, start)
    content = stats_docx(report) if fmt == ".docx" else stats_xlsx(report)
    try:
        out.write_bytes(content)
    except OSError as exc:
        raise CommandError(f"Không ghi được tệp {out}: {exc.strerror or exc}", code=1) from exc
    log_export(None, org, f"stats{fmt}", rows=report.total, via="cli", date=day.isoformat())
    sys.stdout.write(f"Đã ghi thống kê {org.name} ngày {day:%d/%m/%Y} vào {out}: {report.total} đảng viên "
                     f"(đầu kỳ {report.opening}).\n")
    for line in report.problems:
        sys.stdout.write(f"Lưu ý: {line}\n")
    return 0


def _plan_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"số hiệu kế hoạch không hợp lệ: {text!r}") from None
    if not 1 <= value <= 2**62:
        raise argparse.ArgumentTypeError(f"số hiệu kế hoạch không hợp lệ: {text!r}")
    return value


def _fees(args: argparse.Namespace) -> int:
    """``dangvu report fees --org CODE --period 2026-Q3|2026 --out FILE``: the fee report."""
    out = Path(args.out)
    fmt = out.suffix.lower()
    if fmt not in FORMATS:
        raise CommandError(f"Tệp kết quả phải có đuôi .docx hoặc .xlsx: {out.name}", code=2)
    setup_django()
    from dangvu.accounts.audit import log_export
    from dangvu.core.fees import dong
    from dangvu.core.text import nfc
    from dangvu.registry.selectors import org_by_code
    from dangvu.reports.fees import build, fee_report_docx, fee_report_xlsx, parse_period

    period = parse_period(args.period)
    if period is None:
        raise CommandError(f"Kỳ báo cáo phải là một năm (2026) hoặc một quý (2026-Q3), không phải «{args.period}».",
                           code=2)

    org = org_by_code(nfc(args.org).strip().upper())
    if org is None:
        raise CommandError(f"Không tìm thấy tổ chức đảng có mã «{args.org}».", code=2)
    report = build(org, period)
    content = fee_report_docx(report) if fmt == ".docx" else fee_report_xlsx(report)
    try:
        out.write_bytes(content)
    except OSError as exc:
        raise CommandError(f"Không ghi được tệp {out}: {exc.strerror or exc}", code=1) from exc
    log_export(None, org, f"fee-report{fmt}", rows=len(report.rows) + 1, period=args.period, via="cli")
    t = report.total
    sys.stdout.write(f"Đã ghi báo cáo thu, nộp đảng phí {period.label} của {org.name} ({len(report.rows)} tổ chức "
                     f"trực thuộc) vào {out}\nPhải thu {dong(t.due)} đ; đã thu {dong(t.collected)} đ; nộp cấp trên "
                     f"{dong(t.remitted)} đ; để lại {dong(t.kept)} đ.\n")
    return 0


def _periodic(args: argparse.Namespace) -> int:
    """``dangvu report periodic``: the periodic report of party-building work (.docx)."""
    out = Path(args.out)
    if out.suffix.lower() != ".docx":
        raise CommandError(f"Tệp kết quả phải có đuôi .docx: {out.name}", code=2)
    setup_django()
    from dangvu.accounts.audit import log_export
    from dangvu.core.text import nfc
    from dangvu.registry.selectors import org_by_code
    from dangvu.reports.periodic import PeriodError, build, parse_period, periodic_docx

    org = org_by_code(nfc(args.org).strip().upper())
    if org is None:
        raise CommandError(f"Không tìm thấy tổ chức đảng có mã «{args.org}».", code=2)
    try:
        rp = parse_period(args.period, org)
    except PeriodError as exc:
        raise CommandError(str(exc), code=2) from None
    report = build(org, rp)
    content = periodic_docx(report)
    try:
        out.write_bytes(content)
    except OSError as exc:
        raise CommandError(f"Không ghi được tệp {out}: {exc.strerror or exc}", code=1) from exc
    log_export(None, org, "periodic-report.docx", rows=len(report.sections) + 2, period=rp.key, via="cli")
    sys.stdout.write(f"Đã ghi báo cáo kết quả công tác xây dựng Đảng {rp.phrase} của {org.name} vào {out}\n")
    if not report.has_data:
        sys.stdout.write("Lưu ý: hệ thống chưa có số liệu nào của kỳ báo cáo này.\n")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="báo cáo: xuất báo cáo kết quả thực hiện")
    report_sub = report.add_subparsers(dest="report_command", metavar="REPORT_COMMAND")
    report.set_defaults(func=lambda args: (report.print_help(), 2)[1])
    plan = report_sub.add_parser("plan", help="báo cáo kết quả thực hiện một kế hoạch (.docx hoặc .xlsx)")
    plan.add_argument("plan_id", type=_plan_id, metavar="PLAN_ID", help="số hiệu kế hoạch (trong địa chỉ trang)")
    plan.add_argument("--out", required=True, metavar="FILE", help="tệp kết quả, đuôi .docx hoặc .xlsx")
    plan.set_defaults(func=_plan)
    stats = report_sub.add_parser("stats", help="thống kê đảng viên của một tổ chức đảng vào một ngày (.docx, .xlsx)")
    stats.add_argument("--org", required=True, metavar="CODE", help="mã tổ chức đảng")
    stats.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="ngày báo cáo")
    stats.add_argument("--from", dest="start", metavar="YYYY-MM-DD",
                       help="đầu kỳ tính biến động (mặc định: ngày 1 tháng 1 của năm báo cáo)")
    stats.add_argument("--out", required=True, metavar="FILE", help="tệp kết quả, đuôi .docx hoặc .xlsx")
    stats.set_defaults(func=_stats)
    fees = report_sub.add_parser("fees", help="báo cáo thu, nộp đảng phí quý hoặc năm (.docx hoặc .xlsx)")
    fees.add_argument("--org", required=True, metavar="CODE", help="mã tổ chức đảng")
    fees.add_argument("--period", required=True, metavar="KỲ", help="năm (2026) hoặc quý (2026-Q3)")
    fees.add_argument("--out", required=True, metavar="FILE", help="tệp kết quả, đuôi .docx hoặc .xlsx")
    fees.set_defaults(func=_fees)
    periodic = report_sub.add_parser("periodic", help="báo cáo công tác xây dựng Đảng 6 tháng, năm, nhiệm kỳ (.docx)")
    periodic.add_argument("--org", required=True, metavar="CODE", help="mã tổ chức đảng")
    periodic.add_argument("--period", required=True, metavar="KỲ",
                          help="6 tháng (2026-H1, 2026-H2), năm (2026) hoặc nhiệm kỳ hiện tại (term)")
    periodic.add_argument("--out", required=True, metavar="FILE", help="tệp kết quả, đuôi .docx")
    periodic.set_defaults(func=_periodic)
