"""Alerts indicator: how many alerts a subtree has on the period's reading day, per kind."""

from __future__ import annotations

from dangvu.core.alerts import count_by_kind
from dangvu.indicators import Period, Value, indicator
from dangvu.registry.models import Organization

from .selectors import alerts_for


@indicator("alerts.count", "Số cảnh báo cần xử lý", "count")
def alerts_count(org: Organization, period: Period) -> Value:
    """Alerts of the subtree on ``period.as_of`` (:func:`dangvu.alerts.selectors.alerts_for`), with
    the count of each kind (every kind listed, zero included) as the breakdown. Member statuses
    are read from the rolls as they stand, as for the registry's state indicators."""
    alerts = alerts_for(org, period.as_of)
    return Value(value=len(alerts), numerator=len(alerts), breakdown=count_by_kind(alerts))
