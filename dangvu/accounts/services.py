"""Account use cases: create users, grant and remove roles, passwords, deactivation, API tokens
(issue, note their use, revoke). The only code that writes them; every change is audited (roles
and tokens by django-auditlog, passwords and deactivation by :func:`audit.log_account`).

Who may manage whom: an administrator manages the users whose roles all lie in their subtree
(:func:`ensure_manages`); the command line (``by=None``) manages everyone."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangvu.common import Code, ServiceError
from dangvu.registry.models import Member, Organization

from .access import access_for
from .audit import log_account
from .models import ApiIdempotencyKey, ApiToken, Role, RoleKind, token_digest

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
        raise ServiceError(password_problems(exc), Code.INVALID, field="password") from exc
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


def token_lifetime() -> dt.timedelta:
    return dt.timedelta(days=settings.DANGVU_TOKEN_DAYS)


@transaction.atomic
def issue_api_token(user: User, days: int | None = None, write: bool = False) -> tuple[ApiToken, str]:
    """A new bearer token for ``user``: the key is returned once; only its digest is stored. It
    expires ``days`` (default ``DANGVU_TOKEN_DAYS``) after issue. ``write``: it may also write
    through the API where the user's roles may edit (a reading token is the default)."""
    if days is not None and not 1 <= days <= settings.DANGVU_TOKEN_MAX_DAYS:
        raise ServiceError(f"Thời hạn khóa phải từ 1 đến {settings.DANGVU_TOKEN_MAX_DAYS} ngày.",
                           Code.OUT_OF_RANGE, field="days")
    key = "dv_" + secrets.token_urlsafe(32)
    lifetime = dt.timedelta(days=days) if days is not None else token_lifetime()
    token = ApiToken.objects.create(user=user, digest=token_digest(key), prefix=key[3:11],
                                    expires_at=timezone.now() + lifetime, can_write=write)
    return token, key


# -- administration of accounts ---------------------------------------------------------------

def ensure_manages(by: Any, user: User) -> None:
    """``by`` may manage ``user``: the command line (None), a superuser, or an administrator whose
    subtree holds every role of ``user`` (a user without roles only for a system-wide admin)."""
    if by is None or getattr(by, "is_superuser", False):
        return
    access = access_for(by)
    if not access.is_admin or user.is_superuser:
        raise ServiceError("Bạn không có quyền quản lý tài khoản này.", Code.FORBIDDEN)
    if user.pk == by.pk:
        raise ServiceError("Không tự quản lý tài khoản của mình ở đây; hãy dùng trang đổi mật khẩu.",
                           Code.FORBIDDEN)
    admin_orgs = [r.organization for r in access.roles if r.kind == RoleKind.ADMIN]
    paths = [r.organization.path for r in Role.objects.filter(user=user).select_related("organization")]
    if paths:
        inside = all(any(p.startswith(o.path) for o in admin_orgs) for p in paths)
    else:  # a login without any role: only an administrator of a whole tree
        inside = any(o.depth == 1 for o in admin_orgs)
    if not inside:
        raise ServiceError("Tài khoản này có vai trò ngoài phạm vi quản trị của bạn.", Code.OUT_OF_SUBTREE)


# Django's validators, in plain Vietnamese (its own translation is incomplete).
_PASSWORD_RULES = {
    "password_too_short": "quá ngắn (cần ít nhất {min_length} ký tự)",
    "password_too_similar": "quá giống tên đăng nhập hoặc họ tên",
    "password_too_common": "quá phổ biến, dễ đoán",
    "password_entirely_numeric": "chỉ gồm chữ số",
}


def password_problems(exc: ValidationError) -> str:
    said = []
    for err in exc.error_list:
        rule = _PASSWORD_RULES.get(err.code or "")
        said.append(rule.format(**(err.params or {})) if rule else " ".join(err.messages))
    return "Mật khẩu chưa đạt: " + "; ".join(said) + "."


def _set_password(user: User, password: str, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(password_problems(exc), Code.INVALID, field=field) from exc
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def change_own_password(user: User, old: str, new: str) -> None:
    """The user changes their own password (the old one must be right)."""
    if not user.check_password(old):
        raise ServiceError("Mật khẩu hiện tại không đúng.", Code.INVALID, field="old_password")
    _set_password(user, new, "new_password1")
    log_account(user, user, "password_changed")


@transaction.atomic
def reset_password(by: Any, user: User, password: str) -> None:
    """An administrator (or the command line) sets a new password for ``user``."""
    ensure_manages(by, user)
    _set_password(user, password, "password")
    log_account(by, user, "password_reset")


@transaction.atomic
def deactivate_user(by: Any, user: User) -> int:
    """Lock ``user`` out: no login, no API (their tokens are revoked too); returns tokens revoked."""
    ensure_manages(by, user)
    if not user.is_active:
        raise ServiceError(f"Tài khoản «{user.username}» đã bị khóa từ trước.", Code.STATE)
    user.is_active = False
    user.save(update_fields=["is_active"])
    revoked = _revoke_all(user)
    log_account(by, user, "deactivated", tokens_revoked=revoked)
    return revoked


@transaction.atomic
def activate_user(by: Any, user: User) -> None:
    ensure_manages(by, user)
    if user.is_active:
        raise ServiceError(f"Tài khoản «{user.username}» đang hoạt động.", Code.STATE)
    user.is_active = True
    user.save(update_fields=["is_active"])
    log_account(by, user, "activated")


@transaction.atomic
def remove_role(by: Any, role: Role) -> None:
    """Take one role away (audited by django-auditlog as the Role's deletion)."""
    ensure_manages(by, role.user)
    role.delete()


def _revoke_all(user: User) -> int:
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return len(tokens)


@transaction.atomic
def revoke_token(by: Any, token: ApiToken) -> None:
    """Revoke one token (kept in the list, refused by the API from now on; audited as its change)."""
    if by is None or by.pk != token.user_id:  # one's own token may always be revoked
        ensure_manages(by, token.user)
    if token.revoked_at is not None:
        raise ServiceError(f"Khóa {token.prefix}… đã bị thu hồi từ trước.", Code.STATE)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


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


# -- API writes sent again (Idempotency-Key) --------------------------------------------------------

@transaction.atomic  # a savepoint inside the write's transaction: it stays usable after the failure
def reserve_idempotency_key(user: Any, key: str, fingerprint: str) -> ApiIdempotencyKey:
    """Claim ``key`` for ``user`` inside the caller's (the write's) transaction.

    Raises ``IntegrityError`` when the key is taken: on PostgreSQL a concurrent request with the
    same key waits here until the first commits, then fails; the caller replays the stored answer.
    """
    return ApiIdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint)


@transaction.atomic
def store_idempotent_answer(record: ApiIdempotencyKey, status: int, body: Any) -> None:
    """Keep the answer of the write that claimed ``record`` (same transaction as the write)."""
    record.status, record.body = status, body
    record.save(update_fields=["status", "body"])
