"""Fees indicators. Each reads the fees app's selectors (:mod:`dangvu.fees.flows`) over the subtree."""

from __future__ import annotations

from dangvu.indicators import Period, Value, indicator
from dangvu.registry.models import Organization

from .flows import remitted_on_time


# -- remittances up the tree (h-feeshare) ------------------------------------------------------
@indicator("fees.remitted_on_time_share", "Tỷ lệ lượt nộp đảng phí lên cấp trên đúng hạn", "%")
def remitted_on_time_share(org: Organization, period: Period) -> Value:
    """Of the monthly remittances that organizations of the subtree owed the level above with a
    deadline in the period (up to its reading day), the share first sent by the deadline
    (``fees.remit_by_day`` of the following month). A month counts when the books made something
    due or something was sent. Quyết định 342-QĐ/TW."""
    on, due = remitted_on_time(org, period.start, period.as_of)
    return Value.share(on, due)
