"""Account use cases: create users and grant roles (the only code that writes them)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from dangvu.common import ServiceError
from dangvu.registry.models import Member, Organization

from .models import Role, RoleKind


@transaction.atomic
def create_user(username: str, password: str, *, full_name: str = "") -> User:
    """A new login; the password must pass Django's validators (length, common, numeric…)."""
    username = username.strip()
    if not username:
        raise ServiceError("Tên đăng nhập không được để trống.")
    if User.objects.filter(username=username).exists():
        raise ServiceError(f"Tên đăng nhập «{username}» đã có.")
    user = User(username=username, first_name=full_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError("Mật khẩu chưa đạt: " + " ".join(exc.messages)) from exc
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def grant_role(user: User, kind: str, org: Organization, member: Member | None = None) -> Role:
    """Give ``user`` a role on ``org`` and its subtree (a member role needs the member's record)."""
    if kind not in RoleKind.values:
        raise ServiceError(f"Vai trò không hợp lệ: {kind}. Chọn một trong: {', '.join(RoleKind.values)}.")
    if kind == RoleKind.MEMBER:
        if member is None:
            raise ServiceError("Vai trò đảng viên cần chỉ rõ hồ sơ đảng viên.")
        if not member.organization.path.startswith(org.path):
            raise ServiceError("Hồ sơ đảng viên không thuộc tổ chức này.")
    if kind == RoleKind.SECRETARY and not org.is_cell:
        raise ServiceError("Vai trò bí thư chi bộ chỉ gán trên một chi bộ.")
    role, _ = Role.objects.get_or_create(user=user, kind=kind, organization=org, defaults={"member": member})
    return role
