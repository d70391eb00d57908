"""Fees reads up the tree (selectors): what each organization should send to the level above for a
month by the books and the shares (:mod:`dangvu.core.fee_shares`), what it sent and what the level
above confirmed; the remittance page's lines, the late-remittance alert and the on-time share.

A fixed number of queries whatever the size of the subtree: the subtree's organizations, its
ancestors, the books' month totals, the committees' shares and the remittances, each one query;
the flow itself is computed in Python from those rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Min, Sum

from dangvu.core.alerts import Alert
from dangvu.core.fee_shares import (
    Flow,
    FlowRole,
    Node,
    RemitState,
    cell_kept_percent,
    fee_flow,
    flow_role,
    grassroots_kept_percent,
    is_commune_grassroots,
    months_due_by,
    remit_deadline,
    remit_state,
)
from dangvu.core.fees import add_months, dong, month_start, months_between
from dangvu.core.partydoc import locality_unit
from dangvu.core.rulesets import RuleSet, ruleset_for
from dangvu.registry.models import Organization, subtree_q

from .models import FeePayment, FeeRemittance, FeeShare

GRASSROOTS_COMMITTEE = "grassroots_committee"


@dataclass(frozen=True)
class OrgRow:
    pk: int
    code: str
    name: str
    kind: str
    sector: str
    path: str
    depth: int


@dataclass
class SubtreeFlows:
    """The month-by-month flows of every organization of ``root``'s subtree."""
    root: Organization
    orgs: dict[int, OrgRow]
    parent: dict[int, int | None]        # within the subtree; the root's is None
    roles: dict[int, FlowRole]
    kept_percent: dict[tuple[int, dt.date], int]
    by_month: dict[dt.date, dict[int, Flow]]

    def flow(self, pk: int, month: dt.date) -> Flow:
        return self.by_month[month][pk]


def _org_rows(qs) -> list[OrgRow]:
    return [OrgRow(*r) for r in qs.values_list("pk", "code", "name", "kind", "sector", "path", "depth")]


def _shares(committee_ids: list[int], last: dt.date) -> dict[int, list[tuple[dt.date, int]]]:
    """Each committee's share decisions up to ``last``, newest first (one query)."""
    out: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for org_id, starts_on, kept in (FeeShare.objects.filter(organization_id__in=committee_ids, starts_on__lte=last)
                                    .order_by("organization_id", "-starts_on")
                                    .values_list("organization_id", "starts_on", "kept_percent")):
        out[org_id].append((starts_on, kept))
    return out


def share_in_force(committee: Organization, month: dt.date) -> int | None:
    """The share a committee's cells keep in ``month`` (None: not decided; the rule set's minimum)."""
    found = _shares([committee.pk], month_start(month)).get(committee.pk)
    return found[0][1] if found else None


def collected_by_org_month(root: Organization, months: list[dt.date]) -> dict[tuple[int, dt.date], int]:
    """What each cell of the subtree collected in each month's book (payments and corrections)."""
    rows = (FeePayment.objects.filter(book__organization__in=Organization.objects.subtree(root).values("pk"),
                                      book__month__in=months)
            .values_list("book__organization_id", "book__month").annotate(total=Sum("amount")).order_by())
    return {(org_id, month): total for org_id, month, total in rows}


def subtree_flows(root: Organization, months: list[dt.date],
                  collected: dict[tuple[int, dt.date], int] | None = None) -> SubtreeFlows:
    """Every organization's flow in each of ``months`` (five queries; four when ``collected``, the
    books' totals of :func:`collected_by_org_month`, is given)."""
    months = sorted({month_start(m) for m in months})
    ancestors = _org_rows(Organization.objects.get_ancestors(root)) if root.depth > 1 else []
    rows = _org_rows(Organization.objects.subtree(root))
    orgs = {r.pk: r for r in rows}
    by_path = {r.path: r.pk for r in rows}
    step = Organization.steplen
    parent = {r.pk: (by_path.get(r.path[:-step]) if r.pk != root.pk else None) for r in rows}
    # the nearest đảng bộ cơ sở at or above each organization (its cells' share), and the roles
    committee_of: dict[int, int | None] = {}
    above = next((a.pk for a in reversed(ancestors) if a.kind == GRASSROOTS_COMMITTEE), None)
    for r in rows:  # tree order: a parent comes before its children
        p = parent[r.pk]
        inherited = above if p is None else committee_of[p]
        committee_of[r.pk] = r.pk if r.kind == GRASSROOTS_COMMITTEE else inherited
    roles = {}
    for r in rows:
        p = parent[r.pk]
        inside = (above is not None) if p is None else committee_of[p] is not None
        roles[r.pk] = flow_role(r.kind, inside)
    committees = sorted({c for c in committee_of.values() if c is not None})
    shares = _shares(committees, months[-1]) if months else {}
    if collected is None:
        collected = collected_by_org_month(root, months) if months else {}
    kept_percent: dict[tuple[int, dt.date], int] = {}
    by_month: dict[dt.date, dict[int, Flow]] = {}
    for month in months:
        rs = ruleset_for(month)
        upper = rs["fees.kept_percent"]["upper_level"]
        nodes = []
        for r in rows:
            role = roles[r.pk]
            if role is FlowRole.CELL:
                share = next((k for s, k in shares.get(committee_of[r.pk], []) if s <= month), None)
                kept = cell_kept_percent(share, rs)
            elif role is FlowRole.GRASSROOTS:
                kept = grassroots_kept_percent(is_commune_grassroots(locality_unit(r.name), r.sector, rs), rs)
            elif role is FlowRole.UPPER:
                kept = upper
            else:
                kept = 0
            kept_percent[(r.pk, month)] = kept
            nodes.append(Node(r.pk, parent[r.pk], role, kept, collected.get((r.pk, month), 0), upper))
        by_month[month] = fee_flow(nodes)
    return SubtreeFlows(root, orgs, parent, roles, kept_percent, by_month)


