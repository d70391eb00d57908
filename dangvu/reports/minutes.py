"""Biên bản sinh hoạt chi bộ: the minutes of a cell meeting written from what was recorded
(time and place, chair and recorder, attendance with reasons, upper-level attendees, content and
conclusion, score and grade), in the party layout of :mod:`dangvu.reports.docx`, ready to print
and sign. The signed scan is uploaded on the meeting's page as before."""

from __future__ import annotations

from typing import Any

from dangvu.core.numbers import decimal
from dangvu.meetings.models import Meeting
from dangvu.meetings.selectors import minutes_data

from . import docx as layout

# The score table: a narrow number, the criterion's text as wide as the page allows, two points columns.
MARK_COLUMNS_CM = (1.2, layout.TEXT_WIDTH_CM - 1.2 - 2 * 2.0, 2.0, 2.0)


def _num(value: object) -> str:
    """A number as Vietnamese write it: 8,5 (decimal comma), 92 (no trailing zeros)."""
    return decimal(float(value))


def _names(rows: list, with_reason: bool = False) -> str:
    if not rows:
        return "không"
    if with_reason:
        return "; ".join(f"{a.member.full_name} (lý do: {a.reason})" if a.reason else a.member.full_name for a in rows)
    return ", ".join(a.member.full_name for a in rows)


def _attendance(doc, data: dict[str, Any]) -> None:
    by = data["by_status"]
    layout.heading(doc, "II. THÀNH PHẦN THAM DỰ")
    layout.paragraph(doc, f"Tổng số đảng viên phải dự: {data['expected']} đồng chí "
                          f"(miễn sinh hoạt: {len(by['exempt'])} đồng chí).")
    layout.paragraph(doc, f"Có mặt: {len(by['present'])} đồng chí.")
    layout.paragraph(doc, f"Vắng có lý do: {len(by['excused'])} đồng chí: {_names(by['excused'], True)}.")
    layout.paragraph(doc, f"Vắng không lý do: {len(by['absent'])} đồng chí: {_names(by['absent'])}.")
    upper = "; ".join(str(u) for u in data["upper"]) or "không"
    layout.paragraph(doc, f"Cấp ủy viên cấp trên dự: {upper}.")


def _score(doc, data: dict[str, Any]) -> None:
    score = data["score"]
    layout.heading(doc, "IV. CHẤM ĐIỂM, XẾP LOẠI BUỔI SINH HOẠT")
    if score is None:
        layout.paragraph(doc, "Chưa chấm điểm.")
        return
    fw = score.framework.core
    rows = []
    for group in fw.groups:
        for c in group.criteria:
            got = score.points.get(c.code)
            rows.append([str(len(rows) + 1), c.label, _num(got) if got is not None else "—", _num(c.max_points)])
    layout.grid(doc, ["TT", "Tiêu chí", "Điểm", "Tối đa"], rows, widths=MARK_COLUMNS_CM)
    layout.paragraph(doc, f"Tổng điểm: {_num(score.total)}/{_num(fw.total)} điểm. Xếp loại: {score.get_grade_display()}.")


def meeting_minutes_docx(meeting: Meeting) -> bytes:
    """The minutes of ``meeting`` as .docx bytes."""
    data = minutes_data(meeting)
    doc = layout.new_document()
    place = meeting.place or ""  # the venue: in the text, never on the header's "place, date" line
    layout.org_header(doc, data["org"], on=meeting.held_on)
    layout.title(doc, "BIÊN BẢN", f"{meeting.kind_label.upper()} THÁNG {meeting.held_on.month}/{meeting.held_on.year}")
    layout.heading(doc, "I. THỜI GIAN, ĐỊA ĐIỂM")
    layout.paragraph(doc, f"Bắt đầu lúc {meeting.starts_at:%H giờ %M} phút, ngày {meeting.held_on:%d/%m/%Y}; "
                          f"kết thúc lúc {meeting.ends_at:%H giờ %M} phút ({_num(meeting.minutes)} phút).")
    layout.paragraph(doc, f"Địa điểm: {place or '……'}{' (trực tuyến)' if meeting.online else ''}.")
    chair = meeting.chair.full_name if meeting.chair else "……"
    recorder = data["recorder"]
    recorder_name = (recorder.get_full_name() or recorder.username) if recorder else "……"
    layout.paragraph(doc, f"Chủ trì: đồng chí {chair}. Thư ký (người ghi biên bản): {recorder_name}.")
    _attendance(doc, data)
    layout.heading(doc, "III. NỘI DUNG VÀ KẾT LUẬN")
    layout.paragraph(doc, f"Nội dung: {meeting.topic or '……'}.")
    layout.paragraph(doc, f"Kết luận, nghị quyết: {meeting.conclusion or '……'}")
    _score(doc, data)
    layout.paragraph(doc, f"Buổi sinh hoạt kết thúc lúc {meeting.ends_at:%H giờ %M} phút cùng ngày; biên bản đã "
                          "được đọc lại cho đảng viên dự họp nghe và thông qua.")
    layout.signatures(doc, ("THƯ KÝ", [recorder_name if recorder else ""]), ("CHỦ TRÌ", [chair if meeting.chair else ""]))
    return layout.save(doc)
