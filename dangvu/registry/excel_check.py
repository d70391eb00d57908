"""Check the rows of an import workbook (organizations or members): values and problems.

:mod:`dangvu.registry.excel` reads the sheet; this module turns each row into validated values
and Vietnamese problems. Nothing here writes or queries: what must be looked up in the database
comes in a :class:`MemberContext` / :class:`OrgContext` (built by :mod:`dangvu.registry.imports`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from dangvu.common import ServiceError
from dangvu.common.dates import check_birth_date, check_date
from dangvu.core import clock
from dangvu.core.dates import DateProblem
from dangvu.core.text import fold

from .excel import (
    _BOOL_DEFAULTS,
    _NO,
    _YES,
    COLUMNS,
    GENDER_BY_LABEL,
    KIND_BY_LABEL,
    MEMBER_COLUMNS,
    ORG_COLUMNS,
    PARTY_FOUNDED,
    SECTOR_BY_LABEL,
    THEORY_BY_LABEL,
    Column,
    Sheet,
    _cell_text,
    _digits,
    _fold_label,
    _text,
    parse_date,
)
from .models import OrgKind
from .rules import check_parent_kind, validate_member_data


class _Row:
    """Collects one row's values and Vietnamese problems."""

    def __init__(self, number: int, raw: dict[str, Any], columns: tuple[Column, ...]) -> None:
        self.number = number
        self.raw = raw
        self.columns = {c.key: c for c in columns}
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.bad: set[str] = set()

    def error(self, message: str, key: str | None = None) -> None:
        if message not in self.errors:
            self.errors.append(message)
        if key:
            self.bad.add(key)

    def text(self, key: str) -> str:
        col = self.columns[key]
        value = _text(self.raw.get(key))
        if col.required and not value:
            self.error(f"{col.title} không được để trống.", key)
        elif col.max_length and len(value) > col.max_length:
            self.error(f"{col.title} dài quá {col.max_length} ký tự.", key)
            value = value[: col.max_length]
        return value

    def code(self, key: str) -> str:
        return self.text(key).upper().replace(" ", "")

    def date(self, key: str) -> dt.date | None:
        col = self.columns[key]
        raw = self.raw.get(key)
        try:
            value = parse_date(raw)
        except DateProblem as exc:  # "Ngày 31/02/2026 không có." rather than "wrong form"
            self.error(f"{col.title}: {exc}", key)
            return None
        except (ValueError, OverflowError):
            self.error(f"{col.title} «{_cell_text(raw)}» không đúng dạng ngày dd/mm/yyyy.", key)
            return None
        if value is None:
            if col.required:
                self.error(f"{col.title} không được để trống.", key)
            return None
        why = check_birth_date(value) if key == "birth_date" else check_date(value)
        if value > clock.today() or why:
            self.error(f"{col.title} {value:%d/%m/%Y} không hợp lý" + (f": {why[0].lower()}{why[1:]}" if why else "."),
                       key)
            return None
        return value

    def choice(self, key: str, mapping: dict[str, str]) -> str:
        col = self.columns[key]
        text = _cell_text(self.raw.get(key))
        if not text:
            if col.required:
                self.error(f"{col.title} không được để trống.", key)
            return ""
        value = mapping.get(_fold_label(text))
        if value is None:
            self.error(f"{col.title} «{text}» không hợp lệ; chọn một trong: {', '.join(col.choices)}.", key)
            return ""
        return value

    def boolean(self, key: str) -> bool:
        col = self.columns[key]
        raw = self.raw.get(key)
        if isinstance(raw, bool):
            return raw
        text = _fold_label(_cell_text(raw)) if raw is not None else ""
        if not text:
            return _BOOL_DEFAULTS[key]
        if text in _YES:
            return True
        if text in _NO:
            return False
        self.error(f"{col.title} «{_cell_text(raw)}» không hợp lệ; ghi Có hoặc Không.", key)
        return _BOOL_DEFAULTS[key]


