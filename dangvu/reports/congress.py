"""Congress documents: the counting minutes (biên bản kiểm phiếu) and the synthesis of draft
comments as .docx in the party layout of :mod:`dangvu.reports.docx`, the delegate apportionment
as .xlsx (openpyxl).

Read only: these functions take saved records, read what else they need through
:mod:`dangvu.congress.selectors` and return bytes; they never write the database.
"""

from __future__ import annotations

import math
from fractions import Fraction

from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from dangvu.congress import selectors as sel
from dangvu.congress.models import CommentState, Congress, DelegateApportionment, Election, Tally
from dangvu.core import clock, partydoc
from dangvu.core.tally import INVALID_REASONS
from dangvu.registry.models import Organization

from . import docx as D
from .docx import DOCX_MIME
from .xlsx import XLSX_MIME, safe_append, save_workbook

__all__ = ["DOCX_MIME", "XLSX_MIME", "apportionment_xlsx", "comments_docx", "percent", "tally_report_docx"]

BOARD = "Ban kiểm phiếu"
# Column widths (cm): "TT" narrow, the comment's text widest.
COMMENT_WIDTHS_CM = (1.2, 3.5, 6.4, 5.4)
FIGURE_WIDTHS_CM = (1.2, 11.8, 3.5)
VOTE_WIDTHS_CM = (1.2, 5.8, 2.5, 3.8, 3.2)
_REASONS = {"too_many_kept": "Để lại nhiều tên hơn số lượng cần bầu", "all_struck": "Gạch hết tên"}


def percent(part: int, whole: int) -> str:
    """Vietnamese percentage with two decimals, rounded half up exactly (as in the tally steps)."""
    if not whole:
        return "—"
    hundredths = math.floor(Fraction(part * 10000, whole) + Fraction(1, 2))
    return f"{hundredths // 100},{hundredths % 100:02d}%"


def _header(doc: Document, org: Organization, on, *, issuer: str | None = None, kind: str = "BC",
            extra: str = "") -> None:
    """The congress documents' header: the organization above, the issuer, the number, and the
    place of the organization itself (not the congress's venue)."""
    name = issuer or org.name
    D.org_header(doc, org, issuer=name, number_line=partydoc.number_line(kind, extra or name), on=on, extra=extra)


# -- biên bản kiểm phiếu ----------------------------------------------------------------------------

def _tally_figures(doc: Document, tally: Tally, election: Election) -> None:
    result = tally.result
    D.paragraph(doc, f"Số lượng cần bầu: {election.seats}.")
    D.paragraph(doc, f"Cơ sở tính (số {'đảng viên' if election.base_kind == 'members' else 'đại biểu'} "
                      f"làm căn cứ tính quá một nửa): {tally.base}."
                      + (f" Lý do điều chỉnh: {election.base_reason}." if election.base_reason else ""))
    figures = [["1", "Số phiếu phát ra", str(tally.issued) if tally.issued is not None else "—"],
               ["2", "Số phiếu thu về", str(result["ballots"])],
               ["3", "Số phiếu hợp lệ", str(result["valid"])],
               ["4", "Số phiếu không hợp lệ", str(result["invalid"])]]
    for i, key in enumerate(INVALID_REASONS, start=1):
        figures.append([f"4.{i}", f"Trong đó: {_REASONS[key].lower()}", str(result["invalid_reasons"].get(key, 0))])
    D.grid(doc, ["TT", "Nội dung", "Số phiếu"], figures, size=None, widths=FIGURE_WIDTHS_CM)
    D.paragraph(doc, f"Ngưỡng trúng cử: quá một nửa so với cơ sở tính {tally.base}, tức từ "
                      f"{result['threshold']} phiếu trở lên.")


def _tally_votes(doc: Document, tally: Tally) -> None:
    result = tally.result
    D.paragraph(doc, "Số phiếu bầu cho từng người (theo thứ tự trên phiếu bầu):")
    elected = set(result["elected"])
    rows = []
    for i, name in enumerate(tally.candidates, start=1):
        votes = result["votes"][name]
        rows.append([str(i), name, str(votes), percent(votes, tally.base),
                     "Trúng cử" if name in elected else ("Bằng phiếu" if name in result["tied"] else "")])
    D.grid(doc, ["TT", "Họ và tên", "Số phiếu", "Tỷ lệ % so với cơ sở tính", "Ghi chú"], rows, size=None,
           widths=VOTE_WIDTHS_CM)


