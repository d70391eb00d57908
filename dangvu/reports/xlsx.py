"""Excel writers: the import templates and the member-list export (read only, never write the DB).

The export uses the template's columns so an exported list, once edited, imports again.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from dangvu.core import clock
from dangvu.core.safefiles import strip_controls
from dangvu.registry.excel import COLUMNS, MEMBER_COLUMNS, THEORY_CHOICES, YES, Column
from dangvu.registry.models import Gender, MemberStatus, OrgKind, Sector

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="A50E0E")
_TEXT_KEYS = {"code", "parent", "org", "phone", "cccd", "education", "card_number"}
_DATA_ROWS = 2000  # how far down the template's validation lists and formats reach

SHEET_DATA = {"organizations": "Tổ chức đảng", "members": "Đảng viên"}
SHEET_GUIDE = "Hướng dẫn"
SHEET_LISTS = "Danh mục"


# A cell starting with one of these is a formula (or becomes one when edited) in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_value(ws, value: Any) -> Any:
    """A value for a cell that is never run as a formula and never breaks the file (issue 12).

    Control characters are dropped (a stored ``\x01`` made openpyxl refuse the whole export);
    text starting with ``=``, ``+``, ``-``, ``@``, tab or CR becomes a *string* cell marked with a
    quote prefix, so Excel shows it as typed and keeps it text when the cell is edited. The value
    itself is unchanged, so an exported list imports again as it was."""
    if not isinstance(value, str):
        return value
    value = strip_controls(value)
    if not value.startswith(FORMULA_STARTS):
        return value
    cell = WriteOnlyCell(ws, value=value)  # a detached cell: ws.append places it, in either mode
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def safe_row(ws, values: Iterable[Any]) -> list[Any]:
    """``values`` made safe for ``ws.append`` (see :func:`safe_value`)."""
    return [safe_value(ws, v) for v in values]


def safe_append(ws, values: Iterable[Any]) -> None:
    ws.append(safe_row(ws, values))


def _neutralise(wb: Workbook) -> None:
    """Last guard before saving an ordinary workbook: no cell holds a formula."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    cell.quotePrefix = True


