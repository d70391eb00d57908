"""Account use cases: create users, grant roles, issue API tokens and note their use (the only
code that writes them)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangvu.common import Code, ServiceError
from dangvu.registry.models import Member, Organization

from .models import ApiToken, Role, RoleKind, token_digest

TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)


@transaction.atomic
def create_user(username: str, password: str, *, full_name: str = "") -> User:
    """A new login; the password must pass Django's validators (length, common, numeric…)."""
    username = username.strip()
    if not username:
        raise ServiceError("Tên đăng nhập không được để trống.", Code.REQUIRED, field="username")
    if User.objects.filter(username=username).exists():
        raise ServiceError(f"Tên đăng nhập «{username}» đã có.", Code.DUPLICATE, field="username")
    user = User(username=username, first_name=full_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError("Mật khẩu chưa đạt: " + " ".join(exc.messages), Code.INVALID,
                           field="password") from exc
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def grant_role(user: User, kind: str, org: Organization, member: Member | None = None) -> Role:
    """Give ``user`` a role on ``org`` and its subtree (a member role needs the member's record)."""
    if kind not in RoleKind.values:
        raise ServiceError(f"Vai trò không hợp lệ: {kind}. Chọn một trong: {', '.join(RoleKind.values)}.",
                           Code.INVALID, field="role")
    if kind == RoleKind.MEMBER:
        if member is None:
            raise ServiceError("Vai trò đảng viên cần chỉ rõ hồ sơ đảng viên.", Code.REQUIRED, field="member")
        if not member.organization.path.startswith(org.path):
            raise ServiceError("Hồ sơ đảng viên không thuộc tổ chức này.", Code.OUT_OF_SUBTREE, field="member")
    if kind == RoleKind.SECRETARY and not org.is_cell:
        raise ServiceError("Vai trò bí thư chi bộ chỉ gán trên một chi bộ.", Code.ORG_KIND, field="org")
    role, _ = Role.objects.get_or_create(user=user, kind=kind, organization=org, defaults={"member": member})
    return role


@transaction.atomic
def create_user_with_role(username: str, password: str, kind: str, org: Organization,
                          member: Member | None = None, *, full_name: str = "") -> User:
    """A new login holding one role: both or neither (``dangvu user add``)."""
    user = create_user(username, password, full_name=full_name)
    grant_role(user, kind, org, member)
    return user


@transaction.atomic
def issue_api_token(user: User) -> tuple[ApiToken, str]:
    """A new bearer token for ``user``: the key is returned once; only its digest is stored."""
    key = "dv_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, digest=token_digest(key), prefix=key[3:11])
    return token, key


# One conditional UPDATE: no savepoint needed, so an API request inside a transaction pays no extra query.
@transaction.atomic(savepoint=False)
def touch_api_token(token: ApiToken) -> None:
    """Note that ``token`` was just used, at most once a minute.

    Usage bookkeeping only (no business data): a single conditional UPDATE, so concurrent
    requests within the same minute do not write again."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=now - TOKEN_TOUCH_INTERVAL).update(
        last_used_at=now)
    token.last_used_at = now
