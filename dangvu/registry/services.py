"""Registry use cases: the only code that writes organizations, members and their history.

Each public function is one transaction: it checks the actor's scope, applies the lifecycle
rule from :mod:`dangvu.core.lifecycle`, writes the new state and its history record together,
and raises :class:`ServiceError` (a Vietnamese message and a :class:`Code`) with nothing written
on refusal. The rules that need no database live in :mod:`dangvu.registry.rules`; the Excel import
writer in :mod:`dangvu.registry.services_import`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from dangvu.accounts.access import access_for
from dangvu.accounts.throttle import spend_duplicate_checks
from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.common.dates import check_date
from dangvu.common.signals import data_changed
from dangvu.common.versions import claim
from dangvu.core import clock
from dangvu.core.lifecycle import Event, TransitionRefused, check_transition, probation_ends
from dangvu.core.names import name_problem
from dangvu.core.rulesets import ruleset_for
from dangvu.core.special_status import KIND_LABELS as SPECIAL_KIND_LABELS
from dangvu.core.special_status import describe, overlaps, period_problem
from dangvu.core.text import nfc

from . import selectors
from .excel_check import OUTSIDE_MATCH
from .models import (
    TRANSFER_DESTINATION_KINDS,
    Assignment,
    Commitment,
    Discipline,
    Locality,
    Member,
    Organization,
    OrgKind,
    Post,
    ResidenceLink,
    SpecialStatus,
    StatusChange,
    Training,
    Transfer,
    TransferKind,
    TransferState,
    WorkingRules,
)

# MEMBER_FIELDS, check_parent_kind, validate_member_data: other apps and tests import them from here.
from .rules import (  # noqa: F401 (validate_member_data re-exported)
    MEMBER_FIELDS,
    check_parent_kind,
    member_problems,
    refuse_member,
    validate_member_data,
)

# -- organizations ------------------------------------------------------------------------

ORG_FIELDS = ("name", "kind", "sector", "established_on", "dissolved_on", "address")

@transaction.atomic
def create_organization(by, parent: Organization | None, *, code: str, name: str, kind: str,
                        sector: str = "", **fields: Any) -> Organization:
    code = nfc(code).upper()
    if not code:
        raise ServiceError("Mã tổ chức không được để trống.", Code.REQUIRED, field="code")
    if Organization.objects.filter(code=code).exists():
        raise ServiceError(f"Mã tổ chức «{code}» đã có.", Code.DUPLICATE, field="code")
    if parent is None:
        if by is not None and not getattr(by, "is_superuser", False) and not access_for(by).is_admin:
            raise ServiceError("Chỉ quản trị hệ thống mới tạo được tổ chức gốc.", Code.FORBIDDEN)
    else:
        ensure_can_edit(by, parent)
    check_parent_kind(parent, kind)
    data = {"code": code, "name": nfc(name), "kind": kind, "sector": sector or "", **fields}
    return Organization.objects.add_child(parent, data) if parent else Organization.objects.add_root(data)


@transaction.atomic
def update_organization(by, org: Organization, *, version: int | None = None, **fields: Any) -> Organization:
    """Correct an organization's own fields; ``version`` is the one the edit form read (a newer
    stored version is refused with ``Code.STALE``, see :mod:`dangvu.common.versions`)."""
    ensure_can_edit(by, org)
    for key in fields:
        if key not in ORG_FIELDS:
            raise ServiceError(f"Không sửa được trường {key}.", Code.INVALID)
    claim(org, version, by, fields)
    for key, value in fields.items():
        setattr(org, key, value)
    if "kind" in fields:
        check_parent_kind(Organization.objects.get_parent(org), org.kind)
    org.save()
    return org


@transaction.atomic
def record_working_rules(by, org: Organization, issued_on: dt.date, updated_on: dt.date | None = None,
                         note: str = "") -> WorkingRules:
    ensure_can_edit(by, org)
    if updated_on and updated_on < issued_on:
        raise ServiceError("Ngày sửa đổi không thể trước ngày ban hành.", Code.DATE_ORDER, field="updated_on")
    return WorkingRules.objects.create(organization=org, issued_on=issued_on, updated_on=updated_on, note=note)


@transaction.atomic
def add_post(by, org: Organization, member: Member, role: str, started_on: dt.date,
             term: str = "", ended_on: dt.date | None = None) -> Post:
    ensure_can_edit(by, org)
    if not member.is_active:
        raise ServiceError("Chỉ đảng viên đang sinh hoạt mới giữ chức vụ.", Code.INACTIVE_MEMBER, field="member")
    if role != "unit_head" and not member.organization.path.startswith(org.path):
        raise ServiceError("Cấp ủy viên phải là đảng viên của tổ chức này.", Code.OUT_OF_SUBTREE,
                           field="member")
    if ended_on and ended_on < started_on:
        raise ServiceError("Ngày kết thúc không thể trước ngày bắt đầu.", Code.DATE_ORDER, field="ended_on")
    if role in ("secretary", "deputy", "committee_member"):
        _check_committee_freeze(org, started_on)
    if role == "secretary" and Post.objects.current().filter(organization=org, role="secretary").exists():
        raise ServiceError("Tổ chức đã có bí thư đương nhiệm; hãy ghi ngày thôi giữ chức của bí thư cũ trước.",
                           Code.CONFLICT, field="role")
    return Post.objects.create(organization=org, member=member, role=role, started_on=started_on,
                               term=term, ended_on=ended_on)


def _check_committee_freeze(org: Organization, started_on: dt.date) -> None:
    """Hook for the congress rule (no new committee member within N months before the
    congress); the congress app plugs its check in here when installed."""
    for check in COMMITTEE_POST_CHECKS:
        check(org, started_on)


COMMITTEE_POST_CHECKS: list = []


@transaction.atomic
def end_post(by, post: Post, ended_on: dt.date) -> Post:
    ensure_can_edit(by, post.organization)
    if ended_on < post.started_on:
        raise ServiceError("Ngày kết thúc không thể trước ngày bắt đầu.", Code.DATE_ORDER, field="ended_on")
    post.ended_on = ended_on
    post.save()
    return post


@transaction.atomic
def save_locality(by, org: Organization, locality: Locality | None = None, *, version: int | None = None,
                  **fields: Any) -> Locality:
    """Add a locality, or correct one (``version``: the one its edit form read; see
    :mod:`dangvu.common.versions`)."""
    ensure_can_edit(by, org)
    if org.sector != "residential":
        raise ServiceError("Chỉ chi bộ thôn, bản, tổ dân phố mới gắn với địa bàn dân cư.", Code.ORG_KIND)
    if locality is not None:
        claim(locality, version, by, fields)
    for who in ("head", "front_head"):
        if fields.get(f"{who}_member") and fields.get(f"{who}_name"):
            raise ServiceError("Chọn đảng viên hoặc ghi tên người ngoài Đảng, không cả hai.", Code.INVALID,
                               field=f"{who}_name")
        if why := name_problem(fields.get(f"{who}_name")):
            raise ServiceError(why, Code.INVALID, field=f"{who}_name")
    locality = locality or Locality(organization=org)
    for key, value in fields.items():
        setattr(locality, key, value)
    locality.organization = org
    locality.save()
    return locality


# -- members ------------------------------------------------------------------------------

def _history(member: Member, event: str, on: dt.date, by, *, before: str = "", after: str = "",
             from_org=None, to_org=None, decision_number: str = "", note: str = "") -> StatusChange:
    return StatusChange.objects.create(
        member=member, event=event, on=on, from_status=before, to_status=after, from_org=from_org,
        to_org=to_org, decision_number=decision_number, note=note, recorded_by=acting_user(by),
    )


def _save_member(member: Member, by=None) -> None:
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise _cccd_taken(by, member.cccd) from exc


def _cccd_taken(by, cccd: str | None) -> ServiceError:
    """The refusal of a CCCD already held: who and where only when ``by`` may see that member;
    each such answer counts against ``by``'s duplicate-check budget (issue 12)."""
    spend_duplicate_checks(by, 1)
    place = selectors.cccd_place(cccd) if cccd else None
    if place is not None and (by is None or access_for(by).is_admin
                              or any(place[2].startswith(p) for p in access_for(by).read_paths)):
        return ServiceError(f"Số CCCD này đã có: đảng viên {place[0]} (chi bộ {place[1]}).", Code.DUPLICATE,
                            field="cccd")
    return ServiceError(OUTSIDE_MATCH, Code.DUPLICATE, field="cccd")


