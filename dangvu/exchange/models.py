"""What the exchange keeps: the packages sent and received, the senders this instance trusts, the
map from a sender's record ids to local ones (what makes an import idempotent), and an uploaded
package waiting for the office's confirmation."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangvu.registry.models import Organization


class TrustedKey(models.Model):
    """A sender's Ed25519 public key this instance accepts packages from."""

    public_key = models.CharField("khóa công khai", max_length=64, unique=True)  # base64 of 32 bytes
    label = models.CharField("đơn vị gửi", max_length=255)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "khóa tin cậy của đơn vị gửi"

    def __str__(self) -> str:
        return self.label


class ExchangeExport(models.Model):
    """One package written (the export is audited through this row)."""

    org_code = models.CharField("mã tổ chức", max_length=40)
    period = models.CharField("kỳ", max_length=20, blank=True)
    sha256 = models.CharField(max_length=64)
    records = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "gói dữ liệu đã xuất"


class ExchangeImport(models.Model):
    """One package applied: who sent it (key fingerprint), for which organization and period, when
    it was made. A package older than one already applied for the same sender, organization and
    period is refused (superseded)."""

    sender = models.CharField("dấu khóa đơn vị gửi", max_length=64)
    org_code = models.CharField("mã tổ chức", max_length=40)
    period = models.CharField("kỳ", max_length=20, blank=True)
    made_at = models.DateTimeField("lúc lập gói")
    sha256 = models.CharField(max_length=64)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "gói dữ liệu đã nhập"
        indexes = [models.Index(fields=["sender", "org_code", "period", "made_at"])]


class ExchangeRecord(models.Model):
    """A sender's record (section + its id there) ↔ the local row it became."""

    sender = models.CharField(max_length=64)
    section = models.CharField(max_length=40)
    remote_id = models.BigIntegerField()
    local_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sender", "section", "remote_id"],
                                               name="exchange_record_unique")]


class ExchangeUpload(models.Model):
    """A package uploaded on the web page, between the preview and the confirmation."""

    scope = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    summary = models.JSONField(default=dict)  # the dry run's result at upload: what the preview shows
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    applied = models.ForeignKey(ExchangeImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "gói dữ liệu tải lên"
