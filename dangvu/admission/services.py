"""Admission use cases: the only code that writes prospects and admission quotas.

Each public function is one transaction: it checks the actor's scope, applies the rules of
:mod:`dangvu.core.admission` and :mod:`dangvu.core.deadlines` (parameters from the rule set in
force on the day concerned), and raises :class:`ServiceError` (Vietnamese) with nothing written.
Completing an admission creates the member through :func:`dangvu.registry.services.admit_member`,
so the member, its history and the audit trail are the registry's own.

Sources: Điều lệ Đảng, Điều 1, 4, 5; Quy định 232-QĐ/TW, 20/1/2025; Hướng dẫn 06-HD/TW, 9/6/2025.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.common.dates import check_birth_date, check_date
from dangvu.core import clock
from dangvu.core.admission import (
    age_check,
    course_certificate_expires,
    course_certificate_valid,
    dossier_stale,
    event_age_problem,
    introducer_check,
    resolution_passes,
)
from dangvu.core.admission import parse_term as _parse_term
from dangvu.core.cccd import validate_cccd
from dangvu.core.deadlines import admission_decision
from dangvu.core.names import name_problem
from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import nfc
from dangvu.registry.models import ACTIVE_STATUSES, CELL_KINDS, Gender, Member, Organization, OrgKind
from dangvu.registry.services import admit_member

from .models import OPEN_STAGES, AdmissionQuota, MassOrganization, Prospect, Stage
from .selectors import SOON_DAYS, Deadline, deadlines_for, warnings_for

# deadlines_for, warnings_for (reads) moved to .selectors; still importable from here.
__all__ = ["SOON_DAYS", "Deadline", "ServiceError", "deadlines_for", "warnings_for"]


IDENTITY_FIELDS = ("full_name", "birth_date", "gender", "ethnicity", "religion", "home_town", "residence",
                   "cccd", "education", "occupation", "is_student", "phone")
"""What the prospect carries over to the member record on admission."""

PROSPECT_FIELDS = (*IDENTITY_FIELDS, "nominated_by", "listed_on", "introducer_1", "introducer_1_since",
                   "introducer_2", "introducer_2_since", "youth_union_resolution_on",
                   "youth_union_resolution_number", "dossier_on")
_TEXT_FIELDS = ("full_name", "ethnicity", "religion", "home_town", "residence", "education", "occupation",
                "phone", "youth_union_resolution_number")
_DATE_FIELDS = ("listed_on", "introducer_1_since", "introducer_2_since", "youth_union_resolution_on",
                "dossier_on")


Problem = tuple[str, Code, str | None]
"""One reason a prospect's record is refused: message, code, the form field it is about."""


def _refuse(problems: list[Problem]) -> None:
    """One refusal naming every problem; its code (and field, when it is the only one) the first's."""
    if problems:
        message = " ".join(m for m, _c, _f in problems)
        raise ServiceError(message, problems[0][1], field=problems[0][2] if len(problems) == 1 else None)


# -- prospects ----------------------------------------------------------------------------

def _identity_problems(data: Mapping[str, Any], today: dt.date, exclude_pk: int | None) -> list[Problem]:
    problems: list[Problem] = []
    if not nfc(data.get("full_name")):
        problems.append(("Họ và tên không được để trống.", Code.REQUIRED, "full_name"))
    elif why := name_problem(data.get("full_name")):
        problems.append((why, Code.INVALID, "full_name"))
    birth = data.get("birth_date")
    if not birth:
        problems.append(("Ngày sinh không được để trống.", Code.REQUIRED, "birth_date"))
    elif birth > today:
        problems.append(("Ngày sinh không thể ở tương lai.", Code.FUTURE_DATE, "birth_date"))
    elif why := check_birth_date(birth):
        problems.append((why, Code.OUT_OF_RANGE, "birth_date"))
    if data.get("gender") not in Gender.values:
        problems.append(("Giới tính phải là Nam hoặc Nữ.", Code.INVALID, "gender"))
    cccd = data.get("cccd")
    if cccd:
        problems += [(m, Code.INVALID, "cccd") for m in validate_cccd(cccd, data.get("gender"), birth)]
        if Member.objects.filter(cccd=cccd).exists():
            problems.append(("Người có số CCCD này đã là đảng viên.", Code.DUPLICATE, "cccd"))
        others = Prospect.objects.filter(cccd=cccd, stage__in=OPEN_STAGES)
        if exclude_pk:
            others = others.exclude(pk=exclude_pk)
        if others.exists():
            problems.append(("Người có số CCCD này đang có trong danh sách quần chúng ưu tú.", Code.DUPLICATE,
                             "cccd"))
    if data.get("nominated_by") and data["nominated_by"] not in MassOrganization.values:
        problems.append(("Tổ chức giới thiệu không hợp lệ.", Code.INVALID, "nominated_by"))
    return problems


