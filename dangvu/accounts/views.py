"""Account pages: change one's own password; the administrator's list of the logins in their
subtree, with password reset, (de)activation, role removal and token revocation. Every change goes
through :mod:`dangvu.accounts.services` (audited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangvu.common import ServiceError
from dangvu.common.views import access, service_form

from . import selectors, services
from .forms import OwnPasswordForm, ResetPasswordForm

MAX_USERS_SHOWN = 1000


class PasswordChange(auth_views.PasswordChangeView):
    """Django's view (it keeps the session valid after the change) with our form and page."""

    form_class = OwnPasswordForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")
    title = "Đổi mật khẩu"
    extra_context = {"submit": "Đổi mật khẩu", "intro": "Sau khi đổi, bạn vẫn đăng nhập trên thiết bị này."}

    def form_valid(self, form: OwnPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Đã đổi mật khẩu.")
        return response


def _admin_only(request: HttpRequest) -> None:
    if not request.user.has_perm("accounts.manage_users"):
        raise PermissionDenied("Chỉ quản trị hệ thống được quản lý tài khoản.")


def _managed(request: HttpRequest, pk: int):
    """A login the administrator may see on the page (404 otherwise)."""
    user = next((u for u in selectors.managed_users(access(request)) if u.pk == pk), None)
    if user is None:
        raise Http404("Không tìm thấy tài khoản.")
    return user


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    users = selectors.managed_users(access(request))
    now = timezone.now()
    for u in users:
        for t in u.token_list:
            t.state = ("đã thu hồi" if t.revoked_at else "hết hạn" if t.expired(now) else "còn hiệu lực")
            t.live = not t.revoked_at and not t.expired(now)
    return render(request, "accounts/user_list.html", {
        "users": users[:MAX_USERS_SHOWN], "total": len(users), "shown": MAX_USERS_SHOWN})


@login_required
def reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    user = _managed(request, pk)
    return service_form(
        request, ResetPasswordForm(request.POST or None),
        {"title": f"Đặt mật khẩu mới cho {user.username}", "submit": "Đặt mật khẩu",
         "back": reverse("accounts:user_list")},
        lambda d: services.reset_password(request.user, user, d["password"]),
        f"Đã đặt mật khẩu mới cho {user.username}.", reverse("accounts:user_list"))


def _act(request: HttpRequest, action, success: str) -> HttpResponse:
    try:
        action()
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("accounts:user_list")


@login_required
@require_POST
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    user = _managed(request, pk)
    return _act(request, lambda: services.deactivate_user(request.user, user),
                f"Đã khóa tài khoản {user.username} và thu hồi các khóa API của tài khoản.")


@login_required
@require_POST
def activate(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    user = _managed(request, pk)
    return _act(request, lambda: services.activate_user(request.user, user), f"Đã mở lại tài khoản {user.username}.")


@login_required
@require_POST
def remove_role(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    _admin_only(request)
    user = _managed(request, pk)
    role = next((r for r in user.role_list if r.pk == role_pk), None)
    if role is None:
        raise Http404("Không tìm thấy vai trò.")
    return _act(request, lambda: services.remove_role(request.user, role),
                f"Đã bỏ vai trò «{role.get_kind_display()}» của {user.username} trên {role.organization.name}.")


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int, token_pk: int) -> HttpResponse:
    _admin_only(request)
    user = _managed(request, pk)
    token = next((t for t in user.token_list if t.pk == token_pk), None)
    if token is None:
        raise Http404("Không tìm thấy khóa truy cập.")
    return _act(request, lambda: services.revoke_token(request.user, token),
                f"Đã thu hồi khóa {token.prefix}… của {user.username}.")
