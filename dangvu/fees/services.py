"""Fees use cases: the only code that writes fee bases, books, payments, shares and remittances.

Each public function is one transaction: it checks the actor's scope, applies the rule from
:mod:`dangvu.core.fees`, and raises :class:`ServiceError` (plain Vietnamese, with a code and the form
field it is about) with nothing written. Payments are never edited: a correction is a new entry.

Two people entering the same month's book at once lose nothing: the book row is locked first
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serializes writers), and
"all paid as due" writes only for members who have no entry for the month yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.core import clock
from dangvu.core.fees import FeeCategory, FeeError, add_months, dong, month_start, monthly_due
from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import nfc
from dangvu.registry.models import CELL_KINDS, Member, Organization, OrgKind
from dangvu.registry.selectors import parent_of

from . import selectors
from .models import FeeBasis, FeeBook, FeePayment, FeeRemittance, FeeShare, PaymentKind


class LineKind:
    """What the collector says about one member in the month's book."""
    PAID = "paid"          # paid ``amount`` (more than due: the rest is voluntary)
    PARTIAL = "partial"    # paid ``amount``, less than due
    UNPAID = "unpaid"      # nothing this month (nothing is written)
    EXCUSED = "excused"    # not paid, with ``reason``
    AHEAD = "ahead"        # paid the due of ``months`` months from this one
    ALL = (PAID, PARTIAL, UNPAID, EXCUSED, AHEAD)


@dataclass(frozen=True)
class BookLine:
    kind: str
    amount: int | None = None
    months: int = 1
    reason: str = ""


def _month(value: dt.date, field: str = "month") -> dt.date:
    month = month_start(value)
    if month > month_start(clock.today()):
        raise ServiceError("Chưa đến tháng này: sổ thu chỉ ghi đến tháng hiện tại (nộp trước ghi ở sổ tháng "
                           "này, chọn «Nộp trước nhiều tháng»).", Code.FUTURE_DATE, field=field)
    return month


def _amount(value: object, field: str = "amount") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ServiceError("Số tiền phải là số nguyên đồng, không âm.", Code.INVALID, field=field)
    return value


# -- fee basis ----------------------------------------------------------------------------------

@transaction.atomic
def set_basis(by, member: Member, *, category: str, base: int, starts_on: dt.date,
              past_working_age: bool = False, note: str = "") -> FeeBasis:
    """Record what ``member`` pays from as of ``starts_on``'s month (Quyết định 342-QĐ/TW). A basis
    given again for the same month replaces it (audited); earlier months keep theirs."""
    ensure_can_edit(by, member.organization)
    month = month_start(starts_on)
    try:
        monthly_due(category, _amount(base, "base"), ruleset_for(month), past_working_age=past_working_age)
    except FeeError as exc:
        raise ServiceError(str(exc), Code.INVALID, field="base") from None
    basis, _ = FeeBasis.objects.update_or_create(
        member=member, starts_on=month,
        defaults={"category": FeeCategory(category).value, "base": base, "past_working_age": past_working_age,
                  "note": nfc(note)[:255], "recorded_by": acting_user(by)})
    return basis


# -- the month's book ---------------------------------------------------------------------------

def _locked_book(org: Organization, month: dt.date, collected_by: Member | None,
                 collected_on: dt.date | None) -> FeeBook:
    book, _ = FeeBook.objects.get_or_create(organization=org, month=month)
    book = FeeBook.objects.select_for_update().get(pk=book.pk)
    changed = []
    if collected_by is not None and book.collected_by_id != collected_by.pk:
        book.collected_by = collected_by
        changed.append("collected_by")
    if collected_on is not None and book.collected_on != collected_on:
        book.collected_on = collected_on
        changed.append("collected_on")
    if changed:
        book.save(update_fields=changed)
    return book


def _check_book_org(org: Organization) -> None:
    if org.kind not in CELL_KINDS:
        raise ServiceError("Sổ thu đảng phí do chi bộ ghi.", Code.ORG_KIND)


