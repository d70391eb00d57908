"""Fees reads: what each member owes for a month and where the cell's book stands.

Every function here reads a bounded number of queries whatever the number of members or entries
(the book page must stay cheap on a phone for a 60-member cell, and the same for a commune).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum

from dangvu.core.fees import FeeDue, FeeError, MonthState, month_start, month_state, monthly_due, voluntary
from dangvu.core.rulesets import ruleset_for
from dangvu.registry.models import Member, Organization, OrgKind, Post, PostRole

from .models import FeeBasis, FeeBook, FeePayment, PaymentKind


def bases_in_force(member_ids: Iterable[int], month: dt.date) -> dict[int, FeeBasis]:
    """Each member's basis in force in ``month`` (the latest starting on or before it), one query."""
    month = month_start(month)
    found: dict[int, FeeBasis] = {}
    for basis in FeeBasis.objects.filter(member_id__in=list(member_ids), starts_on__lte=month).order_by(
            "member_id", "-starts_on"):
        found.setdefault(basis.member_id, basis)
    return found


def due_from(basis: FeeBasis | None, month: dt.date) -> FeeDue | None:
    """What ``basis`` makes due for ``month`` under that month's rule set (None: no basis, or a
    basis the rule set of that month no longer accepts)."""
    if basis is None:
        return None
    try:
        return monthly_due(basis.category, basis.base, ruleset_for(month_start(month)),
                           past_working_age=basis.past_working_age)
    except FeeError:
        return None


def due_for(member: Member, month: dt.date) -> FeeDue | None:
    """A member's fee for one month."""
    return due_from(bases_in_force([member.pk], month).get(member.pk), month)


def book_of(org: Organization, month: dt.date) -> FeeBook | None:
    return FeeBook.objects.filter(organization=org, month=month_start(month)).select_related("collected_by").first()


def book_members(org: Organization) -> QuerySet[Member]:
    """Who appears in a cell's book: the members on its rolls now (exempt members pay too)."""
    return Member.objects.active().filter(organization=org).order_by("name_folded", "pk")


class _MonthFigures:
    """The state and the voluntary part of one member's month, from its ``due``, ``paid`` and ``excused``."""
    due: FeeDue | None
    paid: int
    excused: bool

    @property
    def state(self) -> MonthState:
        return month_state(self.due.due if self.due else None, self.paid, self.excused)

    @property
    def voluntary(self) -> int:
        return voluntary(self.due.due if self.due else None, self.paid)


@dataclass
class BookRow(_MonthFigures):
    """One member's line in a month's book."""
    member: Member
    due: FeeDue | None
    paid: int = 0
    excused: bool = False
    reason: str = ""
    entries: list[FeePayment] = field(default_factory=list)  # for this month, in any book
    ahead: list[FeePayment] = field(default_factory=list)    # written in this book for later months


def book_rows(org: Organization, month: dt.date) -> list[BookRow]:
    """Every member of the cell with what is due for ``month``, what was paid for it (in any book),
    whether it was excused, and the entries written in this month's book for later months."""
    month = month_start(month)
    members = list(book_members(org))
    ids = [m.pk for m in members]
    bases = bases_in_force(ids, month)
    rows = {m.pk: BookRow(m, due_from(bases.get(m.pk), month)) for m in members}
    entries = FeePayment.objects.filter(member_id__in=ids).filter(month=month) | FeePayment.objects.filter(
        member_id__in=ids, book__organization=org, book__month=month, month__gt=month)
    for entry in entries.select_related("book").order_by("month", "id"):
        row = rows[entry.member_id]
        if entry.month != month:
            row.ahead.append(entry)
            continue
        row.entries.append(entry)
        row.paid += entry.amount
        if entry.kind == PaymentKind.EXCUSED:
            row.excused, row.reason = True, entry.reason
    return [rows[pk] for pk in ids]


def member_fee_history(member: Member, first: dt.date, last: dt.date) -> list[FeePayment]:
    """A member's own entries between two months, oldest first."""
    return list(FeePayment.objects.filter(member=member, month__gte=month_start(first), month__lte=month_start(last))
                .select_related("book__organization").order_by("month", "id"))


# == the book page, the member's months, the collector ==============================