def _date_problems(data: Mapping[str, Any], today: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    if not data.get("listed_on"):
        problems.append(("Cần ghi ngày đưa vào danh sách tạo nguồn.", Code.REQUIRED, "listed_on"))
    birth = data.get("birth_date")
    for name in _DATE_FIELDS:
        value = data.get(name)
        label = Prospect._meta.get_field(name).verbose_name.capitalize()
        if value and value > today:
            problems.append((f"{label} không thể ở tương lai.", Code.FUTURE_DATE, name))
        elif value and (why := check_date(value)):
            problems.append((f"{label}: {why[0].lower()}{why[1:]}", Code.OUT_OF_RANGE, name))
        elif value and birth and value < birth:
            problems.append((f"{label} không thể trước ngày sinh.", Code.DATE_ORDER, name))
    return problems


def _introducer_choice_problems(org: Organization, data: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    first, second = data.get("introducer_1"), data.get("introducer_2")
    if second is not None and first is not None and first.pk == second.pk:
        problems.append(("Hai người giới thiệu phải là hai đảng viên khác nhau.", Code.DUPLICATE, "introducer_2"))
    if second is not None and first is None:
        problems.append(("Hãy chọn người giới thiệu thứ nhất trước.", Code.REQUIRED, "introducer_1"))
    for name, who in (("introducer_1", first), ("introducer_2", second)):
        if who is not None and not who.organization.path.startswith(org.path):
            problems.append((f"Người giới thiệu {who.full_name} không sinh hoạt tại {org.name}.",
                             Code.OUT_OF_SUBTREE, name))
    return problems


def _check_prospect(org: Organization, data: Mapping[str, Any], exclude_pk: int | None = None) -> None:
    today = clock.today()
    _refuse(_identity_problems(data, today, exclude_pk) + _date_problems(data, today)
            + _introducer_choice_problems(org, data))


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    bad = set(data) - set(PROSPECT_FIELDS)
    if bad:
        raise ServiceError(f"Không ghi được: {', '.join(sorted(bad))}.", Code.INVALID)
    out = dict(data)
    for name in _TEXT_FIELDS:
        if name in out:
            out[name] = nfc(out[name])
    if "cccd" in out:
        out["cccd"] = nfc(out["cccd"]) or None
    return out


@transaction.atomic
def create_prospect(by, org: Organization, data: Mapping[str, Any]) -> Prospect:
    """List a prospect (quần chúng ưu tú) under a cell, with the dates already known."""
    ensure_can_edit(by, org)
    if org.kind not in CELL_KINDS:
        raise ServiceError("Quần chúng ưu tú được theo dõi tại một chi bộ; hãy chọn chi bộ.", Code.ORG_KIND,
                           field="organization")
    clean = _clean(data)
    _check_prospect(org, clean)
    prospect = Prospect(organization=org, recorded_by=acting_user(by), **clean)
    prospect.save()
    return prospect


@transaction.atomic
def update_prospect(by, prospect: Prospect, **fields: Any) -> Prospect:
    """Correct a prospect's identity, nomination, introducers and dossier while still open."""
    prospect = Prospect.objects.select_for_update().get(pk=prospect.pk)
    ensure_can_edit(by, prospect.organization)
    if not prospect.is_open:
        raise ServiceError("Hồ sơ đã kết thúc (đã kết nạp hoặc dừng xem xét); không sửa được nữa.", Code.STATE)
    clean = _clean(fields)
    merged = {name: getattr(prospect, name) for name in PROSPECT_FIELDS} | clean
    _check_prospect(prospect.organization, merged, exclude_pk=prospect.pk)
    for name, value in clean.items():
        setattr(prospect, name, value)
    prospect.save()
    return prospect


def _lock(by, prospect: Prospect) -> Prospect:
    prospect = Prospect.objects.select_for_update().select_related("organization").get(pk=prospect.pk)
    ensure_can_edit(by, prospect.organization)
    return prospect


def _not_future(day: dt.date | None, what: str, field: str) -> None:
    if day is None:
        raise ServiceError(f"Cần ghi {what}.", Code.REQUIRED, field=field)
    if day > clock.today():
        raise ServiceError(f"{what.capitalize()} không thể ở tương lai.", Code.FUTURE_DATE, field=field)
    if why := check_date(day):
        raise ServiceError(f"{what.capitalize()}: {why[0].lower()}{why[1:]}", Code.OUT_OF_RANGE, field=field)


@transaction.atomic
def record_course(by, prospect: Prospect, passed_on: dt.date, certificate: str = "") -> Prospect:
    """The party-awareness course certificate (giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng);
    a renewed certificate replaces the old one."""
    prospect = _lock(by, prospect)
    if prospect.stage not in (Stage.SOURCE, Stage.COURSE, Stage.VETTED):
        raise ServiceError("Chỉ ghi lớp nhận thức về Đảng trước khi chi bộ ra nghị quyết.", Code.STATE)
    _not_future(passed_on, "ngày cấp giấy chứng nhận", "passed_on")
    if passed_on < prospect.birth_date:
        raise ServiceError("Ngày cấp giấy chứng nhận không thể trước ngày sinh.", Code.DATE_ORDER, field="passed_on")
    if why := event_age_problem(prospect.birth_date, passed_on, "course"):
        raise ServiceError(why, Code.OUT_OF_RANGE, field="passed_on")
    prospect.course_passed_on = passed_on
    prospect.course_certificate = nfc(certificate)
    if prospect.stage == Stage.SOURCE:
        prospect.stage = Stage.COURSE
    prospect.save()
    return prospect


@transaction.atomic
def record_vetting(by, prospect: Prospect, vetted_on: dt.date) -> Prospect:
    """Thẩm tra lý lịch completed (after the course)."""
    prospect = _lock(by, prospect)
    if prospect.stage not in (Stage.COURSE, Stage.VETTED):
        if prospect.stage == Stage.SOURCE:
            raise ServiceError("Cần có giấy chứng nhận lớp nhận thức về Đảng trước khi ghi thẩm tra lý lịch.",
                               Code.INCOMPLETE)
        raise ServiceError("Chỉ ghi thẩm tra lý lịch trước khi chi bộ ra nghị quyết.", Code.STATE)
    _not_future(vetted_on, "ngày hoàn thành thẩm tra lý lịch", "vetted_on")
    if vetted_on < prospect.birth_date:
        raise ServiceError("Ngày thẩm tra lý lịch không thể trước ngày sinh.", Code.DATE_ORDER, field="vetted_on")
    prospect.vetted_on = vetted_on
    prospect.stage = Stage.VETTED
    prospect.save()
    return prospect


def resolution_problems(prospect: Prospect, on: dt.date, in_favour: int | None,
                        full_members: int | None) -> list[str]:
    """Why the cell may not pass an admission resolution for ``prospect`` on ``on`` (Vietnamese);
    empty when it may. Every rule is the core's, with the rule set in force on ``on``.

    Age 18–60 in full months on ``on``; a course certificate valid on ``on``; vetting and dossier
    done by ``on`` and the dossier not older than 12 months; introducers: one full member of at
    least one year in the cell, plus a second one or the Youth Union's resolution; the vote passes.
    Sources: Điều lệ Đảng, Điều 1, 4; Quy định 232-QĐ/TW, 20/1/2025; Hướng dẫn 06-HD/TW, 9/6/2025.
    """
    rs = ruleset_for(on)
    problems: list[str] = []
    if on < prospect.birth_date:
        return ["Ngày chi bộ xét không thể trước ngày sinh."]
    if age := age_check(prospect.birth_date, on, rs):
        problems.append(age)
    passed = prospect.course_passed_on
    if passed is None:
        problems.append("Chưa có giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng.")
    elif passed > on:
        problems.append(f"Giấy chứng nhận lớp nhận thức về Đảng cấp ngày {passed:%d/%m/%Y}, sau ngày chi bộ xét.")
    elif not course_certificate_valid(passed, on, rs):
        problems.append(f"Giấy chứng nhận lớp nhận thức về Đảng đã hết hạn ngày "
                        f"{course_certificate_expires(passed, rs):%d/%m/%Y} "
                        f"(có giá trị {rs['admission.course_certificate_valid_years']} năm); phải học lại.")
    if prospect.vetted_on is None or prospect.vetted_on > on:
        problems.append("Chưa hoàn thành thẩm tra lý lịch trước ngày chi bộ xét.")
    if prospect.dossier_on is None or prospect.dossier_on > on:
        problems.append("Chưa ghi ngày hoàn thiện hồ sơ xin vào Đảng (trước ngày chi bộ xét).")
    elif dossier_stale(prospect.dossier_on, on, rs):
        problems.append(f"Hồ sơ lập ngày {prospect.dossier_on:%d/%m/%Y} đã quá "
                        f"{rs['admission.dossier_max_months']} tháng chưa được xét: phải bổ sung giấy giới "
                        "thiệu của đảng viên và nghị quyết giới thiệu của Đoàn, rồi ghi lại ngày hoàn thiện hồ sơ.")
    problems += _introducer_problems(prospect, on, rs)
    if in_favour is None or full_members is None:
        problems.append("Cần ghi số đảng viên chính thức tán thành và tổng số đảng viên chính thức.")
    else:
        try:
            if not resolution_passes(in_favour, full_members, rs):
                problems.append(f"Nghị quyết không đạt: {in_favour}/{full_members} đảng viên chính thức tán "
                                f"thành, cần ít nhất {rs['admission.cell_vote_share']} số đảng viên chính thức.")
        except ValueError as exc:
            problems.append(str(exc))
    return problems


def _introducer_problems(prospect: Prospect, on: dt.date, rs) -> list[str]:
    problems: list[str] = []
    pairs = [(prospect.introducer_1, prospect.introducer_1_since),
             (prospect.introducer_2, prospect.introducer_2_since)]
    given = [(m, since) for m, since in pairs if m is not None]
    if not given:
        problems.append("Chưa có đảng viên giới thiệu.")
    union = prospect.youth_union_resolution_on
    if union is not None and union > on:
        problems.append("Nghị quyết giới thiệu của Đoàn ghi sau ngày chi bộ xét.")
        union = None
    if len(given) == 1 and union is None:
        problems.append("Cần hai đảng viên chính thức giới thiệu, hoặc một đảng viên và nghị quyết giới thiệu "
                        "của Đoàn Thanh niên.")
    for chosen, since in given:
        member = Member.objects.select_related("organization").get(pk=chosen.pk)
        if not member.organization.path.startswith(prospect.organization.path):
            problems.append(f"{member.full_name}: người giới thiệu phải sinh hoạt tại {prospect.organization.name}.")
            continue
        if member.status not in ACTIVE_STATUSES:
            problems.append(f"{member.full_name}: không còn là đảng viên đang sinh hoạt.")
            continue
        if member.status == "exempt":
            problems.append(f"{member.full_name}: đang được miễn công tác và sinh hoạt đảng.")
            continue
        if why := introducer_check(member.full_on if member.status == "full" else None, since, on, rs):
            problems.append(f"{member.full_name}: {why[0].lower()}{why[1:]}")
    return problems


@transaction.atomic
def record_cell_resolution(by, prospect: Prospect, resolved_on: dt.date, in_favour: int,
                           full_members: int) -> Prospect:
    """The cell's resolution proposing admission; refused unless every condition holds on that day."""
    prospect = _lock(by, prospect)
    if prospect.stage != Stage.VETTED:
        if prospect.stage in (Stage.SOURCE, Stage.COURSE):
            raise ServiceError("Chi bộ chỉ xét đề nghị kết nạp sau khi đã học lớp nhận thức về Đảng và thẩm tra "
                               "lý lịch.", Code.INCOMPLETE)
        raise ServiceError("Chi bộ đã ra nghị quyết hoặc hồ sơ đã kết thúc.", Code.STATE)
    _not_future(resolved_on, "ngày chi bộ ra nghị quyết", "resolved_on")
    problems = resolution_problems(prospect, resolved_on, in_favour, full_members)
    if problems:
        # The age (18–60 in full months on this day) comes first; alone, it is a value out of range.
        age = resolved_on >= prospect.birth_date and age_check(prospect.birth_date, resolved_on)
        if age and problems == [age]:
            raise ServiceError(age, Code.OUT_OF_RANGE, field="resolved_on")
        raise ServiceError(" ".join(problems), Code.RULE)
    prospect.resolved_on = resolved_on
    prospect.votes_in_favour = in_favour
    prospect.full_members = full_members
    prospect.stage = Stage.CELL_RESOLVED
    prospect.save()
    return prospect


def _check_decision(prospect: Prospect, decision_on: dt.date, decision_number: str) -> None:
    _not_future(decision_on, "ngày quyết định kết nạp", "decision_on")
    if prospect.resolved_on is None or decision_on < prospect.resolved_on:
        raise ServiceError("Ngày quyết định kết nạp không thể trước ngày chi bộ ra nghị quyết.", Code.DATE_ORDER,
                           field="decision_on")
    if not nfc(decision_number):
        raise ServiceError("Cần ghi số quyết định kết nạp.", Code.REQUIRED, field="decision_number")


@transaction.atomic
def record_decision(by, prospect: Prospect, decision_on: dt.date, decision_number: str) -> Prospect:
    """The committee's admission decision; the ceremony is still to be held. A decision later than
    the statutory deadline is recorded and shown as a warning (:func:`warnings_for`)."""
    prospect = _lock(by, prospect)
    if prospect.stage not in (Stage.CELL_RESOLVED, Stage.DECIDED):
        raise ServiceError("Chỉ ghi quyết định kết nạp sau khi chi bộ đã ra nghị quyết.",
                           Code.INCOMPLETE if prospect.is_open else Code.STATE)
    _check_decision(prospect, decision_on, decision_number)
    prospect.decision_on = decision_on
    prospect.decision_number = nfc(decision_number)
    prospect.stage = Stage.DECIDED
    prospect.save()
    return prospect


@transaction.atomic
def complete_admission(by, prospect: Prospect, decision_on: dt.date, decision_number: str,
                       ceremony_on: dt.date, late_reason: str = "") -> Prospect:
    """The ceremony was held: the prospect becomes a probationary member from ``decision_on``.

    Every condition of the cell's resolution is checked again on its date; the ceremony must follow
    the decision and be held within ``admission.ceremony_working_days`` working days of it, unless
    the reason for the delay (reported to the upper committee) is given. The member is written by
    :func:`dangvu.registry.services.admit_member` (member, "admit" history, audit) and linked.
    Refused: nothing is written. Source: Điều lệ Đảng, Điều 4–5; Hướng dẫn 06-HD/TW, 9/6/2025.
    """
    prospect = _lock(by, prospect)
    if prospect.stage not in (Stage.CELL_RESOLVED, Stage.DECIDED):
        if not prospect.is_open:
            raise ServiceError("Đã kết nạp hoặc đã dừng xem xét.", Code.STATE)
        raise ServiceError("Chỉ kết nạp sau khi chi bộ đã ra nghị quyết đề nghị kết nạp.", Code.INCOMPLETE)
    assert prospect.resolved_on is not None
    problems = resolution_problems(prospect, prospect.resolved_on, prospect.votes_in_favour,
                                   prospect.full_members)
    if problems:
        raise ServiceError("Hồ sơ không còn đủ điều kiện: " + " ".join(problems), Code.RULE)
    _check_decision(prospect, decision_on, decision_number)
    _not_future(ceremony_on, "ngày lễ kết nạp", "ceremony_on")
    if ceremony_on < decision_on:
        raise ServiceError("Lễ kết nạp không thể trước ngày quyết định kết nạp.", Code.DATE_ORDER, field="ceremony_on")
    ceremony_by = admission_decision(decision_on)["ceremony_by"]
    late_reason = nfc(late_reason)
    if ceremony_on > ceremony_by and not late_reason:
        days = ruleset_for(decision_on)["admission.ceremony_working_days"]
        raise ServiceError(f"Lễ kết nạp phải tổ chức trong {days} ngày làm việc kể từ quyết định, tức chậm nhất "
                           f"ngày {ceremony_by:%d/%m/%Y}. Nếu đã chậm, hãy ghi lý do (đã báo cáo cấp ủy cấp trên).",
                           Code.RULE, field="late_reason")
    data = {name: getattr(prospect, name) for name in IDENTITY_FIELDS}
    member = admit_member(by, prospect.organization, data, decision_on, nfc(decision_number))
    prospect.decision_on = decision_on
    prospect.decision_number = nfc(decision_number)
    prospect.ceremony_on = ceremony_on
    prospect.ceremony_late_reason = late_reason if ceremony_on > ceremony_by else ""
    prospect.stage = Stage.ADMITTED
    prospect.member = member
    prospect.save()
    return prospect


@transaction.atomic
def drop_prospect(by, prospect: Prospect, on: dt.date, reason: str) -> Prospect:
    """Stop considering a prospect (moved away, withdrew, not passed), with the reason."""
    prospect = _lock(by, prospect)
    if not prospect.is_open:
        raise ServiceError("Hồ sơ đã kết thúc (đã kết nạp hoặc đã dừng xem xét).", Code.STATE)
    _not_future(on, "ngày dừng xem xét", "on")
    if on < prospect.listed_on:
        raise ServiceError("Ngày dừng xem xét không thể trước ngày đưa vào danh sách tạo nguồn.", Code.DATE_ORDER,
                           field="on")
    if not nfc(reason):
        raise ServiceError("Cần ghi lý do dừng xem xét.", Code.REQUIRED, field="reason")
    prospect.stage = Stage.DROPPED
    prospect.dropped_on = on
    prospect.drop_reason = nfc(reason)
    prospect.save()
    return prospect


# -- quotas -------------------------------------------------------------------------------

def parse_term(text: str | None) -> tuple[int, int]:
    """'2025-2030' (or with an en dash) → (2025, 2030); ServiceError when it is not a term (the
    parsing is :func:`dangvu.core.admission.parse_term`)."""
    try:
        return _parse_term(text)
    except ValueError as exc:
        raise ServiceError(str(exc), Code.INVALID, field="term") from exc


@transaction.atomic
def set_quota(by, org: Organization, *, target: int, students_target: int = 0, year: int | None = None,
              term: str = "", note: str = "") -> AdmissionQuota:
    """Set (or replace) an organization's admission quota for a year or for a term."""
    ensure_can_edit(by, org)
    if org.kind == OrgKind.GROUP:
        raise ServiceError("Chỉ tiêu kết nạp giao cho chi bộ hoặc đảng bộ, không giao cho tổ đảng.", Code.ORG_KIND)
    if (year is None) == (not nfc(term)):
        raise ServiceError("Ghi chỉ tiêu cho một năm hoặc cho một nhiệm kỳ.", Code.INVALID, field="scope")
    if year is not None and not 1930 <= int(year) <= clock.today().year + 5:
        raise ServiceError("Năm không hợp lệ.", Code.OUT_OF_RANGE, field="year")
    if term:
        first, last = parse_term(term)
        term = f"{first}-{last}"
    if target < 0 or students_target < 0:
        raise ServiceError("Chỉ tiêu không thể âm.", Code.OUT_OF_RANGE, field="target" if target < 0 else
                           "students_target")
    if students_target > target:
        raise ServiceError("Chỉ tiêu học sinh, sinh viên không thể lớn hơn tổng chỉ tiêu kết nạp.", Code.OUT_OF_RANGE,
                           field="students_target")
    lookup = {"organization": org, "year": year} if year is not None else {"organization": org, "term": term}
    quota = AdmissionQuota.objects.filter(**lookup).first() or AdmissionQuota(**lookup)
    quota.target, quota.students_target, quota.note = target, students_target, nfc(note)
    quota.save()
    return quota
