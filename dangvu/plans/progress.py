"""Read side of plans: each target's figures over the years — one series per binding (its
indicator over the target's scope, with the binding's params), or the manual measurements of a
target without bindings — with current value, forecast and status; the target's status is the
worst of its series. Also the tasks by lead unit and the cascade beside the parent plan. Never
writes.

Every number comes from the indicator registry (a binding's indicator, over the scope
organization, computed with the binding's params) or from the target's manual measurements.

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
from textwrap import shorten

from dangvu import indicators
from dangvu.core import clock
from dangvu.core.plan_status import (
    STATUS_LABELS,
    Status,
    forecast,
    goal_text,
    number,
    target_status,
)
from dangvu.core.text import fold

from . import bindings as B
from . import selectors as sel
from .models import OVERDUE, TASK_STATUS_LABELS, Binding, Measurement, Plan, Target, Task
from .snapshots import Figures

HISTORY_YEARS = 5
ENTRIES_SHOWN = 10  # a manual target's latest values listed with who entered them
MANUAL_LABEL = "Nhập thủ công"
# Worst first: a target is as far from its goal as its weakest series. No data is worse than on
# track (nothing shows the goal is reached) but better than a figure known to fall short.
SEVERITY = [Status.MISSED, Status.AT_RISK, Status.UNKNOWN, Status.ON_TRACK, Status.MET]


def worst(statuses: list[Status]) -> Status:
    """The most severe status (unknown for none)."""
    return min(statuses, key=SEVERITY.index) if statuses else Status.UNKNOWN


@dataclass
class Series:
    """One measured figure of a target: a binding's indicator, or the manual measurements."""

    target: Target
    binding: Binding | None
    label: str  # the indicator's label, or "Nhập thủ công"
    params_text: str  # the binding's params in Vietnamese ("chi bộ thôn, bản, tổ dân phố")
    year: int  # the year the current value belongs to
    value: float | None
    points: list[tuple[int, float]]  # (year, value), oldest first
    due_year: int
    forecast: float | None
    status: Status
    unregistered: bool = False  # bound to a key no app registers
    error: str = ""  # why the indicator gave no figure (params it does not take)
    detail: str = ""  # numerator/denominator when the indicator gives them
    entries: list[Measurement] = field(default_factory=list)  # a manual target's values, latest first

    @property
    def how(self) -> str:
        """How it is measured, in words: label and params."""
        return self.label + (f" — {self.params_text}" if self.params_text else "")

    @property
    def title(self) -> str:
        """The target's text, and the measure when the target has several."""
        if len(self.target.bindings.all()) > 1:
            return f"{self.target.text} ({self.how})"
        return self.target.text

    @property
    def confirmed(self) -> bool:
        return self.binding is None or self.binding.confirmed

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


LEAD_ATTRIBUTES = frozenset({"label", "year", "value", "points", "due_year", "forecast", "detail", "entries",
                             "unregistered", "forecast_pending", "value_text", "forecast_text", "how"})


@dataclass
class TargetProgress:
    """A target with its series (one per binding; the manual one when it has none) and the
    worst of their statuses. The single-figure attributes read the series that sets the status."""

    target: Target
    series: list[Series]
    status: Status

    @property
    def lead(self) -> Series:
        return next(x for x in self.series if x.status == self.status)

    @property
    def multiple(self) -> bool:
        return len(self.series) > 1

    @property
    def manual(self) -> bool:
        return self.series[0].binding is None

    def __getattr__(self, name: str):
        # The single figure of the target (value, year, forecast, …) is its lead series'.
        if name not in LEAD_ATTRIBUTES:
            raise AttributeError(name)
        return getattr(self.lead, name)

    @property
    def goal(self) -> str:
        t = self.target
        return goal_text(t.op, t.value, t.value_max, t.unit)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def short_text(self) -> str:
        return shorten(self.target.text, 160, placeholder=" …")


def _indicator_value(key: str, target: Target, params: dict, period: indicators.Period,
                     figures: Figures) -> tuple[float | None, str]:
    """One indicator figure; ``figures`` (one per page) computes a figure several targets share
    once and reads past years from storage (:mod:`.snapshots`)."""
    return figures.value(key, target.scope_org, period, params)


def _period(target: Target, year: int) -> indicators.Period:
    plan = target.plan
    if target.period == "term":
        # At least two calendar years: a one-year span reads as "that year's term" to the term
        # indicators (see registry ``term_of``); years after today hold no records yet.
        return indicators.Period.term(plan.start_year, max(plan.start_year + 1, year))
    return indicators.Period.year(year)


def _finish(target: Target, binding: Binding | None, label: str, params_text: str, year: int, value, points,
            detail: str, today: dt.date, **extra) -> Series:
    plan, due = target.plan, target.due_year
    fit = list(points)
    if target.period == "term" and fit and target.unit == "count":
        fit = [(plan.start_year - 1, 0.0), *fit]  # a cumulative count starts from nothing
    fc = forecast(fit, due, target.unit) if fit else None
    status = target_status(value, target.op, target.value, target.value_max, due_year=due, this_year=today.year,
                           forecast_value=fc)
    return Series(target=target, binding=binding, label=label, params_text=params_text, year=year, value=value,
                  points=points, due_year=due, forecast=fc, status=status, detail=detail, **extra)


