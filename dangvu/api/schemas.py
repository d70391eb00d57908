"""Response shapes of the API (they are also its OpenAPI schema)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from dangvu.registry.models import MemberStatus

from .common import PAGE_MAX, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX


class ErrorOut(Schema):
    detail: str


class ParamError(Schema):
    param: str = Field(description="Tên tham số không hợp lệ")
    message: str


class ValidationErrorOut(Schema):
    detail: str
    errors: list[ParamError]


# -- query parameters ------------------------------------------------------------------------
NO_NUL = r"^[^\x00]*$"  # PostgreSQL refuses NUL characters in a query parameter: a 422, not a 500


class PageParams(Schema):
    page: int = Field(1, ge=1, le=PAGE_MAX, description="Số trang, từ 1")
    page_size: int = Field(PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX,
                           description=f"Số dòng mỗi trang, tối đa {PAGE_SIZE_MAX}")


class MemberFilters(PageParams):
    q: str | None = Field(None, max_length=120, pattern=NO_NUL, description="Tìm theo họ tên, không phân biệt dấu")
    org: str | None = Field(None, max_length=40, pattern=NO_NUL, description="Mã tổ chức: chỉ lấy tổ chức này và cấp dưới")
    status: MemberStatus | None = Field(None, description="Trạng thái đảng viên")


class OrganizationFilters(PageParams):
    org: str | None = Field(None, max_length=40, pattern=NO_NUL, description="Mã tổ chức: chỉ lấy tổ chức này và cấp dưới")
    kind: str | None = Field(None, max_length=32, pattern=NO_NUL, description="Loại tổ chức (province, cell, …)")


class StatsFilters(Schema):
    org: str | None = Field(None, max_length=40, pattern=NO_NUL, description="Mã tổ chức: chỉ tính tổ chức này và cấp dưới")


# -- responses -------------------------------------------------------------------------------
class MemberItem(Schema):
    """One line of the member list: deliberately minimal personal data."""

    id: int
    organization: str = Field(description="Mã tổ chức đảng nơi sinh hoạt")
    organization_name: str
    full_name: str
    birth_date: dt.date
    gender: str
    ethnicity: str
    status: str
    admitted_on: dt.date | None
    full_on: dt.date | None
    is_student: bool
    resident: bool


class MemberPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MemberItem]


class HistoryItem(Schema):
    event: str
    event_label: str
    on: dt.date
    from_status: str
    to_status: str
    from_org: str | None = Field(description="Mã tổ chức đi (nếu có)")
    to_org: str | None = Field(description="Mã tổ chức đến (nếu có)")
    decision_number: str
    note: str


class MemberDetail(MemberItem):
    status_label: str
    religion: str
    home_town: str
    residence: str
    phone: str | None = Field(description="Chỉ trả về cho người được sửa hồ sơ tổ chức này (không cho vai trò xem)")
    cccd: str | None = Field(description="Chỉ trả về cho người được sửa hồ sơ tổ chức này (không cho vai trò xem)")
    card_number: str
    political_theory: str
    education: str
    qualification: str
    occupation: str
    commune_official: bool
    version: int = Field(description="Phiên bản hồ sơ: gửi lại khi sửa (PATCH) để không ghi đè sửa đổi của người khác")
    history: list[HistoryItem]


class OrganizationItem(Schema):
    code: str
    name: str
    kind: str
    sector: str
    parent: str | None = Field(description="Mã tổ chức cấp trên; null khi cấp trên nằm ngoài phạm vi được xem")
    depth: int
    established_on: dt.date | None
    dissolved_on: dt.date | None
    member_counts: dict[str, int] = Field(description="Số đảng viên sinh hoạt trực tiếp, theo trạng thái")


class OrganizationPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[OrganizationItem]


class OrganizationDetail(OrganizationItem):
    kind_label: str
    address: str
    children: list[str] = Field(description="Mã các tổ chức trực thuộc")
    subtree_member_counts: dict[str, int] = Field(description="Số đảng viên của cả tổ chức và cấp dưới")


class StatsOut(Schema):
    organization: str | None
    total: int
    active: int
    by_status: dict[str, int]
