"""Account reads for the pages and the CLI: users, and the audit log."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from .models import ApiIdempotencyKey, ApiToken, Role, RoleKind


def user_by_username(username: str) -> Any:
    return get_user_model().objects.filter(username=username).first()


def managed_users(access: Any) -> list[Any]:
    """The logins an administrator manages: those with a role in the admin's subtrees (a whole-tree
    admin also sees the logins without roles), each with ``role_list`` and ``token_list``."""
    users = get_user_model().objects.order_by("username")
    if not access.is_admin:
        return []
    admin_orgs = [r.organization for r in access.roles if r.kind == RoleKind.ADMIN]
    if access.roles and not any(o.depth == 1 for o in admin_orgs):
        q = Q()
        for org in admin_orgs:
            q |= Q(roles__organization__path__startswith=org.path)
        users = users.filter(q).distinct()
    return list(users.prefetch_related(
        Prefetch("roles", Role.objects.select_related("organization").order_by("kind"), to_attr="role_list"),
        Prefetch("api_tokens", ApiToken.objects.order_by("-created_at"), to_attr="token_list")))


def user_by_pk(pk: int) -> Any:
    return get_user_model().objects.filter(pk=pk).first()


def role_by_pk(pk: int) -> Any:
    return Role.objects.select_related("user", "organization").filter(pk=pk).first()


def role_of(user: Any, kind: str, org_code: str) -> Any:
    return Role.objects.select_related("organization", "user").filter(
        user=user, kind=kind, organization__code=org_code).first()


def token_by_prefix(prefix: str) -> Any:
    return ApiToken.objects.select_related("user").filter(prefix=prefix).first()


def token_by_pk(pk: int) -> Any:
    return ApiToken.objects.select_related("user").filter(pk=pk).first()


def api_tokens(username: str | None = None) -> QuerySet:
    """Every token (newest first), optionally one user's."""
    qs = ApiToken.objects.select_related("user").order_by("-created_at", "-id")
    return qs.filter(user__username=username) if username else qs


def audit_entries(username: str | None = None) -> QuerySet[LogEntry]:
    """The audit log, newest first, optionally one user's entries."""
    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    return qs.filter(actor__username=username) if username else qs


def idempotent_answer(user: Any, key: str) -> ApiIdempotencyKey | None:
    """The stored answer of ``user``'s earlier write sent with this ``Idempotency-Key``, if any."""
    return ApiIdempotencyKey.objects.filter(user=user, key=key).first()
