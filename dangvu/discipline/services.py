"""Discipline use cases: the only code that writes discipline cases and appeals.

A case goes: opened (``open_case``; an inspection's conclusion may open it) → the member's
self-review (``record_self_review``) → the cell's meeting and vote (``record_cell_vote``) → the
competent level's decision (``decide_case``: the level follows from the form and the member's
committee posts; the discipline is recorded in the registry through its services, so the member's
record, status and grading follow) → an appeal within the rule set's window (``lodge_appeal``)
decided by the level above (``decide_appeal``). A case not yet decided may be closed
(``close_case``: limitation expired, no grounds). Each function is one transaction; an illegal step
is refused with a :class:`ServiceError` in plain Vietnamese and nothing is written. The rules are
:mod:`dangvu.core.discipline`.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from dangvu.accounts.access import access_for
from dangvu.common import Code, ServiceError, acting_user
from dangvu.common.checks import checked_text, past_date
from dangvu.common.dates import check_date
from dangvu.core import clock
from dangvu.core import discipline as rules
from dangvu.core.discipline import DisciplineRefused, Step
from dangvu.core.rulesets import ruleset_for
from dangvu.registry import services as registry
from dangvu.registry import services_discipline as registry_discipline
from dangvu.registry.models import ACTIVE_STATUSES, Member, Organization

from .access import sees_cases_of
from .models import AppealOutcome, DisciplineAppeal, DisciplineCase
from .selectors import later_violations, level_chain, post_levels

NO_RIGHT = "Bạn không có quyền ghi vụ việc kỷ luật của đảng viên này."


def _ensure_may_record(by, org: Organization, message: str = NO_RIGHT) -> None:
    """``by`` must see the member's cases and edit there; ``by=None`` is the system (demo, CLI)."""
    if by is None:
        return
    acc = access_for(by)
    if not (sees_cases_of(acc, org) and acc.can_edit_org(org)):
        raise ServiceError(message, Code.FORBIDDEN)


def _date(value: dt.date | None, field: str, what: str) -> dt.date:
    return past_date(value, field, what)


def _text(value: str, field: str, what: str, limit: int | None = None, required: bool = True) -> str:
    return checked_text(value, limit, field, what, required)


def _rule(fn, *args, field: str | None = None, **kw):
    try:
        return fn(*args, **kw)
    except DisciplineRefused as exc:
        raise ServiceError(str(exc), Code.RULE, field=field) from exc


def _lock(case: DisciplineCase, step: str) -> DisciplineCase:
    case = DisciplineCase.objects.select_for_update().select_related("member", "member__organization").get(
        pk=case.pk)
    try:
        rules.check_step(case.state, step)
    except DisciplineRefused as exc:
        raise ServiceError(str(exc), Code.STATE) from exc
    return case


def _not_before(on: dt.date, earlier: dt.date | None, field: str, what: str) -> None:
    if earlier is not None and on < earlier:
        raise ServiceError(f"Ngày này trước {what} ({earlier:%d/%m/%Y}).", Code.DATE_ORDER, field=field)


# -- opening -----------------------------------------------------------------------------------------

@transaction.atomic
def open_case(member: Member, *, violation_on: dt.date, summary: str, opened_by, origin: str = "",
              opened_on: dt.date | None = None) -> DisciplineCase:
    """Open a case about ``member``'s violation (from a letter, an inspection's conclusion, or the
    cell itself). ``opened_by`` is the acting user (None: the system); ``opened_on`` defaults to
    today (a case entered afterwards gives its real date)."""
    _ensure_may_record(opened_by, member.organization)
    if member.status not in ACTIVE_STATUSES:
        raise ServiceError(f"{member.full_name} không còn trong danh sách đảng viên: không mở vụ việc kỷ luật.",
                           Code.INACTIVE_MEMBER)
    violation_on = _date(violation_on, "violation_on", "ngày vi phạm")
    opened_on = _date(opened_on or clock.today(), "opened_on", "ngày mở vụ việc")
    _not_before(opened_on, violation_on, "opened_on", "ngày vi phạm")
    return DisciplineCase.objects.create(
        member=member, violation_on=violation_on, summary=_text(summary, "summary", "nội dung vi phạm"),
        origin=_text(origin, "origin", "nguồn vụ việc", 255, required=False), opened_on=opened_on,
        recorded_by=acting_user(opened_by))


