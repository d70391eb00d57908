"""Request and answer shapes of the write endpoints (they are also their OpenAPI schema).

Lengths are the database columns' own, so a too-long value is a 422 naming the field, never a
database error; text may hold no control character (one line: not even a line break), since
exports and XML break on them. Whether the values make sense together (a name, a CCCD that fits
the birth date, the admission age) is the services' business, answered as a 400 with the same
Vietnamese message the web form shows.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

from ninja import Schema
from pydantic import Field

from dangvu.meetings.models import AttendanceStatus, MeetingKind
from dangvu.registry.models import Gender, TheoryLevel, TransferKind

from .schemas import HistoryItem

LINE = r"^[^\x00-\x1f\x7f-\x9f]*$"  # one line of text, no control character
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"  # line breaks and tabs allowed
CODE = r"^[^\x00-\x1f\x7f-\x9f]{1,40}$"
CCCD = r"^[0-9]{0,12}$"
# A meeting's clock time as the minutes write it (19:30): local, no seconds, no UTC offset (JSON
# Schema's "time" format demands an offset, which a cell's meeting hour does not have).
HOUR = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class RefusalOut(Schema):
    """Why a write was refused; nothing has been written."""

    detail: str = Field(description="Lý do, bằng tiếng Việt, như trên trang web")
    code: str = Field(description="Loại từ chối: forbidden, invalid, required, out_of_range, duplicate, "
                                  "state, transition, stale, conflict, …")
    field: str | None = Field(None, description="Trường dữ liệu bị từ chối (nếu có)")
    version: int | None = Field(None, description="Khi code là stale: phiên bản hồ sơ đang lưu")


# -- members ------------------------------------------------------------------------------------
class MemberCreate(Schema):
    """A member's record entered by another system (an existing member: admitted earlier)."""

    organization: str = Field(max_length=40, pattern=CODE, description="Mã chi bộ nơi đảng viên sinh hoạt")
    full_name: str = Field(min_length=1, max_length=120, pattern=LINE)
    birth_date: dt.date
    gender: Gender
    admitted_on: dt.date = Field(description="Ngày vào Đảng")
    full_on: dt.date | None = Field(None, description="Ngày chính thức (bỏ trống: còn dự bị)")
    ethnicity: str = Field("Kinh", max_length=40, pattern=LINE)
    religion: str = Field("Không", max_length=40, pattern=LINE)
    home_town: str = Field("", max_length=255, pattern=LINE)
    residence: str = Field("", max_length=255, pattern=LINE)
    phone: str = Field("", max_length=20, pattern=LINE)
    cccd: str | None = Field(None, pattern=CCCD, description="Số căn cước công dân, 12 chữ số")
    education: str = Field("", max_length=20, pattern=LINE)
    qualification: str = Field("", max_length=120, pattern=LINE)
    political_theory: TheoryLevel = Field(TheoryLevel.NONE, description="Lý luận chính trị")
    occupation: str = Field("", max_length=120, pattern=LINE)
    is_student: bool = False
    card_number: str = Field("", max_length=20, pattern=LINE)
    resident: bool = True
    commune_official: bool = False


class MemberUpdate(Schema):
    """The identity fields to correct; a field left out is kept. Status and dates of the Party
    life change only through events (``POST /members/{id}/events``)."""

    version: int | None = Field(None, ge=0, le=999_999_999, description=(
        "Phiên bản hồ sơ đã đọc (trường version của GET); nếu hồ sơ đã được sửa sau đó, yêu cầu bị "
        "từ chối (409, code stale) thay vì ghi đè"))
    full_name: str = Field(None, max_length=120, pattern=LINE)
    birth_date: dt.date = None
    gender: Gender = None
    ethnicity: str = Field(None, max_length=40, pattern=LINE)
    religion: str = Field(None, max_length=40, pattern=LINE)
    home_town: str = Field(None, max_length=255, pattern=LINE)
    residence: str = Field(None, max_length=255, pattern=LINE)
    phone: str = Field(None, max_length=20, pattern=LINE)
    cccd: str | None = Field(None, pattern=CCCD, description="null hoặc chuỗi rỗng: xóa số CCCD")
    education: str = Field(None, max_length=20, pattern=LINE)
    qualification: str = Field(None, max_length=120, pattern=LINE)
    political_theory: TheoryLevel = None
    occupation: str = Field(None, max_length=120, pattern=LINE)
    is_student: bool = None
    card_number: str = Field(None, max_length=20, pattern=LINE)
    resident: bool = None
    commune_official: bool = None


