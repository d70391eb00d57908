"""``dangvu plan parse FILE --json``: a plan document → structured plan. Pure core, no Django."""

from __future__ import annotations

import argparse
import sys

from dangvu.cli import CommandError, print_json
from dangvu.core.planparse import PlanReadError, parse_file


def _parse(args: argparse.Namespace) -> int:
    try:
        plan = parse_file(args.file)
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
        "parse", help="đọc một kế hoạch (.txt, .docx, .pdf có lớp chữ) thành số liệu có cấu trúc"
    )
    parse.add_argument("file", help="tệp văn bản kế hoạch")
    parse.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    parse.set_defaults(func=_parse)
