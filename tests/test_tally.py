"""Counting in-party elections: dangvu.core.tally and ``dangvu tally`` (pure core, no database)."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dangvu.cli import main
from dangvu.core.tally import (
    Ballot,
    Discrepancy,
    TallyError,
    ballot_validity,
    compare_counts,
    parse_ballots_csv,
    parse_candidates,
    tally,
    threshold,
)

ABC = ["A", "B", "C"]


def tie_ballots() -> list[tuple[bool, bool, bool]]:
    """13 ballots giving A=10, B=8, C=8: 5×(A,B) + 5×(A,C) + 3×(B,C)."""
    return [(True, True, False)] * 5 + [(True, False, True)] * 5 + [(False, True, True)] * 3


# --- rules, by hand ----------------------------------------------------------------------------


@pytest.mark.parametrize(("base", "expected"), [(1, 1), (2, 2), (3, 2), (10, 6), (11, 6), (100, 51)])
def test_threshold_is_strictly_more_than_half(base: int, expected: int) -> None:
    assert threshold(base) == expected
    assert threshold(base, on=dt.date(2020, 6, 1)) == expected


def test_threshold_refuses_empty_base() -> None:
    with pytest.raises(TallyError, match="Cơ sở tính"):
        threshold(0)


@pytest.mark.parametrize(
    ("kept", "seats", "reason"),
    [
        ((True, True, False), 2, None),
        ((True, True, True), 2, "too_many_kept"),
        ((False, False, False), 2, "all_struck"),
        ((False,), 1, None),  # one-name list: striking the name is a valid "no"
        ((True,), 1, None),
        ((True, False), 1, None),
        ((True, True), 1, "too_many_kept"),
    ],
)
def test_ballot_validity(kept: tuple[bool, ...], seats: int, reason: str | None) -> None:
    assert ballot_validity(kept, seats) == reason
    assert Ballot(kept).validity(seats) == reason


def test_tie_at_last_seat_elects_none_of_the_tied() -> None:
    result = tally(ABC, tie_ballots(), seats=2, base=13)
    assert result.votes == {"A": 10, "B": 8, "C": 8}
    assert result.threshold == 7
    assert result.elected == ("A",)
    assert result.tied == ("B", "C")
    assert result.unfilled == 1


def test_tie_that_fits_elects_all() -> None:
    result = tally(ABC, tie_ballots(), seats=3, base=13)
    assert result.elected == ("A", "B", "C")
    assert result.tied == ()
    assert result.unfilled == 0


def test_elected_by_votes_then_ballot_order_and_threshold_applies() -> None:
    # C 4, B 3, A 3, D 1; base 6 → threshold 4: only C reaches it.
    cands = ["A", "B", "C", "D"]
    ballots = [(1, 1, 1, 0), (1, 1, 1, 0), (1, 1, 1, 0), (0, 0, 1, 1)]
    result = tally(cands, ballots, seats=3, base=6)
    assert result.votes == {"A": 3, "B": 3, "C": 4, "D": 1}
    assert result.elected == ("C",)
    assert result.unfilled == 2
    # With a base of 4 the threshold is 3: A and B tie but both fit behind C.
    result = tally(cands, ballots, seats=3, base=4)
    assert result.elected == ("C", "A", "B")
    assert result.tied == ()


def test_tie_below_threshold_is_not_reported_as_tied() -> None:
    result = tally(ABC, tie_ballots(), seats=1, base=30)  # threshold 16: nobody qualifies
    assert result.elected == () and result.tied == () and result.unfilled == 1


def test_invalid_ballots_are_counted_by_reason_and_not_in_votes() -> None:
    ballots = [Ballot((True, True, True)), Ballot((False, False, False)), Ballot((True, False, False))]
    result = tally(ABC, ballots, seats=2, base=3)
    assert result.to_dict() == {
        "ballots": 3,
        "valid": 1,
        "invalid": 2,
        "invalid_reasons": {"too_many_kept": 1, "all_struck": 1},
        "votes": {"A": 1, "B": 0, "C": 0},
        "threshold": 2,
        "elected": [],
        "tied": [],
        "unfilled": 2,
    }


def test_single_candidate_struck_counts_as_valid() -> None:
    result = tally(["A"], [(False,), (True,), (True,)], seats=1, base=3)
    assert (result.valid, result.invalid, result.votes["A"], result.elected) == (3, 0, 2, ("A",))


@pytest.mark.parametrize(
    ("cands", "ballots", "seats", "base", "message"),
    [
        (["A", "A"], [], 1, 1, "trùng"),
        ([], [], 1, 1, "không có ai"),
        (ABC, [], 0, 1, "Số lượng cần bầu"),
        (ABC, [], 1, 0, "Cơ sở tính"),
        (ABC, [(True, False)], 1, 1, "Phiếu số 1 có 2 ô"),
    ],
)
def test_bad_input_is_refused(cands: list[str], ballots: list, seats: int, base: int, message: str) -> None:
    with pytest.raises(TallyError, match=message):
        tally(cands, ballots, seats, base)


def test_steps_tell_the_count() -> None:
    result = tally(ABC, tie_ballots() + [(True, True, True)], seats=2, base=13, issued=15)
    steps = list(result.steps)
    assert steps[0] == "Số phiếu phát ra: 15."
    assert "Số phiếu thu về: 14." in steps
    assert "Số phiếu hợp lệ: 13." in steps
    assert "Số phiếu không hợp lệ: 1 (để lại nhiều tên hơn số lượng cần bầu: 1; gạch hết tên: 0)." in steps
    assert "A: 10 phiếu, đạt 76,92% so với cơ sở tính 13." in steps
    assert "Ngưỡng trúng cử: quá một nửa của 13, tức từ 7 phiếu trở lên." in steps
    assert "Trúng cử theo thứ tự số phiếu: A (10 phiếu)." in steps
    assert any(s.startswith("Bằng phiếu ở vị trí cuối (8 phiếu)") and "B, C" in s for s in steps)
    assert steps[-1] == "Còn thiếu 1 trong số 2 người cần bầu."


def test_steps_warn_when_more_collected_than_issued() -> None:
    result = tally(ABC, tie_ballots(), seats=2, base=13, issued=10)
    assert "Cảnh báo: số phiếu thu về nhiều hơn số phiếu phát ra." in result.steps


# --- counting teams ----------------------------------------------------------------------------


def test_compare_counts_agreeing_teams() -> None:
    figures = tally(ABC, tie_ballots(), seats=2, base=13).figures()
    assert compare_counts({"Tổ 1": figures, "Tổ 2": dict(figures), "Tổ 3": dict(figures)}) == []


def test_compare_counts_names_each_difference() -> None:
    t1 = {"valid": 13, "invalid": 1, "A": 10, "B": 8}
    t2 = {"valid": 12, "invalid": 1, "A": 10, "B": 9}
    t3 = {"valid": 13, "invalid": 1, "A": 10}
    found = compare_counts({"Tổ 1": t1, "Tổ 2": t2, "Tổ 3": t3})
    assert found == [
        Discrepancy("valid", {"Tổ 1": 13, "Tổ 2": 12, "Tổ 3": 13}),
        Discrepancy("B", {"Tổ 1": 8, "Tổ 2": 9, "Tổ 3": None}),
    ]
    assert found[0].message == "Lệch số liệu ở “số phiếu hợp lệ” — Tổ 1: 13, Tổ 2: 12, Tổ 3: 13."
    assert "Tổ 3: không có" in found[1].message


def test_compare_counts_needs_two_teams() -> None:
    with pytest.raises(TallyError, match="hai tổ"):
        compare_counts({"Tổ 1": {"A": 1}})


# --- file formats ------------------------------------------------------------------------------


def test_parse_candidates_bom_blank_lines_whitespace_and_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Lê Văn Cường")
    text = "\ufeff  Nguyễn Văn An \n\n\t\nTrần Thị Bình\r\n" + decomposed + "\n"
    assert parse_candidates(text) == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]


def test_parse_candidates_refuses_duplicates() -> None:
    with pytest.raises(TallyError, match="Nguyễn Văn An"):
        parse_candidates("Nguyễn Văn An\nNguyễn Văn An\n")


def test_parse_ballots_maps_columns_by_name() -> None:
    text = "C,A,B\n1,0,0\n\n0,1,1\n"
    assert parse_ballots_csv(text, ABC) == [Ballot((False, False, True)), Ballot((True, True, False))]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "trống"),
        ("A,B\n1,0\n", r"không khớp.*thiếu C"),
        ("A,B,C,D\n1,0,0,0\n", r"không khớp.*thừa D"),
        ("A,B,B\n", "trùng: B"),
        ("A,B,C\n1,0,0\n1,0\n", "Dòng 3 .* 2 cột, cần 3"),
        ("A,B,C\n1,0,0\n0,2,1\n", "Dòng 3 .*cột “B”: giá trị “2”"),
        ("A,B,C\n1,x,0\n", "Dòng 2 .*giá trị “x”"),
    ],
)
def test_parse_ballots_refuses_bad_rows(text: str, message: str) -> None:
    with pytest.raises(TallyError, match=message):
        parse_ballots_csv(text, ABC)


# --- properties --------------------------------------------------------------------------------


@st.composite
def elections(draw: st.DrawFn) -> tuple[list[str], list[tuple[bool, ...]], int, int]:
    n = draw(st.integers(1, 5))
    cands = [f"Ứng viên {i}" for i in range(n)]
    ballots = draw(st.lists(st.tuples(*[st.booleans()] * n), max_size=30))
    seats = draw(st.integers(1, 5))
    base = draw(st.integers(1, 40))
    return cands, ballots, seats, base


@given(elections(), st.randoms(use_true_random=False))
def test_ballot_order_does_not_matter(election: tuple, rnd) -> None:
    cands, ballots, seats, base = election
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert tally(cands, shuffled, seats, base).to_dict() == tally(cands, ballots, seats, base).to_dict()


@given(elections(), st.data())
def test_adding_a_valid_ballot_never_lowers_votes(election: tuple, data: st.DataObject) -> None:
    cands, ballots, seats, base = election
    extra = data.draw(st.tuples(*[st.booleans()] * len(cands)))
    assume(ballot_validity(extra, seats) is None)
    before = tally(cands, ballots, seats, base)
    after = tally(cands, [*ballots, extra], seats, base)
    for name, kept in zip(cands, extra, strict=True):
        assert after.votes[name] == before.votes[name] + kept
    assert after.valid == before.valid + 1


@given(elections())
def test_result_invariants(election: tuple) -> None:
    cands, ballots, seats, base = election
    r = tally(cands, ballots, seats, base)
    assert len(r.elected) <= seats
    assert not set(r.elected) & set(r.tied)
    assert r.unfilled == seats - len(r.elected)
    assert r.valid + r.invalid == r.ballots == len(ballots)
    assert r.threshold == base // 2 + 1
    assert all(r.votes[n] >= r.threshold for n in r.elected + r.tied)
    assert [r.votes[n] for n in r.elected] == sorted((r.votes[n] for n in r.elected), reverse=True)
    if r.tied:
        assert len(r.tied) >= 2 and len(set(r.votes[n] for n in r.tied)) == 1
        assert len(r.elected) + len(r.tied) > seats
        assert all(r.votes[e] > r.votes[r.tied[0]] for e in r.elected)
    # Nobody left out beats someone elected.
    for n in cands:
        if n not in r.elected:
            assert all(r.votes[n] <= r.votes[e] for e in r.elected)
    assert sum(r.votes.values()) == sum(sum(b) for b in ballots if ballot_validity(b, seats) is None)


# --- CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def election_files(tmp_path):
    cands = tmp_path / "cands.txt"
    cands.write_text("\ufeffNguyễn Văn An\nTrần Thị Bình\n\nLê Văn Cường\n", encoding="utf-8")
    ballots = tmp_path / "ballots.csv"
    rows = ["Lê Văn Cường,Nguyễn Văn An,Trần Thị Bình"]
    # An=10, Bình=8, Cường=8 as in tie_ballots(), columns in a different order, plus 2 invalid.
    rows += ["0,1,1"] * 5 + ["1,1,0"] * 5 + ["1,0,1"] * 3 + ["1,1,1", "0,0,0"]
    ballots.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return cands, ballots


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_tally_json(capsys, election_files) -> None:
    cands, ballots = election_files
    code, out, err = run(
        capsys, "tally", "--seats", "2", "--base", "15", "--candidates", str(cands), "--ballots", str(ballots), "--json"
    )
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "ballots": 15,
        "valid": 13,
        "invalid": 2,
        "invalid_reasons": {"too_many_kept": 1, "all_struck": 1},
        "votes": {"Nguyễn Văn An": 10, "Trần Thị Bình": 8, "Lê Văn Cường": 8},
        "threshold": 8,
        "elected": ["Nguyễn Văn An"],
        "tied": ["Trần Thị Bình", "Lê Văn Cường"],
        "unfilled": 1,
    }
    assert list(json.loads(out)) == [
        "ballots", "valid", "invalid", "invalid_reasons", "votes", "threshold", "elected", "tied", "unfilled"
    ]


def test_cli_tally_text_prints_steps(capsys, election_files) -> None:
    cands, ballots = election_files
    code, out, _ = run(capsys, "tally", "--seats", "2", "--base", "15", "--candidates", str(cands), "--ballots", str(ballots))
    assert code == 0
    assert "Ngưỡng trúng cử: quá một nửa của 15, tức từ 8 phiếu trở lên." in out.splitlines()


@pytest.mark.parametrize(
    ("ballot_text", "seats", "base", "message"),
    [
        ("Nguyễn Văn An,Trần Thị Bình,Lê Văn Cường\n1,0,0\n1,0,5\n", "1", "3", "Dòng 3 "),
        ("Nguyễn Văn An,Trần Thị Bình,Lê Văn Cường\n1,0\n", "1", "3", "Dòng 2 .*2 cột"),
        ("Nguyễn Văn An,Trần Thị Bình\n1,0\n", "1", "3", "thiếu Lê Văn Cường"),
        ("Nguyễn Văn An,Trần Thị Bình,Lê Văn Cường\n", "0", "3", "Số lượng cần bầu"),
        ("Nguyễn Văn An,Trần Thị Bình,Lê Văn Cường\n", "1", "0", "Cơ sở tính"),
    ],
)
def test_cli_tally_bad_input_exits_2(capsys, tmp_path, ballot_text, seats, base, message) -> None:
    import re

    cands = tmp_path / "c.txt"
    cands.write_text("Nguyễn Văn An\nTrần Thị Bình\nLê Văn Cường\n", encoding="utf-8")
    ballots = tmp_path / "b.csv"
    ballots.write_text(ballot_text, encoding="utf-8")
    code, out, err = run(
        capsys, "tally", "--seats", seats, "--base", base, "--candidates", str(cands), "--ballots", str(ballots), "--json"
    )
    assert code == 2 and out == ""
    assert err.startswith("dangvu: ") and re.search(message, err)


def test_cli_tally_duplicate_candidates_and_missing_file(capsys, tmp_path) -> None:
    cands = tmp_path / "c.txt"
    cands.write_text("An\nAn\n", encoding="utf-8")
    ballots = tmp_path / "b.csv"
    ballots.write_text("An\n1\n", encoding="utf-8")
    code, _, err = run(capsys, "tally", "--seats", "1", "--base", "1", "--candidates", str(cands), "--ballots", str(ballots))
    assert code == 2 and "“An” bị trùng" in err
    code, _, err = run(
        capsys, "tally", "--seats", "1", "--base", "1", "--candidates", str(tmp_path / "no.txt"), "--ballots", str(ballots)
    )
    assert (code, err) == (2, f"dangvu: Không tìm thấy tệp danh sách ứng cử viên: {tmp_path / 'no.txt'}\n")
