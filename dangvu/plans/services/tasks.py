"""Tasks as a person corrects them, and progress as it is reported: a task's status with its
evidence, a manual target's measured value."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.db import transaction

from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.common.versions import claim
from dangvu.core import clock

from ..models import Measurement, Plan, Target, Task, TaskStatus, TaskUpdate, TimingKind
from .base import MAX_TEXT, clean_text, next_position

TASK_FIELDS = ("label", "title", "timing_kind", "starts_on", "ends_on", "timing_text", "lead", "support", "lead_org")


@transaction.atomic
def edit_task(by, task: Task, *, version: int | None = None, **fields: Any) -> Task:
    """Correct a task (or fill a new one); ``version``: the one the edit form read (a newer one,
    saved by someone else meanwhile, is refused with ``Code.STALE``)."""
    issuer = task.plan.issuer
    ensure_can_edit(by, issuer)
    if task.pk is not None:
        claim(task, version, by, fields)
    for key, value in fields.items():
        if key not in TASK_FIELDS:
            raise ServiceError(f"Không sửa được trường {key}.", Code.INVALID)
        if key == "lead_org" and value is not None and not value.path.startswith(issuer.path):
            raise ServiceError("Tổ chức chủ trì phải thuộc cấp ủy ban hành.", Code.OUT_OF_SUBTREE, field="lead_org")
        limit = {"label": 40, "timing_text": 255, "lead": 500, "support": 500}.get(key, MAX_TEXT)
        setattr(task, key, clean_text(value, limit) if isinstance(value, str) else value)
    if task.timing_kind and task.timing_kind not in TimingKind.values:
        raise ServiceError("Loại thời gian không hợp lệ.", Code.INVALID, field="timing_kind")
    if task.starts_on and task.ends_on and task.ends_on < task.starts_on:
        raise ServiceError("Thời hạn không thể trước ngày bắt đầu.", Code.DATE_ORDER, field="ends_on")
    if not task.title:
        raise ServiceError("Nội dung nhiệm vụ không được để trống.", Code.REQUIRED, field="title")
    task.save()
    return task


@transaction.atomic
def add_task(by, plan: Plan, **fields: Any) -> Task:
    ensure_can_edit(by, plan.issuer)
    task = Task(plan=plan, position=next_position(plan.tasks), title="")
    return edit_task(by, task, **fields)


@transaction.atomic
def delete_task(by, task: Task) -> None:
    """Remove a task (with its status updates and their evidence)."""
    ensure_can_edit(by, task.plan.issuer)
    task.delete()


@transaction.atomic
def update_task(by, task: Task, status: str, evidence: str = "", done_on: dt.date | None = None, *,
                evidence_name: str = "", evidence_content: bytes | None = None) -> TaskUpdate:
    """Report a task's progress: its new status with evidence; done needs the day it was done."""
    ensure_can_edit(by, task.plan.issuer)
    if status not in TaskStatus.values:
        raise ServiceError("Tình trạng không hợp lệ.", Code.INVALID, field="status")
    if status == TaskStatus.DONE and not done_on:
        raise ServiceError("Đã hoàn thành thì phải ghi ngày hoàn thành.", Code.REQUIRED, field="done_on")
    if status != TaskStatus.DONE:
        done_on = None
    if done_on and done_on > clock.today():
        raise ServiceError("Ngày hoàn thành không thể ở tương lai.", Code.FUTURE_DATE, field="done_on")
    task.status, task.done_on = status, done_on
    task.save()
    return TaskUpdate.objects.create(task=task, status=status, done_on=done_on, evidence=clean_text(evidence, 5000),
                                     evidence_name=clean_text(evidence_name, 255) if evidence_content else "",
                                     evidence_content=evidence_content, by=acting_user(by))


@transaction.atomic
def record_measurement(by, target: Target, measured_on: dt.date, value: float, note: str = "") -> Measurement:
    """A value of a manual target (a target with bindings measures itself)."""
    ensure_can_edit(by, target.plan.issuer)
    if target.bindings.exists():
        raise ServiceError("Chỉ tiêu này được đo tự động từ dữ liệu; không nhập tay.", Code.STATE)
    if value is None or not math.isfinite(value) or value < 0 or value > 1_000_000:
        raise ServiceError("Giá trị phải là số từ 0 đến 1.000.000.", Code.OUT_OF_RANGE, field="value")
    if target.unit == "%" and value > 100:
        raise ServiceError("Tỷ lệ không thể vượt quá 100%.", Code.OUT_OF_RANGE, field="value")
    if measured_on > clock.today():
        raise ServiceError("Ngày số liệu không thể ở tương lai.", Code.FUTURE_DATE, field="measured_on")
    return Measurement.objects.create(target=target, measured_on=measured_on, value=value,
                                      note=clean_text(note, 500), entered_by=acting_user(by))
