"""Counting an in-party election (kiểm phiếu): ballot validity, threshold, who is elected.

Sources: Quyết định 190-QĐ/TW, 10/10/2024 (quy chế bầu cử trong Đảng); Quyết định 244-QĐ/TW, 2014
for the "all names struck" invalid ballot (RULES.md marks that one unconfirmed).

The count is a pure function of the candidate list, the ballots, the number of seats and the
base (cơ sở tính: the number the "more than half" is taken of). Ties at the last seat are never
broken here: the congress votes again among those concerned, so they are reported in ``tied``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import nfc

TOO_MANY_KEPT = "too_many_kept"
ALL_STRUCK = "all_struck"
INVALID_REASONS = (TOO_MANY_KEPT, ALL_STRUCK)

_REASON_LABELS = {
    TOO_MANY_KEPT: "để lại nhiều tên hơn số lượng cần bầu",
    ALL_STRUCK: "gạch hết tên",
}


class TallyError(ValueError):
    """Input that cannot be counted; the message is plain Vietnamese for the user."""


@dataclass(frozen=True)
class Ballot:
    """One ballot: ``kept[i]`` is True when the i-th candidate (ballot order) was not struck."""

    kept: tuple[bool, ...]

    @property
    def kept_count(self) -> int:
        return sum(self.kept)

    def validity(self, seats: int) -> str | None:
        return ballot_validity(self.kept, seats)


def ballot_validity(kept: Sequence[bool], seats: int) -> str | None:
    """None for a valid ballot, else the reason key (``too_many_kept`` or ``all_struck``).

    Quyết định 190-QĐ/TW, 10/10/2024: a ballot keeping more names than seats is invalid.
    Quyết định 244-QĐ/TW, 2014 (unconfirmed for 190): striking every name on a list of more than
    one name is invalid. A one-name ballot with the name struck is a valid "no" vote.
    Ballots not issued by the counting board never reach this function (checked on paper).
    """
    kept_count = sum(1 for k in kept if k)
    if kept_count > seats:
        return TOO_MANY_KEPT
    if len(kept) > 1 and kept_count == 0:
        return ALL_STRUCK
    return None


def threshold(base: int, on: dt.date | None = None) -> int:
    """Fewest votes that is strictly more than half the base: ⌊base/2⌋ + 1 for a share of 1/2.

    Quyết định 190-QĐ/TW, 10/10/2024 (Quyết định 244-QĐ/TW, 2014 before): elected needs more than
    half of the base. The share is the rule-set parameter ``election.elected_min_share``; it is
    read as an exact fraction so the comparison never goes through floats.
    """
    if base < 1:
        raise TallyError(f"Cơ sở tính số phiếu phải từ 1 trở lên (nhận được {base}).")
    share = Fraction(str(ruleset_for(on)["election.elected_min_share"]))
    return math.floor(share * base) + 1


@dataclass(frozen=True)
class TallyResult:
    """The outcome of one round of counting; ``to_dict()`` is the ``dangvu tally --json`` output."""

    candidates: tuple[str, ...]
    seats: int
    base: int
    ballots: int
    valid: int
    invalid: int
    invalid_reasons: Mapping[str, int]
    votes: Mapping[str, int]
    threshold: int
    elected: tuple[str, ...]
    tied: tuple[str, ...]
    unfilled: int
    steps: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ballots": self.ballots,
            "valid": self.valid,
            "invalid": self.invalid,
            "invalid_reasons": {key: self.invalid_reasons.get(key, 0) for key in INVALID_REASONS},
            "votes": {name: self.votes[name] for name in self.candidates},
            "threshold": self.threshold,
            "elected": list(self.elected),
            "tied": list(self.tied),
            "unfilled": self.unfilled,
        }

    def figures(self) -> dict[str, int]:
        """The totals a counting team reports, keyed for :func:`compare_counts`."""
        return {"ballots": self.ballots, "valid": self.valid, "invalid": self.invalid} | {
            name: self.votes[name] for name in self.candidates
        }


def _check_candidates(candidates: Sequence[str]) -> None:
    if not candidates:
        raise TallyError("Danh sách bầu cử không có ai.")
    seen: set[str] = set()
    for name in candidates:
        if not name:
            raise TallyError("Danh sách bầu cử có tên để trống.")
        if name in seen:
            raise TallyError(f"Tên “{name}” bị trùng trong danh sách bầu cử.")
        seen.add(name)


def select_elected(
    candidates: Sequence[str], votes: Mapping[str, int], seats: int, needed: int
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(elected, tied): those reaching ``needed`` votes, ranked while seats remain.

    Quyết định 190-QĐ/TW, 10/10/2024: candidates above the threshold are elected in order of votes
    while seats remain; when those tied for the last seat cannot all be seated none of them is,
    and the congress votes again among them. Ties that all fit are all elected.
    """
    order = {name: i for i, name in enumerate(candidates)}
    qualified = sorted((n for n in candidates if votes[n] >= needed), key=lambda n: (-votes[n], order[n]))
    if len(qualified) <= seats:
        return tuple(qualified), ()
    last = votes[qualified[seats - 1]]
    if votes[qualified[seats]] != last:
        return tuple(qualified[:seats]), ()
    elected = tuple(n for n in qualified if votes[n] > last)
    tied = tuple(n for n in candidates if n in qualified and votes[n] == last)
    return elected, tied