def _line_entries(row: selectors.BookRow, line: BookLine, month: dt.date) -> list[tuple[dt.date, int, int, str, str]]:
    """What one collector's line writes: (month, amount, due, kind, reason) entries, after its checks."""
    due = row.due.due if row.due else None
    name = row.member.full_name
    if line.kind not in LineKind.ALL:
        raise ServiceError("Cách ghi không hợp lệ.", Code.INVALID, field="lines")
    if line.kind == LineKind.UNPAID:
        return []
    if line.kind == LineKind.EXCUSED:
        reason = nfc(line.reason)[:255]
        if not reason:
            raise ServiceError(f"Cần ghi lý do chưa nộp của đồng chí {name}.", Code.REQUIRED, field="reason")
        return [(month, 0, due or 0, PaymentKind.EXCUSED, reason)]
    if due is None:
        if line.kind != LineKind.PAID:
            raise ServiceError(f"Đồng chí {name} chưa có mức đóng: hãy ghi khoản tính đảng phí trước.",
                               Code.INCOMPLETE, field="lines")
        return [(month, _amount(line.amount), 0, PaymentKind.PAYMENT, "")]
    if line.kind == LineKind.AHEAD:
        top = ruleset_for(month)["fees.ahead_max_months"]
        if isinstance(line.months, bool) or not isinstance(line.months, int) or not 2 <= line.months <= top:
            raise ServiceError(f"Nộp trước từ 2 đến {top} tháng.", Code.OUT_OF_RANGE, field="months")
        later = [add_months(month, i) for i in range(line.months)]
        dues = [(m, selectors.due_for(row.member, m)) for m in later]
        return [(m, d.due if d else due, d.due if d else due, PaymentKind.PAYMENT, "") for m, d in dues]
    amount = _amount(line.amount if line.amount is not None else due)
    if line.kind == LineKind.PARTIAL and not 0 < amount < due:
        raise ServiceError(f"Nộp thiếu: số tiền của đồng chí {name} phải lớn hơn 0 và nhỏ hơn "
                           f"{dong(due)} đồng phải nộp.", Code.OUT_OF_RANGE, field="lines")
    if line.kind == LineKind.PAID and amount < due:
        raise ServiceError(f"Đồng chí {name} nộp {dong(amount)} đồng, ít hơn {dong(due)} đồng phải nộp: "
                           f"hãy chọn «Nộp thiếu».", Code.OUT_OF_RANGE, field="lines")
    return [(month, amount, due, PaymentKind.PAYMENT, "")]


@transaction.atomic
def record_book(by, org: Organization, month: dt.date, *, all_paid: bool = False,
                lines: Mapping[int, BookLine] | None = None, collected_by: Member | None = None,
                collected_on: dt.date | None = None) -> FeeBook:
    """The month's book in one step: ``all_paid`` records every member who has nothing for the month
    yet as having paid what is due, except the members in ``lines`` (member id → what they did).
    All or nothing."""
    ensure_can_edit(by, org)
    _check_book_org(org)
    month = _month(month)
    lines = dict(lines or {})
    if collected_on is not None and collected_on > clock.today():
        raise ServiceError("Ngày thu chưa đến.", Code.FUTURE_DATE, field="collected_on")
    if collected_by is not None and collected_by.organization_id != org.pk:
        raise ServiceError("Người thu phải là đảng viên của chi bộ.", Code.OUT_OF_SUBTREE, field="collected_by")
    book = _locked_book(org, month, collected_by, collected_on)
    rows = {row.member.pk: row for row in selectors.book_rows(org, month)}  # read after the lock
    if set(lines) - set(rows):
        raise ServiceError("Có người không phải đảng viên của chi bộ này.", Code.OUT_OF_SUBTREE, field="lines")
    planned = [(member_id, e) for member_id, line in lines.items() for e in _line_entries(rows[member_id], line, month)]
    if all_paid:
        planned += [(member_id, (month, row.due.due, row.due.due, PaymentKind.PAYMENT, ""))
                    for member_id, row in rows.items()
                    if member_id not in lines and not row.entries and row.due is not None]
    user = acting_user(by)
    for member_id, (for_month, amount, due, kind, reason) in planned:
        # one save each, not bulk_create: every line gets its audit entry
        FeePayment.objects.create(book=book, member_id=member_id, month=for_month, kind=kind, amount=amount,
                                  due=due, reason=reason, recorded_by=user)
    return book


