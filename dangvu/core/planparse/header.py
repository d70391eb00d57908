"""The header block: issuer, number ("Số 35-KH/ĐU"), place and date, document kind, title."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dangvu.core.planparse import dates
from dangvu.core.planparse.normalize import Source, squeeze
from dangvu.core.planparse.references import PARTY_NUMBER, STATE_NUMBER, party_number, state_number

_KIND_HEADING = re.compile(
    r"(ke hoach|chuong trinh hanh dong|chuong trinh|bao cao|nghi quyet|huong dan|thong bao|de an|"
    r"quy che|quy dinh|chi thi|ket luan|to trinh)\b"
)
_NUMBER_LINE = re.compile(r"(?:^|\s)so(?![a-z])\s{0,2}[:.]?\s*")
# "Điện Biên, ngày 26 tháng 8 năm 2024"; day or month may be left blank for signing.
_PLACE_DATE = re.compile(
    r"^(?P<place>[^,\d]{2,40}?)\s*,\s*ngay\s*(?:(?P<d>\d{1,2})\s*(?:thang|/|-|\.)\s*(?P<m>\d{1,2})?"
    r"|thang\s*(?P<m2>\d{1,2})?)?\s*(?:thang\s*)?(?:nam|/|-|\.)?\s*(?P<y>(?:19|20)\d{2})?"
)
_SKIP = re.compile(r"^(dang cong san viet nam|doc lap|cong hoa xa hoi|[*\-_=.]+$)")
_ORG_START = re.compile(
    r"^(dang bo|dang uy|chi bo|ban |uy ban|tinh uy|thanh uy|huyen uy|quan uy|thi uy|dang doan|ban can su|"
    r"hoi dong|ubnd|cong doan|doan |so |cuc |tong cuc|bo )"
)
_ISSUER_IN_BODY = re.compile(
    r"(?:ban chap hanh|ban thuong vu|thuong truc)\s+((?:dang bo|dang uy|chi bo)[^,.;:]{0,70}?)\s+"
    r"(?:ban hanh|xay dung|de ra|thong qua)"
)
_TITLE_STOP = re.compile(r"^(can cu|thuc hien|[ivxl]{1,4}\s*[.\-)]|[-=_*]{3,})")


@dataclass
class Header:
    number: str | None = None
    date: str | None = None
    place: str | None = None
    issuer: str | None = None
    title: str | None = None
    kind: str | None = None
    body_start: int = 0


def _raw_lines(doc: Source) -> list[tuple[int, int]]:
    out, pos = [], 0
    for raw in doc.src.split("\n"):
        out.append((pos, pos + len(raw)))
        pos += len(raw) + 1
    return out


def _caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def parse_header(doc: Source) -> Header:
    h = Header()
    lines = [(s, e) for s, e in _raw_lines(doc)]
    nonblank = [(i, s, e) for i, (s, e) in enumerate(lines) if doc.low[s:e].strip()]
    heading_idx = None
    for i, s, e in nonblank[:45]:
        text = doc.low[s:e].strip()
        m = _KIND_HEADING.match(text)
        src = doc.src[s:e].replace("*", "").strip()
        if m and _caps(src[: m.end()]):
            heading_idx = i
            h.kind = squeeze(src[: m.end()]).capitalize()
            rest = squeeze(src[m.end():])
            h.title = _title(doc, lines, i, rest)
            break
    zone = [x for x in nonblank if heading_idx is None or x[0] < heading_idx][:25]
    orgs: list[str] = []
    for _i, s, e in zone:
        # PDF text may put both header columns on one line: "Số 27-KH/ĐU   Phú An, ngày ...".
        cut = doc.low.find("dang cong san viet nam", s, e)
        segments = [(s, e)] if cut < 0 else [(s, cut), (cut + len("dang cong san viet nam"), e)]
        for a, b in segments:
            _header_segment(doc, h, orgs, a, b)
    if orgs:
        h.issuer = orgs[-1]
    else:
        m = _ISSUER_IN_BODY.search(doc.low)
        if m:
            h.issuer = squeeze(doc.src[m.start(1): m.end(1)])
    if heading_idx is not None:
        h.body_start = lines[heading_idx][0]
    return h


def _header_segment(doc: Source, h: Header, orgs: list[str], s: int, e: int) -> None:
    """One header line (or column of it): the number, the place and date, or an issuer line."""
    while s < e and doc.low[s] == " ":
        s += 1
    low = doc.low[s:e].rstrip()
    if not low:
        return
    number_m = _NUMBER_LINE.match(low) if low.startswith("so") else None
    if number_m:
        m = _number_match(doc, s + number_m.end(), e)
        h.number = _format(doc, m) if m else None
        if m and "ngay" in doc.low[m.end(): e]:
            _header_segment(doc, h, orgs, m.end(), e)
        return
    pd = _PLACE_DATE.match(low)
    if pd and "ngay" in low:
        h.place = squeeze(doc.src[s: s + len(pd.group("place"))].replace("*", "")) or None
        if pd.group("d") and pd.group("m") and pd.group("y"):
            h.date = dates.iso(dates.make(pd.group("y"), pd.group("m"), pd.group("d")))
        return
    src = squeeze(doc.src[s:e])
    if _SKIP.match(low) or not _caps(src):
        return
    if orgs and not _ORG_START.match(low):
        orgs[-1] += " " + src
    else:
        orgs.append(src)


def _number_match(doc: Source, start: int, end: int) -> re.Match | None:
    return PARTY_NUMBER.match(doc.low, start, end) or STATE_NUMBER.match(doc.low, start, end)


def _format(doc: Source, m: re.Match) -> str:
    return party_number(doc, m) if m.re is PARTY_NUMBER else state_number(doc, m)


def _title(doc: Source, lines: list[tuple[int, int]], idx: int, rest: str) -> str | None:
    """The line(s) after KẾ HOẠCH up to the first blank line or the start of the body."""
    parts = [rest] if rest else []
    j = idx + 1
    while j < len(lines) and not doc.low[lines[j][0]: lines[j][1]].strip() and not parts:
        j += 1
    while j < len(lines):
        s, e = lines[j]
        low = doc.low[s:e].strip()
        if not low or (parts and _TITLE_STOP.match(low)) or re.match(r"^[-=_*. ]{3,}$", doc.src[s:e].strip()):
            break
        parts.append(squeeze(doc.src[s:e]))
        j += 1
        if sum(len(p) for p in parts) > 400:
            break
    title = squeeze(" ".join(parts))
    return title or None
