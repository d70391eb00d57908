"""Fees indicators: paid in full, due, collected, voluntary, remitted up and kept, over a subtree
and a period (Quyết định 342-QĐ/TW, 28/12/2010; Điều lệ Đảng, Điều 8).

The months of a period are those of it that have ended by ``period.as_of`` (a quarter read on
its last day covers its three months; read mid-month, the month still being collected is left
out of dues and books alike, so the figures compare).
Member-side figures (paid in full, due, voluntary) take the members now on the rolls of the
subtree, each month they had a basis in force and belonged to their cell
(:func:`dangvu.fees.arrears_sql.fee_figures`: one query whatever the size, the rule of
:func:`dangvu.fees.arrears.member_months` in SQL); cash-side
figures (collected, remitted) sum the books and remittances of the period in one aggregate each.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum

from dangvu.core.fees import add_months, month_start
from dangvu.indicators import Period, Value, indicator
from dangvu.registry.models import ACTIVE_STATUSES, Member, Organization

from .arrears_sql import NO_FIGURES, FeeFigures, fee_figures
from .flows import remitted_on_time
from .models import FeePayment, FeeRemittance, PaymentKind


def period_months(period: Period) -> tuple[dt.date, dt.date] | None:
    """First and last month of ``period`` that have ended by ``period.as_of`` (None: none yet).
    The month under way is left out: until it ends, its fees are still being collected."""
    as_of = min(period.end, period.as_of)
    last = month_start(as_of)
    if add_months(last, 1) - dt.timedelta(days=1) != as_of:
        last = add_months(last, -1)
    first = month_start(period.start)
    return (first, last) if first <= last else None


def _figures(org: Organization, period: Period) -> FeeFigures:
    span = period_months(period)
    if span is None:
        return NO_FIGURES
    members = Member.objects.filter(organization__in=Organization.objects.subtree(org), status__in=ACTIVE_STATUSES)
    return fee_figures(members, *span)


@indicator("fees.paid_in_full_share", "Tỷ lệ đảng viên đóng đủ đảng phí", "%")
def paid_in_full_share(org: Organization, period: Period) -> Value:
    """Members who paid at least what was due for every month of the period they owed (a month
    excused by the cell is not owed) ÷ members who owed something in the period (a basis in force
    and a due above zero in at least one month not excused). Payments ahead count for the months
    they cover; corrections are included."""
    f = _figures(org, period)
    return Value.share(f.paid_in_full, f.owed)


@indicator("fees.due_amount", "Số đảng phí phải thu", "đồng")
def due_amount(org: Organization, period: Period) -> Value:
    """The dues of the period's months (Quyết định 342-QĐ/TW rates, from each member's basis) of
    the members now in the subtree; breakdown: the dues of months the cell excused."""
    f = _figures(org, period)
    return Value(value=f.due, numerator=f.due, breakdown={"excused": f.due_excused})


@indicator("fees.voluntary_amount", "Số đảng phí tự nguyện đóng thêm", "đồng")
def voluntary_amount(org: Organization, period: Period) -> Value:
    """What members now in the subtree paid for the period's months beyond what was due
    (:func:`dangvu.core.fees.voluntary`, month by month)."""
    f = _figures(org, period)
    return Value(value=f.voluntary, numerator=f.voluntary)


def _books(org: Organization, period: Period):
    span = period_months(period)
    books = FeePayment.objects.filter(book__organization__in=Organization.objects.subtree(org))
    return books.filter(book__month__range=span) if span else books.none()


@indicator("fees.collected_amount", "Số đảng phí đã thu", "đồng")
def collected_amount(org: Organization, period: Period) -> Value:
    """Đồng written in the subtree's books of the period's months (by the book's month: a payment
    ahead counts when collected), corrections included; breakdown: payments, corrections, members
    who paid."""
    agg = _books(org, period).aggregate(
        total=Sum("amount"), payments=Sum("amount", filter=Q(kind=PaymentKind.PAYMENT)),
        corrections=Sum("amount", filter=Q(kind=PaymentKind.CORRECTION)),
        members=Count("member", distinct=True, filter=Q(kind=PaymentKind.PAYMENT)))
    total = agg["total"] or 0
    return Value(value=total, numerator=total, breakdown={
        "payments": agg["payments"] or 0, "corrections": agg["corrections"] or 0, "members": agg["members"]})


def _sent(org: Organization, period: Period) -> dict[str, int]:
    span = period_months(period)
    if span is None:
        return {"sent": 0, "confirmed": 0, "unconfirmed": 0}
    # Out of the subtree only: a cell's remittance to its committee stays inside the committee's
    # subtree and is not "sent up" by it.
    inside = Organization.objects.subtree(org)
    agg = (FeeRemittance.objects.filter(sender__in=inside, month__range=span).exclude(receiver__in=inside)
           .aggregate(
        sent=Sum("amount"), confirmed=Sum("confirmed_amount"),
        unconfirmed=Count("pk", filter=Q(confirmed_on__isnull=True))))
    return {"sent": agg["sent"] or 0, "confirmed": agg["confirmed"] or 0, "unconfirmed": agg["unconfirmed"]}


@indicator("fees.remitted_up_amount", "Số đảng phí đã nộp lên cấp trên", "đồng")
def remitted_up_amount(org: Organization, period: Period) -> Value:
    """What the subtree sent out of itself to the level above for the period's months, as the
    senders wrote it (for a cell: what it sent its committee; for a committee: what the committee
    sent up, not its cells' remittances to it); breakdown: what the receivers confirmed, and the
    remittances not confirmed yet. Nothing for the top organization of the system."""
    sent = _sent(org, period)
    return Value(value=sent["sent"], numerator=sent["sent"],
                 breakdown={"confirmed": sent["confirmed"], "unconfirmed": sent["unconfirmed"]})


@indicator("fees.kept_amount", "Số đảng phí để lại", "đồng")
def kept_amount(org: Organization, period: Period) -> Value:
    """Collected in the subtree's books of the period minus what the subtree sent up for those
    months (``fees.remitted_up_amount``): the subtree's own share, whatever its levels passed on
    between themselves."""
    kept = collected_amount(org, period).value - _sent(org, period)["sent"]
    return Value(value=kept, numerator=kept)


# -- remittances up the tree ------------------------------------------------------------------
@indicator("fees.remitted_on_time_share", "Tỷ lệ lượt nộp đảng phí lên cấp trên đúng hạn", "%")
def remitted_on_time_share(org: Organization, period: Period) -> Value:
    """Of the monthly remittances that organizations of the subtree owed the level above with a
    deadline in the period (up to its reading day), the share first sent by the deadline
    (``fees.remit_by_day`` of the following month). A month counts when the books made something
    due or something was sent. Quyết định 342-QĐ/TW."""
    on, due = remitted_on_time(org, period.start, period.as_of)
    return Value.share(on, due)
