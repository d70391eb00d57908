"""The exchange's writes: make a package (audited), trust a sender's key, and import a package in
one transaction, idempotently.

Idempotence: each imported row is remembered as (sender's key, section, id on the sender) → local
row (:class:`ExchangeRecord`). Importing again finds every row, compares field by field and writes
only what differs, so the same package twice changes nothing. A row seen for the first time is
matched to a local one by a natural key before a new one is made: an organization by its code, a
member by CCCD, any row by its model's unique fields (a cell's fee book of a month, …).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from dangvu.common import ServiceError
from dangvu.common.signals import data_changed
from dangvu.core.errors import Code
from dangvu.core.text import fold
from dangvu.registry.models import Organization

from . import keys as k
from . import package as pkg
from . import selectors as sel
from .models import ExchangeExport, ExchangeImport, ExchangeRecord, ExchangeUpload, TrustedKey
from .sections import BY_NAME, MODEL_SECTION, SECTIONS, Section

PACKAGE_CODES = {"file": Code.FILE, "version": Code.FILE, "signature": Code.FILE, "checksum": Code.FILE,
                 "schema": Code.FILE, "untrusted": Code.FORBIDDEN}
SAMPLE_LIMIT = 30
BATCH = 500  # rows per INSERT
# The organization a row belongs to: it must be one of the package's own (other references, such as
# the committee a remittance went to, may name any organization the importer has).
OWNER_FIELDS = frozenset({"organization", "unit", "sender", "issuer"})
CHUNK = 900  # ids per IN (…): under SQLite's bound on query parameters


# -- export ------------------------------------------------------------------------------------
@transaction.atomic
def export_package(actor: Any, org: Organization, year: int | None = None) -> bytes:
    """The signed package of ``org``'s subtree (``year``: the dated records of that year only);
    the export itself is recorded (and so audited)."""
    data = sel.export_data(org, year)
    parent = Organization.objects.get_parent(org)
    content = pkg.build(
        organization={"code": org.code, "name": org.name, "parent_code": parent.code if parent else None},
        period=year, made_at=timezone.now().isoformat(), data=data, key=k.sender_key())
    ExchangeExport.objects.create(org_code=org.code, period="" if year is None else str(year),
                                  sha256=hashlib.sha256(content).hexdigest(),
                                  records=sum(len(rows) for rows in data.values()),
                                  created_by=actor if getattr(actor, "pk", None) else None)
    return content


# -- trusted keys ------------------------------------------------------------------------------
@transaction.atomic
def trust_key(actor: Any, public_key: str, label: str) -> TrustedKey:
    """Accept packages signed with ``public_key`` (base64, as `dangvu exchange key` prints it)."""
    text = public_key.strip()
    try:
        k.public_from_text(text)
    except ValueError:
        raise ServiceError("Khóa công khai không đúng dạng (chuỗi base64 của 32 byte, như lệnh "
                           "«dangvu exchange key» in ra).", Code.INVALID, field="public_key") from None
    if not label.strip():
        raise ServiceError("Hãy ghi tên đơn vị gửi của khóa này.", Code.REQUIRED, field="label")
    if TrustedKey.objects.filter(public_key=text).exists():
        raise ServiceError("Khóa này đã được tin cậy.", Code.DUPLICATE, field="public_key")
    return TrustedKey.objects.create(public_key=text, label=label.strip()[:255],
                                     added_by=actor if getattr(actor, "pk", None) else None)


# -- import ------------------------------------------------------------------------------------
@dataclass
class SectionResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


@dataclass
class ImportResult:
    org_code: str
    org_name: str
    period: str
    made_at: str
    sections: dict[str, SectionResult] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)  # the first few, for the preview
    already: bool = False  # this very file was imported before
    applied: ExchangeImport | None = None

    @property
    def created(self) -> int:
        return sum(s.created for s in self.sections.values())

    @property
    def updated(self) -> int:
        return sum(s.updated for s in self.sections.values())

    @property
    def skipped(self) -> int:
        return sum(s.skipped for s in self.sections.values())

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def totals(self) -> dict[str, int]:
        """Created/updated/unchanged/skipped over every section (the command line's summary)."""
        return {key: sum(getattr(r, key) for r in self.sections.values())
                for key in ("created", "updated", "unchanged", "skipped")}

    def lines(self) -> list[tuple[str, SectionResult]]:
        return [(BY_NAME[name].label, r) for name, r in self.sections.items()]

    def summary(self) -> dict[str, Any]:
        """What the preview page shows, as JSON (kept with a staged upload)."""
        return {"org_code": self.org_code, "org_name": self.org_name, "period": self.period,
                "made_at": self.made_at, "already": self.already, **self.totals(),
                "changed": self.changed, "changes": self.changes,
                "lines": [{"label": label, **vars(r)} for label, r in self.lines()]}


def _refuse(exc: pkg.PackageError) -> ServiceError:
    return ServiceError(exc.message, PACKAGE_CODES.get(exc.kind, Code.FILE), field="file")


class _Importer:
    """Applies one verified package inside the caller's transaction."""

    def __init__(self, package: pkg.Package, scope: Organization | None, result: ImportResult) -> None:
        self.package = package
        self.scope = scope
        self.result = result
        self.sender = package.sender
        self.maps: dict[str, dict[int, int]] = {}
        for section, remote, local in ExchangeRecord.objects.filter(sender=self.sender).values_list(
                "section", "remote_id", "local_id"):
            self.maps.setdefault(section, {})[remote] = local
        if ExchangeExport.objects.filter(sha256=package.sha256).exists():
            # A package this very database wrote (its export is on record): each row is itself.
            for section in SECTIONS[1:]:
                ids = [r["id"] for r in package.data.get(section.name, [])]
                for i in range(0, len(ids), CHUNK):
                    own = section.model.objects.filter(pk__in=ids[i:i + CHUNK]).values_list("pk", flat=True)
                    self.maps.setdefault(section.name, {}).update({pk: pk for pk in own})
        self.org_ids: dict[str, int] = {}
        self.package_codes = {row["code"] for row in package.data.get("organizations", [])}
        self.fresh: dict[str, set[int]] = {}  # ids of the rows this import created, by section
        self.new_records: list[ExchangeRecord] = []

    # -- references --
    def _org_id(self, code: str | None) -> int | None:
        if code is None:
            return None
        if code not in self.org_ids:
            found = Organization.objects.filter(code=code).values_list("pk", flat=True).first()
            if found is None:
                return None
            self.org_ids[code] = found
        return self.org_ids[code]

    def _values(self, section: Section, fields: list[models.Field], row: dict[str, Any]) -> dict[str, Any] | None:
        """The row's values as the local model holds them; None when a required reference is not
        here (a row about a member who left the subtree)."""
        values: dict[str, Any] = {}
        for f in fields:
            if f.name not in row:
                continue
            raw = row[f.name]
            if f.is_relation:
                if f.related_model is Organization:
                    if f.name in OWNER_FIELDS and raw is not None and raw not in self.package_codes:
                        return None  # a row of an organization the package does not carry: not its to write
                    local = self._org_id(raw)
                else:
                    local = self.maps.get(MODEL_SECTION[f.related_model], {}).get(raw) if raw is not None else None
                if local is None and raw is not None and not f.null:
                    return None
                values[f.attname] = local
            else:
                try:
                    values[f.attname] = None if raw is None and f.null else f.to_python(raw)
                except Exception:  # noqa: BLE001  any conversion failure is a malformed package
                    raise ServiceError(f"Gói dữ liệu có giá trị không hợp lệ ở mục {section.label}, "
                                       f"dòng {row.get('id')}, trường {f.name}.", Code.INVALID, field="file") from None
        return values

    def _natural(self, section: Section, values: dict[str, Any]) -> models.Model | None:
        """A local row that is the same thing by a unique key of its model (a unique field, or a
        unique constraint, under its condition). A key naming a row this import has just created
        cannot match anything, so it is not looked up (no query per new attendance row)."""
        model = section.model
        keysets: list[tuple[list[str], Any]] = [([f.attname], None) for f in model._meta.concrete_fields
                                                if f.unique and not f.primary_key]
        keysets += [([model._meta.get_field(n).attname for n in c.fields], c.condition)
                    for c in model._meta.constraints if isinstance(c, models.UniqueConstraint) and c.fields]
        for attnames, condition in keysets:
            if any(values.get(a) is None for a in attnames) or any(
                    values[a] in self.fresh.get(MODEL_SECTION.get(model._meta.get_field(a).related_model, ""), ())
                    for a in attnames if model._meta.get_field(a).is_relation):
                continue
            qs = model.objects.filter(**{a: values[a] for a in attnames})
            found = (qs.filter(condition) if condition is not None else qs).first()
            if found is not None:
                return found
        return None

    def _in_scope(self, org: Organization) -> bool:
        return self.scope is None or org.path.startswith(self.scope.path)

    # -- the sections --
    def run(self) -> None:
        for section in SECTIONS:
            rows = self.package.data.get(section.name, [])
            res = self.result.sections.setdefault(section.name, SectionResult())
            if section.model is Organization:
                self._organizations(section, rows, res)
            else:
                self._rows(section, rows, res)
        ExchangeRecord.objects.bulk_create(self.new_records, ignore_conflicts=True, batch_size=BATCH)
        if any(self.fresh.get(s.name) for s in SECTIONS[1:]):
            # Rows written by bulk_create sent no per-row signal: the stored figures of the
            # package's subtree, every year, may be out of date.
            data_changed.send(sender=ExchangeImport, organization_id=self.org_ids.get(self.package.org_code),
                              year=None)

    def _note(self, section: Section, verb: str, obj: models.Model, detail: str = "") -> None:
        # str(obj) may read related rows: only for the few lines the preview shows.
        if len(self.result.changes) < SAMPLE_LIMIT:
            self.result.changes.append(f"{section.label}: {verb} «{obj}»{detail}")

    def _remember(self, section: Section, remote: int, local: int) -> None:
        self.maps.setdefault(section.name, {})[remote] = local
        self.new_records.append(ExchangeRecord(sender=self.sender, section=section.name,
                                               remote_id=remote, local_id=local))

    def _update(self, section: Section, obj: models.Model, values: dict[str, Any], res: SectionResult) -> None:
        diff = [a for a, v in values.items() if getattr(obj, a) != v]
        if not diff:
            res.unchanged += 1
            return
        for a in diff:
            setattr(obj, a, values[a])
        obj.save()
        res.updated += 1
        self._note(section, "sửa", obj, f" ({', '.join(sorted(diff))})")

    def _organizations(self, section: Section, rows: list[dict[str, Any]], res: SectionResult) -> None:
        fields = section.fields()
        for row in rows:
            values = self._values(section, fields, row) or {}
            org = Organization.objects.filter(code=row["code"]).first()
            if org is not None:
                if not self._in_scope(org):
                    raise ServiceError(f"Tổ chức {row['code']} ({org.name}) của gói nằm ngoài phạm vi của bạn; "
                                       "gói không được nhập.", Code.OUT_OF_SUBTREE, field="file")
                self._update(section, org, values, res)
            else:
                parent = Organization.objects.filter(code=row["parent"]).first() if row["parent"] else None
                if parent is None and self.scope is not None:
                    raise ServiceError(f"Tổ chức cấp trên {row['parent'] or '(không có)'} của {row['code']} không "
                                       "có trong phạm vi của bạn; gói không được nhập.", Code.OUT_OF_SUBTREE,
                                       field="file")
                if parent is not None and not self._in_scope(parent):
                    raise ServiceError(f"Tổ chức {row['code']} thuộc {parent.name}, ngoài phạm vi của bạn; gói "
                                       "không được nhập.", Code.OUT_OF_SUBTREE, field="file")
                kwargs = {f.attname: values[f.attname] for f in fields if f.attname in values}
                org = (Organization.objects.add_child(parent, kwargs) if parent is not None
                       else Organization.objects.add_root(kwargs))
                self.fresh.setdefault(section.name, set()).add(org.pk)
                res.created += 1
                self._note(section, "thêm", org)
            self.org_ids[org.code] = org.pk
            if self.maps.get(section.name, {}).get(row["id"]) != org.pk:
                self._remember(section, row["id"], org.pk)

    def _rows(self, section: Section, rows: list[dict[str, Any]], res: SectionResult) -> None:
        fields = section.fields()
        known = self.maps.get(section.name, {})
        wanted = [known[r["id"]] for r in rows if r["id"] in known]
        existing: dict[int, models.Model] = {}
        for i in range(0, len(wanted), CHUNK):
            existing.update(section.model.objects.in_bulk(wanted[i:i + CHUNK]))
        # New rows go in by the hundred (bulk_create: no per-row signals, so the stored figures
        # are told once at the end); a section that refers to itself goes row by row, so a row
        # can name one created just before it.
        one_by_one = any(f.is_relation and f.related_model is section.model for f in fields)
        pending: list[tuple[int, models.Model]] = []
        for row in rows:
            values = self._values(section, fields, row)
            if values is None:
                res.skipped += 1
                continue
            obj = existing.get(known.get(row["id"]))
            if obj is None:
                obj = self._natural(section, values)
                if obj is not None:
                    self._check_scope(section, obj)
                    self._remember(section, row["id"], obj.pk)
            if obj is not None:
                self._update(section, obj, values, res)
                continue
            obj = section.model(**values)
            if hasattr(obj, "name_folded"):  # what PersonIdentity.save() derives
                obj.name_folded = fold(obj.full_name)
            res.created += 1
            self._note(section, "thêm", obj)
            pending.append((row["id"], obj))
            if one_by_one or len(pending) >= BATCH:
                self._flush(section, pending)
        self._flush(section, pending)

    def _flush(self, section: Section, pending: list[tuple[int, models.Model]]) -> None:
        if not pending:
            return
        section.model.objects.bulk_create([obj for _, obj in pending])
        fresh = self.fresh.setdefault(section.name, set())
        for remote, obj in pending:
            self._remember(section, remote, obj.pk)
            fresh.add(obj.pk)
        pending.clear()

    def _check_scope(self, section: Section, obj: models.Model) -> None:
        # A natural-key match outside the importer's scope (a member with this CCCD in another
        # committee) is a conflict, never silently taken over.
        org = getattr(obj, "organization", None)
        if self.scope is not None and isinstance(org, Organization) and not self._in_scope(org):
            raise ServiceError(f"{section.label} «{obj}» của gói đã có ở {org.name}, ngoài phạm vi của bạn; gói "
                               "không được nhập.", Code.OUT_OF_SUBTREE, field="file")


@transaction.atomic
def import_package(actor: Any, content: bytes, *, scope: Organization | None = None,
                   dry_run: bool = False) -> ImportResult:
    """Verify ``content`` (signature by a trusted key, checksum, schema, version), then apply it in
    one transaction: organizations and members of the subtree, its meetings and attendance,
    evaluations, admissions, fee books and payments, plans with their targets.

    ``scope``: the importer's organization (the web page: the office's); every organization of
    the package must lie in its subtree. None (the command line): anywhere, and an organization
    whose parent is not here becomes a root (an empty instance receives the whole subtree).
    ``dry_run``: do everything, report what would change, and roll it all back (the preview).
    Refused (ServiceError, nothing written): an unreadable, tampered, unsigned or untrusted package,
    a wrong version, an organization outside ``scope``, or a package older than one already
    imported for the same sender, organization and period (superseded).
    """
    try:
        package = pkg.verify(content, sel.trusted_key_texts())
    except pkg.PackageError as exc:
        raise _refuse(exc) from None
    made_at = dt.datetime.fromisoformat(package.manifest["made_at"])
    if timezone.is_naive(made_at):
        made_at = timezone.make_aware(made_at, dt.UTC)
    org = package.manifest["organization"]
    result = ImportResult(org_code=package.org_code, org_name=org["name"], period=package.period,
                          made_at=made_at.isoformat())
    with transaction.atomic():
        last = sel.latest_import(package.sender, package.org_code, package.period)
        if last is not None and last.made_at > made_at:
            raise ServiceError(f"Gói này (lập lúc {timezone.localtime(made_at):%H:%M %d/%m/%Y}) cũ hơn gói đã "
                               f"nhập lúc {timezone.localtime(last.imported_at):%H:%M %d/%m/%Y} (lập lúc "
                               f"{timezone.localtime(last.made_at):%H:%M %d/%m/%Y}) của cùng đơn vị, cùng kỳ: "
                               "gói mới hơn đã thay thế nó.", Code.STATE, field="file")
        result.already = last is not None and last.sha256 == package.sha256
        _Importer(package, scope, result).run()
        if dry_run:
            transaction.set_rollback(True)
            return result
        if not result.already:
            result.applied = ExchangeImport.objects.create(
                sender=package.sender, org_code=package.org_code, period=package.period, made_at=made_at,
                sha256=package.sha256, created=result.created, updated=result.updated,
                imported_by=actor if getattr(actor, "pk", None) else None)
    return result


# -- the upload page ---------------------------------------------------------------------------
@transaction.atomic
def stage_upload(actor: Any, scope: Organization, file_name: str, content: bytes) -> tuple[ExchangeUpload,
                                                                                          ImportResult]:
    """Keep an uploaded package for confirmation after checking it in full (a dry run)."""
    result = import_package(actor, content, scope=scope, dry_run=True)
    upload = ExchangeUpload.objects.create(scope=scope, file_name=file_name[:255], content=content,
                                           summary=result.summary(), created_by=actor)
    return upload, result


@transaction.atomic
def apply_upload(actor: Any, upload: ExchangeUpload) -> ImportResult:
    """Apply a staged package (checked again: keys or newer imports may have changed since)."""
    # Locked: a second click on «Xác nhận nhập» waits, then finds the package applied.
    locked = ExchangeUpload.objects.select_for_update().get(pk=upload.pk)
    if locked.applied_id is not None or not locked.content:
        raise ServiceError("Gói này đã được nhập.", Code.STATE)
    result = import_package(actor, bytes(locked.content), scope=locked.scope)
    locked.applied = result.applied
    locked.content = b""  # nothing personal kept longer than needed
    locked.save(update_fields=["applied", "content"])
    return result
