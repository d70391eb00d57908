"""Cell classification («chi bộ bốn tốt» or the province's equivalent): the province's framework,
the committee's entries with evidence for criteria no data decides, and each cell's yearly result
with its reasons. The rules are :mod:`dangvu.core.classification`."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangvu.registry.models import Organization


class ClassificationFramework(models.Model):
    """A province's framework (blank province: the project's default) from ``year`` on.
    ``definition`` is valid for :meth:`dangvu.core.classification.Framework.from_dict`."""

    name = models.CharField("tên khung", max_length=255)
    title = models.CharField("danh hiệu", max_length=120)
    version = models.CharField("phiên bản", max_length=40, blank=True)
    province = models.CharField("tỉnh (mã tổ chức gốc; trống: mặc định)", max_length=40, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField("áp dụng từ năm")
    definition = models.JSONField("nội dung khung")
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["province", "-year", "-id"]
        verbose_name = "khung phân loại chi bộ"
        constraints = [models.UniqueConstraint(fields=["province", "year", "version"],
                                               name="classification_framework_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.version}, {self.year})"


class CriterionEntry(models.Model):
    """The committee's word on one criterion of one cell for a year, with its evidence."""

    cell = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="classification_entries")
    year = models.PositiveSmallIntegerField("năm")
    criterion = models.CharField("mã tiêu chí", max_length=80)
    met = models.BooleanField("đạt")
    evidence = models.TextField("minh chứng")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "ghi nhận tiêu chí phân loại"
        constraints = [models.UniqueConstraint(fields=["cell", "year", "criterion"],
                                               name="classification_entry_unique")]


class CellClassification(models.Model):
    """A cell's result for a year: earned the title (True), did not (False) or not yet decidable
    (None: a criterion still has neither data nor an entry); ``findings`` and ``reasons`` say why."""

    cell = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="classifications")
    year = models.PositiveSmallIntegerField("năm")
    framework = models.ForeignKey(ClassificationFramework, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    title = models.CharField("danh hiệu", max_length=120)
    classified = models.BooleanField("đạt danh hiệu", null=True)
    findings = models.JSONField("kết quả từng tiêu chí", default=list)
    reasons = models.JSONField("lý do", default=list)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    assessed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "kết quả phân loại chi bộ"
        constraints = [models.UniqueConstraint(fields=["cell", "year"], name="classification_cell_year_unique")]
        indexes = [models.Index(fields=["year", "classified"])]
