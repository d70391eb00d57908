"""Honours use cases: the only code that writes commendations and Party badge awards.

Each public function is one transaction: it checks the actor's scope, applies the rules of
:mod:`dangvu.core.badges` with the rule set in force on the occasion, and raises
:class:`ServiceError` (a Vietnamese message and a code) with nothing written on refusal.

A badge goes: proposed for an occasion (``propose_badge``; early for a seriously ill member) →
awarded by the committee's decision (``decide_badges``, the whole occasion list of a subtree at
once) → returned when the member leaves the Party (``return_badge``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.common.dates import check_date
from dangvu.core import clock
from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import nfc
from dangvu.registry.models import ACTIVE_STATUSES, Member, MemberStatus, Organization

from .models import (
    BadgeAward,
    Commendation,
    CommendationKind,
    CommendationLevel,
    ExemplaryMember,
    ExemplaryReview,
)
from .selectors import badge_due_for, badge_rows, pending_proposals

NO_RIGHT = "Bạn không có quyền đề nghị, khen thưởng cho đảng viên hoặc tổ chức này."


def _check_decision(decision_number: str, decided_on: dt.date | None) -> str:
    number = nfc(decision_number or "").strip()
    if not number:
        raise ServiceError("Cần ghi số quyết định.", Code.REQUIRED, field="decision_number")
    if len(number) > 60:
        raise ServiceError("Số quyết định dài quá 60 ký tự.", Code.TOO_LONG, field="decision_number")
    if decided_on is None:
        raise ServiceError("Cần ghi ngày quyết định.", Code.REQUIRED, field="decided_on")
    problem = check_date(decided_on)
    if problem:
        raise ServiceError(problem, Code.OUT_OF_RANGE, field="decided_on")
    if decided_on > clock.today():
        raise ServiceError("Ngày quyết định chưa đến.", Code.FUTURE_DATE, field="decided_on")
    return number


# -- commendations ---------------------------------------------------------------------------------

@transaction.atomic
def add_commendation(by, *, member: Member | None = None, organization: Organization | None = None,
                     kind: str, level: str, decision_number: str, decided_on: dt.date,
                     note: str = "") -> Commendation:
    """Record a commendation of one member or one organization."""
    if (member is None) == (organization is None):
        raise ServiceError("Khen thưởng phải ghi cho một đảng viên hoặc một tổ chức.", Code.INVALID)
    ensure_can_edit(by, member.organization if member else organization, NO_RIGHT)
    if kind not in CommendationKind.values:
        raise ServiceError("Hình thức khen thưởng không hợp lệ.", Code.INVALID, field="kind")
    if level not in CommendationLevel.values:
        raise ServiceError("Cấp khen thưởng không hợp lệ.", Code.INVALID, field="level")
    number = _check_decision(decision_number, decided_on)
    note = nfc(note or "").strip()
    if len(note) > 255:
        raise ServiceError("Nội dung dài quá 255 ký tự.", Code.TOO_LONG, field="note")
    return Commendation.objects.create(member=member, organization=organization, kind=kind, level=level,
                                       decision_number=number, decided_on=decided_on, note=note,
                                       recorded_by=acting_user(by))


# -- Party badges ----------------------------------------------------------------------------------

def _check_member(by, member: Member, org: Organization | None) -> None:
    ensure_can_edit(by, member.organization, NO_RIGHT)
    if org is not None and not member.organization.path.startswith(org.path):
        raise ServiceError(f"Đảng viên {member.full_name} không thuộc {org.name}.", Code.OUT_OF_SUBTREE)


@transaction.atomic
def propose_badge(by, member: Member, occasion: dt.date, *, seriously_ill: bool = False,
                  org: Organization | None = None, note: str = "") -> BadgeAward:
    """Put a member on an occasion's proposal list for the badge due then (Hướng dẫn 01-HD/TW,
    mục 18). ``seriously_ill`` asks for the early award; a deceased member is proposed posthumously.
    A pending proposal of the same badge for another occasion moves to this one."""
    _check_member(by, member, org)
    if member.status not in (*ACTIVE_STATUSES, MemberStatus.DECEASED):
        raise ServiceError(f"{member.full_name} không còn trong Đảng: không đề nghị tặng Huy hiệu Đảng.",
                           Code.INACTIVE_MEMBER)
    if check_date(occasion):
        raise ServiceError(check_date(occasion), Code.OUT_OF_RANGE, field="occasion")
    due = badge_due_for(member, occasion, seriously_ill=seriously_ill)
    if due is None:
        early = " kể cả khi tặng sớm vì bệnh nặng" if seriously_ill else ""
        raise ServiceError(f"{member.full_name} chưa đủ tuổi đảng để nhận Huy hiệu Đảng vào dịp "
                           f"{occasion:%d/%m/%Y}{early}, hoặc đã nhận huy hiệu này.", Code.RULE)
    award = (BadgeAward.objects.select_for_update()
             .filter(member=member, badge_years=due.badge).first())
    if award is not None and award.decided_on:
        raise ServiceError(f"{member.full_name} đã được tặng Huy hiệu {due.badge} năm tuổi Đảng.", Code.DUPLICATE)
    award = award or BadgeAward(member=member, badge_years=due.badge)
    award.occasion, award.early, award.posthumous = occasion, due.early, due.posthumous
    award.note = nfc(note or "").strip()[:255]
    award.recorded_by = acting_user(by)
    award.save()
    return award


@transaction.atomic
def propose_all(by, org: Organization, occasion: dt.date) -> int:
    """Propose every member of the subtree due a badge on the occasion (living members; early and
    posthumous proposals are made one by one). Returns how many were added."""
    ensure_can_edit(by, org, NO_RIGHT)
    added = 0
    for row in badge_rows(org, occasion):
        if row.proposal is None:
            propose_badge(by, row.member, occasion, org=org)
            added += 1
    return added


@transaction.atomic
def withdraw_proposal(by, award: BadgeAward) -> None:
    """Take a member off the proposal list (only before the decision)."""
    ensure_can_edit(by, award.member.organization, NO_RIGHT)
    if award.decided_on:
        raise ServiceError("Huy hiệu đã có quyết định tặng: không rút đề nghị được.", Code.STATE)
    award.delete()


@transaction.atomic
def decide_badges(by, org: Organization, occasion: dt.date, decided_on: dt.date, decision_number: str) -> int:
    """Record the committee's decision for every pending proposal of the occasion in the subtree."""
    ensure_can_edit(by, org, NO_RIGHT)
    number = _check_decision(decision_number, decided_on)
    pending = list(pending_proposals(org, occasion).select_for_update(of=("self",)))
    if not pending:
        raise ServiceError(f"Chưa có đề nghị nào cho dịp {occasion:%d/%m/%Y} đang chờ quyết định.", Code.INCOMPLETE)
    for award in pending:
        ensure_can_edit(by, award.member.organization, NO_RIGHT)
        award.decided_on, award.decision_number = decided_on, number
        award.save(update_fields=["decided_on", "decision_number"])
    return len(pending)


