"""Delegate apportionment: dangvu.core.apportion and ``dangvu congress apportion`` (no database)."""

from __future__ import annotations

import datetime as dt
import json
import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangvu.cli import main
from dangvu.core.apportion import ApportionError, apportion, apportion_detail, parse_orgs_csv
from dangvu.core.rulesets import ruleset_for

# --- by hand -----------------------------------------------------------------------------------


def test_worked_example() -> None:
    # S=10, K=1, n=3 → R=7, M=100: A 350/100 = 3 r50, B 210/100 = 2 r10, C 140/100 = 1 r40;
    # 7 − 6 = 1 seat left → A (largest remainder 50).
    orgs = [("A", 50), ("B", 30), ("C", 20)]
    assert apportion(orgs, 10, 1) == {"A": 5, "B": 3, "C": 2}
    detail = {line.code: line for line in apportion_detail(orgs, 10, 1)}
    assert (detail["A"].base, detail["A"].remainder, detail["A"].quota, detail["A"].extra) == (3, 50, Fraction(7, 2), 1)
    assert (detail["B"].base, detail["B"].remainder, detail["B"].quota, detail["B"].extra) == (2, 10, Fraction(21, 10), 0)
    assert (detail["C"].base, detail["C"].remainder, detail["C"].quota, detail["C"].extra) == (1, 40, Fraction(7, 5), 0)


def test_keeps_input_order() -> None:
    assert list(apportion([("Z", 1), ("A", 5), ("M", 3)], 9, 1)) == ["Z", "A", "M"]


def test_equal_remainders_go_to_more_members_then_code() -> None:
    # R=2, M=6: A 2/6 → 0 r2, Z 8/6 → 1 r2, B 2/6 → 0 r2; one seat left, all remainders 2:
    # Z has more members, so it wins although its code sorts last.
    assert apportion([("A", 1), ("Z", 4), ("B", 1)], 2, 0) == {"A": 0, "Z": 2, "B": 0}
    # All equal: code decides. R=2, M=3, remainders 2 each → A and B.
    assert apportion([("C", 1), ("B", 1), ("A", 1)], 2, 0) == {"C": 0, "B": 1, "A": 1}


def test_zero_members_everywhere_goes_round_robin_by_code() -> None:
    orgs = [("C", 0), ("A", 0), ("B", 0)]
    assert apportion(orgs, 5, 1) == {"C": 1, "A": 2, "B": 2}
    assert apportion(orgs, 10, 1) == {"C": 3, "A": 4, "B": 3}
    assert apportion(orgs, 3, 1) == {"C": 1, "A": 1, "B": 1}


def test_zero_member_org_still_gets_the_minimum() -> None:
    assert apportion([("A", 10), ("B", 0)], 5, 1) == {"A": 4, "B": 1}
    assert apportion([("A", 10), ("B", 0)], 5, 0) == {"A": 5, "B": 0}


@pytest.mark.parametrize(
    ("orgs", "seats", "minimum", "message"),
    [
        ([("A", 5), ("B", 5), ("C", 5)], 5, 2, r"Tổng số đại biểu \(5\) ít hơn .* = 6"),
        ([], 3, 1, "Chưa có tổ chức"),
        ([("A", 5), ("A", 3)], 3, 1, "“A” bị trùng"),
        ([("A", -1)], 3, 1, "âm"),
        ([("A", 1)], 3, -1, "tối thiểu"),
        ([("A", 1)], -1, 0, "không được âm"),
    ],
)
def test_refuses_bad_input(orgs, seats, minimum, message) -> None:
    with pytest.raises(ApportionError, match=message):
        apportion(orgs, seats, minimum)
    assert issubclass(ApportionError, ValueError)


def test_parse_orgs_csv() -> None:
    text = "\ufeffname,members,code\nChi bộ 1,12,CB1\n\nChi bộ 2, 7 ,CB2\n"
    assert parse_orgs_csv(text) == [("CB1", 12), ("CB2", 7)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "trống"),
        ("code\nA\n", "thiếu cột: members"),
        ("code,members\n", "không có dòng dữ liệu"),
        ("code,members\nA,5\nB,abc\n", "Dòng 3: số đảng viên “abc”"),
        ("code,members\nA,-5\n", "Dòng 2: số đảng viên “-5”"),
        ("code,members\nA,2.5\n", "Dòng 2"),
        ("code,members\nA,5\nB,1\nA,3\n", "Dòng 4: mã tổ chức “A” trùng với dòng 2"),
        ("code,members\nA,5,9\n", "Dòng 2 có 3 cột"),
        ("code,members\n,5\n", "Dòng 2: thiếu mã"),
    ],
)
def test_parse_orgs_csv_refuses_bad_lines(text: str, message: str) -> None:
    with pytest.raises(ApportionError, match=message):
        parse_orgs_csv(text)


# --- properties --------------------------------------------------------------------------------


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[tuple[str, int]], int, int]:
    members = draw(st.lists(st.integers(0, 500), min_size=1, max_size=12))
    orgs = [(f"CB{i:02d}", m) for i, m in enumerate(members)]
    minimum = draw(st.integers(0, 3))
    seats = minimum * len(orgs) + draw(st.integers(0, 60))
    return orgs, seats, minimum


