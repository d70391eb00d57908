"""Members' data entry by other systems: enter a record, correct it, record a lifecycle event.

Each endpoint calls the registry service the web form calls (same checks, same refusals, same
audit log); it adds only the API's scope rule: outside the token user's reading scope 404, inside
it without the right to edit (or with a reading token) 403.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from dangvu.common import Code, ServiceError
from dangvu.registry import selectors
from dangvu.registry import services as registry
from dangvu.registry.models import Member, TransferKind

from .common import DB_INT_MAX, access
from .members import NOT_FOUND, history_item, member_detail, router
from .schemas import ErrorOut, HistoryItem, MemberDetail, ValidationErrorOut
from .write_schemas import EventIn, EventKind, EventOut, MemberCreate, MemberUpdate, RefusalOut
from .writing import IdempotencyKey, ensure_writer, run_write

WRITE_ERRORS: dict[int, Any] = {400: RefusalOut, 401: ErrorOut, 403: RefusalOut, 404: ErrorOut, 409: RefusalOut,
                                422: ValidationErrorOut, 429: RefusalOut}
IDEMPOTENCY = ("Gửi kèm header `Idempotency-Key` (1–100 ký tự ASCII) để gửi lại an toàn: cùng khóa và cùng "
               "nội dung trả lại kết quả đã ghi, không ghi lần hai.")  # the header itself: writing.IdempotencyKey


def _member(request: HttpRequest, member_id: int) -> Member:
    if not 1 <= member_id <= DB_INT_MAX:
        raise Http404(NOT_FOUND)
    return access(request).get_member(member_id)  # absent and out of scope look the same: 404


def _identity(data: dict[str, Any]) -> dict[str, Any]:
    """The service's field values: an empty CCCD is none (the column is unique but nullable)."""
    if "cccd" in data and not data["cccd"]:
        data["cccd"] = None
    return data


@router.post(
    "/",
    response={201: MemberDetail, **WRITE_ERRORS},
    summary="Nhập hồ sơ một đảng viên vào chi bộ",
    description="Như trang «Thêm đảng viên»: hồ sơ của đảng viên đã vào Đảng (ngày vào Đảng, ngày chính thức "
                "nếu có). Cần khóa được ghi và vai trò được sửa chi bộ. " + IDEMPOTENCY,
)
def create_member(request: HttpRequest, response: HttpResponse, payload: MemberCreate,
                  idempotency_key: IdempotencyKey = None):
    org = access(request).get_org(payload.organization)
    ensure_writer(request, org)
    data = _identity(payload.dict())
    data.pop("organization")

    def action() -> dict[str, Any]:
        member = registry.register_member(request.user, org, data)
        return member_detail(request, access(request).get_member(member.pk))

    return run_write(request, response, 201, action)


@router.patch(
    "/{member_id}",
    response={200: MemberDetail, **WRITE_ERRORS},
    summary="Sửa thông tin lý lịch của một đảng viên",
    description="Chỉ các trường gửi lên được sửa. Gửi `version` đã đọc để không ghi đè sửa đổi của người "
                "khác (409, code stale). Trạng thái và chuyển sinh hoạt ghi qua `/events`.",
)
def update_member(request: HttpRequest, response: HttpResponse, member_id: int, payload: MemberUpdate,
                  idempotency_key: IdempotencyKey = None):
    member = _member(request, member_id)
    ensure_writer(request, member.organization)
    fields = _identity(payload.dict(exclude_unset=True))
    version = fields.pop("version", None)

    def action() -> dict[str, Any]:
        registry.update_member(request.user, member, version=version, **fields)
        return member_detail(request, access(request).get_member(member.pk))

    return run_write(request, response, 200, action)


@router.get(
    "/{member_id}/events",
    response={200: list[HistoryItem], 404: ErrorOut, 422: ValidationErrorOut},
    summary="Quá trình sinh hoạt đảng của một đảng viên",
)
def list_events(request: HttpRequest, member_id: int):
    return [history_item(h) for h in selectors.member_history(_member(request, member_id))]


def _record(request: HttpRequest, member: Member, e: EventIn) -> int | None:
    """Call the event's service; the transfer's id for a transfer letter."""
    by, on = request.user, e.on
    if e.event == EventKind.TRANSFER_OUT:
        if not e.to_org:
            raise ServiceError("Hãy ghi mã tổ chức nơi chuyển đến (to_org).", Code.REQUIRED, field="to_org")
        # Any live cell or grassroots committee of the whole tree, as the web form offers.
        to_org = selectors.transfer_destination(member, e.to_org)
        if to_org is None:
            raise ServiceError(f"Không có chi bộ hoặc đảng bộ cơ sở đang hoạt động mã «{e.to_org}» để chuyển đến.",
                               Code.INVALID, field="to_org")
        ends_on = e.ends_on if e.transfer_kind == TransferKind.TEMPORARY else None
        return registry.start_transfer(by, member, e.transfer_kind, to_org, on, ends_on=ends_on, reason=e.note).pk
    if e.event == EventKind.RECOGNIZE_FULL:
        registry.recognize_full(by, member, on, e.decision_number)
    elif e.event == EventKind.EXEMPT:
        registry.exempt(by, member, on, e.note)
    elif e.event == EventKind.END_EXEMPTION:
        registry.end_exemption(by, member, on, e.note)
    elif e.event == EventKind.STRIKE_OFF:
        registry.strike_off(by, member, on, e.decision_number, e.note)
    else:
        registry.record_death(by, member, on, e.note)
    return None


@router.post(
    "/{member_id}/events",
    response={201: EventOut, **WRITE_ERRORS},
    summary="Ghi một sự kiện: công nhận chính thức, miễn sinh hoạt, xóa tên, từ trần, chuyển sinh hoạt",
    description="Qua đúng dịch vụ của trang web: sự kiện trái quy định (ví dụ miễn sinh hoạt hai lần) bị từ "
                "chối (409, code transition). Chuyển sinh hoạt: nơi đến tiếp nhận trên trang web của mình. "
                + IDEMPOTENCY,
)
def record_event(request: HttpRequest, response: HttpResponse, member_id: int, payload: EventIn,
                 idempotency_key: IdempotencyKey = None):
    member = _member(request, member_id)
    ensure_writer(request, member.organization)

    def action() -> dict[str, Any]:
        transfer_id = _record(request, member, payload)
        fresh = access(request).get_member(member.pk)
        last = max(selectors.member_history(fresh), key=lambda h: h.pk)  # the one just written
        return {"member_id": fresh.pk, "status": fresh.status, "version": fresh.version,
                "event": history_item(last), "transfer_id": transfer_id}

    return run_write(request, response, 201, action)
