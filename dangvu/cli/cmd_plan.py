"""``dangvu plan parse FILE --json``: a plan document → structured plan. Pure core, no Django."""

from __future__ import annotations

import argparse
import sys

from dangvu.cli import CommandError, print_json
from dangvu.core.planparse import PlanReadError, parse_text
from dangvu.core.planparse.extract import ocr_pages, read_text


def _ocr_progress(total_ocr: int):
    """Page progress on stderr while Tesseract reads a multi-page scan (stdout keeps the JSON alone):
    one line a page, or one line rewritten in place on a terminal."""
    if total_ocr < 2:
        return None
    err = sys.stderr
    tty = err.isatty()

    def show(done: int, total: int) -> None:
        if done < total:
            line = f"Đang nhận dạng chữ: trang {done + 1}/{total}"
            err.write(f"\r{line}" if tty else f"{line}\n")
        else:
            err.write(("\r" if tty else "") + f"Đã nhận dạng chữ xong {total} trang.\n")
        err.flush()

    return show


def _parse(args: argparse.Namespace) -> int:
    try:
        pages = ocr_pages(args.file)
        progress = _ocr_progress(pages)
        plan = parse_text(read_text(args.file, progress=progress), scanned=pages > 0)
    except PlanReadError as exc:
        raise CommandError(str(exc)) from exc
    if args.json:
        print_json(plan)
        return 0
    out = sys.stdout
    out.write(f"Số: {plan['number'] or '(trống)'}   Ngày: {plan['date'] or '(trống)'}   Nơi: {plan['place'] or ''}\n")
    out.write(f"Cơ quan ban hành: {plan['issuer'] or ''}\nTrích yếu: {plan['title'] or ''}\n")
    out.write(f"\nVăn bản được dẫn ({len(plan['references'])}):\n")
    for ref in plan["references"]:
        out.write(f"  {ref['kind']} {ref['number']}" + (f", ngày {ref['date']}" if ref["date"] else "") + "\n")
    out.write(f"\nChỉ tiêu ({len(plan['targets'])}):\n")
    for t in plan["targets"]:
        value = f"{t['value']}–{t['value_max']}" if t["op"] == "range" else f"{t['op']} {t['value']}"
        unit = "%" if t["unit"] == "%" else ""
        out.write(f"  [{t['section'] or ''}] {value}{unit}  {t['text']}\n")
    out.write(f"\nNhiệm vụ ({len(plan['tasks'])}):\n")
    for task in plan["tasks"]:
        timing = task["timing"] or {}
        when = timing.get("end") or timing.get("kind") or ""
        out.write(f"  {task['id']}: {task['title'][:90]}  [{when}]\n")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    plan = sub.add_parser("plan", help="kế hoạch: đọc và bóc tách văn bản kế hoạch")
    plan_sub = plan.add_subparsers(dest="plan_command", metavar="PLAN_COMMAND")
    plan.set_defaults(func=lambda args: (plan.print_help(), 2)[1])
    parse = plan_sub.add_parser(
        "parse", help="đọc một kế hoạch (.txt, .docx, .pdf, ảnh quét .jpg/.png/.tif) thành số liệu có cấu trúc"
    )
    parse.add_argument("file", help="tệp văn bản kế hoạch")
    parse.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    parse.set_defaults(func=_parse)
