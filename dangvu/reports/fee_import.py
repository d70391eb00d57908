"""The fee book import template: the cell's members already listed (name, card number or CCCD)
with the month, so the collector fills only the amounts and reasons; a guide sheet explains the
columns. Read only, never writes the database."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dangvu.fees.imports import FEE_COLUMNS
from dangvu.registry.models import Member

from .xlsx import safe_row

_HEADER = Font(bold=True, color="FFFFFF")
_FILL = PatternFill("solid", fgColor="A50E0E")


def fee_book_template(members: list[Member], month: dt.date) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sổ thu đảng phí"
    ws.append([c.title for c in FEE_COLUMNS])
    for idx, col in enumerate(FEE_COLUMNS, start=1):
        cell = ws.cell(row=1, column=idx)
        cell.font, cell.fill = _HEADER, _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = get_column_letter(idx)
        ws.column_dimensions[letter].width = col.width
        if col.key in ("identity", "month"):
            ws.column_dimensions[letter].number_format = "@"  # keep leading zeros and "11/2026" as typed
    for m in members:
        ws.append(safe_row(ws, [m.full_name, m.card_number or m.cccd or "", f"{month:%m/%Y}", None, None]))
    ws.freeze_panes = "A2"
    guide = wb.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Cách ghi"])
    for col in FEE_COLUMNS:
        guide.append(safe_row(guide, [col.title + (" (bắt buộc)" if col.required else ""), col.help]))
    guide.column_dimensions["A"].width, guide.column_dimensions["B"].width = 26, 90
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