@transaction.atomic
def admit_member(by, org: Organization, data: dict[str, Any], admitted_on: dt.date,
                 decision_number: str = "") -> Member:
    """Record a newly admitted (probationary) member (Điều lệ Đảng, Điều 4–5)."""
    ensure_can_edit(by, org)
    if not org.is_cell and org.kind != OrgKind.GROUP:
        raise ServiceError("Đảng viên phải sinh hoạt tại một chi bộ.", Code.ORG_KIND)
    data = {k: v for k, v in data.items() if k in MEMBER_FIELDS}
    refuse_member(member_problems({**data, "admitted_on": admitted_on}))
    try:
        check_transition(Event.ADMIT, None, admitted_on)
    except TransitionRefused as exc:
        raise ServiceError(str(exc), Code.TRANSITION) from exc
    member = Member(organization=org, status="probationary", admitted_on=admitted_on, **data)
    member.full_name = nfc(member.full_name)
    _save_member(member, by)
    _history(member, Event.ADMIT, admitted_on, by, after="probationary", to_org=org,
             decision_number=decision_number)
    return member


@transaction.atomic
def register_member(by, org: Organization, data: dict[str, Any]) -> Member:
    """Enter an existing member's record (admitted earlier, possibly already full).

    Their past admission and recognition become the first entries of the timeline.
    """
    ensure_can_edit(by, org)
    if not org.is_cell and org.kind != OrgKind.GROUP:
        raise ServiceError("Đảng viên phải sinh hoạt tại một chi bộ.", Code.ORG_KIND)
    problems = member_problems(data)
    if not data.get("admitted_on"):
        problems.append(("Ngày vào Đảng không được để trống.", Code.REQUIRED, "admitted_on"))
    refuse_member(problems)
    fields = {k: v for k, v in data.items() if k in MEMBER_FIELDS}
    status = "full" if data.get("full_on") else "probationary"
    member = Member(organization=org, status=status, admitted_on=data["admitted_on"],
                    full_on=data.get("full_on"), **fields)
    member.full_name = nfc(member.full_name)
    _save_member(member, by)
    _history(member, Event.ADMIT, member.admitted_on, by, after="probationary", to_org=org,
             note="Nhập hồ sơ đảng viên")
    if member.full_on:
        _history(member, Event.RECOGNIZE_FULL, member.full_on, by, before="probationary", after="full")
    return member


