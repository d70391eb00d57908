"""Party groups (tổ đảng) record their meetings like a cell (issue 17, point 6): a group's page
lists its meetings of the year; the record page (phone-sized) takes the meeting — in person or
online — and the exceptions to "everyone present" in one save. The meeting's detail, attendance
and minutes pages are the cell's own. Outside the reader's scope → 404, read-only → 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dangvu.common.views import access, require_edit, service_form
from dangvu.core import clock
from dangvu.registry.models import MemberStatus, Organization, OrgKind

from . import forms as f
from . import selectors as sel
from . import services as s
from .models import Meeting

FORM_METHODS = require_http_methods(["GET", "POST"])


def _group(acc, code: str) -> Organization:
    org = acc.get_org(code)
    if org.kind != OrgKind.GROUP:
        raise Http404("Đây không phải một tổ đảng.")
    return org


def _rows(group: Organization) -> list[tuple]:
    """(member, default status): exempt for members exempt for good, or temporarily exempt, away
    or abroad today (as the rule set says); present for the others."""
    today = clock.today()
    members = sel.cell_members(group, today).order_by("name_folded")
    special = sel.not_expected_on(today, members)
    return [(m, "exempt" if m.status == MemberStatus.EXEMPT or m.pk in special else "present") for m in members]


@login_required
def group_meetings(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    group = _group(acc, code)
    year = clock.today().year
    return render(request, "meetings/group_meetings.html", {
        "org": group, "year": year, "meetings": sel.group_meetings_of_year(group, year),
        "members": [m for m, _status in _rows(group)], "can_edit": acc.can_edit_org(group),
    })


@login_required
@FORM_METHODS
def group_meeting_create(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    group = _group(acc, code)
    require_edit(acc, group)
    rows = _rows(group)
    post = request.POST if request.method == "POST" else None
    form = f.RoutineForm(post, request.FILES if post is not None else None, members=sel.active_members(group),
                         rows=rows, framework=None, initial={"held_on": clock.today()})
    context = {"title": f"Ghi buổi sinh hoạt tổ đảng — {group.name}", "org": group,
               "expected_count": sum(1 for _m, status in rows if status != "exempt")}

    def act(_d) -> Meeting:
        return s.record_month_meeting(request.user, group, **form.service_args())

    return service_form(request, form, context, act, "Đã ghi buổi sinh hoạt tổ đảng và điểm danh.",
                        lambda m: reverse("meetings:meeting_detail", args=[m.pk]),
                        template="meetings/group_routine.html")
