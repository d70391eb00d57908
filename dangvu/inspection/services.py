"""Inspection use cases: the only code that writes programmes, inspections, recommendations and
findings. Each public function is one transaction; it checks the actor's scope and raises
:class:`ServiceError` (a Vietnamese message and a code) with nothing written on refusal.

An item goes: in the programme (``add_item`` or ``load_programme``) → begun by its decision and
team (``start_inspection``) → the subject reports (``record_subject_report``) → concluded
(``conclude_inspection``: the conclusion, the members found in violation, the recommendations
with deadlines) → each recommendation carried out (``complete_recommendation``).

Discipline: ``conclude_inspection`` stores the members found in violation as
:class:`InspectionFinding` rows; opening a discipline case from each is the discipline app's
``open_case`` (wired once both apps are merged).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.common.checks import checked_text, past_date
from dangvu.common.dates import check_date
from dangvu.core import clock
from dangvu.core.inspection import ACTIVITIES, FORMS, SUBJECTS
from dangvu.core.inspection_programme import ProgrammeEntry
from dangvu.discipline.services import open_case
from dangvu.registry.models import Member, Organization

from .models import Inspection, InspectionFinding, Issuer, Programme, Recommendation
from .selectors import match_subject_org

NO_RIGHT = "Bạn không có quyền cập nhật công tác kiểm tra, giám sát của tổ chức này."


@dataclass(frozen=True)
class FindingInput:
    """A member the conclusion found in violation."""

    member: Member
    violation_on: dt.date
    summary: str


@dataclass(frozen=True)
class RecommendationInput:
    content: str
    due_on: dt.date


def _text(value: str | None, limit: int, field: str, label: str, required: bool = False) -> str:
    return checked_text(value, limit, field, label, required)


def _past_date(value: dt.date | None, field: str, label: str) -> dt.date:
    return past_date(value, field, label)


def _in_subtree(org: Organization, root: Organization) -> bool:
    return org.path.startswith(root.path)


# -- programmes --------------------------------------------------------------------------------

@transaction.atomic
def create_programme(by, org: Organization, year: int, *, issuer: str = Issuer.COMMITTEE, number: str = "",
                     issued_on: dt.date | None = None, title: str = "") -> Programme:
    """The yearly programme of a committee or of its inspection commission (Quy định 22-QĐ/TW)."""
    ensure_can_edit(by, org, NO_RIGHT)
    if issuer not in Issuer.values:
        raise ServiceError("Cơ quan ban hành không hợp lệ.", Code.INVALID, field="issuer")
    if not 2000 <= int(year) <= clock.today().year + 1:
        raise ServiceError("Năm của chương trình không hợp lệ.", Code.OUT_OF_RANGE, field="year")
    if issued_on is not None:
        _past_date(issued_on, "issued_on", "ngày ban hành")
    if Programme.objects.filter(organization=org, year=year, issuer=issuer).exists():
        raise ServiceError(f"{org.name} đã có chương trình kiểm tra, giám sát năm {year} của "
                           f"{Issuer(issuer).label.lower()}.", Code.DUPLICATE, field="year")
    return Programme.objects.create(
        organization=org, year=year, issuer=issuer, number=_text(number, 60, "number", "số văn bản"),
        issued_on=issued_on, title=_text(title, 255, "title", "trích yếu"), recorded_by=acting_user(by))


def _check_subject(programme: Programme, subject_kind: str, subject_org: Organization | None,
                   subject_member: Member | None, subject_text: str) -> None:
    root = programme.organization
    if subject_kind not in SUBJECTS:
        raise ServiceError("Đối tượng kiểm tra, giám sát không hợp lệ.", Code.INVALID, field="subject_kind")
    if subject_org is not None and not _in_subtree(subject_org, root):
        raise ServiceError(f"{subject_org.name} không thuộc {root.name}.", Code.OUT_OF_SUBTREE, field="subject_org")
    if subject_member is not None and not _in_subtree(subject_member.organization, root):
        raise ServiceError(f"Đảng viên {subject_member.full_name} không thuộc {root.name}.", Code.OUT_OF_SUBTREE,
                           field="subject_member")
    if subject_kind == "member" and subject_org is not None and subject_member is None:
        raise ServiceError("Đối tượng là đảng viên: hãy chọn đảng viên, không chọn tổ chức.", Code.INVALID,
                           field="subject_org")
    if subject_org is None and subject_member is None and not subject_text:
        raise ServiceError("Cần ghi đối tượng kiểm tra, giám sát.", Code.REQUIRED, field="subject_text")


@transaction.atomic
def add_item(by, programme: Programme, *, activity: str, form: str, subject_kind: str, content: str,
             planned_start: dt.date, planned_end: dt.date, subject_org: Organization | None = None,
             subject_member: Member | None = None, subject_text: str = "", leader: str = "", team: str = "",
             planned: bool = True, source_ref: str = "") -> Inspection:
    """One inspection or supervision in the programme, with its planned period (within the year)."""
    ensure_can_edit(by, programme.organization, NO_RIGHT)
    if activity not in ACTIVITIES:
        raise ServiceError("Loại (kiểm tra hay giám sát) không hợp lệ.", Code.INVALID, field="activity")
    if form not in FORMS:
        raise ServiceError("Hình thức kiểm tra, giám sát không hợp lệ.", Code.INVALID, field="form")
    subject_text = _text(subject_text, 255, "subject_text", "đối tượng")
    _check_subject(programme, subject_kind, subject_org, subject_member, subject_text)
    if planned_start is None or planned_end is None:
        raise ServiceError("Cần ghi thời gian theo chương trình.", Code.REQUIRED, field="planned_start")
    if planned_end < planned_start:
        raise ServiceError("Thời gian kết thúc trước thời gian bắt đầu.", Code.DATE_ORDER, field="planned_end")
    if planned_start.year != programme.year or planned_end.year != programme.year:
        raise ServiceError(f"Thời gian phải nằm trong năm {programme.year} của chương trình.", Code.OUT_OF_RANGE,
                           field="planned_start")
    return Inspection.objects.create(
        programme=programme, activity=activity, form=form, subject_kind=subject_kind, subject_org=subject_org,
        subject_member=subject_member, subject_text=subject_text,
        content=_text(content, 1000, "content", "nội dung", required=True),
        planned_start=planned_start, planned_end=planned_end, planned=planned,
        leader=_text(leader, 255, "leader", "trưởng đoàn"), team=_text(team, 500, "team", "thành viên đoàn"),
        source_ref=_text(source_ref, 30, "source_ref", "mục"), recorded_by=acting_user(by))


@transaction.atomic
def load_programme(by, programme: Programme, entries: Iterable[ProgrammeEntry]) -> list[Inspection]:
    """The entries a person checked in the preview of a programme document, as programme items; the
    subject organization is matched by name in the programme organization's subtree."""
    ensure_can_edit(by, programme.organization, NO_RIGHT)
    entries = list(entries)
    if not entries:
        raise ServiceError("Chưa chọn mục nào của chương trình.", Code.REQUIRED)
    out = []
    for e in entries:
        org = match_subject_org(programme.organization, e.subject_text) if e.subject_kind == "organization" else None
        out.append(add_item(by, programme, activity=e.activity, form=e.form, subject_kind=e.subject_kind,
                            subject_org=org, subject_text=e.subject_text, content=e.content,
                            planned_start=e.planned_start, planned_end=e.planned_end, leader=e.leader,
                            source_ref=e.ref))
    return out