class EventKind(str, Enum):
    """The lifecycle events another system may record (each through its registry service)."""

    RECOGNIZE_FULL = "recognize_full"
    EXEMPT = "exempt"
    END_EXEMPTION = "end_exemption"
    STRIKE_OFF = "strike_off"
    DEATH = "death"
    TRANSFER_OUT = "transfer_out"


class EventIn(Schema):
    event: EventKind = Field(description=(
        "recognize_full: công nhận chính thức; exempt / end_exemption: miễn, thôi miễn công tác và sinh "
        "hoạt đảng; strike_off: xóa tên; death: từ trần; transfer_out: giới thiệu chuyển sinh hoạt"))
    on: dt.date = Field(description="Ngày quyết định / ngày sự kiện / ngày giấy giới thiệu")
    decision_number: str = Field("", max_length=60, pattern=LINE, description="Số quyết định (nếu có)")
    note: str = Field("", max_length=255, pattern=TEXT, description="Lý do, ghi chú")
    to_org: str | None = Field(None, max_length=40, pattern=CODE,
                               description="transfer_out: mã chi bộ hoặc đảng bộ cơ sở nơi đến")
    transfer_kind: TransferKind = Field(TransferKind.PERMANENT, description="transfer_out: chính thức hay tạm thời")
    ends_on: dt.date | None = Field(None, description="transfer_out tạm thời: ngày kết thúc")


class EventOut(Schema):
    member_id: int
    status: str = Field(description="Trạng thái đảng viên sau sự kiện")
    version: int
    event: HistoryItem
    transfer_id: int | None = Field(None, description="transfer_out: mã giấy chuyển sinh hoạt (chờ nơi đến tiếp nhận)")


# -- meetings -----------------------------------------------------------------------------------
class AttendanceIn(Schema):
    member_id: int = Field(ge=1, le=2**63 - 1)
    status: AttendanceStatus
    reason: str = Field("", max_length=200, pattern=LINE, description="Lý do vắng (vắng có lý do)")


class MeetingCreate(Schema):
    """A held meeting of a cell with its attendance: everyone present except ``attendance``."""

    held_on: dt.date
    starts_at: str = Field(pattern=HOUR, description="Giờ bắt đầu, dạng HH:MM (giờ địa phương)")
    ends_at: str = Field(pattern=HOUR, description="Giờ kết thúc, dạng HH:MM")
    kind: MeetingKind = MeetingKind.REGULAR
    combined: bool = Field(False, description="Thường kỳ kết hợp chuyên đề")
    topic: str = Field("", max_length=255, pattern=LINE)
    place: str = Field("", max_length=255, pattern=LINE)
    online: bool = False
    conclusion: str = Field("", max_length=4000, pattern=TEXT)
    second_regular: bool = Field(False, description=(
        "Xác nhận buổi thường kỳ thứ hai trong tháng (nếu không, buổi thứ hai bị từ chối: 409 duplicate)"))
    attendance: list[AttendanceIn] = Field(default_factory=list, max_length=2000, description=(
        "Những người không có mặt (hoặc sửa tình trạng); người không ghi ở đây được tính có mặt"))


class AttendanceOut(Schema):
    member_id: int
    full_name: str
    status: str
    reason: str


class MeetingOut(Schema):
    id: int
    organization: str
    held_on: dt.date
    starts_at: str = Field(pattern=HOUR, description="HH:MM")
    ends_at: str = Field(pattern=HOUR, description="HH:MM")
    kind: str
    combined: bool
    topic: str
    place: str
    online: bool
    present_count: int
    expected_count: int
    version: int


class MeetingDetail(MeetingOut):
    attendance: list[AttendanceOut]


class MeetingPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MeetingOut]
