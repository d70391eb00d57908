"""The channel's reads: what a member's home shows, a notice's receipts for its sender, the
replies on a meeting's attendance screen, the events of a calendar feed.

A member reads only their own things: notices of their cell and the committees above it, their
own replies, marks and records, and of the other members of their cell only names and roles.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from dangvu.evaluation.models import CLOSED_STATES, Evaluation, RoundState, SubjectKind
from dangvu.meetings.models import Attendance, AttendanceStatus, Meeting, StudySession
from dangvu.registry.models import CELL_KINDS, Member, Organization, Post

from .models import (
    FeedToken,
    MailState,
    MeetingReply,
    MemberContact,
    Notice,
    NoticeKind,
    NoticeRead,
    Outbox,
    StudyAck,
)

# -- the member and their cell -------------------------------------------------------------------


def own_member(acc: Any) -> Member | None:
    """The member record the user holds the member role for (the first, if several), else None."""
    if not acc.own_member_ids:
        return None
    return (Member.objects.select_related("organization").filter(pk__in=acc.own_member_ids)
            .order_by("pk").first())


def cell_of(member: Member) -> Organization:
    """The member's cell: their organization, or the cell above their party group."""
    org = member.organization
    if org.kind in CELL_KINDS:
        return org
    return org.get_ancestors().filter(kind__in=CELL_KINDS).order_by("-depth").first() or org


def line_paths(org: Organization) -> list[str]:
    """The paths of ``org`` and every organization above it."""
    return [org.path[:end] for end in range(org.steplen, len(org.path) + 1, org.steplen)]


@dataclass
class RosterRow:
    name: str
    roles: list[str]


def cell_roster(member: Member, today: dt.date) -> list[RosterRow]:
    """Names and posts of the active members of the member's cell, nothing more (issue 17, point 7)."""
    cell = cell_of(member)
    members = list(Member.objects.in_subtree(cell).active().order_by("name_folded").values_list("pk", "full_name"))
    roles: dict[int, list[str]] = defaultdict(list)
    for member_id, role in (Post.objects.held_on(today).filter(organization=cell)
                            .values_list("member_id", "role")):
        roles[member_id].append(Post(role=role).get_role_display())
    return [RosterRow(name, roles.get(pk, [])) for pk, name in members]


# -- notices -------------------------------------------------------------------------------------


def notices_for(member: Member) -> QuerySet[Notice]:
    """Notices posted to the member's organization or to any organization above it."""
    return (Notice.objects.filter(organization__path__in=line_paths(member.organization))
            .select_related("organization"))


def notice_for_member(member: Member, pk: int) -> Notice | None:
    return notices_for(member).filter(pk=pk).first()


def notices_in_scope(acc: Any) -> QuerySet[Notice]:
    """Notices posted inside the user's read scope (what an office or a secretary has sent)."""
    return Notice.objects.filter(organization__in=acc.orgs()).select_related("organization", "posted_by")


def notice_in_scope(acc: Any, pk: int) -> Notice | None:
    return notices_in_scope(acc).filter(pk=pk).first()


def read_notice_ids(member: Member, notices: list[Notice]) -> set[int]:
    return set(NoticeRead.objects.filter(member=member, notice__in=notices).values_list("notice_id", flat=True))


def next_invitation(member: Member, today: dt.date) -> Notice | None:
    """The next meeting the member is invited to (their cell's or a committee's above)."""
    return (notices_for(member).filter(kind=NoticeKind.INVITATION, meets_on__gte=today)
            .order_by("meets_on", "starts_at", "pk").first())


def reply_of(notice: Notice, member: Member) -> MeetingReply | None:
    return MeetingReply.objects.filter(notice=notice, member=member).first()


def recipients(notice: Notice) -> QuerySet[Member]:
    """The active members of the subtree a notice was posted to."""
    return Member.objects.in_subtree(notice.organization).active()


@dataclass
class Receipts:
    recipients: int
    read: int
    unread_names: list[str]
    replies: list[MeetingReply]
    mails: dict[str, int]
    failures: list[Outbox]


def receipts(notice: Notice, show_names: int = 200) -> Receipts:
    """What the sender sees: how many read it (and who not yet), the replies, the mail that failed."""
    members = recipients(notice)
    read_ids = set(NoticeRead.objects.filter(notice=notice).values_list("member_id", flat=True))
    unread = list(members.exclude(pk__in=read_ids).order_by("name_folded")
                  .values_list("full_name", flat=True)[:show_names])
    mails = dict(Outbox.objects.filter(notice=notice).values_list("state").annotate(n=Count("pk")))
    failures = list(Outbox.objects.filter(notice=notice, state=MailState.FAILED).select_related("member")
                    .order_by("pk")[:100])
    return Receipts(members.count(), len(read_ids), unread, replies_of(notice), mails, failures)


def replies_of(notice: Notice) -> list[MeetingReply]:
    return list(MeetingReply.objects.filter(notice=notice).select_related("member")
                .order_by("answer", "member__name_folded"))


