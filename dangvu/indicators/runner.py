"""Running the registered indicators: load every app's ``indicators`` module, compute one or all."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps

from dangvu.core.periods import Period

from .registry import REGISTRY, Indicator, Value


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


def compute(key: str, org: Any, period: Period, **params: Any) -> Value:
    return get(key)(org, period, **params)


def compute_all(org: Any, period: Period) -> dict[str, dict[str, Any]]:
    """Every registered indicator for one subtree and period, in the CLI's JSON shape."""
    out: dict[str, dict[str, Any]] = {}
    for key, ind in sorted(load_all().items()):
        v = ind(org, period)
        out[key] = {"value": v.value, "numerator": v.numerator, "denominator": v.denominator,
                    "label": ind.label, "unit": ind.unit}
        if v.breakdown is not None:
            out[key]["breakdown"] = v.breakdown
    return out
