"""Read side of plans: each target's values over the years, current value, forecast and status;
the tasks by lead unit; the cascade beside the parent plan. Never writes.

Every number comes from the indicator registry (a bound target, over its scope organization) or
from the target's manual measurements.

Periods: a target with ``period == "term"`` is read cumulatively over ``Period.term(plan start,
year)`` spanning at least two calendar years (its chart starts from zero the year before the
plan); every other target over
``Period.year(year)``. The "current" value is the one of ``min(this year, due year)``, or of the
latest earlier year with a value when that year has none yet (e.g. before the year-end evaluation).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from dangvu import indicators
from dangvu.core.plan_status import (
    STATUS_LABELS,
    Status,
    forecast,
    goal_text,
    number,
    target_status,
)
from dangvu.core.text import fold

from .models import OVERDUE, TASK_STATUS_LABELS, Measurement, Plan, Target, Task

HISTORY_YEARS = 5
ENTRIES_SHOWN = 10  # a manual target's latest values listed with who entered them


@dataclass
class TargetProgress:
    target: Target
    label: str  # how it is measured (indicator label, or "Nhập thủ công")
    year: int  # the year the current value belongs to
    value: float | None
    points: list[tuple[int, float]]  # (year, value), oldest first
    due_year: int
    forecast: float | None
    status: Status
    unregistered: bool = False  # bound to a key no app registers (shown as manual)
    detail: str = ""  # numerator/denominator when the indicator gives them
    entries: list[Measurement] = field(default_factory=list)  # a manual target's values, latest first

    @property
    def forecast_pending(self) -> bool:
        """A forecast is worth showing only while the due year's value is not known yet."""
        return self.forecast is not None and self.year < self.due_year

    @property
    def goal(self) -> str:
        t = self.target
        return goal_text(t.op, t.value, t.value_max, t.unit)

    @property
    def value_text(self) -> str:
        if self.value is None:
            return "—"
        return number(self.value) + ("%" if self.target.unit == "%" else "")

    @property
    def forecast_text(self) -> str:
        if self.forecast is None:
            return "—"
        return number(self.forecast) + ("%" if self.target.unit == "%" else "")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _indicator_value(target: Target, period: indicators.Period) -> tuple[float | None, str]:
    try:
        v = indicators.compute(target.indicator, target.scope_org, period, **(target.params or {}))
    except TypeError:  # params the indicator does not take
        v = indicators.compute(target.indicator, target.scope_org, period)
    detail = ""
    if v.denominator:
        detail = f"{number(v.numerator)}/{number(v.denominator)}"
    return (None if v.value is None else float(v.value)), detail


def _period(target: Target, year: int) -> indicators.Period:
    plan = target.plan
    if target.period == "term":
        # At least two calendar years: a one-year span reads as "that year's term" to the term
        # indicators (see registry ``term_of``); years after today hold no records yet.
        return indicators.Period.term(plan.start_year, max(plan.start_year + 1, year))
    return indicators.Period.year(year)


def target_progress(target: Target, today: dt.date | None = None) -> TargetProgress:
    today = today or dt.date.today()
    plan = target.plan
    due = target.due_year
    year = min(today.year, due)
    key = target.indicator
    registry = indicators.load_all()
    unregistered = bool(key) and key not in registry
    points: list[tuple[int, float]] = []
    detail = ""
    value: float | None = None
    entries: list[Measurement] = []
    if key and not unregistered:
        label = registry[key].label
        if target.period == "term":  # cumulative from the plan's start; its first year only while current
            first = plan.start_year if year <= plan.start_year else plan.start_year + 1
        else:
            first = year - HISTORY_YEARS + 1
        for y in range(first, year + 1):
            v, d = _indicator_value(target, _period(target, y))
            if v is not None:
                points.append((y, v))
            if y == year:
                value, detail = v, d
        if value is None and points:  # nothing yet this year (e.g. before the year-end evaluation)
            year, value = points[-1]
            detail = "số liệu gần nhất"
    else:
        label = "Nhập thủ công" + (f" (chỉ số «{key}» chưa có)" if unregistered else "")
        by_year: OrderedDict[int, float] = OrderedDict()
        latest = None
        measured = sorted(target.measurements.all(), key=lambda m: (m.measured_on, m.id))  # uses the prefetch
        for m in measured:
            if m.measured_on.year > year:
                continue
            by_year[m.measured_on.year] = m.value
            latest = m
        entries = measured[::-1][:ENTRIES_SHOWN]
        points = [(y, v) for y, v in by_year.items() if y > year - HISTORY_YEARS or target.period == "term"]
        if latest is not None:
            value = latest.value
            detail = f"ngày {latest.measured_on:%d/%m/%Y}"
    fit = list(points)
    if target.period == "term" and fit and target.unit == "count":
        fit = [(plan.start_year - 1, 0.0), *fit]  # a cumulative count starts from nothing
    fc = forecast(fit, due, target.unit) if fit else None
    status = target_status(value, target.op, target.value, target.value_max, due_year=due, this_year=today.year,
                           forecast_value=fc)
    return TargetProgress(target=target, label=label, year=year, value=value, points=points, due_year=due,
                          forecast=fc, status=status, unregistered=unregistered, detail=detail, entries=entries)


