"""Read-only JSON API (django-ninja), scoped exactly like the web UI.

Mounted at ``/api/v1/``; the OpenAPI schema is ``/api/v1/openapi.json``. Every query goes
through :func:`dangvu.accounts.access.access_for`, and a record outside the caller's scope
answers 404 exactly like an absent one.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.renderers import JSONRenderer

from .auth import AUTH_FAILED, auth_methods
from .common import PAGE_SIZE_MAX
from .members import router as members_router
from .organizations import router as organizations_router
from .organizations import stats_router


class Utf8JSONRenderer(JSONRenderer):
    """Vietnamese text as UTF-8, not ``\\uXXXX`` escapes (about half the bytes)."""

    media_type = "application/json"  # ninja appends "; charset=utf-8"
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Đảng vụ API",
    version="1",
    description="API chỉ đọc của Đảng vụ. Xác thực: `Authorization: Bearer <khóa>`; "
                "dữ liệu được giới hạn trong phạm vi vai trò của người dùng.",
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
}


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
        loc = [str(part) for part in err.get("loc", ()) if part not in ("query", "path", "body")]
        param = loc[-1] if loc else ""
        message = PARAM_MESSAGES.get(param, f"Tham số {param or 'yêu cầu'} không hợp lệ.")
        if all(e["param"] != param for e in errors):
            errors.append({"param": param, "message": message})
    detail = " ".join(e["message"] for e in errors) or "Yêu cầu không hợp lệ."
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


api.add_router("/members/", members_router)
api.add_router("/organizations/", organizations_router)
api.add_router("/stats/", stats_router)
