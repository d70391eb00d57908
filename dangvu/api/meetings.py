"""Cell meetings: the scoped list, one meeting with its attendance, and recording a held meeting
with its attendance in one step (the monthly routine of the web's «Ghi buổi sinh hoạt»)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router
from pydantic import Field

from dangvu.meetings import selectors
from dangvu.meetings import services as meetings
from dangvu.meetings.models import Meeting

from .common import DB_INT_MAX, access, paginate
from .member_writes import IDEMPOTENCY, WRITE_ERRORS
from .schemas import NO_NUL, ErrorOut, PageParams, ValidationErrorOut
from .write_schemas import CODE, MeetingCreate, MeetingDetail, MeetingPage
from .writing import IdempotencyKey, ensure_writer, run_write

router = Router(tags=["Sinh hoạt chi bộ"])

NOT_FOUND = "Không tìm thấy buổi sinh hoạt."


class MeetingFilters(PageParams):
    org: str | None = Field(None, max_length=40, pattern=NO_NUL, description="Mã tổ chức: chỉ lấy tổ chức này và cấp dưới")


class MeetingIn(MeetingCreate):
    organization: str = Field(max_length=40, pattern=CODE, description="Mã chi bộ")


def meeting_item(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "organization": m.organization.code,
        "held_on": m.held_on,
        "starts_at": f"{m.starts_at:%H:%M}",
        "ends_at": f"{m.ends_at:%H:%M}",
        "kind": m.kind,
        "combined": m.combined,
        "topic": m.topic,
        "place": m.place,
        "online": m.online,
        "present_count": m.present_count,
        "expected_count": m.expected_count,
        "version": m.version,
    }


def meeting_detail(m: Meeting) -> dict[str, Any]:
    rows = sorted(selectors.attendances(m), key=lambda a: (a.member.name_folded, a.member_id))
    return {**meeting_item(m), "attendance": [
        {"member_id": a.member_id, "full_name": a.member.full_name, "status": a.status, "reason": a.reason}
        for a in rows]}


@router.get(
    "/",
    response={200: MeetingPage, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Danh sách buổi sinh hoạt chi bộ trong phạm vi được xem (mới nhất trước)",
)
def list_meetings(request: HttpRequest, filters: Query[MeetingFilters]):
    acc = access(request)
    qs = selectors.meetings_in_scope(acc, acc.get_org(filters.org) if filters.org else None)
    total, rows = paginate(qs, filters.page, filters.page_size)
    return {"count": total, "page": filters.page, "page_size": filters.page_size,
            "results": [meeting_item(m) for m in rows]}


@router.get(
    "/{meeting_id}",
    response={200: MeetingDetail, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Một buổi sinh hoạt và điểm danh",
)
def get_meeting(request: HttpRequest, meeting_id: int):
    found = selectors.meeting_in_scope(access(request), meeting_id) if 1 <= meeting_id <= DB_INT_MAX else None
    if found is None:
        raise Http404(NOT_FOUND)
    return meeting_detail(found)


@router.post(
    "/",
    response={201: MeetingDetail, **WRITE_ERRORS},
    summary="Ghi một buổi sinh hoạt chi bộ đã diễn ra, cùng điểm danh",
    description="Mọi đảng viên của chi bộ được tính có mặt (miễn sinh hoạt: miễn), trừ những người ghi trong "
                "`attendance`. Buổi thường kỳ thứ hai trong tháng bị từ chối (409, code duplicate) trừ khi "
                "`second_regular` là true. " + IDEMPOTENCY,
)
def create_meeting(request: HttpRequest, response: HttpResponse, payload: MeetingIn,
                   idempotency_key: IdempotencyKey = None):
    org = access(request).get_org(payload.organization)
    ensure_writer(request, org)
    data = payload.dict()
    data.pop("organization")
    exceptions = {a["member_id"]: str(a["status"]) for a in data.pop("attendance")}
    reasons = {a.member_id: a.reason for a in payload.attendance if a.reason}
    data["kind"] = str(data["kind"])
    for name in ("starts_at", "ends_at"):
        data[name] = dt.time.fromisoformat(data[name])  # HH:MM by the schema's pattern: always parses

    def action() -> dict[str, Any]:
        meeting = meetings.record_month_meeting(request.user, org, exceptions=exceptions, reasons=reasons, **data)
        return meeting_detail(selectors.meeting_in_scope(access(request), meeting.pk))

    return run_write(request, response, 201, action)
