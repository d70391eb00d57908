"""Excel import of a cell's fee book, the reading side: the columns, and the whole-file check of
every row against the cell's members, their dues and what the book already holds. Nothing here writes.

It runs on the registry's import machinery: the same workbook reader (bounds, header search,
python-calamine), the same staged batch (:class:`~dangvu.registry.models.ImportBatch`, kind
``fee_book``) and the same :class:`~dangvu.registry.excel_check.Result`. The writer is
:mod:`dangvu.fees.services_import`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from typing import Any

from dangvu.core import clock
from dangvu.core.fees import dong, month_start
from dangvu.core.numbers import parse_amount
from dangvu.core.text import fold
from dangvu.registry.excel import Column, parse_date, read_sheet
from dangvu.registry.excel import cell_text as _cell_text
from dangvu.registry.excel_check import Result
from dangvu.registry.models import Member, Organization

from . import selectors as sel
from .models import FeePayment

FEE_COLUMNS: tuple[Column, ...] = (
    Column("full_name", "Họ và tên", "Họ và tên đầy đủ, có dấu, như trong danh sách chi bộ.", 28, max_length=120),
    Column("identity", "Số thẻ đảng viên/CCCD",
           "Số thẻ đảng viên hoặc số CCCD (nên có: phân biệt người trùng tên). Có thể để trống nếu ghi họ tên.",
           18, max_length=20),
    Column("month", "Tháng", "Tháng nộp cho, dạng 11/2026.", 10, True),
    Column("amount", "Số tiền", "Số đồng đã nộp, ví dụ 73.500. Để trống hoặc 0 khi chưa nộp có lý do.", 14),
    Column("reason", "Ghi chú/lý do", "Lý do chưa nộp (bắt buộc khi số tiền để trống).", 30, max_length=255),
)
_MONTH_TEXT = re.compile(r"^(?:t|thang)?\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(value: Any) -> dt.date:
    """A month cell: 11/2026, T11/2026, 2026-11, or a date (its month). ValueError otherwise."""
    if isinstance(value, dt.date | dt.datetime) or isinstance(value, int | float) and not isinstance(value, bool):
        day = parse_date(value)
        return month_start(day)
    text = fold(_cell_text(value)).replace(" ", "")
    if m := _MONTH_TEXT.match(text):
        month, year = int(m[1]), int(m[2])
    elif m := _ISO_MONTH.match(text):
        year, month = int(m[1]), int(m[2])
    else:
        day = parse_date(value)
        if day is None:
            raise ValueError(text)
        return month_start(day)
    if not 1 <= month <= 12:
        raise ValueError(text)
    return dt.date(year, month, 1)


def _amount(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        if value < 0:
            raise ValueError(value)
        return value
    if isinstance(value, float):
        if not value.is_integer() or value < 0:
            raise ValueError(value)
        return int(value)
    return parse_amount(_cell_text(value))


class _Members:
    """The cell's members by card number, CCCD and folded name."""

    def __init__(self, members: list[Member]) -> None:
        self.by_id: dict[str, Member] = {}
        self.by_name: dict[str, list[Member]] = defaultdict(list)
        for m in members:
            for key in (m.card_number, m.cccd):
                if key:
                    self.by_id[key.strip()] = m
            self.by_name[fold(m.full_name)].append(m)

    def find(self, name: str, identity: str) -> tuple[Member | None, str]:
        if identity:
            member = self.by_id.get(identity.replace(" ", ""))
            if member is None:
                return None, f"Không có đảng viên nào của chi bộ có số thẻ/CCCD «{identity}»."
            if name and fold(name) != fold(member.full_name):
                return None, f"Số thẻ/CCCD «{identity}» là của đồng chí {member.full_name}, không phải «{name}»."
            return member, ""
        if not name:
            return None, "Cần ghi họ và tên hoặc số thẻ đảng viên/CCCD."
        found = self.by_name.get(fold(name), [])
        if not found:
            return None, f"Chi bộ không có đảng viên tên «{name}»."
        if len(found) > 1:
            return None, f"Chi bộ có {len(found)} đồng chí tên «{name}»: hãy ghi số thẻ đảng viên hoặc CCCD."
        return found[0], ""


