"""Excel import, the writing side: stage a file (one batch row) and confirm it (every row).

Nothing reaches the registry before a person confirms a file without errors. Confirmation
re-validates (the database may have changed), then writes every row in ONE transaction
(members by ``bulk_create`` in batches, with their history rows) and ONE audit entry. Reading
and validating the workbook is :mod:`dangvu.registry.imports`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from dangvu.accounts.access import access_for
from dangvu.accounts.audit import log_bulk
from dangvu.common import Code, ServiceError, acting_user
from dangvu.common.signals import data_changed
from dangvu.core.lifecycle import Event

from . import excel, imports
from .excel_check import Result
from .models import ImportBatch, Member, Organization, StatusChange
from .services import create_organization

BATCH_SIZE = 2000
IMPORT_NOTE = "Nhập từ Excel"
ALREADY_DONE = "Tệp này đã được nhập rồi; không nhập lần thứ hai."


def _workbook_refusal(exc: excel.WorkbookError) -> ServiceError:
    return ServiceError(str(exc), exc.code, field="file")


@transaction.atomic
def stage_import(by: Any, scope: Organization, kind: str, uploaded_file: Any) -> ImportBatch:
    """Read and validate the whole file and keep it as a batch awaiting confirmation.

    A file that cannot be used at all raises :class:`ServiceError` and nothing is stored;
    row problems are kept on the batch (state ``invalid``) for the preview page.
    """
    if kind not in imports.KINDS:
        raise ServiceError("Loại dữ liệu nhập không hợp lệ.", Code.INVALID, field="kind")
    if not getattr(by, "pk", None):
        raise ServiceError("Cần đăng nhập để nhập dữ liệu.", Code.FORBIDDEN)
    if not access_for(by).can_edit_org(scope):
        raise ServiceError("Bạn không có quyền cập nhật tổ chức này.", Code.FORBIDDEN, field="scope")
    name = str(getattr(uploaded_file, "name", "") or "tep.xlsx").rsplit("/", 1)[-1][:255]
    limit = settings.DANGVU_MAX_UPLOAD_BYTES
    size = getattr(uploaded_file, "size", None)
    try:
        excel.check_upload(name, size if size is not None else 1, limit)
        content = uploaded_file.read(limit + 1)
        excel.check_upload(name, len(content), limit)
        result = imports.validate(by, scope, kind, content)
    except excel.WorkbookError as exc:
        raise _workbook_refusal(exc) from exc
    return ImportBatch.objects.create(
        kind=kind, scope=scope, file_name=name, content=content, rows=result.rows,
        problems=result.problems, warnings=result.warnings,
        state=ImportBatch.State.PREVIEW if result.ok else ImportBatch.State.INVALID, created_by=by,
    )


def _check_may_confirm(by: Any, batch: ImportBatch) -> None:
    access = access_for(by)
    if batch.created_by_id != getattr(by, "pk", None) and not access.is_admin:
        raise ServiceError("Chỉ người đã tải tệp lên mới xác nhận được.", Code.FORBIDDEN)
    if not access.can_edit_org(batch.scope):
        raise ServiceError("Bạn không còn quyền cập nhật tổ chức này.", Code.FORBIDDEN)
    if batch.state == ImportBatch.State.DONE:
        raise ServiceError(ALREADY_DONE, Code.STATE)
    if batch.state == ImportBatch.State.INVALID:
        raise ServiceError("Tệp còn lỗi nên chưa nhập được. Hãy sửa các dòng lỗi rồi tải tệp lên lại.", Code.STATE)


@transaction.atomic
def _confirm_in_transaction(by: Any, batch: ImportBatch) -> tuple[int, Result | None]:
    """The import's one transaction: (rows written, None), or (0, the new result) when the file
    no longer validates — then only the batch is marked invalid, and that is kept."""
    locked = ImportBatch.objects.select_for_update().select_related("scope").get(pk=batch.pk)
    if locked.state != ImportBatch.State.PREVIEW:
        raise ServiceError(ALREADY_DONE, Code.STATE)
    result = imports.validate(by, locked.scope, locked.kind, bytes(locked.content))
    if not result.ok:
        ImportBatch.objects.filter(pk=locked.pk).update(
            state=ImportBatch.State.INVALID, problems=result.problems, warnings=result.warnings)
        return 0, result
    if locked.kind == ImportBatch.Kind.MEMBERS:
        created = _write_members(by, result.good)
        # Rows written in bulk send no per-row signal: stored figures of the scope learn of them here.
        data_changed.send(sender=Member, organization_id=locked.scope_id, year=None)
    else:
        created = _write_organizations(by, result.good)
        data_changed.send(sender=ImportBatch, organization_id=None, year=None)  # the tree itself changed
    # A queryset update: the one audit entry of the import is the log_bulk below.
    ImportBatch.objects.filter(pk=locked.pk).update(state=ImportBatch.State.DONE, imported=created)
    log_bulk(by, locked.scope, f"{locked.kind}.xlsx", created=created, file=locked.file_name, batch=locked.pk)
    return created, None


def confirm_import(by: Any, batch: ImportBatch) -> int:
    """Write a staged file without errors: all rows or none; returns the number written.

    One transaction (:func:`_confirm_in_transaction`); a file that stopped validating is refused
    after it commits, so the batch shows its new problems."""
    _check_may_confirm(by, batch)
    try:
        created, still_invalid = _confirm_in_transaction(by, batch)
    except excel.WorkbookError as exc:
        raise _workbook_refusal(exc) from exc
    except IntegrityError as exc:
        raise ServiceError("Một số dòng vừa được người khác nhập trùng (CCCD hoặc mã tổ chức). "
                           "Chưa nhập dòng nào; hãy tải tệp lên lại để kiểm tra.", Code.CONFLICT) from exc
    batch.refresh_from_db()
    if still_invalid is not None:
        raise ServiceError(
            f"Dữ liệu trong hệ thống đã thay đổi từ lúc kiểm tra: nay có {len(still_invalid.problems)} dòng lỗi. "
            "Chưa nhập dòng nào.", Code.STALE)
    return created


# -- writers (called inside the confirmation's transaction) ----------------------------------

_MEMBER_COPY = ("full_name", "name_folded", "birth_date", "gender", "ethnicity", "religion", "home_town",
                "residence", "phone", "cccd", "education", "qualification", "political_theory", "occupation",
                "is_student", "admitted_on", "full_on", "card_number", "status", "resident",
                "commune_official", "organization_id")

_HISTORY_COLUMNS = ("member", "event", "on", "from_status", "to_status", "from_org", "to_org", "decision_number",
                    "note", "recorded_by", "recorded_at")


def _insert_history(rows: list[tuple[Any, ...]]) -> None:
    """Insert history rows with one ``executemany``: no ids are needed back, and skipping the
    per-value work of ``bulk_create`` halves the write time of a large import."""
    qn = connection.ops.quote_name
    meta = StatusChange._meta
    columns = ", ".join(qn(meta.get_field(name).column) for name in _HISTORY_COLUMNS)
    marks = ", ".join(["%s"] * len(_HISTORY_COLUMNS))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})",
                               rows[start:start + BATCH_SIZE])


def _write_member_batch(user: Any, rows: list[dict[str, Any]]) -> int:
    """One batch: the members, then their history (admission, and recognition when full)."""
    members = [Member(**{k: row[k] for k in _MEMBER_COPY}) for row in rows]
    if connection.features.can_return_rows_from_bulk_insert:
        Member.objects.bulk_create(members)
    else:  # pragma: no cover - every supported backend returns ids
        for member in members:
            member.save()
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    by = getattr(user, "pk", None)
    history: list[tuple[Any, ...]] = []
    for m in members:
        history.append((m.pk, Event.ADMIT.value, ops.adapt_datefield_value(m.admitted_on), "", "probationary", None,
                        m.organization_id, "", IMPORT_NOTE, by, now))
        if m.full_on:
            history.append((m.pk, Event.RECOGNIZE_FULL.value, ops.adapt_datefield_value(m.full_on), "probationary",
                            "full", None, None, "", IMPORT_NOTE, by, now))
    _insert_history(history)
    return len(members)


def _write_members(by: Any, rows: list[dict[str, Any]]) -> int:
    user = acting_user(by)
    total = 0
    for start in range(0, len(rows), BATCH_SIZE):
        total += _write_member_batch(user, rows[start:start + BATCH_SIZE])
    return total


def _write_organizations(by: Any, rows: list[dict[str, Any]]) -> int:
    for row in rows:
        # Re-read the parent each time: a sorted insert may have moved siblings' paths.
        parent = Organization.objects.get(code=row["parent"])
        create_organization(by, parent, code=row["code"], name=row["name"], kind=row["kind"],
                            sector=row["sector"], established_on=row["established_on"])
    return len(rows)