def tally(
    candidates: Sequence[str],
    ballots: Iterable[Sequence[bool] | Ballot],
    seats: int,
    base: int,
    *,
    on: dt.date | None = None,
    issued: int | None = None,
) -> TallyResult:
    """Count one round of an in-party election.

    Quyết định 190-QĐ/TW, 10/10/2024; Quyết định 244-QĐ/TW, 2014. ``candidates`` is the ballot
    order; each ballot gives a kept flag per candidate in that order. ``base`` is the number the
    majority is taken of (members' or delegates' congress base, computed by the registry).
    ``issued`` (phiếu phát ra) only feeds the step log. ``on`` picks the rule set.
    """
    _check_candidates(candidates)
    if seats < 1:
        raise TallyError(f"Số lượng cần bầu phải từ 1 trở lên (nhận được {seats}).")
    needed = threshold(base, on)
    counts = [0] * len(candidates)
    reasons = dict.fromkeys(INVALID_REASONS, 0)
    total = 0
    for number, ballot in enumerate(ballots, start=1):
        kept = ballot.kept if isinstance(ballot, Ballot) else tuple(bool(k) for k in ballot)
        if len(kept) != len(candidates):
            raise TallyError(
                f"Phiếu số {number} có {len(kept)} ô, danh sách có {len(candidates)} người."
            )
        total += 1
        reason = ballot_validity(kept, seats)
        if reason:
            reasons[reason] += 1
            continue
        for i, k in enumerate(kept):
            counts[i] += bool(k)
    votes = dict(zip(candidates, counts, strict=True))
    invalid = sum(reasons.values())
    elected, tied = select_elected(candidates, votes, seats, needed)
    result = TallyResult(
        candidates=tuple(candidates),
        seats=seats,
        base=base,
        ballots=total,
        valid=total - invalid,
        invalid=invalid,
        invalid_reasons=reasons,
        votes=votes,
        threshold=needed,
        elected=elected,
        tied=tied,
        unfilled=seats - len(elected),
    )
    return _with_steps(result, issued)


def _percent(part: int, whole: int) -> str:
    """Vietnamese percentage with two decimals (comma), rounded half up exactly."""
    hundredths = math.floor(Fraction(part * 10000, whole) + Fraction(1, 2))
    return f"{hundredths // 100},{hundredths % 100:02d}%"


def tally_steps(result: TallyResult, issued: int | None = None) -> list[str]:
    """The count told step by step, so a recount can follow and reproduce it."""
    steps: list[str] = []
    if issued is not None:
        steps.append(f"Số phiếu phát ra: {issued}.")
        if result.ballots > issued:
            steps.append("Cảnh báo: số phiếu thu về nhiều hơn số phiếu phát ra.")
    steps.append(f"Số phiếu thu về: {result.ballots}.")
    steps.append(f"Số phiếu hợp lệ: {result.valid}.")
    detail = "; ".join(f"{_REASON_LABELS[k]}: {result.invalid_reasons[k]}" for k in INVALID_REASONS)
    steps.append(f"Số phiếu không hợp lệ: {result.invalid} ({detail}).")
    for name in result.candidates:
        votes = result.votes[name]
        steps.append(f"{name}: {votes} phiếu, đạt {_percent(votes, result.base)} so với cơ sở tính {result.base}.")
    steps.append(f"Ngưỡng trúng cử: quá một nửa của {result.base}, tức từ {result.threshold} phiếu trở lên.")
    if result.elected:
        names = ", ".join(f"{n} ({result.votes[n]} phiếu)" for n in result.elected)
        steps.append(f"Trúng cử theo thứ tự số phiếu: {names}.")
    else:
        steps.append("Không có người trúng cử.")
    if result.tied:
        steps.append(
            f"Bằng phiếu ở vị trí cuối ({result.votes[result.tied[0]]} phiếu), không đủ chỗ cho tất cả: "
            f"{', '.join(result.tied)}; đại hội bầu lại giữa những người này."
        )
    if result.unfilled:
        steps.append(f"Còn thiếu {result.unfilled} trong số {result.seats} người cần bầu.")
    else:
        steps.append(f"Đã bầu đủ {result.seats} người.")
    return steps


