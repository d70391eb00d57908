"""Meetings indicators: cell meetings held, attendance, scoring, upper-level presence, study.

All by SQL aggregation over the subtree (``Organization.objects.subtree``, as a subquery of ids).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, Sum

from dangvu.core.meetings import month_end, normalize_document_number
from dangvu.core.rulesets import ruleset_for
from dangvu.indicators import Period, Value, indicator
from dangvu.registry.models import (
    CELL_KINDS,
    Member,
    MemberStatus,
    Organization,
    OrgKind,
    special_status_q,
    subtree_q,
)

from .models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingScore,
    StudyAttendance,
    StudySession,
    UpperAttendee,
    regular_q,
    span_index,
    thematic_q,
)


def complete_months(period: Period) -> list[tuple[dt.date, dt.date]]:
    """Months lying wholly inside the period whose last day is on or before ``period.as_of``."""
    out = []
    y, m = period.start.year, period.start.month
    while True:
        first, last = dt.date(y, m, 1), month_end(y, m)
        if last > period.as_of:
            break
        if first >= period.start and last <= period.end:
            out.append((first, last))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def complete_quarters(period: Period) -> list[tuple[dt.date, dt.date]]:
    """Calendar quarters wholly inside the period whose last day is on or before ``period.as_of``."""
    return [(first, month_end(first.year, first.month + 2))
            for first, _last in complete_months(period)
            if first.month % 3 == 1 and month_end(first.year, first.month + 2) <= period.as_of
            and month_end(first.year, first.month + 2) <= period.end]


def _cells(org: Organization, period: Period, sector: str | None = None):
    """Cells of the subtree (of ``sector`` when given) not dissolved before the period's reading day."""
    cells = Organization.objects.subtree(org).filter(kind__in=CELL_KINDS).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=period.as_of))
    return cells.filter(sector=sector) if sector else cells


def _cells_meeting_every(org: Organization, period: Period, spans: list[tuple[dt.date, dt.date]],
                         which: Q, needed: int, sector: str | None = None) -> Value:
    cells = _cells(org, period, sector)
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


@indicator("cells.regular_meetings_complete_share", "Tỷ lệ chi bộ sinh hoạt thường kỳ đủ các tháng", "%",
           sector=None)
def regular_meetings_complete_share(org: Organization, period: Period, sector: str | None = None) -> Value:
    """Cells of the subtree (only those of ``sector`` when given, e.g. ``residential`` for "chi bộ
    thôn, bản") that held at least ``meeting.regular_per_month`` regular meetings (a combined
    meeting counts) in every month of the period that has ended by ``period.as_of``.

    Denominator: cells (of ``sector``) not dissolved by ``as_of``. No month ended yet → no value (0/0).
    Source: Điều lệ Đảng, Điều 24 (a regular meeting every month).
    """
    needed = ruleset_for(period.as_of)["meeting.regular_per_month"]
    return _cells_meeting_every(org, period, complete_months(period), regular_q(), needed, sector)


@indicator("cells.thematic_quarterly_share", "Tỷ lệ chi bộ sinh hoạt chuyên đề đủ các quý", "%", sector=None)
def thematic_quarterly_share(org: Organization, period: Period, sector: str | None = None) -> Value:
    """Cells of the subtree (only those of ``sector`` when given) with at least
    ``meeting.thematic_per_quarter`` thematic meetings (a combined meeting counts) in every
    calendar quarter of the period ended by ``period.as_of`` (the current quarter counts once it has
    ended). No quarter ended yet → no value (0/0).
    Source: Hướng dẫn 42-HD/BTCTW, 28/10/2025 (a thematic meeting at least once a quarter).
    """
    needed = ruleset_for(period.as_of)["meeting.thematic_per_quarter"]
    return _cells_meeting_every(org, period, complete_quarters(period), thematic_q(), needed, sector)


def _meeting_orgs(org: Organization, groups: bool):
    """The subtree's organizations whose meetings count: with ``groups``, party groups' (tổ đảng)
    meetings too; without, the cells' own meetings only."""
    orgs = Organization.objects.subtree(org)
    return orgs if groups else orgs.exclude(kind=OrgKind.GROUP)


