"""Vietnamese text helpers: diacritic folding for search and duplicate detection."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Fold Vietnamese text for matching: strip diacritics, map đ→d, lower-case, squeeze spaces.

    "Nguyễn Văn  An" and "nguyen van an" fold to the same key, so a user typing on a phone
    without a Vietnamese keyboard still finds the record.
    """
    if not text:
        return ""
    text = text.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return _SPACES.sub(" ", text).strip().lower()


def nfc(text: str | None) -> str:
    """Normalise to NFC and squeeze spaces; Excel files mix composed and decomposed forms."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(text))).strip()