@transaction.atomic
def update_member(by, member: Member, *, version: int | None = None, **fields: Any) -> Member:
    """Correct identity fields; status and dates change only through lifecycle events.

    ``version`` is the one the edit form read: a newer stored version (someone saved first) is
    refused with ``Code.STALE`` and both values of each differing field (:mod:`dangvu.common.versions`)."""
    ensure_can_edit(by, member.organization)
    bad = set(fields) - set(MEMBER_FIELDS)
    if bad:
        raise ServiceError(f"Không sửa được: {', '.join(sorted(bad))}.", Code.INVALID)
    claim(member, version, by, fields)
    merged = {f: getattr(member, f) for f in MEMBER_FIELDS} | fields
    refuse_member(member_problems({**merged, "admitted_on": member.admitted_on, "full_on": member.full_on}))
    for key, value in fields.items():
        setattr(member, key, nfc(value) if key == "full_name" else value)
    _save_member(member, by)
    return member


def _transition(by, member: Member, event: str, on: dt.date, **kw: Any) -> str:
    ensure_can_edit(by, member.organization)
    if why := check_date(on):  # 01/01/1900 or a slip years ahead: refused on every path, not only forms
        raise ServiceError(why, Code.OUT_OF_RANGE, field="on")
    member = Member.objects.select_for_update().get(pk=member.pk)
    try:
        return check_transition(event, member.status, on, admitted_on=member.admitted_on,
                                rs=ruleset_for(on), **kw)
    except TransitionRefused as exc:
        raise ServiceError(str(exc), Code.TRANSITION) from exc


def _set_status(by, member: Member, event: str, on: dt.date, decision_number: str = "", note: str = "",
                **kw: Any) -> Member:
    after = _transition(by, member, event, on, **kw)
    before = member.status
    member.status = after
    member.save(update_fields=["status", "updated_at", "name_folded"])
    _history(member, event, on, by, before=before, after=after, decision_number=decision_number, note=note)
    return member


