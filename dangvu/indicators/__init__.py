"""The indicators: the single source of every number on a page or in a report.

:mod:`.registry` holds the registry (key → label, unit, query) and the :func:`indicator`
decorator the apps register with; :mod:`.runner` loads the apps' ``indicators`` modules and
computes values. :class:`Period` lives in :mod:`dangvu.core.periods` and is re-exported here, so
``from dangvu.indicators import Period, Value, indicator, compute`` keeps working.
"""

from __future__ import annotations

from dangvu.core.periods import Period

from .registry import REGISTRY, Indicator, Value, indicator
from .runner import compute, compute_all, get, load_all

__all__ = ["REGISTRY", "Indicator", "Period", "Value", "compute", "compute_all", "get", "indicator", "load_all"]
