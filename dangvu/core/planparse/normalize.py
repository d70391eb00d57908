"""Source text and its folded twin for tolerant matching.

``Source.low`` has exactly the same length as ``Source.src``: character ``i`` of the folded
copy comes from character ``i`` of the source. Rules match on ``low`` (lower case, no
diacritics, đ→d, OCR slips repaired) and cut their ``text`` fragments from ``src``, so a
match on "nghi quyet so 21-nq/tw" still shows the printed "Nghị quyết số 21-NQ/TW".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from dangvu.core.planparse.layout import strip_page_furniture

# Characters removed from the source before anything else (invisible, no meaning).
_INVISIBLE = dict.fromkeys(map(ord, "\r\u200b\u200c\u200d\ufeff\u00ad"), None)
# Icelandic eth (Ð/ð) is what OCR and old fonts print for Vietnamese Đ/đ.
_INVISIBLE.update({ord("Ð"): "Đ", ord("ð"): "đ"})

# One-to-one replacements applied while folding; everything else is NFD-stripped.
_FOLD_SPECIAL = {
    "đ": "d", "Đ": "d", "ð": "d", "Ð": "d",
    "*": " ", "#": " ", "_": " ", "\t": " ",
    "–": "-", "—": "-", "−": "-", "‐": "-", "‑": "-",
    "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'",
    "…": ".",
    # Word/PDF symbol-font bullets (private use area) and other bullet glyphs read as a dash.
    "\uf0b7": "-", "\uf0a7": "-", "\uf0d8": "-", "\uf076": "-", "\uf0fc": "-", "\uf0e0": "-",
    "►": "-", "❖": "-", "■": "-", "□": "-", "♦": "-", "➤": "-", "→": "-",
    # Footnote marks ("30 tổ chức đảng¹"): not part of the word or number they follow.
    **dict.fromkeys("⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾†‡", " "),
}

# OCR repairs on the folded copy. Each replacement keeps the length.
_SO_WORD = re.compile(r"(?<![a-z0-9])s[60](?![a-z0-9])")
_PERCENT_OCR = re.compile(r"(?<=[0-9lo])(?:°/o|o/o)")
# A run of digits with OCR look-alikes (l, i → 1; o → 0), not glued to other letters
# except the words OCR glues to a number ("ngày3O/9", "số2l-NQ/TW", "hoàn thành:l5/11").
_DIGITISH = re.compile(r"(?:(?<![a-z])|(?<=ngay)|(?<=so)|(?<=thang)|(?<=nam))[0-9lio]*[0-9][0-9lio]*(?![a-z])")
_DIGIT_FIX = str.maketrans({"l": "1", "i": "1", "o": "0"})


def clean(text: str) -> str:
    """NFC text without invisible characters or combining marks left over from bad OCR."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def fold_char(c: str) -> str:
    """One folded character for one source character (the length invariant)."""
    if c in _FOLD_SPECIAL:
        return _FOLD_SPECIAL[c]
    if c == "\n":
        return c
    if c.isspace():
        return " "
    base = "".join(x for x in unicodedata.normalize("NFD", c) if unicodedata.category(x) != "Mn")
    low = base[:1].lower()[:1]
    return low or " "


def repair(low: str) -> str:
    """Undo common OCR slips in folded text without changing its length."""
    low = _SO_WORD.sub("so", low)
    low = _PERCENT_OCR.sub(lambda m: "%" + " " * (len(m.group()) - 1), low)
    return _DIGITISH.sub(lambda m: m.group().translate(_DIGIT_FIX), low)


def fold(text: str) -> str:
    """Folded, repaired text of the same length (for phrases and small fragments)."""
    return repair("".join(fold_char(c) for c in text))


def squeeze(text: str) -> str:
    """Collapse whitespace (line wraps included) and markdown stars for display."""
    return re.sub(r"\s+", " ", text.replace("*", " ")).strip(" \n\t")


@dataclass(frozen=True)
class Source:
    """The cleaned source text and its same-length folded copy."""

    src: str
    low: str

    @classmethod
    def of(cls, text: str) -> Source:
        src = strip_page_furniture(clean(text))
        return cls(src, fold(src))

    def text(self, start: int, end: int) -> str:
        """Display text of a span of the source."""
        return squeeze(self.src[start:end])