@transaction.atomic
def recognize_full(by, member: Member, decided_on: dt.date, decision_number: str = "") -> Member:
    """Full membership; it takes effect on the exact end of probation even when decided later
    (Điều lệ Đảng, Điều 5; Hướng dẫn 06-HD/TW, 9/6/2025)."""
    _set_status(by, member, Event.RECOGNIZE_FULL, decided_on, decision_number,
                note=f"Quyết định ngày {decided_on:%d/%m/%Y}")
    member.full_on = probation_ends(member.admitted_on)
    member.save(update_fields=["full_on"])
    return member


@transaction.atomic
def exempt(by, member: Member, on: dt.date, reason: str = "") -> Member:
    """Miễn công tác và sinh hoạt đảng on the member's application (Điều lệ Đảng, Điều 7)."""
    return _set_status(by, member, Event.EXEMPT, on, note=reason)


@transaction.atomic
def end_exemption(by, member: Member, on: dt.date, reason: str = "") -> Member:
    return _set_status(by, member, Event.END_EXEMPTION, on, note=reason)


@transaction.atomic
def strike_off(by, member: Member, on: dt.date, decision_number: str = "", reason: str = "") -> Member:
    """Xóa tên (Điều lệ Đảng, Điều 8)."""
    return _set_status(by, member, Event.STRIKE_OFF, on, decision_number, reason)


@transaction.atomic
def record_death(by, member: Member, on: dt.date, note: str = "") -> Member:
    return _set_status(by, member, Event.DEATH, on, note=note)


@transaction.atomic
def discipline_member(by, member: Member, form: str, decided_on: dt.date, decision_number: str = "",
                      reason: str = "", self_corrected: bool = False) -> Discipline:
    """Kỷ luật đảng viên; probationary members only reprimand or warning (Điều lệ Đảng, Điều 35).
    Expulsion also removes the member from the rolls."""
    after = _transition(by, member, Event.DISCIPLINE, decided_on, discipline_form=form)
    before = member.status
    record = Discipline.objects.create(member=member, form=form, decided_on=decided_on,
                                       decision_number=decision_number, reason=reason,
                                       self_corrected=self_corrected)
    member.status = after
    member.save(update_fields=["status", "updated_at", "name_folded"])
    event = Event.EXPEL if form == "expulsion" else Event.DISCIPLINE
    _history(member, event, decided_on, by, before=before, after=after, decision_number=decision_number,
             note=f"{record.get_form_display()}. {reason}".strip())
    return record


@transaction.atomic
def discipline_organization(by, org: Organization, form: str, decided_on: dt.date,
                            decision_number: str = "", reason: str = "") -> Discipline:
    """Kỷ luật tổ chức đảng: reprimand, warning, dissolution (Điều lệ Đảng, Điều 35)."""
    parent = Organization.objects.get_parent(org)
    if parent is None:
        raise ServiceError("Kỷ luật tổ chức do cấp trên ghi nhận.", Code.RULE)
    ensure_can_edit(by, parent)
    if form not in ruleset_for(decided_on)["discipline.forms_organization"]:
        raise ServiceError("Hình thức kỷ luật tổ chức đảng chỉ gồm: khiển trách, cảnh cáo, giải tán.",
                           Code.RULE, field="form")
    record = Discipline.objects.create(organization=org, form=form, decided_on=decided_on,
                                       decision_number=decision_number, reason=reason)
    if form == "dissolution":
        org.dissolved_on = decided_on
        org.save(update_fields=["dissolved_on"])
    return record


# -- special statuses: temporary exemption, away, abroad ----------------------------------

# Called as ``hook(member, first, last)`` after a special-status period is written or shortened, in
# the same transaction: the meetings app recounts the head counts of the meetings those days hold
# (it plugs in here from its AppConfig.ready; registry does not import meetings).
SPECIAL_STATUS_HOOKS: list = []


def _special_hooks(member: Member, first: dt.date, last: dt.date) -> None:
    for hook in SPECIAL_STATUS_HOOKS:
        hook(member, first, last)


