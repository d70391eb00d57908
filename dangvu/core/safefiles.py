"""Hostile files refused before a reader allocates anything (issue 12).

Office files are zip archives: a 4 MB .xlsx can inflate to gigabytes, and one cell written at
``XFD1048576`` makes a dense spreadsheet reader ask for hundreds of gigabytes. YAML aliases nest a
3 KB file into gigabytes. Each check here reads only the archive's directory, or streams the XML,
and raises :class:`UnsafeFile` with a Vietnamese message the uploader can act on.
"""

from __future__ import annotations

import json
import posixpath
import re
import zipfile
from itertools import accumulate
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

import yaml

from dangvu.core.numbers import thousands

# Limits of files people really upload: a commune's member workbook is a few MB inflated, a plan a
# few hundred KB. Far above real use, far below what hurts a small server.
MAX_ENTRIES = 2_000
MAX_INFLATED = 200 * 1024 * 1024
MAX_MEMBER = 100 * 1024 * 1024
MAX_RATIO = 200  # text XML compresses ~10–30×; zeros compress ~1000×
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_YAML_DEPTH = 20
MAX_JSON_DEPTH = 20
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CELL = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")


class UnsafeFile(ValueError):
    """A file refused before reading; ``str(exc)`` is a Vietnamese message for the uploader."""


class BrokenArchive(UnsafeFile):
    """Not a zip archive at all: a broken or mislabelled file rather than a hostile one."""


def check_archive(file: str | Path | IO[bytes], *, max_entries: int = MAX_ENTRIES, max_inflated: int = MAX_INFLATED,
                  max_member: int = MAX_MEMBER, max_ratio: int = MAX_RATIO) -> None:
    """Refuse a zip (.docx, .xlsx) whose directory announces more than a reader should inflate.

    Python's zipfile never reads past a member's declared size, so the declared sizes bound the work.
    """
    try:
        with zipfile.ZipFile(file) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BrokenArchive("Tệp không đọc được: không phải tệp Word/Excel hợp lệ hoặc đã hỏng.") from exc
    if len(infos) > max_entries:
        raise UnsafeFile(f"Tệp có quá nhiều thành phần ({len(infos)}); không đọc.")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > max_member or total > max_inflated or (info.file_size > 1024 * 1024 and ratio > max_ratio):
            raise UnsafeFile("Tệp khi giải nén lớn bất thường; không đọc. Hãy lưu lại tệp bằng Word/Excel rồi tải lên.")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _outside(ref: str, max_rows: int, max_cols: int) -> bool:
    m = _CELL.match(ref.replace("$", ""))
    return bool(m) and (int(m.group(2)) > max_rows or _column_number(m.group(1)) > max_cols)


