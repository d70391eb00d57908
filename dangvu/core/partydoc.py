"""Rules of the party-document layout that depend on words, not on Word: the place on the
"place, date" line and the signer's capacity lines. Source: Hướng dẫn số 36-HD/VPTW, ngày
03/4/2018 của Văn phòng Trung ương Đảng về thể thức và kỹ thuật trình bày văn bản của Đảng."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

# Administrative units a party organization is named after ("Đảng bộ xã Hòa Bình"); the longer
# words first so "thị trấn" is not read as "thị".
_UNITS = ("thành phố", "thị trấn", "thị xã", "phường", "huyện", "quận", "tỉnh", "xã", "đặc khu")
_LOCAL_ORG = re.compile(r"^\s*Đảng (?:bộ|ủy)\s+(" + "|".join(_UNITS) + r")\s+(.+?)\s*$", re.I)
_NUMBERED = re.compile(r"^\d+[A-Za-z]?$")


def locality_in_name(name: str) -> str:
    """The administrative unit a territorial party organization is named after, as the place of its
    documents: "Đảng bộ xã Hòa Bình" → "Hòa Bình", "Đảng bộ phường 5" → "Phường 5" (a number alone
    is no place name). Blank for an organization not named after a locality (a cell, an agency).

    Hướng dẫn 36-HD/VPTW, mục "Địa danh và ngày, tháng, năm ban hành văn bản": the place is the
    official name of the administrative unit where the issuing body has its seat."""
    m = _LOCAL_ORG.match(name or "")
    if not m:
        return ""
    unit, place = m.group(1), m.group(2)
    return f"{unit.capitalize()} {place}" if _NUMBERED.match(place) else place


def locality_unit(name: str) -> str:
    """The kind of administrative unit a territorial party organization is named after, lower
    case: "Đảng bộ xã Hòa Bình" → "xã", "Đảng bộ phường 5" → "phường"; blank when it is named after
    none (a cell, an agency). Used to tell a commune or ward grassroots organization (fees)."""
    m = _LOCAL_ORG.match(name or "")
    return m.group(1).lower() if m else ""


def issuing_place(names_upward: Iterable[str]) -> str:
    """The place of an organization's documents from its name and its ancestors' names, nearest
    first: a cell or an agency's committee takes the locality of the nearest organization above it
    that is named after one (a village cell writes its commune's name). Blank when none is: the
    signer writes it by hand rather than the document carrying another locality's name.

    Hướng dẫn 36-HD/VPTW: the place is where the issuing body has its seat."""
    for name in names_upward:
        place = locality_in_name(name)
        if place:
            return place
    return ""


def date_line(place: str, on: dt.date | None) -> str:
    """"Hòa Bình, ngày 10 tháng 05 năm 2027"; without a date the day is left for the signer."""
    when = f"ngày {on.day:02d} tháng {on.month:02d} năm {on.year}" if on else "ngày    tháng    năm"
    return f"{place or '……'}, {when}"


_LOCAL_COMMITTEES = {"tỉnh": "Tỉnh ủy", "thành phố": "Thành ủy", "huyện": "Huyện ủy", "quận": "Quận ủy",
                     "thị xã": "Thị ủy"}
_LOCAL_COMMITTEE = re.compile(r"Đảng bộ (tỉnh|thành phố|huyện|quận|thị xã) ", re.I)
# The issuer's abbreviation after the slash of a document's number ("Số 12-BC/ĐU").
_ABBREVIATIONS = (("Chi bộ", "CB"), ("Ban kiểm phiếu", "BKP"), ("Đảng ủy", "ĐU"), ("Tỉnh ủy", "TU"),
                  ("Thành ủy", "TU"), ("Huyện ủy", "HU"), ("Quận ủy", "QU"), ("Thị ủy", "TU"))


def committee_name(name: str, is_cell: bool) -> str:
    """The body that issues for a party organization: its committee ("Đảng bộ xã X" → "Đảng ủy xã
    X", "Đảng bộ tỉnh X" → "Tỉnh ủy X"); a cell issues itself.

    Hướng dẫn 36-HD/VPTW, mục "Tên cơ quan ban hành văn bản": the issuing committee under the
    upper organization."""
    if is_cell:
        return name
    m = _LOCAL_COMMITTEE.match(name)
    if m:
        return f"{_LOCAL_COMMITTEES[m.group(1).lower()]} {name[m.end():]}"
    return re.sub(r"^Đảng bộ\b", "Đảng ủy", name)


def number_line(kind: str, issuer: str) -> str:
    """"Số      -BC/ĐU": the number is written when the document is signed; ``kind`` is the
    document type's abbreviation (BC báo cáo, BB biên bản), the suffix the issuer's.

    Hướng dẫn 36-HD/VPTW, mục "Số và ký hiệu văn bản"."""
    suffix = next((abbr for prefix, abbr in _ABBREVIATIONS if issuer.lower().startswith(prefix.lower())), "ĐU")
    return f"Số      -{kind}/{suffix}"


# Post roles (registry.PostRole values) that may sign a document in the committee's name.
SIGNING_ROLES = ("secretary", "deputy")


def signer_capacity(role: str, is_cell: bool) -> str:
    """The lines above a signature: the secretary signs "T/M" (on behalf of) the committee or cell;
    a deputy signs "K/T BÍ THƯ" (for the secretary) under it.

    Hướng dẫn 36-HD/VPTW, mục "Thể thức đề ký": T/M for the collective, K/T for a deputy."""
    collective = "T/M CHI BỘ" if is_cell else "T/M ĐẢNG ỦY"
    if role == "deputy":
        return f"{collective}\nK/T BÍ THƯ\nPHÓ BÍ THƯ"
    return f"{collective}\nBÍ THƯ"