@transaction.atomic
def set_special_status(by, member: Member, kind: str, starts_on: dt.date, ends_on: dt.date, *,
                       reason: str = "", place: str = "", decision_number: str = "") -> SpecialStatus:
    """Record a temporary exemption (with reason and end), or a member working far away or abroad
    (with place and end): the member stays on the rolls, their status unchanged, and is not
    expected at the meetings of the period as the rule set says (:mod:`dangvu.core.special_status`;
    Điều lệ Đảng, Điều 7). One period at a time: an overlapping one is refused."""
    reason, place = nfc(reason)[:255], nfc(place)[:255]
    if kind not in SPECIAL_KIND_LABELS:
        raise ServiceError(period_problem(kind, starts_on, ends_on)[1], Code.INVALID, field="kind")
    _transition(by, member, kind, starts_on)  # scope, a sane date, and who may be in such a period
    if ends_on is not None and (why := check_date(ends_on)):
        raise ServiceError(why, Code.OUT_OF_RANGE, field="ends_on")
    if problem := period_problem(kind, starts_on, ends_on, reason=reason, place=place, rs=ruleset_for(starts_on)):
        field, message = problem
        code = Code.DATE_ORDER if field == "ends_on" and ends_on and ends_on < starts_on else (
            Code.REQUIRED if field in ("reason", "place") else Code.RULE)
        raise ServiceError(message, code, field=field)
    for other in SpecialStatus.objects.filter(member=member):
        if overlaps((starts_on, ends_on), (other.starts_on, other.ends_on)):
            raise ServiceError(f"Đảng viên đã có «{describe(other.kind, other.ends_on, other.place)}» "
                               f"(từ {other.starts_on:%d/%m/%Y}) trùng thời gian này; hãy kết thúc sớm "
                               "tình trạng đó trước.", Code.CONFLICT, field="starts_on")
    record = SpecialStatus.objects.create(member=member, kind=kind, starts_on=starts_on, ends_on=ends_on,
                                          planned_end=ends_on, place=place, reason=reason,
                                          decision_number=nfc(decision_number)[:60], recorded_by=acting_user(by))
    note = "; ".join(x for x in (f"Đến ngày {ends_on:%d/%m/%Y}", place and f"Nơi đến: {place}", reason) if x)
    _history(member, kind, starts_on, by, before=member.status, after=member.status,
             decision_number=record.decision_number, note=note)
    _special_hooks(member, starts_on, ends_on)
    return record


@transaction.atomic
def end_special_status(by, record: SpecialStatus, on: dt.date, note: str = "") -> SpecialStatus:
    """End a period early: ``on`` is the first day the member is back (expected at meetings again).
    A period needs no ending on its planned date: it is over by itself."""
    record = SpecialStatus.objects.select_for_update().select_related("member").get(pk=record.pk)
    member = record.member
    _transition(by, member, "end_special", on)
    if not record.starts_on < on <= record.ends_on:
        raise ServiceError(f"Ngày trở lại sinh hoạt phải sau ngày bắt đầu ({record.starts_on:%d/%m/%Y}) và "
                           f"không sau ngày kết thúc đã ghi ({record.ends_on:%d/%m/%Y}).", Code.DATE_ORDER,
                           field="on")
    old_end = record.ends_on
    record.ends_on = on - dt.timedelta(days=1)
    record.save(update_fields=["ends_on"])
    text = f"{SPECIAL_KIND_LABELS[record.kind]}: trở lại sinh hoạt từ {on:%d/%m/%Y}"
    _history(member, "end_special", on, by, before=member.status, after=member.status,
             note=f"{text}. {nfc(note)}".strip(" ."))
    _special_hooks(member, on, old_end)
    return record


# -- transfers ------------------------------------------------------------------------------

