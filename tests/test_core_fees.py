"""Party fees owed each month (Quyết định 342-QĐ/TW): the core rule and ``dangvu fees due``."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangvu.cli import main
from dangvu.core.fees import FeeError, monthly_due, round_dong
from dangvu.core.rulesets import ruleset_for

RS = ruleset_for(dt.date(2026, 3, 1))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("category", "base", "due"), [
    ("salaried", 7_350_000, 73_500),      # 1%
    ("enterprise", 12_345_678, 123_457),  # 1%, 123,456.78 rounds half up to the đồng
    ("pensioner", 5_123_457, 25_617),     # 0.5%: 25,617.285
    ("pensioner", 4_000_100, 20_001),     # 20,000.5 rounds up
    ("other", 20_000, 20_000),            # the amount the cell set
])
def test_monthly_fee_follows_the_rates_of_the_rule_set(category, base, due):
    assert monthly_due(category, base, RS).due == due


def test_past_working_age_pays_half_of_the_cells_amount():
    assert monthly_due("other", 15_000, RS, past_working_age=True).due == 7_500
    assert monthly_due("other", 5_001, RS, past_working_age=True).due == 2_501  # 2,500.5 half up


def test_rounding_is_a_parameter():
    thousands = RS.with_overrides({"fees.round_to": 1000}, by="Tỉnh ủy thử")
    assert monthly_due("salaried", 7_350_000, thousands).due == 74_000  # 73,500 half up
    assert monthly_due("salaried", 7_349_000, thousands).due == 73_000  # 73,490


@given(st.integers(min_value=0, max_value=10**10), st.sampled_from(["salaried", "pensioner", "enterprise"]))
def test_fee_is_the_exact_rate_rounded_half_up_in_integer_dong(base, category):
    rate = Fraction(RS["fees.rate_per_mille"][category], 1000)
    due = monthly_due(category, base, RS).due
    assert isinstance(due, int)
    exact = base * rate
    assert abs(due - exact) <= Fraction(1, 2) and (due - exact != Fraction(-1, 2))  # half rounds up


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([1, 100, 1000]))
def test_round_dong_gives_a_multiple_of_the_unit_nearest_to_the_amount(x1000, unit):
    got = round_dong(x1000, unit)
    assert got % unit == 0 and abs(Fraction(got) - Fraction(x1000, 1000)) <= Fraction(unit, 2)


@pytest.mark.parametrize(("category", "base", "words"), [
    ("other", 1_000, "trong khoảng 2.000–30.000 đồng"),
    ("other", 30_001, "30.001 đồng nằm ngoài khoảng đó"),
    ("student", 1_000, "Không có đối tượng đóng đảng phí «student»"),
    ("salaried", -1, "không âm"),
])
def test_a_basis_the_rule_cannot_use_is_refused_in_vietnamese(category, base, words):
    with pytest.raises(FeeError) as exc:
        monthly_due(category, base, RS)
    assert words in str(exc.value)


def test_cli_prints_the_due_and_its_source(capsys):
    code, out, _ = run(capsys, "fees", "due", "--category", "salaried", "--base", "7350000",
                       "--month", "2026-03", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["due"] == 73_500 and isinstance(result["due"], int)
    assert result["rule"].startswith("Quyết định 342-QĐ/TW") and "1%" in result["rule"]
    code, out, _ = run(capsys, "fees", "due", "--category", "pensioner", "--base", "5123457",
                       "--month", "2026-03", "--json")
    assert json.loads(out)["due"] == 25_617 and "0,5%" in json.loads(out)["rule"]
    code, out, _ = run(capsys, "fees", "due", "--category", "other", "--base", "20000", "--month", "2026-03")
    assert code == 0 and out == ("Đảng phí tháng 03/2026: 20.000 đồng (Quyết định 342-QĐ/TW, 28/12/2010: "
                                 "mức chi bộ quy định (2.000–30.000 đồng/tháng))\n")


@pytest.mark.parametrize(("argv", "words"), [
    (["--category", "other", "--base", "50000", "--month", "2026-03"], "nằm ngoài khoảng đó"),
    (["--category", "salaried", "--base", "7,35", "--month", "2026-03"], "Số tiền không hợp lệ"),
    (["--category", "salaried", "--base", "1000", "--month", "2026-13"], "Tháng không hợp lệ"),
    (["--category", "nobody", "--base", "1000", "--month", "2026-03"], "Không có đối tượng"),
])
def test_cli_refuses_with_a_plain_message(capsys, argv, words):
    code, out, err = run(capsys, "fees", "due", *argv)
    assert code != 0 and out == "" and words in err