@transaction.atomic
def return_badge(by, award: BadgeAward, on: dt.date) -> BadgeAward:
    """Record that the badge was returned: a member leaving the Party gives it back (Hướng dẫn
    01-HD/TW, mục 18); only for a member no longer in the Party (struck off, expelled)."""
    ensure_can_edit(by, award.member.organization, NO_RIGHT)
    out = set(ruleset_for(on)["badges.out_events"])
    if not award.decided_on:
        raise ServiceError("Huy hiệu chưa có quyết định tặng.", Code.STATE)
    if award.returned_on:
        raise ServiceError("Huy hiệu này đã được thu hồi.", Code.STATE)
    if award.member.status in (*ACTIVE_STATUSES, MemberStatus.DECEASED) or not out:
        raise ServiceError("Chỉ thu hồi huy hiệu của người đã ra khỏi Đảng (xóa tên, khai trừ).", Code.RULE)
    if check_date(on) or on > clock.today():
        raise ServiceError("Ngày thu hồi không hợp lệ.", Code.OUT_OF_RANGE, field="returned_on")
    if on < award.decided_on:
        raise ServiceError("Ngày thu hồi trước ngày quyết định tặng.", Code.DATE_ORDER, field="returned_on")
    award.returned_on = on
    award.save(update_fields=["returned_on"])
    return award


# -- exemplary members (đảng viên tiêu biểu) ------------------------------------------------------

@transaction.atomic
def record_exemplary(by, org: Organization, year: int, member_ids: list[int]) -> ExemplaryReview:
    """The committee of ``org`` records its exemplary members of ``year``: the named members (on the
    rolls in its subtree) replace its earlier record of that year; an empty list records that the
    year was reviewed with nobody named."""
    ensure_can_edit(by, org, NO_RIGHT)
    today = clock.today()
    if not isinstance(year, int) or year < 1930 or year > today.year:
        raise ServiceError(f"Năm phải từ 1930 đến {today.year}.", Code.OUT_OF_RANGE, field="year")
    wanted = set(member_ids)
    found = set(Member.objects.in_subtree(org).filter(pk__in=wanted, status__in=ACTIVE_STATUSES)
                .values_list("pk", flat=True))
    if wanted - found:
        raise ServiceError(f"Có đảng viên không thuộc {org.name} hoặc không còn trong danh sách đảng viên.",
                           Code.OUT_OF_SUBTREE, field="members")
    review, _ = ExemplaryReview.objects.get_or_create(organization=org, year=year)
    review = ExemplaryReview.objects.select_for_update().get(pk=review.pk)
    review.recorded_by = acting_user(by)
    review.save()
    current = set(review.entries.values_list("member_id", flat=True))
    for entry in review.entries.filter(member_id__in=current - found):
        entry.delete()  # one by one: each removal is audited
    for mid in sorted(found - current):
        ExemplaryMember.objects.create(review=review, member_id=mid)
    return review
