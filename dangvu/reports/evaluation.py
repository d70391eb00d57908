"""The published list of a round as an Excel workbook (reads the services' rows, writes nothing)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .xlsx import XLSX_MIME, safe_append, save_workbook

__all__ = ["XLSX_MIME", "published_workbook"]
HEADERS = ("STT", "Họ và tên / Tổ chức", "Đơn vị", "Chức vụ", "Điểm tự chấm", "Kết quả xếp loại", "Lý do hạ mức")
WIDTHS = (6, 34, 30, 30, 12, 30, 60)


def published_workbook(rnd, rows: Iterable[Mapping[str, Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Kết quả xếp loại"
    safe_append(ws, [f"KẾT QUẢ {rnd.title.upper()}"])
    safe_append(ws, [f"{rnd.organization.name} — {rnd.get_state_display()}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    ws.append(list(HEADERS))
    for idx, width in enumerate(WIDTHS, start=1):
        cell = ws.cell(row=4, column=idx)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="A50E0E")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[cell.column_letter].width = width
    for n, r in enumerate(rows, start=1):
        safe_append(ws, [n, r["name"], r["unit"], r["position"], r["self_total"], r["grade_label"], r["reasons"]])
    ws.freeze_panes = "A5"
    return save_workbook(wb)
