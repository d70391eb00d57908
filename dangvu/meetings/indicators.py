"""Meetings indicators: cell meetings held, attendance, scoring, upper-level presence, study.

All by SQL aggregation over the subtree (``organization__path__startswith``).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Sum, When
from django.db.models import Value as V

from dangvu.core.rulesets import ruleset_for
from dangvu.indicators import Period, Value, indicator
from dangvu.registry.models import CELL_KINDS, Member, Organization

from .models import (
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


def month_spans(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar months from ``start`` to ``end``, the first and last cut at those days."""
    out = []
    first = start
    while first <= end:
        last = min(_month_end(first.year, first.month), end)
        out.append((first, last))
        first = last + dt.timedelta(days=1)
    return out


def span_index(spans: list[tuple[dt.date, dt.date]], field: str = "held_on") -> Case:
    """SQL for the number of the span a day falls in. The spans follow one another without gaps
    and the day is on or after the first one's start, so its span is the first that ends on or
    after it (one comparison per span instead of two)."""
    return Case(*(When(**{f"{field}__lte": last}, then=V(i)) for i, (_first, last) in enumerate(spans)),
                output_field=IntegerField())


def _cells(org: Organization, period: Period):
    """Cells of the subtree not dissolved before the period's reading day."""
    return Organization.objects.filter(path__startswith=org.path, kind__in=CELL_KINDS).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=period.as_of))


def _cells_meeting_every(org: Organization, period: Period, spans: list[tuple[dt.date, dt.date]],
                         which: Q, needed: int) -> Value:
    cells = _cells(org, period)
    if not spans:
        return Value.share(0, 0)
    # Grouped from the meetings side: the covering index on (organization, day, kind…) alone
    # answers, cell by cell, without joining each cell to its meetings.
    per_cell = (Meeting.objects.filter(which, organization__in=cells, held_on__range=(spans[0][0], spans[-1][1]))
                .order_by().values("organization"))
    if needed == 1:  # one meeting a span suffices: count the distinct spans a cell met in
        done = per_cell.annotate(met=Count(span_index(spans), distinct=True)).filter(met=len(spans)).count()
    else:
        counts = {f"n{i}": Count("pk", filter=Q(held_on__range=span)) for i, span in enumerate(spans)}
        done = per_cell.annotate(**counts).filter(**{f"n{i}__gte": needed for i in range(len(spans))}).count()
    return Value.share(done, cells.count())


@indicator("cells.regular_meetings_complete_share", "Tỷ lệ chi bộ sinh hoạt thường kỳ đủ các tháng", "%")
def regular_meetings_complete_share(org: Organization, period: Period) -> Value:
    """Cells of the subtree that held at least ``meeting.regular_per_month`` regular meetings (a
    combined meeting counts) in every month of the period that has ended by ``period.as_of``.

    Denominator: cells not dissolved by ``as_of``. No month ended yet → no value (0/0).
    Source: Điều lệ Đảng, Điều 24 (a regular meeting every month).
    """
    needed = ruleset_for(period.as_of)["meeting.regular_per_month"]
    return _cells_meeting_every(org, period, complete_months(period), regular_q(), needed)


@indicator("cells.thematic_quarterly_share", "Tỷ lệ chi bộ sinh hoạt chuyên đề đủ các quý", "%")
def thematic_quarterly_share(org: Organization, period: Period) -> Value:
    """Cells of the subtree with at least ``meeting.thematic_per_quarter`` thematic meetings (a
    combined meeting counts) in every calendar quarter of the period ended by ``period.as_of``
    (the current quarter counts once it has ended). No quarter ended yet → no value (0/0).
    Source: Hướng dẫn 42-HD/BTCTW, 28/10/2025 (a thematic meeting at least once a quarter).
    """
    needed = ruleset_for(period.as_of)["meeting.thematic_per_quarter"]
    return _cells_meeting_every(org, period, complete_quarters(period), thematic_q(), needed)


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
    """Present ÷ (present + excused + absent) over the attendance of the period's meetings;
    members exempt from activity are left out.

    Summed from each meeting's head counts (``present_count``, ``expected_count``), which the
    meetings services keep equal to the meeting's attendance rows."""
    agg = _meetings(org, period).aggregate(present=Sum("present_count"), expected=Sum("expected_count"))
    return Value.share(agg["present"] or 0, agg["expected"] or 0)


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