def _meetings(org: Organization, period: Period, groups: bool = False):
    # ``organization__in`` (a subquery of the subtree's ids) lets the database read each cell's
    # meetings of the period from the index on (organization, held_on), not every meeting of the
    # period in the province.
    return Meeting.objects.filter(organization__in=_meeting_orgs(org, groups),
                                  held_on__range=(period.start, period.end))


# Issue 17: a cell's meeting indicators say in their label whether party groups' meetings count.
WITH_GROUPS = " (kể cả sinh hoạt tổ đảng)"
WITHOUT_GROUPS = " (không kể sinh hoạt tổ đảng)"


@indicator("meetings.count", "Số buổi sinh hoạt chi bộ" + WITHOUT_GROUPS, "count", groups=False)
def meetings_count(org: Organization, period: Period, groups: bool = False) -> Value:
    """Meetings of the subtree's cells held in the period; breakdown regular / thematic / combined.
    ``groups``: party groups' meetings (tổ đảng) count too (``meetings.count_with_groups``)."""
    agg = _meetings(org, period, groups).aggregate(
        total=Count("id"),
        regular=Count("id", filter=Q(kind="regular", combined=False)),
        thematic=Count("id", filter=Q(kind="thematic", combined=False)),
        combined=Count("id", filter=Q(combined=True)),
    )
    total = agg.pop("total")
    return Value(value=total, numerator=total, breakdown=agg)


@indicator("meetings.attendance_rate", "Tỷ lệ đảng viên dự sinh hoạt chi bộ" + WITHOUT_GROUPS, "%", groups=False)
def attendance_rate(org: Organization, period: Period, groups: bool = False) -> Value:
    """Present ÷ (present + excused + absent) over the attendance of the period's meetings;
    members exempt from activity are left out, and so are those temporarily exempt, away or abroad
    on the meeting's day as the rule set says (``status.not_expected_at_meetings``).
    ``groups``: party groups' meetings count too (``meetings.attendance_rate_with_groups``).

    Summed from each meeting's head counts (``present_count``, ``expected_count``), which the
    meetings services keep equal to the meeting's attendance rows."""
    agg = _meetings(org, period, groups).aggregate(present=Sum("present_count"), expected=Sum("expected_count"))
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
    members = Member.objects.filter(organization__in=Organization.objects.subtree(org),
                                    status__in=("full", "probationary"))
    # Counted from the attendance side (distinct members), not with a lookup per member: both
    # SQLite and PostgreSQL then read the period's attendance once, whatever the subtree's size.
    studied = (StudyAttendance.objects.filter(session__in=sessions, member__in=members)
               .values("member_id").distinct().count())
    return Value.share(studied, members.count())


@indicator("members.full_attendance_share",
           "Tỷ lệ đảng viên tham gia đầy đủ các buổi sinh hoạt chi bộ" + WITHOUT_GROUPS, "%", groups=False)
