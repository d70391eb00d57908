"""Targets in a table of targets: "| TT | Chỉ tiêu | Đơn vị tính | Năm 2025 | Mục tiêu đến năm 2030 |".

The header row says which column names the goal, which gives its unit and which hold figures:
a column headed by a result ("Kết quả năm 2025", "Thực hiện", "Hiện nay") holds the baseline, a
column headed by a goal or a later year ("Mục tiêu đến năm 2030", "Năm 2026") holds a target due
that year. Rows measured in money, area or other units no indicator counts are left out, as in
running text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dangvu.core.planparse.binding import bind
from dangvu.core.planparse.normalize import Source, fold, squeeze

_NAME = ("chi tieu", "noi dung", "ten chi tieu", "muc tieu cu the")
_BASE = ("ket qua", "thuc hien", "hien nay", "hien trang", "uoc", "thuc trang", "da dat", "nam truoc")
_GOAL = ("muc tieu", "chi tieu", "ke hoach", "phan dau", "den nam", "giai doan", "dat")
_YEAR = re.compile(r"(?:19|20)\d\d")
# Units a target may carry in a table; anything else (tỷ đồng, ha, km, triệu đồng/năm) is skipped.
_COUNT_UNITS = re.compile(r"^(?:dang vien|nguoi|chi bo|to chuc(?: dang| co so dang)?|dang bo|co so|don vi|"
                          r"lop|luot|buoi|cuoc|mo hinh|thon|xa|to|doanh nghiep|ho|hoc vien|quan chung|so luong|"
                          r"cai|so|tap the|ca nhan|bai|tin|truong|dong chi|cong trinh|de tai|chuyen de|hoi nghi|lop hoc|khu dan cu|"
                          r"to dan pho|thon, to dan pho|mo hinh)$")
_VALUE = re.compile(r"(\d{1,3}(?:[.,]\d{1,3})?)")


@dataclass
class Column:
    role: str           # name | unit | base | goal | other
    year: int | None


def cells(doc: Source, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of a "| a | b |" row's cells (the outer empty pieces dropped)."""
    out, pos = [], start
    for piece in doc.src[start:end].split("|"):
        out.append((pos, pos + len(piece)))
        pos += len(piece) + 1
    if out and not doc.src[out[0][0]: out[0][1]].strip():
        out.pop(0)
    if out and not doc.src[out[-1][0]: out[-1][1]].strip():
        out.pop()
    return out


def columns(header: list[str], issued_year: int | None = None) -> list[Column] | None:
    """Column roles of a header row (folded cell texts), or None when it heads no target table.

    A year column without a word is a goal, unless its year is before the plan's own year (a
    baseline: "Năm 2025" in a plan of 2026)."""
    cols: list[Column] = []
    for text in header:
        years = [int(y) for y in _YEAR.findall(text)]
        year = max(years) if years else None
        if re.fullmatch(r"(?:don vi tinh|don vi|dvt)\.?", text):
            role = "unit"
        elif any(re.search(rf"\b{w}\b", text) for w in _BASE):  # "uoc" is not "được"
            role = "base"
        elif any(text.startswith(w) for w in _NAME) and "name" not in [c.role for c in cols]:
            role = "name"
        elif year or any(re.search(rf"\b{w}\b", text) for w in _GOAL):
            role = "goal"
        else:
            role = "other"
        cols.append(Column(role, year))
    roles = [c.role for c in cols]
    if "name" not in roles or "goal" not in roles:
        return None
    for col, text in zip(cols, header, strict=True):
        if col.role == "goal" and col.year and issued_year and col.year < issued_year \
                and not re.search(r"muc tieu|ke hoach|phan dau|den nam", text):
            col.role = "base"
    return cols if any(c.role == "goal" for c in cols) else None


