"""Meetings use cases: the only code that writes meetings, attendance, scores, frameworks, studies.

Each public function is one transaction: it checks the actor's scope, applies the rule from
:mod:`dangvu.core.meetings`, and raises :class:`ServiceError` (Vietnamese, with a code and the
form field it is about) with nothing written. Reads live in :mod:`dangvu.meetings.selectors`;
the few re-exported below keep their old import path.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q

from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.common.dates import check_date
from dangvu.common.signals import data_changed
from dangvu.common.uploads import too_large
from dangvu.common.versions import claim
from dangvu.core import clock
from dangvu.core.meetings import (
    DEFAULT_FRAMEWORK,
    FrameworkError,
    default_framework,
    normalize_document_number,
    parse_framework_text,
    parse_upper_line,
)
from dangvu.core.meetings import ScoringFramework as CoreFramework
from dangvu.core.meetings_routine import merge_points
from dangvu.core.names import name_problem, without_courtesy
from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import nfc
from dangvu.registry.models import CELL_KINDS, Member, Organization, OrgKind

from . import selectors
from .models import (
    Attendance,
    AttendanceStatus,
    DocumentKind,
    Meeting,
    MeetingKind,
    MeetingScore,
    ScoringFramework,
    StudyAttendance,
    StudySession,
    UpperAttendee,
)

# Reads and pure helpers that callers import from here (tests, the demo builder, evaluation).
from .selectors import ProposedGrade, proposed_annual_meeting_grade, warnings_for

__all__ = ["ProposedGrade", "ServiceError", "normalize_document_number", "proposed_annual_meeting_grade",
           "warnings_for"]

# -- minutes files ------------------------------------------------------------------------


# Extension → the bytes such a file starts with (a .docx is a ZIP archive).
_MINUTES_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


def validate_minutes_file(upload) -> None:
    """Refuse anything but a PDF, DOCX, JPG or PNG file within the attachment limit whose content matches its name."""
    name = getattr(upload, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in _MINUTES_SIGNATURES:
        raise ServiceError("Biên bản chỉ nhận tệp PDF, Word (.docx), ảnh JPG hoặc PNG.", Code.FILE,
                           field="minutes_file")
    size = getattr(upload, "size", None)
    limit = settings.DANGVU_MAX_ATTACHMENT_BYTES  # a scanned multi-page PDF fits easily
    if size is not None and size > limit:
        raise ServiceError(too_large(size, limit, "Tệp biên bản"), Code.FILE_TOO_LARGE, field="minutes_file")
    if size == 0:
        raise ServiceError("Tệp biên bản rỗng.", Code.FILE, field="minutes_file")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in _MINUTES_SIGNATURES[ext]):
        raise ServiceError(f"Nội dung tệp không phải tệp .{ext} hợp lệ; hãy chọn lại tệp biên bản.", Code.FILE,
                           field="minutes_file")


# -- meetings -----------------------------------------------------------------------------

MEETING_FIELDS = ("held_on", "starts_at", "ends_at", "kind", "combined", "topic", "online", "place", "chair",
                  "materials_sent_on", "conclusion")
# The confirmation a second regular meeting in one month needs (the form's tick box says it).
SECOND_REGULAR_LABEL = "Vẫn ghi buổi thứ hai trong tháng"


def _check_meeting(org: Organization, data: Mapping[str, Any]) -> None:
    missing = [k for k in ("held_on", "starts_at", "ends_at") if not data.get(k)]
    if missing:
        raise ServiceError("Cần ghi ngày, giờ bắt đầu và giờ kết thúc của buổi sinh hoạt.", Code.REQUIRED,
                           field=missing[0])
    held_on, start, end = data["held_on"], data["starts_at"], data["ends_at"]
    if held_on > clock.today():
        raise ServiceError("Không ghi buổi sinh hoạt chưa diễn ra (ngày sinh hoạt ở tương lai).", Code.FUTURE_DATE,
                           field="held_on")
    if why := check_date(held_on):  # 01/01/1900: refused on every path (issue 13)
        raise ServiceError(why, Code.OUT_OF_RANGE, field="held_on")
    if end <= start:
        raise ServiceError("Giờ kết thúc phải sau giờ bắt đầu.", Code.DATE_ORDER, field="ends_at")
    if data.get("kind") not in MeetingKind.values:
        raise ServiceError("Loại buổi sinh hoạt phải là thường kỳ hoặc chuyên đề.", Code.INVALID, field="kind")
    sent = data.get("materials_sent_on")
    if sent and sent > clock.today():
        raise ServiceError("Ngày gửi tài liệu không thể ở tương lai.", Code.FUTURE_DATE, field="materials_sent_on")
    chair = data.get("chair")
    if chair is not None and not chair.organization.path.startswith(org.path):
        raise ServiceError("Người chủ trì phải là đảng viên của chi bộ.", Code.OUT_OF_SUBTREE, field="chair")


def _check_second_regular(org: Organization, data: Mapping[str, Any], confirmed: bool,
                          exclude: int | None = None) -> None:
    """A regular meeting in a month that has its regular meetings already (the rule set's
    ``meeting.regular_per_month``, Điều lệ Đảng, Điều 24) is refused unless confirmed: it is most
    often the same meeting entered twice."""
    if confirmed or not (data.get("kind") == MeetingKind.REGULAR or data.get("combined")):
        return
    day = data["held_on"]
    existing = selectors.regular_meetings_in_month(org, day, exclude)
    if len(existing) >= ruleset_for(day)["meeting.regular_per_month"]:
        days = ", ".join(f"{m.held_on:%d/%m/%Y}" for m in existing)
        raise ServiceError(f"Tháng {day.month}/{day.year} chi bộ đã ghi buổi sinh hoạt thường kỳ ngày {days}. "
                           f"Nếu đây đúng là buổi thứ hai trong tháng, hãy đánh dấu «{SECOND_REGULAR_LABEL}» "
                           "rồi bấm Lưu; nếu không, hãy sửa buổi đã ghi.", Code.DUPLICATE, field="held_on")


def _set_upper(meeting: Meeting, upper: Iterable[str | Mapping[str, Any]]) -> None:
    meeting.upper_attendees.all().delete()
    for raw in upper:
        item = parse_upper_line(raw) if isinstance(raw, str) else raw
        name = nfc(item.get("name"))
        if why := name_problem(without_courtesy(name)):
            raise ServiceError(f"Cấp trên dự «{name[:60]}»: {why}", Code.INVALID, field="upper_attendees")
        if name:
            UpperAttendee.objects.create(meeting=meeting, name=name[:120], position=nfc(item.get("position"))[:160],
                                         member=item.get("member"))


@transaction.atomic
def record_meeting(by, org: Organization, *, held_on: dt.date, starts_at: dt.time, ends_at: dt.time,
                   kind: str = MeetingKind.REGULAR, combined: bool = False, topic: str = "", online: bool = False,
                   place: str = "", chair: Member | None = None, materials_sent_on: dt.date | None = None,
                   minutes_file=None, upper_attendees: Iterable[str | Mapping[str, Any]] = (),
                   conclusion: str = "", second_regular: bool = False) -> Meeting:
    """Record a held meeting of a cell; every active member gets an attendance row
    (present, or exempt for members exempted from activity) to be corrected on the attendance page.
    A second regular meeting in a month needs ``second_regular`` (else ``Code.DUPLICATE``)."""
    ensure_can_edit(by, org)
    if org.kind not in (*CELL_KINDS, OrgKind.GROUP):  # a party group (tổ đảng) meets like a cell
        raise ServiceError("Chỉ chi bộ hoặc tổ đảng mới ghi buổi sinh hoạt.", Code.ORG_KIND)
    data = {"held_on": held_on, "starts_at": starts_at, "ends_at": ends_at, "kind": kind, "chair": chair,
            "materials_sent_on": materials_sent_on, "combined": combined}
    _check_meeting(org, data)
    _check_second_regular(org, data, second_regular)
    if minutes_file:
        validate_minutes_file(minutes_file)
    meeting = Meeting(organization=org, held_on=held_on, starts_at=starts_at, ends_at=ends_at, kind=kind,
                      combined=combined, topic=nfc(topic), online=online, place=nfc(place), chair=chair,
                      materials_sent_on=materials_sent_on, conclusion=nfc(conclusion), recorded_by=acting_user(by))
    if minutes_file:
        meeting.minutes_file = minutes_file
    statuses = {pk: AttendanceStatus.EXEMPT if status == "exempt" else AttendanceStatus.PRESENT
                for pk, status in selectors.cell_members(org, held_on).values_list("pk", "status")}
    # Temporarily exempt, away or abroad that day (as the rule set says): not expected, marked so.
    special = {pk: p for pk, p in selectors.not_expected_on(held_on, selectors.cell_members(org, held_on)).items() if pk in statuses}
    statuses |= dict.fromkeys(special, AttendanceStatus.EXEMPT)
    meeting.expected_count = meeting.present_count = sum(s == AttendanceStatus.PRESENT for s in statuses.values())
    meeting.save()
    Attendance.objects.bulk_create([Attendance(meeting=meeting, member_id=pk, status=s,
                                               reason=str(special[pk])[:200] if pk in special else "")
                                    for pk, s in statuses.items()])
    _set_upper(meeting, upper_attendees)
    return meeting


def _upper_line(item: Any) -> str:
    item = parse_upper_line(item) if isinstance(item, str) else item
    name, position = nfc(item.get("name")), nfc(item.get("position"))
    return f"{name} — {position}" if position else name


def _stored_meeting(meeting: Meeting) -> dict[str, Any]:
    """A meeting's stored values under the names of its edit form (for a refused stale save)."""
    values: dict[str, Any] = {k: getattr(meeting, k) for k in MEETING_FIELDS}
    values["upper_attendees"] = [_upper_line({"name": u.name, "position": u.position})
                                 for u in meeting.upper_attendees.all()]
    values["minutes_file"] = Path(meeting.minutes_file.name).name if meeting.minutes_file else ""
    return values


