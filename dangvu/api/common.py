"""Helpers shared by the routers: the caller's scope and paging (the reads are registry selectors)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from dangvu.accounts.access import Access, access_for

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
