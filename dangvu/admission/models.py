"""Admission: prospects (quần chúng ưu tú) on their way into the Party, and admission quotas.

Models hold data only; every write goes through :mod:`dangvu.admission.services`. The rules (age,
course certificate, introducers, dossier, vote share, deadlines) live in
:mod:`dangvu.core.admission` and :mod:`dangvu.core.deadlines`. The member an admission creates is
written by :func:`dangvu.registry.services.admit_member` and linked here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangvu.registry.models import Member, Organization, PersonIdentity, subtree_q


class MassOrganization(models.TextChoices):
    """The mass organization that nominated the prospect (giới thiệu đoàn viên, hội viên ưu tú)."""

    YOUTH_UNION = "youth_union", "Đoàn Thanh niên Cộng sản Hồ Chí Minh"
    TRADE_UNION = "trade_union", "Công đoàn"
    WOMEN = "women", "Hội Liên hiệp Phụ nữ"
    FARMERS = "farmers", "Hội Nông dân"
    VETERANS = "veterans", "Hội Cựu chiến binh"
    FRONT = "front", "Mặt trận Tổ quốc"
    OTHER = "other", "Khác"


class Stage(models.TextChoices):
    SOURCE = "source", "Tạo nguồn"
    COURSE = "course", "Đã học lớp nhận thức về Đảng"
    VETTED = "vetted", "Đã thẩm tra lý lịch"
    CELL_RESOLVED = "cell_resolved", "Chi bộ đã ra nghị quyết đề nghị kết nạp"
    DECIDED = "decided", "Đã có quyết định kết nạp, chờ lễ kết nạp"
    ADMITTED = "admitted", "Đã kết nạp"
    DROPPED = "dropped", "Dừng xem xét"


OPEN_STAGES = (Stage.SOURCE, Stage.COURSE, Stage.VETTED, Stage.CELL_RESOLVED, Stage.DECIDED)
STAGE_ORDER = (*OPEN_STAGES, Stage.ADMITTED)


class InSubtreeQuerySet(models.QuerySet):
    """Rows of a model with an ``organization`` foreign key, scoped to a subtree."""

    def in_subtree(self, org: Organization | str) -> models.QuerySet:
        """Rows whose organization is ``org`` (organization or path) or lies under it."""
        return self.filter(subtree_q(org, via="organization__"))  # by organization ids: see subtree_q


class Prospect(PersonIdentity):
    """Quần chúng ưu tú of a cell: identity, nomination, course, vetting, introducers, the cell's
    resolution, the committee's decision and the ceremony; ``member`` once admitted."""

    objects = InSubtreeQuerySet.as_manager()

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="prospects",
                                     verbose_name="chi bộ")
    cccd = models.CharField("số CCCD", max_length=12, null=True, blank=True, db_index=True)
    nominated_by = models.CharField("tổ chức giới thiệu", max_length=16, choices=MassOrganization.choices,
                                    blank=True)
    listed_on = models.DateField("ngày đưa vào danh sách tạo nguồn")
    course_passed_on = models.DateField("ngày cấp giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng",
                                        null=True, blank=True)
    course_certificate = models.CharField("số giấy chứng nhận", max_length=60, blank=True)
    vetted_on = models.DateField("ngày hoàn thành thẩm tra lý lịch", null=True, blank=True)
    introducer_1 = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name="đảng viên giới thiệu thứ nhất")
    introducer_1_since = models.DateField("cùng công tác với người vào Đảng từ", null=True, blank=True)
    introducer_2 = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name="đảng viên giới thiệu thứ hai")
    introducer_2_since = models.DateField("cùng công tác với người vào Đảng từ", null=True, blank=True)
    youth_union_resolution_on = models.DateField("ngày nghị quyết giới thiệu của Đoàn", null=True, blank=True)
    youth_union_resolution_number = models.CharField("số nghị quyết của Đoàn", max_length=60, blank=True)
    dossier_on = models.DateField("ngày hoàn thiện hồ sơ (đơn, lý lịch, giấy giới thiệu)", null=True, blank=True)
    resolved_on = models.DateField("ngày chi bộ ra nghị quyết đề nghị kết nạp", null=True, blank=True)
    votes_in_favour = models.PositiveSmallIntegerField("số đảng viên chính thức tán thành", null=True, blank=True)
    full_members = models.PositiveSmallIntegerField("tổng số đảng viên chính thức của chi bộ", null=True,
                                                    blank=True)
    decision_on = models.DateField("ngày quyết định kết nạp", null=True, blank=True)
    decision_number = models.CharField("số quyết định kết nạp", max_length=60, blank=True)
    ceremony_on = models.DateField("ngày lễ kết nạp", null=True, blank=True)
    ceremony_late_reason = models.CharField("lý do chậm tổ chức lễ kết nạp", max_length=255, blank=True)
    stage = models.CharField("bước", max_length=16, choices=Stage.choices, default=Stage.SOURCE, db_index=True)
    dropped_on = models.DateField("ngày dừng xem xét", null=True, blank=True)
    drop_reason = models.CharField("lý do dừng xem xét", max_length=255, blank=True)
    member = models.OneToOneField(Member, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="prospect", verbose_name="đảng viên (sau khi kết nạp)")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_folded", "id"]
        verbose_name = "quần chúng ưu tú"
        verbose_name_plural = "quần chúng ưu tú"
        indexes = [models.Index(fields=["organization", "stage"])]

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class AdmissionQuota(models.Model):
    """Chỉ tiêu kết nạp of an organization for a year (``year``) or a term (``term``, "2025-2030")."""

    objects = InSubtreeQuerySet.as_manager()

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="admission_quotas",
                                     verbose_name="tổ chức")
    year = models.PositiveSmallIntegerField("năm", null=True, blank=True)
    term = models.CharField("nhiệm kỳ", max_length=9, blank=True)
    target = models.PositiveIntegerField("chỉ tiêu kết nạp")
    students_target = models.PositiveIntegerField("trong đó học sinh, sinh viên", default=0)
    note = models.CharField("ghi chú", max_length=255, blank=True)

    class Meta:
        ordering = ["organization__path", "-year", "-term"]
        verbose_name = "chỉ tiêu kết nạp"
        verbose_name_plural = "chỉ tiêu kết nạp"
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], condition=models.Q(year__isnull=False),
                                    name="admission_quota_one_per_year"),
            models.UniqueConstraint(fields=["organization", "term"], condition=~models.Q(term=""),
                                    name="admission_quota_one_per_term"),
            models.CheckConstraint(condition=(models.Q(year__isnull=False) & models.Q(term=""))
                                   | (models.Q(year__isnull=True) & ~models.Q(term="")),
                                   name="admission_quota_year_or_term"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.period_label}: {self.target}"

    @property
    def period_label(self) -> str:
        return f"năm {self.year}" if self.year else f"nhiệm kỳ {self.term}"
