"""Meetings indicators: cell meetings held, attendance, scoring, upper-level presence, study.

All by SQL aggregation over the subtree (``organization__path__startswith``).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q

from dangvu.core.rulesets import ruleset_for
from dangvu.indicators import Period, Value, indicator
from dangvu.registry.models import CELL_KINDS, Member, Organization

from .models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingScore,
    StudyAttendance,
    StudySession,
    UpperAttendee,
    regular_q,
    thematic_q,
)
from .services import normalize_document_number


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def complete_months(period: Period) -> list[tuple[dt.date, dt.date]]:
    """Months lying wholly inside the period whose last day is on or before ``period.as_of``."""
    out = []
    y, m = period.start.year, period.start.month
    while True:
        first, last = dt.date(y, m, 1), _month_end(y, m)
        if last > period.as_of:
            break
        if first >= period.start and last <= period.end:
            out.append((first, last))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def complete_quarters(period: Period) -> list[tuple[dt.date, dt.date]]:
    """Calendar quarters wholly inside the period whose last day is on or before ``period.as_of``."""
    return [(first, _month_end(first.year, first.month + 2))
            for first, _last in complete_months(period)
            if first.month % 3 == 1 and _month_end(first.year, first.month + 2) <= period.as_of
            and _month_end(first.year, first.month + 2) <= period.end]


def _cells(org: Organization, period: Period):
    """Cells of the subtree not dissolved before the period's reading day."""
    return Organization.objects.filter(path__startswith=org.path, kind__in=CELL_KINDS).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=period.as_of))


def _cells_meeting_every(org: Organization, period: Period, spans: list[tuple[dt.date, dt.date]],
                         which: Q, needed: int) -> Value:
    cells = _cells(org, period)
    if not spans:
        return Value.share(0, 0)
    # Only the spans' meetings of the right kind are joined (by the index on organization and
    # day), not every meeting the cell ever held.
    held = FilteredRelation("meetings", condition=which & Q(meetings__held_on__range=(spans[0][0], spans[-1][1])))
    counts = {f"n{i}": Count("held", filter=Q(held__held_on__range=span)) for i, span in enumerate(spans)}
    done = (cells.annotate(held=held).annotate(**counts)
            .filter(**{f"n{i}__gte": needed for i in range(len(spans))}).count())
    return Value.share(done, cells.count())


@indicator("cells.regular_meetings_complete_share", "Tỷ lệ chi bộ sinh hoạt thường kỳ đủ các tháng", "%")
def regular_meetings_complete_share(org: Organization, period: Period) -> Value:
    """Cells of the subtree that held at least ``meeting.regular_per_month`` regular meetings (a
    combined meeting counts) in every month of the period that has ended by ``period.as_of``.

    Denominator: cells not dissolved by ``as_of``. No month ended yet → no value (0/0).
    Source: Điều lệ Đảng, Điều 24 (a regular meeting every month).
    """
    needed = ruleset_for(period.as_of)["meeting.regular_per_month"]
    return _cells_meeting_every(org, period, complete_months(period), regular_q("meetings__"), needed)


@indicator("cells.thematic_quarterly_share", "Tỷ lệ chi bộ sinh hoạt chuyên đề đủ các quý", "%")
def thematic_quarterly_share(org: Organization, period: Period) -> Value:
    """Cells of the subtree with at least ``meeting.thematic_per_quarter`` thematic meetings (a
    combined meeting counts) in every calendar quarter of the period ended by ``period.as_of``
    (the current quarter counts once it has ended). No quarter ended yet → no value (0/0).
    Source: Hướng dẫn 42-HD/BTCTW, 28/10/2025 (a thematic meeting at least once a quarter).
    """
    needed = ruleset_for(period.as_of)["meeting.thematic_per_quarter"]
    return _cells_meeting_every(org, period, complete_quarters(period), thematic_q("meetings__"), needed)