def _claim_meeting(by, meeting: Meeting, version: int | None, fields: dict[str, Any], minutes_file,
                   upper_attendees) -> None:
    typed = dict(fields)
    if upper_attendees is not None:
        typed["upper_attendees"] = [line for line in map(_upper_line, upper_attendees) if line]
    if minutes_file:
        typed["minutes_file"] = getattr(minutes_file, "name", "")
    claim(meeting, version, by, typed, stored=_stored_meeting)


@transaction.atomic
def update_meeting(by, meeting: Meeting, *, minutes_file=None, version: int | None = None,
                   upper_attendees: Iterable[str | Mapping[str, Any]] | None = None, second_regular: bool = False,
                   **fields: Any) -> Meeting:
    """Correct a meeting record; attendance is kept (change it with :func:`set_attendance`).

    ``version`` is the one the edit form read: a newer one (someone saved first) is refused with
    ``Code.STALE`` and both values of each differing field (:mod:`dangvu.common.versions`)."""
    ensure_can_edit(by, meeting.organization)
    bad = set(fields) - set(MEETING_FIELDS)
    if bad:
        raise ServiceError(f"Không sửa được: {', '.join(sorted(bad))}.", Code.INVALID)
    _claim_meeting(by, meeting, version, fields, minutes_file, upper_attendees)
    data = {f: getattr(meeting, f) for f in MEETING_FIELDS} | fields
    _check_meeting(meeting.organization, data)
    moved = any(data[k] != getattr(meeting, k) for k in ("held_on", "kind", "combined"))
    if moved:  # only a change of month or kind can make it a second regular meeting
        _check_second_regular(meeting.organization, data, second_regular, exclude=meeting.pk)
    for key, value in fields.items():
        setattr(meeting, key, nfc(value) if key in ("topic", "place", "conclusion") else value)
    old_file = None
    if minutes_file:
        validate_minutes_file(minutes_file)
        old_file = meeting.minutes_file.name or None
        meeting.minutes_file = minutes_file
    meeting.save()
    if upper_attendees is not None:
        _set_upper(meeting, upper_attendees)
    if old_file:
        storage = meeting.minutes_file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return meeting


