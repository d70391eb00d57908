"""The exchange with the level above through the API (issue 18, points 3 and 4): a lower level's
instance (or any system holding its package) posts the signed package; it is verified and applied
by :func:`dangvu.exchange.services.import_package`, the same as the upload page and
``dangvu exchange import``. Scope: the organization given must be in the token user's reading scope
(404 otherwise) and editable with a writing token (403); every organization of the package must lie
in its subtree (409 refusal otherwise), exactly as on the upload page.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from dangvu.common import Code, ServiceError
from dangvu.exchange import services as exchange

from .common import access
from .member_writes import IDEMPOTENCY, WRITE_ERRORS
from .write_schemas import CODE
from .writing import IdempotencyKey, ensure_writer, run_write

router = Router(tags=["exchange"])
OrgCode = Annotated[str, Query(..., max_length=40, pattern=CODE, description="Mã tổ chức của bên nhập")]


class SectionOut(Schema):
    created: int
    updated: int
    unchanged: int
    skipped: int


class ImportOut(Schema):
    """What the package changed (or, with ``dry_run``, would change: nothing is written)."""

    organization: str = Field(description="Mã tổ chức gốc của gói")
    organization_name: str
    period: str
    made_at: str = Field(description="Thời điểm bên gửi lập gói")
    dry_run: bool
    already: bool = Field(description="Chính tệp này đã được nhập trước đó: không có gì thay đổi")
    created: int
    updated: int
    sections: dict[str, SectionOut]


@router.post(
    "/packages",
    response={200: ImportOut, **WRITE_ERRORS},
    summary="Nhập một gói dữ liệu của cấp dưới (đã ký), hoặc xem trước với dry_run",
    description="Gói ZIP do `dangvu exchange export` lập, gửi dạng multipart (trường `package`). Gói được kiểm chữ "
                "ký (khóa phải được tin cậy), mã kiểm tra, lược đồ và phiên bản rồi áp dụng trong một giao dịch; "
                "nhập lại cùng gói không thay đổi gì; gói cũ hơn gói đã nhập bị từ chối. " + IDEMPOTENCY,
)
def import_package(request: HttpRequest, response: HttpResponse, organization: OrgCode, package: File[UploadedFile],
                   dry_run: bool = False, idempotency_key: IdempotencyKey = None):
    org = access(request).get_org(organization)
    ensure_writer(request, org)
    limit = settings.DANGVU_MAX_UPLOAD_BYTES
    if package.size is not None and package.size > limit:
        raise ServiceError(f"Gói dữ liệu lớn quá {limit // (1024 * 1024)} MB.", Code.FILE_TOO_LARGE, field="package")
    content = package.read(limit + 1)
    if len(content) > limit:
        raise ServiceError(f"Gói dữ liệu lớn quá {limit // (1024 * 1024)} MB.", Code.FILE_TOO_LARGE, field="package")

    def action() -> dict[str, Any]:
        result = exchange.import_package(request.user, content, scope=org, dry_run=dry_run)
        return {"organization": result.org_code, "organization_name": result.org_name, "period": result.period,
                "made_at": result.made_at, "dry_run": dry_run, "already": result.already,
                "created": result.created, "updated": result.updated,
                "sections": {k: {"created": v.created, "updated": v.updated, "unchanged": v.unchanged,
                                 "skipped": v.skipped} for k, v in result.sections.items()}}

    return run_write(request, response, 200, action)
