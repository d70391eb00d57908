"""Alerts page: the alerts of the user's scope (or of one organization in it), a tile per kind with
its count (passed deadlines in red), a filter by kind, and each alert linked to its member,
prospect or organization. Outside the scope → 404, like every organization page."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dangvu.common.views import access
from dangvu.core import clock
from dangvu.core.alerts import KIND_LABELS, KINDS, Alert
from dangvu.registry.models import Organization

from .queries import PAGE_SIZE, SubtreeAlerts, covering, page_key, per_organization
from .selectors import organizations_at
from .services import Counted, counted_alerts

PLACES_IN_FILTER = 200
MEETING_KINDS = ("no_regular_meeting", "no_thematic_meeting")


def alert_url(alert: Alert) -> str:
    """Where an alert is acted on: the prospect's or member's page, the cell's meetings, the organization."""
    if alert.prospect_id is not None:
        return reverse("admission:prospect_detail", args=[alert.prospect_id])
    if alert.member_id is not None:
        return reverse("registry:member_detail", args=[alert.member_id])
    if alert.kind == "fees_remittance_late":
        return reverse("fees:remittances", args=[alert.org_code])
    if alert.kind == "inspection_recommendation_overdue":
        return reverse("inspection:org_programmes", args=[alert.org_code])
    if alert.kind in MEETING_KINDS:
        return reverse("meetings:org_meetings", args=[alert.org_code])
    return reverse("registry:org_detail", args=[alert.org_code])


def _by_child(scope: Organization, counts: list[tuple]) -> list[tuple[Organization, int, int]]:
    """(child organization, alerts, of which passed) for each child of ``scope`` that has alerts."""
    end = len(scope.path) + Organization.steplen
    total: Counter = Counter()
    passed: Counter = Counter()
    for path, _code, _name, _kind, severity, n in counts:
        if len(path) >= end:
            total[path[:end]] += n
            if severity == "passed":
                passed[path[:end]] += n
    if not total:
        return []
    children = organizations_at(total)
    return [(c, total[c.path], passed[c.path]) for c in children]


class _AlertPages:
    """The filtered alerts as the paginator's list: its length from the counts, a slice fetched
    for the organizations it covers only (each kind with ``LIMIT``)."""

    def __init__(self, subtrees: list[SubtreeAlerts], per_org: list[tuple[str, int]], kind: str) -> None:
        self.subtrees, self.per_org, self.kind = subtrees, per_org, kind

    def __len__(self) -> int:
        return sum(n for _path, n in self.per_org)

    def __getitem__(self, s: slice) -> list[Alert]:
        start, stop = s.start or 0, min(s.stop if s.stop is not None else len(self), len(self))
        paths, skip = covering(self.per_org, start, stop)
        limit = skip + stop - start
        rows = [a for st in self.subtrees
                for a in st.rows([p for p in paths if p.startswith(st.org.path)], self.kind, limit)]
        return sorted(rows, key=page_key)[skip:skip + stop - start]


@login_required
def alert_list(request: HttpRequest, code: str | None = None) -> HttpResponse:
    acc = access(request)
    if not acc.sees_registry:
        raise Http404("Bạn chưa được phân quyền xem tổ chức nào.")
    scopes = [acc.get_org(code)] if code is not None else list(acc.roots.order_by("path"))
    today = clock.today()
    if request.method == "POST":  # «Tính lại»: count again now, then show the page as a GET
        for org in scopes:
            counted_alerts(org, today, refresh=True)
        return redirect(request.get_full_path())
    counted = [counted_alerts(org, today) for org in scopes]
    subtrees = [c.alerts for c in counted]
    counts = [row for st in subtrees for row in st.counts()]
    kind = request.GET.get("kind", "")
    error = ""
    if kind and kind not in KINDS:
        error = f"Không có loại cảnh báo «{kind[:60]}»; đang hiện mọi loại cảnh báo."
        kind = ""
    of_kind = [r for r in counts if r[3] == kind] if kind else counts
    places = _places(of_kind)
    where = request.GET.get("don-vi", "")
    if where and where not in {code for code, _name, _n in places}:
        error = error or "Đơn vị này không có cảnh báo nào (hoặc không thuộc phạm vi của bạn); đang hiện mọi đơn vị."
        where = ""
    shown = [r for r in of_kind if r[1] == where] if where else of_kind
    page = Paginator(_AlertPages(subtrees, per_organization(shown), kind), PAGE_SIZE).get_page(
        request.GET.get("trang") or 1)
    by_kind, passed = Counter(), Counter()
    for _path, _code, _name, k, severity, n in counts:
        by_kind[k] += n
        passed[k] += n if severity == "passed" else 0
    tiles = [{"kind": k, "label": KIND_LABELS[k], "n": by_kind[k], "passed": passed[k]} for k in KINDS]
    filters = urlencode({k: v for k, v in (("kind", kind), ("don-vi", where)) if v})
    totals = Counter()
    for _path, c, _name, _kind, _severity, n in shown:
        totals[c] += n
    return render(request, "alerts/list.html", {
        "scopes": scopes, "org": scopes[0] if code is not None else None, "today": today,
        "total": sum(by_kind.values()), "total_passed": sum(passed.values()), "tiles": tiles, "kind": kind,
        "kind_label": KIND_LABELS.get(kind, ""), "error": error, "page": page,
        "rows": [(a, alert_url(a)) for a in page], "groups": _groups(page, totals),
        "places": places, "where": where, "filters": filters, "place_choices": _place_choices(places, where),
        "children": _by_child(scopes[0], counts) if len(scopes) == 1 else [],
        "stale": _stale(counted),
    })


def _stale(counted: list[Counted]) -> dict | None:
    """When the counts shown are the stored ones though data changed since (a large subtree):
    the oldest counting time and the changes since, for the note above the tiles."""
    old = [c for c in counted if c.changes]
    if not old:
        return None
    return {"at": min(c.computed_at for c in old), "changes": sum(c.changes for c in old)}


def _place_choices(places: list[tuple[str, str, int]], where: str) -> list[tuple[str, str, int]]:
    """The filter's choices: every organization with alerts, or, above :data:`PLACES_IN_FILTER` of
    them (a province: thousands, a page of options no one scrolls), only the one chosen."""
    if len(places) <= PLACES_IN_FILTER:
        return places
    return [p for p in places if p[0] == where]


def _places(counts: list[tuple]) -> list[tuple[str, str, int]]:
    """(organization code, name, alerts) of every organization that has alerts, in tree order."""
    n: Counter = Counter()
    first: dict[str, tuple[str, str]] = {}
    for path, c, name, _kind, _severity, k in counts:
        n[c] += k
        first.setdefault(c, (path, name))
    return [(c, first[c][1], n[c]) for c in sorted(first, key=lambda c: first[c][0])]


def _groups(page, totals: Counter) -> list[dict]:
    """The page's alerts by organization, each group with its count in the whole filtered list."""
    groups: list[dict] = []
    for a in page:
        if not groups or groups[-1]["code"] != a.org_code:
            groups.append({"code": a.org_code, "name": a.org_name, "n": totals[a.org_code], "rows": []})
        groups[-1]["rows"].append((a, alert_url(a)))
    return groups
