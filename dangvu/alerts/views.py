"""Alerts page: the alerts of the user's scope (or of one organization in it), a tile per kind with
its count (passed deadlines in red), a filter by kind, and each alert linked to its member,
prospect or organization. Outside the scope → 404, like every organization page."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from dangvu.common.views import access
from dangvu.core import clock
from dangvu.core.alerts import KIND_LABELS, KINDS, Alert, count_by_kind, count_passed_by_kind, sort_key
from dangvu.registry.models import Organization

from .selectors import alerts_for, organizations_at

PER_PAGE = 50
MEETING_KINDS = ("no_regular_meeting", "no_thematic_meeting")


def alert_url(alert: Alert) -> str:
    """Where an alert is acted on: the prospect's or member's page, the cell's meetings, the organization."""
    if alert.prospect_id is not None:
        return reverse("admission:prospect_detail", args=[alert.prospect_id])
    if alert.member_id is not None:
        return reverse("registry:member_detail", args=[alert.member_id])
    if alert.kind in MEETING_KINDS:
        return reverse("meetings:org_meetings", args=[alert.org_code])
    return reverse("registry:org_detail", args=[alert.org_code])


def _by_child(scope: Organization, alerts: list[Alert]) -> list[tuple[Organization, int, int]]:
    """(child organization, alerts, of which passed) for each child of ``scope`` that has alerts."""
    end = len(scope.path) + Organization.steplen
    total = Counter(a.org_path[:end] for a in alerts if len(a.org_path) >= end)
    passed = Counter(a.org_path[:end] for a in alerts if len(a.org_path) >= end and a.severity == "passed")
    if not total:
        return []
    children = organizations_at(total)
    return [(c, total[c.path], passed[c.path]) for c in children]


@login_required
def alert_list(request: HttpRequest, code: str | None = None) -> HttpResponse:
    acc = access(request)
    if not acc.sees_registry:
        raise Http404("Bạn chưa được phân quyền xem tổ chức nào.")
    scopes = [acc.get_org(code)] if code is not None else list(acc.roots.order_by("path"))
    today = clock.today()
    alerts = sorted((a for org in scopes for a in alerts_for(org, today)), key=sort_key)
    kind = request.GET.get("kind", "")
    error = ""
    if kind and kind not in KINDS:
        error = f"Không có loại cảnh báo «{kind[:60]}»; đang hiện mọi loại cảnh báo."
        kind = ""
    of_kind = [a for a in alerts if a.kind == kind] if kind else alerts
    places = _places(of_kind)
    where = request.GET.get("don-vi", "")
    if where and where not in {code for code, _name, _n in places}:
        error = error or "Đơn vị này không có cảnh báo nào (hoặc không thuộc phạm vi của bạn); đang hiện mọi đơn vị."
        where = ""
    shown = [a for a in of_kind if a.org_code == where] if where else of_kind
    # Grouped by organization (tree order), the most urgent first within each.
    shown = sorted(shown, key=lambda a: a.org_path)
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("trang") or 1)
    counts, passed = count_by_kind(alerts), count_passed_by_kind(alerts)
    tiles = [{"kind": k, "label": KIND_LABELS[k], "n": counts[k], "passed": passed[k]} for k in KINDS]
    filters = urlencode({k: v for k, v in (("kind", kind), ("don-vi", where)) if v})
    return render(request, "alerts/list.html", {
        "scopes": scopes, "org": scopes[0] if code is not None else None, "today": today,
        "total": len(alerts), "total_passed": sum(passed.values()), "tiles": tiles, "kind": kind,
        "kind_label": KIND_LABELS.get(kind, ""), "error": error, "page": page,
        "rows": [(a, alert_url(a)) for a in page], "groups": _groups(page, Counter(a.org_code for a in shown)),
        "places": places, "where": where, "filters": filters,
        "children": _by_child(scopes[0], alerts) if len(scopes) == 1 else [],
    })


def _places(alerts: list[Alert]) -> list[tuple[str, str, int]]:
    """(organization code, name, alerts) of every organization that has alerts, in tree order."""
    n = Counter(a.org_code for a in alerts)
    first = {}
    for a in alerts:
        first.setdefault(a.org_code, a)
    return [(c, first[c].org_name, n[c]) for c in sorted(first, key=lambda c: first[c].org_path)]


def _groups(page, totals: Counter) -> list[dict]:
    """The page's alerts by organization, each group with its count in the whole filtered list."""
    groups: list[dict] = []
    for a in page:
        if not groups or groups[-1]["code"] != a.org_code:
            groups.append({"code": a.org_code, "name": a.org_name, "n": totals[a.org_code], "rows": []})
        groups[-1]["rows"].append((a, alert_url(a)))
    return groups
