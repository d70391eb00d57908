"""Excel import, the reading side: read and validate a whole file against the database, and
show a staged file's first rows. Nothing here writes.

The writer — stage a file as a batch, confirm it in one transaction — is
:mod:`dangvu.registry.services_import`. Validation runs twice: when the file is staged and again
at confirmation (the database may have changed in between).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from typing import Any

from dangvu.accounts.access import access_for
from dangvu.accounts.throttle import spend_duplicate_checks

from . import excel, excel_check, selectors
from .excel_check import MemberContext, OrgContext, OrgRef, ParsedRow, Result
from .models import ImportBatch, Organization

_QUERY_CHUNK = 900  # stays under SQLite's bound-parameter limit
KINDS = (ImportBatch.Kind.ORGANIZATIONS, ImportBatch.Kind.MEMBERS)  # the registry's own; fees stage theirs


def _chunks(items: set[str]) -> list[list[str]]:
    seq = sorted(items)
    return [seq[i:i + _QUERY_CHUNK] for i in range(0, len(seq), _QUERY_CHUNK)]


def _ref(org: Organization) -> OrgRef:
    return OrgRef(org.pk, org.code, org.name, org.kind, org.path)


def _orgs_in(scope: Organization) -> dict[str, OrgRef]:
    return {code: OrgRef(pk, code, name, kind, path) for pk, code, name, kind, path in selectors.org_rows_in(scope)}


def member_context(by: Any, scope: Organization) -> MemberContext:
    """Duplicate checks against the database: where a match is is told only when the user could
    see that person anyway ("" otherwise: outside the user's scope)."""
    access = access_for(by)

    def seen(path: str) -> bool:
        return access.is_admin or any(path.startswith(p) for p in access.read_paths)

    def existing_cccd(cccds: set[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in _chunks(cccds):
            for cccd, code, path in selectors.cccd_places(chunk):
                found[cccd] = f"chi bộ {code}" if seen(path) else ""
        return found

    def existing_people(names: set[str]) -> dict[tuple[str, dt.date], str]:
        found: dict[tuple[str, dt.date], str] = {}
        for chunk in _chunks(names):
            for name, birth, code, path in selectors.people_by_folded_names(chunk):
                # Where the person is may be told only when the user could see them anyway.
                if seen(path) or (name, birth) not in found:
                    found[(name, birth)] = f"chi bộ {code}" if seen(path) else ""
        return found

    return MemberContext(scope_name=scope.name, orgs=_orgs_in(scope), existing_cccd=existing_cccd,
                         existing_people=existing_people)


def org_context(scope: Organization) -> OrgContext:
    def existing_codes(codes: set[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(codes):
            found.update(selectors.existing_org_codes(chunk))
        return found

    return OrgContext(scope=_ref(scope), orgs=_orgs_in(scope), existing_codes=existing_codes)


# Parsed member rows of the last files, by content digest: confirming in the same process
# (the usual case right after the preview) then re-runs only the database checks.
_PARSED: OrderedDict[str, list[ParsedRow]] = OrderedDict()
_PARSED_LOCK = threading.Lock()
_PARSED_KEEP = 2


def parsed_members(content: bytes) -> list[ParsedRow]:
    key = hashlib.sha256(content).hexdigest()
    with _PARSED_LOCK:
        hit = _PARSED.get(key)
        if hit is not None:
            _PARSED.move_to_end(key)
            return hit
    parsed = excel_check.parse_members(excel.read_sheet(content, excel.MEMBER_COLUMNS))
    with _PARSED_LOCK:
        _PARSED[key] = parsed
        while len(_PARSED) > _PARSED_KEEP:
            _PARSED.popitem(last=False)
    return parsed


def validate(by: Any, scope: Organization, kind: str, content: bytes) -> Result:
    """Validate a whole file against the current database (raises WorkbookError when unusable)."""
    if kind == ImportBatch.Kind.MEMBERS:
        parsed = parsed_members(content)
        spend_duplicate_checks(by, excel_check.identities_checked(parsed), once=hashlib.sha256(content).hexdigest())
        return excel_check.check_members(parsed, member_context(by, scope))
    return excel_check.validate_organizations(excel.read_sheet(content, excel.ORG_COLUMNS), org_context(scope))


def can_see_batch(by: Any, batch: ImportBatch) -> bool:
    """An administrator, or the batch's creator while they may still edit its organization: the
    file holds personal data, and a role revoked after the upload ends the right to see it."""
    access = access_for(by)
    if access.is_admin:
        return True
    return batch.created_by_id == getattr(by, "pk", None) and access.can_edit_org(batch.scope)


def preview(batch: ImportBatch, count: int = 20) -> list[dict[str, Any]]:
    """The first good rows of a staged file, as display text."""
    bad = {p["row"] for p in batch.problems}
    try:
        sheet = excel.read_sheet(bytes(batch.content), excel.COLUMNS[batch.kind], limit=count + len(bad),
                                 checked=True)  # bounds checked when staged
    except excel.WorkbookError:
        return []
    return excel_check.preview_rows(sheet, batch.kind, bad, count)
