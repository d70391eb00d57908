"""Page furniture of PDF-extracted and scanned text: page numbers and running headers.

A PDF text layer interleaves "- 2 -", "Trang 3/5" or a repeated running header ("Đảng ủy
Sở X – Kế hoạch số 27-KH/ĐU   2") with the body, often in the middle of a sentence. Those
lines are dropped before anything else, so the sentence around them joins up again.
"""

from __future__ import annotations

import re
from collections import Counter

# "2", "- 2 -", "– 12 –", "Trang 3", "Trang 3/5", "3/5" on a line of their own.
_PAGE_NUMBER = re.compile(r"^\s*(?:[-–—]\s*)?(?:(?:trang|page)\s*)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*[-–—])?\s*$",
                          re.IGNORECASE)
# A running header or footer: the same words on several pages, a page number at either end.
_EDGE_NUMBER = re.compile(r"^\s*(?:(?:trang|page)\s*)?\d{1,3}\s+|\s+(?:(?:trang|page)\s*)?\d{1,3}(?:\s*/\s*\d{1,3})?\s*$",
                          re.IGNORECASE)


def _running_key(line: str) -> str | None:
    stripped = _EDGE_NUMBER.sub("", line).strip()
    if stripped == line.strip() or len(stripped) < 12:
        return None  # only a line that carries a page number can be a running header
    return " ".join(stripped.split()).lower()


def strip_page_furniture(text: str) -> str:
    """The text without page-number lines and repeated running headers/footers."""
    lines = text.split("\n")
    keys = [_running_key(line) for line in lines]
    repeated = {k for k, n in Counter(k for k in keys if k).items() if n >= 2}
    out: list[str] = []
    dropped = False
    for line, key in zip(lines, keys, strict=True):
        if (_PAGE_NUMBER.match(line) and line.strip()) or (key is not None and key in repeated):
            while out and not out[-1].strip():
                out.pop()  # the blank lines around a page break belong to the break
            dropped = True
            continue
        if dropped and not line.strip():
            continue
        dropped = False
        out.append(line)
    return "\n".join(out)