@transaction.atomic
def delete_meeting(by, meeting: Meeting) -> None:
    ensure_can_edit(by, meeting.organization)
    name = meeting.minutes_file.name
    storage = meeting.minutes_file.storage
    meeting.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def set_attendance(by, meeting: Meeting, statuses: Mapping[int, str],
                   reasons: Mapping[int, str] | None = None) -> int:
    """Set attendance ``{member_id: status}``; a member must be on the meeting's list or an active
    member of the cell (e.g. transferred in since). ``reasons`` (member id → text) are kept for
    those excused (vắng có lý do) and cleared for the others. Returns how many rows changed."""
    ensure_can_edit(by, meeting.organization)
    bad = {s for s in statuses.values() if s not in AttendanceStatus.values}
    if bad:
        raise ServiceError("Tình trạng tham dự phải là: có mặt, vắng có lý do, vắng không lý do, miễn sinh hoạt.",
                           Code.INVALID)
    rows = {a.member_id: a for a in meeting.attendances.select_for_update()}
    new_ids = {int(pk) for pk in statuses} - set(rows)
    if new_ids:
        allowed = set(selectors.cell_members(meeting.organization, meeting.held_on).filter(pk__in=new_ids)
                      .values_list("pk", flat=True))
        if new_ids - allowed:
            raise ServiceError("Có người không phải đảng viên của chi bộ trong danh sách điểm danh.",
                               Code.OUT_OF_SUBTREE)
    reasons = {int(k): nfc(v)[:200] for k, v in (reasons or {}).items()}
    changed = []
    for pk, status in statuses.items():
        row = rows.get(int(pk))
        reason = reasons.get(int(pk), "") if status == AttendanceStatus.EXCUSED else ""
        if row is None:
            Attendance.objects.create(meeting=meeting, member_id=int(pk), status=status, reason=reason)
        elif (row.status, row.reason) != (status, reason):
            row.status, row.reason = status, reason
            changed.append(row)
    for row in changed:
        row.save(update_fields=["status", "reason"])  # one save per row keeps the audit log's before → after
    if changed or new_ids:
        _refresh_totals(meeting)
    return len(changed) + len(new_ids)


