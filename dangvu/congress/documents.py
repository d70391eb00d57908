"""Congress documents: the counting minutes (biên bản kiểm phiếu) and the synthesis of draft
comments as .docx (python-docx), the delegate apportionment as .xlsx (openpyxl).

Read only: these functions take saved records and return bytes; they never write the database.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from fractions import Fraction

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from dangvu.core.tally import INVALID_REASONS
from dangvu.registry.models import Organization

from .models import CommentState, DelegateApportionment, Draft, DraftComment, Tally

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_REASONS = {"too_many_kept": "Để lại nhiều tên hơn số lượng cần bầu", "all_struck": "Gạch hết tên"}


def percent(part: int, whole: int) -> str:
    """Vietnamese percentage with two decimals, rounded half up exactly (as in the tally steps)."""
    if not whole:
        return "—"
    hundredths = math.floor(Fraction(part * 10000, whole) + Fraction(1, 2))
    return f"{hundredths // 100},{hundredths % 100:02d}%"


def _new_document() -> Document:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    for section in doc.sections:
        section.top_margin, section.bottom_margin = Cm(2), Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    return doc


def _cell_text(cell, text: str, *, bold: bool = False, italic: bool = False, center: bool = True,
               size: int | None = None) -> None:
    para = cell.paragraphs[0] if not cell.paragraphs[0].text else cell.add_paragraph()
    run = para.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER


def party_header(doc: Document, org: Organization, place: str, on: dt.date) -> None:
    """The two-column header of a party document: the organization on the left,
    ĐẢNG CỘNG SẢN VIỆT NAM and place/date on the right (Hướng dẫn 36-HD/VPTW, 2018)."""
    parent = Organization.objects.get_parent(org)
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    if parent is not None:
        _cell_text(left, parent.name.upper(), size=13)
    _cell_text(left, org.name.upper(), bold=True, size=13)
    _cell_text(left, "*")
    _cell_text(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, size=14)
    _cell_text(right, f"{place or '……'}, ngày {on.day:02d} tháng {on.month:02d} năm {on.year}", italic=True, size=13)
    doc.add_paragraph()


def _title(doc: Document, text: str, sub: str = "") -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = True
    run.font.size = Pt(15)
    if sub:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(sub)
        run.bold = True


def _table(doc: Document, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_text(cell, text, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, row, strict=True)):
            _cell_text(cell, text, center=i != 1)


def _save_docx(doc: Document) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def tally_report_docx(tally: Tally) -> bytes:
    """Biên bản kiểm phiếu of one count: figures, votes per candidate, elected, board's signatures."""
    election = tally.election
    congress = election.congress
    org = congress.organization
    result = tally.result
    doc = _new_document()
    party_header(doc, org, congress.place, election.held_on)
    _title(doc, "BIÊN BẢN KIỂM PHIẾU" + (f" (KIỂM LẠI LẦN {tally.number - 1})" if tally.is_recount else ""),
           f"{election.title}" + (f" — lần bầu thứ {election.round}" if election.round > 1 else ""))
    doc.add_paragraph(f"Đại hội {org.name}, nhiệm kỳ {congress.term}.")
    board = election.board
    if board:
        doc.add_paragraph(f"Ban kiểm phiếu gồm: {', '.join(board)}; trưởng ban: {board[0]}.")
    doc.add_paragraph("Ban kiểm phiếu đã tiến hành kiểm phiếu và lập biên bản kết quả như sau:")
    doc.add_paragraph(f"Số lượng cần bầu: {election.seats}.")
    doc.add_paragraph(f"Cơ sở tính (số {'đảng viên' if election.base_kind == 'members' else 'đại biểu'} "
                      f"làm căn cứ tính quá một nửa): {tally.base}."
                      + (f" Lý do điều chỉnh: {election.base_reason}." if election.base_reason else ""))
    figures = [["1", "Số phiếu phát ra", str(tally.issued) if tally.issued is not None else "—"],
               ["2", "Số phiếu thu về", str(result["ballots"])],
               ["3", "Số phiếu hợp lệ", str(result["valid"])],
               ["4", "Số phiếu không hợp lệ", str(result["invalid"])]]
    for i, key in enumerate(INVALID_REASONS, start=1):
        figures.append([f"4.{i}", f"Trong đó: {_REASONS[key].lower()}", str(result["invalid_reasons"].get(key, 0))])
    _table(doc, ["TT", "Nội dung", "Số phiếu"], figures)
    doc.add_paragraph(f"Ngưỡng trúng cử: quá một nửa so với cơ sở tính {tally.base}, tức từ "
                      f"{result['threshold']} phiếu trở lên.")
    doc.add_paragraph("Số phiếu bầu cho từng người (theo thứ tự trên phiếu bầu):")
    elected = set(result["elected"])
    rows = []
    for i, name in enumerate(tally.candidates, start=1):
        votes = result["votes"][name]
        rows.append([str(i), name, str(votes), percent(votes, tally.base),
                     "Trúng cử" if name in elected else ("Bằng phiếu" if name in result["tied"] else "")])
    _table(doc, ["TT", "Họ và tên", "Số phiếu", "Tỷ lệ % so với cơ sở tính", "Ghi chú"], rows)
    doc.add_paragraph()
    p = doc.add_paragraph()
    p.add_run("Những người trúng cử (theo thứ tự số phiếu từ cao xuống thấp):").bold = True
    if result["elected"]:
        for i, name in enumerate(result["elected"], start=1):
            doc.add_paragraph(f"{i}. {name}: {result['votes'][name]} phiếu, đạt "
                              f"{percent(result['votes'][name], tally.base)}.")
    else:
        doc.add_paragraph("Không có người trúng cử.")
    if result["tied"]:
        doc.add_paragraph(f"Bằng phiếu ở vị trí cuối, không đủ chỗ cho tất cả: {', '.join(result['tied'])}; "
                          "đại hội bầu lại giữa những người này.")
    if result["unfilled"]:
        doc.add_paragraph(f"Còn thiếu {result['unfilled']} trong số {election.seats} người cần bầu.")
    else:
        doc.add_paragraph(f"Đã bầu đủ {election.seats} người.")
    doc.add_paragraph(f"Biên bản lập lúc {tally.created_at.astimezone():%H giờ %M} ngày "
                      f"{tally.created_at.astimezone():%d/%m/%Y}, tính từ {result['ballots']} phiếu đã nhập "
                      f"({tally.source_team.name}).")
    sign = doc.add_table(rows=1, cols=2)
    left, right = sign.rows[0].cells
    _cell_text(left, "CÁC THÀNH VIÊN BAN KIỂM PHIẾU", bold=True)
    for name in board[1:]:
        _cell_text(left, "\n\n" + name)
    _cell_text(right, "TRƯỞNG BAN KIỂM PHIẾU", bold=True)
    _cell_text(right, "\n\n" + (board[0] if board else ""))
    return _save_docx(doc)