def _with_steps(result: TallyResult, issued: int | None) -> TallyResult:
    return replace(result, steps=tuple(tally_steps(result, issued)))


# --- independent counting teams -----------------------------------------------------------


@dataclass(frozen=True)
class Discrepancy:
    """One item (a candidate's votes, or ``ballots``/``valid``/``invalid``) the teams disagree on."""

    item: str
    figures: Mapping[str, int | None]  # team → figure; None when the team did not report it

    @property
    def message(self) -> str:
        parts = ", ".join(f"{team}: {'không có' if v is None else v}" for team, v in self.figures.items())
        return f"Lệch số liệu ở “{_ITEM_LABELS.get(self.item, self.item)}” — {parts}."


_ITEM_LABELS = {"ballots": "số phiếu thu về", "valid": "số phiếu hợp lệ", "invalid": "số phiếu không hợp lệ"}


def compare_counts(team_results: Mapping[str, Mapping[str, int]]) -> list[Discrepancy]:
    """Items on which independent counting teams' totals differ, in first-reported order.

    Quyết định 190-QĐ/TW, 10/10/2024: the counting board reports one result; when it splits into
    teams their figures must agree before the minutes are signed. ``team_results`` maps a team
    name to its figures (e.g. :meth:`TallyResult.figures`).
    """
    if len(team_results) < 2:
        raise TallyError("Cần số liệu của ít nhất hai tổ kiểm phiếu để đối chiếu.")
    items: dict[str, None] = {}
    for figures in team_results.values():
        items.update(dict.fromkeys(figures))
    found: list[Discrepancy] = []
    for item in items:
        figures = {team: res.get(item) for team, res in team_results.items()}
        if len(set(figures.values())) > 1:
            found.append(Discrepancy(item, figures))
    return found


# --- reading the files the CLI and the upload form take -----------------------------------


def parse_candidates(text: str) -> list[str]:
    """Candidate names, one per line in ballot order; blank lines skipped, BOM tolerated."""
    names = [nfc(line) for line in text.lstrip("\ufeff").splitlines()]
    names = [n for n in names if n]
    _check_candidates(names)
    return names


def parse_ballots_csv(text: str, candidates: Sequence[str]) -> list[Ballot]:
    """Ballots from CSV: header of candidate names (any order), then one 0/1 row per ballot.

    Columns are mapped by name into ballot order. Blank lines are skipped; anything else that is
    not 0 or 1 is refused with the line number, so a typing slip is caught before counting.
    """
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(rows, None)
    if not header:
        raise TallyError("Tệp phiếu bầu trống: dòng 1 phải là tên các ứng cử viên.")
    header = [nfc(h) for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise TallyError(f"Dòng 1 của tệp phiếu bầu có tên trùng: {', '.join(dupes)}.")
    missing = [c for c in candidates if c not in header]
    extra = [h for h in header if h not in candidates]
    if missing or extra:
        detail = "; ".join(
            part
            for part in (
                f"thiếu {', '.join(missing)}" if missing else "",
                f"thừa {', '.join(extra) or '(cột trống)'}" if extra else "",
            )
            if part
        )
        raise TallyError(f"Dòng 1 của tệp phiếu bầu không khớp danh sách ứng cử viên ({detail}).")
    column = [header.index(c) for c in candidates]
    ballots: list[Ballot] = []
    for row in rows:
        line = rows.line_num
        if not row:
            continue
        if len(row) != len(header):
            raise TallyError(f"Dòng {line} của tệp phiếu bầu có {len(row)} cột, cần {len(header)}.")
        cells = [cell.strip() for cell in row]
        for name, cell in zip(header, cells, strict=True):
            if cell not in ("0", "1"):
                raise TallyError(
                    f"Dòng {line} của tệp phiếu bầu, cột “{name}”: giá trị “{cell}” không hợp lệ "
                    "(chỉ được 1 = giữ tên, 0 = gạch tên)."
                )
        ballots.append(Ballot(tuple(cells[i] == "1" for i in column)))
    return ballots
