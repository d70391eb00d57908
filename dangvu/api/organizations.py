"""Organizations in the caller's scope, and member counts by status."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from dangvu.accounts.access import Access
from dangvu.registry import selectors
from dangvu.registry.models import ACTIVE_STATUSES, Organization

from .common import access, paginate
from .schemas import (
    ErrorOut,
    OrganizationDetail,
    OrganizationFilters,
    OrganizationPage,
    StatsFilters,
    StatsOut,
    ValidationErrorOut,
)

router = Router(tags=["Tổ chức đảng"])
stats_router = Router(tags=["Thống kê"])


def _parent_path(org: Organization) -> str:
    return org.path[: -Organization.steplen]


def _items(acc: Access, orgs: list[Organization]) -> list[dict]:
    """Serialize a page of organizations: parents in one query, counts in one aggregate."""
    parent_paths = {_parent_path(o) for o in orgs if o.depth > 1}
    parents = selectors.parent_codes(acc, parent_paths)
    counts = selectors.counts_by_org_and_status(orgs)
    return [
        {
            "code": o.code,
            "name": o.name,
            "kind": o.kind,
            "sector": o.sector,
            "parent": parents.get(_parent_path(o)) if o.depth > 1 else None,
            "depth": o.depth,
            "established_on": o.established_on,
            "dissolved_on": o.dissolved_on,
            "member_counts": counts[o.pk],
        }
        for o in orgs
    ]


@router.get(
    "/",
    response={200: OrganizationPage, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Danh sách tổ chức đảng trong phạm vi được xem (theo thứ tự cây)",
)
def list_organizations(request: HttpRequest, filters: Query[OrganizationFilters]):
    acc = access(request)
    page, page_size, org, kind = filters.page, filters.page_size, filters.org, filters.kind
    qs = selectors.orgs_in_scope(acc, acc.get_org(org) if org else None, kind)
    total, rows = paginate(qs, page, page_size)
    return {"count": total, "page": page, "page_size": page_size, "results": _items(acc, rows)}


@router.get(
    "/{code}",
    response={200: OrganizationDetail, 404: ErrorOut},
    summary="Một tổ chức đảng",
)
def get_organization(request: HttpRequest, code: str):
    acc = access(request)
    o = acc.get_org(code)  # absent and out of scope look the same: 404
    item = _items(acc, [o])[0]
    children = selectors.child_codes(acc, o)
    return {
        **item,
        "kind_label": o.get_kind_display(),
        "address": o.address,
        "children": children,
        "subtree_member_counts": selectors.subtree_counts_by_status(o),
    }


@stats_router.get(
    "/",
    response={200: StatsOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Số đảng viên theo trạng thái trong phạm vi được xem",
)
def stats(request: HttpRequest, filters: Query[StatsFilters]):
    acc = access(request)
    org = filters.org
    scope = acc.get_org(org) if org else None
    by_status = selectors.counts_by_status(selectors.search_members(acc, scope=scope, statuses=None))
    return {
        "organization": org or None,
        "total": sum(by_status.values()),
        "active": sum(by_status[s] for s in ACTIVE_STATUSES),
        "by_status": by_status,
    }