def _refresh_totals(meeting: Meeting) -> None:
    """Recount the meeting's head counts from its attendance rows (inside the caller's transaction:
    the rows and the counts change together or not at all)."""
    # Members temporarily exempt, away or abroad that day are not expected, nor counted present.
    rows = meeting.attendances.exclude(member_id__in=selectors.not_expected_ids(
        meeting.held_on, meeting.attendances.values("member_id")))
    agg = rows.aggregate(
        present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
        expected=Count("pk", filter=~Q(status=AttendanceStatus.EXEMPT)))
    if (meeting.present_count, meeting.expected_count) != (agg["present"], agg["expected"]):
        meeting.present_count, meeting.expected_count = agg["present"], agg["expected"]
        meeting.save(update_fields=["present_count", "expected_count"])


def recount_member_meetings(member: Member, first: dt.date, last: dt.date) -> None:
    """A special status of ``member`` was set or shortened over ``first``..``last``: recount the
    head counts of the meetings of those days (registry calls it, through
    ``registry.services.SPECIAL_STATUS_HOOKS``, inside its own transaction)."""
    for meeting in selectors.member_meetings_between(member, first, last):
        _refresh_totals(meeting)


# -- scoring frameworks -------------------------------------------------------------------

def _parse_framework(source: str | Path | IO | bytes) -> dict[str, Any]:
    """The framework mapping of a path, a file object, bytes or the text itself, read with the safe
    loaders (:func:`dangvu.core.meetings.parse_framework_text`); a file is bounded by the limit of
    framework uploads before it is read."""
    json_format = None
    limit = settings.DANGVU_MAX_DATA_FILE_BYTES
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and len(source) < 1000
                                    and Path(source).is_file()):
        path = Path(source)
        if path.stat().st_size > limit:
            raise ServiceError(_too_large(path.stat().st_size, limit), Code.FILE_TOO_LARGE, field="file")
        raw: str | bytes = path.read_bytes()
        json_format = path.suffix.lower() == ".json" or None
    elif hasattr(source, "read"):
        size = getattr(source, "size", None)
        if size is not None and size > limit:
            raise ServiceError(_too_large(size, limit), Code.FILE_TOO_LARGE, field="file")
        raw = source.read(limit + 1)
        if len(raw) > limit:
            raise ServiceError(_too_large(len(raw), limit), Code.FILE_TOO_LARGE, field="file")
        if str(getattr(source, "name", "")).lower().endswith(".json"):
            json_format = True
    else:
        raw = source
    try:
        return parse_framework_text(raw, json_format=json_format)
    except FrameworkError as exc:
        raise ServiceError(str(exc), exc.code, field="file") from exc


