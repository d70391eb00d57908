"""Stored alert counts (issue 14): the alerts of one subtree on one day, as counted.

A province's alerts take seconds to count (the removal grounds read a year of attendance and fee
payments for every member), yet they change only when the day changes or the subtree's data does.
So the counts per organization, kind and severity, and the short lists the page pages through
(removal grounds, late remittances, letters, inspections, badge breaks), are stored once per
organization and day with the change-log stamp they were computed after
(:mod:`dangvu.plans.snapshots`). Nothing personal is kept that the pages do not already show.
"""

from django.db import models
from django.utils import timezone

from dangvu.registry.models import Organization


class AlertSnapshot(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    day = models.DateField("ngày xét")
    rules = models.CharField("bộ quy tắc", max_length=40)  # fingerprint of the rule sets and code version
    stamp = models.BigIntegerField("mốc thay đổi số liệu", default=0)
    computed_at = models.DateTimeField("tính lúc", default=timezone.now)
    counts = models.JSONField(default=list)
    listed = models.JSONField(default=dict)
    first_page = models.JSONField(default=dict)  # the unfiltered list's first page: {"paths", "rows"}

    class Meta:
        verbose_name = "số cảnh báo đã tính"
        constraints = [models.UniqueConstraint(fields=["organization", "day"], name="alert_snapshot_org_day")]