def binding_series(target: Target, binding: Binding, today: dt.date, figures: Figures | None = None) -> Series:
    """A binding's figures: its indicator over the target's scope, with its params, year by year."""
    plan = target.plan
    year = min(today.year, target.due_year)
    key, params = binding.indicator, B.clean_params(binding.params)
    words = B.params_text(params)
    if key not in indicators.load_all():
        return _finish(target, binding, B.label(key), words, year, None, [], "", today, unregistered=True)
    label = indicators.get(key).label
    figures = figures if figures is not None else Figures(today)
    if target.period == "term":  # cumulative from the plan's start; its first year only while current
        first = plan.start_year if year <= plan.start_year else plan.start_year + 1
    else:
        first = year - HISTORY_YEARS + 1
    points: list[tuple[int, float]] = []
    value, detail = None, ""
    try:
        for y in range(first, year + 1):
            v, d = _indicator_value(key, target, params, _period(target, y), figures)
            if v is not None:
                points.append((y, v))
            if y == year:
                value, detail = v, d
    except TypeError:  # params the indicator does not take (stored before a key changed): no figure
        return _finish(target, binding, label, words, year, None, [], "", today,
                       error="Tham số không phù hợp với chỉ số; hãy sửa cách đo.")
    if value is None and points:  # nothing yet this year (e.g. before the year-end evaluation)
        year, value = points[-1]
        detail = "số liệu gần nhất"
    return _finish(target, binding, label, words, year, value, points, detail, today)


def manual_series(target: Target, today: dt.date) -> Series:
    """A target without bindings: the values people entered, the latest of each year."""
    year = min(today.year, target.due_year)
    by_year: OrderedDict[int, float] = OrderedDict()
    latest = None
    measured = sorted(target.measurements.all(), key=lambda m: (m.measured_on, m.id))  # uses the prefetch
    for m in measured:
        if m.measured_on.year > year:
            continue
        by_year[m.measured_on.year] = m.value
        latest = m
    points = [(y, v) for y, v in by_year.items() if y > year - HISTORY_YEARS or target.period == "term"]
    value, detail = None, ""
    if latest is not None:
        value = latest.value
        detail = f"ngày {latest.measured_on:%d/%m/%Y}"
    return _finish(target, None, MANUAL_LABEL, "", year, value, points, detail, today,
                   entries=measured[::-1][:ENTRIES_SHOWN])


def target_progress(target: Target, today: dt.date | None = None, figures: Figures | None = None) -> TargetProgress:
    """One target's progress; without ``figures`` its past figures are read from and stored to
    the snapshot table on the spot."""
    today = today or clock.today()
    own = figures is None
    figures = figures if figures is not None else Figures(today)
    bindings = list(target.bindings.all())
    series = [binding_series(target, b, today, figures) for b in bindings] or [manual_series(target, today)]
    if own:
        figures.save()
    return TargetProgress(target=target, series=series, status=worst([x.status for x in series]))


def plan_progress(plan: Plan, today: dt.date | None = None, figures: Figures | None = None) -> list[TargetProgress]:
    """Every target's progress. Past years come from stored figures (computed and stored the first
    time, or when their data changed); the current period is computed on each call."""
    today = today or clock.today()
    figures = figures if figures is not None else Figures(today)
    targets = list(sel.targets_with_figures(plan))
    figures.preload(_scope_orgs(targets))
    rows = [target_progress(t, today, figures) for t in targets]
    figures.save()
    return rows


def _scope_orgs(targets: list[Target]) -> list:
    seen: dict[int, object] = {}
    for t in targets:
        seen.setdefault(t.scope_org.pk, t.scope_org)
    return list(seen.values())


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
    today = today or clock.today()
    out = []
    for task in sel.plan_tasks(plan):
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
    """The plan's targets beside its parent plan's: paired by a shared binding key, else by the best text
    similarity (rapidfuzz token sort ratio on folded text, at least 65, same unit); the rest unpaired."""
    from rapidfuzz import fuzz

    if plan.parent_id is None:
        return []
    mine = list(sel.targets_with_figures(plan))
    theirs = list(sel.targets_with_figures(plan.parent))
    keys = {t.pk: {b.indicator for b in t.bindings.all()} for t in [*mine, *theirs]}
    used: set[int] = set()
    rows: list[CascadeRow] = []
    pending: list[Target] = []
    for t in mine:
        shared = [p for p in theirs if p.pk not in used and keys[t.pk] & keys[p.pk]]
        match = next((p for p in shared if p.period == t.period), None) or next(iter(shared), None)
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
    today = today or clock.today()
    rows = cascade(plan)
    figures = Figures(today)
    figures.preload(_scope_orgs([t for r in rows for t in (r.target, r.parent_target if parent_values else None) if t]))
    for row in rows:
        row.mine = target_progress(row.target, today, figures) if row.target else None
        if parent_values and row.parent_target:
            row.theirs = target_progress(row.parent_target, today, figures)
    figures.save()
    return rows
