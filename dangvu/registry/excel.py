"""Read and validate an import workbook (organizations or members): rows and problems.

Nothing here writes. The caller (:mod:`dangvu.registry.imports`) supplies what must be looked
up in the database — the organizations in scope, the existing identity keys — as a
:class:`MemberContext` / :class:`OrgContext`, so one pass over the file needs no query per row.

Row numbers are Excel row numbers (the header is usually row 1, the first data row 2).
Labels (kinds, sectors, gender, yes/no, theory levels) match case- and diacritic-insensitively.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from dangvu.core.text import fold, nfc

from .models import Gender, OrgKind, Sector, TheoryLevel

MAX_ROWS = 100_000
PARTY_FOUNDED = dt.date(1930, 2, 3)
_HEADER_SCAN_ROWS = 10
_BLANK_RUN_STOP = 1000  # this many blank rows in a row end the data (formatted but empty sheets)


class WorkbookError(ValueError):
    """The file as a whole cannot be used; ``str(exc)`` is a Vietnamese message."""


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    help: str
    width: int = 16
    required: bool = False
    kind: str = "text"  # text | date | choice | bool | code
    choices: tuple[str, ...] = ()
    max_length: int | None = None


YES, NO = "Có", "Không"
THEORY_CHOICES = ("Sơ cấp", "Trung cấp", "Cao cấp")

ORG_COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã tổ chức", "Mã viết liền, không dấu, duy nhất trong toàn hệ thống, ví dụ XA01-CB03.",
           14, True, "code", max_length=40),
    Column("name", "Tên tổ chức", "Tên đầy đủ, ví dụ «Chi bộ thôn Đồng Tâm».", 40, True, max_length=255),
    Column("kind", "Loại", "Một trong các loại tổ chức ở bảng dưới.", 28, True, "choice",
           tuple(OrgKind.labels)),
    Column("sector", "Loại hình", "Loại hình chi bộ (có thể để trống).", 26, False, "choice",
           tuple(Sector.labels)),
    Column("parent", "Mã tổ chức cấp trên",
           "Mã của tổ chức cấp trên: một tổ chức đã có trong phạm vi nhập, hoặc một dòng phía trên "
           "của cùng tệp. Để trống nghĩa là trực thuộc tổ chức đã chọn khi nhập.", 18, False, "code",
           max_length=40),
    Column("established_on", "Ngày thành lập", "Ngày dạng dd/mm/yyyy (có thể để trống).", 16, False, "date"),
)

MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("org", "Mã chi bộ", "Mã của chi bộ (hoặc tổ đảng) nơi đảng viên sinh hoạt, trong phạm vi nhập.",
           14, True, "code", max_length=40),
    Column("full_name", "Họ và tên", "Họ và tên đầy đủ, có dấu.", 28, True, max_length=120),
    Column("birth_date", "Ngày sinh", "Ngày dạng dd/mm/yyyy.", 14, True, "date"),
    Column("gender", "Giới tính", "Nam hoặc Nữ.", 10, True, "choice", tuple(Gender.labels)),
    Column("ethnicity", "Dân tộc", "Để trống nghĩa là Kinh.", 12, max_length=40),
    Column("religion", "Tôn giáo", "Để trống nghĩa là Không.", 12, max_length=40),
    Column("home_town", "Quê quán", "Xã/phường, tỉnh/thành phố.", 30, max_length=255),
    Column("residence", "Nơi cư trú", "Địa chỉ nơi ở hiện nay.", 30, max_length=255),
    Column("phone", "Điện thoại", "Số điện thoại (nên định dạng ô là văn bản để giữ số 0 đầu).", 14,
           max_length=20),
    Column("cccd", "Số CCCD", "12 chữ số; phải khớp với giới tính và năm sinh. Có thể để trống.", 16,
           max_length=12),
    Column("education", "Trình độ GDPT", "Ví dụ 12/12.", 12, max_length=20),
    Column("political_theory", "Lý luận chính trị", "Sơ cấp, Trung cấp, Cao cấp hoặc để trống.", 16, False,
           "choice", THEORY_CHOICES),
    Column("occupation", "Nghề nghiệp", "Ví dụ Nông dân, Giáo viên, Hưu trí.", 20, max_length=120),
    Column("is_student", "Học sinh/sinh viên", "Có hoặc Không (để trống là Không).", 12, False, "bool",
           (YES, NO)),
    Column("admitted_on", "Ngày vào Đảng", "Ngày của quyết định kết nạp, dạng dd/mm/yyyy.", 14, True, "date"),
    Column("full_on", "Ngày chính thức",
           "Ngày được công nhận đảng viên chính thức; để trống nghĩa là đảng viên dự bị. "
           "Phải sau ngày vào Đảng ít nhất 12 tháng.", 14, False, "date"),
    Column("card_number", "Số thẻ đảng viên", "Có thể để trống.", 14, max_length=20),
    Column("resident", "Đảng viên tại chỗ", "Có hoặc Không (để trống là Có).", 12, False, "bool", (YES, NO)),
    Column("commune_official", "Cán bộ xã sinh hoạt tại chi bộ", "Có hoặc Không (để trống là Không).", 14,
           False, "bool", (YES, NO)),
)

COLUMNS = {"organizations": ORG_COLUMNS, "members": MEMBER_COLUMNS}

_BOOL_DEFAULTS = {"is_student": False, "resident": True, "commune_official": False}
_YES = {"co", "x", "1", "true", "yes", "c"}
_NO = {"khong", "0", "false", "no", "k", "-"}


def _label_map(choices: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value, label in choices:
        out[fold(label)] = value
        if value:
            out[fold(value)] = value
    return out


KIND_BY_LABEL = _label_map(OrgKind.choices)
SECTOR_BY_LABEL = _label_map(Sector.choices)
GENDER_BY_LABEL = _label_map(Gender.choices)
THEORY_BY_LABEL = _label_map(TheoryLevel.choices) | {
    "so cap": "elementary", "trung cap": "intermediate", "cao cap": "advanced", "cu nhan": "advanced",
    "": "", "khong": "", "chua qua dao tao": "",
}


# -- reading ------------------------------------------------------------------------------

@dataclass
class Sheet:
    """The data rows of a workbook: (Excel row number, {column key: raw cell value})."""

    header_row: int
    rows: list[tuple[int, dict[str, Any]]]


_UNTIDY = re.compile(r"\s\s|[^\S ]|^ | $")


def _clean(text: str) -> str:
    """:func:`nfc`, with a fast path for the usual already-tidy cell."""
    if not _UNTIDY.search(text) and unicodedata.is_normalized("NFC", text):
        return text
    return nfc(text)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return _clean(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _clean(str(value))


@lru_cache(maxsize=4096)
def _fold_label(text: str) -> str:
    """:func:`fold` for the few distinct values of label columns."""
    return fold(text)


def check_upload(name: str, size: int, max_bytes: int) -> None:
    """Refuse by name and size before reading anything."""
    if not name.lower().endswith(".xlsx"):
        hint = " Hãy mở tệp bằng Excel và lưu lại dưới dạng «Excel Workbook (.xlsx)»." \
            if name.lower().endswith((".xls", ".ods", ".csv")) else ""
        raise WorkbookError(f"Tệp «{name}» không phải tệp Excel .xlsx.{hint}")
    if size == 0:
        raise WorkbookError("Tệp rỗng (0 byte).")
    if size > max_bytes:
        raise WorkbookError(
            f"Tệp quá lớn ({size / 1024 / 1024:.1f} MB); giới hạn là {max_bytes / 1024 / 1024:.0f} MB. "
            "Hãy chia thành nhiều tệp nhỏ hơn.")


def read_sheet(content: bytes, columns: tuple[Column, ...], *, limit: int | None = None,
               max_rows: int = MAX_ROWS) -> Sheet:
    """Find the header row (within the first rows, so an export with a title row re-imports),
    map columns by title, and return the non-blank data rows of the first worksheet.

    ``limit`` stops after that many data rows (for a cheap preview); ``max_rows`` refuses more.
    python-calamine does the work; openpyxl (read-only) takes over on anything it cannot read.
    """
    if not content:
        raise WorkbookError("Tệp rỗng (0 byte).")
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise WorkbookError("Tệp không phải tệp Excel .xlsx hợp lệ (không đọc được nội dung).")
    try:
        return _read_rows(_fast_rows(content), columns, limit, max_rows)
    except WorkbookError:
        raise
    except Exception:  # noqa: BLE001 - an unusual but valid file: let openpyxl read it
        pass
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise WorkbookError("Không mở được tệp Excel: tệp bị hỏng hoặc không phải định dạng .xlsx.") from exc
    try:
        if not wb.worksheets:
            raise WorkbookError("Tệp Excel không có trang tính nào.")
        rows = enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1)
        return _read_rows(rows, columns, limit, max_rows)
    except WorkbookError:
        raise
    except Exception as exc:
        raise WorkbookError("Không đọc được nội dung tệp Excel: tệp bị hỏng.") from exc
    finally:
        wb.close()


def _fast_rows(content: bytes) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(Excel row number, values) of the first worksheet, read by python-calamine (a Rust
    reader, several times faster than openpyxl on 20,000 rows)."""
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    for number, values in enumerate(sheet.iter_rows(), start=1):
        yield number, tuple(_calamine_value(v) for v in values)


