"""Anatomy of a Vietnamese syllable: its tone, its vowel shapes, and the spellings OCR may print.

Used by the OCR repair (:mod:`.repair`) and the lexicon builder (``scripts/build_vi_lexicon.py``).
"""


from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# --- syllable anatomy ---------------------------------------------------------------------

_TONES = {"\u0300": "grave", "\u0301": "acute", "\u0303": "tilde", "\u0309": "hook", "\u0323": "dot"}
_SHAPES = {"\u0302", "\u0306", "\u031b"}        # circumflex, breve, horn
_VOWELS = set("aăâeêioôơuưy")
_SHAPED = set("ăâêôơư")
_ONSET = re.compile(r"^(ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnprstvx])?")
# A Vietnamese syllable without marks (đ → d): onset, 1-3 vowels, coda.
_PLAIN_SYLLABLE = re.compile(r"^(ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdghklmnprstvx])?[aeiouy]{1,3}(ng|nh|ch|[cmnpt])?$")


def strip_marks(text: str) -> str:
    """Text without diacritics, đ → d (case kept)."""
    text = text.replace("đ", "d").replace("Đ", "D").replace("ð", "d").replace("Ð", "D")
    return unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)))


def is_plain_syllable(key: str) -> bool:
    """Whether an unmarked lower-case string has the shape of a Vietnamese syllable."""
    return bool(_PLAIN_SYLLABLE.match(key))


def _split_tone(syl: str) -> tuple[str, str | None]:
    """(syllable without its tone mark, tone name or None)."""
    tone = None
    out = []
    for ch in unicodedata.normalize("NFD", syl):
        if ch in _TONES:
            tone = ch
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)), tone


def _tone_positions(base: str) -> list[int]:
    """Indexes of the vowel that carries the tone in ``base`` (lower case, no tone):
    one index, or two for the open "oa", "oe", "uy" whose mark may sit on either vowel
    ("hoà"/"hòa", "uỷ"/"ủy"); the preferred modern placement comes first."""
    onset = _ONSET.match(base).group()
    start = len(onset)
    if onset == "gi" and (start >= len(base) or base[start] not in _VOWELS):
        start = 1                      # "gì", "gìn": the i is the vowel
    end = start
    while end < len(base) and base[end] in _VOWELS:
        end += 1
    if end == start:
        return []
    cluster = base[start:end]
    coda = base[end:]
    shaped = [i for i in range(start, end) if base[i] in _SHAPED]
    if shaped:
        return [shaped[-1]]
    if coda or len(cluster) == 1:
        return [end - 1]
    if cluster in ("oa", "oe", "uy"):
        return [start + 1, start]
    if len(cluster) == 3:
        return [start + 1]
    return [start]


def _place(base: str, tone: str | None, index: int) -> str:
    if tone is None:
        return base
    return unicodedata.normalize("NFC", base[:index] + unicodedata.normalize("NFC", base[index] + tone)
                                 + base[index + 1:])


@lru_cache(maxsize=65536)
def canonical(syl: str) -> str:
    """One spelling per syllable: lower case, tone on the modern position ("hòa" → "hoà")."""
    syl = unicodedata.normalize("NFC", syl.lower())
    base, tone = _split_tone(syl)
    pos = _tone_positions(base)
    if tone is None or not pos:
        return syl
    return _place(base, tone, pos[0])


def spellings(syl: str) -> set[str]:
    """Every accepted spelling of a syllable (both tone placements where two are in use)."""
    base, tone = _split_tone(unicodedata.normalize("NFC", syl.lower()))
    pos = _tone_positions(base)
    if tone is None or not pos:
        return {syl.lower()}
    return {_place(base, tone, p) for p in pos}


class Marks(NamedTuple):
    """The marks of a word, compared between a printed token and a candidate syllable."""

    tone: str | None
    shapes: tuple[str, ...]
    dbar: bool
    other: int          # combining marks no Vietnamese letter has (OCR's "ü", "ï")


@lru_cache(maxsize=65536)
def marks_of(word: str) -> Marks:
    tone = None
    shapes = []
    other = 0
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES:
            tone = ch
        elif ch in _SHAPES:
            shapes.append(ch)
        elif unicodedata.combining(ch):
            other += 1
    return Marks(tone, tuple(sorted(shapes)), "đ" in word.lower(), other)