def comments_docx(congress, drafts: list[Draft]) -> bytes:
    """Tổng hợp ý kiến góp ý dự thảo văn kiện: per draft, grouped by how each comment was handled."""
    org = congress.organization
    doc = _new_document()
    party_header(doc, org, congress.place, dt.date.today())
    _title(doc, "BÁO CÁO TỔNG HỢP Ý KIẾN GÓP Ý DỰ THẢO VĂN KIỆN",
           f"Đại hội {org.name}, nhiệm kỳ {congress.term}")
    order = [CommentState.ACCEPTED, CommentState.EXPLAINED, CommentState.PENDING]
    headings = {CommentState.ACCEPTED: "Ý kiến tiếp thu", CommentState.EXPLAINED: "Ý kiến giải trình",
                CommentState.PENDING: "Ý kiến chưa xử lý"}
    for number, draft in enumerate(drafts, start=1):
        comments: list[DraftComment] = list(draft.comments.select_related("source_org"))
        doc.add_heading(f"{number}. {draft.get_kind_display()} — dự thảo lần {draft.version} "
                        f"({draft.issued_on:%d/%m/%Y}): {len(comments)} ý kiến", level=2)
        for state in order:
            group = [c for c in comments if c.state == state]
            if not group:
                continue
            doc.add_paragraph().add_run(f"{headings[state]} ({len(group)})").bold = True
            rows = [[str(i), c.source, c.text, c.response or ""] for i, c in enumerate(group, start=1)]
            _table(doc, ["TT", "Nơi góp ý", "Nội dung góp ý", "Tiếp thu, giải trình"], rows)
    return _save_docx(doc)


def apportionment_xlsx(record: DelegateApportionment) -> bytes:
    """The apportionment table with its working, and the ex-officio delegates on their own sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Phân bổ đại biểu"
    congress = record.congress
    ws.append([f"PHÂN BỔ ĐẠI BIỂU DỰ ĐẠI HỘI {congress.organization.name.upper()} NHIỆM KỲ {congress.term}"])
    ws.append([f"Tổng số đại biểu được bầu: {record.seats}; tối thiểu mỗi tổ chức: {record.minimum}; "
               f"số đảng viên tính đến ngày {record.counted_on:%d/%m/%Y}"])
    ws.append([])
    header = ["TT", "Mã", "Tổ chức đảng", "Số đảng viên", "Tối thiểu", "Theo tỷ lệ", "Phần dư", "Số đại biểu"]
    ws.append(header)
    for cell in ws[4]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="A50E0E")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    lines = list(record.lines.select_related("organization"))
    for i, line in enumerate(lines, start=1):
        ws.append([i, line.organization.code, line.organization.name, line.members, line.minimum, line.base,
                   line.extra, line.seats])
    ws.append(["", "", "Cộng", sum(ln.members for ln in lines), "", "", "", sum(ln.seats for ln in lines)])
    ws.append([])
    ws.append(["", "", "Đại biểu đương nhiên (cấp ủy triệu tập đại hội)", len(record.ex_officio)])
    for col, width in zip("ABCDEFGH", (5, 10, 40, 14, 10, 12, 10, 13), strict=True):
        ws.column_dimensions[col].width = width
    ex = wb.create_sheet("Đại biểu đương nhiên")
    ex.append(["TT", "Họ và tên", "Chức vụ"])
    for cell in ex[1]:
        cell.font = Font(bold=True)
    for i, row in enumerate(record.ex_officio, start=1):
        ex.append([i, row["name"], row["role"]])
    ex.column_dimensions["B"].width = 32
    ex.column_dimensions["C"].width = 20
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
