"""A programme of inspection and supervision (Chương trình kiểm tra, giám sát) read from its text.

The plan reader (:mod:`dangvu.core.planparse`) finds the document's items and their timing; each
item that names an inspection or a supervision becomes a draft programme entry: its kind
(kiểm tra / giám sát), form (thường xuyên, chuyên đề, khi có dấu hiệu vi phạm), subject (an
organization or a member), content, months and who leads. A person checks the preview before
anything is saved. Sources: Quy định 22-QĐ/TW, 28/7/2021; Hướng dẫn 02-HD/TW, 9/12/2021 (the
yearly programme and what each of its items states).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from . import clock
from .inspection import month_end, month_start, months_between
from .planparse import parse_text
from .text import fold

_ACTIVITY = re.compile(r"\b(kiem tra|giam sat)\b")
_MEMBER_WORDS = re.compile(r"\b(dang vien|dong chi|bi thu|chi uy vien|dang uy vien|can bo)\b")
_ORG_WORDS = re.compile(r"\b(chi bo|dang bo|dang uy|chi uy|to chuc dang|ban thuong vu|cap uy)\b")
_VIOLATION = re.compile(r"dau hieu vi pham")
_THEMATIC = re.compile(r"\bchuyen de\b")
_REGULAR = re.compile(r"\bthuong xuyen\b")
# Sentences that carry the timing or the team, cut from the item's content.
_TIME_SENTENCE = re.compile(r"\s*Thời gian(?: thực hiện)?\s*:[^.]*(?:\.|$)", re.IGNORECASE)
_LEADER = re.compile(r"([^.;]*?)\s+(?:làm|là)\s+trưởng\s+(?:đoàn|tổ)[^.;]*[.;]?", re.IGNORECASE)
_CHAIR = re.compile(r"([^.;]*?)\s+chủ trì[^.;]*[.;]?", re.IGNORECASE)
# The subject runs from after the activity words to "về", "trong", "việc" or the sentence's end.
_SUBJECT_END = re.compile(r"\s(?:về|trong|việc|đối với|nhằm|khi có)\s|[.;:]")
_LEAD_IN = re.compile(r"^\s*(?:kiểm tra|giám sát)(?:\s+(?:chuyên đề|thường xuyên|khi có dấu hiệu vi phạm))?\s+"
                      r"(?:đối với\s+)?", re.IGNORECASE)


@dataclass
class ProgrammeEntry:
    """One item of a programme as read from its text, before a person checks it."""

    ref: str
    content: str
    activity: str                 # inspection | supervision
    form: str                     # regular | thematic | violation
    subject_kind: str             # organization | member
    subject_text: str
    planned_start: dt.date
    planned_end: dt.date
    leader: str = ""
    months: list[tuple[int, int]] = field(default_factory=list)


def classify(text: str, section: str = "") -> tuple[str, str, str]:
    """(activity, form, subject kind) of an item from its words; the section heading decides the
    activity when the item itself names neither (Quy định 22-QĐ/TW: kiểm tra or giám sát, of an
    organization or a member; regular, thematic or on signs of violation)."""
    low = fold(text)
    found = _ACTIVITY.search(low) or _ACTIVITY.search(fold(section))
    activity = "supervision" if found and found.group(1) == "giam sat" else "inspection"
    if _VIOLATION.search(low):
        form = "violation"
    elif _THEMATIC.search(low):
        form = "thematic"
    else:
        form = "regular"
    head = _subject_phrase(text)
    low_head = fold(head)
    member = _MEMBER_WORDS.search(low_head)
    org = _ORG_WORDS.search(low_head)
    subject = "member" if member and (not org or member.start() < org.start()) else "organization"
    return activity, form, subject


def _subject_phrase(text: str) -> str:
    body = _LEAD_IN.sub("", text.strip(), count=1)
    end = _SUBJECT_END.search(body)
    return body[:end.start()] if end else body


def _period(timing: dict | None, year: int) -> tuple[dt.date, dt.date]:
    """The item's planned period from the reader's timing: "tháng 4/2026" is April, "quý III" its
    three months, "6 tháng đầu năm" the half, a bare year (or no timing) the whole year."""
    whole = (dt.date(year, 1, 1), dt.date(year, 12, 31))
    if not timing or not timing.get("end"):
        return whole
    end = dt.date.fromisoformat(timing["end"])
    if timing.get("start"):
        return month_start(dt.date.fromisoformat(timing["start"])), end
    low = fold(timing.get("text", ""))
    if re.search(r"\bqu[yi]\b", low):
        return month_start(dt.date(end.year, end.month - 2, 1)), end
    if "6 thang" in low or "sau thang" in low:
        return month_start(dt.date(end.year, end.month - 5, 1)), end
    if "thang" in low or re.search(r"\d{1,2}/\d{1,2}", low):
        return month_start(end), month_end(end)
    return dt.date(end.year, 1, 1), end


def _clean(title: str) -> tuple[str, str]:
    """(content, leader): the timing sentence cut off, the "X làm trưởng đoàn" / "X chủ trì" named."""
    text = _TIME_SENTENCE.sub(" ", title).strip()
    leader = ""
    for pattern in (_LEADER, _CHAIR):
        m = pattern.search(text)
        if m and len(m.group(1).strip()) < 120:
            leader = m.group(1).strip(" ,.")
            text = (text[:m.start()] + text[m.end():]).strip()
            break
    return re.sub(r"\s+", " ", text).strip(" ,;"), leader


def read_programme(text: str, year: int | None = None) -> tuple[dict, list[ProgrammeEntry]]:
    """The header (number, date, title) and the entries of a programme's text. ``year`` defaults to
    the document's year; items with no timing take the whole year."""
    parsed = parse_text(text)
    if year is None:
        year = int(parsed["date"][:4]) if parsed.get("date") else clock.today().year
    entries: list[ProgrammeEntry] = []
    for task in parsed["tasks"]:
        title = task.get("title") or ""
        if not _ACTIVITY.search(fold(title)):
            continue  # "Tổ chức thực hiện" items and the like
        start, end = _period(task.get("timing"), year)
        content, leader = _clean(title)
        if task.get("lead") and not leader:
            leader = ", ".join(task["lead"])
        activity, form, subject = classify(content)
        entries.append(ProgrammeEntry(
            ref=task["id"], content=content[:1000], activity=activity, form=form, subject_kind=subject,
            subject_text=_subject_phrase(content).strip()[:255], planned_start=start, planned_end=end,
            leader=leader[:255], months=months_between(start, end)))
    header = {"number": parsed.get("number") or "", "date": parsed.get("date"), "title": parsed.get("title") or "",
              "year": year}
    return header, entries
