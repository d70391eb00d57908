"""The package's sections, in the order an import applies them (each refers only to those above
it, or to itself by an earlier id): the model behind each, and which of its fields travel.

Fields travel by name, as the model names them. A reference to an organization travels as the
organization's code (unique on every instance); a reference to another exported row as that row's
id on the sender; references to users, uploaded files, edit counters and timestamps the database
sets itself stay home.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models

from dangvu.admission.models import AdmissionQuota, Prospect
from dangvu.evaluation.models import Evaluation, EvaluationRound
from dangvu.fees.models import FeeBasis, FeeBook, FeePayment, FeeRemittance, FeeShare
from dangvu.honours.models import BadgeAward, Commendation
from dangvu.meetings.models import (
    Attendance,
    Meeting,
    MeetingScore,
    ScoringFramework,
    StudyAttendance,
    StudySession,
    UpperAttendee,
)
from dangvu.plans.models import Binding, Measurement, Plan, Target
from dangvu.registry.models import (
    Assignment,
    Commitment,
    Locality,
    Member,
    Organization,
    Post,
    StatusChange,
    Training,
    WorkingRules,
)

# Kept by each instance for itself: tree bookkeeping, edit counters, derived search keys.
LOCAL_FIELDS = {"path", "depth", "numchild", "version", "edited_by", "edited_at", "name_folded"}


@dataclass(frozen=True)
class Section:
    name: str
    model: type[models.Model]
    label: str  # Vietnamese, for the preview

    def fields(self) -> list[models.Field]:
        out = []
        for f in self.model._meta.concrete_fields:
            if f.primary_key or f.name in LOCAL_FIELDS or isinstance(f, models.FileField):
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                continue
            if f.is_relation and (f.related_model._meta.label == settings.AUTH_USER_MODEL
                                  or (f.related_model is not Organization
                                      and f.related_model not in MODEL_SECTION)):
                continue
            out.append(f)
        return out


SECTIONS: tuple[Section, ...] = (
    Section("organizations", Organization, "Tổ chức đảng"),
    Section("members", Member, "Đảng viên"),
    Section("status_changes", StatusChange, "Biến động đảng viên"),
    Section("posts", Post, "Chức vụ"),
    Section("working_rules", WorkingRules, "Quy chế làm việc"),
    Section("localities", Locality, "Thôn, bản, tổ dân phố"),
    Section("trainings", Training, "Đào tạo, bồi dưỡng"),
    Section("assignments", Assignment, "Phân công nhiệm vụ"),
    Section("commitments", Commitment, "Cam kết tu dưỡng, rèn luyện"),
    Section("meetings", Meeting, "Buổi sinh hoạt"),
    Section("attendances", Attendance, "Điểm danh"),
    Section("upper_attendees", UpperAttendee, "Cấp trên dự sinh hoạt"),
    Section("scoring_frameworks", ScoringFramework, "Khung chấm điểm sinh hoạt"),
    Section("meeting_scores", MeetingScore, "Chấm điểm, xếp loại sinh hoạt"),
    Section("study_sessions", StudySession, "Học tập nghị quyết"),
    Section("study_attendances", StudyAttendance, "Dự học tập nghị quyết"),
    Section("evaluation_rounds", EvaluationRound, "Đợt đánh giá, xếp loại"),
    Section("evaluations", Evaluation, "Phiếu đánh giá, xếp loại"),
    Section("prospects", Prospect, "Quần chúng ưu tú, kết nạp"),
    Section("admission_quotas", AdmissionQuota, "Chỉ tiêu kết nạp"),
    Section("fee_bases", FeeBasis, "Mức đóng đảng phí"),
    Section("fee_books", FeeBook, "Sổ thu đảng phí"),
    Section("fee_payments", FeePayment, "Khoản nộp đảng phí"),
    Section("fee_shares", FeeShare, "Tỷ lệ để lại"),
    Section("fee_remittances", FeeRemittance, "Nộp đảng phí cấp trên"),
    Section("badge_awards", BadgeAward, "Huy hiệu Đảng"),
    Section("commendations", Commendation, "Khen thưởng"),
    Section("plans", Plan, "Kế hoạch"),
    Section("targets", Target, "Chỉ tiêu"),
    Section("bindings", Binding, "Cách đo chỉ tiêu"),
    Section("measurements", Measurement, "Số liệu nhập tay"),
)
MODEL_SECTION: dict[type[models.Model], str] = {s.model: s.name for s in SECTIONS}
BY_NAME: dict[str, Section] = {s.name: s for s in SECTIONS}


def to_json(value: Any) -> Any:
    """A field's value as JSON: dates and times in ISO 8601, decimals as text (no float rounding)."""
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def row_of(section: Section, obj: models.Model, fields: list[models.Field]) -> dict[str, Any]:
    """One exported row. ``obj`` comes with its organizations' codes annotated as ``<field>__code``
    (see the selectors), so building rows makes no query per row."""
    row: dict[str, Any] = {"id": obj.pk}
    for f in fields:
        if f.is_relation and f.related_model is Organization:
            row[f.name] = getattr(obj, f"x_{f.name}_code")
        elif f.is_relation:
            row[f.name] = getattr(obj, f.attname)
        else:
            row[f.name] = to_json(getattr(obj, f.attname))
    if section.model is Organization:
        row["parent"] = getattr(obj, "x_parent_code", None)
    return row
