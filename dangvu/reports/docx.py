"""Shared python-docx helpers for party documents (Hướng dẫn 36-HD/VPTW, 2018): the page,
the two-column header (issuing organization and number on the left, ĐẢNG CỘNG SẢN VIỆT NAM and
place/date on the right), titles, grid tables, the recipients block. Read only: bytes out."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def new_document() -> Document:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    for section in doc.sections:
        section.top_margin, section.bottom_margin = Cm(2), Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    return doc


def cell_text(cell, text: str, *, bold: bool = False, italic: bool = False, underline: bool = False,
              center: bool = True, size: int | None = None) -> None:
    para = cell.paragraphs[0] if not cell.paragraphs[0].text else cell.add_paragraph()
    run = para.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = Pt(size)
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER


def party_header(doc: Document, upper: str | None, issuer: str, number_line: str, place: str,
                 on: dt.date | None) -> None:
    """Upper organization, issuer (bold), "*", the number on the left; the Party's name and the
    place/date line on the right. ``on=None`` leaves the day blank for the signer to fill."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    if upper:
        cell_text(left, upper.upper(), size=13)
    cell_text(left, issuer.upper(), bold=True, size=13)
    cell_text(left, "*")
    cell_text(left, number_line, size=13)
    cell_text(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=14)
    when = (f"ngày {on.day:02d} tháng {on.month:02d} năm {on.year}" if on else "ngày    tháng    năm")
    cell_text(right, f"{place or '……'}, {when}", italic=True, size=13)
    doc.add_paragraph()


def title(doc: Document, text: str, sub: str = "") -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = True
    run.font.size = Pt(15)
    if sub:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(sub).bold = True
    p = doc.add_paragraph("-----")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def heading(doc: Document, text: str) -> None:
    doc.add_paragraph().add_run(text).bold = True


def grid(doc: Document, header: list[str], rows: list[list[str]], *, left: tuple[int, ...] = (1,),
         size: int = 11) -> None:
    """A "Table Grid" table; columns in ``left`` are left-aligned, the others centred."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell_text(cell, text, bold=True, size=size)
    for row in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell_text(cell, text, center=i not in left, size=size)


def recipients(doc: Document, lines: list[str], signer_title: str, signer: str = "",
               archive: str = "Lưu văn phòng") -> None:
    """"Nơi nhận:" on the left (ending with where the copy is kept), the signer's block on the right."""
    doc.add_paragraph()
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    cell_text(left, "Nơi nhận:", bold=True, italic=True, underline=True, center=False, size=12)
    for line in lines:
        cell_text(left, f"- {line},", center=False, size=11)
    cell_text(left, f"- {archive}.", center=False, size=11)
    cell_text(right, signer_title, bold=True)
    cell_text(right, "\n\n\n" + signer if signer else "\n\n\n")


def save(doc: Document) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
