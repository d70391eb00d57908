"""Issue 15, point 2 (services): the cell's monthly book — "all paid as due" plus exceptions,
paid ahead, excused with a reason, voluntary extra, corrections as new entries; point 3 (services):
remittance recorded by the sender and confirmed by the receiver."""

from __future__ import annotations

import datetime as dt

import pytest

from dangvu.common import Code, ServiceError
from dangvu.core import clock
from dangvu.core.fees import MonthState
from dangvu.fees import selectors as sel
from dangvu.fees import services as s
from dangvu.fees.models import FeePayment, PaymentKind

D = dt.date
NOV = D(2026, 11, 1)


@pytest.fixture
def cell(tree, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: D(2026, 11, 20))
    an, cuong = tree.members["an"], tree.members["cuong"]
    s.set_basis(None, an, category="salaried", base=7_350_000, starts_on=D(2026, 1, 1))     # 73.500 đ
    s.set_basis(None, cuong, category="pensioner", base=5_001_000, starts_on=D(2026, 1, 1))  # 25.005 đ
    return tree


def _state(tree, month, key):
    return next(r for r in sel.book_rows(tree.orgs["C1A"], month) if r.member == tree.members[key])


def test_all_paid_as_due_in_one_step_with_an_exception(cell) -> None:
    sec = cell.users["secretary"]
    s.record_book(sec, cell.orgs["C1A"], NOV, all_paid=True,
                  lines={cell.members["cuong"].pk: s.BookLine(s.LineKind.PARTIAL, amount=10_000)},
                  collected_by=cell.members["an"], collected_on=D(2026, 11, 15))
    an, cuong = _state(cell, NOV, "an"), _state(cell, NOV, "cuong")
    assert (an.paid, an.state, an.due.due) == (73_500, MonthState.PAID, 73_500)
    assert (cuong.paid, cuong.state, cuong.due.due) == (10_000, MonthState.PARTIAL, 25_005)
    # A second "all paid" (another phone) adds nothing for members who already have a line.
    s.record_book(sec, cell.orgs["C1A"], NOV, all_paid=True)
    assert FeePayment.objects.filter(month=NOV).count() == 2


def test_ahead_excused_voluntary_and_a_correction_kept_beside_the_original(cell) -> None:
    sec, an, cuong = cell.users["secretary"], cell.members["an"], cell.members["cuong"]
    s.record_book(sec, cell.orgs["C1A"], D(2026, 10, 1), lines={
        an.pk: s.BookLine(s.LineKind.AHEAD, months=3),
        cuong.pk: s.BookLine(s.LineKind.EXCUSED, reason="Ốm nằm viện")})
    assert sorted(FeePayment.objects.filter(member=an).values_list("month", "amount")) == [
        (D(2026, 10, 1), 73_500), (D(2026, 11, 1), 73_500), (D(2026, 12, 1), 73_500)]
    assert _state(cell, D(2026, 10, 1), "cuong").state == MonthState.EXCUSED
    assert _state(cell, NOV, "an").state == MonthState.PAID  # covered by October's payment ahead
    s.record_book(sec, cell.orgs["C1A"], NOV, lines={cuong.pk: s.BookLine(s.LineKind.PAID, amount=50_000)})
    row = _state(cell, NOV, "cuong")
    assert (row.paid, row.voluntary) == (50_000, 24_995)
    original = FeePayment.objects.get(member=cuong, month=NOV)
    fix = s.correct_payment(sec, original, amount=25_005, reason="Ghi nhầm số tiền")
    assert (fix.kind, fix.amount, fix.corrects_id) == (PaymentKind.CORRECTION, -24_995, original.pk)
    assert FeePayment.objects.get(pk=original.pk).amount == 50_000  # never edited
    assert _state(cell, NOV, "cuong").paid == 25_005
    with pytest.raises(ServiceError) as same:
        s.correct_payment(sec, original, amount=25_005, reason="Lần nữa")
    assert same.value.code == Code.INVALID


def test_refusals_write_nothing(cell) -> None:
    sec, an = cell.users["secretary"], cell.members["an"]
    bad = [
        ({an.pk: s.BookLine(s.LineKind.EXCUSED)}, Code.REQUIRED),
        ({an.pk: s.BookLine(s.LineKind.PARTIAL, amount=80_000)}, Code.OUT_OF_RANGE),
        ({an.pk: s.BookLine(s.LineKind.PAID, amount=1_000)}, Code.OUT_OF_RANGE),
        ({an.pk: s.BookLine(s.LineKind.AHEAD, months=40)}, Code.OUT_OF_RANGE),
        ({cell.members["binh"].pk: s.BookLine(s.LineKind.PAID, amount=1)}, Code.OUT_OF_SUBTREE),
    ]
    for lines, code in bad:
        with pytest.raises(ServiceError) as err:
            s.record_book(sec, cell.orgs["C1A"], NOV, all_paid=True, lines=lines)
        assert err.value.code == code
    with pytest.raises(ServiceError) as future:
        s.record_book(sec, cell.orgs["C1A"], D(2027, 1, 1), all_paid=True)
    assert future.value.code == Code.FUTURE_DATE
    with pytest.raises(ServiceError) as other:
        s.record_book(sec, cell.orgs["C2A"], NOV, all_paid=True)
    assert other.value.code == Code.FORBIDDEN
    assert not FeePayment.objects.exists()


def test_basis_is_checked_against_the_rule_set(cell) -> None:
    with pytest.raises(ServiceError) as err:
        s.set_basis(None, cell.members["an"], category="other", base=50_000, starts_on=NOV)
    assert "30.000" in err.value.message
    s.set_basis(None, cell.members["an"], category="other", base=20_000, starts_on=NOV, past_working_age=True)
    assert sel.due_for(cell.members["an"], NOV).due == 10_000
    assert sel.due_for(cell.members["an"], D(2026, 10, 1)).due == 73_500  # the earlier basis still holds


def test_remittance_sent_and_confirmed_with_a_difference(cell) -> None:
    rem = s.record_remittance(cell.users["secretary"], cell.orgs["C1A"], NOV, amount=60_000, sent_on=D(2026, 11, 18))
    assert rem.receiver == cell.orgs["C1"]
    with pytest.raises(ServiceError) as err:
        s.confirm_remittance(cell.users["secretary"], rem, amount=60_000, confirmed_on=D(2026, 11, 19))
    assert err.value.code == Code.FORBIDDEN
    s.confirm_remittance(cell.users["office"], rem, amount=55_000, confirmed_on=D(2026, 11, 19))
    rem.refresh_from_db()
    assert (rem.amount - rem.confirmed_amount, rem.confirmed_by) == (5_000, cell.users["office"])
    with pytest.raises(ServiceError) as twice:
        s.confirm_remittance(cell.users["office"], rem, amount=60_000, confirmed_on=D(2026, 11, 20))
    assert twice.value.code == Code.STATE