def _meetings(org: Organization, period: Period):
    # ``organization__in`` (a subquery of the subtree's ids) lets the database read each cell's
    # meetings of the period from the index on (organization, held_on), not every meeting of the
    # period in the province.
    return Meeting.objects.filter(organization__in=Organization.objects.filter(path__startswith=org.path),
                                  held_on__range=(period.start, period.end))


@indicator("meetings.count", "Số buổi sinh hoạt chi bộ", "count")
def meetings_count(org: Organization, period: Period) -> Value:
    """Meetings of the subtree's cells held in the period; breakdown regular / thematic / combined."""
    agg = _meetings(org, period).aggregate(
        total=Count("id"),
        regular=Count("id", filter=Q(kind="regular", combined=False)),
        thematic=Count("id", filter=Q(kind="thematic", combined=False)),
        combined=Count("id", filter=Q(combined=True)),
    )
    total = agg.pop("total")
    return Value(value=total, numerator=total, breakdown=agg)


@indicator("meetings.attendance_rate", "Tỷ lệ đảng viên dự sinh hoạt chi bộ", "%")
def attendance_rate(org: Organization, period: Period) -> Value:
    """Present ÷ (present + excused + absent) over the attendance rows of the period's meetings;
    members exempt from activity are left out."""
    # Counting ``meeting`` (never null), not ``id``: the (meeting, status) index alone answers,
    # SQLite need not decode each row's id for millions of rows.
    agg = Attendance.objects.filter(meeting__in=_meetings(org, period)).aggregate(
        present=Count("meeting", filter=Q(status=AttendanceStatus.PRESENT)),
        expected=Count("meeting", filter=~Q(status=AttendanceStatus.EXEMPT)),
    )
    return Value.share(agg["present"], agg["expected"])


@indicator("meetings.scored_share", "Tỷ lệ buổi sinh hoạt đã chấm điểm, xếp loại", "%")
def scored_share(org: Organization, period: Period) -> Value:
    """Meetings of the period that have a score ÷ meetings of the period."""
    agg = _meetings(org, period).aggregate(
        n=Count("id"), scored=Count("id", filter=Q(Exists(MeetingScore.objects.filter(meeting=OuterRef("pk"))))))
    return Value.share(agg["scored"], agg["n"])


@indicator("meetings.upper_attendance_share", "Tỷ lệ buổi sinh hoạt có cấp ủy viên cấp trên dự", "%")
def upper_attendance_share(org: Organization, period: Period) -> Value:
    """Meetings of the period attended by at least one upper-level committee member ÷ meetings."""
    agg = _meetings(org, period).aggregate(
        n=Count("id"), upper=Count("id", filter=Q(Exists(UpperAttendee.objects.filter(meeting=OuterRef("pk"))))))
    return Value.share(agg["upper"], agg["n"])


@indicator("members.studied_document_share", "Tỷ lệ đảng viên được học tập, quán triệt văn bản", "%",
           document="")
def studied_document_share(org: Organization, period: Period, document: str = "") -> Value:
    """Members obliged to take part (full and probationary, now in the subtree; exempt members
    are left out) who studied document ``document`` (its number, e.g. 21-NQ/TW) at a session held
    in the period, make-up sessions included. Without ``document``: those who attended at least one
    study session in the period."""
    sessions = StudySession.objects.filter(held_on__range=(period.start, period.end))
    number = normalize_document_number(document)
    if number:
        sessions = sessions.filter(document_number=number)
    members = Member.objects.filter(organization__in=Organization.objects.filter(path__startswith=org.path),
                                    status__in=("full", "probationary"))
    # Counted from the attendance side (distinct members), not with a lookup per member: both
    # SQLite and PostgreSQL then read the period's attendance once, whatever the subtree's size.
    studied = (StudyAttendance.objects.filter(session__in=sessions, member__in=members)
               .values("member_id").distinct().count())
    return Value.share(studied, members.count())
