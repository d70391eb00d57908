"""Plain text out of a plan file: .txt, .docx (python-docx) or text-layer .pdf (pypdf)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class PlanReadError(ValueError):
    """The file cannot be read as a plan; the message is for the user (Vietnamese)."""


def read_text(path: str | Path) -> str:
    path = Path(path)
    if not path.is_file():
        raise PlanReadError(f"Không tìm thấy tệp: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix in (".txt", ".md", ".text", ""):
            return _txt(path)
        if suffix == ".docx":
            return _docx(path)
        if suffix == ".pdf":
            return _pdf(path)
    except PlanReadError:
        raise
    except Exception as exc:  # a broken file: zip, XML or PDF errors of many kinds
        raise PlanReadError(f"Không đọc được tệp {path.name}: tệp hỏng hoặc sai định dạng ({exc}).") from exc
    raise PlanReadError(
        f"Chưa hỗ trợ định dạng {suffix or '(không có đuôi)'} — hãy dùng .txt, .docx hoặc .pdf có lớp văn bản."
    )


def _txt(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    # Old Windows files: cp1258 is the Vietnamese code page.
    return data.decode("cp1258", errors="replace")


def _docx(path: Path) -> str:
    import docx  # python-docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    blocks: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            blocks.append(Paragraph(child, document).text)
        elif child.tag == f"{_W}tbl":
            blocks.extend(_table(Table(child, document)))
    blocks.extend(_footnotes(document))
    text = "\n\n".join(b for b in blocks if b.strip())
    if not text.strip():
        raise PlanReadError(f"Tệp {path.name} không có chữ.")
    return text


def _table(table) -> list[str]:
    """A schedule table (3+ columns) as "| a | b | c |" rows; a layout table cell by cell."""
    out: list[str] = []
    rows = table.rows
    for row in rows:
        cells: list[str] = []
        for cell in row.cells:
            text = cell.text.strip()
            if not cells or cells[-1] != text:  # merged cells repeat their text
                cells.append(text)
        if len(rows) >= 2 and len([c for c in cells if c]) >= 3:
            out.append("| " + " | ".join(" ".join(c.split()) for c in cells) + " |")
        else:
            for c in cells:
                out.extend(p for p in c.split("\n") if p.strip())
    return out


def _footnotes(document) -> list[str]:
    """Footnote texts (python-docx does not expose them; they often cite documents)."""
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes"):
            root = ET.fromstring(rel.target_part.blob)
            notes = []
            for note in root.iter(f"{_W}footnote"):
                text = "".join(t.text or "" for t in note.iter(f"{_W}t")).strip()
                if text:
                    notes.append(text)
            return notes
    return []


def _pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pages = [(page.extract_text() or "") for page in reader.pages]
    text = "\n\n".join(pages)
    if len(text.strip()) < 20:
        raise PlanReadError(
            f"Tệp {path.name} không có lớp văn bản (có thể là bản quét); hãy nhận dạng chữ (OCR) trước."
        )
    return text
