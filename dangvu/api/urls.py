"""JSON API (django-ninja), scoped exactly like the web UI.

Mounted at ``/api/v1/``; the OpenAPI schema is ``/api/v1/openapi.json``. Every query goes
through :func:`dangvu.accounts.access.access_for`, and a record outside the caller's scope
answers 404 exactly like an absent one. Writes (members' data entry, meetings) need a token
issued to write and go through the same services as the web forms; a refusal
(:class:`~dangvu.common.ServiceError`) answers 400/403/409 with its Vietnamese message.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from dangvu.common import ServiceError
from dangvu.common.versions import StaleEdit

from . import member_writes  # noqa: F401 (adds the write operations to the members router)
from .auth import AUTH_FAILED, auth_methods
from .common import PAGE_SIZE_MAX
from .exchange_writes import router as exchange_router
from .meetings import router as meetings_router
from .members import router as members_router
from .organizations import router as organizations_router
from .organizations import stats_router
from .writing import BAD_KEY, KEY_HEADER, refusal_status


class Utf8JSONRenderer(JSONRenderer):
    """Vietnamese text as UTF-8, not ``\\uXXXX`` escapes (about half the bytes)."""

    media_type = "application/json"  # ninja appends "; charset=utf-8"
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Đảng vụ API",
    version="1",
    description="API của Đảng vụ. Xác thực: `Authorization: Bearer <khóa>`; "
                "dữ liệu được giới hạn trong phạm vi vai trò của người dùng. Ghi dữ liệu (POST, PATCH) cần "
                "khóa được ghi (`dangvu token USERNAME --write`) và vai trò được sửa tổ chức đó; bị từ chối "
                "thì trả 400 (dữ liệu sai), 403 (không được ghi), 409 (trái với dữ liệu đang lưu) với lý do "
                "bằng tiếng Việt (`detail`), loại (`code`) và trường (`field`).",
    urls_namespace="api",
    renderer=Utf8JSONRenderer(),
    auth=auth_methods,
    docs_url=None,  # the interactive docs load scripts from a CDN; the schema is at openapi.json
)

PARAM_MESSAGES = {
    "page": "Số trang (page) phải là số nguyên từ 1 trở lên.",
    "page_size": f"Số dòng mỗi trang (page_size) phải là số nguyên từ 1 đến {PAGE_SIZE_MAX}.",
    "q": "Từ khóa tìm kiếm (q) quá dài hoặc có ký tự không hợp lệ.",
    "org": "Mã tổ chức (org) không hợp lệ.",
    "kind": "Loại tổ chức (kind) không hợp lệ.",
    "status": "Trạng thái (status) phải là một trong: probationary, full, exempt, struck_off, expelled, deceased.",
    "member_id": "Mã đảng viên phải là số nguyên.",
    "meeting_id": "Mã buổi sinh hoạt phải là số nguyên.",
    KEY_HEADER: BAD_KEY,
}

# A field of a JSON body: what pydantic found wrong, in Vietnamese.
BODY_MESSAGES = {
    "missing": "Thiếu trường {field}.",
    "string_too_long": "Trường {field} quá dài.",
    "string_pattern_mismatch": "Trường {field} có ký tự không hợp lệ (ký tự điều khiển, xuống dòng).",
    "enum": "Trường {field} không phải một giá trị được nhận.",
    "bool_type": "Trường {field} phải là true hoặc false.",
    "bool_parsing": "Trường {field} phải là true hoặc false.",
    "date_from_datetime_parsing": "Trường {field} phải là ngày dạng YYYY-MM-DD.",
    "date_parsing": "Trường {field} phải là ngày dạng YYYY-MM-DD.",
    "date_type": "Trường {field} phải là ngày dạng YYYY-MM-DD.",
    "time_parsing": "Trường {field} phải là giờ dạng HH:MM.",
    "time_type": "Trường {field} phải là giờ dạng HH:MM.",
    "model_attributes_type": "Nội dung yêu cầu phải là một đối tượng JSON.",
    "dict_type": "Nội dung yêu cầu phải là một đối tượng JSON.",
}
BAD_JSON = "Nội dung yêu cầu không phải JSON hợp lệ."


def _message(err: dict, param: str, in_body: bool) -> str:
    if param in PARAM_MESSAGES and not in_body:
        return PARAM_MESSAGES[param]
    if in_body:
        template = BODY_MESSAGES.get(err.get("type", ""), "Trường {field} không hợp lệ.")
        return template.format(field=param or "(nội dung)")
    return f"Tham số {param or 'yêu cầu'} không hợp lệ."


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": AUTH_FAILED}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="dangvu"'
    return response


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Không tìm thấy."}, status=404)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        where = err.get("loc", ())
        in_body = bool(where) and where[0] == "body"
        # A body field is named by its path below the payload (attendance.0.status).
        loc = [str(part) for part in where[2 if in_body else 0:] if part not in ("query", "path", "body")]
        param = ".".join(loc) if in_body else (loc[-1] if loc else "")
        message = _message(err, param, in_body)
        if all(e["param"] != param for e in errors):
            errors.append({"param": param, "message": message})
    detail = " ".join(e["message"] for e in errors) or "Yêu cầu không hợp lệ."
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(ServiceError)
def on_refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    """A service refused the write: nothing was written; its message, code and field."""
    body = {"detail": exc.message, "code": str(exc.code), "field": exc.field}
    if isinstance(exc, StaleEdit):
        body["version"] = exc.version
    return api.create_response(request, body, status=refusal_status(exc.code))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own 400 is an unreadable body; its message is English (and may carry the parser's).
    detail = BAD_JSON if exc.status_code == 400 else str(exc)
    body = {"detail": detail, "code": "invalid", "field": None} if exc.status_code == 400 else {"detail": detail}
    return api.create_response(request, body, status=exc.status_code)


api.add_router("/members/", members_router)
api.add_router("/exchange/", exchange_router)
api.add_router("/meetings/", meetings_router)
api.add_router("/organizations/", organizations_router)
api.add_router("/stats/", stats_router)