def _too_large(size: int, limit: int) -> str:
    return too_large(size, limit, "Tệp khung chấm điểm")


def _can_load_framework(by, province: str) -> None:
    if by is None:
        return
    from dangvu.accounts.access import access_for

    acc = access_for(by)
    if acc.is_admin:
        return
    root = Organization.objects.filter(depth=1, code=province).first() if province else None
    if root is None or not acc.can_edit_org(root):
        raise ServiceError("Chỉ quản trị hệ thống hoặc văn phòng tỉnh ủy mới nạp được khung chấm điểm.",
                           Code.FORBIDDEN)


@transaction.atomic
def load_framework(by, source: str | Path | IO | bytes) -> ScoringFramework:
    """Load a province's scoring framework from YAML or JSON (a path, a file object or the text).

    The core checks it (criteria maxima add up to the total, bands decreasing). Loading the same
    framework again returns the stored one; a different content under the same province, year and
    version is refused.
    """
    data = _parse_framework(source)
    try:
        core = CoreFramework.from_dict(data)
    except FrameworkError as exc:
        raise ServiceError(str(exc), exc.code, field="file") from exc
    province = nfc(core.province).upper()
    _can_load_framework(by, province)
    definition = json.loads(json.dumps(data, default=str))
    existing = ScoringFramework.objects.filter(province=province, year=core.year, version=core.version).first()
    if existing is not None:
        if existing.definition == definition:
            return existing
        where = f"tỉnh {province}" if province else "mặc định toàn quốc"
        raise ServiceError(f"Đã có khung chấm điểm {where}, năm {core.year}, phiên bản «{core.version}» với nội "
                           "dung khác; hãy đổi số phiên bản.", Code.CONFLICT, field="file")
    return ScoringFramework.objects.create(name=core.name, version=core.version, province=province, year=core.year,
                                           max_total=Decimal(str(core.total)), definition=definition,
                                           loaded_by=acting_user(by))


@transaction.atomic
def install_default_framework() -> ScoringFramework:
    """Store the project's default framework (core ``default-2025.yaml``) unless it is stored already."""
    core = default_framework()
    existing = ScoringFramework.objects.filter(province="", year=core.year, version=core.version).first()
    if existing:
        return existing
    return load_framework(None, Path(DEFAULT_FRAMEWORK))


@transaction.atomic
def ensure_framework_for(org: Organization, year: int) -> ScoringFramework:
    """The stored framework a cell's meeting of ``year`` is scored with
    (:func:`dangvu.meetings.selectors.framework_in_force`); with none stored, the project's default
    framework is installed first. A write: called when a score is saved and by the demo builder;
    pages read :func:`~dangvu.meetings.selectors.scoring_framework` instead."""
    return selectors.framework_in_force(org, year) or install_default_framework()



@transaction.atomic
def score_meeting(by, meeting: Meeting, points: Mapping[str, float | Decimal | int], *,
                  from_data: bool = False) -> MeetingScore:
    """Score a meeting: points per criterion code; total and grade are computed by the core.
    A meeting scored before keeps its framework when rescored. ``from_data``: the criteria the
    framework marks ``auto`` (duration, materials, attendance) are set from the recorded meeting,
    whatever ``points`` says of them."""
    ensure_can_edit(by, meeting.organization)
    existing = selectors.score_of(meeting)
    framework = existing.framework if existing else ensure_framework_for(meeting.organization, meeting.held_on.year)
    clean = {code: (float(v) if isinstance(v, Decimal | int) and not isinstance(v, bool) else v)
             for code, v in points.items()}
    if from_data:
        clean = merge_points(framework.core, selectors.data_points_of(meeting, framework), clean)
    try:
        total, grade = framework.core.score(clean)
    except FrameworkError as exc:
        raise ServiceError(str(exc), exc.code) from exc
    score = existing or MeetingScore(meeting=meeting, framework=framework)
    score.points = clean
    score.total = Decimal(str(round(total, 2)))
    score.grade = grade
    score.scored_by = acting_user(by)
    score.save()
    return score