@transaction.atomic
def set_circumstances(by, case: DisciplineCase, *, grave_ground: str = "",
                      child_born_on: dt.date | None = None) -> DisciplineCase:
    """Record what bears on whether and when the case may be considered: a violation with no
    limitation (internal politics, security, …), a child under 12 months the member is raising."""
    _ensure_may_record(by, case.member.organization)
    case = DisciplineCase.objects.select_for_update().get(pk=case.pk)
    if case.state not in (Step.OPENED, Step.SELF_REVIEW, Step.CELL_VOTE):
        raise ServiceError("Vụ việc đã có quyết định hoặc đã dừng: không sửa được tình tiết.", Code.STATE)
    rs = ruleset_for(clock.today())
    if grave_ground and grave_ground not in rs["discipline.no_limitation_grounds"]:
        raise ServiceError("Loại vi phạm không áp dụng thời hiệu không hợp lệ.", Code.INVALID, field="grave_ground")
    if child_born_on is not None:
        _date(child_born_on, "child_born_on", "ngày sinh của con")
    case.grave_ground, case.child_born_on = grave_ground, child_born_on
    case.save(update_fields=["grave_ground", "child_born_on"])
    return case


# -- the steps ---------------------------------------------------------------------------------------

@transaction.atomic
def record_self_review(by, case: DisciplineCase, *, on: dt.date, text: str = "",
                       refused: bool = False) -> DisciplineCase:
    """Đảng viên tự kiểm điểm (or refused to: the cell then considers the case all the same)."""
    _ensure_may_record(by, case.member.organization)
    case = _lock(case, Step.SELF_REVIEW)
    on = _date(on, "on", "ngày tự kiểm điểm")
    _not_before(on, case.opened_on, "on", "ngày mở vụ việc")
    text = _text(text, "text", "nội dung tự kiểm điểm", required=not refused)
    case.self_review_on, case.self_review_text, case.self_review_refused = on, text, refused
    case.state = Step.SELF_REVIEW
    case.save()
    return case


def _considerable(case: DisciplineCase, on: dt.date, form: str, field: str = "on") -> None:
    """The checks before a case is considered on ``on`` for ``form``: not while the member raises
    a child under 12 months; not once the limitation has run out; the form fits the member."""
    rs = ruleset_for(on)
    _rule(rules.check_not_blocked, on, case.child_born_on, rs, field=field)
    _rule(rules.check_form, form, case.member.status, rs, field="form")
    _rule(rules.check_limitation, on, case.violation_on, form, rs, grave=case.grave_ground,
          later_violations=later_violations(case), field=field)


@transaction.atomic
def record_cell_vote(by, case: DisciplineCase, *, on: dt.date, form: str, in_favour: int, against: int,
                     full_members: int) -> DisciplineCase:
    """Chi bộ họp, biểu quyết đề nghị hình thức kỷ luật."""
    _ensure_may_record(by, case.member.organization)
    case = _lock(case, Step.CELL_VOTE)
    on = _date(on, "on", "ngày chi bộ họp")
    _not_before(on, case.self_review_on, "on", "ngày tự kiểm điểm")
    _considerable(case, on, form)
    competent_org(case, form, on)  # a form the member cannot receive (dismissal without a post) is refused
    _rule(rules.check_vote, in_favour, against, full_members, field="in_favour")
    case.vote_on, case.vote_form = on, form
    case.vote_in_favour, case.vote_against, case.vote_full_members = in_favour, against, full_members
    case.state = Step.CELL_VOTE
    case.save()
    return case


def competent_org(case: DisciplineCase, form: str, on: dt.date) -> Organization:
    """The committee competent to decide ``form`` for the case's member on ``on``."""
    chain = level_chain(case.member)
    level = _rule(rules.competent_level, form, post_levels(case.member, chain, on), ruleset_for(on), field="form")
    if not chain:
        raise ServiceError("Không xác định được cấp có thẩm quyền.", Code.RULE)
    return chain[min(level, len(chain) - 1)]


def _may_decide(by, org: Organization | None) -> None:
    if by is not None and org is not None and not access_for(by).can_edit_org(org):
        raise ServiceError(f"Hình thức này do {org.name} quyết định: bạn không có quyền ghi quyết định của cấp đó.",
                           Code.FORBIDDEN, field="form")


