"""Issue 15, point 5: the fees indicators (paid in full, due, collected, voluntary, remitted up,
kept) with exact values, and the quarterly/yearly report "thu, nộp đảng phí" (.xlsx, .docx, CLI,
download on the organization page)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from conftest import logged_in
from django.urls import reverse
from openpyxl import load_workbook

from dangvu import indicators
from dangvu.cli import main
from dangvu.core import clock
from dangvu.fees import services as s
from dangvu.fees.models import FeePayment
from dangvu.indicators import Period

pytestmark = pytest.mark.django_db
D = dt.date
Q3 = Period.quarter(2026, 3)


@pytest.fixture
def fees(tree, monkeypatch):
    """Third quarter of 2026. C1A: An 73.500 đ a month, Cường 25.005 đ; C2A: Bình 20.000 đ.
    July: all paid. August: An 100.000 (26.500 voluntary), Cường 10.000 of 25.005. September: An
    pays September–November ahead, Cường excused. Bình pays every month; August was written as
    200.000 and corrected to 20.000. C1A sent C1 49.000 for July (48.000 confirmed) and 55.000 for
    August (not confirmed yet). Dung (C1B) has no basis."""
    monkeypatch.setattr(clock, "today", lambda: D(2026, 11, 20))
    m, o = tree.members, tree.orgs
    s.set_basis(None, m["an"], category="salaried", base=7_350_000, starts_on=D(2025, 1, 1))
    s.set_basis(None, m["cuong"], category="pensioner", base=5_001_000, starts_on=D(2025, 1, 1))
    s.set_basis(None, m["binh"], category="other", base=20_000, starts_on=D(2026, 1, 1))
    line = s.BookLine
    s.record_book(None, o["C1A"], D(2026, 7, 1), all_paid=True)
    s.record_book(None, o["C1A"], D(2026, 8, 1), lines={m["an"].pk: line(s.LineKind.PAID, amount=100_000),
                                                        m["cuong"].pk: line(s.LineKind.PARTIAL, amount=10_000)})
    s.record_book(None, o["C1A"], D(2026, 9, 1), lines={m["an"].pk: line(s.LineKind.AHEAD, months=3),
                                                        m["cuong"].pk: line(s.LineKind.EXCUSED, reason="Ốm")})
    for month in (7, 9):
        s.record_book(None, o["C2A"], D(2026, month, 1), all_paid=True)
    s.record_book(None, o["C2A"], D(2026, 8, 1), lines={m["binh"].pk: line(s.LineKind.PAID, amount=200_000)})
    s.correct_payment(None, FeePayment.objects.get(member=m["binh"], month=D(2026, 8, 1)), amount=20_000,
                      reason="Ghi nhầm số tiền")
    july = s.record_remittance(None, o["C1A"], D(2026, 7, 1), amount=49_000, sent_on=D(2026, 8, 5))
    s.confirm_remittance(None, july, amount=48_000, confirmed_on=D(2026, 8, 6))
    s.record_remittance(None, o["C1A"], D(2026, 8, 1), amount=55_000, sent_on=D(2026, 9, 10))
    return tree


def value(key: str, org, period: Period = Q3):
    return indicators.compute(key, org, period)


def test_fee_indicators_exact_values(fees) -> None:
    p, c1, c1a, c2 = (fees.orgs[k] for k in ("P", "C1", "C1A", "C2"))
    share = value("fees.paid_in_full_share", p)
    assert (share.numerator, share.denominator, share.value) == (2, 3, 66.67)  # Cường paid part of August
    assert value("fees.paid_in_full_share", c2).value == 100.0
    due = value("fees.due_amount", p)
    assert (due.value, due.breakdown) == (3 * 73_500 + 3 * 25_005 + 3 * 20_000, {"excused": 25_005})
    assert value("fees.voluntary_amount", p).value == 26_500
    collected = value("fees.collected_amount", p)
    assert collected.value == 73_500 + 25_005 + 100_000 + 10_000 + 3 * 73_500 + 20_000 + 200_000 - 180_000 + 20_000
    assert collected.breakdown == {"payments": 669_005, "corrections": -180_000, "members": 3}
    assert value("fees.collected_amount", c1).value == 429_005
    sent = value("fees.remitted_up_amount", c1a)
    assert (sent.value, sent.breakdown) == (104_000, {"confirmed": 48_000, "unconfirmed": 1})
    assert value("fees.kept_amount", c1a).value == 429_005 - 104_000
    assert value("fees.remitted_up_amount", c1).value == 0  # C1A sent to C1: inside C1, not sent up by it
    # Q4 read on 20/11: October and November. An is paid ahead; Cường and Bình paid nothing.
    q4 = value("fees.paid_in_full_share", p, Period.quarter(2026, 4))
    assert (q4.numerator, q4.denominator) == (1, 3)
    assert value("fees.collected_amount", p, Period.quarter(2026, 4)).value == 0
    # A quarter not begun has nothing.
    assert value("fees.paid_in_full_share", p, Period.quarter(2027, 1)).value is None


def test_indicators_command_shows_the_fee_indicators(fees, capsys) -> None:
    assert main(["indicators", "--org", "C1", "--year", "2026", "--quarter", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["fees.collected_amount"]["value"] == 429_005
    assert data["fees.collected_amount"]["unit"] == "đồng"
    assert (data["fees.paid_in_full_share"]["numerator"], data["fees.paid_in_full_share"]["denominator"]) == (1, 2)
    assert main(["indicators", "--org", "C1", "--year", "2026", "--quarter", "3"]) == 0
    assert "429.005 đ" in capsys.readouterr().out