def _calamine_value(value: Any) -> Any:
    # calamine gives "" for an empty cell and floats for every number; match openpyxl's values.
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _read_rows(rows_iter: Iterator[tuple[int, tuple[Any, ...]]], columns: tuple[Column, ...],
               limit: int | None, max_rows: int) -> Sheet:
    by_title = {fold(c.title): c for c in columns}
    header_row, positions = 0, {}
    for number, values in rows_iter:
        found = {}
        for pos, value in enumerate(values or ()):
            col = by_title.get(fold(_cell_text(value)))
            if col is not None and col.key not in found:
                found[col.key] = pos
        if len(found) >= 2:
            header_row, positions = number, found
            break
        if number >= _HEADER_SCAN_ROWS:
            break
    if not header_row:
        titles = ", ".join(c.title for c in columns if c.required)
        raise WorkbookError(
            f"Không tìm thấy dòng tiêu đề. Dòng đầu của trang tính phải có tên các cột như mẫu ({titles}…). "
            "Hãy tải tệp mẫu và dán dữ liệu vào.")
    missing = [c.title for c in columns if c.key not in positions]
    if missing:
        raise WorkbookError(f"Thiếu cột: {', '.join(missing)}. Hãy dùng đúng tệp mẫu (dòng {header_row}).")
    items = list(positions.items())
    rows: list[tuple[int, dict[str, Any]]] = []
    blank_run = 0
    for number, values in rows_iter:
        values = values or ()
        width = len(values)
        row = {key: (values[pos] if pos < width else None) for key, pos in items}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row.values()):
            blank_run += 1
            if blank_run >= _BLANK_RUN_STOP:
                break
            continue
        blank_run = 0
        rows.append((number, row))
        if limit is not None and len(rows) >= limit:
            break
        if len(rows) > max_rows:
            raise WorkbookError(f"Tệp có hơn {max_rows:,} dòng dữ liệu; hãy chia thành nhiều tệp.".replace(",", "."))
    if not rows and limit is None:
        raise WorkbookError("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề.")
    return Sheet(header_row, rows)