def plan_progress(plan: Plan, today: dt.date | None = None) -> list[TargetProgress]:
    entered = Prefetch("measurements", queryset=Measurement.objects.select_related("entered_by"))
    targets = plan.targets.select_related("scope", "plan__issuer").prefetch_related(entered)
    return [target_progress(t, today) for t in targets]


def status_counts(rows: list[TargetProgress]) -> list[tuple[str, str, int]]:
    """(status, label, count) in display order, zeros included."""
    order = [Status.MET, Status.ON_TRACK, Status.AT_RISK, Status.MISSED, Status.UNKNOWN]
    return [(s.value, STATUS_LABELS[s], sum(1 for r in rows if r.status == s)) for s in order]


# -- tasks -----------------------------------------------------------------------------------------

@dataclass
class TaskRow:
    task: Task
    status: str
    status_label: str
    days_late: int = 0  # days past the deadline of an overdue task


@dataclass
class LeadGroup:
    lead: str
    rows: list[TaskRow] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.status == OVERDUE)

    @property
    def done(self) -> int:
        return sum(1 for r in self.rows if r.status == "done")


def task_rows(plan: Plan, today: dt.date | None = None) -> list[TaskRow]:
    today = today or dt.date.today()
    out = []
    for task in plan.tasks.select_related("lead_org"):
        status = task.shown_status(today)
        late = (today - task.ends_on).days if status == OVERDUE else 0
        out.append(TaskRow(task, status, TASK_STATUS_LABELS[status], late))
    return out


def task_board(plan: Plan, today: dt.date | None = None) -> list[LeadGroup]:
    """Tasks grouped by lead unit (chủ trì); groups with overdue tasks first, then by name."""
    groups: dict[str, LeadGroup] = {}
    for row in task_rows(plan, today):
        lead = row.task.lead_name or "Chưa giao đơn vị chủ trì"
        groups.setdefault(fold(lead), LeadGroup(lead)).rows.append(row)
    return sorted(groups.values(), key=lambda g: (-g.overdue, g.lead == "Chưa giao đơn vị chủ trì", fold(g.lead)))


def task_counts(rows: list[TaskRow]) -> list[tuple[str, str, int]]:
    order = ["done", "in_progress", "not_started", OVERDUE]
    return [(s, TASK_STATUS_LABELS[s], sum(1 for r in rows if r.status == s)) for s in order]


# -- cascade ---------------------------------------------------------------------------------------

CASCADE_SIMILARITY = 65


@dataclass
class CascadeRow:
    target: Target | None
    parent_target: Target | None
    how: str  # "indicator" | "text" | ""
    score: int = 0
    mine: TargetProgress | None = None  # filled by :func:`cascade_progress`
    theirs: TargetProgress | None = None


def cascade(plan: Plan) -> list[CascadeRow]:
    """The plan's targets beside its parent plan's: paired by indicator key, else by the best text
    similarity (rapidfuzz token sort ratio on folded text, at least 65, same unit); the rest unpaired."""
    from rapidfuzz import fuzz

    if plan.parent_id is None:
        return []
    mine = list(plan.targets.all())
    theirs = list(plan.parent.targets.all())
    used: set[int] = set()
    rows: list[CascadeRow] = []
    pending: list[Target] = []
    for t in mine:
        match = next((p for p in theirs if p.pk not in used and t.indicator and p.indicator == t.indicator
                      and p.period == t.period), None)
        match = match or next((p for p in theirs if p.pk not in used and t.indicator
                               and p.indicator == t.indicator), None)
        if match:
            used.add(match.pk)
            rows.append(CascadeRow(t, match, "indicator", 100))
        else:
            pending.append(t)
    for t in pending:
        best, score = None, 0
        for p in theirs:
            if p.pk in used or p.unit != t.unit:
                continue
            s = int(fuzz.token_sort_ratio(fold(t.text), fold(p.text)))
            if s > score:
                best, score = p, s
        if best is not None and score >= CASCADE_SIMILARITY:
            used.add(best.pk)
            rows.append(CascadeRow(t, best, "text", score))
        else:
            rows.append(CascadeRow(t, None, ""))
    rows.extend(CascadeRow(None, p, "") for p in theirs if p.pk not in used)
    return rows


def cascade_progress(plan: Plan, today: dt.date | None = None, *, parent_values: bool = True) -> list[CascadeRow]:
    """:func:`cascade` with each side's current value and status; ``parent_values=False`` leaves
    the parent's figures out (they cover a subtree the reader may not see)."""
    rows = cascade(plan)
    for row in rows:
        row.mine = target_progress(row.target, today) if row.target else None
        if parent_values and row.parent_target:
            row.theirs = target_progress(row.parent_target, today)
    return rows