@transaction.atomic
def record_month_meeting(by, org: Organization, *, exceptions: Mapping[int, str] | None = None,
                         reasons: Mapping[int, str] | None = None, points: Mapping[str, float] | None = None,
                         **meeting: Any) -> Meeting:
    """The monthly routine in one step: record the meeting (everyone expected present), mark the
    ``exceptions`` (member id → status, with ``reasons``), and score it when ``points`` are given
    (the data-decided criteria from the record itself). All or nothing."""
    record = record_meeting(by, org, **meeting)
    if exceptions:
        set_attendance(by, record, exceptions, reasons)
    if points is not None:
        score_meeting(by, record, points, from_data=True)
    return record


# -- study of documents -------------------------------------------------------------------

def _study_members(org: Organization, member_ids: Iterable[int]) -> list[int]:
    ids = {int(pk) for pk in member_ids}
    if ids - selectors.active_study_member_ids(org, ids):
        raise ServiceError("Có người không phải đảng viên đang sinh hoạt của tổ chức này.", Code.OUT_OF_SUBTREE,
                           field="members")
    return sorted(ids)


@transaction.atomic
def record_study_session(by, org: Organization, *, document_title: str, document_number: str, held_on: dt.date,
                         document_kind: str = DocumentKind.RESOLUTION, makeup: bool = False, note: str = "",
                         member_ids: Iterable[int] = ()) -> StudySession:
    """Record a session studying a document and the members who studied it there."""
    ensure_can_edit(by, org)
    number = normalize_document_number(document_number)
    if not number or not nfc(document_title):
        raise ServiceError("Cần ghi số, ký hiệu và tên văn bản được học tập.", Code.REQUIRED,
                           field="document_title" if number else "document_number")
    if held_on > clock.today():
        raise ServiceError("Không ghi buổi học tập chưa diễn ra (ngày ở tương lai).", Code.FUTURE_DATE,
                           field="held_on")
    if document_kind not in DocumentKind.values:
        raise ServiceError("Loại văn bản không hợp lệ.", Code.INVALID, field="document_kind")
    ids = _study_members(org, member_ids)
    session = StudySession.objects.create(organization=org, document_title=nfc(document_title),
                                          document_number=number, document_kind=document_kind, held_on=held_on,
                                          makeup=makeup, note=nfc(note), recorded_by=acting_user(by))
    StudyAttendance.objects.bulk_create([StudyAttendance(session=session, member_id=pk) for pk in ids])
    return session


@transaction.atomic
def set_study_attendance(by, session: StudySession, member_ids: Iterable[int],
                         within: Organization | None = None) -> StudySession:
    """Replace the list of members who studied at ``session``; with ``within`` (a cell of the
    session's organization), only the part of the list within that cell (the others stay)."""
    ensure_can_edit(by, session.organization)
    part = within or session.organization
    if not part.path.startswith(session.organization.path):
        raise ServiceError("Chi bộ này không thuộc tổ chức của buổi học tập.", Code.OUT_OF_SUBTREE, field="members")
    ids = set(_study_members(part, member_ids))
    attendances = session.attendances
    if within is not None:
        attendances = attendances.filter(member__in=Member.objects.in_subtree(part))
    current = set(attendances.values_list("member_id", flat=True))
    for att in attendances.filter(member_id__in=current - ids):
        att.delete()
    StudyAttendance.objects.bulk_create([StudyAttendance(session=session, member_id=pk)
                                         for pk in sorted(ids - current)])
    if ids - current:  # bulk_create sends no per-row signal: stored figures learn of it here
        data_changed.send(sender=StudyAttendance, organization_id=session.organization_id,
                          year=session.held_on.year)
    return session


@transaction.atomic
def delete_study_session(by, session: StudySession) -> None:
    ensure_can_edit(by, session.organization)
    session.delete()