# -- cell parsing -------------------------------------------------------------------------

_DATE_TEXT = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_TEXT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value: Any) -> dt.date | None:
    """A real Excel date, an Excel serial number, or text dd/mm/yyyy (also yyyy-mm-dd).

    Blank gives None; anything else unreadable raises ValueError."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        from openpyxl.utils.datetime import from_excel

        if not 1 <= value < 2_958_466:
            raise ValueError(value)
        day = from_excel(value)
        return day.date() if isinstance(day, dt.datetime) else day
    text = _cell_text(value)
    if not text:
        return None
    text = text.split(" ")[0]
    m = _DATE_TEXT.match(text)
    if m:
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    m = _ISO_TEXT.match(text)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    raise ValueError(text)


def _digits(value: Any, width: int) -> str:
    """A number typed into a numeric cell loses its leading zeros: give them back."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            return _cell_text(value)
        return str(int(value)).zfill(width)
    return _cell_text(value).replace(" ", "").replace(".", "")


def _text(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):  # Excel turned "12/12" into 12 December
        return f"{value.day}/{value.month}"
    return _cell_text(value)


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
        except (ValueError, OverflowError):
            self.error(f"{col.title} «{_cell_text(raw)}» không đúng dạng ngày dd/mm/yyyy.", key)
            return None
        if value is None:
            if col.required:
                self.error(f"{col.title} không được để trống.", key)
            return None
        if value.year < 1900 or value > dt.date.today():
            self.error(f"{col.title} {value:%d/%m/%Y} không hợp lý.", key)
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
    existing_cccd: Callable[[set[str]], set[str]]  # CCCDs (of those given) already in the database
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
    from .services import validate_member_data

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


def check_members(parsed: list[ParsedRow], ctx: MemberContext) -> Result:
    """The checks against the database: organization in scope, person already registered.

    Does not change ``parsed`` (it may be reused at confirmation)."""
    result = Result(rows=len(parsed))
    cccds = {p.data["cccd"] for p in parsed if p.data["cccd"] and p.cccd_ok}
    taken = ctx.existing_cccd(cccds) if cccds else set()
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
        # Against the database say only that the person exists (they may be outside the scope).
        if data["cccd"] in taken:
            errors.append("Số CCCD trùng với đảng viên đã có trong hệ thống.")
        where = people.get((data["name_folded"], data["birth_date"]))
        if where is not None:
            errors.append(f"Họ tên và ngày sinh trùng với đảng viên đã có{f' ({where})' if where else ''}.")
        if errors:
            result.problems.append({"row": p.number, "errors": errors})
        else:
            result.good.append({**data, "organization_id": org_id})
        if p.warnings:
            result.warnings.append({"row": p.number, "warnings": list(p.warnings)})
    return result


def validate_members(sheet: Sheet, ctx: MemberContext) -> Result:
    """Validate every row; duplicates are looked for within the file and in the database."""
    return check_members(parse_members(sheet), ctx)


# -- organizations ------------------------------------------------------------------------

@dataclass
class OrgContext:
    scope: OrgRef
    orgs: dict[str, OrgRef]  # code → organization inside the editable scope
    existing_codes: Callable[[set[str]], set[str]]  # codes (of those given) already used anywhere


def validate_organizations(sheet: Sheet, ctx: OrgContext) -> Result:
    """Validate every row; a parent is an organization in scope or an earlier row of the file."""
    from .services import ServiceError, check_parent_kind

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

