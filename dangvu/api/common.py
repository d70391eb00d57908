"""Helpers shared by the routers: paging, subtree filtering, counting by status."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest

from dangvu.accounts.access import Access, access_for
from dangvu.registry.models import MemberStatus, Organization

PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 500
PAGE_MAX = 10_000_000
DB_INT_MAX = 2**63 - 1


def access(request: HttpRequest) -> Access:
    """What the authenticated caller may read (token or session user)."""
    return access_for(getattr(request, "auth", None) or request.user)


def paginate(qs: QuerySet, page: int, page_size: int) -> tuple[int, list[Any]]:
    """One COUNT query, then the page's rows (none when the page is past the end)."""
    total = qs.count()
    start = (page - 1) * page_size
    if start >= total:
        return total, []
    return total, list(qs[start:start + page_size])


def subtree(org: Organization, prefix: str = "") -> dict[str, str]:
    """Filter kwargs for ``org`` and everything under it (materialized path prefix)."""
    return {f"{prefix}path__startswith": org.path}


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(MemberStatus.values, 0)


def counts_by_status(members: QuerySet) -> dict[str, int]:
    """Members per status in one aggregate query; every status is present."""
    counts = empty_counts()
    for row in members.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts
