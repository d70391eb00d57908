"""Who may see and change what: roles held on an organization and its whole subtree."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models


class RoleKind(models.TextChoices):
    ADMIN = "admin", "Quản trị hệ thống"
    OFFICE = "office", "Văn phòng cấp ủy (được sửa)"
    SECRETARY = "secretary", "Bí thư chi bộ (sửa chi bộ mình)"
    VIEWER = "viewer", "Xem"
    MEMBER = "member", "Đảng viên (hồ sơ của mình)"
    INSPECTION = "inspection", "Ủy ban kiểm tra (xem, giải quyết đơn thư)"


EDIT_KINDS = (RoleKind.ADMIN, RoleKind.OFFICE, RoleKind.SECRETARY)


class Role(models.Model):
    """A role held on ``organization`` and everything under it (member: own record only)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField("vai trò", max_length=12, choices=RoleKind.choices)
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.CASCADE, related_name="roles", verbose_name="tổ chức"
    )
    member = models.ForeignKey(
        "registry.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name="hồ sơ đảng viên (vai trò đảng viên)",
    )

    class Meta:
        verbose_name = "vai trò"
        unique_together = [("user", "kind", "organization")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} — {self.organization}"


def token_digest(key: str) -> str:
    """What is stored of a token: its SHA-256 digest, never the key."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the read-only API; only its SHA-256 digest is stored.

    Issued and marked as used by :mod:`dangvu.accounts.services` (``issue_api_token``,
    ``touch_api_token``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Every token expires (DANGVU_TOKEN_DAYS after issue by default); a revoked one stays listed.
    expires_at = models.DateTimeField("hết hạn lúc", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    # Writing through the API is a separate grant: a token reads unless it was issued to write
    # (and even then only where its user's role may edit).
    can_write = models.BooleanField("được ghi dữ liệu", default=False)

    class Meta:
        verbose_name = "khóa truy cập API"

    @classmethod
    def lookup(cls, key: str) -> ApiToken | None:
        """The live or expired token of an active user with this key (never a revoked one)."""
        if not key or len(key) > 200:
            return None
        return cls.objects.select_related("user").filter(
            digest=token_digest(key), user__is_active=True, revoked_at__isnull=True).first()

    def expired(self, now) -> bool:
        return self.expires_at is None or self.expires_at <= now


class ApiIdempotencyKey(models.Model):
    """The answer to a write sent with an ``Idempotency-Key`` header, kept so that the same request
    sent again (a retry after a lost answer) gets the same answer instead of a second record.

    Written by :func:`dangvu.accounts.services.reserve_idempotency_key` in the write's own
    transaction: the key and the record it produced commit together or not at all."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status = models.PositiveSmallIntegerField(default=0)
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "khóa chống ghi trùng (API)"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_user_key")]
