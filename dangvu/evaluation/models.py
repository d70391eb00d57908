"""Evaluation rounds and the evaluations in them.

Models hold data only; every write goes through :mod:`dangvu.evaluation.services`. The grading
rules (bands, conditions, forced "unfulfilled", the excellent quota) live in
:mod:`dangvu.core.evaluation`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangvu.core.evaluation import GRADE_LABELS, Grade
from dangvu.registry.models import Member, Organization, subtree_q


class SubjectKind(models.TextChoices):
    MEMBER = "member", "Đảng viên"
    ORGANIZATION = "organization", "Tổ chức đảng"
    COMMITTEE_MEMBER = "committee_member", "Cấp ủy viên"
    OFFICE_HOLDER = "office_holder", "Đảng viên giữ chức vụ (hằng quý)"


QUARTERLY_KINDS = (SubjectKind.OFFICE_HOLDER,)
"""Subject kinds evaluated every quarter (Quy định 366-QĐ/TW, 30/8/2025); the others yearly."""


class RoundState(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    OPEN = "open", "Đang đánh giá"
    FINALISED = "finalised", "Đã chốt kết quả"
    PUBLISHED = "published", "Đã công bố"


CLOSED_STATES = (RoundState.FINALISED, RoundState.PUBLISHED)


class GradeChoice(models.TextChoices):
    EXCELLENT = Grade.EXCELLENT.value, GRADE_LABELS[Grade.EXCELLENT]
    GOOD = Grade.GOOD.value, GRADE_LABELS[Grade.GOOD]
    FULFILLED = Grade.FULFILLED.value, GRADE_LABELS[Grade.FULFILLED]
    UNFULFILLED = Grade.UNFULFILLED.value, GRADE_LABELS[Grade.UNFULFILLED]


GOOD_OR_BETTER = (Grade.EXCELLENT.value, Grade.GOOD.value)


class EvaluationRoundQuerySet(models.QuerySet):
    def in_subtree(self, org: Organization | str) -> EvaluationRoundQuerySet:
        """Rounds run by ``org`` (organization or path) or an organization under it."""
        return self.filter(subtree_q(org, via="organization__"))  # by organization ids: see subtree_q

    def covering(self, org: Organization) -> EvaluationRoundQuerySet:
        """Rounds whose rows can lie in ``org``'s subtree: a round grades units of its own
        organization's subtree, so those run inside ``org``'s subtree or by one of its ancestors."""
        step = org.steplen
        above = [org.path[:end] for end in range(step, len(org.path), step)]
        return self.filter(organization__in=Organization.objects.filter(subtree_q(org) | Q(path__in=above)))


class EvaluationQuerySet(models.QuerySet):
    def in_subtree(self, org: Organization | str) -> EvaluationQuerySet:
        """Evaluations whose unit (where the subject sat when the round opened) lies under ``org``."""
        return self.filter(subtree_q(org, via="unit__"))  # by organization ids: see subtree_q


class EvaluationRound(models.Model):
    """Một đợt đánh giá, xếp loại chất lượng run by ``organization`` for its subtree.

    ``sheet`` is the scoring sheet the round uses (criteria groups with their maximum points),
    copied from a sheet file when the round is opened, so later edits of the file do not change it.
    """

    objects = EvaluationRoundQuerySet.as_manager()

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="evaluation_rounds",
                                     verbose_name="tổ chức đảng tiến hành")
    subject_kind = models.CharField("đối tượng", max_length=20, choices=SubjectKind.choices)
    year = models.PositiveSmallIntegerField("năm")
    quarter = models.PositiveSmallIntegerField("quý", null=True, blank=True)
    state = models.CharField("tình trạng", max_length=10, choices=RoundState.choices, default=RoundState.DRAFT)
    sheet = models.JSONField("phiếu chấm điểm")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    finalised_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-quarter", "subject_kind", "-id"]
        verbose_name = "đợt đánh giá, xếp loại"
        verbose_name_plural = "đợt đánh giá, xếp loại"
        indexes = [models.Index(fields=["subject_kind", "year", "state"])]

    def __str__(self) -> str:
        return f"{self.get_subject_kind_display()} — {self.period_label} — {self.organization}"

    @property
    def period_start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1) if self.quarter else dt.date(self.year, 1, 1)

    @property
    def period_end(self) -> dt.date:
        """The period's last day (the indicators' ``Period`` of the round ends on the same day)."""
        if not self.quarter:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year + (self.quarter == 4), (3 * self.quarter) % 12 + 1, 1) - dt.timedelta(days=1)

    @property
    def period_label(self) -> str:
        return f"quý {self.quarter}/{self.year}" if self.quarter else f"năm {self.year}"

    @property
    def title(self) -> str:
        return f"Đánh giá, xếp loại {self.get_subject_kind_display().lower()} {self.period_label}"

    @property
    def is_open(self) -> bool:
        return self.state == RoundState.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    @property
    def rule_day(self) -> dt.date:
        """The day whose rule set grades this round: the period's last day."""
        return self.period_end

    def criteria(self) -> list[dict]:
        """Every criterion of the sheet, each with its group's code."""
        return [{**c, "group": g["code"]} for g in self.sheet["groups"] for c in g["criteria"]]

    def maxima(self) -> dict[str, dict[str, float]]:
        return {g["code"]: {c["code"]: c["max"] for c in g["criteria"]} for g in self.sheet["groups"]}


