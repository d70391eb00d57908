"""Hostile uploads (issue 12): the files that took the server down, built here, and ``dangvu bench
--uploads``, which posts each to its real page and prints the time and peak memory of the refusal.

The builders are shared with ``tests/test_hostile_uploads.py`` (which posts smaller versions and
asserts the refusal); the bench posts them at the sizes of the issue. Nothing is asserted here.
"""

from __future__ import annotations

import io
import resource
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# -- builders --------------------------------------------------------------------------------------

MEMBER_TITLES = ("Mã chi bộ", "Họ và tên", "Ngày sinh", "Giới tính", "Ngày vào Đảng")
_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
       '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
       'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
       '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
       'name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               'spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = "</sheetData></worksheet>"


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _header_row() -> str:
    return '<row r="1">' + "".join(_inline(f"{chr(65 + i)}1", t) for i, t in enumerate(MEMBER_TITLES)) + "</row>"


def _xlsx(sheet_writer: Callable[[Any], None]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet_writer(sheet)
    return buf.getvalue()


def xlsx_far_cell(ref: str = "XFD1048576") -> bytes:
    """A member workbook (~1.7 KB): the header row and one cell far out (the issue's SIGABRT file)."""
    row = "".join(ch for ch in ref if ch.isdigit())

    def write(sheet: Any) -> None:
        sheet.write((_SHEET_HEAD + _header_row() + f'<row r="{row}">{_inline(ref, "x")}</row>'
                     + _SHEET_TAIL).encode())
    return _xlsx(write)


def xlsx_rows(count: int) -> bytes:
    """A member workbook of ``count`` data rows right below the header (one over the row limit)."""
    from dangvu.registry.excel import MEMBER_COLUMNS

    titles = [c.title for c in MEMBER_COLUMNS]
    letters = [chr(65 + i) for i in range(len(titles))]
    admitted = letters[[c.key for c in MEMBER_COLUMNS].index("admitted_on")]

    def write(sheet: Any) -> None:
        header = "".join(_inline(f"{col}1", t) for col, t in zip(letters, titles, strict=True))
        sheet.write((_SHEET_HEAD + f'<row r="1">{header}</row>').encode())
        for r in range(2, count + 2):
            sheet.write((f'<row r="{r}">{_inline(f"A{r}", "C1A")}{_inline(f"B{r}", f"Người {r}")}'
                         f'{_inline(f"C{r}", "02/03/1985")}{_inline(f"D{r}", "Nam")}'
                         f'{_inline(f"{admitted}{r}", "19/05/2010")}</row>').encode())
        sheet.write(_SHEET_TAIL.encode())
    return _xlsx(write)


def xlsx_zip_bomb(inflated: int = 3_500 * 1024 * 1024) -> bytes:
    """A member workbook whose one data cell holds ``inflated`` bytes of one letter (~1000× smaller)."""
    chunk = b"A" * (1024 * 1024)

    def write(sheet: Any) -> None:
        sheet.write((_SHEET_HEAD + _header_row() + '<row r="2"><c r="A2" t="inlineStr"><is><t>').encode())
        for _ in range(inflated // len(chunk)):
            sheet.write(chunk)
        sheet.write(("</t></is></c></row>" + _SHEET_TAIL).encode())
    return _xlsx(write)


_DOCX_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>')
_DOCX_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
              'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
              'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def docx_bomb(inflated: int = 1024 * 1024 * 1024, words: tuple[str, ...] = ()) -> bytes:
    """A .docx whose document.xml is ``inflated`` bytes of paragraphs: one repeated sentence (the
    issue's 3.4 MB file with a 1 GB part), or, given ``words``, varied text that compresses only
    a few times (under any ratio check, caught by the part's size)."""
    import random

    rng = random.Random(12)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr("[Content_Types].xml", _DOCX_CT)
        z.writestr("_rels/.rels", _DOCX_RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as doc:
            doc.write(b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats'
                      b'.org/wordprocessingml/2006/main"><w:body>')
            written = 0
            fixed = "<w:p><w:r><w:t>Phấn đấu 100% chi bộ hoàn thành tốt nhiệm vụ.</w:t></w:r></w:p>".encode() * 2000
            while written < inflated:
                if words:
                    text = " ".join(rng.choice(words) for _ in range(20000))
                    block = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()
                else:
                    block = fixed
                doc.write(block)
                written += len(block)
            doc.write(b"</w:body></w:document>")
    return buf.getvalue()


def pdf_bomb(content_bytes: int = 70_000_000, pages: int = 1) -> bytes:
    """A PDF (~200 KB a page) whose pages are drawn by ``content_bytes`` of text operators each."""
    import zlib

    op = b"BT /F1 12 Tf 72 720 Td (Phan dau hoan thanh) Tj ET\n"
    stream = zlib.compress(op * (content_bytes // len(op)), 9)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(pages))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for i in range(pages):
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                    f"/Contents {5 + 2 * i} 0 R >>".encode())
        objs.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def yaml_alias_bomb(levels: int = 9, width: int = 9) -> bytes:
    """The "billion laughs" in YAML (~1 KB: 9 levels of 9 aliases expand to 9⁹ strings)."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    lines += ["name: Bom", "year: 2026", "bands: {good: 90, fair: 70, average: 50}",
              f"groups: [{{code: g, label: G, criteria: [{{code: c, label: *a{levels - 1}, max_points: 100}}]}}]"]
    return ("\n".join(lines) + "\n").encode()


def nested_yaml(depth: int = 10_000) -> bytes:
    return ("name: Sâu\nyear: 2026\ngroups: " + "[" * depth + "]" * depth + "\n").encode()


def nested_json(depth: int = 100_000, key: str = "groups") -> bytes:
    return ('{"name": "Sâu", "year": 2026, "' + key + '": ' + "[" * depth + "]" * depth + "}").encode()


def text_plan(chars: int = 5 * 1024 * 1024) -> bytes:
    """A plan text of ``chars`` characters made of target lines (the issue's 5 MB text plan)."""
    head = ("ĐẢNG BỘ XÃ THỬ NGHIỆM\nKẾ HOẠCH thực hiện nhiệm vụ năm 2026\nI. MỤC TIÊU\n")
    line = "{n}. Hằng năm có từ 90% trở lên đảng viên được đánh giá, xếp loại hoàn thành tốt nhiệm vụ.\n"
    parts, size, n = [head], len(head), 1
    while size < chars:
        text = line.format(n=n)
        parts.append(text)
        size += len(text)
        n += 1
    return "".join(parts)[:chars].encode("utf-8")


def non_utf8_framework() -> bytes:
    """A framework saved in the Windows Vietnamese code page instead of UTF-8."""
    text = ("name: Khung chấm điểm tỉnh\nyear: 2026\nbands: {good: 90, fair: 70, average: 50}\n"
            "groups: [{code: g, label: Nhóm tiêu chí, criteria: [{code: c, label: Tiêu chí, max_points: 100}]}]\n")
    return text.encode("cp1258", errors="replace")


def oversized(size: int) -> bytes:
    return b"PK\x03\x04" + b"\0" * (size - 4)


# -- the bench -------------------------------------------------------------------------------------

@dataclass
class Case:
    """One hostile upload: the page, the form data, the file field and its content."""

    name: str
    url: str
    field: str
    filename: str
    content: bytes
    data: dict[str, str]


def measure(post: Callable[[], Any]) -> dict[str, Any]:
    """Seconds of one call, then the peak of Python allocations (tracemalloc) and the growth of the
    process's peak resident size over a second call (native readers such as calamine included)."""
    t0 = time.perf_counter()
    response = post()
    seconds = time.perf_counter() - t0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    post()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    return {"status": response.status_code, "seconds": round(seconds, 3), "peak_mb": round(peak / 1e6, 1),
            "rss_growth_mb": round(rss_growth / 1024, 1)}


def upload_rows() -> int:
    """Rows an accepted upload would write: members, import batches, plans, frameworks, congress
    timelines, meetings."""
    from dangvu.congress.models import TimelineTemplate
    from dangvu.meetings.models import Meeting, ScoringFramework
    from dangvu.plans.models import Plan
    from dangvu.registry.models import ImportBatch, Member

    return sum(m.objects.count() for m in (Member, ImportBatch, Plan, ScoringFramework, TimelineTemplate, Meeting))


def _world() -> tuple[Any, str, Any]:
    """A commune with one cell of its own and an administrator of it (the bench's login)."""
    from .suite import Scale, _bench_tree, _bench_user

    root, cells, _run = _bench_tree(Scale(committees=1, cells=1, rows=0))
    return root, cells[0], _bench_user(root)


def _cases(root_code: str, cell_code: str) -> list[Case]:
    from django.conf import settings
    from django.urls import reverse

    from dangvu.core import clock

    upload_limit = settings.DANGVU_MAX_UPLOAD_BYTES
    imp = {"kind": "members", "scope": root_code}
    plan = {"start_year": "", "end_year": ""}
    timeline = {"title": "", "term": "2025-2030"}
    reg, plans_url = reverse("registry:import_start"), reverse("plans:plan_upload", args=[root_code])
    fw, tl = reverse("meetings:frameworks"), reverse("congress:timeline_add", args=[root_code])
    meeting = reverse("meetings:meeting_create", args=[cell_code])
    words = tuple(["đảng", "viên", "chi", "bộ", "nhiệm", "vụ", "kế", "hoạch", "phấn", "đấu", "hoàn", "thành", "năm", "tốt", "xã", "thôn"])
    return [
        Case("xlsx: one cell at XFD1048576", reg, "file", "ds.xlsx", xlsx_far_cell("XFD1048576"), imp),
        Case("xlsx: one cell at Z1048576", reg, "file", "ds.xlsx", xlsx_far_cell("Z1048576"), imp),
        Case("xlsx: zip bomb (3.5 GB inflated)", reg, "file", "ds.xlsx", xlsx_zip_bomb(), imp),
        Case("xlsx: 100,001 data rows", reg, "file", "ds.xlsx", xlsx_rows(100_001), imp),
        Case("xlsx: over the size limit", reg, "file", "ds.xlsx", oversized(upload_limit + 1), imp),
        Case("docx plan: bomb (1 GB document.xml)", plans_url, "file", "kh.docx", docx_bomb(), plan),
        Case("docx plan: 40 MB of varied text", plans_url, "file", "kh.docx", docx_bomb(40 * 1024 * 1024, words),
             plan),
        Case("pdf plan: 70 MB of text operators", plans_url, "file", "kh.pdf", pdf_bomb(), plan),
        Case("txt plan: 5 MB", plans_url, "file", "kh.txt", text_plan(), plan),
        Case("txt plan: 210,000 characters", plans_url, "file", "kh.txt", text_plan(210_000), plan),
        Case("framework: YAML alias bomb", fw, "file", "khung.yaml", yaml_alias_bomb(), {}),
        Case("framework: YAML nested 10,000 deep", fw, "file", "khung.yaml", nested_yaml(), {}),
        Case("framework: JSON nested 100,000 deep", fw, "file", "khung.json", nested_json(), {}),
        Case("framework: not UTF-8", fw, "file", "khung.yaml", non_utf8_framework(), {}),
        Case("framework: over the size limit", fw, "file", "khung.yaml",
             b"#" * (settings.DANGVU_MAX_DATA_FILE_BYTES + 1), {}),
        Case("congress plan: JSON nested 100,000 deep", tl, "plan", "kh.json", nested_json(key="tasks"), timeline),
        Case("minutes: over the size limit", meeting, "minutes_file", "bb.pdf",
             b"%PDF-" + b"0" * settings.DANGVU_MAX_ATTACHMENT_BYTES,
             {"held_on": clock.today().isoformat(), "kind": "regular", "starts_at": "19:30", "ends_at": "21:30"}),
    ]


def run_uploads() -> list[dict[str, Any]]:
    """Post each hostile upload to its page as an administrator; its status, time and memory, and
    the rows written (always expected 0: member, import batch, plan, framework, timeline, meeting)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from .suite import _cleanup

    root, cell_code, user = _world()
    client = Client()
    client.force_login(user)
    results = []
    try:
        for case in _cases(root.code, cell_code):
            before = upload_rows()

            def post(case: Case = case) -> Any:
                upload = SimpleUploadedFile(case.filename, case.content)
                return client.post(case.url, {**case.data, case.field: upload})

            figures = measure(post)
            results.append({"case": case.name, "bytes": len(case.content), **figures,
                            "rows_written": upload_rows() - before})
    finally:
        _cleanup(root)
    return results


def report_uploads(json_out: bool = False) -> int:
    """``dangvu bench --uploads``: run :func:`run_uploads` and print one line a case (or JSON)."""
    import json
    import sys

    results = run_uploads()
    if json_out:
        sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
        return 0
    for r in results:
        sys.stdout.write(f"{r['case']:<42} {r['bytes'] / 1024:>10.1f} KB  HTTP {r['status']}  {r['seconds']:>7.3f} s  "
                         f"peak {r['peak_mb']:>7.1f} MB  rss +{r['rss_growth_mb']:>7.1f} MB  "
                         f"rows {r['rows_written']}\n")
    return 0
