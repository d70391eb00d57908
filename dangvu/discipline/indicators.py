"""Discipline indicators: cases the competent level decided in a period."""

from __future__ import annotations

from dangvu.indicators import Period, Value, indicator
from dangvu.registry.models import Organization

from .selectors import decided_count


@indicator("discipline.cases_decided_count", "Số vụ việc kỷ luật đảng viên đã có quyết định trong kỳ", "count")
def cases_decided_count(org: Organization, period: Period) -> Value:
    """Cases of members of the subtree that the competent level decided in the period (a decision
    of no discipline included; appeals do not add a case)."""
    return Value.count(decided_count(org, period.start, period.end))