@transaction.atomic
def correct_payment(by, entry: FeePayment, *, amount: int, reason: str) -> FeePayment:
    """Correct what ``entry`` should have been: a new entry with the signed difference and the
    reason, in the same book; the original stays as written."""
    ensure_can_edit(by, entry.book.organization)
    if entry.kind == PaymentKind.CORRECTION:
        raise ServiceError("Hãy đính chính dòng gốc, không đính chính một dòng đính chính.", Code.STATE)
    reason = nfc(reason)[:255]
    if not reason:
        raise ServiceError("Cần ghi lý do đính chính.", Code.REQUIRED, field="reason")
    FeeBook.objects.select_for_update().get(pk=entry.book_id)
    current = entry.amount + sum(entry.corrections.values_list("amount", flat=True))
    delta = _amount(amount) - current
    if delta == 0:
        raise ServiceError(f"Số tiền đã là {dong(current)} đồng: không có gì để đính chính.", Code.INVALID,
                           field="amount")
    return FeePayment.objects.create(book=entry.book, member=entry.member, month=entry.month,
                                     kind=PaymentKind.CORRECTION, amount=delta, due=entry.due, reason=reason,
                                     corrects=entry, recorded_by=acting_user(by))


# -- shares and remittances ---------------------------------------------------------------------

@transaction.atomic
def set_cell_share(by, committee: Organization, *, kept_percent: int, starts_on: dt.date) -> FeeShare:
    """The share its cells keep, as the committee decided, within the rule set's range."""
    ensure_can_edit(by, committee)
    if committee.kind != OrgKind.GRASSROOTS_COMMITTEE:
        raise ServiceError("Chỉ đảng bộ cơ sở quyết định tỷ lệ các chi bộ trực thuộc được để lại.", Code.ORG_KIND)
    month = month_start(starts_on)
    kept = ruleset_for(month)["fees.kept_percent"]
    low, high = kept["cell_in_committee_min"], kept["cell_in_committee_max"]
    if isinstance(kept_percent, bool) or not isinstance(kept_percent, int) or not low <= kept_percent <= high:
        raise ServiceError(f"Chi bộ trực thuộc đảng bộ cơ sở được để lại từ {low}% đến {high}% số thu.",
                           Code.OUT_OF_RANGE, field="kept_percent")
    share, _ = FeeShare.objects.update_or_create(organization=committee, starts_on=month,
                                                 defaults={"kept_percent": kept_percent,
                                                           "recorded_by": acting_user(by)})
    return share


@transaction.atomic
def record_remittance(by, sender: Organization, month: dt.date, *, amount: int, sent_on: dt.date,
                      note: str = "") -> FeeRemittance:
    """The sender records what it sent up for ``month``; the level above confirms it."""
    ensure_can_edit(by, sender)
    month = _month(month)
    receiver = parent_of(sender)
    if receiver is None:
        raise ServiceError("Tổ chức cao nhất không nộp đảng phí lên cấp nào trong hệ thống.", Code.ORG_KIND)
    if _amount(amount) == 0:
        raise ServiceError("Số tiền nộp phải lớn hơn 0.", Code.OUT_OF_RANGE, field="amount")
    if sent_on > clock.today():
        raise ServiceError("Ngày nộp chưa đến.", Code.FUTURE_DATE, field="sent_on")
    if sent_on < month:
        raise ServiceError("Ngày nộp không thể trước tháng của khoản đảng phí.", Code.DATE_ORDER, field="sent_on")
    return FeeRemittance.objects.create(sender=sender, receiver=receiver, month=month, amount=amount,
                                        sent_on=sent_on, note=nfc(note)[:255], recorded_by=acting_user(by))


@transaction.atomic
def confirm_remittance(by, remittance: FeeRemittance, *, amount: int, confirmed_on: dt.date) -> FeeRemittance:
    """The receiver confirms what arrived (a different amount is kept and shown as a difference)."""
    ensure_can_edit(by, remittance.receiver)
    remittance = FeeRemittance.objects.select_for_update().get(pk=remittance.pk)
    if remittance.confirmed_on is not None:
        raise ServiceError("Khoản này đã được xác nhận.", Code.STATE)
    if confirmed_on > clock.today():
        raise ServiceError("Ngày xác nhận chưa đến.", Code.FUTURE_DATE, field="confirmed_on")
    if confirmed_on < remittance.sent_on:
        raise ServiceError("Ngày xác nhận không thể trước ngày nộp.", Code.DATE_ORDER, field="confirmed_on")
    remittance.confirmed_amount = _amount(amount)
    remittance.confirmed_on = confirmed_on
    remittance.confirmed_by = acting_user(by)
    remittance.save(update_fields=["confirmed_amount", "confirmed_on", "confirmed_by"])
    return remittance