# -- an inspection from decision to conclusion ---------------------------------------------------------

def _lock(item: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().select_related("programme__organization").get(pk=item.pk)


@transaction.atomic
def start_inspection(by, item: Inspection, *, decision_number: str, decided_on: dt.date, started_on: dt.date,
                     leader: str, team: str = "") -> Inspection:
    """The decision (quyết định kiểm tra / kế hoạch giám sát), the team and its leader, the start."""
    ensure_can_edit(by, item.programme.organization, NO_RIGHT)
    item = _lock(item)
    if item.concluded_on:
        raise ServiceError("Cuộc kiểm tra, giám sát này đã có kết luận.", Code.STATE)
    number = _text(decision_number, 60, "decision_number", "số quyết định", required=True)
    _past_date(decided_on, "decided_on", "ngày quyết định")
    if started_on is None:
        raise ServiceError("Cần ghi ngày bắt đầu.", Code.REQUIRED, field="started_on")
    if check_date(started_on):
        raise ServiceError(check_date(started_on), Code.OUT_OF_RANGE, field="started_on")
    if started_on < decided_on:
        raise ServiceError("Ngày bắt đầu trước ngày quyết định.", Code.DATE_ORDER, field="started_on")
    item.decision_number, item.decided_on, item.started_on = number, decided_on, started_on
    item.leader = _text(leader, 255, "leader", "trưởng đoàn", required=True)
    item.team = _text(team, 500, "team", "thành viên đoàn")
    item.save(update_fields=["decision_number", "decided_on", "started_on", "leader", "team"])
    return item


@transaction.atomic
def record_subject_report(by, item: Inspection, *, reported_on: dt.date, summary: str) -> Inspection:
    """The report of the organization or member inspected (báo cáo của đối tượng)."""
    ensure_can_edit(by, item.programme.organization, NO_RIGHT)
    item = _lock(item)
    if not item.started_on:
        raise ServiceError("Chưa ghi quyết định, ngày bắt đầu: chưa ghi được báo cáo của đối tượng.", Code.INCOMPLETE)
    _past_date(reported_on, "reported_on", "ngày báo cáo")
    if reported_on < item.decided_on:
        raise ServiceError("Ngày báo cáo trước ngày quyết định.", Code.DATE_ORDER, field="reported_on")
    item.subject_report_on = reported_on
    item.subject_report = _text(summary, 5000, "summary", "tóm tắt báo cáo", required=True)
    item.save(update_fields=["subject_report_on", "subject_report"])
    return item


def _recommendation(item: Inspection, content: str, due_on: dt.date | None, by) -> Recommendation:
    text = _text(content, 500, "content", "nội dung kiến nghị", required=True)
    if due_on is None:
        raise ServiceError("Cần ghi hạn thực hiện kiến nghị.", Code.REQUIRED, field="due_on")
    if check_date(due_on):
        raise ServiceError(check_date(due_on), Code.OUT_OF_RANGE, field="due_on")
    if due_on < item.concluded_on:
        raise ServiceError("Hạn thực hiện kiến nghị trước ngày kết luận.", Code.DATE_ORDER, field="due_on")
    return Recommendation.objects.create(inspection=item, content=text, due_on=due_on, recorded_by=acting_user(by))


@transaction.atomic
def conclude_inspection(by, item: Inspection, *, concluded_on: dt.date, conclusion: str,
                        findings: Iterable[FindingInput] = (),
                        recommendations: Iterable[RecommendationInput] = ()) -> Inspection:
    """The conclusion (thông báo kết luận / kết quả giám sát), the members it found in violation and
    its recommendations with their deadlines. Each member found in violation gets a discipline case
    opened from the conclusion (:func:`dangvu.discipline.services.open_case`)."""
    ensure_can_edit(by, item.programme.organization, NO_RIGHT)
    item = _lock(item)
    if item.concluded_on:
        raise ServiceError("Cuộc kiểm tra, giám sát này đã có kết luận.", Code.STATE)
    if not item.started_on:
        raise ServiceError("Chưa ghi quyết định, ngày bắt đầu: chưa kết luận được.", Code.INCOMPLETE)
    _past_date(concluded_on, "concluded_on", "ngày kết luận")
    if concluded_on < item.started_on:
        raise ServiceError("Ngày kết luận trước ngày bắt đầu.", Code.DATE_ORDER, field="concluded_on")
    item.conclusion = _text(conclusion, 5000, "conclusion", "nội dung kết luận", required=True)
    item.concluded_on = concluded_on
    findings = list(findings)
    root = item.subject_org or item.programme.organization
    seen: set[int] = set()
    for f in findings:
        if f.member.pk in seen:
            raise ServiceError(f"{f.member.full_name} được ghi hai lần.", Code.DUPLICATE, field="members")
        seen.add(f.member.pk)
        if item.subject_member_id and f.member.pk != item.subject_member_id:
            raise ServiceError(f"{f.member.full_name} không phải đối tượng của cuộc này.", Code.OUT_OF_SUBTREE,
                               field="members")
        if not _in_subtree(f.member.organization, root):
            raise ServiceError(f"Đảng viên {f.member.full_name} không thuộc {root.name}.", Code.OUT_OF_SUBTREE,
                               field="members")
        if f.violation_on is None or check_date(f.violation_on):
            raise ServiceError("Cần ghi ngày vi phạm hợp lệ.", Code.REQUIRED, field="violation_on")
        if f.violation_on > concluded_on:
            raise ServiceError("Ngày vi phạm sau ngày kết luận.", Code.DATE_ORDER, field="violation_on")
        finding = InspectionFinding.objects.create(
            inspection=item, member=f.member, violation_on=f.violation_on,
            summary=_text(f.summary, 500, "summary", "nội dung vi phạm", required=True))
        # Quy định 22-QĐ/TW: a conclusion that finds a violation is followed by the discipline procedure.
        open_case(f.member, violation_on=f.violation_on, summary=finding.summary, opened_by=by,
                  opened_on=concluded_on, origin=f"Kết luận {item.get_activity_display().lower()} ngày "
                                                  f"{concluded_on:%d/%m/%Y}: {item.content}"[:255])
    item.violations_found = bool(findings)
    item.save(update_fields=["conclusion", "concluded_on", "violations_found"])
    for r in recommendations:
        _recommendation(item, r.content, r.due_on, by)
    return item


@transaction.atomic
def add_recommendation(by, item: Inspection, *, content: str, due_on: dt.date) -> Recommendation:
    """A recommendation of a concluded inspection, with its deadline."""
    ensure_can_edit(by, item.programme.organization, NO_RIGHT)
    item = _lock(item)
    if not item.concluded_on:
        raise ServiceError("Chỉ ghi kiến nghị khi đã có kết luận.", Code.INCOMPLETE)
    return _recommendation(item, content, due_on, by)


@transaction.atomic
def complete_recommendation(by, rec: Recommendation, *, done_on: dt.date, note: str = "") -> Recommendation:
    """The recommendation carried out (the subject's report of it received)."""
    ensure_can_edit(by, rec.inspection.programme.organization, NO_RIGHT)
    rec = Recommendation.objects.select_for_update().select_related("inspection").get(pk=rec.pk)
    if rec.done_on:
        raise ServiceError("Kiến nghị này đã được ghi là thực hiện xong.", Code.STATE)
    _past_date(done_on, "done_on", "ngày thực hiện xong")
    if done_on < rec.inspection.concluded_on:
        raise ServiceError("Ngày thực hiện xong trước ngày kết luận.", Code.DATE_ORDER, field="done_on")
    rec.done_on, rec.done_note = done_on, _text(note, 500, "note", "kết quả thực hiện")
    rec.save(update_fields=["done_on", "done_note"])
    return rec
