"""Plans: a plan (Kế hoạch, Chương trình hành động) of one organization, the documents it cites,
its targets (chỉ tiêu), each measured by zero or more bindings to indicators (none: by hand),
and its tasks (nhiệm vụ, giải pháp) with their status updates.

Models hold data only; every write goes through :mod:`dangvu.plans.services`.
"""

from __future__ import annotations

import datetime as dt
from textwrap import shorten

from django.conf import settings
from django.db import models
from django.utils import timezone

from dangvu.core import clock
from dangvu.core.plan_status import OP_LABELS, goal_text
from dangvu.registry.models import Organization, Versioned


class PlanState(models.TextChoices):
    DRAFT = "draft", "Bản nháp (chờ duyệt)"
    ACTIVE = "active", "Đang thực hiện"
    ARCHIVED = "archived", "Đã kết thúc, thay thế"


class Plan(models.Model):
    """Kế hoạch of an issuing organization for a span of years."""

    issuer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="plans",
                               verbose_name="cấp ủy ban hành")
    number = models.CharField("số văn bản", max_length=60, blank=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    place = models.CharField("địa danh", max_length=120, blank=True)
    title = models.TextField("trích yếu")
    start_year = models.PositiveSmallIntegerField("từ năm")
    end_year = models.PositiveSmallIntegerField("đến năm")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children",
                               verbose_name="thực hiện (cụ thể hóa) kế hoạch")
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="replaced_by", verbose_name="thay thế kế hoạch")
    source_name = models.CharField("tệp gốc", max_length=255, blank=True)
    source_text = models.TextField("văn bản gốc", blank=True)
    state = models.CharField("tình trạng", max_length=10, choices=PlanState.choices, default=PlanState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start_year", "-id"]
        verbose_name = "kế hoạch"
        verbose_name_plural = "kế hoạch"

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """"Kế hoạch số 35-KH/ĐU" or "Kế hoạch (chưa có số)"."""
        return f"Kế hoạch số {self.number}" if self.number else "Kế hoạch (chưa ghi số)"

    @property
    def years(self) -> str:
        return f"{self.start_year}–{self.end_year}"


class Reference(models.Model):
    """A document the plan cites (nghị quyết, chỉ thị, kế hoạch of the upper level…)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="references")
    kind = models.CharField("loại văn bản", max_length=60, blank=True)
    number = models.CharField("số", max_length=60)
    issued_on = models.DateField("ngày", null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "văn bản được dẫn"


class Period(models.TextChoices):
    ANNUAL = "annual", "Hằng năm"
    QUARTERLY = "quarterly", "Hằng quý"
    TERM = "term", "Cả nhiệm kỳ, giai đoạn"


class Unit(models.TextChoices):
    PERCENT = "%", "Tỷ lệ (%)"
    COUNT = "count", "Số lượng"


class Target(Versioned):
    """Chỉ tiêu: a goal on one number, measured by its bindings (indicator key + params over the
    scope) — zero bindings: measured by hand (:class:`Measurement`)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveIntegerField(default=0)
    section = models.CharField("mục", max_length=40, blank=True)
    text = models.TextField("nội dung chỉ tiêu")
    op = models.CharField("so sánh", max_length=8, choices=list(OP_LABELS.items()))
    value = models.FloatField("mục tiêu")
    value_max = models.FloatField("mục tiêu (cận trên)", null=True, blank=True)
    unit = models.CharField("đơn vị", max_length=8, choices=Unit.choices)
    by = models.PositiveSmallIntegerField("đến năm", null=True, blank=True)
    period = models.CharField("chu kỳ", max_length=10, choices=Period.choices, blank=True)
    baseline = models.FloatField("hiện trạng nêu trong kế hoạch", null=True, blank=True)
    scope = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name="phạm vi đo (mặc định: cấp ủy ban hành)")
    proposed = models.JSONField("cách đo do máy đề xuất", default=list, blank=True,
                                help_text="như máy đọc: [{indicator, params}], kể cả đề xuất không dùng được")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"

    def __str__(self) -> str:
        return shorten(self.text, 80, placeholder=" …")

    @property
    def scope_org(self) -> Organization:
        return self.scope or self.plan.issuer

    @property
    def due_year(self) -> int:
        return self.by or self.plan.end_year

    @property
    def goal(self) -> str:
        """The goal in words: "≥ 90%", "100%", "3–4%"."""
        return goal_text(self.op, self.value, self.value_max, self.unit)


class BindingSource(models.TextChoices):
    READER = "reader", "Máy đọc văn bản đề xuất"
    PERSON = "person", "Người duyệt thêm"


