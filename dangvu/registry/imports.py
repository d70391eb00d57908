"""Excel import use cases: stage (read + validate the whole file, store it) and confirm (write).

Nothing reaches the registry before a person confirms a file without errors. Confirmation
re-validates (the database may have changed), then writes every row in ONE transaction
(members by ``bulk_create`` in batches, with their history rows) and ONE audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from dangvu.accounts.access import access_for
from dangvu.accounts.audit import log_bulk
from dangvu.core.lifecycle import Event

from . import excel
from .models import ImportBatch, Member, Organization, StatusChange
from .services import ServiceError, create_organization

BATCH_SIZE = 2000
_QUERY_CHUNK = 900  # stays under SQLite's bound-parameter limit
IMPORT_NOTE = "Nhập từ Excel"
KINDS = tuple(ImportBatch.Kind.values)


class _StillInvalid(Exception):
    def __init__(self, result: excel.Result) -> None:
        super().__init__("invalid")
        self.result = result


def _chunks(items: set[str]) -> list[list[str]]:
    seq = sorted(items)
    return [seq[i:i + _QUERY_CHUNK] for i in range(0, len(seq), _QUERY_CHUNK)]


def _ref(org: Organization) -> excel.OrgRef:
    return excel.OrgRef(org.pk, org.code, org.name, org.kind, org.path)


def _orgs_in(scope: Organization) -> dict[str, excel.OrgRef]:
    rows = Organization.objects.filter(path__startswith=scope.path).values_list(
        "id", "code", "name", "kind", "path")
    return {code: excel.OrgRef(pk, code, name, kind, path) for pk, code, name, kind, path in rows}


def member_context(by, scope: Organization) -> excel.MemberContext:
    access = access_for(by)

    def existing_cccd(cccds: set[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(cccds):
            found.update(Member.objects.filter(cccd__in=chunk).values_list("cccd", flat=True))
        return found

    def existing_people(names: set[str]) -> dict[tuple[str, dt.date], str]:
        found: dict[tuple[str, dt.date], str] = {}
        for chunk in _chunks(names):
            rows = Member.objects.filter(name_folded__in=chunk).values_list(
                "name_folded", "birth_date", "organization__code", "organization__path")
            for name, birth, code, path in rows:
                # Where the person is may be told only when the user could see them anyway.
                seen = access.is_admin or any(path.startswith(p) for p in access.read_paths)
                if seen or (name, birth) not in found:
                    found[(name, birth)] = f"chi bộ {code}" if seen else ""
        return found

    return excel.MemberContext(scope_name=scope.name, orgs=_orgs_in(scope), existing_cccd=existing_cccd,
                               existing_people=existing_people)


def org_context(scope: Organization) -> excel.OrgContext:
    def existing_codes(codes: set[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(codes):
            found.update(Organization.objects.filter(code__in=chunk).values_list("code", flat=True))
        return found

    return excel.OrgContext(scope=_ref(scope), orgs=_orgs_in(scope), existing_codes=existing_codes)


# Parsed member rows of the last files, by content digest: confirming in the same process
# (the usual case right after the preview) then re-runs only the database checks.
_PARSED: OrderedDict[str, list[excel.ParsedRow]] = OrderedDict()
_PARSED_LOCK = threading.Lock()
_PARSED_KEEP = 2


def parsed_members(content: bytes) -> list[excel.ParsedRow]:
    key = hashlib.sha256(content).hexdigest()
    with _PARSED_LOCK:
        hit = _PARSED.get(key)
        if hit is not None:
            _PARSED.move_to_end(key)
            return hit
    parsed = excel.parse_members(excel.read_sheet(content, excel.MEMBER_COLUMNS))
    with _PARSED_LOCK:
        _PARSED[key] = parsed
        while len(_PARSED) > _PARSED_KEEP:
            _PARSED.popitem(last=False)
    return parsed


def validate(by, scope: Organization, kind: str, content: bytes) -> excel.Result:
    """Validate a whole file against the current database (raises WorkbookError when unusable)."""
    if kind == ImportBatch.Kind.MEMBERS:
        return excel.check_members(parsed_members(content), member_context(by, scope))
    return excel.validate_organizations(excel.read_sheet(content, excel.ORG_COLUMNS), org_context(scope))


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ServiceError("Loại dữ liệu nhập không hợp lệ.")


def stage_import(by, scope: Organization, kind: str, uploaded_file: Any) -> ImportBatch:
    """Read and validate the whole file and keep it as a batch awaiting confirmation.

    A file that cannot be used at all raises :class:`ServiceError` and nothing is stored;
    row problems are kept on the batch (state ``invalid``) for the preview page.
    """
    _check_kind(kind)
    if not getattr(by, "pk", None):
        raise ServiceError("Cần đăng nhập để nhập dữ liệu.")
    if not access_for(by).can_edit_org(scope):
        raise ServiceError("Bạn không có quyền cập nhật tổ chức này.")
    name = str(getattr(uploaded_file, "name", "") or "tep.xlsx").rsplit("/", 1)[-1][:255]
    limit = settings.DANGVU_MAX_UPLOAD_BYTES
    size = getattr(uploaded_file, "size", None)
    try:
        excel.check_upload(name, size if size is not None else 1, limit)
        content = uploaded_file.read(limit + 1)
        excel.check_upload(name, len(content), limit)
        result = validate(by, scope, kind, content)
    except excel.WorkbookError as exc:
        raise ServiceError(str(exc)) from exc
    with transaction.atomic():
        return ImportBatch.objects.create(
            kind=kind, scope=scope, file_name=name, content=content, rows=result.rows,
            problems=result.problems, warnings=result.warnings,
            state=ImportBatch.State.PREVIEW if result.ok else ImportBatch.State.INVALID, created_by=by,
        )


def can_see_batch(by, batch: ImportBatch) -> bool:
    """An administrator, or the batch's creator while they may still edit its organization: the
    file holds personal data, and a role revoked after the upload ends the right to see it."""
    access = access_for(by)
    if access.is_admin:
        return True
    return batch.created_by_id == getattr(by, "pk", None) and access.can_edit_org(batch.scope)


def confirm_import(by, batch: ImportBatch) -> int:
    """Write a staged file without errors: all rows or none; returns the number written."""
    access = access_for(by)
    if batch.created_by_id != getattr(by, "pk", None) and not access.is_admin:
        raise ServiceError("Chỉ người đã tải tệp lên mới xác nhận được.")
    if not access.can_edit_org(batch.scope):
        raise ServiceError("Bạn không còn quyền cập nhật tổ chức này.")
    if batch.state == ImportBatch.State.DONE:
        raise ServiceError("Tệp này đã được nhập rồi; không nhập lần thứ hai.")
    if batch.state == ImportBatch.State.INVALID:
        raise ServiceError("Tệp còn lỗi nên chưa nhập được. Hãy sửa các dòng lỗi rồi tải tệp lên lại.")
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().select_related("scope").get(pk=batch.pk)
            if locked.state != ImportBatch.State.PREVIEW:
                raise ServiceError("Tệp này đã được nhập rồi; không nhập lần thứ hai.")
            result = validate(by, locked.scope, locked.kind, bytes(locked.content))
            if not result.ok:
                raise _StillInvalid(result)
            if locked.kind == ImportBatch.Kind.MEMBERS:
                created = write_members(by, result.good)
            else:
                created = write_organizations(by, result.good)
            # A queryset update: the one audit entry of the import is the log_bulk below.
            ImportBatch.objects.filter(pk=locked.pk).update(state=ImportBatch.State.DONE, imported=created)
            log_bulk(by, locked.scope, f"{locked.kind}.xlsx", created=created, file=locked.file_name,
                     batch=locked.pk)
    except _StillInvalid as exc:
        ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.PREVIEW).update(
            state=ImportBatch.State.INVALID, problems=exc.result.problems, warnings=exc.result.warnings)
        batch.refresh_from_db()
        raise ServiceError(
            f"Dữ liệu trong hệ thống đã thay đổi từ lúc kiểm tra: nay có {len(exc.result.problems)} dòng lỗi. "
            "Chưa nhập dòng nào.") from None
    except excel.WorkbookError as exc:
        raise ServiceError(str(exc)) from exc
    except IntegrityError as exc:
        raise ServiceError("Một số dòng vừa được người khác nhập trùng (CCCD hoặc mã tổ chức). "
                           "Chưa nhập dòng nào; hãy tải tệp lên lại để kiểm tra.") from exc
    batch.refresh_from_db()
    return created


# -- writers (called inside confirm_import's transaction) ------------------------------------

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


def write_member_batch(user, rows: list[dict[str, Any]]) -> int:
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


def write_members(by, rows: list[dict[str, Any]]) -> int:
    user = by if getattr(by, "pk", None) else None
    total = 0
    for start in range(0, len(rows), BATCH_SIZE):
        total += write_member_batch(user, rows[start:start + BATCH_SIZE])
    return total


def write_organizations(by, rows: list[dict[str, Any]]) -> int:
    for row in rows:
        # Re-read the parent each time: a sorted insert may have moved siblings' paths.
        parent = Organization.objects.get(code=row["parent"])
        create_organization(by, parent, code=row["code"], name=row["name"], kind=row["kind"],
                            sector=row["sector"], established_on=row["established_on"])
    return len(rows)


# -- preview --------------------------------------------------------------------------------

def preview(batch: ImportBatch, count: int = 20) -> list[dict[str, Any]]:
    """The first good rows of a staged file, as display text."""
    bad = {p["row"] for p in batch.problems}
    try:
        sheet = excel.read_sheet(bytes(batch.content), excel.COLUMNS[batch.kind], limit=count + len(bad))
    except excel.WorkbookError:
        return []
    return excel.preview_rows(sheet, batch.kind, bad, count)