def _tally_elected(doc: Document, tally: Tally, election: Election) -> None:
    result = tally.result
    doc.add_paragraph()
    p = doc.add_paragraph()
    p.add_run("Những người trúng cử (theo thứ tự số phiếu từ cao xuống thấp):").bold = True
    if result["elected"]:
        for i, name in enumerate(result["elected"], start=1):
            D.paragraph(doc, f"{i}. {name}: {result['votes'][name]} phiếu, đạt "
                              f"{percent(result['votes'][name], tally.base)}.")
    else:
        D.paragraph(doc, "Không có người trúng cử.")
    if result["tied"]:
        D.paragraph(doc, f"Bằng phiếu ở vị trí cuối, không đủ chỗ cho tất cả: {', '.join(result['tied'])}; "
                          "đại hội bầu lại giữa những người này.")
    if result["unfilled"]:
        D.paragraph(doc, f"Còn thiếu {result['unfilled']} trong số {election.seats} người cần bầu.")
    else:
        D.paragraph(doc, f"Đã bầu đủ {election.seats} người.")


def tally_report_docx(tally: Tally) -> bytes:
    """Biên bản kiểm phiếu of one count: figures, votes per candidate, elected, board's signatures."""
    election = tally.election
    congress = election.congress
    org = congress.organization
    doc = D.new_document()
    _header(doc, org, election.held_on, kind="BB", extra=BOARD)
    D.title(doc, "BIÊN BẢN KIỂM PHIẾU" + (f" (KIỂM LẠI LẦN {tally.number - 1})" if tally.is_recount else ""),
            f"{election.title}" + (f" — lần bầu thứ {election.round}" if election.round > 1 else ""), rule=False)
    D.paragraph(doc, f"Đại hội {org.name}, nhiệm kỳ {congress.term}.")
    board = election.board
    if board:
        D.paragraph(doc, f"Ban kiểm phiếu gồm: {', '.join(board)}; trưởng ban: {board[0]}.")
    D.paragraph(doc, "Ban kiểm phiếu đã tiến hành kiểm phiếu và lập biên bản kết quả như sau:")
    _tally_figures(doc, tally, election)
    _tally_votes(doc, tally)
    _tally_elected(doc, tally, election)
    made = tally.created_at.astimezone()
    D.paragraph(doc, f"Biên bản lập lúc {made:%H giờ %M} ngày {made:%d/%m/%Y}, tính từ "
                      f"{tally.result['ballots']} phiếu đã nhập ({tally.source_team.name}).")
    D.signatures(doc, ("CÁC THÀNH VIÊN BAN KIỂM PHIẾU", board[1:]),
                 ("TRƯỞNG BAN KIỂM PHIẾU", [board[0] if board else ""]), gap="\n\n")
    D.recipients(doc, ["Đoàn Chủ tịch đại hội"], "", archive="Lưu hồ sơ đại hội")
    return D.save(doc)


# -- tổng hợp ý kiến góp ý --------------------------------------------------------------------------

_COMMENT_GROUPS = ((CommentState.ACCEPTED, "Ý kiến tiếp thu"), (CommentState.EXPLAINED, "Ý kiến giải trình"),
                   (CommentState.PENDING, "Ý kiến chưa xử lý"))


