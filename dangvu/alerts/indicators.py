"""Alerts indicator: how many alerts a subtree has on the period's reading day, per kind."""

from __future__ import annotations

from dangvu.indicators import Period, Value, indicator
from dangvu.registry.models import Organization

from .queries import alert_counts_by_kind


@indicator("alerts.count", "Số cảnh báo cần xử lý", "count")
def alerts_count(org: Organization, period: Period) -> Value:
    """Alerts of the subtree on ``period.as_of`` (the same as :func:`dangvu.alerts.selectors.alerts_for`), with
    the count of each kind (every kind listed, zero included) as the breakdown. Member statuses
    are read from the rolls as they stand, as for the registry's state indicators."""
    counts = alert_counts_by_kind(org, period.as_of)  # counted in SQL per kind, not built one by one
    n = sum(counts.values())
    return Value(value=n, numerator=n, breakdown=counts)
