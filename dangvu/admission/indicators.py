"""Admission pipeline indicators: prospects in the pipeline and admissions against quotas.

The counts of admissions made (per year, per term, students, shares of the members at the start)
are the registry's indicators; these are the pipeline's. All by SQL aggregation over the subtree.
"""

from __future__ import annotations

from django.db.models import Count, Q

from dangvu.indicators import Period, Value, indicator
from dangvu.registry.models import Organization, subtree_q

from .models import OPEN_STAGES, Prospect, Stage
from .selectors import admissions, subtree_quota


def _open_on(org: Organization, period: Period):
    """Prospects of the subtree on the list on ``period.as_of``: listed by then, neither admitted
    (decision) nor dropped by then."""
    day = period.as_of
    # The subtree's organization ids first (subtree_q), so the prospects' organization index does
    # the work instead of a join on every organization's path.
    return (Prospect.objects.filter(subtree_q(org, via="organization__"), listed_on__lte=day)
            .exclude(stage=Stage.ADMITTED, decision_on__lte=day)
            .exclude(stage=Stage.DROPPED, dropped_on__lte=day))


@indicator("prospects.count", "Số quần chúng ưu tú trong diện tạo nguồn", "count")
def prospects_count(org: Organization, period: Period) -> Value:
    """Prospects of the subtree still on the list on the period's reading day (``as_of``); the
    breakdown gives those still open today by their current stage."""
    qs = _open_on(org, period)
    agg = qs.aggregate(n=Count("id"), **{str(s): Count("id", filter=Q(stage=s)) for s in OPEN_STAGES})
    n = agg.pop("n")
    return Value(value=n, numerator=n, breakdown=agg)


@indicator("prospects.course_passed_count", "Số quần chúng ưu tú đã học lớp bồi dưỡng nhận thức về Đảng",
           "count")
def prospects_course_passed_count(org: Organization, period: Period) -> Value:
    """Prospects on the list on ``as_of`` (see ``prospects.count``) holding a party-awareness
    course certificate obtained by then."""
    n = _open_on(org, period).filter(course_passed_on__lte=period.as_of).count()
    return Value.count(n)


@indicator("admissions.quota_progress_share", "Tỷ lệ thực hiện chỉ tiêu kết nạp đảng viên", "%")
def quota_progress_share(org: Organization, period: Period) -> Value:
    """Admissions made in the subtree during the period (the registry's "admit" events) ÷ the
    subtree's quota: for a period within one year, that year's quotas; for a period spanning years
    (a term, ``Period.term``), the term's quotas ("2025-2030"), or else the sum of the yearly quotas
    of those years. Quotas set at several levels count once (the topmost). No quota → no value.
    Breakdown: students admitted and the students' quota."""
    first, last = period.start.year, period.end.year
    if first == last:
        target, students_target = subtree_quota(org, year=first)
    else:
        target, students_target = subtree_quota(org, term=f"{first}-{last}")
        if target is None:
            yearly = [subtree_quota(org, year=y) for y in range(first, last + 1)]
            if any(t is not None for t, _ in yearly):
                target = sum(t or 0 for t, _ in yearly)
                students_target = sum(s or 0 for _, s in yearly)
    done = admissions(org, period.start, period.end)
    v = Value.share(done.admitted, target or 0)
    return Value(value=v.value, numerator=v.numerator, denominator=target,
                 breakdown={"students": done.students, "students_target": students_target})
