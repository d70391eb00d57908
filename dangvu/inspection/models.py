"""Inspection and supervision (kiểm tra, giám sát): a committee's yearly programme, each inspection or
supervision in it, the recommendations it leaves and the members it found in violation.

Models hold data only; every write goes through :mod:`dangvu.inspection.services`, the rules (an
item's state, a recommendation on time) live in :mod:`dangvu.core.inspection`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangvu.core.inspection import ACTIVITIES, FORMS, SUBJECTS
from dangvu.registry.models import Member, Organization, subtree_q


class Issuer(models.TextChoices):
    COMMITTEE = "committee", "Cấp ủy"
    COMMISSION = "commission", "Ủy ban kiểm tra"


class Programme(models.Model):
    """Chương trình kiểm tra, giám sát of one year, of a committee or of its inspection commission."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="inspection_programmes")
    year = models.PositiveSmallIntegerField("năm")
    issuer = models.CharField("cơ quan ban hành", max_length=12, choices=Issuer.choices, default=Issuer.COMMITTEE)
    number = models.CharField("số văn bản", max_length=60, blank=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    title = models.CharField("trích yếu", max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "organization__path", "issuer"]
        verbose_name = "chương trình kiểm tra, giám sát"
        verbose_name_plural = "chương trình kiểm tra, giám sát"
        constraints = [models.UniqueConstraint(fields=["organization", "year", "issuer"],
                                               name="inspection_programme_once_a_year")]

    def __str__(self) -> str:
        return f"Chương trình kiểm tra, giám sát năm {self.year} — {self.get_issuer_display()}"


class InspectionQuerySet(models.QuerySet):
    def in_subtree(self, org: Organization | str) -> InspectionQuerySet:
        """Items of the programmes of organizations in the subtree of ``org``."""
        return self.filter(subtree_q(org, via="programme__organization__"))


class Inspection(models.Model):
    """One item of a programme: an inspection or a supervision (``activity``), of an organization or
    a member, from plan to conclusion. ``planned`` is False for one added during the year (on signs
    of violation, or asked by the level above)."""

    objects = InspectionQuerySet.as_manager()

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="items")
    activity = models.CharField("loại", max_length=12, choices=list(ACTIVITIES.items()))
    form = models.CharField("hình thức", max_length=12, choices=list(FORMS.items()))
    subject_kind = models.CharField("đối tượng", max_length=12, choices=list(SUBJECTS.items()))
    subject_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="inspections_of")
    subject_member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="inspections_of")
    subject_text = models.CharField("đối tượng (theo văn bản)", max_length=255, blank=True)
    content = models.TextField("nội dung")
    planned_start = models.DateField("từ ngày (theo chương trình)")
    planned_end = models.DateField("đến ngày (theo chương trình)")
    planned = models.BooleanField("trong chương trình", default=True)
    source_ref = models.CharField("mục trong văn bản", max_length=30, blank=True)
    # the decision and the team
    decision_number = models.CharField("số quyết định", max_length=60, blank=True)
    decided_on = models.DateField("ngày quyết định", null=True, blank=True)
    leader = models.CharField("trưởng đoàn", max_length=255, blank=True)
    team = models.CharField("thành viên đoàn", max_length=500, blank=True)
    started_on = models.DateField("ngày bắt đầu", null=True, blank=True)
    # the subject's report
    subject_report_on = models.DateField("ngày đối tượng báo cáo", null=True, blank=True)
    subject_report = models.TextField("tóm tắt báo cáo của đối tượng", blank=True)
    # the conclusion
    concluded_on = models.DateField("ngày kết luận", null=True, blank=True)
    conclusion = models.TextField("kết luận", blank=True)
    violations_found = models.BooleanField("có vi phạm", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["planned_start", "planned_end", "id"]
        verbose_name = "cuộc kiểm tra, giám sát"
        verbose_name_plural = "cuộc kiểm tra, giám sát"
        indexes = [models.Index(fields=["subject_org", "started_on"]),
                   models.Index(fields=["programme", "planned_end"])]
        constraints = [models.CheckConstraint(condition=models.Q(planned_end__gte=models.F("planned_start")),
                                              name="inspection_period_in_order")]

    def __str__(self) -> str:
        return f"{self.get_activity_display()} {self.subject_name}"

    @property
    def subject_name(self) -> str:
        if self.subject_member_id:
            return self.subject_member.full_name
        if self.subject_org_id:
            return self.subject_org.name
        return self.subject_text


class Recommendation(models.Model):
    """Kiến nghị, yêu cầu of a concluded inspection, with its deadline; followed up to done."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="recommendations")
    content = models.CharField("nội dung kiến nghị", max_length=500)
    due_on = models.DateField("hạn thực hiện")
    done_on = models.DateField("ngày thực hiện xong", null=True, blank=True)
    done_note = models.CharField("kết quả thực hiện", max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = "kiến nghị sau kiểm tra, giám sát"
        verbose_name_plural = "kiến nghị sau kiểm tra, giám sát"
        indexes = [models.Index(fields=["due_on", "done_on"])]

    def __str__(self) -> str:
        return self.content[:60]


class InspectionFinding(models.Model):
    """A member the conclusion found in violation, with the violation's date: what a discipline
    case is opened from (the discipline app's ``open_case``, called when the inspection is concluded)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="inspection_findings")
    violation_on = models.DateField("ngày vi phạm")
    summary = models.CharField("nội dung vi phạm", max_length=500)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = "đảng viên có vi phạm"
        verbose_name_plural = "đảng viên có vi phạm"
        constraints = [models.UniqueConstraint(fields=["inspection", "member"], name="inspection_finding_once")]

    def __str__(self) -> str:
        return f"{self.member.full_name}: {self.summary[:40]}"
