"""Apportioning congress delegates among subordinate organizations (phân bổ đại biểu).

Sources: Quyết định 190-QĐ/TW (phân bổ đại biểu do cấp ủy triệu tập quyết định); Kế hoạch
133-KH/ĐUK. The regulations leave the method to the convening committee; Đảng vụ offers a
guaranteed minimum per organization plus largest remainder on membership, computed with exact
integers so two machines always agree to the seat.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction


class ApportionError(ValueError):
    """Input that cannot be apportioned; the message is plain Vietnamese for the user."""


@dataclass(frozen=True)
class ApportionLine:
    """How one organization's seats were reached, for showing the working in the UI."""

    code: str
    members: int
    minimum: int  # guaranteed seats (K)
    base: int  # ⌊R·m/M⌋ seats from the proportional share
    quota: Fraction  # exact proportional share R·m/M of the remaining seats
    remainder: int  # R·m mod M, compared between organizations for the leftover seats
    extra: int  # leftover seats given by largest remainder (or round robin when M = 0)

    @property
    def seats(self) -> int:
        return self.minimum + self.base + self.extra


def _validate(orgs: Sequence[tuple[str, int]], seats: int, minimum: int) -> None:
    if not orgs:
        raise ApportionError("Chưa có tổ chức nào để phân bổ đại biểu.")
    if minimum < 0:
        raise ApportionError(f"Số đại biểu tối thiểu mỗi tổ chức không được âm (nhận được {minimum}).")
    if seats < 0:
        raise ApportionError(f"Tổng số đại biểu không được âm (nhận được {seats}).")
    seen: set[str] = set()
    for code, members in orgs:
        if not code:
            raise ApportionError("Có tổ chức không có mã.")
        if code in seen:
            raise ApportionError(f"Mã tổ chức “{code}” bị trùng.")
        seen.add(code)
        if members < 0:
            raise ApportionError(f"Tổ chức “{code}” có số đảng viên âm ({members}).")
    needed = minimum * len(orgs)
    if seats < needed:
        raise ApportionError(
            f"Tổng số đại biểu ({seats}) ít hơn mức tối thiểu {minimum} đại biểu cho mỗi "
            f"tổ chức × {len(orgs)} tổ chức = {needed}."
        )


def apportion_detail(orgs: Sequence[tuple[str, int]], seats: int, minimum: int) -> list[ApportionLine]:
    """Per-organization working of :func:`apportion`, in input order.

    Quyết định 190-QĐ/TW (phân bổ đại biểu do cấp ủy triệu tập quyết định); Kế hoạch 133-KH/ĐUK.
    Each organization gets ``minimum`` (K). The rest R = S − K·n go by largest remainder: each
    gets ⌊R·m/M⌋, and the seats left go to the largest R·m mod M, ties to more members, then to
    the smaller code. When every organization has 0 members (M = 0) there is no proportion to
    follow, so the R seats go round robin in code order — the same tie rule with all shares equal.
    """
    _validate(orgs, seats, minimum)
    rest = seats - minimum * len(orgs)
    total = sum(m for _, m in orgs)
    if total == 0:
        lines = [ApportionLine(code, m, minimum, 0, Fraction(0), 0, 0) for code, m in orgs]
        left = rest
    else:
        lines = [
            ApportionLine(code, m, minimum, rest * m // total, Fraction(rest * m, total), rest * m % total, 0)
            for code, m in orgs
        ]
        left = rest - sum(line.base for line in lines)
    # The ranking also covers M = 0: every remainder and member count is 0 there, so code decides.
    ranked = sorted(range(len(lines)), key=lambda i: (-lines[i].remainder, -lines[i].members, lines[i].code))
    extras = [0] * len(lines)
    for turn in range(left):
        extras[ranked[turn % len(ranked)]] += 1
    return [
        ApportionLine(ln.code, ln.members, ln.minimum, ln.base, ln.quota, ln.remainder, extras[i])
        for i, ln in enumerate(lines)
    ]


def apportion(orgs: Sequence[tuple[str, int]], seats: int, minimum: int) -> dict[str, int]:
    """Seats per organization code (input order): K each, the rest by largest remainder on members.

    Quyết định 190-QĐ/TW (phân bổ đại biểu do cấp ủy triệu tập quyết định); Kế hoạch 133-KH/ĐUK.
    See :func:`apportion_detail` for the method and the M = 0 case. Raises
    :class:`ApportionError` (a ``ValueError``) when S < K·n or the input is malformed.
    """
    return {line.code: line.seats for line in apportion_detail(orgs, seats, minimum)}


def parse_orgs_csv(text: str) -> list[tuple[str, int]]:
    """(code, members) rows from a CSV with header columns ``code,members`` (others ignored)."""
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(rows, None)
    if not header:
        raise ApportionError("Tệp danh sách tổ chức trống: dòng 1 phải là tiêu đề “code,members”.")
    header = [h.strip().lower() for h in header]
    missing = [col for col in ("code", "members") if col not in header]
    if missing:
        raise ApportionError(f"Dòng 1 (tiêu đề) thiếu cột: {', '.join(missing)}.")
    code_at, members_at = header.index("code"), header.index("members")
    orgs: list[tuple[str, int]] = []
    lines: dict[str, int] = {}
    for row in rows:
        line = rows.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ApportionError(f"Dòng {line} có {len(row)} cột, cần {len(header)}.")
        code, raw = row[code_at].strip(), row[members_at].strip()
        if not code:
            raise ApportionError(f"Dòng {line}: thiếu mã tổ chức.")
        if code in lines:
            raise ApportionError(f"Dòng {line}: mã tổ chức “{code}” trùng với dòng {lines[code]}.")
        if not raw.isascii() or not raw.isdigit():
            raise ApportionError(
                f"Dòng {line}: số đảng viên “{raw}” của “{code}” phải là số nguyên không âm."
            )
        lines[code] = line
        orgs.append((code, int(raw)))
    if not orgs:
        raise ApportionError("Tệp danh sách tổ chức không có dòng dữ liệu nào sau tiêu đề.")
    return orgs
