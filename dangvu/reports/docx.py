"""The one party-layout module (Hướng dẫn 36-HD/VPTW, 2018) every .docx writer uses: the page
and font, the two-column header (issuing organization and number on the left, ĐẢNG CỘNG SẢN VIỆT
NAM and the place-and-date line on the right), titles, grid tables, the signature blocks and the
recipients block. Read only: bytes out; the writers bring their data from the selectors."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from dangvu.core.safefiles import strip_controls

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def xml_text(text: object) -> str:
    """Text a .docx can hold: a stored control character (a pasted \\x01) would make python-docx
    refuse the whole document, so it is dropped at write time (tab and line breaks kept)."""
    return strip_controls(str(text))


def paragraph(doc: Document, text: str = ""):
    """``doc.add_paragraph`` for text that comes from the database."""
    return doc.add_paragraph(xml_text(text))


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
    run = para.add_run(xml_text(text))
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = Pt(size)
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER


def party_header(doc: Document, upper: str | None, issuer: str, number_line: str | None, place: str,
                 on: dt.date | None) -> None:
    """Upper organization, issuer (bold), "*", the number on the left; the Party's name and the
    place/date line on the right. ``on=None`` leaves the day blank for the signer to fill;
    ``number_line=None`` (minutes, syntheses) leaves the number out."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    if upper:
        cell_text(left, upper.upper(), size=13)
    cell_text(left, issuer.upper(), bold=True, size=13)
    cell_text(left, "*")
    if number_line is not None:
        cell_text(left, number_line, size=13)
    cell_text(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=14)
    when = (f"ngày {on.day:02d} tháng {on.month:02d} năm {on.year}" if on else "ngày    tháng    năm")
    cell_text(right, f"{place or '……'}, {when}", italic=True, size=13)
    doc.add_paragraph()


def title(doc: Document, text: str, sub: str = "", *, rule: bool = True) -> None:
    """The centred bold title, its subtitle, and (``rule``) the short dashed line under them."""
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(xml_text(text))
    run.bold = True
    run.font.size = Pt(15)
    if sub:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(xml_text(sub)).bold = True
    if rule:
        p = doc.add_paragraph("-----")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def heading(doc: Document, text: str) -> None:
    doc.add_paragraph().add_run(xml_text(text)).bold = True


def grid(doc: Document, header: list[str], rows: list[list[str]], *, left: tuple[int, ...] = (1,),
         size: int | None = 11) -> None:
    """A "Table Grid" table; columns in ``left`` are left-aligned, the others centred;
    ``size=None`` keeps the body font size."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell_text(cell, text, bold=True, size=size)
    for row in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell_text(cell, text, center=i not in left, size=size)


def signature_block(cell, heading_text: str, names: list[str], *, gap: str = "\n\n\n") -> None:
    """A signer's block in a cell: the capacity in bold, then each name below room to sign."""
    cell_text(cell, heading_text, bold=True)
    for name in names:
        cell_text(cell, gap + name)


def signatures(doc: Document, left: tuple[str, list[str]], right: tuple[str, list[str]], *,
               gap: str = "\n\n\n") -> None:
    """Two signature blocks side by side (e.g. the counting board's members and its head)."""
    table = doc.add_table(rows=1, cols=2)
    left_cell, right_cell = table.rows[0].cells
    signature_block(left_cell, *left, gap=gap)
    signature_block(right_cell, *right, gap=gap)


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
    signature_block(right, signer_title, [signer])


def save(doc: Document) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