@dataclass(frozen=True)
class MonthTotals:
    """A month of one cell's book in figures (the book page and the fee indicators share it)."""
    due: int         # what the members with a basis owe for the month
    paid: int        # what was paid for the month, in any book (corrections included)
    collected: int   # what this month's book took in, whatever month it was for (paid ahead too)
    voluntary: int   # paid beyond what was due
    counts: dict[MonthState, int]


def month_totals(org: Organization, month: dt.date, rows: list[BookRow]) -> MonthTotals:
    """The month's figures from its rows, and what its book took in (one query)."""
    collected = FeePayment.objects.filter(book__organization=org, book__month=month_start(month)).aggregate(
        s=Sum("amount"))["s"] or 0
    counts = {state: 0 for state in MonthState}
    for row in rows:
        counts[row.state] += 1
    return MonthTotals(due=sum(r.due.due for r in rows if r.due), paid=sum(r.paid for r in rows),
                       collected=collected, voluntary=sum(r.voluntary for r in rows), counts=counts)


def default_collector(org: Organization, day: dt.date) -> Member | None:
    """Who collects by default: the member whose post is "phụ trách thu đảng phí", else the
    secretary (posts held on ``day``)."""
    order = {PostRole.FEE_COLLECTOR: 0, PostRole.SECRETARY: 1}
    posts = Post.objects.held_on(day).filter(organization=org, role__in=list(order),
                                             member__organization=org).select_related("member")
    ranked = sorted(posts, key=lambda p: (order[p.role], -p.started_on.toordinal()))
    return ranked[0].member if ranked else None


@dataclass
class EntryLine:
    """An entry as the book shows it: the original amount and, beside it, each correction."""
    entry: FeePayment
    corrections: list[FeePayment]

    @property
    def current(self) -> int:
        return self.entry.amount + sum(c.amount for c in self.corrections)


def entry_lines(entries: Iterable[FeePayment]) -> list[EntryLine]:
    """Originals with their corrections beside them (a correction is never shown alone)."""
    entries = list(entries)
    lines = {e.pk: EntryLine(e, []) for e in entries if e.kind != PaymentKind.CORRECTION}
    for e in entries:
        if e.kind == PaymentKind.CORRECTION and e.corrects_id in lines:
            lines[e.corrects_id].corrections.append(e)
    return list(lines.values())


def payment(pk: int) -> FeePayment | None:
    return FeePayment.objects.filter(pk=pk).select_related("book__organization", "member").first()


def basis_history(member: Member) -> list[FeeBasis]:
    """Every basis of a member, latest first."""
    return list(FeeBasis.objects.filter(member=member).select_related("recorded_by").order_by("-starts_on"))


@dataclass
class MemberMonth(_MonthFigures):
    """One month of a member's own fee history."""
    month: dt.date
    due: FeeDue | None
    paid: int
    excused: bool
    lines: list[EntryLine]


def member_months(member: Member, last: dt.date, count: int) -> list[MemberMonth]:
    """A member's last ``count`` months up to ``last``, latest first: due (from the basis in force
    each month), paid, state, voluntary, entries with corrections. Two queries."""
    from dangvu.core.fees import add_months

    last = month_start(last)
    first = add_months(last, -(count - 1))
    bases = basis_history(member)
    entries = member_fee_history(member, first, last)
    out = []
    for i in range(count):
        month = add_months(last, -i)
        basis = next((b for b in bases if b.starts_on <= month), None)
        mine = [e for e in entries if e.month == month]
        out.append(MemberMonth(month, due_from(basis, month), sum(e.amount for e in mine),
                               any(e.kind == PaymentKind.EXCUSED for e in mine), entry_lines(mine)))
    return out


# -- remittances up the tree: the reads live in .flows; other apps import them here --
from .flows import (  # noqa: E402, F401
    late_remittance_alerts,
    remittance_page,
    remitted_on_time,
    subtree_flows,
)

# -- the fee report's rows ---------------------------------------------------------

def report_organizations(org: Organization, since: dt.date) -> list[Organization]:
    """The organizations directly under ``org`` that the fee report has a row for: not party
    groups (tổ đảng keep no book of their own), not dissolved before ``since``; in tree order."""
    return list(Organization.objects.get_children(org).exclude(kind=OrgKind.GROUP)
                .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=since)))
