"""Where a plan's target stands: met, on track, at risk or missed — and the forecast behind it.

Pure Python (numpy for the least-squares fit), no Django. A target is a goal on one number:

- ``op`` is one of ``>=``, ``>``, ``<=``, ``<``, ``=``, ``range`` (see plan-format.md); ``=`` is
  the plan's bare "100% …" (duy trì 100%): met only at exactly the goal, never "almost";
- ``due_year`` is the year the goal falls due (the target's ``by``, else the plan's last year).

Status, as of ``this_year``:

- **met**: the current value meets the goal;
- **missed**: the due year is over and the value of the due year does not meet it;
- **on track**: not yet due, not met now, but the trend's forecast for the due year meets it;
- **at risk**: not yet due, and the forecast misses (or there is no trend to speak of);
- **unknown**: no value at all yet.

The forecast is the least-squares straight line through the yearly values, read at the due year,
clamped to [0, 100] for a percentage (and to ≥ 0 for a count), rounded to 2 decimals for a share
and to a whole number for a count (people, cells, meetings: nobody reads "0,4 đảng viên").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum

OPS = (">=", ">", "<=", "<", "=", "range")
OP_LABELS = {">=": "từ … trở lên", ">": "trên", "<=": "không quá", "<": "dưới", "=": "đạt", "range": "từ … đến"}
UNITS = ("%", "count")
_EPS = 1e-9


class Status(StrEnum):
    MET = "met"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    MISSED = "missed"
    UNKNOWN = "unknown"


STATUS_LABELS = {
    Status.MET: "Đạt",
    Status.ON_TRACK: "Đúng tiến độ",
    Status.AT_RISK: "Có nguy cơ không đạt",
    Status.MISSED: "Không đạt",
    Status.UNKNOWN: "Chưa có số liệu",
}


def meets(value: float | None, op: str, goal: float, goal_max: float | None = None) -> bool:
    """Whether ``value`` satisfies ``op goal`` (``range``: goal ≤ value ≤ goal_max)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    if op == ">=":
        return value >= goal - _EPS
    if op == ">":
        return value > goal + _EPS
    if op == "<=":
        return value <= goal + _EPS
    if op == "<":
        return value < goal - _EPS
    if op == "=":
        return abs(value - goal) <= _EPS
    if op == "range":
        top = goal if goal_max is None else goal_max
        return goal - _EPS <= value <= top + _EPS
    raise ValueError(f"unknown op: {op}")


def clamp(value: float, unit: str) -> float:
    if unit == "%":
        return min(100.0, max(0.0, value))
    return max(0.0, value)


def forecast(points: Sequence[tuple[int, float]], year: int, unit: str = "%") -> float | None:
    """The least-squares linear trend through ``(year, value)`` points, read at ``year``.

    One point: the value itself (no trend). None without points. Clamped to [0, 100] for "%"
    (≥ 0 for a count); a share is rounded to 2 decimals, a count to whole units, half up
    (:func:`round_for_unit`).
    """
    pts = [(int(y), float(v)) for y, v in points if v is not None and math.isfinite(float(v))]
    if not pts:
        return None
    years = {y for y, _ in pts}
    if len(years) == 1:
        value = sum(v for _, v in pts) / len(pts)
    else:
        import numpy as np

        xs = np.array([y for y, _ in pts], dtype=float)
        ys = np.array([v for _, v in pts], dtype=float)
        x0 = xs.mean()  # centre the years: a better-conditioned fit
        slope, intercept = np.polyfit(xs - x0, ys, 1)
        value = float(slope * (year - x0) + intercept)
    return round_for_unit(clamp(value, unit), unit)


def round_for_unit(value: float, unit: str) -> float:
    """A figure as a plan states it: a count (``unit != "%"``: members, cells, meetings) in whole
    units, half up — a target counts people and things, never fractions of them (Hướng dẫn
    36-HD/VPTW: a report states its figures as the plan does); a share keeps 2 decimals."""
    if unit == "%":
        return round(value, 2)
    return float(math.floor(value + 0.5))


def target_status(current: float | None, op: str, goal: float, goal_max: float | None, *,
                  due_year: int | None, this_year: int, forecast_value: float | None) -> Status:
    """The status of a target (see the module docstring). ``current`` is the value of
    ``min(this_year, due_year)``; ``forecast_value`` the forecast for the due year."""
    if current is None:
        return Status.UNKNOWN
    if meets(current, op, goal, goal_max):
        return Status.MET
    if due_year is not None and this_year > due_year:
        return Status.MISSED
    if forecast_value is not None and meets(forecast_value, op, goal, goal_max):
        return Status.ON_TRACK
    return Status.AT_RISK


def goal_text(op: str, value: float, value_max: float | None, unit: str) -> str:
    """The goal in words: "≥ 90%", "100%", "3–4%", "≥ 19"."""
    suffix = "%" if unit == "%" else ""
    if op == "range":
        return f"{number(value)}–{number(value_max if value_max is not None else value)}{suffix}"
    sign = {">=": "≥ ", ">": "> ", "<=": "≤ ", "<": "< ", "=": ""}[op]
    return f"{sign}{number(value)}{suffix}"


def number(value: float | int | None) -> str:
    """A number the Vietnamese way: decimal comma, no trailing zeros ("5,2", "90", "66,67")."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return str(int(value))
    return f"{float(value):.2f}".rstrip("0").rstrip(".").replace(".", ",")
