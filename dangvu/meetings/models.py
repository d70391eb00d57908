"""Cell meetings, their attendance and scores, scoring frameworks, and study sessions.

Models hold data only; every write goes through :mod:`dangvu.meetings.services`. The rules
(durations, grades, framework validity) live in :mod:`dangvu.core.meetings`.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.conf import settings
from django.db import models

from dangvu.core.meetings import MEETING_GRADE_LABELS
from dangvu.core.meetings import ScoringFramework as CoreFramework
from dangvu.registry.models import Member, Organization, Versioned


class MeetingKind(models.TextChoices):
    REGULAR = "regular", "Thường kỳ"
    THEMATIC = "thematic", "Chuyên đề"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Có mặt"
    EXCUSED = "excused", "Vắng có lý do"
    ABSENT = "absent", "Vắng không lý do"
    EXEMPT = "exempt", "Miễn sinh hoạt"


class MeetingGrade(models.TextChoices):
    GOOD = "good", MEETING_GRADE_LABELS["good"]
    FAIR = "fair", MEETING_GRADE_LABELS["fair"]
    AVERAGE = "average", MEETING_GRADE_LABELS["average"]
    WEAK = "weak", MEETING_GRADE_LABELS["weak"]


def minutes_path(instance: Meeting, filename: str) -> str:
    """Minutes files are stored per cell and year; served only through the scoped view."""
    return f"bien-ban/{instance.organization.code}/{instance.held_on:%Y}/{filename}"


class Meeting(Versioned):
    """Buổi sinh hoạt chi bộ: thường kỳ or chuyên đề; ``combined`` = both held together."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="meetings",
                                     verbose_name="chi bộ")
    held_on = models.DateField("ngày sinh hoạt")
    starts_at = models.TimeField("giờ bắt đầu")
    ends_at = models.TimeField("giờ kết thúc")
    kind = models.CharField("loại", max_length=10, choices=MeetingKind.choices, default=MeetingKind.REGULAR)
    combined = models.BooleanField("thường kỳ kết hợp chuyên đề", default=False)
    topic = models.CharField("nội dung, chuyên đề", max_length=255, blank=True)
    conclusion = models.TextField("kết luận, nghị quyết", max_length=4000, blank=True)
    online = models.BooleanField("sinh hoạt trực tuyến", default=False)
    place = models.CharField("địa điểm", max_length=255, blank=True)
    chair = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name="chủ trì")
    materials_sent_on = models.DateField("ngày gửi tài liệu", null=True, blank=True)
    minutes_file = models.FileField("biên bản", upload_to=minutes_path, blank=True, max_length=255)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # The minutes' head count ("có mặt …/…"), kept by the meetings services from the attendance
    # rows whenever they change, so that the attendance rate of a province sums one row per
    # meeting instead of walking millions of attendance rows.
    present_count = models.PositiveIntegerField("số đảng viên có mặt", default=0, editable=False)
    expected_count = models.PositiveIntegerField("số đảng viên phải dự (trừ miễn sinh hoạt)", default=0,
                                                 editable=False)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = "buổi sinh hoạt chi bộ"
        verbose_name_plural = "buổi sinh hoạt chi bộ"
        # The subtree indicators read a cell's meetings of a period from this index alone
        # (kind and head counts included), never from the table's wide rows.
        indexes = [models.Index(fields=["organization", "held_on", "kind", "combined", "present_count",
                                        "expected_count"], name="meeting_org_day_cover_idx"),
                   models.Index(fields=["held_on"])]

    def __str__(self) -> str:
        return f"{self.kind_label} {self.held_on:%d/%m/%Y}"

    @property
    def is_regular(self) -> bool:
        """Counts as the month's regular meeting (a combined meeting does)."""
        return self.kind == MeetingKind.REGULAR or self.combined

    @property
    def is_thematic(self) -> bool:
        """Counts as the quarter's thematic meeting (a combined meeting does)."""
        return self.kind == MeetingKind.THEMATIC or self.combined

    @property
    def kind_label(self) -> str:
        if self.combined:
            return "Sinh hoạt thường kỳ kết hợp chuyên đề"
        return f"Sinh hoạt {self.get_kind_display().lower()}"

    @property
    def minutes(self) -> float:
        start = dt.datetime.combine(self.held_on, self.starts_at)
        return (dt.datetime.combine(self.held_on, self.ends_at) - start).total_seconds() / 60


def regular_q(prefix: str = "") -> models.Q:
    """Meetings that count as regular (kind regular, or combined)."""
    return models.Q(**{f"{prefix}kind": MeetingKind.REGULAR}) | models.Q(**{f"{prefix}combined": True})


def thematic_q(prefix: str = "") -> models.Q:
    """Meetings that count as thematic (kind thematic, or combined)."""
    return models.Q(**{f"{prefix}kind": MeetingKind.THEMATIC}) | models.Q(**{f"{prefix}combined": True})