# -- members ------------------------------------------------------------------------------

@dataclass
class OrgRef:
    id: int
    code: str
    name: str
    kind: str
    path: str


@dataclass
class MemberContext:
    """What the member validation needs from the database, loaded in a few queries."""

    scope_name: str
    orgs: dict[str, OrgRef]  # code → organization inside the editable scope
    existing_cccd: Callable[[set[str]], dict[str, str]]  # CCCDs already in the database → where ("": outside)
    existing_people: Callable[[set[str]], dict[tuple[str, dt.date], str]]
    # folded names → {(folded name, birth date): where ("" when outside the user's sight)}


@dataclass
class Result:
    rows: int = 0
    good: list[dict[str, Any]] = field(default_factory=list)  # validated values, ready to write
    problems: list[dict[str, Any]] = field(default_factory=list)  # {"row": n, "errors": [...]}
    warnings: list[dict[str, Any]] = field(default_factory=list)  # {"row": n, "warnings": [...]}

    @property
    def ok(self) -> bool:
        return not self.problems


def _member_row(row: _Row) -> dict[str, Any]:
    data: dict[str, Any] = {
        "org": row.code("org"),
        "full_name": row.text("full_name"),
        "birth_date": row.date("birth_date"),
        "gender": row.choice("gender", GENDER_BY_LABEL),
        "ethnicity": row.text("ethnicity") or "Kinh",
        "religion": row.text("religion") or "Không",
        "home_town": row.text("home_town"),
        "residence": row.text("residence"),
        "phone": "",
        "cccd": None,
        "education": row.text("education"),
        "qualification": "",
        "political_theory": row.choice("political_theory", THEORY_BY_LABEL),
        "occupation": row.text("occupation"),
        "is_student": row.boolean("is_student"),
        "admitted_on": row.date("admitted_on"),
        "full_on": row.date("full_on"),
        "card_number": row.text("card_number"),
        "resident": row.boolean("resident"),
        "commune_official": row.boolean("commune_official"),
    }
    phone = _digits(row.raw.get("phone"), 0)
    if phone and isinstance(row.raw.get("phone"), int | float) and not phone.startswith(("0", "+")):
        phone = "0" + phone  # 912345678 typed as a number was 0912345678
    if len(phone) > 20:
        row.error("Điện thoại dài quá 20 ký tự.", "phone")
        phone = phone[:20]
    data["phone"] = phone
    cccd = _digits(row.raw.get("cccd"), 12)
    if cccd:
        data["cccd"] = cccd
    if data["full_on"] and data["admitted_on"] and data["full_on"] < data["admitted_on"]:
        row.error("Ngày chính thức không thể trước ngày vào Đảng.", "full_on")
    if data["admitted_on"] and data["admitted_on"] < PARTY_FOUNDED:
        row.error(f"Ngày vào Đảng {data['admitted_on']:%d/%m/%Y} không hợp lý (trước ngày thành lập Đảng).")
    checked = {k: v for k, v in data.items() if k not in row.bad}
    skip = {"Họ và tên không được để trống.", "Ngày sinh không được để trống.", "Giới tính phải là Nam hoặc Nữ."} \
        if row.bad & {"full_name", "birth_date", "gender"} else set()
    for message in validate_member_data(checked):
        if message not in skip and not ("birth_date" in row.bad and "Ngày sinh" in message):
            row.error(message)
    birth, admitted = data["birth_date"], data["admitted_on"]
    if birth and admitted and admitted < _years_after(birth, 18):
        row.warnings.append("Vào Đảng khi chưa đủ 18 tuổi: hãy kiểm tra lại ngày sinh, ngày vào Đảng.")
    return data


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return dt.date(day.year + years, 3, 1)


@dataclass(frozen=True)
class ParsedRow:
    """One member row after the checks that need no database (cacheable per file)."""

    number: int
    data: dict[str, Any]
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    cccd_ok: bool


