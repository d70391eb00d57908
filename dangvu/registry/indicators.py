"""Registry indicators: membership counts over a subtree, by SQL aggregation."""

from __future__ import annotations

from django.db.models import Count, Q

from dangvu.indicators import Period, Value, indicator

from .models import ACTIVE_STATUSES, CELL_KINDS, Member, MemberStatus, Organization, StatusChange


def members_in(org: Organization):
    return Member.objects.filter(organization__path__startswith=org.path)


@indicator("members.count", "Số đảng viên đang sinh hoạt", "count")
def members_count(org: Organization, period: Period) -> Value:
    """Active members (probationary, full, exempt) now on the rolls of the subtree."""
    return Value.count(members_in(org).filter(status__in=ACTIVE_STATUSES).count())


@indicator("members.by_status", "Đảng viên theo trạng thái", "count")
def members_by_status(org: Organization, period: Period) -> Value:
    """Members of the subtree by status (every status listed, zero included)."""
    rows = dict(members_in(org).values_list("status").annotate(n=Count("id")).order_by())
    breakdown = {s: rows.get(s, 0) for s in MemberStatus.values}
    active = sum(breakdown[s] for s in ACTIVE_STATUSES)
    return Value(value=active, numerator=active, breakdown=breakdown)


@indicator("cells.count", "Số chi bộ", "count")
def cells_count(org: Organization, period: Period) -> Value:
    """Cells (chi bộ trực thuộc and chi bộ cơ sở) in the subtree, not dissolved."""
    n = Organization.objects.filter(path__startswith=org.path, kind__in=CELL_KINDS,
                                    dissolved_on__isnull=True).count()
    return Value.count(n)


@indicator("members.events_in_period", "Biến động đảng viên trong kỳ", "count")
def events_in_period(org: Organization, period: Period) -> Value:
    """Lifecycle events recorded in the period for members now in the subtree, by event."""
    rows = dict(
        StatusChange.objects.filter(member__organization__path__startswith=org.path,
                                    on__gte=period.start, on__lte=period.end)
        .values_list("event").annotate(n=Count("id")).order_by()
    )
    return Value(value=sum(rows.values()), numerator=sum(rows.values()), breakdown=rows)


def count_members_by_org(orgs) -> dict[int, int]:
    """Active members under each given organization (one query per call, for tree pages)."""
    q = {}
    for org in orgs:
        q[f"o{org.pk}"] = Count("id", filter=Q(organization__path__startswith=org.path))
    if not q:
        return {}
    agg = Member.objects.filter(status__in=ACTIVE_STATUSES).aggregate(**q)
    return {int(k[1:]): v for k, v in agg.items()}
