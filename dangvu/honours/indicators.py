"""Honours indicators: Party badges due on an occasion and badges awarded in a period."""

from __future__ import annotations

import datetime as dt

from dangvu.core.badges import next_occasion
from dangvu.core.rulesets import ruleset_for
from dangvu.indicators import Period, Value, indicator
from dangvu.registry.models import Organization

from .selectors import awarded_count, badge_due_counts, exemplary_counts


@indicator("badges.due_count", "Số đảng viên đủ điều kiện tặng Huy hiệu Đảng vào dịp tới", "count")
def badges_due_count(org: Organization, period: Period, occasion: dt.date | None = None) -> Value:
    """Living members of the subtree due a badge on ``occasion`` (default: the first occasion on or
    after the period's reading day), whether proposed yet or not; the breakdown counts them per
    badge (years → members)."""
    occasion = occasion or next_occasion(period.as_of, ruleset_for(period.as_of))
    per_badge = {str(badge): n for badge, n in sorted(badge_due_counts(org, occasion).items())}
    total = sum(per_badge.values())
    return Value(value=total, numerator=total, breakdown=per_badge)


@indicator("badges.awarded_count", "Số Huy hiệu Đảng đã có quyết định tặng trong kỳ", "count")
def badges_awarded_count(org: Organization, period: Period) -> Value:
    """Badges decided in the period for members of the subtree (posthumous and early included)."""
    return Value.count(awarded_count(org, period.start, period.end))


@indicator("members.exemplary_share", "Tỷ lệ đảng viên tiêu biểu (nơi cấp ủy có ghi nhận)", "%")
def exemplary_share(org: Organization, period: Period) -> Value:
    """Members named exemplary (đảng viên tiêu biểu) for the period's last year over the members on
    the rolls, in the parts of the subtree whose committee recorded that year. Absent (value None,
    "chưa ghi nhận") where no committee recorded anything for the year."""
    counts = exemplary_counts(org, period.end.year)
    if counts is None:
        return Value(value=None, breakdown={"note": "chưa ghi nhận"})
    return Value.share(*counts)