def parse_members(sheet: Sheet) -> list[ParsedRow]:
    """Parse and check each row on its own, then the duplicates within the file."""
    rows: list[_Row] = []
    datas: list[dict[str, Any]] = []
    for number, raw in sheet.rows:
        row = _Row(number, raw, MEMBER_COLUMNS)
        data = _member_row(row)
        data["name_folded"] = fold(data["full_name"])
        data["status"] = "full" if data["full_on"] else "probationary"
        rows.append(row)
        datas.append(data)

    # Duplicates within the file: every row of a group names the others.
    by_cccd: dict[str, list[_Row]] = {}
    by_person: dict[tuple[str, dt.date], list[_Row]] = {}
    for row, data in zip(rows, datas, strict=True):
        if data["cccd"] and "cccd" not in row.bad:
            by_cccd.setdefault(data["cccd"], []).append(row)
        if data["name_folded"] and data["birth_date"]:
            by_person.setdefault((data["name_folded"], data["birth_date"]), []).append(row)
    for group, what in ((by_cccd, "Số CCCD"), (by_person, "Họ tên và ngày sinh")):
        for same in group.values():
            if len(same) > 1:
                for row in same:
                    others = ", ".join(str(r.number) for r in same if r is not row)
                    row.error(f"{what} trùng với dòng {others} trong cùng tệp.")
    return [ParsedRow(row.number, data, tuple(row.errors), tuple(row.warnings), "cccd" not in row.bad)
            for row, data in zip(rows, datas, strict=True)]


_MEMBER_KINDS = (OrgKind.CELL, OrgKind.GRASSROOTS_CELL, OrgKind.GROUP)
# A match the user may not see: say neither who nor where (issue 12, membership probing).
OUTSIDE_MATCH = "Trùng với một người ngoài phạm vi của bạn — cần cấp trên kiểm tra."


def identities_checked(parsed: list[ParsedRow]) -> int:
    """How many people a file asks the database about (CCCD numbers, name + birth date pairs)."""
    cccds = {p.data["cccd"] for p in parsed if p.data["cccd"] and p.cccd_ok}
    people = {(p.data["name_folded"], p.data["birth_date"]) for p in parsed
              if p.data["name_folded"] and p.data["birth_date"]}
    return len(cccds) + len(people)


def check_members(parsed: list[ParsedRow], ctx: MemberContext) -> Result:
    """The checks against the database: organization in scope, person already registered.

    Does not change ``parsed`` (it may be reused at confirmation)."""
    result = Result(rows=len(parsed))
    cccds = {p.data["cccd"] for p in parsed if p.data["cccd"] and p.cccd_ok}
    taken = ctx.existing_cccd(cccds) if cccds else {}
    names = {p.data["name_folded"] for p in parsed if p.data["name_folded"] and p.data["birth_date"]}
    people = ctx.existing_people(names) if names else {}
    for p in parsed:
        errors = list(p.errors)
        data = p.data
        code = data["org"]
        org_id = None
        if code:
            org = ctx.orgs.get(code)
            if org is None:
                errors.append(f"Không tìm thấy chi bộ có mã «{code}» trong phạm vi {ctx.scope_name}.")
            elif org.kind not in _MEMBER_KINDS:
                errors.append(f"«{code}» không phải chi bộ hoặc tổ đảng; đảng viên phải sinh hoạt tại một chi bộ.")
            else:
                org_id = org.id
        # Against the database: where the match is only inside the user's sight, else OUTSIDE_MATCH.
        where = taken.get(data["cccd"]) if data["cccd"] else None
        if where:
            errors.append(f"Số CCCD trùng với đảng viên đã có ({where}).")
        elif where is not None:
            errors.append(OUTSIDE_MATCH)
        where = people.get((data["name_folded"], data["birth_date"]))
        if where:
            errors.append(f"Họ tên và ngày sinh trùng với đảng viên đã có ({where}).")
        elif where is not None and OUTSIDE_MATCH not in errors:
            errors.append(OUTSIDE_MATCH)
        if errors:
            result.problems.append({"row": p.number, "errors": errors})
        else:
            result.good.append({**data, "organization_id": org_id})
        if p.warnings:
            result.warnings.append({"row": p.number, "warnings": list(p.warnings)})
    return result