class Binding(models.Model):
    """One way a target is measured: a registered indicator with the parameters that give it the
    target's scope ("chi bộ thôn" → ``{"sector": "residential"}``). Proposed by the plan reader or
    added by a person; a proposal counts only once a person confirms it (who, when)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="bindings")
    position = models.PositiveSmallIntegerField(default=0)
    indicator = models.CharField("chỉ số đo", max_length=80)
    params = models.JSONField("tham số của chỉ số", default=dict, blank=True)
    source = models.CharField("nguồn", max_length=10, choices=BindingSource.choices, default=BindingSource.PERSON)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    confirmed = models.BooleanField("đã xác nhận", default=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "cách đo chỉ tiêu"
        verbose_name_plural = "cách đo chỉ tiêu"

    def __str__(self) -> str:
        return self.indicator


class Measurement(models.Model):
    """A value of a manual target, entered by a person on a date."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField("ngày số liệu")
    value = models.FloatField("giá trị")
    note = models.CharField("ghi chú, nguồn số liệu", max_length=500, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measured_on", "id"]
        verbose_name = "số liệu chỉ tiêu"


class TimingKind(models.TextChoices):
    ONGOING = "ongoing", "Thường xuyên"
    BY = "by", "Hoàn thành trước"
    FROM = "from", "Bắt đầu từ"
    BETWEEN = "between", "Trong khoảng"
    CONDITIONAL = "conditional", "Khi có điều kiện"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Chưa thực hiện"
    IN_PROGRESS = "in_progress", "Đang thực hiện"
    DONE = "done", "Đã hoàn thành"


OVERDUE = "overdue"
TASK_STATUS_LABELS = {**dict(TaskStatus.choices), OVERDUE: "Quá hạn"}


class Task(Versioned):
    """Nhiệm vụ, giải pháp: who leads (chủ trì), who supports (phối hợp), by when."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveIntegerField(default=0)
    label = models.CharField("số thứ tự", max_length=40, blank=True)
    title = models.TextField("nội dung nhiệm vụ")
    timing_kind = models.CharField("thời gian", max_length=12, choices=TimingKind.choices, blank=True)
    starts_on = models.DateField("từ ngày", null=True, blank=True)
    ends_on = models.DateField("thời hạn", null=True, blank=True)
    timing_text = models.CharField("thời gian (như trong văn bản)", max_length=255, blank=True)
    lead = models.CharField("chủ trì", max_length=500, blank=True)
    support = models.CharField("phối hợp", max_length=500, blank=True)
    lead_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name="tổ chức chủ trì")
    support_orgs = models.ManyToManyField(Organization, blank=True, related_name="+",
                                          verbose_name="tổ chức phối hợp")
    status = models.CharField("tình trạng", max_length=12, choices=TaskStatus.choices,
                              default=TaskStatus.NOT_STARTED)
    done_on = models.DateField("ngày hoàn thành", null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"

    def __str__(self) -> str:
        return shorten(self.title, 80, placeholder=" …")

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Not done and its deadline has passed."""
        today = today or clock.today()
        return self.status != TaskStatus.DONE and self.ends_on is not None and self.ends_on < today

    def shown_status(self, today: dt.date | None = None) -> str:
        """not_started / in_progress / done, or overdue (computed, never stored)."""
        return OVERDUE if self.is_overdue(today) else self.status

    @property
    def lead_name(self) -> str:
        return self.lead or (self.lead_org.name if self.lead_org_id else "")

    @property
    def deadline_text(self) -> str:
        if self.ends_on:
            return f"{self.ends_on:%d/%m/%Y}"
        if self.timing_kind == TimingKind.ONGOING:
            return "Thường xuyên"
        return self.timing_text or ""


class TaskUpdate(models.Model):
    """A status report on a task, with its evidence (text and/or a file stored in the database)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField("tình trạng", max_length=12, choices=TaskStatus.choices)
    done_on = models.DateField("ngày hoàn thành", null=True, blank=True)
    evidence = models.TextField("kết quả, minh chứng", blank=True)
    evidence_name = models.CharField("tệp minh chứng", max_length=255, blank=True)
    evidence_content = models.BinaryField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "cập nhật nhiệm vụ"


class IndicatorSnapshot(models.Model):
    """A stored figure of a past period (its end before this year): one indicator over one subtree
    with one set of params. Plan dashboards read these instead of recomputing every past year on
    each view; a row is only a cache of what the indicator gives — it is valid while no
    :class:`DataChange` newer than ``data_stamp`` touches its subtree in or before its last year,
    and is recomputed otherwise (see :mod:`dangvu.plans.snapshots`)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.CharField("chỉ số", max_length=80)
    params = models.CharField("tham số", max_length=300, blank=True)  # canonical JSON
    start = models.DateField()
    end = models.DateField()
    value = models.FloatField(null=True)
    detail = models.CharField(max_length=80, blank=True)  # "numerator/denominator" as shown
    computed_at = models.DateTimeField(default=timezone.now)
    data_stamp = models.BigIntegerField(default=0)  # the newest DataChange id when it was computed

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key", "params", "start", "end"],
                                               name="plans_snapshot_one_per_figure")]
        verbose_name = "số liệu chỉ số đã lưu"


class DataChange(models.Model):
    """A write that may change indicator figures: of one organization's data (null: anywhere) from
    one year on (null: every year). Appended by :mod:`dangvu.plans.snapshots` on every save or
    delete of the apps whose data the indicators read; its id is the data stamp."""

    organization = models.ForeignKey(Organization, null=True, on_delete=models.SET_NULL, related_name="+")
    year = models.PositiveSmallIntegerField(null=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "thay đổi số liệu"


class StoredResult(models.Model):
    """A page's figures over one subtree (a statistics report, …) kept as JSON with the change-log
    stamp they were computed after: read back while no :class:`DataChange` newer than ``data_stamp``
    touches the subtree (:func:`dangvu.plans.snapshots.stored`). Only a cache of what the page
    computes; a row is replaced, never edited."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField("loại", max_length=40)
    params = models.CharField("tham số", max_length=200)
    data_stamp = models.BigIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)
    value = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "name", "params"],
                                               name="plans_stored_result_one")]
        verbose_name = "số liệu trang đã lưu"