def comments_docx(congress: Congress, *, signer_post: int | None = None) -> bytes:
    """Tổng hợp ý kiến góp ý dự thảo văn kiện: per draft, grouped by how each comment was handled;
    issued by the organization's committee, signed by ``signer_post`` (a post id among its signers;
    default the secretary)."""
    org = congress.organization
    today = clock.today()
    doc = D.new_document()
    _header(doc, org, today, issuer=partydoc.committee_name(org.name, org.is_cell))
    D.title(doc, "BÁO CÁO TỔNG HỢP Ý KIẾN GÓP Ý DỰ THẢO VĂN KIỆN", f"Đại hội {org.name}, nhiệm kỳ {congress.term}",
            rule=False)
    for number, draft in enumerate(sel.drafts_in_order(congress), start=1):
        comments = sel.draft_comments(draft)
        D.heading(doc, f"{number}. {draft.get_kind_display()} — dự thảo lần {draft.version} "
                       f"({draft.issued_on:%d/%m/%Y}): {len(comments)} ý kiến")
        for state, heading in _COMMENT_GROUPS:
            group = [c for c in comments if c.state == state]
            if not group:
                continue
            D.heading(doc, f"{heading} ({len(group)})")
            rows = [[str(i), c.source, c.text, c.response or ""] for i, c in enumerate(group, start=1)]
            D.grid(doc, ["TT", "Nơi góp ý", "Nội dung góp ý", "Tiếp thu, giải trình"], rows, size=None,
                   widths=COMMENT_WIDTHS_CM, left=(1, 2, 3))
    _comment_recipients(doc, org, today, signer_post)
    return D.save(doc)


def _comment_recipients(doc: Document, org: Organization, today, signer_post: int | None) -> None:
    upper = sel.parent_of(org)
    lines = [f"Ban Thường vụ {partydoc.committee_name(upper.name, upper.is_cell)}" if upper else "Cấp ủy cấp trên"]
    lines.append("Các đồng chí cấp ủy viên" if not org.is_cell else "Đảng viên trong chi bộ")
    signer = D.signer_for(org, today, signer_post)
    D.recipients(doc, lines, signer.capacity, signer.name, archive="Lưu chi bộ" if org.is_cell else "Lưu văn phòng")


# -- phân bổ đại biểu -------------------------------------------------------------------------------

def _ex_officio_sheet(wb: Workbook, record: DelegateApportionment) -> None:
    ex = wb.create_sheet("Đại biểu đương nhiên")
    safe_append(ex, ["TT", "Họ và tên", "Chức vụ"])
    for cell in ex[1]:
        cell.font = Font(bold=True)
    for i, row in enumerate(record.ex_officio, start=1):
        safe_append(ex, [i, row["name"], row["role"]])
    ex.column_dimensions["B"].width = 32
    ex.column_dimensions["C"].width = 20


def apportionment_xlsx(record: DelegateApportionment) -> bytes:
    """The apportionment table with its working, and the ex-officio delegates on their own sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Phân bổ đại biểu"
    congress = record.congress
    safe_append(ws, [f"PHÂN BỔ ĐẠI BIỂU DỰ ĐẠI HỘI {congress.organization.name.upper()} "
                     f"NHIỆM KỲ {congress.term}"])
    safe_append(ws, [f"Tổng số đại biểu được bầu: {record.seats}; tối thiểu mỗi tổ chức: {record.minimum}; "
               f"số đảng viên tính đến ngày {record.counted_on:%d/%m/%Y}"])
    safe_append(ws, [])
    header = ["TT", "Mã", "Tổ chức đảng", "Số đảng viên", "Tối thiểu", "Theo tỷ lệ", "Phần dư", "Số đại biểu"]
    safe_append(ws, header)
    for cell in ws[4]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="A50E0E")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    lines = sel.apportionment_lines(record)
    for i, line in enumerate(lines, start=1):
        safe_append(ws, [i, line.organization.code, line.organization.name, line.members, line.minimum, line.base,
                   line.extra, line.seats])
    safe_append(ws, ["", "", "Cộng", sum(ln.members for ln in lines), "", "", "", sum(ln.seats for ln in lines)])
    safe_append(ws, [])
    safe_append(ws, ["", "", "Đại biểu đương nhiên (cấp ủy triệu tập đại hội)", len(record.ex_officio)])
    for col, width in zip("ABCDEFGH", (5, 10, 40, 14, 10, 12, 10, 13), strict=True):
        ws.column_dimensions[col].width = width
    _ex_officio_sheet(wb, record)
    return save_workbook(wb)
