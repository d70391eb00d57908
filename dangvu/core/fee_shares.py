"""Party fees up the tree: what each level keeps and sends up (Quyết định 342-QĐ/TW, 28/12/2010).

The rule (RULES.md): a cell under a đảng bộ cơ sở keeps 30–50% of what it collects (its committee
sets the share); a commune/ward grassroots organization keeps 90%, any other grassroots organization
70%; each level above the grassroots keeps 50% of what it receives. The flow this module fixes:

- a **cell** of a đảng bộ cơ sở (``cell``, also under a đảng bộ bộ phận) sends ``100 − share`` % of
  its month's collection to the organization above it;
- a **pass-through** level (đảng bộ bộ phận, tổ đảng) keeps nothing and sends on what it receives
  (the regulation gives it no share of its own: unconfirmed);
- a **grassroots organization** (chi bộ cơ sở, đảng bộ cơ sở; a ``cell`` with no đảng bộ cơ sở
  above it counts as one) keeps in total 90% / 70% of *everything collected in its organization*
  (its cells' collections included, what they kept counted in), so it sends up ``100 − 90`` /
  ``100 − 70`` % of that total — never more than it has (its own collection plus what its cells
  send). A đảng bộ xã is also the level above the grassroots organizations inside it (since 2025):
  of what those send it, it keeps the upper level's 50% and sends on the rest;
- an **upper level** (cấp trên cơ sở, tỉnh) sends ``100 − 50`` % of what it receives.

"What it receives" is what it *should* receive by the books below it (the rule applied to every
book of the subtree), so a late child does not change what its parent is expected to send: the
pages show what actually arrived beside it.

Money is integer đồng. Rounding: what is sent is rounded down to the đồng, the remainder stays at
the lower level, so kept at every level plus what the top sends up equals what was collected,
exactly. Pure Python, no Django.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from dangvu.core.fees import add_months, month_start
from dangvu.core.rulesets import RuleSet

SOURCE = "Quyết định 342-QĐ/TW, 28/12/2010"


class FlowRole(StrEnum):
    CELL = "cell"              # chi bộ trực thuộc đảng bộ cơ sở: keeps the committee's share
    PASS = "pass"              # đảng bộ bộ phận, tổ đảng: sends on what it receives
    GRASSROOTS = "grassroots"  # chi bộ cơ sở, đảng bộ cơ sở: keeps 90% (xã, phường) or 70% in total
    UPPER = "upper"            # cấp trên trực tiếp cơ sở, tỉnh: keeps 50% of what it receives


GRASSROOTS_KINDS = frozenset({"grassroots_committee", "grassroots_cell"})
PASS_KINDS = frozenset({"sub_committee", "group"})
UPPER_KINDS = frozenset({"upper", "province"})


def flow_role(kind: str, in_grassroots_committee: bool) -> FlowRole:
    """An organization's place in the flow from its kind (``registry.models.OrgKind`` values) and
    whether a đảng bộ cơ sở lies above it. Quyết định 342-QĐ/TW."""
    if kind in UPPER_KINDS:
        return FlowRole.UPPER
    if kind in GRASSROOTS_KINDS:
        return FlowRole.GRASSROOTS
    if kind == "cell":
        return FlowRole.CELL if in_grassroots_committee else FlowRole.GRASSROOTS
    return FlowRole.PASS if in_grassroots_committee else FlowRole.UPPER


def is_commune_grassroots(unit_word: str, sector: str, rs: RuleSet) -> bool:
    """A commune/ward grassroots organization (keeps ``commune_grassroots`` %): named after a unit of
    the rule set's ``fees.commune_units`` ("Đảng bộ xã …", ``core.partydoc.locality_unit``), or
    of the residential sector (thôn, tổ dân phố). Quyết định 342-QĐ/TW."""
    return unit_word in rs["fees.commune_units"] or sector == "residential"


def grassroots_kept_percent(is_commune: bool, rs: RuleSet) -> int:
    kept = rs["fees.kept_percent"]
    return kept["commune_grassroots"] if is_commune else kept["other_grassroots"]


def cell_kept_percent(share: int | None, rs: RuleSet) -> int:
    """The share a cell keeps: its committee's decision (``FeeShare``), else the rule set's minimum
    (the committee has not decided: the cell keeps the least, the rest goes up)."""
    return share if share is not None else rs["fees.kept_percent"]["cell_in_committee_min"]


def sent_up(amount: int, kept_percent: int) -> int:
    """What leaves a level that keeps ``kept_percent`` % of ``amount`` đồng: rounded down, so the
    fraction of a đồng stays at the lower level. Integers only."""
    if amount <= 0:
        return 0
    return amount * (100 - kept_percent) // 100


@dataclass(frozen=True)
class Node:
    """One organization in a month's flow. ``kept_percent``: the cell's share, the grassroots
    organization's 90/70, the upper level's 50 (ignored for PASS). ``upper_percent``: what a
    grassroots organization keeps of what grassroots organizations under it send."""
    key: Hashable
    parent: Hashable | None
    role: FlowRole
    kept_percent: int
    collected: int = 0
    upper_percent: int = 50


@dataclass(frozen=True)
class Flow:
    collected: int   # its own books
    unit_total: int  # a grassroots organization: everything collected in it; others: ``collected``
    received: int    # what the organizations directly under it should send it
    sent: int        # what it should send to the level above
    kept: int        # collected + received − sent


def fee_flow(nodes: Iterable[Node]) -> dict[Hashable, Flow]:
    """Every node's flow for one month, children before parents. A node whose parent is not among
    the nodes is a top: what it sends leaves the tree. Quyết định 342-QĐ/TW (see the module)."""
    nodes = {n.key: n for n in nodes}
    children: dict[Hashable, list[Hashable]] = defaultdict(list)
    for n in nodes.values():
        if n.parent in nodes:
            children[n.parent].append(n.key)
    order: list[Hashable] = []
    seen: set[Hashable] = set()
    for top in (k for k, n in nodes.items() if n.parent not in nodes):
        stack = [(top, False)]
        while stack:  # iterative post-order: deep trees must not hit the recursion limit
            key, done = stack.pop()
            if done:
                order.append(key)
                continue
            if key in seen:
                continue
            seen.add(key)
            stack.append((key, True))
            stack.extend((c, False) for c in children[key])
    flows: dict[Hashable, Flow] = {}
    # collections that count towards the nearest grassroots organization above (its "unit")
    unit_part: dict[Hashable, int] = {}
    for key in order:
        n = nodes[key]
        kids = [nodes[c] for c in children[key]]
        received = sum(flows[c.key].sent for c in kids)
        in_unit = n.collected + sum(unit_part[c.key] for c in kids if c.role in (FlowRole.CELL, FlowRole.PASS))
        unit_total = n.collected
        if n.role is FlowRole.CELL:
            sent = sent_up(n.collected + received, n.kept_percent)
        elif n.role is FlowRole.PASS:
            sent = n.collected + received
        elif n.role is FlowRole.GRASSROOTS:
            unit_total = in_unit
            from_unit = n.collected + sum(flows[c.key].sent for c in kids
                                          if c.role in (FlowRole.CELL, FlowRole.PASS))
            from_below = received + n.collected - from_unit  # grassroots organizations under it
            sent = min(sent_up(unit_total, n.kept_percent), from_unit) + sent_up(from_below, n.upper_percent)
        else:
            sent = sent_up(n.collected + received, n.kept_percent)
        unit_part[key] = in_unit if n.role in (FlowRole.CELL, FlowRole.PASS) else 0
        flows[key] = Flow(n.collected, unit_total, received, sent, n.collected + received - sent)
    return flows


# -- the deadline of a month's remittance -----------------------------------------------------

def remit_deadline(month: dt.date, rs: RuleSet) -> dt.date:
    """The last day to send ``month``'s fees up: day ``fees.remit_by_day`` of the following month
    (the month's last day when shorter). The day is the project's default, unconfirmed: Quyết định
    342-QĐ/TW says monthly without a day; a province sets its own."""
    nxt = add_months(month_start(month), 1)
    return nxt.replace(day=min(rs["fees.remit_by_day"], calendar.monthrange(nxt.year, nxt.month)[1]))


def on_time(first_sent_on: dt.date | None, month: dt.date, rs: RuleSet) -> bool:
    """Whether a month's remittance was sent by its deadline (nothing sent: not on time)."""
    return first_sent_on is not None and first_sent_on <= remit_deadline(month, rs)


def months_due_by(today: dt.date, window: int, rs_for) -> list[dt.date]:
    """The last ``window`` months whose deadline is before ``today`` (late from the day after it),
    newest first; ``rs_for(month)`` gives the rule set of a month."""
    out: list[dt.date] = []
    month = month_start(today)
    for _ in range(window + 2):
        month = add_months(month, -1)
        if remit_deadline(month, rs_for(month)) < today:
            out.append(month)
        if len(out) == window:
            break
    return out


class RemitState(StrEnum):
    ON_TIME = "on_time"  # sent by the deadline
    LATE = "late"        # nothing sent by the deadline (sent later, or not yet)
    PENDING = "pending"  # nothing sent yet, the deadline not passed
    NONE = "none"        # nothing was due (no collection) and nothing sent


REMIT_STATE_LABELS = {
    RemitState.ON_TIME: "Đúng hạn",
    RemitState.LATE: "Chậm",
    RemitState.PENDING: "Chưa đến hạn",
    RemitState.NONE: "Không phải nộp",
}


def remit_state(expected: int, first_sent_on: dt.date | None, month: dt.date, today: dt.date,
                rs: RuleSet) -> RemitState:
    """Where one organization's remittance of one month stands on ``today``: a month counts as due
    when something was to be sent (``expected`` > 0) or was sent; on time when first sent by the
    deadline (:func:`remit_deadline`)."""
    deadline = remit_deadline(month, rs)
    if first_sent_on is not None and first_sent_on <= deadline:
        return RemitState.ON_TIME
    if expected <= 0 and first_sent_on is None:
        return RemitState.NONE
    return RemitState.LATE if deadline < today else RemitState.PENDING
