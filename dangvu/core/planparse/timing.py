"""Timing of a task: ongoing, by a date, from a date, between two dates, or conditional.

Dates are found as "points" (a day, a month, a quarter, a half-year, a year), each an
interval; the words around a point decide what it means: "từ" opens a range or a start,
"đến" closes a range, anything else is a deadline at the end of the interval.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dangvu.core.planparse import dates
from dangvu.core.planparse.normalize import Source

_Y = r"(?:19|20)\d{2}"
_POINT = re.compile(
    # "(giai đoạn 2026 - 2030)" after a task: the years it runs over.
    rf"(?:(?<=\()|(?<=\(\s))(?:giai doan\s{{1,3}}|tu\s{{1,3}}nam\s{{1,3}})?(?P<ya>{_Y})\s{{0,2}}(?:-|den)\s{{0,2}}"
    rf"(?:nam\s{{1,3}})?(?P<yb>{_Y})(?=\s{{0,2}}\))"
    rf"|(?P<d1>\d{{1,2}})\s{{0,2}}[/.\-]\s{{0,2}}(?P<m1>\d{{1,2}})\s{{0,2}}[/.\-]\s{{0,2}}(?P<y1>{_Y}|18\d\d)"
    rf"|(?P<d2>\d{{1,2}})\s{{1,3}}thang\s{{1,3}}(?P<m2>\d{{1,2}})\s{{1,3}}nam\s{{1,3}}(?P<y2>{_Y})"
    rf"|trong\s{{1,3}}(?P<hn>6|sau)\s{{1,3}}thang\s{{1,3}}(?P<half>dau|cuoi)\s{{1,3}}nam\s{{1,3}}(?P<y5>{_Y})"
    rf"|thang\s{{0,3}}(?P<m3>\d{{1,2}})\s{{0,2}}(?:/|-|\.|\s{{1,3}}nam\s{{1,3}})\s{{0,2}}(?P<y3>{_Y})"
    rf"|qu[yi]\s{{1,3}}(?P<q>111|lll|11|ll|1v|lv|iv|iii|ii|i|[1-4])\b(?:\s{{0,2}}(?:/|-|\s{{1,3}}nam\s{{1,3}}|\s{{1,3}})\s{{0,2}}(?P<y4>{_Y}))?"
    rf"|(?P<yw>trong|het|cuoi|:)\s{{1,3}}nam\s{{1,3}}(?P<y6>{_Y})"
    rf"|(?:(?<=\btu )|(?<=\bden )|(?<=\btruoc ))nam\s{{1,3}}(?P<y11>{_Y})"
    rf"|(?:(?<=\|)|(?<=\|\s)|(?<=\|\s\s))nam\s{{1,3}}(?P<y10>{_Y})(?=\s{{0,3}}(?:\||$))"
    rf"|(?:ngay|truoc|den)\s{{0,3}}(?P<d7>\d{{1,2}})\s{{0,2}}/\s{{0,2}}(?P<m7>\d{{1,2}})(?![\d/])"
    rf"|thang\s{{0,3}}(?P<m8>\d{{1,2}})(?![\d/.\-]|\s{{1,3}}nam)"
    rf"|(?<![\d/])(?P<m9>\d{{1,2}})\s{{0,2}}/\s{{0,2}}(?P<y9>{_Y})(?![\d/])"
)
# A range longer than this many years is an anniversary ("kỷ niệm 80 năm ... (1945 - 2025)").
_ANNIVERSARY_YEARS = 15
_OLDEST = 1945
_CONNECT = re.compile(r"\s{0,3}(?:den|toi|-)\s{0,3}(?:het\s{1,3}|cuoi\s{1,3})?(?:ngay\s{0,3})?")
_OPEN = re.compile(r"(?:^|\s)(?:tu|ke tu|bat dau tu|bat dau|bat tu)\s{1,3}(?:ngay\s{0,3})?$")
_BEFORE = re.compile(r"(?:^|\s)truoc\s{1,3}$")
_CITATION_AFTER = re.compile(r"\s{0,3}(?:,\s{0,2})?(?:cua|ve viec|v/v)\b")
# "hằng năm (trước ngày 15/11)", "vào tháng 10 hằng năm": a recurring date, no deadline.
_RECURRING = re.compile(r"\b(?:hang|moi)\s{1,3}(?:nam|quy|thang|tuan)\b|\bdinh ky\b")
_CONDITION = re.compile(r"\b(?:neu|tuy tinh hinh|tuy theo tinh hinh|truong hop)\b")
_ONGOING = re.compile(
    r"(?:thuc hien|tien hanh|trien khai|thoi gian(?: thuc hien)?\s{0,2}:)\s{0,3}thuong xuyen"
    r"|\(\s{0,2}thuong xuyen|thoi gian(?: thuc hien)?\s{0,2}:\s{0,2}(?:hang|moi|dinh ky)\s{0,3}(?:nam|quy|thang)?"
)
_CONDITIONAL = re.compile(
    r"\b(?:khi co (?:van ban|huong dan|chi dao|ke hoach|quyet dinh|y kien|thong bao|chu truong|chi thi|nghi quyet|"
    r"de nghi|yeu cau)|"
    r"ngay sau khi|sau khi|truoc khi|theo lich|tuy (?:theo )?tinh hinh|khi (?:cap tren|trung uong|"
    r"tinh uy|huyen uy|dang uy)[^.;)]{0,40}(?:ban hanh|yeu cau|chi dao|huong dan))"
)
_LEAD_WORDS = re.compile(
    r"(?:(?:thuc hien\s{1,3})?(?:hoan thanh|xong)\s{1,3})?(?:truoc|trong|cham nhat|han chot|vao|den|tu|bat dau tu)?"
    r"\s{0,3}(?:ngay\s{0,3})?$"
)


@dataclass
class Point:
    start: int
    end: int
    first: dt.date | None
    last: dt.date | None
    kind: str            # day, month, quarter, half, year, month_only, quarter_only, day_only, bare


@dataclass
class Hit:
    """One timing expression found in a text span."""

    kind: str            # by, from, between, ongoing, conditional
    start: dt.date | None
    end: dt.date | None
    pos: int
    stop: int

    def as_dict(self, doc: Source) -> dict:
        return {"kind": self.kind, "start": dates.iso(self.start), "end": dates.iso(self.end),
                "text": doc.text(self.pos, self.stop).strip(" :,;")}


def _point(m: re.Match, default_year: int | None) -> Point:  # noqa: PLR0911 (one return per pattern group)
    g = m.groupdict()
    s, e = m.start(), m.end()
    if g["ya"]:
        return Point(s, e, dates.make(g["ya"], 1, 1), dates.make(g["yb"], 12, 31), "span")
    if g["d1"] or g["d2"]:
        day = dates.make(g["y1"] or g["y2"], g["m1"] or g["m2"], g["d1"] or g["d2"])
        return Point(s, e, day, day, "day")
    if g["y5"]:
        first_half = g["half"] == "dau"
        return Point(s, e, dates.make(g["y5"], 1 if first_half else 7, 1),
                     dates.month_end(g["y5"], 6 if first_half else 12), "half")
    if g["m3"]:
        return Point(s, e, dates.month_start(g["y3"], g["m3"]), dates.month_end(g["y3"], g["m3"]), "month")
    if g["q"]:
        if g["y4"]:
            first, last = dates.quarter_bounds(g["q"], g["y4"])
            return Point(s, e, first, last, "quarter")
        return Point(s, e, None, None, "quarter_only:" + g["q"])
    if g["y6"] or g["y10"] or g["y11"]:
        year = g["y6"] or g["y10"] or g["y11"]
        # "đến năm 2030" ends a "từ năm 2026 ..." range; alone it is a goal's horizon, no deadline.
        kind = "year_end" if g["y11"] and m.string[max(0, s - 4): s] == "den " else "year"
        return Point(s, e, dates.make(year, 1, 1), dates.make(year, 12, 31), kind)
    if g["d7"]:
        day = dates.make(default_year, g["m7"], g["d7"]) if default_year else None
        return Point(s, e, day, day, "day_only")
    if g["m8"]:
        return Point(s, e, None, None, "month_only:" + g["m8"])
    return Point(s, e, dates.month_start(g["y9"], g["m9"]), dates.month_end(g["y9"], g["m9"]), "bare")


def _borrow_year(p: Point, year: int) -> None:
    """Give "tháng 7" / "quý II" in "từ tháng 7 đến tháng 9/2024" the year of the range end."""
    if p.kind.startswith("month_only:"):
        m = int(p.kind.split(":")[1])
        p.first, p.last = dates.month_start(year, m), dates.month_end(year, m)
    elif p.kind.startswith("quarter_only:"):
        p.first, p.last = dates.quarter_bounds(p.kind.split(":")[1], year)


def _clause_before(low: str, pos: int, floor: int) -> str:
    cut = max(low.rfind(c, floor, pos) for c in ".;()")
    return low[max(cut + 1, floor): pos]


def find_timings(doc: Source, start: int, end: int, masked: list[tuple[int, int]] | None = None,
                 default_year: int | None = None, issued: dt.date | None = None) -> list[Hit]:
    """Timing expressions in ``start``..``end`` in text order (masked spans are citations).

    A day without a year ("trước 30/6") takes ``default_year``, else the year of the plan's
    date ``issued`` — or the next year when that would fall before the plan was issued.
    """
    low = doc.low
    points = _points(low, start, end, masked or [], default_year, issued)
    hits: list[Hit] = []
    i = 0
    while i < len(points):
        p = points[i]
        nxt = points[i + 1] if i + 1 < len(points) else None
        before = low[max(start, p.start - 25): p.start]
        opened = bool(_OPEN.search(before))
        conn = _CONNECT.match(low, p.end)
        if nxt and conn and conn.end() == nxt.start and p.first and nxt.last \
                and nxt.last.year - p.first.year > _ANNIVERSARY_YEARS:
            i += 2  # "(03/02/1930 - 03/02/2026)": the span of an anniversary, not a task's
            continue
        if nxt and conn and conn.end() == nxt.start and nxt.last and (opened or p.kind in ("month", "bare") or ":" in p.kind):
            if nxt.last and (p.first is None):
                _borrow_year(p, nxt.last.year)
            if p.first:
                hits.append(Hit("between", p.first, nxt.last, _lead(low, p.start, start), nxt.end))
                i += 2
                continue
        i += 1
        if hit := _single_hit(low, p, start, end, before, opened):
            hits.append(hit)
    for rx, kind in ((_ONGOING, "ongoing"), (_CONDITIONAL, "conditional")):
        for m in rx.finditer(low, start, end):
            if not any(h.pos <= m.start() < h.stop for h in hits):
                hits.append(Hit(kind, None, None, m.start(), _clause_end(low, m.end(), end)))
    return sorted(hits, key=lambda h: h.pos)


def _points(low: str, start: int, end: int, masked: list[tuple[int, int]], default_year: int | None,
            issued: dt.date | None) -> list[Point]:
    """The dates and periods written in ``start``..``end``, outside citations."""
    year = default_year or (issued.year if issued else None)
    points = []
    for m in _POINT.finditer(low, start, end):
        if any(a <= m.start() < b for a, b in masked):
            continue
        p = _point(m, year)
        if p.kind == "day_only" and p.first and issued and p.first < issued and not default_year:
            p.first = p.last = dates.make(p.first.year + 1, p.first.month, p.first.day)
        points.append(p)
    return points


def _single_hit(low: str, p: Point, start: int, end: int, before: str, opened: bool) -> Hit | None:  # noqa: PLR0911
    """What one date or period standing alone says: by, from, ongoing, conditional, or nothing."""
    if p.first and p.first.year < _OLDEST:
        return None  # "19/5/1890": a birthday in an anniversary's name, never a deadline
    if p.kind == "span":
        if p.first and p.last and 0 <= p.last.year - p.first.year <= _ANNIVERSARY_YEARS:
            return Hit("between", p.first, p.last, p.start, p.end)
        return None
    if p.first is None or (p.kind == "bare" and not opened) or p.kind == "year_end":
        return None
    if p.kind == "day" and _CITATION_AFTER.match(low, p.end):
        return None
    lead = _lead(low, p.start, start)
    if (p.kind in ("day_only", "month_only") or p.kind.startswith("month_only:")) and _recurring(low, p, start, end):
        return Hit("ongoing", None, None, lead, p.end)
    if _CONDITION.search(_clause_before(low, p.start, start)):
        return Hit("conditional", None, None, lead, p.end)
    if opened:
        return Hit("from", p.first, None, lead, p.end)
    if _BEFORE.search(before) and p.kind not in ("day", "day_only"):
        return Hit("by", None, p.first - dt.timedelta(days=1), lead, p.end)
    return Hit("by", None, p.last, lead, p.end)


def _recurring(low: str, p: Point, floor: int, end: int) -> bool:
    """Is a yearless date repeated ("hằng năm (trước ngày 15/11)", "tháng 10 hằng năm")?"""
    before = low[max(floor, p.start - 45): p.start]
    before = before[max(before.rfind("."), before.rfind(";")) + 1:]
    after = low[p.end: min(end, p.end + 25)]
    after = re.split(r"[.;]", after)[0]
    return bool(_RECURRING.search(before + " " + after))


def _lead(low: str, pos: int, floor: int) -> int:
    """Start the timing text at "hoàn thành trước ngày" rather than at the digits."""
    m = _LEAD_WORDS.search(low, max(floor, pos - 40), pos)
    return m.start() if m and m.group().strip() else pos


def _clause_end(low: str, pos: int, end: int) -> int:
    m = re.compile(r"[.;)]").search(low, pos, end)
    return m.start() if m else end
