"""Letters indicators: the share of letters settled by their deadline."""

from __future__ import annotations

from dangvu.indicators import Period, Value, indicator
from dangvu.registry.models import Organization

from .selectors import on_time_counts


@indicator("letters.handled_on_time_share", "Tỷ lệ đơn thư giải quyết đúng hạn", "%")
def handled_on_time_share(org: Organization, period: Period) -> Value:
    """Letters of the subtree to be handled (not kept for reference) whose deadline falls in the
    period and whose outcome is known on the reading day (settled, or the deadline passed): the
    share settled on or before the deadline. None when no such letter exists."""
    done, counted = on_time_counts(org, period.start, period.end, period.as_of)
    return Value.share(done, counted)
