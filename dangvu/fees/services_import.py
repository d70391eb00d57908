"""Excel import of a cell's fee book, the writing side: stage a file (one batch row) and confirm it.

Like the member import (:mod:`dangvu.registry.services_import`): nothing reaches the book before a
person confirms a file without problems; confirmation checks the whole file again (the book may
have changed), then writes every row in ONE transaction through :func:`~dangvu.fees.services.record_book`
(one call per month, each entry audited) plus one audit entry for the import.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction

from dangvu.accounts.access import access_for
from dangvu.accounts.audit import log_bulk
from dangvu.common import Code, ServiceError, ensure_can_edit
from dangvu.registry.excel import WorkbookError, check_upload
from dangvu.registry.models import CELL_KINDS, ImportBatch, Organization

from . import imports
from .services import BookLine, LineKind, record_book

KIND = ImportBatch.Kind.FEE_BOOK


def _refusal(exc: WorkbookError) -> ServiceError:
    return ServiceError(str(exc), exc.code, field="file")


@transaction.atomic
def stage_fee_import(by: Any, org: Organization, uploaded_file: Any) -> ImportBatch:
    """Read and check the whole file and keep it as a batch awaiting confirmation (problems kept
    on the batch for the preview); a file that cannot be used at all stores nothing."""
    if not getattr(by, "pk", None):
        raise ServiceError("Cần đăng nhập để nhập dữ liệu.", Code.FORBIDDEN)
    ensure_can_edit(by, org)
    if org.kind not in CELL_KINDS:
        raise ServiceError("Sổ thu đảng phí do chi bộ ghi.", Code.ORG_KIND)
    name = str(getattr(uploaded_file, "name", "") or "so-thu.xlsx").rsplit("/", 1)[-1][:255]
    limit = settings.DANGVU_MAX_UPLOAD_BYTES
    try:
        check_upload(name, getattr(uploaded_file, "size", None) or 1, limit)
        content = uploaded_file.read(limit + 1)
        check_upload(name, len(content), limit)
        result = imports.validate(org, content)
    except WorkbookError as exc:
        raise _refusal(exc) from exc
    return ImportBatch.objects.create(
        kind=KIND, scope=org, file_name=name, content=content, rows=result.rows, problems=result.problems,
        warnings=result.warnings, state=ImportBatch.State.PREVIEW if result.ok else ImportBatch.State.INVALID,
        created_by=by)


def _lines(good: list[dict[str, Any]]) -> dict:
    """The file's rows as the book's lines, month by month."""
    by_month: dict = defaultdict(dict)
    for r in good:
        if not r["amount"]:
            line = BookLine(LineKind.EXCUSED, reason=r["reason"] or "Chưa nộp")
        elif r["due"] is not None and r["amount"] < r["due"]:
            line = BookLine(LineKind.PARTIAL, r["amount"])
        else:
            line = BookLine(LineKind.PAID, r["amount"])
        by_month[r["month"]][r["member"]] = line
    return by_month


@transaction.atomic
def confirm_fee_import(by: Any, batch: ImportBatch) -> int:
    """Write a staged file without problems: all rows or none; returns the number of rows written."""
    access = access_for(by)
    if batch.kind != KIND:
        raise ServiceError("Lượt nhập này không phải sổ thu đảng phí.", Code.INVALID)
    if batch.created_by_id != getattr(by, "pk", None) and not access.is_admin:
        raise ServiceError("Chỉ người đã tải tệp lên mới xác nhận được.", Code.FORBIDDEN)
    ensure_can_edit(by, batch.scope)
    locked = ImportBatch.objects.select_for_update().select_related("scope").get(pk=batch.pk)
    if locked.state == ImportBatch.State.DONE:
        raise ServiceError("Tệp này đã được nhập rồi; không nhập lần thứ hai.", Code.STATE)
    if locked.state != ImportBatch.State.PREVIEW:
        raise ServiceError("Tệp còn lỗi nên chưa nhập được. Hãy sửa các dòng lỗi rồi tải tệp lên lại.", Code.STATE)
    try:
        result = imports.validate(locked.scope, bytes(locked.content))
    except WorkbookError as exc:
        raise _refusal(exc) from exc
    if not result.ok:
        raise ServiceError(f"Sổ thu đã thay đổi từ lúc kiểm tra: nay có {len(result.problems)} dòng lỗi. "
                           "Chưa nhập dòng nào; hãy tải tệp lên lại để xem.", Code.STALE)
    for month, lines in sorted(_lines(result.good).items()):
        record_book(by, locked.scope, month, lines=lines)
    ImportBatch.objects.filter(pk=locked.pk).update(state=ImportBatch.State.DONE, imported=len(result.good))
    log_bulk(by, locked.scope, "fee_book.xlsx", created=len(result.good), file=locked.file_name, batch=locked.pk)
    return len(result.good)
