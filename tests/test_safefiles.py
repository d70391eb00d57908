"""Hostile files are refused from their directory or a stream, before any reader allocates."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from dangvu.core import safefiles as sf


def _zip(members: dict[str, bytes]) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    buf.seek(0)
    return buf


def test_a_zip_bomb_is_refused_from_its_directory():
    bomb = _zip({"word/document.xml": b"0" * (120 * 1024 * 1024)})
    assert len(bomb.getvalue()) < 1024 * 1024  # a small upload …
    tracemalloc.start()
    with pytest.raises(sf.UnsafeFile, match="giải nén lớn bất thường"):
        sf.check_archive(bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5 * 1024 * 1024  # … refused without inflating it


def test_a_highly_compressed_member_is_refused_even_under_the_size_limits():
    with pytest.raises(sf.UnsafeFile):
        sf.check_archive(_zip({"xl/sharedStrings.xml": b"A" * (30 * 1024 * 1024)}))


def test_a_normal_office_file_passes():
    wb = Workbook()
    ws = wb.active
    for r in range(1, 201):
        ws.append([f"Nguyễn Văn {r}", r, "2026-01-01"])
    buf = io.BytesIO()
    wb.save(buf)
    sf.check_workbook(buf)
    assert buf.tell() == 0  # rewound for the real reader


def test_not_a_zip_gets_a_plain_message():
    with pytest.raises(sf.UnsafeFile, match="không phải tệp Word/Excel"):
        sf.check_archive(io.BytesIO(b"PK\x03\x04 not really"))


@pytest.mark.parametrize("cell", ["XFD1048576", "Z1048576", "GT1"])
def test_a_cell_far_out_is_refused_before_the_workbook_is_read(cell):
    wb = Workbook()
    wb.active["A1"] = "Họ và tên"
    wb.active[cell] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    assert len(buf.getvalue()) < 10_000
    with pytest.raises(sf.UnsafeFile, match="ngoài phạm vi cho phép"):
        sf.check_workbook(buf)


def test_a_declared_dimension_far_out_is_refused():
    sheet = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<dimension ref="A1:XFD1048576"/><sheetData/></worksheet>')
    with pytest.raises(sf.UnsafeFile):
        sf.check_workbook(_zip({"xl/worksheets/sheet1.xml": sheet}))


def test_yaml_aliases_and_deep_nesting_are_refused():
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b]\n'
    with pytest.raises(sf.UnsafeFile, match="tham chiếu"):
        sf.load_yaml(bomb)
    with pytest.raises(sf.UnsafeFile, match="lồng quá nhiều tầng"):
        sf.load_yaml("[" * 50 + "]" * 50)
    with pytest.raises(sf.UnsafeFile, match="viết sai ở dòng 2: thiếu dấu ngoặc đóng"):  # issue 13: line, what to do
        sf.load_yaml("a: [1, 2\n")
    with pytest.raises(sf.UnsafeFile):
        sf.load_yaml("!!python/object/apply:os.system ['true']")
    assert sf.load_yaml("tiêu chí:\n  - tên: Đúng giờ\n    điểm: 10\n") == {"tiêu chí": [{"tên": "Đúng giờ", "điểm": 10}]}


def test_control_characters_and_formulas():
    assert sf.strip_controls("Xã\x01 An\x02 Bình\tthôn\n2\x7f") == "Xã An Bình\tthôn\n2"
    assert sf.has_controls("a\x00b") and not sf.has_controls("a\tb\r\n")
    assert sf.spreadsheet_safe('=HYPERLINK("http://x","Bấm")') == "'=HYPERLINK(\"http://x\",\"Bấm\")"
    assert [sf.spreadsheet_safe(v) for v in ("+84", "-1", "@SUM", "\tx", "Nguyễn", 12)] == \
        ["'+84", "'-1", "'@SUM", "'\tx", "Nguyễn", 12]
