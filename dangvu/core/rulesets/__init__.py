"""Dated rule sets: every number a Party regulation fixes, with its source.

Each YAML file in this folder is one rule set with an ``effective`` date. The rule set in force
on a day is the newest one effective on or before it. A province (or a committee, for items the
regulations leave open) may override single parameters; overrides are data kept by the caller
(the database) and applied with :meth:`RuleSet.with_overrides`.

Code never writes these numbers as literals: it asks ``ruleset_for(day)["meeting.min_minutes"]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from dangvu.core import clock

_HERE = Path(__file__).parent


class UnknownRule(KeyError):
    """A parameter name that no rule set defines."""


@dataclass(frozen=True)
class RuleSet:
    """One dated set of rule parameters; values are read with ``rs[key]``."""

    name: str
    effective: dt.date
    params: Mapping[str, Any]
    sources: Mapping[str, str]
    labels: Mapping[str, str] = field(default_factory=dict)
    overridden: frozenset[str] = frozenset()

    def __getitem__(self, key: str) -> Any:
        try:
            return self.params[key]
        except KeyError as exc:
            raise UnknownRule(key) from exc

    def __contains__(self, key: object) -> bool:
        return key in self.params

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    def source(self, key: str) -> str:
        """The regulation a parameter comes from (or who overrode it)."""
        return self.sources.get(key, "")

    def with_overrides(self, overrides: Mapping[str, Any], by: str = "") -> RuleSet:
        """A copy with some parameters replaced; unknown keys are refused so typos surface."""
        unknown = set(overrides) - set(self.params)
        if unknown:
            raise UnknownRule(", ".join(sorted(unknown)))
        params = dict(self.params) | dict(overrides)
        sources = dict(self.sources) | {k: f"Điều chỉnh: {by}".strip() for k in overrides}
        return RuleSet(
            name=f"{self.name} + {by}" if by else self.name,
            effective=self.effective,
            params=params,
            sources=sources,
            labels=self.labels,
            overridden=self.overridden | frozenset(overrides),
        )


def _parse(path: Path) -> RuleSet:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    params: dict[str, Any] = {}
    sources: dict[str, str] = {}
    labels: dict[str, str] = {}
    for key, spec in raw["params"].items():
        params[key] = spec["value"]
        sources[key] = spec.get("source", "")
        labels[key] = spec.get("label", key)
    effective = raw["effective"]
    if isinstance(effective, str):
        effective = dt.date.fromisoformat(effective)
    return RuleSet(name=raw["name"], effective=effective, params=params, sources=sources, labels=labels)


@lru_cache(maxsize=1)
def load_rulesets() -> tuple[RuleSet, ...]:
    """All shipped rule sets, oldest first. A later file inherits what it does not restate."""
    sets = sorted((_parse(p) for p in _HERE.glob("*.yaml")), key=lambda r: r.effective)
    merged: list[RuleSet] = []
    for rs in sets:
        if merged:
            prev = merged[-1]
            rs = RuleSet(
                name=rs.name,
                effective=rs.effective,
                params=dict(prev.params) | dict(rs.params),
                sources=dict(prev.sources) | dict(rs.sources),
                labels=dict(prev.labels) | dict(rs.labels),
            )
        merged.append(rs)
    return tuple(merged)


def ruleset_for(on: dt.date | None = None, overrides: Mapping[str, Any] | None = None, by: str = "") -> RuleSet:
    """The rule set in force on ``on`` (today if None), with optional local overrides."""
    on = on or clock.today()
    sets = load_rulesets()
    chosen = sets[0]
    for rs in sets:
        if rs.effective <= on:
            chosen = rs
    return chosen.with_overrides(overrides, by) if overrides else chosen