@transaction.atomic
def decide_case(by, case: DisciplineCase, *, on: dt.date, form: str, decision_number: str = "",
                effective_on: dt.date | None = None, received_on: dt.date | None = None,
                reason: str = "") -> DisciplineCase:
    """The competent level's decision. ``form`` "" decides no discipline (the case closes). The
    discipline itself is recorded in the registry (``discipline_member``): the member's history,
    status (expulsion) and the year's grading follow from it."""
    _ensure_may_record(by, case.member.organization)
    case = _lock(case, Step.DECIDED)
    on = _date(on, "on", "ngày quyết định")
    _not_before(on, case.vote_on, "on", "ngày chi bộ họp")
    if not form:
        # "no discipline" is the call of the level competent for the form the cell proposed
        _may_decide(by, competent_org(case, case.vote_form, on) if case.vote_form else None)
        case.decided_on, case.decided_form, case.state = on, "", Step.CLOSED
        case.closed_on, case.closed_note = on, "Cấp có thẩm quyền quyết định không kỷ luật."
        case.decision_number = _text(decision_number, "decision_number", "số quyết định", 60, required=False)
        case.save()
        return case
    _considerable(case, on, form)
    org = competent_org(case, form, on)
    _may_decide(by, org)
    number = _text(decision_number, "decision_number", "số quyết định", 60)
    effective_on = effective_on or on
    if why := check_date(effective_on):
        raise ServiceError(why, Code.OUT_OF_RANGE, field="effective_on")
    _not_before(effective_on, on, "effective_on", "ngày quyết định")
    if received_on is not None:
        _date(received_on, "received_on", "ngày nhận quyết định")
        _not_before(received_on, on, "received_on", "ngày quyết định")
    record = registry.discipline_member(by, case.member, form, on, number,
                                        reason=_text(reason, "reason", "lý do", required=False) or case.summary)
    case.decided_on, case.effective_on, case.decided_form = on, effective_on, form
    case.decision_number, case.deciding_org, case.received_on = number, org, received_on
    case.discipline, case.state = record, Step.DECIDED
    case.save()
    return case


@transaction.atomic
def close_case(by, case: DisciplineCase, *, on: dt.date, note: str) -> DisciplineCase:
    """Stop considering a case not yet decided (the limitation ran out, no grounds…)."""
    _ensure_may_record(by, case.member.organization)
    case = _lock(case, Step.CLOSED)
    on = _date(on, "on", "ngày dừng xem xét")
    _not_before(on, case.opened_on, "on", "ngày mở vụ việc")
    case.closed_on, case.closed_note = on, _text(note, "note", "lý do dừng xem xét", 255)
    case.state = Step.CLOSED
    case.save()
    return case


# -- appeal ------------------------------------------------------------------------------------------

@transaction.atomic
def lodge_appeal(by, case: DisciplineCase, *, lodged_on: dt.date, content: str) -> DisciplineAppeal:
    """The member's appeal, within the rule set's window from receiving the decision."""
    _ensure_may_record(by, case.member.organization)
    case = _lock(case, Step.APPEALED)
    lodged_on = _date(lodged_on, "lodged_on", "ngày khiếu nại")
    received = case.received_on or case.decided_on
    _rule(rules.check_appeal, lodged_on, received, ruleset_for(lodged_on), field="lodged_on")
    appeal = DisciplineAppeal.objects.create(case=case, lodged_on=lodged_on,
                                             content=_text(content, "content", "nội dung khiếu nại"),
                                             recorded_by=acting_user(by))
    case.state = Step.APPEALED
    case.save(update_fields=["state"])
    return appeal


@transaction.atomic
def decide_appeal(by, case: DisciplineCase, *, on: dt.date, outcome: str, new_form: str = "",
                  decision_number: str = "") -> DisciplineAppeal:
    """The level above the deciding one settles the appeal: upheld, changed to ``new_form``, or the
    discipline annulled; the registry's record (and the member's status) follow."""
    case = _lock(case, Step.APPEAL_DECIDED)
    appeal = DisciplineAppeal.objects.select_for_update().get(case=case)
    above = Organization.objects.get_parent(case.deciding_org) if case.deciding_org else None
    deciding = above or case.deciding_org
    _ensure_may_record(by, case.member.organization)
    if by is not None and deciding is not None and not access_for(by).can_edit_org(deciding):
        raise ServiceError(f"Khiếu nại do {deciding.name} giải quyết: bạn không có quyền ghi quyết định của cấp đó.",
                           Code.FORBIDDEN)
    on = _date(on, "on", "ngày giải quyết")
    _not_before(on, appeal.lodged_on, "on", "ngày khiếu nại")
    if outcome not in AppealOutcome.values:
        raise ServiceError("Kết quả giải quyết khiếu nại không hợp lệ.", Code.INVALID, field="outcome")
    number = _text(decision_number, "decision_number", "số quyết định", 60)
    if outcome == AppealOutcome.CHANGED:
        if not new_form or new_form == case.decided_form:
            raise ServiceError("Cần chọn hình thức kỷ luật mới, khác hình thức đã quyết định.", Code.REQUIRED,
                               field="new_form")
    else:
        new_form = ""
    if case.discipline is not None and outcome != AppealOutcome.UPHELD:
        registry_discipline.revise_member_discipline(by, case.discipline, new_form or None, on, number,
                                          note=f"Khiếu nại ngày {appeal.lodged_on:%d/%m/%Y}")
    appeal.decided_on, appeal.outcome, appeal.new_form = on, outcome, new_form
    appeal.decision_number, appeal.deciding_org = number, deciding
    appeal.save()
    case.state = Step.APPEAL_DECIDED
    if outcome == AppealOutcome.ANNULLED:
        case.discipline = None
    case.save()
    return appeal
