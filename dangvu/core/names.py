"""A person's name as typed: letters of any script, spaces, and the punctuation names use.

Vietnamese names carry tone and vowel marks (typed composed or decomposed); names of ethnic
minorities and foreigners may carry a hyphen ("H'Hen Niê", "Ksor-Y"), an apostrophe or a dot
("Nguyễn V. An"). Digits, emoji and other symbols in a name are typing slips: a record with them
prints wrongly on every list, card and document. Pure Python, shared by forms and services.
"""

from __future__ import annotations

import re
import unicodedata

NAME_PUNCTUATION = frozenset("-'’.")
NAME_RULE = ("Họ và tên chỉ gồm chữ cái, dấu cách và các dấu gạch nối (-), nháy đơn (') hoặc chấm (.);"
             " không có chữ số, biểu tượng hay ký hiệu khác.")


def name_problem(text: str | None) -> str | None:
    """None when ``text`` is a plausible person's name (or empty: "required" is the caller's rule),
    else the rule in plain Vietnamese, naming the first character that breaks it."""
    if not text or not text.strip():
        return None
    for ch in unicodedata.normalize("NFC", text):
        cat = unicodedata.category(ch)
        if cat[0] == "L" or cat[0] == "M" or ch == " " or ch in NAME_PUNCTUATION:
            continue
        shown = "dấu cách đặc biệt" if ch.isspace() else f"«{ch}»"
        return f"{NAME_RULE} Có ký tự không dùng được: {shown}."
    if not any(unicodedata.category(ch)[0] == "L" for ch in text):
        return NAME_RULE
    return None


COURTESY = re.compile(r"(?i)^\s*đ\s*/\s*c\.?\s+")  # "Đ/c" (đồng chí) before a name in a list of attendees


def without_courtesy(text: str) -> str:
    """The name without a leading "Đ/c" that people write before a comrade's name."""
    return COURTESY.sub("", text or "")


def lines_problem(lines: list[str]) -> str | None:
    """The first line of a typed list of people (one a line) that is not a name, with its number."""
    for n, line in enumerate(lines, start=1):
        if why := name_problem(line):
            return f"Dòng {n} («{line.strip()[:60]}»): {why}"
    return None
