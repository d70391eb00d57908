"""Báo cáo thu, nộp đảng phí quý/năm: one row per organization directly under the reporting one
and the total — members, due, collected, voluntary, sent up (and confirmed by the receiver),
kept — as .xlsx and as .docx in the party layout (Quyết định 342-QĐ/TW, 28/12/2010; Hướng dẫn
36-HD/VPTW for the layout). Every figure is an indicator of the registry (``members.count``,
``fees.*``); expected shares are not reported here (what was sent and confirmed is). Read only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from dangvu import indicators
from dangvu.core import clock
from dangvu.core.fees import dong
from dangvu.core.periods import Period
from dangvu.fees.selectors import report_organizations
from dangvu.registry.models import Organization

from . import docx as layout
from .xlsx import XLSX_MIME, safe_append, save_workbook

__all__ = ["XLSX_MIME", "FeeReport", "build", "fee_report_docx", "fee_report_xlsx", "parse_period"]

HEADER = ["TT", "Tổ chức đảng", "Số đảng viên", "Phải thu", "Đã thu", "Tự nguyện", "Nộp cấp trên",
          "Cấp trên xác nhận", "Để lại"]
# The .docx table leaves the confirmed amount to the text under it: eight columns over the 16.5 cm,
# a narrow number and members, the name, five amounts wide enough for "999.999.999" at 12 pt.
DOCX_HEADER = ["TT", "Tổ chức đảng", "Số đảng viên", "Phải thu", "Đã thu", "Tự nguyện", "Nộp cấp trên", "Để lại"]
WIDTHS_CM = (0.9, 2.8, 1.2, 2.32, 2.32, 2.32, 2.32, 2.32)
TABLE_PT = 12


@dataclass(frozen=True)
class FeeRow:
    code: str
    name: str
    members: int
    due: int
    collected: int
    voluntary: int
    remitted: int
    confirmed: int
    kept: int
    unconfirmed: int

    def cells(self) -> list[int]:
        return [self.members, self.due, self.collected, self.voluntary, self.remitted, self.confirmed, self.kept]

    def docx_cells(self) -> list[str]:
        return [str(self.members), *(dong(x) for x in (self.due, self.collected, self.voluntary, self.remitted,
                                                       self.kept))]


@dataclass(frozen=True)
class FeeReport:
    org: Organization
    period: Period
    today: dt.date
    rows: list[FeeRow]
    total: FeeRow

    @property
    def title(self) -> str:
        return f"Thu, nộp đảng phí {self.period.label}"


def parse_period(text: str) -> Period | None:
    """``2026`` (a year) or ``2026-Q3`` (a quarter); None for anything else."""
    m = re.fullmatch(r"\s*(\d{4})(?:-[Qq]([1-4]))?\s*", text or "")
    if not m:
        return None
    year = int(m.group(1))
    return Period.quarter(year, int(m.group(2))) if m.group(2) else Period.year(year)


def _row(org: Organization, period: Period) -> FeeRow:
    def v(key: str) -> indicators.Value:
        return indicators.compute(key, org, period)

    sent = v("fees.remitted_up_amount")
    return FeeRow(org.code, org.name, v("members.count").value, v("fees.due_amount").value,
                  v("fees.collected_amount").value, v("fees.voluntary_amount").value, sent.value,
                  sent.breakdown["confirmed"], v("fees.kept_amount").value, sent.breakdown["unconfirmed"])


def build(org: Organization, period: Period) -> FeeReport:
    """The report's rows: each organization directly under ``org`` (party groups excluded: they
    keep no book of their own) that was not dissolved before the period, and ``org``'s total."""
    children = report_organizations(org, period.start)
    return FeeReport(org, period, clock.today(), [_row(c, period) for c in children], _row(org, period))


def _note(report: FeeReport) -> str:
    t = report.total
    parts = ["Số tiền tính bằng đồng. «Đã thu» là số ghi trong sổ thu các tháng của kỳ (kể cả đính chính, nộp "
             "trước); «Để lại» là số đã thu trừ số đã nộp lên cấp trên."]
    if t.unconfirmed:
        parts.append(f"Còn {t.unconfirmed} khoản nộp cấp trên chưa được xác nhận.")
    return " ".join(parts)


def fee_report_xlsx(report: FeeReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Thu nộp đảng phí"
    safe_append(ws, [f"BÁO CÁO {report.title.upper()}"])
    ws["A1"].font = Font(bold=True, size=13)
    safe_append(ws, [f"{report.org.name} ({report.org.code}) — lập ngày {report.today:%d/%m/%Y}"])
    ws.append([])
    ws.append(HEADER)
    for idx, width in enumerate((6, 40, 12, 14, 14, 14, 14, 16, 14), start=1):
        cell = ws.cell(row=4, column=idx)
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="A50E0E")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[cell.column_letter].width = width
    for n, r in enumerate(report.rows, start=1):
        safe_append(ws, [n, r.name, *r.cells()])
    safe_append(ws, ["", "Tổng cộng", *report.total.cells()])
    last = ws.max_row
    for cell in ws[last]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=5, max_row=last, min_col=3, max_col=len(HEADER)):
        for cell in row:
            cell.number_format = "#,##0"
    ws.append([])
    safe_append(ws, [_note(report)])
    ws.freeze_panes = "C5"
    return save_workbook(wb)


def fee_report_docx(report: FeeReport, signer_post: int | None = None) -> bytes:
    org, t = report.org, report.total
    doc = layout.new_document()
    layout.org_header(doc, org, number_line="Số      -BC/ĐP", on=report.today)
    layout.title(doc, "BÁO CÁO", report.title.upper())
    layout.paragraph(doc, f"{org.name} báo cáo tình hình thu, nộp đảng phí {report.period.label} "
                          f"(từ {report.period.start:%d/%m/%Y} đến {report.period.end:%d/%m/%Y}) như sau:")
    rows = [[str(n), r.name, *r.docx_cells()] for n, r in enumerate(report.rows, start=1)]
    rows.append(["", "Tổng cộng", *t.docx_cells()])
    layout.grid(doc, DOCX_HEADER, rows, size=TABLE_PT, widths=WIDTHS_CM)
    layout.paragraph(doc, f"Tổng số đảng viên: {t.members}; phải thu {dong(t.due)} đồng, đã thu {dong(t.collected)} "
                          f"đồng (tự nguyện đóng thêm {dong(t.voluntary)} đồng); đã nộp cấp trên {dong(t.remitted)} "
                          f"đồng (cấp trên xác nhận {dong(t.confirmed)} đồng); để lại {dong(t.kept)} đồng.")
    layout.paragraph(doc, _note(report))
    signer = layout.signer_for(org, report.today, signer_post)
    layout.recipients(doc, ["Cấp ủy cấp trên"], signer.capacity, signer.name)
    return layout.save(doc)


def report_periods(today: dt.date) -> list[tuple[str, str]]:
    """The periods offered for download on an organization's page, latest first: this year's
    quarters begun so far and last year's four, this year and last year — (value, label)."""
    out = []
    for year in (today.year, today.year - 1):
        last_q = (today.month - 1) // 3 + 1 if year == today.year else 4
        out += [(f"{year}-Q{q}", f"Quý {q}/{year}") for q in range(last_q, 0, -1)]
        out.append((str(year), f"Năm {year}"))
    return out