def span_index(spans: list[tuple[dt.date, dt.date]], field: str = "held_on") -> models.Case:
    """SQL for the number of the span a day falls in. The spans follow one another without gaps
    and the day is on or after the first one's start, so its span is the first that ends on or
    after it (one comparison per span instead of two)."""
    whens = (models.When(**{f"{field}__lte": last}, then=models.Value(i)) for i, (_first, last) in enumerate(spans))
    return models.Case(*whens, output_field=models.IntegerField())


class Attendance(models.Model):
    """One member's attendance at one meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    # Indexed with the status below: a member's absences are found without reading their other rows.
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="meeting_attendances",
                               db_index=False)
    status = models.CharField("tham dự", max_length=10, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.PRESENT)
    # Kept only with "vắng có lý do": the minutes name the reason.
    reason = models.CharField("lý do vắng", max_length=200, blank=True)

    class Meta:
        ordering = ["member__name_folded", "id"]
        verbose_name = "điểm danh sinh hoạt"
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="meetings_attendance_once")]
        # A meeting's statuses, and a member's absences (the alerts), each from an index alone.
        indexes = [models.Index(fields=["meeting", "status"], name="attendance_meeting_status_idx"),
                   models.Index(fields=["member", "status"], name="attendance_member_status_idx")]


class UpperAttendee(models.Model):
    """Cấp ủy viên cấp trên dự sinh hoạt: a member record when known, else a name and post."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="upper_attendees")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField("họ và tên", max_length=120)
    position = models.CharField("chức vụ", max_length=160, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "cấp ủy viên cấp trên dự sinh hoạt"

    def __str__(self) -> str:
        return f"{self.name} ({self.position})" if self.position else self.name


class ScoringFramework(models.Model):
    """Khung chấm điểm sinh hoạt chi bộ of a province (blank: the national default) for a year.

    ``definition`` is the framework as loaded (YAML/JSON); it is valid for
    :meth:`dangvu.core.meetings.ScoringFramework.from_dict` by construction.
    """

    name = models.CharField("tên khung", max_length=255)
    version = models.CharField("phiên bản", max_length=40, blank=True)
    province = models.CharField("tỉnh (mã tổ chức gốc; trống: mặc định)", max_length=40, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField("áp dụng từ năm")
    max_total = models.DecimalField("tổng điểm tối đa", max_digits=7, decimal_places=2)
    definition = models.JSONField("nội dung khung")
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["province", "-year", "-id"]
        verbose_name = "khung chấm điểm sinh hoạt chi bộ"
        constraints = [models.UniqueConstraint(fields=["province", "year", "version"],
                                               name="meetings_framework_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.version}, {self.year})"

    @cached_property
    def core(self) -> CoreFramework:
        return CoreFramework.from_dict(self.definition)


class MeetingScore(models.Model):
    """Chấm điểm một buổi sinh hoạt: points per criterion code; total and grade by the core."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="score")
    framework = models.ForeignKey(ScoringFramework, on_delete=models.PROTECT, related_name="scores")
    points = models.JSONField("điểm từng tiêu chí")
    total = models.DecimalField("tổng điểm", max_digits=7, decimal_places=2)
    grade = models.CharField("xếp loại", max_length=10, choices=MeetingGrade.choices)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "điểm sinh hoạt chi bộ"


class DocumentKind(models.TextChoices):
    RESOLUTION = "resolution", "Nghị quyết"
    DIRECTIVE = "directive", "Chỉ thị"
    CONCLUSION = "conclusion", "Kết luận"
    REGULATION = "regulation", "Quy định"
    GUIDANCE = "guidance", "Hướng dẫn"
    PLAN = "plan", "Kế hoạch, chương trình"
    OTHER = "other", "Văn bản khác"


class StudySession(models.Model):
    """Học tập, quán triệt a Party document; ``makeup`` = học bù for those who missed it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="study_sessions",
                                     verbose_name="tổ chức")
    document_title = models.CharField("tên văn bản", max_length=255)
    document_number = models.CharField("số, ký hiệu văn bản", max_length=60, db_index=True)
    document_kind = models.CharField("loại văn bản", max_length=12, choices=DocumentKind.choices,
                                     default=DocumentKind.RESOLUTION)
    held_on = models.DateField("ngày học tập")
    makeup = models.BooleanField("học bù", default=False)
    note = models.CharField("ghi chú", max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = "buổi học tập, quán triệt"
        indexes = [models.Index(fields=["held_on"])]

    def __str__(self) -> str:
        return f"{self.document_number} — {self.document_title}"


class StudyAttendance(models.Model):
    """A member who studied the document at this session."""

    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="study_attendances")

    class Meta:
        verbose_name = "đảng viên đã học tập"
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="meetings_study_once")]