# -- the remittance page -------------------------------------------------------------------------

@dataclass
class RemitLine:
    """One sender's remittances over the page's months: what it should have sent (by the books),
    what it recorded as sent, what the receiver confirmed, and how many due months were on time."""
    org: OrgRow
    expected: int = 0
    sent: int = 0
    confirmed: int = 0
    due: int = 0       # months something was due (on time or late)
    on_time: int = 0
    pending: int = 0   # months whose deadline has not passed and nothing was sent yet
    remittances: list[FeeRemittance] = field(default_factory=list)

    @property
    def difference(self) -> int:
        """What arrived minus what should have (negative: missing)."""
        return self.confirmed - self.expected

    @property
    def unconfirmed(self) -> list[FeeRemittance]:
        return [r for r in self.remittances if r.confirmed_on is None]

    @property
    def state(self) -> str:
        if self.due == 0:
            return "Chưa đến hạn" if self.pending else "Không phải nộp"
        if self.on_time == self.due:
            return "Đúng hạn"
        return f"Chậm {self.due - self.on_time}/{self.due} tháng" if self.due > 1 else "Chậm hạn"


@dataclass
class OwnLine(RemitLine):
    role: FlowRole = FlowRole.UPPER
    kept_percent: int = 0
    collected: int = 0     # its own books
    unit_total: int = 0    # everything collected in its organization (a grassroots organization)
    received: int = 0      # what the organizations under it should have sent
    kept: int = 0
    has_parent: bool = False


@dataclass
class RemitPage:
    own: OwnLine
    lines: list[RemitLine]
    months: list[dt.date]
    deadline: dt.date | None  # the month's deadline (one month shown)
    share: int | None         # a committee's share for its cells in force in the (last) month
    share_default: int

    @property
    def totals(self) -> RemitLine:
        t = RemitLine(self.own.org)
        for line in self.lines:
            t.expected += line.expected
            t.sent += line.sent
            t.confirmed += line.confirmed
            t.due += line.due
            t.on_time += line.on_time
        return t


def _remittances(sender_ids: list[int], months: list[dt.date]) -> dict[int, list[FeeRemittance]]:
    out: dict[int, list[FeeRemittance]] = defaultdict(list)
    for r in (FeeRemittance.objects.filter(sender_id__in=sender_ids, month__in=months)
              .select_related("confirmed_by").order_by("month", "sent_on", "pk")):
        out[r.sender_id].append(r)
    return out


def _fill(line: RemitLine, flows: SubtreeFlows, months: list[dt.date], remits: list[FeeRemittance],
          today: dt.date) -> None:
    line.remittances = remits
    for month in months:
        flow = flows.flow(line.org.pk, month)
        line.expected += flow.sent
        of_month = [r for r in remits if r.month == month]
        line.sent += sum(r.amount for r in of_month)
        line.confirmed += sum(r.confirmed_amount or 0 for r in of_month)
        first = min((r.sent_on for r in of_month), default=None)
        state = remit_state(flow.sent, first, month, today, ruleset_for(month))
        line.due += state in (RemitState.ON_TIME, RemitState.LATE)
        line.on_time += state is RemitState.ON_TIME
        line.pending += state is RemitState.PENDING