@transaction.atomic
def start_transfer(by, member: Member, kind: str, to_org: Organization, letter_on: dt.date, *,
                   cause_on: dt.date | None = None, ends_on: dt.date | None = None,
                   reason: str = "") -> Transfer:
    """Issue a transfer letter; the receiving organization confirms (Hướng dẫn 06-HD/TW)."""
    event = Event.TRANSFER_OUT if kind == TransferKind.PERMANENT else Event.TEMPORARY_OUT
    _transition(by, member, event, letter_on)
    if kind not in TransferKind.values:
        raise ServiceError("Loại chuyển sinh hoạt không hợp lệ.", Code.INVALID, field="kind")
    if to_org.pk == member.organization_id:
        raise ServiceError("Nơi chuyển đến phải khác chi bộ hiện tại.", Code.INVALID, field="to_org")
    if to_org.kind not in TRANSFER_DESTINATION_KINDS or to_org.dissolved_on:
        raise ServiceError("Nơi chuyển đến phải là một chi bộ hoặc đảng bộ cơ sở đang hoạt động.",
                           Code.ORG_KIND, field="to_org")
    if cause_on and cause_on > letter_on:
        raise ServiceError("Ngày chuyển công tác/nơi cư trú không thể sau ngày giấy giới thiệu.",
                           Code.DATE_ORDER, field="cause_on")
    if kind == TransferKind.TEMPORARY and (not ends_on or ends_on <= letter_on):
        raise ServiceError("Chuyển tạm thời phải có ngày kết thúc sau ngày giấy giới thiệu.",
                           Code.DATE_ORDER if ends_on else Code.REQUIRED, field="ends_on")
    if Transfer.objects.filter(member=member, state=TransferState.PENDING).exists():
        raise ServiceError("Đảng viên đang có một giấy chuyển sinh hoạt chờ tiếp nhận.", Code.STATE)
    transfer = Transfer.objects.create(member=member, kind=kind, from_org=member.organization, to_org=to_org,
                                       letter_on=letter_on, cause_on=cause_on, ends_on=ends_on, reason=reason)
    _history(member, event, letter_on, by, before=member.status, after=member.status,
             from_org=member.organization, to_org=to_org, note=reason)
    return transfer


def _receiving_cell(transfer: Transfer, cell: Organization | None) -> Organization:
    """The cell the member joins: the letter's cell, or the one a receiving grassroots committee picks."""
    to_org = transfer.to_org
    if to_org.is_cell:
        if cell is not None and cell.pk != to_org.pk:
            raise ServiceError("Giấy chuyển sinh hoạt đã ghi chi bộ nơi đến; không chọn chi bộ khác.",
                               Code.INVALID, field="cell")
        return to_org
    if cell is None:
        raise ServiceError(f"Hãy chọn chi bộ của {to_org.name} tiếp nhận đảng viên.", Code.REQUIRED, field="cell")
    inside = cell.path.startswith(to_org.path) and cell.depth > to_org.depth
    if not inside or not (cell.is_cell or cell.kind == OrgKind.GROUP) or cell.dissolved_on:
        raise ServiceError(f"Chi bộ tiếp nhận phải là một chi bộ đang hoạt động của {to_org.name}.",
                           Code.OUT_OF_SUBTREE, field="cell")
    return cell


@transaction.atomic
def confirm_transfer(by, transfer: Transfer, confirmed_on: dt.date, cell: Organization | None = None) -> Transfer:
    """The receiving organization confirms; a permanent transfer moves the member there.

    A letter addressed to a grassroots committee is received by the committee, which names the
    cell (``cell``) the member joins; the transfer then records that cell as its destination.
    """
    transfer = Transfer.objects.select_for_update().select_related("to_org").get(pk=transfer.pk)
    ensure_can_edit(by, transfer.to_org)
    if transfer.state != TransferState.PENDING:
        raise ServiceError("Giấy chuyển sinh hoạt này đã được xử lý.", Code.STATE)
    if confirmed_on < transfer.letter_on:
        raise ServiceError("Ngày tiếp nhận không thể trước ngày giấy giới thiệu.", Code.DATE_ORDER, field="on")
    addressee = transfer.to_org
    target = _receiving_cell(transfer, cell)
    ensure_can_edit(by, target)
    member = Member.objects.select_for_update().get(pk=transfer.member_id)
    transfer.state = TransferState.CONFIRMED
    transfer.confirmed_on = confirmed_on
    transfer.to_org = target
    transfer.save()
    if transfer.kind == TransferKind.PERMANENT:
        member.organization = target
        member.save(update_fields=["organization", "updated_at", "name_folded"])
        # Posts end with the move: a secretary of the old cell is not one of the new.
        ending = Post.objects.current().filter(member=member).exclude(role="unit_head")
        post_orgs = set(ending.values_list("organization_id", flat=True))
        ending.update(ended_on=confirmed_on)
        for org_id in post_orgs:  # an update() sends no per-row signal: stored figures learn of it here
            data_changed.send(sender=Post, organization_id=org_id, year=confirmed_on.year)
    note = "Tiếp nhận " + transfer.get_kind_display().lower()
    if addressee.pk != target.pk:
        note += f" (giấy giới thiệu gửi {addressee.name})"
    _history(member, Event.TRANSFER_IN, confirmed_on, by, before=member.status, after=member.status,
             from_org=transfer.from_org, to_org=target, note=note)
    return transfer


