"""Meetings reads: what the pages, the services' checks and other apps read about meetings,
attendance, scoring frameworks and study sessions.

Every function takes its scope (an :class:`~dangvu.accounts.access.Access` or an organization) and
returns a queryset or plain data; none of them writes. In particular the scoring framework in
force is read here without installing anything: the default framework is installed by
:func:`dangvu.meetings.services.ensure_framework_for` (the first score saved, the demo builder).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from dangvu.core.meetings import (
    DEFAULT_FRAMEWORK,
    MEETING_GRADE_LABELS,
    MeetingWarning,
    meeting_warnings,
    month_spans,
    parse_framework_text,
    score_grade,
)
from dangvu.core.meetings_routine import PastMeeting, data_points
from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import nfc
from dangvu.registry.models import (
    CELL_KINDS,
    Member,
    MemberStatus,
    Organization,
    OrgKind,
    SpecialStatus,
    special_status_q,
    subtree_q,
)

from .models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingScore,
    ScoringFramework,
    StudyAttendance,
    StudySession,
    regular_q,
    span_index,
    thematic_q,
)

# -- meetings and attendance -------------------------------------------------------------------


def meeting_in_scope(acc: Any, pk: int) -> Meeting | None:
    """The meeting ``pk`` if it belongs to an organization the reader sees, else ``None``."""
    return (Meeting.objects.filter(organization__in=acc.orgs(), pk=pk)
            .select_related("organization", "chair").first())


def meetings_in_scope(acc: Any, scope: Organization | None = None) -> QuerySet[Meeting]:
    """The meetings of the organizations the reader sees (of ``scope``'s subtree only, when given),
    newest first (the API's list)."""
    qs = Meeting.objects.filter(organization__in=acc.orgs())
    if scope is not None:
        qs = qs.filter(subtree_q(scope, via="organization__"))
    return qs.select_related("organization").order_by("-held_on", "-id")


def study_session_in_scope(acc: Any, pk: int) -> StudySession | None:
    """The study session ``pk`` if it belongs to an organization the reader sees, else ``None``."""
    return StudySession.objects.filter(organization__in=acc.orgs(), pk=pk).select_related("organization").first()


def open_cells(acc: Any, scope: Organization | None = None) -> QuerySet[Organization]:
    """Cells the reader sees that are not dissolved (only those under ``scope`` when given)."""
    cells = acc.orgs().filter(kind__in=CELL_KINDS, dissolved_on__isnull=True)
    return cells.subtree(scope) if scope is not None else cells


def meeting_rows_by_cell(cells: Iterable[Organization], year: int) -> dict[int, list[tuple]]:
    """(pk, held_on, kind, combined) of each cell's meetings of ``year``, by cell id."""
    rows: dict[int, list[tuple]] = defaultdict(list)
    for org_id, pk, d, kind, combined in (Meeting.objects.filter(organization__in=cells, held_on__year=year)
                                          .values_list("organization_id", "pk", "held_on", "kind", "combined")):
        rows[org_id].append((pk, d, kind, combined))
    return rows


def cell_meetings_of_year(org: Organization, year: int) -> list[Meeting]:
    """The cell's meetings of ``year`` in date order, with their scores."""
    return list(Meeting.objects.filter(organization=org, held_on__year=year)
                .select_related("score").order_by("held_on", "id"))


def active_members(org: Organization) -> QuerySet[Member]:
    """Members on the rolls (probationary, full, exempt) of the organization's subtree."""
    return Member.objects.in_subtree(org).active()


def study_members(org: Organization) -> QuerySet[Member]:
    """The members a study session's list offers for one cell: its active members (its groups
    included), by name. A committee's session lists one chosen cell at a time (issue 14: a list of
    the whole subtree grew with it)."""
    return active_members(org).order_by("name_folded")


def study_cells(org: Organization) -> QuerySet[Organization]:
    """The cells of a committee's subtree whose members a study list may show, in tree order."""
    return Organization.objects.subtree(org).filter(kind__in=CELL_KINDS).order_by("path")


def study_cell(org: Organization, code: str | None) -> Organization | None:
    """The cell ``code`` of ``org``'s subtree (``org`` itself when it is a cell), else ``None``."""
    if org.kind in CELL_KINDS:
        return org
    if not code or len(code) > 40:
        return None
    return study_cells(org).filter(code=code).first()


def ids_not_exempt(members: QuerySet[Member]) -> list[int]:
    """Ids of those of ``members`` who are not exempt from activities (ticked by default)."""
    return list(members.exclude(status=MemberStatus.EXEMPT).values_list("pk", flat=True))


def cell_members(org: Organization, on: dt.date) -> QuerySet[Member]:
    """Active members of the cell (its groups included) who had been admitted by ``on``."""
    return (Member.objects.in_subtree(org).active()
            .filter(Q(admitted_on__isnull=True) | Q(admitted_on__lte=on)))


def regular_meetings_in_month(org: Organization, day: dt.date, exclude: int | None = None) -> list[Meeting]:
    """The cell's regular (or combined) meetings in ``day``'s month, oldest first."""
    qs = Meeting.objects.filter(regular_q(), organization=org, held_on__year=day.year, held_on__month=day.month)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("held_on", "id"))


def past_regular_meetings(org: Organization, before: dt.date, limit: int) -> list[PastMeeting]:
    """The cell's latest ``limit`` regular meetings held before ``before``'s month, newest first,
    as the habit rule reads them (:func:`dangvu.core.meetings_routine.meeting_habit`)."""
    rows = (Meeting.objects.filter(regular_q(), organization=org, held_on__lt=before.replace(day=1))
            .order_by("-held_on", "-id")
            .values_list("held_on", "starts_at", "ends_at", "place", "chair_id", "materials_sent_on")[:limit])
    return [PastMeeting(*row) for row in rows]


def last_score_points(org: Organization, before: dt.date) -> dict[str, float]:
    """The points of the cell's latest scored regular meeting before ``before``'s month (empty
    when there is none): the proposal for this month's criteria that a person scores."""
    score = (MeetingScore.objects.filter(regular_q("meeting__"), meeting__organization=org,
                                         meeting__held_on__lt=before.replace(day=1))
             .order_by("-meeting__held_on", "-meeting_id").first())
    return dict(score.points) if score else {}


def month_meeting(org: Organization, year: int, month: int) -> Meeting | None:
    """The cell's first regular meeting of the month, with its score, or ``None``."""
    return (Meeting.objects.filter(regular_q(), organization=org, held_on__year=year, held_on__month=month)
            .select_related("score").order_by("held_on", "id").first())


def deletion_footprint(meeting: Meeting) -> dict[str, Any]:
    """What deleting the meeting takes with it: its attendance rows, score, upper-level attendees."""
    return {"attendance_rows": meeting.attendances.count(), "score": score_of(meeting),
            "upper_rows": meeting.upper_attendees.count()}


def may_load_frameworks(acc: Any) -> bool:
    """Loading a scoring framework is a technical setting of the committee office: administrators,
    or those who edit a province's tree (the framework is the province's); not a cell secretary."""
    return acc.is_admin or any(r.depth == 1 and acc.can_edit_org(r) for r in acc.roots)


def minutes_data(meeting: Meeting) -> dict[str, Any]:
    """What the minutes (biên bản) of a meeting say: the meeting, its cell, attendance by status (names, reasons), upper-level attendees and the score."""
    rows = attendances(meeting)
    by_status: dict[str, list[Attendance]] = {s: [] for s in AttendanceStatus.values}
    for a in rows:
        by_status[a.status].append(a)
    return {"meeting": meeting, "org": meeting.organization, "by_status": by_status,
            "expected": len(rows) - len(by_status[AttendanceStatus.EXEMPT]),
            "upper": list(meeting.upper_attendees.all()), "score": score_of(meeting),
            "recorder": meeting.recorded_by}


def attendances(meeting: Meeting) -> list:
    """The meeting's attendance rows with their members."""
    return list(meeting.attendances.select_related("member"))


def score_of(meeting: Meeting) -> MeetingScore | None:
    """The meeting's score sheet with its framework, or ``None`` when not scored yet."""
    return MeetingScore.objects.filter(meeting=meeting).select_related("framework").first()


def warnings_for(meeting: Meeting) -> list[MeetingWarning]:
    """The core's warnings (too short, materials late) for a recorded meeting."""
    return meeting_warnings(meeting.kind, meeting.combined, meeting.starts_at, meeting.ends_at, meeting.held_on,
                            meeting.materials_sent_on, ruleset_for(meeting.held_on))


def data_points_of(meeting: Meeting, framework: ScoringFramework) -> dict[str, float]:
    """The points of the framework's data-decided criteria for a recorded meeting (its times,
    materials date and attendance head counts)."""
    return data_points(framework.core, warnings_for(meeting), meeting.present_count, meeting.expected_count)


# -- scoring frameworks ------------------------------------------------------------------------


def all_frameworks() -> QuerySet[ScoringFramework]:
    return ScoringFramework.objects.all()


def province_of(org: Organization) -> Organization:
    """The root of the organization's tree (the province)."""
    return org if org.depth == 1 else Organization.objects.get(path=org.path[: Organization.steplen])


def _pick(qs: QuerySet[ScoringFramework], year: int) -> ScoringFramework | None:
    return qs.filter(year__lte=year).order_by("-year", "-id").first() or qs.order_by("year", "-id").first()


def framework_in_force(org: Organization, year: int) -> ScoringFramework | None:
    """The stored framework a cell's meeting of ``year`` is scored with, or ``None`` when none is stored.

    The province is the organization's root (matched by its code, or by its name); among that
    province's frameworks the newest one whose year is at or before ``year`` applies (else its
    oldest). With none, the national default (province blank) by the same rule.
    """
    root = province_of(org)
    keys = {root.code.upper(), nfc(root.name).upper()}
    found = _pick(ScoringFramework.objects.filter(province__in=keys), year)
    return found or _pick(ScoringFramework.objects.filter(province=""), year)


def default_framework_definition() -> dict[str, Any]:
    """The project's default framework (core ``default-2025.yaml``) as it is stored when installed."""
    data = parse_framework_text(DEFAULT_FRAMEWORK.read_bytes())
    return json.loads(json.dumps(data, default=str))


def unsaved_default_framework() -> ScoringFramework:
    """The project's default framework as an unsaved record: what a reader is shown while no
    framework is stored; the first score saved installs it."""
    definition = default_framework_definition()
    fw = ScoringFramework(province="", definition=definition)
    core = fw.core
    fw.name, fw.version, fw.year, fw.max_total = core.name, core.version, core.year, Decimal(str(core.total))
    return fw


def scoring_framework(org: Organization, year: int) -> ScoringFramework:
    """The framework in force for the cell's meetings of ``year``; the default one (unsaved) when
    none is stored — exactly the one :func:`~dangvu.meetings.services.ensure_framework_for` would install."""
    return framework_in_force(org, year) or unsaved_default_framework()


def scoring_for(meeting: Meeting) -> tuple[MeetingScore | None, ScoringFramework]:
    """The meeting's score sheet (if any) and the framework it is scored with: a scored meeting
    keeps its framework, an unscored one gets the framework in force for its year."""
    existing = score_of(meeting)
    framework = existing.framework if existing else scoring_framework(meeting.organization, meeting.held_on.year)
    return existing, framework


@dataclass(frozen=True)
class ProposedGrade:
    """A proposed figure for the cell's annual evaluation, decided by people, not by this function."""

    average: float | None  # on a 100-point scale
    grade: str | None
    scored: int  # scored regular meetings in the year
    regular: int  # regular meetings held in the year (scored or not)

    @property
    def grade_label(self) -> str:
        return MEETING_GRADE_LABELS.get(self.grade or "", "")


def proposed_annual_meeting_grade(org: Organization, year: int) -> ProposedGrade:
    """Proposed annual meeting grade of a cell (seed 004: monthly grades count toward the annual grade).

    Rule: the mean, over the year's scored regular meetings (combined ones included), of each
    meeting's total as a percentage of its framework's maximum; graded with the bands of the
    framework in force for the year, rescaled to 100. Unscored and missing months are not counted
    here: they are reported (``regular`` vs ``scored``) for the committee to weigh.
    """
    return proposed_annual_meeting_grades([org], year)[org.pk]


def proposed_annual_meeting_grades(orgs: Iterable[Organization], year: int) -> dict[int, ProposedGrade]:
    """:func:`proposed_annual_meeting_grade` of each organization, by id, for a page of cells:
    two grouped queries (meetings, then scores per organization) and one framework look-up per
    province, whatever the number of cells."""
    orgs = list(orgs)
    ids = [o.pk for o in orgs]
    meetings = Meeting.objects.filter(organization_id__in=ids, held_on__year=year).filter(
        Q(kind=MeetingKind.REGULAR) | Q(combined=True))
    regular = dict(meetings.values_list("organization_id").annotate(n=Count("id")).order_by()) if ids else {}
    pct = ExpressionWrapper(F("total") * 100.0 / F("framework__max_total"), output_field=FloatField())
    scored = {r["meeting__organization_id"]: r for r in
              MeetingScore.objects.filter(meeting__in=meetings).values("meeting__organization_id")
              .annotate(avg=Avg(pct), n=Count("id")).order_by()} if regular else {}
    bands_of: dict[str, dict[str, float]] = {}  # by province path: the framework is the province's
    out: dict[int, ProposedGrade] = {}
    for org in orgs:
        agg = scored.get(org.pk)
        if not agg or not agg["n"]:
            out[org.pk] = ProposedGrade(None, None, 0, regular.get(org.pk, 0))
            continue
        province = org.path[: Organization.steplen]
        if province not in bands_of:
            fw = scoring_framework(org, year).core
            bands_of[province] = {k: v * 100.0 / fw.total for k, v in fw.bands.items()}
        average = round(float(agg["avg"]), 2)
        out[org.pk] = ProposedGrade(average, score_grade(average, bands_of[province]), agg["n"], regular[org.pk])
    return out


# -- study of documents ------------------------------------------------------------------------


def study_sessions_of_year(org: Organization, year: int) -> QuerySet[StudySession]:
    """Study sessions of the subtree in ``year``, newest first, each with its count of members ``n``
    (a subquery per session shown, not a grouping: counting the list for its pages does not read
    a province's two million attendance rows)."""
    n = (StudyAttendance.objects.filter(session=OuterRef("pk")).order_by().values("session")
         .annotate(c=Count("pk")).values("c"))
    return (StudySession.objects.filter(organization__in=Organization.objects.subtree(org), held_on__year=year)
            .select_related("organization").order_by("-held_on", "-id")
            .annotate(n=Coalesce(Subquery(n), 0)))


def obliged_to_study(org: Organization) -> QuerySet[Member]:
    """Members obliged to study Party documents: full and probationary members of the subtree."""
    return Member.objects.in_subtree(org).filter(status__in=(MemberStatus.FULL, MemberStatus.PROBATIONARY))


def studied_members(session: StudySession) -> list[Member]:
    """Members who studied at ``session``, by name."""
    return list(Member.objects.filter(study_attendances__session=session).order_by("name_folded"))


def studied_member_ids(session: StudySession, among: QuerySet[Member] | None = None) -> list[int]:
    """Ids of the members who studied at ``session`` (only those of ``among`` when given)."""
    rows = session.attendances if among is None else session.attendances.filter(member__in=among.values("pk"))
    return list(rows.values_list("member_id", flat=True))


def active_study_member_ids(org: Organization, ids: Iterable[int]) -> set[int]:
    """Those of ``ids`` who are active members of the organization's subtree."""
    return set(Member.objects.in_subtree(org).active().filter(pk__in=ids).values_list("pk", flat=True))


# -- what the alerts read ----------------------------------------------------------------------


def cells_short_of_meetings(cells: QuerySet[Organization], spans: Mapping[str, tuple[str, dt.date, dt.date]],
                            needed: Mapping[str, int], upto: dt.date) -> QuerySet:
    """The cells of ``cells`` short of meetings in at least one span, by path, as value rows
    (code, name, path, established_on, and the count of each span under its name).

    ``spans`` maps a name to (``regular`` or ``thematic``, first day, last day); a combined meeting
    counts for both kinds; ``needed[name]`` is how many the span asks for. Meetings after ``upto``
    are not counted, so that an earlier ``upto`` reads the past as it stood. One query: a join of
    each cell's meetings since the earliest span's first day (the join condition keeps older
    history out of the aggregate) and a filtered count per span.
    """
    which = {"regular": regular_q("recent__"), "thematic": thematic_q("recent__")}
    earliest = min(first for _kind, first, _last in spans.values())
    recent = FilteredRelation("meetings", condition=Q(meetings__held_on__range=(earliest, upto)))
    counts = {name: Count("recent", filter=which[kind] & Q(recent__held_on__range=(first, last)))
              for name, (kind, first, last) in spans.items()}
    short = Q()
    for name in spans:
        short |= Q(**{f"{name}__lt": needed[name]})
    return (cells.annotate(recent=recent).annotate(**counts).filter(short)
            .values("code", "name", "path", "established_on", *counts).order_by("path"))


def unexcused_absence_months(members: QuerySet[Member], start: dt.date, upto: dt.date, at_least: int) -> QuerySet:
    """Members of ``members`` absent without reason in ``at_least`` or more calendar months from
    ``start`` to ``upto`` (two absences in one month are one month), as value rows: member id and
    name, the member's organization (code, name, path), ``n`` months and the ``last`` absence.

    One grouped query, read member by member from the (member, status) index: only their
    absences, never every attendance row of the window; a month is told by its number in the
    window (no date function). Absences on days the member was in a special status the rule set
    excuses from meetings (temporary exemption, away, abroad) do not count.
    """
    return (Attendance.objects
            .filter(status=AttendanceStatus.ABSENT, member__in=members.values("pk"),
                    meeting__held_on__range=(start, upto))
            # an absence while temporarily exempt, away or abroad (as the rule set says) is no ground
            .filter(expected_rows_q(not_expected_kinds(upto)))
            .values("member_id", "member__full_name", "member__organization__code",
                    "member__organization__name", "member__organization__path")
            .annotate(n=Count(span_index(month_spans(start, upto), "meeting__held_on"), distinct=True),
                      last=Max("meeting__held_on"))
            .filter(n__gte=at_least).order_by())


def cells_short_in_span(cells: QuerySet[Organization], kind: str, first: dt.date, last: dt.date, needed: int,
                        upto: dt.date) -> QuerySet:
    """Ids of the cells of ``cells`` with fewer than ``needed`` meetings of ``kind`` (``regular`` or
    ``thematic``; a combined meeting counts for both) from ``first`` to ``last``, meetings after
    ``upto`` not counted — one span of :func:`cells_short_of_meetings`, as a subquery."""
    which = {"regular": regular_q("recent__"), "thematic": thematic_q("recent__")}[kind]
    recent = FilteredRelation("meetings", condition=Q(meetings__held_on__range=(first, upto)))
    return (cells.annotate(recent=recent)
            .annotate(held=Count("recent", filter=which & Q(recent__held_on__range=(first, last))))
            .filter(held__lt=needed).values("pk"))



# -- special statuses and party groups (issue 17) ---------------------------------------------

def not_expected_kinds(day: dt.date) -> list[str]:
    """The special statuses whose members are not expected at a meeting held on ``day``
    (rule set ``status.not_expected_at_meetings``; :mod:`dangvu.core.special_status`)."""
    return list(ruleset_for(day)["status.not_expected_at_meetings"])


def not_expected_on(day: dt.date, members: QuerySet[Member]) -> dict[int, SpecialStatus]:
    """Those of ``members`` in a special status that excuses them from a meeting held on ``day``
    (temporary exemption, away, abroad, as the rule set says), by member id."""
    rows = SpecialStatus.objects.filter(kind__in=not_expected_kinds(day), starts_on__lte=day, ends_on__gte=day,
                                        member__in=members.values("pk"))
    return {r.member_id: r for r in rows}


def not_expected_ids(day: dt.date, member_ids: QuerySet) -> QuerySet:
    """The same, as a subquery of member ids among ``member_ids`` (a subquery of ids too)."""
    return SpecialStatus.objects.filter(kind__in=not_expected_kinds(day), starts_on__lte=day, ends_on__gte=day,
                                        member_id__in=member_ids).values("member_id")


def expected_rows_q(kinds: Iterable[str]) -> Q:
    """Attendance rows of members expected at their meeting: not in a special status of ``kinds``
    on the meeting's day (for queries over many meetings, each with its own day)."""
    return ~Q(special_status_q("member_id", "meeting__held_on", kinds))


def member_meetings_between(member: Member, first: dt.date, last: dt.date) -> QuerySet[Meeting]:
    """Meetings from ``first`` to ``last`` where ``member`` has an attendance row."""
    return Meeting.objects.filter(attendances__member=member, held_on__range=(first, last)).distinct()


def groups_of(acc: Any, cell: Organization) -> QuerySet[Organization]:
    """The live party groups (tổ đảng) under ``cell`` the reader sees."""
    return (acc.orgs().filter(kind=OrgKind.GROUP, dissolved_on__isnull=True).subtree(cell).order_by("path"))


def group_meetings_of_year(group: Organization, year: int) -> list[Meeting]:
    """A party group's meetings of ``year``, newest first."""
    return list(Meeting.objects.filter(organization=group, held_on__year=year).order_by("-held_on", "-id"))