def _unit(unit_cell: str, name: str, goal_cells: str = "") -> str | None:
    u = " ".join(unit_cell.replace("(", " ").replace(")", " ").split())
    if not u:
        # No unit column: "Tỷ lệ ... (%)", "Số mô hình ... (mô hình)", "(đồng chí/năm)"; a remark in
        # parentheses that is no unit ("(toàn tỉnh)") is left to the name.
        m = re.search(r"\(([^()]{1,20})\)\s*$", name)
        inside = m.group(1).split("/")[0].strip() if m else ""
        u = inside if inside == "%" or _COUNT_UNITS.match(inside) else ""
    u = u.split("/")[0].strip() if "/" in u else u
    if "%" in u or u.startswith("ty le") or (not u and (name.startswith("ty le") or "%" in goal_cells)):
        return "%"
    if _COUNT_UNITS.match(u) or (not u and name.startswith("so ")):
        return "count"
    return None


def _op_value(src: str, scanned: bool = False) -> tuple[str, float, float | None] | None:
    """Operator and value(s) of a goal cell: "≥ 95", "dưới 1,5", "75 trở lên", "3 - 4", "100"."""
    low = fold(src)
    nums = [float(n.replace(",", ".")) for n in _VALUE.findall(low)]
    if not nums:
        return None
    if len(nums) >= 2 and re.search(r"\d\s*(?:-|den)\s*\d", low):
        return "range", nums[0], nums[1]
    v = nums[0]
    if "≥" in src or ">=" in src or re.search(r"tro len|it nhat|toi thieu|khong duoi", low):
        return ">=", v, None
    if "≤" in src or "<=" in src or re.search(r"khong qua|toi da|tro xuong|khong vuot", low):
        return "<=", v, None
    if ">" in src and scanned:
        return ">=", v, None  # Tesseract reads "≥" as ">"; a scanned table's ">" was most likely "≥"
    if ">" in src or re.search(r"\btren\b|\bhon\b", low):
        return ">", v, None
    if "<" in src or re.search(r"\bduoi\b", low):
        return "<", v, None
    return ("=" if v == 100 else ">="), v, None


def _clean(x: float | None) -> float | int | None:
    return None if x is None else int(x) if float(x).is_integer() else x


def table_targets(doc: Source, rows: list[tuple[int, int]], section: str | None,
                  heading_year: int | None, issued_year: int | None = None, scanned: bool = False) -> list[dict]:
    """Targets of one table given as the spans of its consecutive rows."""
    out: list[dict] = []
    cols: list[Column] | None = None
    for start, end in rows:
        spans = cells(doc, start, end)
        texts = [" ".join(doc.low[s:e].split()) for s, e in spans]
        found = columns(texts, issued_year)
        if found and not any(_VALUE.fullmatch(t) for t in texts[:1]):
            cols = found
            continue
        if cols is None or len(spans) != len(cols):
            continue
        roles = [c.role for c in cols]
        name_i = roles.index("name")
        name_src = squeeze(doc.src[spans[name_i][0]: spans[name_i][1]])
        name = " ".join(fold(name_src).split())
        goal_cells = " ".join(t for t, c in zip(texts, cols, strict=True) if c.role == "goal")
        unit = _unit(texts[roles.index("unit")] if "unit" in roles else "", name, goal_cells)
        if unit is None:
            continue
        base = None
        for col, (s, e) in zip(cols, spans, strict=True):
            if col.role == "base":
                m = _VALUE.search(doc.low, s, e)
                base = _clean(float(m.group(1).replace(",", "."))) if m else base
        period = "annual" if re.search(r"hang nam|moi nam", name) else "term" if "nhiem ky" in name else None
        for col, (s, e) in zip(cols, spans, strict=True):
            if col.role != "goal":
                continue
            parsed = _op_value(doc.src[s:e], scanned)
            if parsed is None:
                continue
            op, value, value_max = parsed
            out.append({
                "text": squeeze(f"{name_src}: {doc.src[s:e]}")[:300],
                "op": op, "value": _clean(value), "value_max": _clean(value_max), "unit": unit,
                "by": col.year or heading_year, "period": period, "baseline": base,
                "bindings": bind(name, "", name, unit, period, name),
                "section": section,
            })
    return out
