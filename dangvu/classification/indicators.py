"""Classification indicator: the share of a subtree's cells that earned the province's title."""

from __future__ import annotations

from dangvu.indicators import Period, Value, indicator
from dangvu.registry.models import Organization

from .selectors import classified_counts


@indicator("cells.classified_four_good_share",
           "Tỷ lệ chi bộ đạt danh hiệu «bốn tốt» (trong số chi bộ đã phân loại)", "%")
def classified_four_good_share(org: Organization, period: Period) -> Value:
    """Cells of the subtree that earned the title for the period's last year, out of the cells whose
    classification that year is decided (a cell still missing an entry counts in neither); the
    breakdown gives the undecided ones."""
    counts = classified_counts(org, period.end.year)
    v = Value.share(counts["earned"], counts["earned"] + counts["not_earned"])
    return Value(v.value, v.numerator, v.denominator, breakdown=counts)
