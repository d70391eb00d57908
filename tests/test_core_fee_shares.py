"""Fees up the tree (Quyết định 342-QĐ/TW): shares, rounding, the deadline, and the property that
every đồng collected is kept somewhere or sent up from the top."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from dangvu.core.fee_shares import (
    FlowRole,
    Node,
    fee_flow,
    flow_role,
    grassroots_kept_percent,
    is_commune_grassroots,
    months_due_by,
    on_time,
    remit_deadline,
    sent_up,
)
from dangvu.core.partydoc import locality_unit
from dangvu.core.rulesets import ruleset_for

RS = ruleset_for(dt.date(2026, 3, 1))


def test_sent_up_rounds_down_and_the_remainder_stays_below() -> None:
    assert sent_up(100_001, 30) == 70_000   # 70,000.7 → 70,000; the cell keeps 30,001
    assert sent_up(99_999, 90) == 9_999     # 9,999.9 → 9,999
    assert sent_up(0, 50) == 0
    assert sent_up(1, 50) == 0


def test_roles_from_kind_and_place() -> None:
    assert flow_role("cell", True) is FlowRole.CELL
    assert flow_role("cell", False) is FlowRole.GRASSROOTS  # a cell with no đảng bộ cơ sở above
    assert flow_role("grassroots_cell", False) is FlowRole.GRASSROOTS
    assert flow_role("grassroots_committee", False) is FlowRole.GRASSROOTS
    assert flow_role("sub_committee", True) is FlowRole.PASS
    assert flow_role("province", False) is FlowRole.UPPER


def test_commune_grassroots_by_name_or_sector() -> None:
    assert locality_unit("Đảng bộ xã Hòa Bình") == "xã"
    assert locality_unit("Đảng bộ Phường 5") == "phường"
    assert locality_unit("Đảng bộ Bệnh viện tỉnh") == ""
    assert is_commune_grassroots("xã", "", RS)
    assert is_commune_grassroots("thị trấn", "", RS)
    assert is_commune_grassroots("", "residential", RS)
    assert not is_commune_grassroots("", "agency", RS)
    assert not is_commune_grassroots("huyện", "", RS)
    assert grassroots_kept_percent(True, RS) == 90
    assert grassroots_kept_percent(False, RS) == 70


def test_a_commune_with_two_cells_and_a_school_grassroots_cell_under_a_province() -> None:
    """Cells keep 40% (the committee's share); the commune keeps 90% of its own cells' total and
    50% of what the school's grassroots cell sends (30% of its 200,000); the province keeps 50%."""
    nodes = [
        Node("P", None, FlowRole.UPPER, 50),
        Node("X", "P", FlowRole.GRASSROOTS, 90),
        Node("A", "X", FlowRole.CELL, 40, collected=300_000),
        Node("B", "X", FlowRole.CELL, 40, collected=100_005),
        Node("S", "X", FlowRole.GRASSROOTS, 70, collected=200_000),
    ]
    f = fee_flow(nodes)
    assert (f["A"].sent, f["A"].kept) == (180_000, 120_000)
    assert (f["B"].sent, f["B"].kept) == (60_003, 40_002)    # 60,003 sent, 0.0 lost
    assert (f["S"].sent, f["S"].kept) == (60_000, 140_000)
    assert f["X"].unit_total == 400_005
    assert f["X"].received == 300_003
    # 10% of 400,005 = 40,000 (rounded down) + 50% of the school's 60,000 = 30,000
    assert f["X"].sent == 70_000
    assert f["X"].kept == 230_003
    assert (f["P"].received, f["P"].sent, f["P"].kept) == (70_000, 35_000, 35_000)
    assert sum(x.kept for x in f.values()) + f["P"].sent == 600_005


def test_an_agency_committee_keeps_70_percent_in_total_through_a_sub_committee() -> None:
    nodes = [
        Node("G", None, FlowRole.GRASSROOTS, 70),
        Node("D", "G", FlowRole.PASS, 0),
        Node("C", "D", FlowRole.CELL, 30, collected=1_000_000),
    ]
    f = fee_flow(nodes)
    assert f["C"].sent == 700_000
    assert (f["D"].received, f["D"].sent, f["D"].kept) == (700_000, 700_000, 0)
    assert f["G"].unit_total == 1_000_000
    assert (f["G"].sent, f["G"].kept) == (300_000, 400_000)  # 70% kept in total: 30% by the cell, 40% here


def test_a_committee_never_sends_more_than_its_cells_sent_it() -> None:
    """Tiny books: each cell's 70% of 1 đồng rounds to 0, the committee's 10% of 10 would be 1."""
    nodes = [Node("X", None, FlowRole.GRASSROOTS, 90)] + [
        Node(i, "X", FlowRole.CELL, 30, collected=1) for i in range(10)]
    f = fee_flow(nodes)
    assert f["X"].received == 0 and f["X"].sent == 0 and f["X"].kept == 0


def test_deadline_and_on_time() -> None:
    assert remit_deadline(dt.date(2026, 5, 1), RS) == dt.date(2026, 6, 10)
    assert remit_deadline(dt.date(2026, 12, 1), RS) == dt.date(2027, 1, 10)
    short = RS.with_overrides({"fees.remit_by_day": 31}, "thử")
    assert remit_deadline(dt.date(2026, 1, 1), short) == dt.date(2026, 2, 28)
    assert on_time(dt.date(2026, 6, 10), dt.date(2026, 5, 1), RS)
    assert not on_time(dt.date(2026, 6, 11), dt.date(2026, 5, 1), RS)
    assert not on_time(None, dt.date(2026, 5, 1), RS)


def test_months_due_by_start_the_day_after_the_deadline() -> None:
    rs_for = lambda _m: RS  # noqa: E731
    assert months_due_by(dt.date(2026, 6, 10), 2, rs_for) == [dt.date(2026, 4, 1), dt.date(2026, 3, 1)]
    assert months_due_by(dt.date(2026, 6, 11), 2, rs_for) == [dt.date(2026, 5, 1), dt.date(2026, 4, 1)]


# -- the property: random trees and books ------------------------------------------------------

KINDS = ("province", "upper", "grassroots_committee", "grassroots_cell", "sub_committee", "cell", "group")


@st.composite
def trees(draw) -> list[Node]:
    n = draw(st.integers(1, 30))
    nodes: list[Node] = []
    in_committee: dict[int, bool] = {}
    for i in range(n):
        parent = draw(st.integers(0, i - 1)) if i and draw(st.integers(0, 9)) else None
        kind = draw(st.sampled_from(KINDS))
        inside = parent is not None and (in_committee[parent] or nodes[parent].role is FlowRole.GRASSROOTS
                                         and draw(st.booleans()))
        role = flow_role(kind, inside)
        in_committee[i] = inside or kind == "grassroots_committee"
        kept = {FlowRole.CELL: draw(st.integers(30, 50)), FlowRole.GRASSROOTS: draw(st.sampled_from((70, 90))),
                FlowRole.UPPER: 50, FlowRole.PASS: 0}[role]
        nodes.append(Node(i, parent, role, kept, collected=draw(st.integers(0, 5_000_000))))
    return nodes


@given(trees())
def test_every_dong_collected_is_kept_somewhere_or_sent_from_the_top(nodes) -> None:
    flows = fee_flow(nodes)
    tops = [n.key for n in nodes if n.parent is None]
    collected = sum(n.collected for n in nodes)
    assert sum(f.kept for f in flows.values()) + sum(flows[t].sent for t in tops) == collected
    for n in nodes:
        f = flows[n.key]
        for amount in (f.sent, f.kept, f.received, f.unit_total):
            assert isinstance(amount, int) and amount >= 0
        # totals up the tree equal the sum of the books: what a node receives is what its children send
        assert f.received == sum(flows[c.key].sent for c in nodes if c.parent == n.key)
        assert f.collected + f.received == f.kept + f.sent


@given(trees())
def test_a_grassroots_organization_keeps_at_least_its_share_of_its_unit(nodes) -> None:
    """What a grassroots organization sends up for its own organization is at most 100 − 90/70 % of
    everything collected in it (rounded down): its level and its cells together keep the rest."""
    flows = fee_flow(nodes)
    for n in nodes:
        if n.role is FlowRole.GRASSROOTS:
            from_grassroots_below = sum(flows[c.key].sent for c in nodes
                                        if c.parent == n.key and c.role in (FlowRole.GRASSROOTS, FlowRole.UPPER))
            assert flows[n.key].sent - sent_up(from_grassroots_below, 50) <= sent_up(flows[n.key].unit_total,
                                                                                     n.kept_percent)
