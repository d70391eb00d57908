"""Read an import workbook (organizations or members): its columns, data rows and cell values.

Nothing here writes or queries. :mod:`dangvu.registry.excel_check` checks the rows that this
module reads; :mod:`dangvu.registry.imports` supplies what it must look up in the database.

Row numbers are Excel row numbers (the header is usually row 1, the first data row 2).
Labels (kinds, sectors, gender, yes/no, theory levels) match case- and diacritic-insensitively.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dangvu.core import dates as core_dates
from dangvu.core.errors import Code
from dangvu.core.numbers import thousands
from dangvu.core.safefiles import BrokenArchive, UnsafeFile, check_workbook
from dangvu.core.text import fold, nfc

from .models import Gender, OrgKind, Sector, TheoryLevel

MAX_ROWS = 100_000
PARTY_FOUNDED = dt.date(1930, 2, 3)
_HEADER_SCAN_ROWS = 10
_BLANK_RUN_STOP = 1000  # this many blank rows in a row end the data (formatted but empty sheets)
# A cell beyond these refuses the file before a reader touches it: python-calamine allocates the whole
# used range (~35 bytes a cell), so one cell at XFD1048576 asked 550 GB. MAX_ROWS data rows with a
# title, a header and blank runs fit; 40 columns hold the template's 19 and an export's, with room.
SHEET_MAX_ROWS = MAX_ROWS + _BLANK_RUN_STOP + _HEADER_SCAN_ROWS
SHEET_MAX_COLUMNS = 40


class WorkbookError(ValueError):
    """The file as a whole cannot be used; ``str(exc)`` is a Vietnamese message, ``code`` the kind
    of refusal (FILE, FILE_TOO_LARGE, OUT_OF_RANGE for too many rows)."""

    def __init__(self, message: str, code: Code = Code.FILE) -> None:
        super().__init__(message)
        self.code = code


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


cell_text = _cell_text  # a cell's value as tidy text, for the other apps' imports (fees)


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
            "Hãy chia thành nhiều tệp nhỏ hơn.", Code.FILE_TOO_LARGE)


def read_sheet(content: bytes, columns: tuple[Column, ...], *, limit: int | None = None,
               max_rows: int = MAX_ROWS, checked: bool = False) -> Sheet:
    """Find the header row (within the first rows, so an export with a title row re-imports),
    map columns by title, and return the non-blank data rows of the first worksheet.

    ``limit`` stops after that many data rows (for a cheap preview); ``max_rows`` refuses more.
    The file's bounds are checked first (:func:`check_sheet_bounds`) unless ``checked`` says a
    staged file already passed them.
    python-calamine does the work; openpyxl (read-only) takes over on anything it cannot read.
    """
    if not content:
        raise WorkbookError("Tệp rỗng (0 byte).")
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise WorkbookError("Tệp không phải tệp Excel .xlsx hợp lệ (không đọc được nội dung).")
    if not checked:
        check_sheet_bounds(content)
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


def check_sheet_bounds(content: bytes) -> None:
    """Refuse a workbook whose archive inflates abnormally or that has a cell (or declares a range)
    beyond SHEET_MAX_ROWS × SHEET_MAX_COLUMNS, reading only its directory and streaming its sheets."""
    try:
        check_workbook(io.BytesIO(content), max_rows=SHEET_MAX_ROWS, max_cols=SHEET_MAX_COLUMNS)
    except BrokenArchive as exc:
        raise WorkbookError(str(exc), Code.FILE) from exc
    except UnsafeFile as exc:
        raise WorkbookError(str(exc), Code.FILE_TOO_LARGE) from exc


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
    for number, raw in rows_iter:
        values = raw or ()
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
            raise WorkbookError(f"Tệp có hơn {thousands(max_rows)} dòng dữ liệu; hãy chia thành nhiều tệp.",
                                Code.OUT_OF_RANGE)
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
    if _DATE_TEXT.match(text) or _ISO_TEXT.match(text):
        return core_dates.parse_date(text)  # a day that does not exist: DateProblem, which says so
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
