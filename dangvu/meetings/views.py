"""Meetings pages: a cell's meetings of the year, the monthly routine (meeting, attendance and
score on one screen; the attendance and score pages stay for corrections), meeting details with
warnings and the minutes, study sessions, scoring frameworks.

Every lookup goes through the user's Access: outside the subtree → 404, read-only → 403 on edits.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dangvu.common.views import access, require_edit, service_form
from dangvu.core import clock
from dangvu.core.meetings import (
    meeting_warnings,
    missing_months,
    missing_quarters,
    pending_month,
    pending_quarter,
)
from dangvu.core.meetings_routine import HABIT_WINDOW, data_points, meeting_habit
from dangvu.registry.models import CELL_KINDS, MemberStatus, Organization, OrgKind
from dangvu.reports.docx import DOCX_MIME
from dangvu.reports.minutes import meeting_minutes_docx

from . import forms as f
from . import selectors as sel
from . import services as s
from .models import AttendanceStatus, Meeting, MeetingKind, StudySession

FORM_METHODS = require_http_methods(["GET", "POST"])
MONTH_NAMES = [f"T{m}" for m in range(1, 13)]


def _posted(request: HttpRequest):
    """The POST data, even when empty, so that an empty POST binds the form and answers with its
    errors (``request.POST or None`` would leave it unbound); ``None`` on GET."""
    return request.POST if request.method == "POST" else None


def _files(request: HttpRequest):
    return request.FILES if request.method == "POST" else None


def _get_meeting(acc, pk: int) -> Meeting:
    meeting = sel.meeting_in_scope(acc, pk)
    if meeting is None:
        raise Http404("Không tìm thấy buổi sinh hoạt.")
    return meeting


def _get_study(acc, pk: int) -> StudySession:
    session = sel.study_session_in_scope(acc, pk)
    if session is None:
        raise Http404("Không tìm thấy buổi học tập.")
    return session


def _year(request: HttpRequest) -> int:
    this_year = clock.today().year
    try:
        year = int(request.GET.get("nam", ""))
    except ValueError:
        return this_year
    return year if 2000 <= year <= this_year + 1 else this_year


def _meeting_url(meeting: Meeting) -> str:
    return reverse("meetings:meeting_detail", args=[meeting.pk])


def year_strip(rows, year: int, today: dt.date) -> dict:
    """The 12-month picture of a cell's year from ``rows`` of (pk, held_on, kind, combined).

    Month state: held (a regular meeting), missed (ended without one), open (current or later).
    Quarter state: held (a thematic meeting), missed, open — by the core's rules.
    """
    regular = [(pk, d) for pk, d, kind, combined in rows if kind == "regular" or combined]
    thematic = [(pk, d) for pk, d, kind, combined in rows if kind == "thematic" or combined]
    missed_m = {m for _y, m in missing_months([d for _pk, d in regular], year, today)}
    missed_q = {q for _y, q in missing_quarters([d for _pk, d in thematic], year, today)}
    first_regular = {}
    for pk, d in sorted(regular, key=lambda r: r[1]):
        first_regular.setdefault(d.month, pk)
    first_thematic = {}
    for pk, d in sorted(thematic, key=lambda r: r[1]):
        first_thematic.setdefault((d.month - 1) // 3 + 1, pk)
    months = [{"n": m, "label": MONTH_NAMES[m - 1], "pk": first_regular.get(m),
               "state": "held" if m in first_regular else "missed" if m in missed_m else "open"}
              for m in range(1, 13)]
    quarters = [{"n": q, "label": f"Quý {q}", "pk": first_thematic.get(q),
                 "state": "held" if q in first_thematic else "missed" if q in missed_q else "open"}
                for q in range(1, 5)]
    return {"months": months, "quarters": quarters, "missed_months": sorted(missed_m),
            "missed_quarters": sorted(missed_q),
            "regular_held": sum(1 for m in months if m["state"] == "held"),
            "thematic_held": sum(1 for q in quarters if q["state"] == "held")}


def _strips_for(cells: list[Organization], year: int, today: dt.date) -> dict[int, dict]:
    rows = sel.meeting_rows_by_cell(cells, year)
    return {c.pk: year_strip(rows[c.pk], year, today) for c in cells}


def _cells_page(request: HttpRequest, acc, scope: Organization | None) -> HttpResponse:
    year, today = _year(request), clock.today()
    page = Paginator(sel.open_cells(acc, scope).order_by("path"), 50).get_page(request.GET.get("trang") or 1)
    strips = _strips_for(list(page), year, today)
    return render(request, "meetings/cells.html", {
        "scope": scope, "year": year, "page": page, "page_query": f"nam={year}&",
        "rows": [(c, strips[c.pk]) for c in page],
        "years": range(today.year, today.year - 4, -1), "month_names": MONTH_NAMES,
    })


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The cells of the user's scope with this year's meeting picture; a single cell's own page."""
    acc = access(request)
    if not acc.sees_registry:
        raise Http404("Bạn chưa được phân quyền xem tổ chức nào.")
    cells = list(sel.open_cells(acc)[:2])
    if len(cells) == 1:
        return org_meetings(request, cells[0].code)
    return _cells_page(request, acc, None)