def _read_row(number: int, raw: dict[str, Any], people: _Members, today: dt.date) -> tuple[dict[str, Any], list[str]]:
    errors: list[str] = []
    name, identity = _cell_text(raw.get("full_name")), _cell_text(raw.get("identity")).replace(".", "")
    reason = _cell_text(raw.get("reason"))[:255]
    member, why = people.find(name, identity)
    if why:
        errors.append(why)
    month = None
    try:
        month = parse_month(raw.get("month"))
        if month > month_start(today):
            errors.append(f"Tháng {month:%m/%Y} chưa đến.")
            month = None
    except (ValueError, OverflowError):
        errors.append(f"Tháng «{_cell_text(raw.get('month'))}» không đúng dạng tháng/năm, ví dụ 11/2026.")
    try:
        amount = _amount(raw.get("amount"))
    except (ValueError, OverflowError):
        errors.append(f"Số tiền «{_cell_text(raw.get('amount'))}» không phải số đồng không âm, ví dụ 73.500.")
        amount = 0
    if not amount and not reason and not errors:
        errors.append("Số tiền để trống (hoặc 0) thì phải ghi lý do chưa nộp.")
    return {"row": number, "member": member.pk if member else None, "name": member.full_name if member else name,
            "month": month, "amount": amount or 0, "reason": reason}, errors


def validate(org: Organization, content: bytes, today: dt.date | None = None) -> Result:
    """Check the whole file: every problem of every row, in plain Vietnamese (raises WorkbookError
    when the file as a whole cannot be used). A row for a member and month the book already holds,
    or given twice, is refused: importing the same file twice must not pay twice."""
    today = today or clock.today()
    sheet = read_sheet(content, FEE_COLUMNS)
    people = _Members(list(sel.book_members(org)))
    rows = [_read_row(n, raw, people, today) for n, raw in sheet.rows]
    pairs = Counter((r["member"], r["month"]) for r, errors in rows if not errors)
    recorded = set(FeePayment.objects.filter(member_id__in={p[0] for p in pairs}, month__in={p[1] for p in pairs})
                   .values_list("member_id", "month"))
    dues = {month: sel.bases_in_force([p[0] for p in pairs if p[1] == month], month) for month in {p[1] for p in pairs}}
    result = Result(rows=len(rows))
    for data, errors in rows:
        key = (data["member"], data["month"])
        if not errors and pairs[key] > 1:
            errors.append(f"Đồng chí {data['name']} có {pairs[key]} dòng cho tháng {data['month']:%m/%Y}: gộp lại một dòng.")
        if not errors and key in recorded:
            errors.append(f"Sổ đã ghi đồng chí {data['name']} tháng {data['month']:%m/%Y}; muốn sửa thì dùng «Đính chính».")
        if errors:
            result.problems.append({"row": data["row"], "errors": errors})
            continue
        due = sel.due_from(dues[data["month"]].get(data["member"]), data["month"])
        data["due"] = due.due if due else None
        if due and 0 < data["amount"] < due.due:
            result.warnings.append({"row": data["row"], "warnings": [
                f"Nộp thiếu: {dong(data['amount'])} trên {dong(due.due)} đồng phải nộp."]})
        result.good.append(data)
    return result


def preview_rows(result: Result, count: int = 20) -> list[dict[str, Any]]:
    """The first good rows as the preview shows them."""
    out = []
    for r in result.good[:count]:
        paid = f"{dong(r['amount'])} đ" if r["amount"] else f"Chưa nộp: {r['reason']}"
        due = f"{dong(r['due'])} đ" if r["due"] is not None else "chưa có mức đóng"
        out.append({"row": r["row"], "values": [r["name"], f"{r['month']:%m/%Y}", paid, due]})
    return out


PREVIEW_HEADERS = ["Họ và tên", "Tháng", "Đã nộp", "Phải nộp"]
