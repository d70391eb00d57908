"""The indicator registry: the single source of every number on a page or in a report.

An indicator is a named, parameterised aggregate over an organization's subtree and a period:
key → (Vietnamese label, unit, query). Each app registers its own in ``<app>/indicators.py``;
queries aggregate in SQL (``path__startswith`` on the materialized path), never row by row.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class Period:
    """A half-open span of days [start, end] (both inclusive) the indicator looks at."""

    start: dt.date
    end: dt.date
    label: str = ""

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), f"năm {year}")

    @classmethod
    def quarter(cls, year: int, q: int) -> Period:
        start = dt.date(year, 3 * q - 2, 1)
        end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
        return cls(start, end, f"quý {q}/{year}")

    @classmethod
    def term(cls, first_year: int, last_year: int) -> Period:
        return cls(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31), f"nhiệm kỳ {first_year}–{last_year}")

    @property
    def as_of(self) -> dt.date:
        """The day a state indicator is read on: the period's end, or today if that is later."""
        return min(self.end, dt.date.today())


@dataclass(frozen=True)
class Value:
    value: float | int | None
    numerator: float | int | None = None
    denominator: float | int | None = None
    breakdown: dict[str, Any] | None = None

    @classmethod
    def share(cls, numerator: int, denominator: int) -> Value:
        """A percentage rounded to 2 decimals; None when there is nothing to divide by."""
        value = round(100.0 * numerator / denominator, 2) if denominator else None
        return cls(value=value, numerator=numerator, denominator=denominator)

    @classmethod
    def count(cls, n: int) -> Value:
        return cls(value=n, numerator=n, denominator=None)


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    unit: str  # "%" or "count"
    compute: Callable[..., Value]
    description: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def __call__(self, org, period: Period, **params: Any) -> Value:
        return self.compute(org, period, **(self.params | params))


REGISTRY: dict[str, Indicator] = {}


def indicator(key: str, label: str, unit: str, description: str = "", **params: Any):
    """Register ``fn(org, period, **params) -> Value`` under ``key``."""
    if unit not in ("%", "count"):
        raise ValueError(f"unit must be % or count: {key}")

    def register(fn: Callable[..., Value]) -> Callable[..., Value]:
        if key in REGISTRY:
            raise ValueError(f"indicator registered twice: {key}")
        REGISTRY[key] = Indicator(key, label, unit, fn, description or (fn.__doc__ or "").strip(), params)
        return fn

    return register


def load_all() -> dict[str, Indicator]:
    """Import every installed app's ``indicators`` module (idempotent)."""
    for config in apps.get_app_configs():
        if config.name.startswith("dangvu."):
            try:
                importlib.import_module(f"{config.name}.indicators")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.indicators":
                    raise
    return REGISTRY


def get(key: str) -> Indicator:
    load_all()
    return REGISTRY[key]


def compute(key: str, org, period: Period, **params: Any) -> Value:
    return get(key)(org, period, **params)


def compute_all(org, period: Period) -> dict[str, dict[str, Any]]:
    """Every registered indicator for one subtree and period, in the CLI's JSON shape."""
    out: dict[str, dict[str, Any]] = {}
    for key, ind in sorted(load_all().items()):
        v = ind(org, period)
        out[key] = {"value": v.value, "numerator": v.numerator, "denominator": v.denominator,
                    "label": ind.label, "unit": ind.unit}
        if v.breakdown is not None:
            out[key]["breakdown"] = v.breakdown
    return out
