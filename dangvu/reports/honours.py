"""Party badge documents: the proposal list (danh sách đề nghị tặng Huy hiệu Đảng) and the decision
(quyết định tặng Huy hiệu Đảng) of one occasion, as .docx in the party layout of
:mod:`dangvu.reports.docx` and as .xlsx. Reads the rows the views bring from the honours
selectors; writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from dangvu.core import partydoc
from dangvu.registry.models import Organization

from . import docx as layout
from .xlsx import XLSX_MIME, safe_append, save_workbook

__all__ = ["XLSX_MIME", "BadgeLine", "decision_docx", "decision_xlsx", "proposal_docx", "proposal_xlsx"]

HEADER = ["STT", "Họ và tên", "Năm sinh", "Chi bộ", "Ngày vào Đảng", "Tuổi đảng", "Huy hiệu", "Ghi chú"]
XLSX_WIDTHS = (6, 30, 10, 32, 14, 12, 12, 22)
DOCX_WIDTHS_CM = (1.0, 4.0, 1.4, 3.3, 2.2, 1.4, 1.5, 1.7)


@dataclass(frozen=True)
class BadgeLine:
    """One member's line on an occasion's list."""

    name: str
    birth_year: int
    unit: str
    admitted_on: dt.date | None
    party_age_years: int
    badge: int
    early: bool = False
    posthumous: bool = False

    @property
    def note(self) -> str:
        return ", ".join(n for n, on in (("Tặng sớm (bệnh nặng)", self.early), ("Truy tặng", self.posthumous)) if on)

    def cells(self, n: int) -> list[object]:
        admitted = f"{self.admitted_on:%d/%m/%Y}" if self.admitted_on else ""
        return [n, self.name, self.birth_year, self.unit, admitted, self.party_age_years,
                f"{self.badge} năm", self.note]


def _title(occasion: dt.date) -> str:
    return f"Dịp {occasion:%d/%m/%Y}"


def _table(doc, lines: Sequence[BadgeLine]) -> None:
    rows = [[str(c) for c in line.cells(n)] for n, line in enumerate(lines, start=1)]
    layout.grid(doc, HEADER, rows, left=(1, 3), size=11, widths=DOCX_WIDTHS_CM)


def _summary(lines: Sequence[BadgeLine]) -> str:
    per: dict[int, int] = {}
    for line in lines:
        per[line.badge] = per.get(line.badge, 0) + 1
    return "; ".join(f"huy hiệu {b} năm: {n} đồng chí" for b, n in sorted(per.items()))


def proposal_docx(org: Organization, occasion: dt.date, lines: Sequence[BadgeLine], signer: layout.Signer) -> bytes:
    """Danh sách đề nghị tặng Huy hiệu Đảng of the organization for the occasion."""
    doc = layout.new_document()
    issuer = partydoc.committee_name(org.name, org.is_cell)
    layout.org_header(doc, org, issuer=issuer, number_line=partydoc.number_line("DS", issuer))
    layout.title(doc, "DANH SÁCH", f"đề nghị tặng Huy hiệu Đảng — {_title(occasion)}")
    layout.paragraph(doc, f"Tổng số: {len(lines)} đồng chí ({_summary(lines) or 'không có'}).")
    _table(doc, lines)
    layout.recipients(doc, ["Cấp ủy cấp trên"], signer.capacity, signer.name)
    return layout.save(doc)


def decision_docx(org: Organization, occasion: dt.date, lines: Sequence[BadgeLine], decided_on: dt.date,
                  decision_number: str, signer: layout.Signer) -> bytes:
    """Quyết định tặng Huy hiệu Đảng with the list of the members awarded attached."""
    doc = layout.new_document()
    issuer = partydoc.committee_name(org.name, org.is_cell)
    layout.org_header(doc, org, issuer=issuer, number_line=f"Số {decision_number}", on=decided_on)
    layout.title(doc, "QUYẾT ĐỊNH", f"tặng Huy hiệu Đảng — {_title(occasion)}")
    layout.paragraph(doc, "- Căn cứ Điều lệ Đảng;")
    layout.paragraph(doc, "- Căn cứ Hướng dẫn 01-HD/TW, ngày 28/9/2021 về một số vấn đề cụ thể thi hành "
                          "Điều lệ Đảng (mục 18, Huy hiệu Đảng);")
    layout.paragraph(doc, "- Xét đề nghị của các chi bộ, đảng bộ trực thuộc,")
    layout.title(doc, "QUYẾT ĐỊNH", rule=False)
    layout.paragraph(doc, f"Điều 1. Tặng Huy hiệu Đảng cho {len(lines)} đồng chí có tên trong danh sách "
                          f"kèm theo ({_summary(lines)}).")
    layout.paragraph(doc, "Điều 2. Các chi bộ, đảng bộ trực thuộc và các đồng chí có tên tại Điều 1 "
                          "chịu trách nhiệm thi hành quyết định này.")
    layout.heading(doc, "DANH SÁCH KÈM THEO")
    _table(doc, lines)
    layout.recipients(doc, ["Như Điều 2", "Cấp ủy cấp trên"], signer.capacity, signer.name)
    return layout.save(doc)


def _workbook(heading: str, sub: str, lines: Sequence[BadgeLine]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Huy hiệu Đảng"
    safe_append(ws, [heading])
    safe_append(ws, [sub])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    ws.append(HEADER)
    for idx, width in enumerate(XLSX_WIDTHS, start=1):
        cell = ws.cell(row=4, column=idx)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="A50E0E")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[cell.column_letter].width = width
    for n, line in enumerate(lines, start=1):
        safe_append(ws, line.cells(n))
    ws.freeze_panes = "A5"
    return save_workbook(wb)


def proposal_xlsx(org: Organization, occasion: dt.date, lines: Sequence[BadgeLine]) -> bytes:
    return _workbook("DANH SÁCH ĐỀ NGHỊ TẶNG HUY HIỆU ĐẢNG", f"{org.name} — {_title(occasion)}", lines)


def decision_xlsx(org: Organization, occasion: dt.date, lines: Sequence[BadgeLine], decided_on: dt.date,
                  decision_number: str) -> bytes:
    return _workbook("DANH SÁCH TẶNG HUY HIỆU ĐẢNG",
                     f"{org.name} — {_title(occasion)} — Quyết định số {decision_number} "
                     f"ngày {decided_on:%d/%m/%Y}", lines)
