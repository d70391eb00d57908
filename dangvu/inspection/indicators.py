"""Inspection indicators: organizations inspected and supervised in the period, recommendations
carried out on time (Quy định 22-QĐ/TW, 28/7/2021; Hướng dẫn 02-HD/TW, 9/12/2021)."""

from __future__ import annotations

from dangvu.indicators import Period, Value, indicator
from dangvu.registry.models import Organization

from .selectors import organizations_in, organizations_reached, recommendations_due


def _reached_share(org: Organization, period: Period, activity: str) -> Value:
    whole = organizations_in(org, period.start, period.end).count()
    return Value.share(organizations_reached(org, activity, period.start, period.as_of), whole)


@indicator("inspection.organizations_inspected_share", "Tỷ lệ tổ chức đảng được kiểm tra trong kỳ", "%")
def organizations_inspected_share(org: Organization, period: Period) -> Value:
    """Organizations below ``org`` (existing in the period) that were the subject of an inspection
    carried out in the period (begun by its end, not concluded before its start), over all of them."""
    return _reached_share(org, period, "inspection")


@indicator("inspection.organizations_supervised_share", "Tỷ lệ tổ chức đảng được giám sát trong kỳ", "%")
def organizations_supervised_share(org: Organization, period: Period) -> Value:
    """As the inspected share, for supervision."""
    return _reached_share(org, period, "supervision")


@indicator("inspection.recommendations_done_on_time_share",
           "Tỷ lệ kiến nghị sau kiểm tra, giám sát được thực hiện đúng hạn", "%")
def recommendations_done_on_time_share(org: Organization, period: Period) -> Value:
    """Recommendations of the subtree's programmes due in the period, counted once their deadline
    has passed (or once done): the share carried out on or before the deadline."""
    on_time, counted = recommendations_due(org, period.start, period.end, period.as_of)
    return Value.share(on_time, counted)