class Evaluation(models.Model):
    """One subject's evaluation: self-assessment → cell proposal → committee decision → final grade.

    The subject is a member (members, committee members, office holders) or an organization.
    ``unit`` is where the subject sat when the round opened (the member's cell, or the
    organization itself): scoping and the per-grassroots quota count by it.
    ``final_grade`` is the committee's grade lowered by the conditions (forced "unfulfilled" and
    the extra conditions of each grade); ``reasons`` says why, in Vietnamese.
    """

    objects = EvaluationQuerySet.as_manager()

    round = models.ForeignKey(EvaluationRound, on_delete=models.CASCADE, related_name="evaluations")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="evaluations")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="evaluations")
    unit = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị")
    position = models.CharField("chức vụ", max_length=120, blank=True)

    # step 1: self-assessment
    self_points = models.JSONField("điểm tự chấm từng tiêu chí", null=True, blank=True)
    self_total = models.DecimalField("tổng điểm tự chấm", max_digits=6, decimal_places=2, null=True, blank=True)
    self_grade = models.CharField("tự xếp loại", max_length=12, choices=GradeChoice.choices, blank=True)
    tasks_on_time_pct = models.DecimalField("tỷ lệ nhiệm vụ đúng hạn (%)", max_digits=5, decimal_places=2,
                                            null=True, blank=True)
    tasks_exceeding_pct = models.DecimalField("tỷ lệ nhiệm vụ vượt mức (%)", max_digits=5, decimal_places=2,
                                              null=True, blank=True)
    targets_met_pct = models.DecimalField("tỷ lệ chỉ tiêu đạt (%)", max_digits=5, decimal_places=2,
                                          null=True, blank=True)
    disunity = models.BooleanField("nội bộ mất đoàn kết", default=False)
    self_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    self_at = models.DateTimeField(null=True, blank=True)

    # step 2: the cell's proposal
    proposed_grade = models.CharField("chi bộ đề xuất", max_length=12, choices=GradeChoice.choices, blank=True)
    proposal_note = models.CharField("nhận xét của chi bộ", max_length=500, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    proposed_at = models.DateTimeField(null=True, blank=True)

    # step 3: the committee's decision
    decided_grade = models.CharField("cấp ủy quyết định", max_length=12, choices=GradeChoice.choices, blank=True)
    decision_reason = models.CharField("lý do (quyết định không qua đề xuất)", max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    # computed by the services from the points, the conditions and the registry
    disciplined = models.BooleanField("bị kỷ luật trong kỳ", default=False)
    subunits_disciplined_pct = models.DecimalField("tỷ lệ đơn vị trực thuộc bị kỷ luật (%)", max_digits=5,
                                                   decimal_places=2, null=True, blank=True)
    computed_grade = models.CharField("xếp loại theo điểm và điều kiện", max_length=12,
                                      choices=GradeChoice.choices, blank=True)
    final_grade = models.CharField("kết quả xếp loại", max_length=12, choices=GradeChoice.choices, blank=True,
                                   db_index=True)
    reasons = models.JSONField("lý do hạ mức", default=list, blank=True)

    class Meta:
        ordering = ["unit__path", "member__name_folded", "organization__path", "id"]
        verbose_name = "phiếu đánh giá, xếp loại"
        verbose_name_plural = "phiếu đánh giá, xếp loại"
        # The grade shares of a year's rounds are answered from the second index alone.
        indexes = [models.Index(fields=["member", "round"], name="evaluation_member_round_idx"),
                   models.Index(fields=["round", "final_grade", "unit"], name="evaluation_round_grade_idx")]
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="evaluation_member_once"),
            models.UniqueConstraint(fields=["round", "organization"], name="evaluation_organization_once"),
            models.CheckConstraint(
                condition=(models.Q(member__isnull=False, organization__isnull=True)
                           | models.Q(member__isnull=True, organization__isnull=False)),
                name="evaluation_one_subject"),
        ]

    def __str__(self) -> str:
        return self.subject_name

    @property
    def subject_name(self) -> str:
        return self.member.full_name if self.member_id else self.organization.name

    @property
    def is_collective(self) -> bool:
        return self.organization_id is not None