@login_required
def org_meetings(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    if org.kind == OrgKind.GROUP:  # a party group's meetings have their own page
        return redirect("meetings:group_meetings", org.code)
    if org.kind not in CELL_KINDS:
        return _cells_page(request, acc, org)
    year, today = _year(request), clock.today()
    meetings = sel.cell_meetings_of_year(org, year)
    strip = year_strip([(m.pk, m.held_on, m.kind, m.combined) for m in meetings], year, today)
    notices = [f"Tháng {m}/{year} chưa có buổi sinh hoạt thường kỳ." for m in strip["missed_months"]]
    notices += [f"Quý {q}/{year} chưa có buổi sinh hoạt chuyên đề." for q in strip["missed_quarters"]]
    todo = []
    if year == today.year:
        regular_days = [m.held_on for m in meetings if m.is_regular]
        thematic_days = [m.held_on for m in meetings if m.is_thematic]
        if pending_month(regular_days, today):
            todo.append(f"Tháng {today.month} chưa ghi buổi sinh hoạt thường kỳ.")
        if pending_quarter(thematic_days, today):
            todo.append(f"Quý {(today.month - 1) // 3 + 1} chưa có buổi sinh hoạt chuyên đề.")
    return render(request, "meetings/org_meetings.html", {
        "org": org, "year": year, "meetings": meetings, "strip": strip, "notices": notices, "todo": todo,
        "can_edit": acc.can_edit_org(org), "proposed": sel.proposed_annual_meeting_grade(org, year),
        "can_load": sel.may_load_frameworks(acc),
        "years": range(today.year, today.year - 4, -1),
        "groups": sel.groups_of(acc, org),  # its party groups record their own meetings
    })


def _routine_initial(org: Organization, kind: str, framework) -> dict:
    """This month's meeting as the cell usually holds it (core habit rule), everyone present, and
    last month's points for the criteria a person scores."""
    today = clock.today()
    habit = meeting_habit(sel.past_regular_meetings(org, today, HABIT_WINDOW), today)
    initial = {"held_on": habit.held_on, "kind": kind if kind in MeetingKind.values else MeetingKind.REGULAR,
               "place": habit.place, "chair": habit.chair_id, "materials_sent_on": habit.materials_sent_on}
    if habit.starts_at and habit.ends_at:
        initial |= {"starts_at": habit.starts_at, "ends_at": habit.ends_at}
    manual = {c.code for g in framework.groups for c in g.criteria if not c.auto}
    return initial | {k: v for k, v in sel.last_score_points(org, today).items() if k in manual}


def _data_preview(form: f.RoutineForm, framework) -> list[tuple]:
    """The data-decided criteria with the points the prefilled (or posted) values give, assuming
    everyone expected is present: shown beside the score; the service recomputes them on save."""
    def value(name):
        return form[name].value() if form.is_bound else form.initial.get(name, form.fields[name].initial)

    try:
        held = dt.date.fromisoformat(str(value("held_on")))
        start, end = (dt.time.fromisoformat(str(value(n))[:5]) for n in ("starts_at", "ends_at"))
        sent = value("materials_sent_on")
        sent = dt.date.fromisoformat(str(sent)) if sent else None
        warnings = meeting_warnings(MeetingKind.REGULAR, bool(value("combined")), start, end, held, sent)
    except (TypeError, ValueError):
        return [(c, None) for c in framework.auto_criteria]
    expected = sum(1 for _m, status in form.rows if status != "exempt")
    points = data_points(framework, warnings, expected, expected)
    return [(c, points.get(c.code)) for c in framework.auto_criteria]


@login_required
@FORM_METHODS
def meeting_create(request: HttpRequest, code: str) -> HttpResponse:
    """The monthly routine on one screen: the meeting prefilled from the cell's habits, everyone
    present unless tapped, the score prefilled; one save records all three."""
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    if org.kind not in CELL_KINDS:
        raise Http404("Chỉ chi bộ mới ghi buổi sinh hoạt chi bộ.")
    framework = sel.scoring_framework(org, clock.today().year).core
    members = sel.cell_members(org, clock.today()).order_by("name_folded")
    special = sel.not_expected_on(clock.today(), members)  # temporarily exempt, away, abroad today
    rows = [(m, "exempt" if m.status == MemberStatus.EXEMPT or m.pk in special else "present") for m in members]
    form = f.RoutineForm(_posted(request), _files(request), members=sel.active_members(org), rows=rows,
                         framework=framework, initial=_routine_initial(org, request.GET.get("loai", ""), framework))
    auto = _data_preview(form, framework)
    context = {"title": f"Ghi buổi sinh hoạt — {org.name}", "org": org, "framework": framework, "auto_points": auto,
               "preview_total": form.preview_total(auto),
               "expected_count": sum(1 for _m, status in rows if status != "exempt")}
    return service_form(request, form, context, lambda _d: s.record_month_meeting(request.user, org,
                                                                                 **form.service_args()),
                        "Đã ghi buổi sinh hoạt, điểm danh và chấm điểm.", _meeting_url,
                        template="meetings/routine.html")


@login_required
@FORM_METHODS
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    meeting = _get_meeting(acc, pk)
    org = meeting.organization
    require_edit(acc, org)
    members = sel.active_members(org)
    initial = {k: getattr(meeting, k) for k in s.MEETING_FIELDS} | {"version": meeting.version}
    initial["upper_attendees"] = "\n".join(
        f"{u.name} — {u.position}" if u.position else u.name for u in meeting.upper_attendees.all())
    form = f.MeetingEditForm(_posted(request), _files(request), members=members, initial=initial)

    def act(d):
        return s.update_meeting(request.user, meeting, **d)

    return service_form(request, form, {"title": f"Sửa buổi sinh hoạt — {org.name}", "org": org,
                                        "meeting": meeting}, act, "Đã lưu.", _meeting_url(meeting),
                        template="meetings/form.html")


@login_required
@FORM_METHODS
def meeting_delete(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    meeting = _get_meeting(acc, pk)
    require_edit(acc, meeting.organization)
    form = f.ConfirmDeleteForm(_posted(request))
    title = f"Xóa {meeting.kind_label.lower()} ngày {meeting.held_on:%d/%m/%Y}"
    context = {"title": title, "org": meeting.organization, "meeting": meeting} | sel.deletion_footprint(meeting)
    return service_form(request, form, context,
                        lambda _d: s.delete_meeting(request.user, meeting), "Đã xóa buổi sinh hoạt.",
                        reverse("meetings:org_meetings", args=[meeting.organization.code]),
                        template="meetings/delete.html")


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    meeting = _get_meeting(acc, pk)
    attendances = sel.attendances(meeting)
    counts = dict.fromkeys(AttendanceStatus.values, 0)
    for a in attendances:
        counts[a.status] += 1
    expected = counts["present"] + counts["excused"] + counts["absent"]
    score = sel.score_of(meeting)
    score_rows = []
    if score:
        fw = score.framework.core
        score_rows = [(g.label, [(c, score.points.get(c.code)) for c in g.criteria]) for g in fw.groups]
    return render(request, "meetings/meeting_detail.html", {
        "meeting": meeting, "org": meeting.organization, "warnings": sel.warnings_for(meeting),
        "attendances": attendances, "counts": counts,
        "rate": round(100 * counts["present"] / expected, 1) if expected else None,
        "upper": list(meeting.upper_attendees.all()), "score": score, "score_rows": score_rows,
        "can_edit": acc.can_edit_org(meeting.organization),
    })


@login_required
def meeting_minutes_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes (biên bản) written from what was recorded, as a .docx to print and sign."""
    meeting = _get_meeting(access(request), pk)
    response = HttpResponse(meeting_minutes_docx(meeting), content_type=DOCX_MIME)
    response["Content-Disposition"] = f'attachment; filename="bien-ban-{meeting.held_on:%Y-%m-%d}.docx"'
    return response


@login_required
def meeting_minutes(request: HttpRequest, pk: int) -> FileResponse:
    """The minutes file, served only inside the reader's scope (never from a public media URL)."""
    acc = access(request)
    meeting = _get_meeting(acc, pk)
    if not meeting.minutes_file:
        raise Http404("Buổi sinh hoạt chưa có biên bản.")
    try:
        handle = meeting.minutes_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Không tìm thấy tệp biên bản.") from exc
    name = meeting.minutes_file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)


@login_required
@FORM_METHODS
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    meeting = _get_meeting(acc, pk)
    require_edit(acc, meeting.organization)
    rows = [(a.member, a.status, a.reason) for a in sel.attendances(meeting)]
    form = f.AttendanceForm(_posted(request), rows=rows)

    def act(_d):
        return s.set_attendance(request.user, meeting, form.statuses(), form.reasons())

    from dangvu.channel.selectors import replies_for_meeting  # the members' replies to the invitation

    return service_form(request, form, {"title": f"Điểm danh — {meeting.kind_label} {meeting.held_on:%d/%m/%Y}",
                                        "org": meeting.organization, "meeting": meeting,
                                        "replies": replies_for_meeting(meeting)}, act,
                        "Đã lưu điểm danh. Bây giờ chấm điểm buổi sinh hoạt.",
                        reverse("meetings:meeting_score", args=[meeting.pk]), template="meetings/attendance.html")


@login_required
@FORM_METHODS
def meeting_score(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    meeting = _get_meeting(acc, pk)
    require_edit(acc, meeting.organization)
    # A read only: the default framework, while none is stored, is shown unsaved; the first score
    # saved installs it (services.score_meeting).
    existing, framework = sel.scoring_for(meeting)
    if existing:
        initial = existing.points
    else:  # never empty boxes: last month's points, and the data's for the criteria it decides
        known = framework.core.criteria
        last = sel.last_score_points(meeting.organization, meeting.held_on)
        initial = {k: v for k, v in last.items() if k in known} | sel.data_points_of(meeting, framework)
    form = f.ScoreForm(_posted(request), framework=framework.core, initial=initial)

    def act(_d):
        return s.score_meeting(request.user, meeting, form.points())

    return service_form(request, form, {"title": f"Chấm điểm — {meeting.kind_label} {meeting.held_on:%d/%m/%Y}",
                                        "org": meeting.organization, "meeting": meeting, "framework": framework},
                        act, "Đã chấm điểm buổi sinh hoạt.", _meeting_url(meeting), template="meetings/score.html")


# -- study of documents -------------------------------------------------------------------

STUDY_PER_PAGE = 50  # a province's year holds thousands of sessions: a page stays small on a phone


@login_required
def study_list(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    year, this_year = _year(request), clock.today().year
    page = Paginator(sel.study_sessions_of_year(org, year), STUDY_PER_PAGE).get_page(request.GET.get("trang") or 1)
    return render(request, "meetings/study_list.html", {
        "org": org, "year": year, "sessions": page, "page": page, "page_query": f"nam={year}&",
        "obliged": sel.obliged_to_study(org).count(),
        "can_edit": acc.can_edit_org(org), "years": range(this_year, this_year - 4, -1),
    })


CELL_PARAM = "chi-bo"


def _cell_chooser(org: Organization, cell: Organization | None) -> dict:
    """A committee's study list shows one cell at a time: the cells to choose from (a GET form)."""
    if org.kind in CELL_KINDS:
        return {}
    return {"cells": sel.study_cells(org).only("code", "name"), "cell": cell, "cell_param": CELL_PARAM}


@login_required
@FORM_METHODS
def study_create(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    cell = sel.study_cell(org, request.GET.get(CELL_PARAM))
    members = sel.study_members(cell) if cell else None  # a committee: none until a cell is chosen
    initial = {"held_on": clock.today(), "members": sel.ids_not_exempt(members) if cell else []}
    form = f.StudySessionForm(_posted(request), members=members, initial=initial)

    def act(d):
        d = dict(d)
        ids = [m.pk for m in d.pop("members")]
        return s.record_study_session(request.user, org, member_ids=ids, **d)

    return service_form(request, form, {"title": f"Ghi buổi học tập, quán triệt — {org.name}", "org": org,
                                        **_cell_chooser(org, cell)}, act,
                        "Đã ghi buổi học tập.", lambda x: reverse("meetings:study_detail", args=[x.pk]),
                        template="meetings/form.html")


@login_required
def study_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    session = _get_study(acc, pk)
    studied = sel.studied_members(session)
    return render(request, "meetings/study_detail.html", {"session": session, "org": session.organization,
                                                          "studied": studied,
                                                          "can_edit": acc.can_edit_org(session.organization)})


@login_required
@FORM_METHODS
def study_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick the members who studied at this session (e.g. after a make-up session)."""
    acc = access(request)
    session = _get_study(acc, pk)
    require_edit(acc, session.organization)
    org = session.organization
    cell = sel.study_cell(org, request.GET.get(CELL_PARAM))
    members = sel.study_members(cell) if cell else None
    studied = sel.studied_member_ids(session, members) if cell else []
    form = f.StudyAttendanceForm(_posted(request), members=members, initial={"members": studied})
    title = f"Đảng viên đã học tập {session.document_number} ngày {session.held_on:%d/%m/%Y}"
    within = cell if cell is not None and cell != org else None  # a committee's session: one cell's part
    return service_form(request, form, {"title": title, "org": org, **_cell_chooser(org, cell)},
                        lambda d: s.set_study_attendance(request.user, session, [m.pk for m in d["members"]],
                                                         within=within),
                        "Đã lưu danh sách học tập.", reverse("meetings:study_detail", args=[session.pk]),
                        template="meetings/form.html")


# -- scoring frameworks -------------------------------------------------------------------

@login_required
@FORM_METHODS
def frameworks(request: HttpRequest) -> HttpResponse:
    """Loaded scoring frameworks; administrators (or a province office) load a YAML/JSON file."""
    acc = access(request)
    if not acc.sees_registry:
        raise Http404("Bạn chưa được phân quyền.")
    can_load = sel.may_load_frameworks(acc)
    if request.method == "POST" and not can_load:
        raise PermissionDenied("Chỉ quản trị hệ thống hoặc văn phòng tỉnh ủy mới nạp được khung chấm điểm.")
    form = f.FrameworkUploadForm(_posted(request), _files(request)) if can_load else None
    if request.method == "POST":
        return service_form(request, form, {"frameworks": sel.all_frameworks(), "can_load": can_load},
                            lambda d: s.load_framework(request.user, d["file"]), "Đã nạp khung chấm điểm.",
                            reverse("meetings:frameworks"), template="meetings/frameworks.html")
    return render(request, "meetings/frameworks.html", {"frameworks": sel.all_frameworks(),
                                                        "form": form, "can_load": can_load})