@given(cases())
def test_sums_to_seats_and_respects_minimum(case) -> None:
    orgs, seats, minimum = case
    result = apportion(orgs, seats, minimum)
    assert sum(result.values()) == seats
    assert all(v >= minimum for v in result.values())
    assert list(result) == [c for c, _ in orgs]


@given(cases())
def test_more_members_never_fewer_seats(case) -> None:
    orgs, seats, minimum = case
    result = apportion(orgs, seats, minimum)
    for a, ma in orgs:
        for b, mb in orgs:
            if ma > mb:
                assert result[a] >= result[b]
            if ma == mb:
                assert abs(result[a] - result[b]) <= 1


@given(cases())
def test_within_one_of_exact_quota(case) -> None:
    orgs, seats, minimum = case
    rest = seats - minimum * len(orgs)
    total = sum(m for _, m in orgs)
    assume_proportional = total > 0
    for line in apportion_detail(orgs, seats, minimum):
        if assume_proportional:
            quota = Fraction(rest * line.members, total)
            assert line.quota == quota
            assert minimum + math.floor(quota) <= line.seats <= minimum + math.ceil(quota)
            assert line.extra in (0, 1)
        assert line.seats == line.minimum + line.base + line.extra


@given(cases(), st.randoms(use_true_random=False))
def test_input_order_does_not_change_seats(case, rnd) -> None:
    orgs, seats, minimum = case
    shuffled = list(orgs)
    rnd.shuffle(shuffled)
    assert apportion(shuffled, seats, minimum) == apportion(orgs, seats, minimum)


@given(cases())
def test_refuses_when_seats_below_minimum_total(case) -> None:
    orgs, _, minimum = case
    if minimum == 0:
        return
    with pytest.raises(ApportionError):
        apportion(orgs, minimum * len(orgs) - 1, minimum)


# --- CLI ---------------------------------------------------------------------------------------


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def orgs_file(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text("code,members\nC,20\nA,50\nB,30\n", encoding="utf-8")
    return path


def test_cli_apportion_json_keeps_file_order(capsys, orgs_file) -> None:
    code, out, err = run(capsys, "congress", "apportion", "--seats", "10", "--orgs", str(orgs_file), "--json")
    assert (code, err) == (0, "")
    assert list(json.loads(out).items()) == [("C", 2), ("A", 5), ("B", 3)]


def test_cli_apportion_default_minimum_comes_from_ruleset(capsys, orgs_file) -> None:
    assert ruleset_for(dt.date(2025, 6, 1))["congress.default_min_delegates"] == 1
    _, default_out, _ = run(capsys, "congress", "apportion", "--seats", "10", "--orgs", str(orgs_file), "--json")
    _, explicit_out, _ = run(
        capsys, "congress", "apportion", "--seats", "10", "--orgs", str(orgs_file), "--min", "1", "--json"
    )
    assert json.loads(default_out) == json.loads(explicit_out)
    # K=0 → R=10: C 2, A 5, B 3 exactly.
    _, out, _ = run(capsys, "congress", "apportion", "--seats", "10", "--orgs", str(orgs_file), "--min", "0", "--json")
    assert json.loads(out) == {"C": 2, "A": 5, "B": 3}
    _, out, _ = run(capsys, "congress", "apportion", "--seats", "12", "--orgs", str(orgs_file), "--min", "3", "--json")
    # K=3 → R=3: C 60/100 → 0 r60, A 150/100 → 1 r50, B 90/100 → 0 r90; 2 left → B, C.
    assert json.loads(out) == {"C": 4, "A": 4, "B": 4}


def test_cli_apportion_too_few_seats_exits_2(capsys, orgs_file) -> None:
    code, out, err = run(capsys, "congress", "apportion", "--seats", "2", "--orgs", str(orgs_file), "--json")
    assert code == 2 and out == ""
    assert err == "dangvu: Tổng số đại biểu (2) ít hơn mức tối thiểu 1 đại biểu cho mỗi tổ chức × 3 tổ chức = 3.\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,members\nA,5\nB,x\n", "Dòng 3"),
        ("code,members\nA,5\nA,6\n", "Dòng 3: mã tổ chức “A” trùng"),
        ("members\n5\n", "thiếu cột: code"),
        ("", "trống"),
    ],
)
def test_cli_apportion_bad_csv_exits_2(capsys, tmp_path, text, message) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "congress", "apportion", "--seats", "5", "--orgs", str(path), "--json")
    assert code == 2 and out == "" and message in err


def test_cli_apportion_missing_file_exits_2(capsys, tmp_path) -> None:
    code, _, err = run(capsys, "congress", "apportion", "--seats", "5", "--orgs", str(tmp_path / "none.csv"))
    assert (code, err) == (2, f"dangvu: Không tìm thấy tệp danh sách tổ chức: {tmp_path / 'none.csv'}\n")