def full_attendance_share(org: Organization, period: Period, groups: bool = False) -> Value:
    """Members obliged to attend (full and probationary, now in the subtree, admitted by
    ``as_of``; exempt members are left out) who were present at every meeting they were due at in
    the period ÷ those members.

    "Every meeting they were due at" is read from the attendance rows the meetings services write
    for each meeting of the member's cell: present at least once and never excused or absent (a
    row marked exempt — the member was relieved that day — is not a meeting they were due at).
    A member with no meeting recorded in the period does not count as attending fully: nothing
    shows it, so a cell that held no meeting lowers the share instead of vanishing from it.
    Seed 000: "100% đảng viên đang sinh hoạt được phân công nhiệm vụ và tham gia đầy đủ các buổi
    sinh hoạt Đảng"; rules: a member attends the cell's meetings — missing them for 3 months in a
    year without reason is grounds for removal (Điều lệ Đảng, Điều 8) — and an exempt member is
    relieved of them (Điều 7), as is a member temporarily exempt, away or abroad on the meeting's
    day (rule set ``status.not_expected_at_meetings``). ``groups``: party groups' meetings count
    too (``members.full_attendance_share_with_groups``)."""
    members = Member.objects.filter(
        organization__in=Organization.objects.subtree(org),
        status__in=(MemberStatus.FULL, MemberStatus.PROBATIONARY)).filter(
        Q(admitted_on__isnull=True) | Q(admitted_on__lte=period.as_of))
    missed = (AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT)
    # Grouped from the attendance side, one row per member, through the (member, status) index:
    # no lookup per member.
    kinds = ruleset_for(period.as_of)["status.not_expected_at_meetings"]
    rows = Attendance.objects.filter(member__in=members, meeting__held_on__range=(period.start, period.end))
    if not groups:
        rows = rows.exclude(meeting__organization__kind=OrgKind.GROUP)
    # A meeting held while the member was temporarily exempt, away or abroad is not one they were
    # due at; a member who was so at every meeting of the period leaves the denominator too.
    special = Q(special_status_q("member_id", "meeting__held_on", kinds))
    due = ~Q(status=AttendanceStatus.EXEMPT) & ~special
    per_member = (rows.order_by().values("member_id")
                  .annotate(due=Count("id", filter=due), missed=Count("id", filter=due & Q(status__in=missed)),
                            away=Count("id", filter=special)))
    # Both counts in one pass over the grouped rows (a subquery), not one pass each.
    agg = per_member.aggregate(full=Count("member_id", filter=Q(due__gt=0, missed=0)),
                               excused=Count("member_id", filter=Q(due=0, away__gt=0)))
    return Value.share(agg["full"], members.count() - agg["excused"])


@indicator("organizations.studied_document_share",
           "Tỷ lệ cấp ủy, chi bộ, đảng bộ bộ phận tổ chức học tập, quán triệt văn bản", "%", document="")
def organizations_studied_document_share(org: Organization, period: Period, document: str = "") -> Value:
    """Party organizations of the subtree existing at ``as_of`` — committees (the subtree's root
    included), đảng bộ bộ phận and cells; party groups (tổ đảng) are not organizations that hold
    study sessions — that organised a study session (``StudySession.organization``; a make-up
    session counts) of document ``document`` (its number, e.g. 21-NQ/TW, compared normalised) held
    in the period ÷ those organizations. Without ``document``: a session of any document.
    A session of the upper committee does not count for its cells: each organization counts by
    its own session. Seed 000: "100% cấp ủy, chi, đảng bộ bộ phận, 100% đảng viên … được quán
    triệt, nghiên cứu, học tập có hiệu quả các nghị quyết"; see ``members.studied_document_share``
    for the members' side."""
    sessions = StudySession.objects.filter(held_on__range=(period.start, period.end))
    number = normalize_document_number(document)
    if number:
        sessions = sessions.filter(document_number=number)
    day = period.as_of
    orgs = Organization.objects.subtree(org).exclude(kind=OrgKind.GROUP).filter(
        Q(established_on__isnull=True) | Q(established_on__lte=day),
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))
    # Only the subtree's sessions: the others cannot count, and reading them would cost what the
    # whole database holds.
    sessions = sessions.filter(subtree_q(org, via="organization__"))
    agg = orgs.aggregate(total=Count("id"), ok=Count("id", filter=Q(pk__in=sessions.values("organization_id"))))
    return Value.share(agg["ok"], agg["total"])


# The same three with party groups' meetings counted (issue 17, point 6): one query each, the label says so.
indicator("meetings.count_with_groups", "Số buổi sinh hoạt chi bộ" + WITH_GROUPS, "count",
          groups=True)(meetings_count)
indicator("meetings.attendance_rate_with_groups", "Tỷ lệ đảng viên dự sinh hoạt chi bộ" + WITH_GROUPS, "%",
          groups=True)(attendance_rate)
indicator("members.full_attendance_share_with_groups",
          "Tỷ lệ đảng viên tham gia đầy đủ các buổi sinh hoạt chi bộ" + WITH_GROUPS, "%",
          groups=True)(full_attendance_share)
