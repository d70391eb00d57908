"""Letters (đơn thư): complaints, denunciations and reports received by a party body.

Models hold data only; every write goes through :mod:`dangvu.letters.services`; the rules (the
handling of an anonymous letter, the deadline by kind and level) live in :mod:`dangvu.core.letters`.
Contents are read only by the inspection commission and administrators of the subtree
(:meth:`dangvu.accounts.access.Access.may_read_letters`), and each read is audited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangvu.registry.models import Organization, subtree_q


class LetterKind(models.TextChoices):
    COMPLAINT = "complaint", "Khiếu nại"
    DENUNCIATION = "denunciation", "Tố cáo"
    REPORT = "report", "Phản ánh, kiến nghị"


class Handling(models.TextChoices):
    HANDLE = "handle", "Giải quyết theo thời hạn"
    REFERENCE = "reference", "Đơn giấu tên: lưu để tham khảo"


class LetterQuerySet(models.QuerySet):
    def in_subtree(self, org: Organization | str) -> LetterQuerySet:
        """Letters whose responsible body lies in the subtree of ``org``."""
        return self.filter(subtree_q(org, via="organization__"))

    def open(self) -> LetterQuerySet:
        return self.filter(closed_on__isnull=True)


class Letter(models.Model):
    """One letter, from its receipt to its outcome."""

    objects = LetterQuerySet.as_manager()

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="letters",
                                     verbose_name="cơ quan giải quyết")
    received_on = models.DateField("ngày nhận")
    kind = models.CharField("loại đơn", max_length=14, choices=LetterKind.choices)
    anonymous = models.BooleanField("giấu tên, mạo tên, không rõ địa chỉ", default=False)
    sender_name = models.CharField("người gửi", max_length=120, blank=True)
    sender_address = models.CharField("địa chỉ người gửi", max_length=255, blank=True)
    subject = models.CharField("trích yếu nội dung", max_length=255)
    content = models.TextField("nội dung", blank=True)
    level = models.CharField("cấp giải quyết", max_length=12)
    handling = models.CharField("cách xử lý", max_length=10, choices=Handling.choices)
    deadline = models.DateField("hạn giải quyết", null=True, blank=True)
    closed_on = models.DateField("ngày có kết quả", null=True, blank=True)
    outcome = models.TextField("kết quả giải quyết", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = "đơn thư"
        verbose_name_plural = "đơn thư"
        indexes = [models.Index(fields=["organization", "closed_on", "deadline"])]

    def __str__(self) -> str:
        # Never the contents: this is what the audit log and admin lists show.
        return f"Đơn thư số {self.pk} ({self.get_kind_display()}, nhận ngày {self.received_on:%d/%m/%Y})"
