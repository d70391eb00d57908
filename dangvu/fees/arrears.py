"""Fees arrears: the months each member left unpaid without reason, for the removal alert.

Điều lệ Đảng, Điều 8: a member who "không đóng đảng phí ba tháng trong năm mà không có lý do chính
đáng" is to be considered for removal. The count and the window are rule-set parameters
(``member.unpaid_fee_removal``, ``member.unpaid_fee_window_months``); the window is the months that
have ended (:func:`dangvu.core.fees.arrears_window`).

A month counts when something was due (the member had a fee basis in force), less was paid for
it (in any cell's book, corrections included) and no "excused" entry exists for it. Months before
the member joined the current cell (the later of the admission and the last transfer into it;
:func:`dangvu.core.fees.first_counted_month`) and months with no basis do not count: nothing the
cell could collect was due.

The alert reads :func:`unpaid_months`: ONE query that finds the unpaid months in SQL
(:mod:`dangvu.fees.arrears_sql`), so its cost is the subtree's rows, with no Python object per
member-month (a province's root: 148,000 members). :func:`unpaid_months_walked` walks the same rule
month by month in Python over :func:`member_months` (three queries whatever the number of members);
the tests hold the two equal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q, QuerySet, Sum

from dangvu.core.fees import (
    FeeError,
    arrears_window,
    counts_as_unpaid,
    first_counted_month,
    monthly_due,
    months_between,
)
from dangvu.core.rulesets import RuleSet, ruleset_for
from dangvu.registry.models import Member, StatusChange

from .arrears_sql import unpaid_rows
from .models import FeeBasis, FeePayment, PaymentKind


@dataclass(frozen=True)
class MemberArrears:
    member_id: int
    name: str
    org_code: str
    org_name: str
    org_path: str
    months: tuple[dt.date, ...]  # unpaid without reason, oldest first


def _due_reader():
    """What a basis makes due for a month, remembered for this one read (members share a handful
    of categories and bases; the rule set is looked up once a month)."""
    rulesets: dict[dt.date, RuleSet] = {}
    dues: dict[tuple, int | None] = {}

    def due(basis: FeeBasis, month: dt.date) -> int | None:
        key = (basis.category, basis.base, basis.past_working_age, month)
        if key not in dues:
            rs = rulesets.setdefault(month, ruleset_for(month))
            try:
                dues[key] = monthly_due(basis.category, basis.base, rs, past_working_age=basis.past_working_age).due
            except FeeError:
                dues[key] = None
        return dues[key]
    return due


@dataclass(frozen=True)
class MemberMonth:
    month: dt.date
    due: int | None  # None: the basis in force is one the month's rule set refuses
    paid: int        # entries for the month in any book, corrections included
    excused: bool


@dataclass
class MemberFees:
    """One member's months with a basis in force, from the month after joining the current cell."""
    member_id: int
    name: str
    org_code: str
    org_name: str
    org_path: str
    months: list[MemberMonth]


def member_months(members: QuerySet[Member], first: dt.date, last: dt.date) -> dict[int, MemberFees]:
    """Every month from ``first`` to ``last`` of each member of ``members`` that has a basis in force
    and lies on or after :func:`~dangvu.core.fees.first_counted_month` of their arrival in the
    current cell (the later of the admission and the last transfer into it). Three queries (one
    when nobody has a basis); shared by the arrears alert and the fees indicators."""
    months = months_between(first, last)
    bases: dict[int, list[tuple[dt.date, FeeBasis]]] = {}
    who: dict[int, tuple] = {}
    for b in (FeeBasis.objects.filter(member__in=members.values("pk"), starts_on__lte=last)
              .select_related("member__organization").order_by("member_id", "starts_on")):
        bases.setdefault(b.member_id, []).append((b.starts_on, b))
        m = b.member
        who[b.member_id] = (m.full_name, m.organization.code, m.organization.name, m.organization.path, m.admitted_on)
    if not bases or not months:
        return {}
    ids = members.values("pk")  # a subquery: no list of ids however large the subtree
    paid = {(m, month): (amount or 0, excused) for m, month, amount, excused in
            FeePayment.objects.filter(member__in=ids, month__range=(first, last)).order_by()
            .values("member_id", "month").annotate(paid=Sum("amount"),
                                                   excused=Count("pk", filter=Q(kind=PaymentKind.EXCUSED)))
            .values_list("member_id", "month", "paid", "excused")}
    arrived = dict(StatusChange.objects.filter(member__in=ids, to_org=F("member__organization")).order_by()
                   .values("member_id").annotate(on=Max("on")).values_list("member_id", "on"))
    due = _due_reader()
    out: dict[int, MemberFees] = {}
    for pk, member_bases in bases.items():
        name, code, org_name, path, admitted_on = who[pk]
        start = first_counted_month(max((d for d in (admitted_on, arrived.get(pk)) if d), default=None))
        rows = []
        for month in months:
            if start and month < start:
                continue
            basis = next((b for starts, b in reversed(member_bases) if starts <= month), None)
            if basis is None:
                continue
            amount, excused = paid.get((pk, month), (0, 0))
            rows.append(MemberMonth(month, due(basis, month), amount, excused > 0))
        out[pk] = MemberFees(pk, name, code, org_name, path, rows)
    return out


def unpaid_months(members: QuerySet[Member], today: dt.date, rs: RuleSet,
                  at_least: int | None = None) -> dict[int, MemberArrears]:
    """Members of ``members`` with at least ``at_least`` (default ``member.unpaid_fee_removal``)
    months unpaid without reason in the window ending before ``today``'s month, by member id
    (one SQL query: :func:`dangvu.fees.arrears_sql.unpaid_rows`)."""
    at_least = rs["member.unpaid_fee_removal"] if at_least is None else at_least
    who: dict[int, tuple[str, str, str, str]] = {}
    months: dict[int, list[dt.date]] = {}
    for pk, name, code, org_name, path, month in unpaid_rows(members, today, rs, at_least):
        who[pk] = (name, code, org_name, path)
        months.setdefault(pk, []).append(month)  # the rows come oldest month first
    return {pk: MemberArrears(pk, *who[pk], tuple(found)) for pk, found in months.items()}


def unpaid_months_walked(members: QuerySet[Member], today: dt.date, rs: RuleSet,
                         at_least: int | None = None) -> dict[int, MemberArrears]:
    """:func:`unpaid_months` with the rule walked month by month in Python (:func:`member_months`,
    :func:`~dangvu.core.fees.counts_as_unpaid`): the statement of the rule the SQL is held to."""
    at_least = rs["member.unpaid_fee_removal"] if at_least is None else at_least
    out: dict[int, MemberArrears] = {}
    for pk, f in member_months(members, *arrears_window(today, rs)).items():
        found = tuple(m.month for m in f.months if counts_as_unpaid(m.due, m.paid, m.excused))
        if len(found) >= at_least:
            out[pk] = MemberArrears(pk, f.name, f.org_code, f.org_name, f.org_path, found)
    return out
