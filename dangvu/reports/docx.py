"""The one party-layout module (Hướng dẫn 36-HD/VPTW, 2018) every .docx writer uses: the A4 page,
its margins and Times New Roman, the two-column header (superior committee, issuing organization,
star and number on the left; ĐẢNG CỘNG SẢN VIỆT NAM and the issuer's "place, date" line on the
right), titles, grid tables with sized columns, the signature blocks and the recipients block.
Read only: bytes out; the writers bring their data from the selectors."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from dangvu.core import partydoc
from dangvu.core.safefiles import strip_controls
from dangvu.registry import selectors as registry

if TYPE_CHECKING:
    from dangvu.registry.models import Organization

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Hướng dẫn 36-HD/VPTW: A4; margins top and bottom 2–2.5 cm, left 3–3.5 cm, right 1.5–2 cm;
# Times New Roman, body 13–14 pt, tables 12–13 pt.
PAGE_CM = (21.0, 29.7)
MARGINS_CM = {"top": 2.0, "bottom": 2.0, "left": 3.0, "right": 1.5}
TEXT_WIDTH_CM = PAGE_CM[0] - MARGINS_CM["left"] - MARGINS_CM["right"]
FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 13
# The "TT" (số thứ tự) column: wide enough for "4.12", no wider.
NUMBER_COL_CM = 1.2
# The header's two blocks: the issuer on the left, the Party's name and the date line on the right.
HEADER_COLS_CM = (8.0, TEXT_WIDTH_CM - 8.0)


def xml_text(text: object) -> str:
    """Text a .docx can hold: a stored control character (a pasted \\x01) would make python-docx
    refuse the whole document, so it is dropped at write time (tab and line breaks kept)."""
    return strip_controls(str(text))


def paragraph(doc: Document, text: str = ""):
    """``doc.add_paragraph`` for text that comes from the database."""
    return doc.add_paragraph(xml_text(text))


def _set_fonts(rpr) -> None:
    """Times New Roman for every script: without the East-Asian and complex-script attributes
    (and with the template's theme fonts left in) Word falls back to Calibri for Vietnamese."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _style_fonts(doc: Document) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(defaults)
    for style in doc.styles:
        if style.type not in (1, 3):  # paragraph and table styles
            continue
        _set_fonts(style.element.get_or_add_rPr())
        if style.name.startswith(("Heading", "Title")):
            style.font.color.rgb = RGBColor(0, 0, 0)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    doc.styles["Table Grid"].font.size = Pt(TABLE_PT)


def _page_number(section) -> None:
    """The page number in Arabic figures at the bottom right (Hướng dẫn 36-HD/VPTW, "Số trang")."""
    para = section.footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = para.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def new_document() -> Document:
    """An empty A4 document with the party layout's margins, Times New Roman on every style and
    page numbers."""
    doc = Document()
    _style_fonts(doc)
    for section in doc.sections:
        section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
        section.top_margin, section.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
        section.left_margin, section.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])
        _page_number(section)
    return doc


def cell_text(cell, text: str, *, bold: bool = False, italic: bool = False, underline: bool = False,
              center: bool = True, size: int | None = None):
    """A run of text as the cell's next paragraph (the first one when still empty); returns it."""
    para = cell.paragraphs[0] if not cell.paragraphs[0].text else cell.add_paragraph()
    para.paragraph_format.space_after = Pt(0)
    run = para.add_run(xml_text(text))
    run.bold, run.italic, run.underline = bold, italic, underline
    if size:
        run.font.size = Pt(size)
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return para


def size_columns(table, widths_cm: tuple[float, ...]) -> None:
    """Fixed column widths: on the grid, the columns and every cell (Word lays a table out from its
    cells' widths, LibreOffice from the grid), autofit off."""
    table.autofit = False
    props = table._tbl.tblPr
    layout = props.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        props.append(layout)
    layout.set(qn("w:type"), "fixed")
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def column_widths(header: list[str], wide: int = 1) -> tuple[float, ...]:
    """Widths filling the text width: a "TT"/"STT" first column narrow, column ``wide`` (the name
    or "Chỉ tiêu") twice the share of each other column."""
    n = len(header)
    first = NUMBER_COL_CM if header and header[0].strip().upper() in ("TT", "STT") else None
    rest = TEXT_WIDTH_CM - (first or 0)
    shares = [2.0 if i == wide else 1.0 for i in range(n) if not (i == 0 and first)]
    unit = rest / sum(shares)
    widths = [round(s * unit, 2) for s in shares]
    return (first, *widths) if first else tuple(widths)