def replies_for_meeting(meeting: Meeting) -> list[MeetingReply]:
    """The replies to the invitations of this cell for the meeting's day (the attendance screen)."""
    return list(MeetingReply.objects.filter(
        notice__kind=NoticeKind.INVITATION, notice__meets_on=meeting.held_on,
        notice__organization__path__in=line_paths(meeting.organization),
        member__in=Member.objects.in_subtree(meeting.organization))
        .select_related("member").order_by("answer", "member__name_folded"))


def last_meeting(cell: Organization) -> Meeting | None:
    """The cell's latest regular meeting: the one-tap invitation copies its time and place."""
    return (Meeting.objects.filter(organization=cell).filter(Q(kind="regular") | Q(combined=True))
            .order_by("-held_on", "-id").first())


# -- study ---------------------------------------------------------------------------------------


def study_documents(member: Member, today: dt.date) -> list[StudySession]:
    """Documents studied this year and last by the member's cell or the committees above."""
    return list(StudySession.objects.filter(organization__path__in=line_paths(member.organization),
                                            held_on__year__gte=today.year - 1, makeup=False)
                .order_by("-held_on", "-id")[:30])


def study_session_for(member: Member, pk: int) -> StudySession | None:
    return StudySession.objects.filter(organization__path__in=line_paths(member.organization), pk=pk).first()


def acked_session_ids(member: Member) -> set[int]:
    return set(StudyAck.objects.filter(member=member).values_list("session_id", flat=True))


# -- the member's own record over the years ------------------------------------------------------


@dataclass
class YearAttendance:
    year: int
    present: int = 0
    excused: int = 0
    absent: int = 0


def attendance_by_year(member: Member, years: int, today: dt.date) -> list[YearAttendance]:
    rows: dict[int, YearAttendance] = {}
    for year, status, n in (Attendance.objects.filter(member=member, meeting__held_on__year__gt=today.year - years)
                            .exclude(status=AttendanceStatus.EXEMPT)
                            .values_list("meeting__held_on__year", "status").annotate(n=Count("pk"))):
        row = rows.setdefault(year, YearAttendance(year))
        setattr(row, status, n)
    return [rows[y] for y in sorted(rows, reverse=True)]


def grades_by_year(member: Member) -> list[Evaluation]:
    """The member's graded yearly evaluations, once their round is finalised or published."""
    return list(Evaluation.objects.filter(member=member, round__subject_kind=SubjectKind.MEMBER,
                                          round__state__in=CLOSED_STATES, round__quarter__isnull=True)
                .select_related("round").order_by("-round__year"))


def open_self_assessments(member: Member) -> list[Evaluation]:
    """The member's evaluations of open rounds whose self step they may still fill."""
    return list(Evaluation.objects.filter(member=member, round__state=RoundState.OPEN,
                                          round__subject_kind=SubjectKind.MEMBER)
                .select_related("round").order_by("-round__year"))


def own_evaluation(member: Member, pk: int) -> Evaluation | None:
    return (Evaluation.objects.filter(member=member, round__subject_kind=SubjectKind.MEMBER, pk=pk)
            .select_related("round", "unit").first())


def yearly_records(member: Member, year: int) -> dict[str, list]:
    return {"commitments": list(member.commitments.filter(year=year)),
            "assignments": list(member.assignments.filter(year=year))}


def email_of(member: Member) -> str:
    return MemberContact.objects.filter(member=member).values_list("email", flat=True).first() or ""


# -- calendar feeds ------------------------------------------------------------------------------


def feed_tokens(user: Any) -> list[FeedToken]:
    return list(FeedToken.objects.filter(user=user).select_related("organization", "member").order_by("-pk"))


def feed_token_of(user: Any, pk: int) -> FeedToken | None:
    return FeedToken.objects.filter(user=user, pk=pk).first()


FEED_DAYS_BACK = 366  # a feed carries the last year's meetings and every one ahead


@dataclass
class FeedEvent:
    uid: str
    day: dt.date
    starts_at: dt.time | None
    ends_at: dt.time | None
    summary: str
    place: str
    description: str


def feed_events(token: FeedToken, today: dt.date) -> list[FeedEvent]:
    """A member's feed: invitations to them and their cell's meetings; a cell's feed: the cell's."""
    if token.member_id:
        cell = cell_of(token.member)
        invitations = notices_for(token.member)
    else:
        cell = token.organization
        invitations = Notice.objects.filter(organization__path__in=line_paths(cell))
    since = today - dt.timedelta(days=FEED_DAYS_BACK)
    events = [FeedEvent(f"invitation-{n.pk}@dangvu", n.meets_on, n.starts_at, None, n.title, n.place,
                        "\n".join(x for x in (n.topic, n.materials, n.body) if x))
              for n in invitations.filter(kind=NoticeKind.INVITATION, meets_on__gte=since).order_by("meets_on")]
    invited = {(e.day, cell.pk) for e in events}
    for m in Meeting.objects.filter(organization=cell, held_on__gte=since).order_by("held_on"):
        if (m.held_on, cell.pk) in invited:
            continue  # the invitation already stands for it
        events.append(FeedEvent(f"meeting-{m.pk}@dangvu", m.held_on, m.starts_at, m.ends_at,
                                f"{m.kind_label} — {cell.name}", m.place, m.topic))
    return sorted(events, key=lambda e: (e.day, e.starts_at or dt.time()))
