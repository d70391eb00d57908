"""Home page, login form and the audit log."""

from __future__ import annotations

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
from dangvu.registry.models import MemberStatus
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


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from dangvu.plans.landing import landing_url

    if (plan_url := landing_url(request)) is not None:  # right after login: the current plan's dashboard
        return redirect(plan_url)
    acc = access(request)
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
             "changes": (e.changes_dict or {}) if isinstance(e.changes_dict, dict) else {}} for e in page]
    return render(request, "web/audit.html", {"page": page, "rows": rows, "form": form})


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", {"message": str(exception or "")}, status=403)


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", {}, status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", {}, status=500)