def party_header(doc: Document, upper: str | None, issuer: str, number_line: str | None, place: str,
                 on: dt.date | None) -> None:
    """Upper organization, issuer (bold), "*", the number on the left; the Party's name and the
    place/date line on the right. ``on=None`` leaves the day blank for the signer to fill;
    ``number_line=None`` leaves the number out. Prefer :func:`org_header`, which finds the upper
    organization and the place from the organization tree."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    size_columns(table, HEADER_COLS_CM)
    left, right = table.rows[0].cells
    if upper:
        cell_text(left, upper.upper(), size=14)
    cell_text(left, issuer.upper(), bold=True, size=14)
    cell_text(left, "*")
    if number_line is not None:
        cell_text(left, number_line, size=14)
    cell_text(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=15)
    date = cell_text(right, partydoc.date_line(place, on), italic=True, size=14)
    date.paragraph_format.space_before = Pt(14)
    doc.add_paragraph()


def org_header(doc: Document, org: Organization, *, issuer: str | None = None, number_line: str | None = None,
               on: dt.date | None = None, extra: str = "") -> None:
    """:func:`party_header` for ``org``: the organization above it as the superior line, ``issuer``
    (default the organization's name; e.g. its committee) and the place of ``org`` itself, from
    the organization tree — never a venue's or another organization's. ``extra`` adds a line under
    the issuer (e.g. "BAN KIỂM PHIẾU")."""
    upper = registry.parent_of(org)
    name = (issuer or org.name).upper() + (f"\n{extra.upper()}" if extra else "")
    party_header(doc, upper.name if upper is not None else None, name, number_line,
                 registry.issuing_place(org), on)


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
         size: int | None = TABLE_PT, widths: tuple[float, ...] | None = None, wide: int = 1) -> None:
    """A "Table Grid" table; columns in ``left`` are left-aligned, the others centred; ``size=None``
    keeps the tables' size (13 pt). Column widths (cm) are ``widths``, else a narrow "TT" and
    column ``wide`` twice the others (:func:`column_widths`)."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    size = size or TABLE_PT
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell_text(cell, text, bold=True, size=size)
    # The header row repeats at the top of each page a long table runs over.
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for row in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell_text(cell, text, center=i not in left, size=size)
    size_columns(table, widths or column_widths(header, wide))


def signature_block(cell, heading_text: str, names: list[str], *, gap: str = "\n\n\n") -> None:
    """A signer's block in a cell: the capacity in bold, then each name below room to sign."""
    cell_text(cell, heading_text, bold=True)
    for name in names:
        cell_text(cell, gap + name, bold=True)


def signatures(doc: Document, left: tuple[str, list[str]], right: tuple[str, list[str]], *,
               gap: str = "\n\n\n") -> None:
    """Two signature blocks side by side (e.g. the counting board's members and its head)."""
    table = doc.add_table(rows=1, cols=2)
    size_columns(table, (TEXT_WIDTH_CM / 2, TEXT_WIDTH_CM / 2))
    left_cell, right_cell = table.rows[0].cells
    signature_block(left_cell, *left, gap=gap)
    signature_block(right_cell, *right, gap=gap)


def recipients(doc: Document, lines: list[str], signer_title: str, signer: str = "",
               archive: str = "Lưu văn phòng") -> None:
    """"Nơi nhận:" on the left (ending with where the copy is kept), the signer's block on the
    right (none when ``signer_title`` is blank: the signatures stand above)."""
    doc.add_paragraph()
    table = doc.add_table(rows=1, cols=2)
    size_columns(table, HEADER_COLS_CM)
    left, right = table.rows[0].cells
    cell_text(left, "Nơi nhận:", bold=True, italic=True, underline=True, center=False, size=12)
    for line in lines:
        cell_text(left, f"- {line},", center=False, size=11)
    cell_text(left, f"- {archive}.", center=False, size=11)
    if signer_title:
        signature_block(right, signer_title, [signer])


@dataclass(frozen=True)
class Signer:
    """Who signs a document and in what capacity ("T/M ĐẢNG ỦY\\nBÍ THƯ")."""

    capacity: str
    name: str


def signer_for(org: Organization, on: dt.date, post_id: int | None = None) -> Signer:
    """The signer of ``org``'s document on ``on``: the post holder ``post_id`` when the user chose
    one among :func:`dangvu.registry.selectors.document_signers`, else the secretary (the first);
    with nobody recorded the name is left blank to be written by hand."""
    posts = registry.document_signers(org, on)
    chosen = next((p for p in posts if p.pk == post_id), posts[0] if posts else None)
    role = chosen.role if chosen else "secretary"
    return Signer(partydoc.signer_capacity(role, org.is_cell), chosen.member.full_name if chosen else "")


def save(doc: Document) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