# -- organizations ------------------------------------------------------------------------

@dataclass
class OrgContext:
    scope: OrgRef
    orgs: dict[str, OrgRef]  # code → organization inside the editable scope
    existing_codes: Callable[[set[str]], set[str]]  # codes (of those given) already used anywhere


def validate_organizations(sheet: Sheet, ctx: OrgContext) -> Result:
    """Validate every row; a parent is an organization in scope or an earlier row of the file."""
    result = Result(rows=len(sheet.rows))
    codes = {_cell_text(raw.get("code")).upper().replace(" ", "") for _, raw in sheet.rows}
    taken = ctx.existing_codes({c for c in codes if c})
    earlier: dict[str, tuple[int, str]] = {}  # code → (row, kind) of the rows above
    for number, raw in sheet.rows:
        row = _Row(number, raw, ORG_COLUMNS)
        data = {
            "code": row.code("code"),
            "name": row.text("name"),
            "kind": row.choice("kind", KIND_BY_LABEL),
            "sector": row.choice("sector", SECTOR_BY_LABEL),
            "parent": row.code("parent"),
            "established_on": row.date("established_on"),
        }
        code, parent_code = data["code"], data["parent"] or ctx.scope.code
        if code and not re.fullmatch(r"[A-Z0-9][A-Z0-9._\-/]*", code):
            row.error(f"Mã tổ chức «{code}» chỉ gồm chữ không dấu, chữ số và các dấu - _ . /")
        if code in taken:
            row.error(f"Mã tổ chức «{code}» đã có trong hệ thống.")
        elif code in earlier:
            row.error(f"Mã tổ chức «{code}» trùng với dòng {earlier[code][0]} trong cùng tệp.")
        parent_kind = None
        if parent_code == code and code:
            row.error("Tổ chức không thể là cấp trên của chính nó.")
        elif parent_code in earlier:
            parent_kind = earlier[parent_code][1]
        elif parent_code in ctx.orgs:
            parent_kind = ctx.orgs[parent_code].kind
        else:
            row.error(f"Không tìm thấy tổ chức cấp trên «{parent_code}» trong phạm vi "
                      f"{ctx.scope.name} hoặc ở các dòng phía trên.")
        if parent_kind and data["kind"]:
            try:
                check_parent_kind(SimpleNamespace(kind=parent_kind), data["kind"])  # type: ignore[arg-type]
            except ServiceError as exc:
                row.error(str(exc))
        data["parent"] = parent_code
        if code and code not in earlier:
            earlier[code] = (number, data["kind"])
        if row.errors:
            result.problems.append({"row": number, "errors": row.errors})
        else:
            result.good.append(data)
    return result


def preview_rows(sheet: Sheet, kind: str, bad_rows: set[int], count: int = 20) -> list[dict[str, Any]]:
    """The first good rows as display values (no database lookups)."""
    out = []
    columns = COLUMNS[kind]
    for number, raw in sheet.rows:
        if number in bad_rows:
            continue
        values = []
        for col in columns:
            value = raw.get(col.key)
            if col.kind == "date":
                try:
                    day = parse_date(value)
                    values.append(f"{day:%d/%m/%Y}" if day else "")
                except (ValueError, OverflowError):
                    values.append(_cell_text(value))
            elif col.key == "cccd":
                values.append(_digits(value, 12))
            else:
                values.append(_text(value))
        out.append({"row": number, "values": values})
        if len(out) >= count:
            break
    return out

