"""Demo step "plans": the commune committee's sample plan, read from ``data/ke-hoach-mau.txt`` by the plan
parser, created and saved through the services, with manual measurements for the targets no
registered indicator measures and a few task updates (some tasks left overdue); then a village
cell's plan implementing it (``data/ke-hoach-chi-bo-mau.txt``), for the cascade view."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

from dangvu.core.planparse import parse_text
from dangvu.plans import services as s
from dangvu.plans.models import Plan, Target, TaskStatus
from dangvu.registry.models import Organization

from ..context import DemoContext

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "ke-hoach-mau.txt"
CELL_SAMPLE = SAMPLE.with_name("ke-hoach-chi-bo-mau.txt")
SAMPLE_PLACE = "Tân Phú"
SAMPLE_CELL = "Chi bộ thôn Đông"


def _swap(text: str, old: str, new: str) -> str:
    return text.replace(old, new).replace(old.upper(), new.upper())


def sample_text(place: str | None = None, *, cell: str | None = None, path: Path = SAMPLE) -> str:
    """A sample plan's text, the commune's (and the cell's) name put in place of the sample's."""
    text = path.read_text(encoding="utf-8")
    if cell:
        text = _swap(text, SAMPLE_CELL, cell)
    if place:
        text = _swap(text, SAMPLE_PLACE, place)
    return text


def _place(org_name: str) -> str | None:
    m = re.match(r"Đảng bộ (?:xã|phường|thị trấn)\s+(.+)$", org_name)
    return m.group(1) if m else None


def _series(target: Target, years: list[int], rng: random.Random) -> list[float]:
    """Plausible hand-entered values of a manual target over ``years`` (deterministic per seed)."""
    n = len(years)
    if target.period == "term" and target.unit == "count":
        per_year = max(1.0, target.value / 5 * rng.uniform(0.6, 1.1))
        return [round(per_year * (i + 1)) for i in range(n)]
    if target.unit == "count":
        start = max(0.0, target.value * rng.uniform(0.6, 0.9))
        return [round(start + i * target.value * 0.12) for i in range(n)]
    goal = target.value if target.op != "range" else (target.value_max or target.value)
    start = max(0.0, goal - rng.uniform(6, 14))
    step = (goal - start) / max(1, n) * rng.uniform(0.6, 1.2)
    return [round(min(100.0, start + i * step), 2) for i in range(n)]


def create_sample_plan(issuer, today: dt.date, seed: int = 2026) -> Plan:
    """Parse the sample, make the draft, confirm the reader's proposed bindings (the demo's
    system user stands in for the reviewer), save; then measurements for the targets without a
    binding and task updates. Everything through :mod:`dangvu.plans.services`."""
    text = sample_text(_place(issuer.name))
    parsed = parse_text(text)
    plan = s.draft_from_parse(None, issuer, parsed, SAMPLE.name, text)
    s.confirm_all(None, plan)
    s.save_plan(None, plan)
    rng = random.Random(seed * 31 + 7)
    for target in plan.targets.filter(bindings__isnull=True):
        if target.period == "term":
            years = list(range(plan.start_year, min(today.year, plan.end_year) + 1))
        else:
            years = [y for y in range(today.year - 2, min(today.year, target.due_year) + 1)]
        for year, value in zip(years, _series(target, years, rng), strict=True):
            on = min(dt.date(year, 12, 15), today)
            s.record_measurement(None, target, on, value, note="Số liệu tổng hợp từ báo cáo của các chi bộ")
    tasks = {t.label: t for t in plan.tasks.all()}
    updates = [
        ("III.1", TaskStatus.DONE, dt.date(2025, 4, 25), "Các chi bộ đã quán triệt tại kỳ sinh hoạt tháng 4/2025."),
        ("III.2", TaskStatus.DONE, dt.date(2025, 9, 22), "Các chi bộ đã gửi quy chế làm việc về Văn phòng."),
        ("III.3", TaskStatus.IN_PROGRESS, None, "Cấp ủy viên phụ trách dự sinh hoạt tại các chi bộ."),
        ("III.4", TaskStatus.IN_PROGRESS, None, "Đã ban hành thể lệ hội thi; chưa tổ chức vòng chung kết."),
        ("III.5", TaskStatus.IN_PROGRESS, None, "Các chi bộ đã lập danh sách quần chúng ưu tú."),
        ("III.7", TaskStatus.DONE, dt.date(2026, 8, 20), "Đã mở 01 lớp tập huấn, 45 học viên."),
    ]
    for label, status, done_on, evidence in updates:
        task = tasks.get(label)
        if task is None or (done_on and done_on > today):
            continue
        s.update_task(None, task, status, evidence, done_on)
    return plan


def create_cell_plan(cell, today: dt.date) -> Plan:
    """The cell's plan implementing the commune's (found as its parent through the number it cites),
    parsed from the sample, saved, its first task reported done."""
    upper = Organization.objects.get_parent(cell)
    text = sample_text(_place(upper.name) if upper else None, cell=cell.name, path=CELL_SAMPLE)
    plan = s.draft_from_parse(None, cell, parse_text(text), CELL_SAMPLE.name, text)
    s.confirm_all(None, plan)
    s.save_plan(None, plan)
    tasks = {t.label: t for t in plan.tasks.all()}
    for label, done_on, evidence in (("III.1", dt.date(2025, 4, 20), "Đã quán triệt tại kỳ sinh hoạt tháng 4/2025."),
                                     ("III.3", dt.date(2025, 7, 14), "Chi bộ đã ban hành quy chế làm việc.")):
        if label in tasks and done_on <= today:
            s.update_task(None, tasks[label], TaskStatus.DONE, evidence, done_on)
    return plan


def demo_plan(ctx: DemoContext) -> None:
    """The demo build's step (listed in :data:`dangvu.demo.steps.STEPS`): the commune's plan,
    and the plan of the village cell whose secretary is the demo's «bithu» (same choice as the
    users step), so each lands on a plan of their own."""
    ctx.writer.flush()
    create_sample_plan(ctx.root_org, ctx.today, ctx.seed)
    for spec in ctx.root.walk():
        if spec.sector == "residential" and any("secretary" in m.posts for m in ctx.cell_members.get(spec.code, [])):
            if spec.obj is not None and Organization.objects.get_parent(spec.obj) == ctx.root_org:
                create_cell_plan(spec.obj, ctx.today)
            break