@transaction.atomic
def end_temporary_transfer(by, transfer: Transfer, on: dt.date) -> Transfer:
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    ensure_can_edit(by, transfer.from_org)
    if transfer.kind != TransferKind.TEMPORARY or transfer.state != TransferState.CONFIRMED:
        raise ServiceError("Chỉ kết thúc được chuyển sinh hoạt tạm thời đã tiếp nhận.", Code.STATE)
    transfer.state = TransferState.RETURNED
    transfer.ends_on = on
    transfer.save()
    member = transfer.member
    _history(member, Event.TEMPORARY_RETURN, on, by, before=member.status, after=member.status,
             from_org=transfer.to_org, to_org=transfer.from_org)
    return transfer


@transaction.atomic
def cancel_transfer(by, transfer: Transfer) -> Transfer:
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    ensure_can_edit(by, transfer.from_org)
    if transfer.state != TransferState.PENDING:
        raise ServiceError("Chỉ hủy được giấy chuyển chưa được tiếp nhận.", Code.STATE)
    transfer.state = TransferState.CANCELLED
    transfer.save()
    return transfer


# -- yearly records -------------------------------------------------------------------------

def _year_ok(year: int) -> None:
    if not 1930 <= int(year) <= clock.today().year + 1:
        raise ServiceError("Năm không hợp lệ.", Code.OUT_OF_RANGE, field="year")


@transaction.atomic
def add_training(by, member: Member, kind: str, finished_on: dt.date, title: str = "",
                 started_on: dt.date | None = None, certificate: str = "") -> Training:
    ensure_can_edit(by, member.organization)
    if started_on and started_on > finished_on:
        raise ServiceError("Ngày bắt đầu không thể sau ngày hoàn thành.", Code.DATE_ORDER, field="started_on")
    training = Training.objects.create(member=member, kind=kind, finished_on=finished_on, title=title,
                                       started_on=started_on, certificate=certificate)
    levels = {"theory_elementary": "elementary", "theory_intermediate": "intermediate",
              "theory_advanced": "advanced"}
    rank = ["", "elementary", "intermediate", "advanced"]
    if kind in levels and rank.index(levels[kind]) > rank.index(member.political_theory or ""):
        claim(member, None, by)  # a field of the member's edit form: an edit page opened before must not undo it
        if rank.index(levels[kind]) > rank.index(member.political_theory or ""):
            member.political_theory = levels[kind]
            member.save(update_fields=["political_theory", "version", "edited_by", "edited_at"])
    return training


@transaction.atomic
def add_assignment(by, member: Member, year: int, content: str, assigned_on: dt.date) -> Assignment:
    ensure_can_edit(by, member.organization)
    _year_ok(year)
    if not member.is_active:
        raise ServiceError("Chỉ phân công nhiệm vụ cho đảng viên đang sinh hoạt.", Code.INACTIVE_MEMBER)
    if not nfc(content):
        raise ServiceError("Nội dung nhiệm vụ không được để trống.", Code.REQUIRED, field="content")
    return Assignment.objects.create(member=member, year=year, content=content, assigned_on=assigned_on)


@transaction.atomic
def add_commitment(by, member: Member, year: int, content: str, signed_on: dt.date) -> Commitment:
    ensure_can_edit(by, member.organization)
    _year_ok(year)
    if not nfc(content):
        raise ServiceError("Nội dung cam kết không được để trống.", Code.REQUIRED, field="content")
    return Commitment.objects.create(member=member, year=year, content=content, signed_on=signed_on)


@transaction.atomic
def add_residence_link(by, member: Member, year: int, rating: str, received_on: dt.date,
                       residence_org: Organization | None = None, feedback: str = "") -> ResidenceLink:
    ensure_can_edit(by, member.organization)
    _year_ok(year)
    return ResidenceLink.objects.create(member=member, year=year, rating=rating, received_on=received_on,
                                        residence_org=residence_org, feedback=feedback)