def _save(wb: Workbook) -> bytes:
    if not wb.write_only:
        _neutralise(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


save_workbook = _save


def _lists(kind: str, codes: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Allowed values per column key (labels, as shown to the user)."""
    lists: dict[str, list[str]] = {}
    for col in COLUMNS[kind]:
        if col.choices:
            lists[col.key] = list(col.choices)
    if codes:
        lists["org" if kind == "members" else "parent"] = [code for code, _ in codes]
    return lists


def template_workbook(kind: str, codes: list[tuple[str, str]] | None = None) -> bytes:
    """An empty import workbook: the data sheet, a guide, and the lists behind the drop-downs.

    ``codes`` are (code, name) of the organizations the user may import into (cells for
    members, any organization for the parent column of organizations).
    """
    columns = COLUMNS[kind]
    codes = codes or []
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_DATA[kind]
    ws.append([c.title for c in columns])
    for idx, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=idx)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = get_column_letter(idx)
        ws.column_dimensions[letter].width = col.width
        if col.kind == "date":
            ws.column_dimensions[letter].number_format = DATE_FORMAT
        elif col.key in _TEXT_KEYS:
            ws.column_dimensions[letter].number_format = "@"
    ws.row_dimensions[1].height = 36
    ws.freeze_panes = "A2"

    lists_ws = wb.create_sheet(SHEET_LISTS)
    for idx, (key, values) in enumerate(_lists(kind, codes).items(), start=1):
        title = next(c.title for c in columns if c.key == key)
        lists_ws.cell(row=1, column=idx, value=title).font = Font(bold=True)
        for r, value in enumerate(values, start=2):
            lists_ws.cell(row=r, column=idx, value=strip_controls(value))
        letter = get_column_letter(idx)
        data_col = get_column_letter(next(i for i, c in enumerate(columns, start=1) if c.key == key))
        # Codes may also be rows of the same file (organizations), so those only warn.
        strict = key not in ("parent", "org")
        dv = DataValidation(type="list", formula1=f"='{SHEET_LISTS}'!${letter}$2:${letter}${len(values) + 1}",
                            allow_blank=True, showErrorMessage=True, errorStyle="stop" if strict else "warning",
                            error="Hãy chọn một giá trị trong danh sách.", errorTitle="Giá trị không hợp lệ")
        dv.add(f"{data_col}2:{data_col}{_DATA_ROWS + 1}")
        ws.add_data_validation(dv)
        lists_ws.column_dimensions[letter].width = 30
    lists_ws.sheet_state = "hidden"

    _guide(wb.create_sheet(SHEET_GUIDE, 1), kind, columns, codes)
    return _save(wb)


def _guide(ws, kind: str, columns: tuple[Column, ...], codes: list[tuple[str, str]]) -> None:
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 90
    title = "Hướng dẫn nhập danh sách " + ("tổ chức đảng" if kind == "organizations" else "đảng viên")
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["Điền mỗi dòng một " + ("tổ chức" if kind == "organizations" else "đảng viên")
               + f" vào trang «{SHEET_DATA[kind]}», giữ nguyên dòng tiêu đề. Ngày ghi dạng dd/mm/yyyy "
               "hoặc dùng ô kiểu ngày. Chữ hoa, chữ thường, có dấu hay không dấu đều được chấp nhận."])
    ws.append([])
    ws.append(["Cột", "Bắt buộc", "Cách ghi"])
    for cell in ws[4]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for col in columns:
        ws.append([col.title, "Có" if col.required else "", col.help])
        ws.cell(row=ws.max_row, column=3).alignment = Alignment(wrap_text=True)
    sections: list[tuple[str, Iterable[str]]] = []
    if kind == "organizations":
        sections += [("Các giá trị của cột «Loại»", OrgKind.labels),
                     ("Các giá trị của cột «Loại hình»", Sector.labels)]
    else:
        sections += [("Các giá trị của cột «Giới tính»", Gender.labels),
                     ("Các giá trị của cột «Lý luận chính trị»", [*THEORY_CHOICES, "(để trống: chưa qua đào tạo)"]),
                     ("Các cột Có/Không", [YES, "Không"])]
    for heading, values in sections:
        ws.append([])
        ws.append([heading])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        for value in values:
            ws.append(["", "", value])
    if codes:
        ws.append([])
        ws.append(["Mã chi bộ bạn được nhập" if kind == "members" else "Mã tổ chức cấp trên bạn được dùng"])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        for code, name in codes:
            safe_append(ws, [code, "", name])


# -- member-list export -------------------------------------------------------------------

EXPORT_FIELDS = ("organization__code", "full_name", "birth_date", "gender", "ethnicity", "religion", "home_town",
                 "residence", "phone", "cccd", "education", "political_theory", "occupation", "is_student",
                 "admitted_on", "full_on", "card_number", "resident", "commune_official", "status")
_THEORY_LABEL = {"": "", "elementary": "Sơ cấp", "intermediate": "Trung cấp", "advanced": "Cao cấp"}
_GENDER_LABEL = dict(Gender.choices)
_STATUS_LABEL = dict(MemberStatus.choices)


def _export_value(key: str, value: Any) -> Any:
    if key == "gender":
        return _GENDER_LABEL.get(value, value)
    if key == "political_theory":
        return _THEORY_LABEL.get(value or "", value)
    if isinstance(value, bool):
        return YES if value else "Không"
    if key == "status":
        return _STATUS_LABEL.get(value, value)
    return "" if value is None else value


# Columns left out of an export for someone without the right to export identity data.
IDENTITY_FIELDS = ("phone", "cccd")
IDENTITY_LEFT_OUT = "Không gồm số điện thoại và số CCCD (cần quyền xuất thông tin định danh)."


def members_workbook(rows: Iterable[Mapping[str, Any]], title: str, described: str, *,
                     identity: bool = True) -> tuple[bytes, int]:
    """The member list as .xlsx (write-only, streamed): title, filter line, then the template's
    columns plus «Trạng thái». Returns the file and the number of members written.

    ``identity=False`` leaves the phone and CCCD columns out (and says so under the title). Every
    text cell goes through :func:`safe_value`: no formula, no control character."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_DATA["members"])
    keep = [i for i, key in enumerate(EXPORT_FIELDS) if identity or key not in IDENTITY_FIELDS]
    columns = list(MEMBER_COLUMNS)
    titles = [columns[i].title for i in keep if i < len(columns)] + ["Trạng thái"]
    widths = [columns[i].width for i in keep if i < len(columns)] + [16]
    for idx, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.freeze_panes = "C5"
    heading = WriteOnlyCell(ws, value=strip_controls(title))
    heading.font = Font(bold=True, size=14)
    ws.append([heading])
    safe_append(ws, [described if identity else f"{described}. {IDENTITY_LEFT_OUT}"])
    ws.append([f"Xuất ngày {clock.today():%d/%m/%Y}"])
    header = []
    for text in titles:
        cell = WriteOnlyCell(ws, value=text)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        header.append(cell)
    ws.append(header)
    keys = [EXPORT_FIELDS[i] for i in keep]
    count = 0
    for row in rows:
        out: list[Any] = []
        for key in keys:
            value = row[key]
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = DATE_FORMAT
                out.append(cell)
            else:
                out.append(safe_value(ws, _export_value(key, value)))
        ws.append(out)
        count += 1
    return _save(wb), count
