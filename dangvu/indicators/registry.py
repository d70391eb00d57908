"""The indicator registry: key → (Vietnamese label, unit, query).

An indicator is a named, parameterised aggregate over an organization's subtree and a period.
Each app registers its own in ``<app>/indicators.py`` with :func:`indicator`; queries aggregate in
SQL over the subtree, never row by row. No Django import here: the registry is plain data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dangvu.core.periods import Period


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
    unit: str  # one of UNITS
    compute: Callable[..., Value]
    description: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def __call__(self, org: Any, period: Period, **params: Any) -> Value:
        return self.compute(org, period, **(self.params | params))


REGISTRY: dict[str, Indicator] = {}
UNITS = ("%", "count", "đồng")  # "đồng": an integer amount of money


def indicator(key: str, label: str, unit: str, description: str = "",
              **params: Any) -> Callable[[Callable[..., Value]], Callable[..., Value]]:
    """Register ``fn(org, period, **params) -> Value`` under ``key``."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}: {key}")

    def register(fn: Callable[..., Value]) -> Callable[..., Value]:
        if key in REGISTRY:
            raise ValueError(f"indicator registered twice: {key}")
        REGISTRY[key] = Indicator(key, label, unit, fn, description or (fn.__doc__ or "").strip(), params)
        return fn

    return register
