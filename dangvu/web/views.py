"""Home page, login form and the audit log."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from dangvu import indicators
from dangvu.accounts.selectors import audit_entries
from dangvu.common.forms import vietnamese_null_check
from dangvu.common.views import access
from dangvu.core import clock
from dangvu.meetings import selectors as meeting_sel
from dangvu.registry.models import CELL_KINDS, MemberStatus, Organization
from dangvu.registry.selectors import own_members


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Sai tên đăng nhập hoặc mật khẩu. Lưu ý chữ hoa, chữ thường.",
        "inactive": "Tài khoản này đã bị khóa.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Tên đăng nhập"
        self.fields["password"].label = "Mật khẩu"
        for field in self.fields.values():
            field.error_messages["required"] = "Mục này không được để trống."
            vietnamese_null_check(field)


RECENT_MONTHS = 6  # the landing page's strip of the cell's last months


def _single_cell(acc) -> Organization | None:
    """The cell of a user whose whole scope is one cell (a secretary, a deputy), else None."""
    roots = list(acc.roots[:2])
    return roots[0] if len(roots) == 1 and roots[0].kind in CELL_KINDS else None


def _recent_months(org: Organization, today: dt.date) -> list[dict]:
    """This month and the ones before it: held (with the meeting), missed, or open (this month)."""
    months = []
    year, month = today.year, today.month
    for _ in range(RECENT_MONTHS):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    rows = meeting_sel.meeting_rows_by_cell([org], months[-1][0])[org.pk]
    if months[-1][0] != today.year:
        rows += meeting_sel.meeting_rows_by_cell([org], today.year)[org.pk]
    first = {}
    for pk, day, kind, combined in sorted(rows, key=lambda r: r[1]):
        if kind == "regular" or combined:
            first.setdefault((day.year, day.month), pk)
    return [{"label": f"T{m}/{y % 100:02d}", "pk": first.get((y, m)),
             "state": "held" if (y, m) in first else "open" if (y, m) == (today.year, today.month) else "missed"}
            for y, m in reversed(months)]


def _cell_month(request: HttpRequest, acc, org: Organization) -> HttpResponse:
    """The secretary's landing page: her cell's month, the button to record its meeting, the
    last months and the cell's figures (from the indicator registry)."""
    today = clock.today()
    year = indicators.Period.year(today.year)
    figures = [(indicators.compute(key, org, year), label) for key, label in (
        ("members.by_status", "đảng viên đang sinh hoạt"),
        ("meetings.count", f"buổi sinh hoạt năm {today.year}"),
        ("meetings.attendance_rate", f"tỷ lệ dự sinh hoạt năm {today.year} (%)"))]
    return render(request, "web/home.html", {
        "cell": org, "month": today.month, "year": today.year, "can_edit": acc.can_edit_org(org),
        "meeting": meeting_sel.month_meeting(org, today.year, today.month),
        "recent": _recent_months(org, today), "figures": figures, "own": own_members(acc)})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from dangvu.plans.landing import landing_url

    acc = access(request)
    plan_url = landing_url(request)  # asked once after login in any case (it clears its mark)
    if (cell := _single_cell(acc)) is not None:  # a cell's secretary: the month's routine first
        return _cell_month(request, acc, cell)
    if plan_url is not None:  # right after login: the current plan's dashboard
        return redirect(plan_url)
    period = indicators.Period.year(clock.today().year)
    blocks = []
    for org in acc.roots[:5]:
        by_status = indicators.compute("members.by_status", org, period)
        cells = indicators.compute("cells.count", org, period)
        blocks.append({
            "org": org,
            "active": by_status.value,
            "cells": cells.value,
            "by_status": [(MemberStatus(k).label, k, v) for k, v in by_status.breakdown.items()],
        })
    return render(request, "web/home.html", {"blocks": blocks, "own": own_members(acc)})


class AuditFilter(forms.Form):
    user = forms.CharField(required=False, max_length=150)
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)


ACTION_LABELS = {0: "Thêm", 1: "Sửa", 2: "Xóa", 3: "Xuất/Truy cập"}


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Read-only audit log for administrators."""
    if not request.user.has_perm("accounts.view_audit"):
        raise PermissionDenied("Chỉ quản trị hệ thống được xem nhật ký.")
    form = AuditFilter(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    page = Paginator(audit_entries(data.get("user") or None), 50).get_page(data.get("page") or 1)
    rows = [{"entry": e, "action": ACTION_LABELS.get(e.action, e.action),
             # A list of pairs, not the dict: a field named «items» would shadow dict.items in the template.
             "changes": list((e.changes_dict or {}).items()) if isinstance(e.changes_dict, dict) else []}
            for e in page]
    return render(request, "web/audit.html", {"page": page, "rows": rows, "form": form})


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", {"message": str(exception or "")}, status=403)


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", {}, status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", {}, status=500)
