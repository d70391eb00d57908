"""Commendations (khen thưởng) and Party badges (Huy hiệu Đảng).

Models hold data only; every write goes through :mod:`dangvu.honours.services`, the rules (party
age, the badge due, early and posthumous award) live in :mod:`dangvu.core.badges`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangvu.registry.models import Member, Organization, subtree_q


class CommendationKind(models.TextChoices):
    CERTIFICATE = "certificate", "Giấy khen"
    MERIT = "merit", "Bằng khen"
    EMULATION_FLAG = "emulation_flag", "Cờ thi đua"
    TITLE = "title", "Danh hiệu"
    ORDER = "order", "Huân chương"
    OTHER = "other", "Khác"


class CommendationLevel(models.TextChoices):
    GRASSROOTS = "grassroots", "Cấp cơ sở"
    COMMUNE = "commune", "Cấp xã, phường"
    PROVINCE = "province", "Cấp tỉnh"
    CENTRAL = "central", "Trung ương"
    STATE = "state", "Nhà nước"


class Commendation(models.Model):
    """Khen thưởng of one member or one organization (exactly one of the two)."""

    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="commendations")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="commendations")
    kind = models.CharField("hình thức", max_length=16, choices=CommendationKind.choices)
    level = models.CharField("cấp khen", max_length=12, choices=CommendationLevel.choices)
    decision_number = models.CharField("số quyết định", max_length=60)
    decided_on = models.DateField("ngày quyết định")
    note = models.CharField("nội dung", max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = "khen thưởng"
        verbose_name_plural = "khen thưởng"
        constraints = [models.CheckConstraint(
            condition=(models.Q(member__isnull=False, organization__isnull=True)
                       | models.Q(member__isnull=True, organization__isnull=False)),
            name="commendation_one_subject")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decision_number}"


class BadgeAwardQuerySet(models.QuerySet):
    def in_subtree(self, org: Organization | str) -> BadgeAwardQuerySet:
        """Awards of members whose cell lies in the subtree of ``org``."""
        return self.filter(subtree_q(org, via="member__organization__"))

    def decided(self) -> BadgeAwardQuerySet:
        return self.filter(decided_on__isnull=False)


class BadgeAward(models.Model):
    """Huy hiệu Đảng of one member: proposed for an occasion (no decision yet), then awarded
    (``decided_on``), and returned when the member leaves the Party (``returned_on``)."""

    objects = BadgeAwardQuerySet.as_manager()

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="badge_awards")
    badge_years = models.PositiveSmallIntegerField("huy hiệu (năm tuổi đảng)")
    occasion = models.DateField("dịp trao tặng")
    decided_on = models.DateField("ngày quyết định", null=True, blank=True)
    decision_number = models.CharField("số quyết định", max_length=60, blank=True)
    early = models.BooleanField("tặng sớm (bệnh nặng)", default=False)
    posthumous = models.BooleanField("truy tặng", default=False)
    returned_on = models.DateField("ngày thu hồi (ra khỏi Đảng)", null=True, blank=True)
    note = models.CharField("ghi chú", max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occasion", "member__name_folded", "id"]
        verbose_name = "Huy hiệu Đảng"
        verbose_name_plural = "Huy hiệu Đảng"
        constraints = [models.UniqueConstraint(fields=["member", "badge_years"], name="badge_once_per_member")]
        indexes = [models.Index(fields=["occasion", "member"])]

    def __str__(self) -> str:
        return f"Huy hiệu {self.badge_years} năm tuổi Đảng"

    @property
    def state_label(self) -> str:
        if self.returned_on:
            return "Đã thu hồi"
        return "Đã có quyết định" if self.decided_on else "Đang đề nghị"


class ExemplaryReview(models.Model):
    """A committee's yearly record of its exemplary members (đảng viên tiêu biểu): that the year
    was recorded for the organization's subtree (even with nobody named), and who was named."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="exemplary_reviews",
                                     verbose_name="tổ chức ghi nhận")
    year = models.PositiveSmallIntegerField("năm")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "organization__path"]
        verbose_name = "ghi nhận đảng viên tiêu biểu"
        verbose_name_plural = "ghi nhận đảng viên tiêu biểu"
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="exemplary_review_once")]

    def __str__(self) -> str:
        return f"Đảng viên tiêu biểu năm {self.year}"


class ExemplaryMember(models.Model):
    """One member named exemplary in a committee's yearly record."""

    review = models.ForeignKey(ExemplaryReview, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="exemplary_entries")

    class Meta:
        verbose_name = "đảng viên tiêu biểu"
        verbose_name_plural = "đảng viên tiêu biểu"
        constraints = [models.UniqueConstraint(fields=["review", "member"], name="exemplary_member_once")]

    def __str__(self) -> str:
        return f"Đảng viên tiêu biểu năm {self.review.year}"