def check_workbook(file: str | Path | IO[bytes], *, max_rows: int = MAX_ROWS, max_cols: int = MAX_COLUMNS) -> None:
    """Refuse an .xlsx with a cell, a row (or a declared dimension) beyond ``max_rows`` × ``max_cols``.

    Every worksheet (those under ``xl/worksheets/`` and any the workbook's relationships point to) is
    streamed through expat with no tree kept, so memory stays flat; cells and rows without a
    reference are counted as a reader places them (after the previous one).
    """
    check_archive(file)
    if hasattr(file, "seek"):
        file.seek(0)
    with zipfile.ZipFile(file) as z:
        names = set(z.namelist())
        sheets = {n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
        sheets |= _related_sheets(z, names)
        for name in sorted(sheets):
            with z.open(name) as stream:
                _check_sheet(stream, max_rows, max_cols)
    if hasattr(file, "seek"):
        file.seek(0)


def _related_sheets(z: zipfile.ZipFile, names: set[str]) -> set[str]:
    """Parts the workbook's relationships name as worksheets (a hostile file may put one elsewhere)."""
    rels = "xl/_rels/workbook.xml.rels"
    if rels not in names:
        return set()
    found: set[str] = set()

    def start(name: str, attrs: dict[str, str]) -> None:
        if name.rsplit("}", 1)[-1] == "Relationship" and attrs.get("Type", "").endswith("/worksheet"):
            target = attrs.get("Target", "").lstrip("/")
            found.add(target if target.startswith("xl/") else posixpath.normpath("xl/" + target))

    with z.open(rels) as stream:
        _stream_xml(stream, start)
    return found & names


def _check_sheet(stream: IO[bytes], max_rows: int, max_cols: int) -> None:
    at = [0, 0]  # the row and column of the last row/cell seen

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = name.rsplit("}", 1)[-1]
        if tag == "c":
            m = _CELL.match(attrs.get("r", "").upper())
            if m:
                at[0], at[1] = int(m.group(2)), _column_number(m.group(1))
            else:
                at[1] += 1
            if at[0] > max_rows or at[1] > max_cols:
                raise UnsafeFile(_too_wide(max_rows, max_cols))
        elif tag == "row":
            r = attrs.get("r", "")
            at[0], at[1] = (int(r) if r.isdigit() and len(r) < 10 else at[0] + 1), 0
            if at[0] > max_rows:
                raise UnsafeFile(_too_wide(max_rows, max_cols))
        elif tag == "dimension":
            last = attrs.get("ref", "").split(":")[-1]
            if _outside(last.upper(), max_rows, max_cols):
                raise UnsafeFile(_too_wide(max_rows, max_cols))

    _stream_xml(stream, start)


def _refuse_dtd(*_args: Any) -> None:
    raise BrokenArchive("Tệp Excel chứa khai báo DTD; không đọc.")


def _stream_xml(stream: IO[bytes], start: Any) -> None:
    """Feed an XML stream to expat in chunks, calling ``start(name, attrs)`` for each element; no
    tree is built, and a DOCTYPE (never in an Office file: entity tricks) refuses the file."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    try:
        while chunk := stream.read(64 * 1024):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise BrokenArchive("Trang tính trong tệp Excel bị hỏng; không đọc.") from exc


def _too_wide(max_rows: int, max_cols: int) -> str:
    return (f"Bảng tính có ô nằm ngoài phạm vi cho phép ({thousands(max_rows)} dòng × {max_cols} cột); "
            "hãy xóa các ô thừa rồi tải lên lại.")


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors/aliases (the "billion laughs") and with bounded nesting."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise UnsafeFile("Tệp YAML dùng tham chiếu (&, *); hãy viết đầy đủ từng mục.")
        depth = getattr(self, "_depth", 0) + 1
        if depth > MAX_YAML_DEPTH:
            raise UnsafeFile("Tệp YAML lồng quá nhiều tầng; không đọc.")
        self._depth = depth
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth - 1


class YamlSyntax(UnsafeFile):
    """A YAML text that breaks the format's rules: ``line`` (1-based, 0 when unknown) and ``hint``,
    what to fix, in plain Vietnamese (never the parser's English)."""

    def __init__(self, line: int, hint: str) -> None:
        where = f" ở dòng {line}" if line else ""
        super().__init__(f"Tệp viết sai{where}: {hint}.")
        self.line, self.hint = line, hint


# The parser's problem (English) → what the person should fix; the first phrase found wins.
_YAML_HINTS = (
    ("'\\t'", "có ký tự Tab; hãy thụt lề bằng dấu cách"),
    ("\t", "có ký tự Tab; hãy thụt lề bằng dấu cách"),
    ("mapping values are not allowed", "dấu hai chấm (:) đặt sai chỗ; nếu nội dung có dấu hai chấm, hãy đặt "
     "cả nội dung trong ngoặc kép"),
    ("could not find expected ':'", "thiếu dấu hai chấm (:) sau tên mục"),
    ("quoted scalar", "thiếu dấu ngoặc kép đóng"),
    ("flow", "thiếu dấu ngoặc đóng ] hoặc }"),
    ("indentation", "thụt lề không thẳng hàng với các dòng cùng cấp"),
    ("expected <block end>", "thụt lề không thẳng hàng với các dòng cùng cấp"),
    ("did not find expected", "thụt lề không thẳng hàng với các dòng cùng cấp, hoặc thiếu dấu gạch đầu dòng (-)"),
    ("duplicate", "một mục được ghi hai lần"),
)


def _yaml_problem(exc: yaml.YAMLError) -> YamlSyntax:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 0
    problem = f"{getattr(exc, 'problem', '') or ''} {getattr(exc, 'context', '') or ''}"
    hint = next((h for phrase, h in _YAML_HINTS if phrase in problem),
                "cách viết không đúng quy tắc (tên mục, dấu hai chấm, thụt lề bằng dấu cách)")
    return YamlSyntax(line, hint)


def load_yaml(text: str) -> Any:
    """Parse YAML safely: no Python objects, no aliases, nesting at most ``MAX_YAML_DEPTH``.

    A syntax error is a :class:`YamlSyntax` naming the line and what to fix."""
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        raise _yaml_problem(exc) from exc


def load_json(text: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON whose nesting is at most ``max_depth``, checked on the text before parsing."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if brackets and max(accumulate(1 if c in "[{" else -1 for c in brackets)) > max_depth:
        raise UnsafeFile("Tệp JSON lồng quá nhiều tầng; không đọc.")
    try:
        return json.loads(text)
    except RecursionError as exc:  # pragma: no cover - the depth check comes first
        raise UnsafeFile("Tệp JSON lồng quá nhiều tầng; không đọc.") from exc
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise UnsafeFile(f"Tệp JSON sai cú pháp{f' (dòng {line})' if line else ''}.") from exc


def strip_controls(text: str) -> str:
    """Text without control characters (tab and line breaks kept): they break exports and XML."""
    return _CONTROLS.sub("", text)


def has_controls(text: str) -> bool:
    return bool(_CONTROLS.search(text))


def spreadsheet_safe(value: Any) -> Any:
    """A value a spreadsheet will show as text, never run as a formula (=, +, -, @, tab, CR first)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