def remittance_page(org: Organization, months: list[dt.date], today: dt.date) -> RemitPage:
    """The page of ``org`` over ``months``: a line per organization directly under it, and its own
    line (what it collected, received, kept and should send up). Seven queries or so."""
    months = sorted({month_start(m) for m in months})
    flows = subtree_flows(org, months)
    children = [r for pk, r in flows.orgs.items() if flows.parent[pk] == org.pk]
    children.sort(key=lambda r: r.path)
    remits = _remittances([org.pk, *(c.pk for c in children)], months)
    lines = []
    for child in children:
        line = RemitLine(child)
        _fill(line, flows, months, remits.get(child.pk, []), today)
        lines.append(line)
    me = flows.orgs[org.pk]
    own = OwnLine(me, role=flows.roles[org.pk], kept_percent=flows.kept_percent[(org.pk, months[-1])],
                  has_parent=org.depth > 1)
    _fill(own, flows, months, remits.get(org.pk, []), today)
    for month in months:
        f = flows.flow(org.pk, month)
        own.collected += f.collected
        own.unit_total += f.unit_total
        own.received += f.received
        own.kept += f.kept
    share = share_in_force(org, months[-1]) if org.kind == GRASSROOTS_COMMITTEE else None
    return RemitPage(own, lines, months, remit_deadline(months[0], ruleset_for(months[0])) if len(months) == 1
                     else None, share, ruleset_for(months[-1])["fees.kept_percent"]["cell_in_committee_min"])


def received_remittance(receiver: Organization, pk: int) -> FeeRemittance | None:
    """A remittance sent to ``receiver`` (the page's organization), else None."""
    return FeeRemittance.objects.filter(pk=pk, receiver=receiver).select_related("sender", "receiver").first()


# -- late remittances (alert) and the on-time share (indicator) -----------------------------------

def _sender_states(root: Organization, months: list[dt.date], today: dt.date, *, books_only: bool = False
                   ) -> list[tuple[OrgRow, dt.date, int, dt.date | None, RemitState]]:
    """(sender, month, expected, first sent on, state) for every organization of the subtree that
    has a level above it, for each month: five queries for the flows, one for the first dates.
    ``books_only``: nothing at all when the subtree has no book in those months (one query)."""
    if not months:
        return []
    collected = collected_by_org_month(root, months)
    if books_only and not collected:
        return []
    flows = subtree_flows(root, months, collected)
    first: dict[tuple[int, dt.date], dt.date] = {
        (s, m): d for s, m, d in FeeRemittance.objects.filter(subtree_q(root, via="sender__"), month__in=months)
        .values_list("sender_id", "month").annotate(first=Min("sent_on")).order_by()}
    out = []
    rulesets = {month: ruleset_for(month) for month in flows.by_month}  # looked up once a month, not per sender
    for pk, org in flows.orgs.items():
        if org.depth <= 1:  # the top of the whole tree sends outside the system
            continue
        for month in flows.by_month:
            expected, sent_on = flows.flow(pk, month).sent, first.get((pk, month))
            out.append((org, month, expected, sent_on, remit_state(expected, sent_on, month, today, rulesets[month])))
    return out


def late_remittance_alerts(org: Organization, today: dt.date, rs: RuleSet) -> list[Alert]:
    """«Chưa nộp đảng phí lên cấp trên»: an organization of the subtree that has sent nothing for a
    month whose deadline has passed though its books make something due, for the last
    ``fees.remit_alert_months`` months. Gone as soon as a remittance of that month is recorded."""
    months = months_due_by(today, rs["fees.remit_alert_months"], ruleset_for)
    out = []
    for sender, month, expected, sent_on, state in _sender_states(org, months, today, books_only=True):
        if state is RemitState.LATE and sent_on is None:
            deadline = remit_deadline(month, ruleset_for(month))
            out.append(Alert("fees_remittance_late", sender.code, sender.name,
                             f"Chưa nộp đảng phí tháng {month:%m/%Y} lên cấp trên: phải nộp {dong(expected)} đồng, "
                             f"hạn {deadline:%d/%m/%Y}.", "passed", deadline, org_path=sender.path))
    return out


def remitted_on_time(org: Organization, start: dt.date, as_of: dt.date) -> tuple[int, int]:
    """(on time, due) over the subtree: the remittances of (organization, month) whose deadline
    falls between ``start`` and ``as_of`` and that were due (something to send, or something sent);
    on time when first sent by the deadline."""
    candidates = months_between(add_months(month_start(start), -2), month_start(as_of))
    months = [m for m in candidates if start <= remit_deadline(m, ruleset_for(m)) <= as_of]
    on, due = 0, 0
    for *_row, state in _sender_states(org, months, as_of + dt.timedelta(days=1)):
        if state in (RemitState.ON_TIME, RemitState.LATE):
            due += 1
            on += state is RemitState.ON_TIME
    return on, due
