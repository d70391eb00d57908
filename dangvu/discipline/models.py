"""Discipline cases (vụ việc kỷ luật) of members and their appeals.

A case walks the procedure's steps (:class:`dangvu.core.discipline.Step`); each step's facts sit on
the case itself, so one row tells the whole story. The decision's fact — the discipline — is the
registry's :class:`~dangvu.registry.models.Discipline`, written through the registry's services and
linked here. Models hold data only; every write goes through :mod:`dangvu.discipline.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangvu.core.discipline import STEP_LABELS
from dangvu.registry.models import Discipline, DisciplineForm, Member, Organization, subtree_q


class CaseQuerySet(models.QuerySet):
    def in_subtree(self, org: Organization | str) -> CaseQuerySet:
        """Cases of members whose organization lies in the subtree of ``org``."""
        return self.filter(subtree_q(org, via="member__organization__"))


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", "Giữ nguyên hình thức kỷ luật"
    CHANGED = "changed", "Thay đổi hình thức kỷ luật"
    ANNULLED = "annulled", "Xóa bỏ quyết định kỷ luật"


class DisciplineCase(models.Model):
    """One member's case, from its opening to the decision (and the appeal, if any)."""

    objects = CaseQuerySet.as_manager()

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="discipline_cases")
    violation_on = models.DateField("ngày vi phạm")
    summary = models.TextField("nội dung vi phạm")
    origin = models.CharField("nguồn (kết luận kiểm tra, đơn thư…)", max_length=255, blank=True)
    grave_ground = models.CharField("vi phạm không áp dụng thời hiệu", max_length=24, blank=True)
    child_born_on = models.DateField("ngày sinh con nhỏ (nếu đang nuôi con dưới 12 tháng)", null=True, blank=True)
    opened_on = models.DateField("ngày mở vụ việc")
    state = models.CharField("bước hiện tại", max_length=16, choices=list(STEP_LABELS.items()), default="opened")
    # tự kiểm điểm
    self_review_on = models.DateField("ngày tự kiểm điểm", null=True, blank=True)
    self_review_text = models.TextField("nội dung tự kiểm điểm", blank=True)
    self_review_refused = models.BooleanField("đảng viên không tự kiểm điểm", default=False)
    # chi bộ họp, biểu quyết
    vote_on = models.DateField("ngày chi bộ họp", null=True, blank=True)
    vote_form = models.CharField("hình thức chi bộ đề nghị", max_length=12, choices=DisciplineForm.choices,
                                 blank=True)
    vote_in_favour = models.PositiveSmallIntegerField("số tán thành", null=True, blank=True)
    vote_against = models.PositiveSmallIntegerField("số không tán thành", null=True, blank=True)
    vote_full_members = models.PositiveSmallIntegerField("số đảng viên chính thức", null=True, blank=True)
    # quyết định của cấp có thẩm quyền
    decided_on = models.DateField("ngày quyết định", null=True, blank=True)
    effective_on = models.DateField("ngày có hiệu lực", null=True, blank=True)
    decided_form = models.CharField("hình thức kỷ luật", max_length=12, choices=DisciplineForm.choices, blank=True)
    decision_number = models.CharField("số quyết định", max_length=60, blank=True)
    deciding_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="cấp quyết định")
    received_on = models.DateField("ngày đảng viên nhận quyết định", null=True, blank=True)
    discipline = models.ForeignKey(Discipline, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # dừng xem xét
    closed_on = models.DateField("ngày dừng xem xét", null=True, blank=True)
    closed_note = models.CharField("lý do dừng xem xét", max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = "vụ việc kỷ luật"
        verbose_name_plural = "vụ việc kỷ luật"
        indexes = [models.Index(fields=["decided_on", "member"]), models.Index(fields=["member", "violation_on"])]

    def __str__(self) -> str:
        return f"Vụ việc kỷ luật {self.member.full_name} ({self.violation_on:%d/%m/%Y})"


class DisciplineAppeal(models.Model):
    """Khiếu nại kỷ luật: lodged within the rule set's window, decided by the level above."""

    case = models.OneToOneField(DisciplineCase, on_delete=models.CASCADE, related_name="appeal")
    lodged_on = models.DateField("ngày khiếu nại")
    content = models.TextField("nội dung khiếu nại")
    decided_on = models.DateField("ngày giải quyết", null=True, blank=True)
    outcome = models.CharField("kết quả", max_length=12, choices=AppealOutcome.choices, blank=True)
    new_form = models.CharField("hình thức mới", max_length=12, choices=DisciplineForm.choices, blank=True)
    decision_number = models.CharField("số quyết định giải quyết", max_length=60, blank=True)
    deciding_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="cấp giải quyết")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "khiếu nại kỷ luật"
        verbose_name_plural = "khiếu nại kỷ luật"

    def __str__(self) -> str:
        return f"Khiếu nại ngày {self.lodged_on:%d/%m/%Y}"
