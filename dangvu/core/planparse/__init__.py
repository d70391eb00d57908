"""Plan documents (Kế hoạch, Chương trình hành động, Báo cáo) → structured plan.

``parse_text`` and ``parse_file`` return the JSON object described in plan-format.md:
header fields, cited documents, targets and tasks. Clean Unicode and OCR-damaged text
(lost or wrong diacritics, "s6" for "số", "l5/6/2025") both parse: every rule matches on
a folded copy of the text and cuts its fragments from the original.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dangvu.core.planparse.extract import PlanReadError, check_length, ocr_pages, read_text
from dangvu.core.planparse.header import parse_header
from dangvu.core.planparse.normalize import Source
from dangvu.core.planparse.references import find_numbers, find_references
from dangvu.core.planparse.repair import repair_text
from dangvu.core.planparse.structure import build_tree, paragraphs
from dangvu.core.planparse.targets import find_targets, study_document
from dangvu.core.planparse.tasks import find_tasks

__all__ = ["PlanReadError", "parse_file", "parse_text"]


def parse_text(text: str, scanned: bool = False) -> dict:
    """The structured plan of a plan's text (OCR damage repaired first; clean text passes as it is).
    ``scanned``: the text was read from images by OCR, whose slips a typed text does not make."""
    doc = Source.of(repair_text(check_length(text)))
    header = parse_header(doc)
    references, cited = find_references(doc, header.number)
    root = build_tree(doc, paragraphs(doc, header.body_start))
    issued = dt.date.fromisoformat(header.date) if header.date else None
    return {
        "number": header.number,
        "date": header.date,
        "place": header.place,
        "issuer": header.issuer,
        "title": header.title,
        "references": references,
        "targets": find_targets(doc, root, study_document(header.title, _numbers(header.title)),
                                issued.year if issued else None, scanned),
        "tasks": find_tasks(doc, root, cited, issued),
    }


def _numbers(title: str | None) -> list[str]:
    """Party document numbers cited in a title, as printed."""
    if not title:
        return []
    return sorted({n.number for n in find_numbers(Source.of(title)) if not n.state})


def parse_file(path: str | Path) -> dict:
    """The structured plan of a .txt, .docx, .pdf (text layer or scanned) or photo file
    (PlanReadError if unreadable)."""
    return parse_text(read_text(path), scanned=ocr_pages(path) > 0)
