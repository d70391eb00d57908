"""Paragraphs and the heading tree of a plan (I. / 1. / 1.1. / (1) / a) / - / + / table rows).

Line wraps and page breaks split sentences in OCR and PDF text; paragraphs are rebuilt by
joining a line to the previous one when the previous one does not end a sentence and the
new one does not open an item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from dangvu.core.planparse.normalize import Source

_ROMAN_VALUES = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_ROMAN_BY_VALUE = {v: k.upper() for k, v in _ROMAN_VALUES.items()}

# OCR reads the I of a numeral as l, L, 1 or | ("IL. MUC TIEU", "1I.", "Ill."): tolerated when the
# token still holds a real numeral letter.
_ROMAN = re.compile(r"([ivxl1|]{1,4})\s{0,2}[.\-)/:]\s*(?=\S)")
_ROMAN_BARE = re.compile(r"(I{1,3}|IV|VI{0,3}|IX|X)\s{1,2}(?=[^\W\d_])")
_ROMAN_OCR = str.maketrans({"l": "I", "L": "I", "1": "I", "|": "I"})
_ARABIC = re.compile(r"(\d{1,2}(?:\.\d{1,2}){0,3})(\.|\))?(\s*)")
_LETTER = re.compile(r"([a-h])\s{0,2}(?:\)\s*|\.\s+(?=\S))")
_PAREN = re.compile(r"\((\d{1,2}|[a-h])\)\s*")
# "PHẦN THỨ NHẤT: KẾT QUẢ ...", "PHẦN II. PHƯƠNG HƯỚNG": parts above the roman numerals.
_PART = re.compile(r"phan\s{1,2}(?:thu\s{1,2})?(nhat|hai|ba|tu|i{1,3}|iv|[1-4])\b\s{0,2}[.:\-]?\s*")
_PART_VALUES = {"nhat": 1, "hai": 2, "ba": 3, "tu": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4}
# "A. KẾT QUẢ ...", "B- PHƯƠNG HƯỚNG, NHIỆM VỤ": capital-letter parts above the roman numerals.
_LETTER_PART = re.compile(r"([a-e])\s{0,2}[.\-/)]\s*(?=\S)")
# "1/ Đổi mới ...": a slash after an item number (not a date: a letter follows).
_SLASH_ITEM = re.compile(r"(\d{1,2})/\s{1,3}(?=[^\W\d])")
# A table row printed without its outer pipes: "1 | Nội dung | Chủ trì | Thời gian".
_BARE_ROW = re.compile(r"^[^|\n]{0,12}\|[^|\n]*\|")
_BULLETS = re.compile(r"(?:[-+•·▪○●◦➢✓]\s*)+")
# "| 2 | ...": the next numbered row of a table, never the rest of a wrapped one.
_NEW_ROW = re.compile(r"\|\s{0,2}\d{1,3}\s{0,2}\|")
_END_SENTENCE = re.compile(r"[.:;!?]\s*$")
# A line ending in a word that cannot end a heading or sentence: the phrase goes on below.
_OPEN_END = re.compile(r"(?:[\-,(/]|\b(?:dat|tu|den|va|cua|trong|thang|ngay|nam|so|la|voi|cho|tai|tren|duoi|hon|"
                       r"it nhat|toi thieu|cac|nhung|moi|hang|duoc|co|ve|theo|hoac|voi|quy))\s*$")
_CLOSING = re.compile(r"(noi nhan|tren day la|ke hoach nay duoc pho bien)")

# Which part of the plan a top-level heading opens (matched on folded text).
_CATEGORY_WORDS = {
    "goals": ("muc tieu", "chi tieu", "phuong huong"),
    "tasks": ("nhiem vu", "giai phap", "noi dung", "trien khai", "tien do", "to chuc thuc hien", "kiem tra",
              "giam sat",
              "thoi gian", "lo trinh", "phan cong", "hoat dong", "phuong huong", "lich trinh",
              "ke hoach", "chuong trinh"),
    "purpose": ("muc dich", "yeu cau", "quan diem", "can cu"),
    "results": ("ket qua", "tinh hinh", "uu diem", "han che", "nguyen nhan", "bai hoc", "thuc trang",
                "khuyet diem"),
}


@dataclass
class Para:
    """One logical paragraph: ``start``..``end`` in the source, item marker if any."""

    start: int
    end: int
    kind: str = "plain"      # roman, a1..a4, letter, paren, bullet-, bullet+, row, plain
    num: str = ""            # the printed number: "III", "2.1", "a", "(1)"
    body: int = 0            # where the text after the marker starts

    def __post_init__(self) -> None:
        self.body = self.body or self.start


@dataclass
class Node:
    """A heading or item with its own paragraphs and its sub-items."""

    para: Para | None
    kind: str = "root"
    num: str = ""
    id: str = ""
    parent: Node | None = None
    body: list[Para] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    categories: frozenset[str] = frozenset()

    @property
    def paras(self) -> list[Para]:
        return ([self.para] if self.para else []) + self.body

    def walk(self):
        for child in self.children:
            yield child
            yield from child.walk()

    def ancestors(self):
        node = self.parent
        while node is not None and node.kind != "root":
            yield node
            node = node.parent


def _lines(doc: Source) -> list[tuple[int, int]]:
    """Content spans of the lines (stars, hashes and spaces trimmed); (-1, -1) for blank."""
    out = []
    pos = 0
    for raw in doc.low.split("\n"):
        s, e = pos, pos + len(raw)
        while s < e and doc.low[s] == " ":
            s += 1
        while e > s and doc.low[e - 1] == " ":
            e -= 1
        out.append((s, e) if e > s else (-1, -1))
        pos += len(raw) + 1
    return out


def _all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def classify(doc: Source, start: int, end: int, no_roman: bool = False) -> Para:
    """The item marker at the start of a paragraph span: the first marker reader that knows it."""
    span = _Span(doc.low[start:end], doc.src[start:end], start, end, no_roman)
    for reader in _MARKER_READERS:
        if para := reader(span):
            return para
    return Para(start, end)


class _Span(NamedTuple):
    low: str
    src: str
    start: int
    end: int
    no_roman: bool

    def para(self, kind: str, label: str, body: int) -> Para:
        return Para(self.start, self.end, kind, label, self.start + body)


def _row_marker(t: _Span) -> Para | None:
    if t.low.startswith("|") or _BARE_ROW.match(t.low):
        return t.para("row", "", 0)
    return None


def _part_marker(t: _Span) -> Para | None:
    low, src = t.low, t.src
    m = _PART.match(low)
    if m and (_all_caps(src[: m.end()]) or (src[0].isupper() and (_all_caps(src[m.end():])
                                                                   or not src[m.end():].strip()))):
        return t.para("part", "P" + str(_PART_VALUES.get(m.group(1), m.group(1))), m.end())
    m = _LETTER_PART.match(low)
    if m and src[0].isupper() and _all_caps(src[m.end():]):
        return t.para("part", "P" + str(ord(m.group(1)) - ord("a") + 1), m.end())
    return None


def _bullet_marker(t: _Span) -> Para | None:
    m = _BULLETS.match(t.low)
    if m and not t.low[:2].startswith("--"):
        mark = t.low[m.end() - 1] if t.low[m.end() - 1] != " " else m.group().strip()[-1]
        return t.para("bullet+" if mark == "+" else "bullet-", "", m.end())
    return None


def _roman_marker(t: _Span) -> Para | None:
    low, src = t.low, t.src
    m = _ROMAN.match(low)
    if m and re.match(r"[ivxl1|]{1,4}\s{0,2}/\s{0,2}\d", low):
        m = None  # "III/2026.": a quarter wrapped onto its own line, not a heading
    if m and any(c in "ivx" for c in m.group(1)):
        token = src[: len(m.group(1))]
        rest = src[m.end():]
        ocr = not set(token) <= set("IVXl")
        is_roman = set(token) <= set("IVXLl1|") and (any(c in "IVX" for c in token) or _all_caps(rest)) \
            and (not ocr or _all_caps(rest))
        value = _ROMAN_VALUES.get(token.translate(_ROMAN_OCR).lower())
        if is_roman and value:
            return t.para("roman", _ROMAN_BY_VALUE[value], m.end())
    m = _ROMAN_BARE.match(src)
    if m and _all_caps(src[m.end():]) and len(src[m.end():].strip()) >= 4:
        # "II MỤC TIÊU ĐẾN NĂM 2030": the full stop lost in a scan.
        value = _ROMAN_VALUES.get(m.group(1).lower())
        if value:
            return t.para("roman", _ROMAN_BY_VALUE[value], m.end())
    return None


def _arabic_marker(t: _Span) -> Para | None:
    low = t.low
    m = _ARABIC.match(low)
    if not m:
        return None
    num, term, space = m.groups()
    after = low[m.end(): m.end() + 1]
    ok = (term or "." in num) and after and not (after.isdigit() and not space) and after not in "%/,"
    if not ok and "." in num and re.match(r",\s+[^\W\d]", low[m.end():]):
        ok, m = True, re.match(r"(\d{1,2}(?:\.\d{1,2}){1,3}),\s*", low)  # "3.4, Xem xét": OCR's comma
    if not ok:
        return None
    depth = num.count(".") + 1
    if depth == 1 and t.no_roman and _all_caps(t.src[m.end():]):
        return t.para("roman", num, m.end())
    return t.para(f"a{depth}", num, m.end())


def _small_marker(t: _Span) -> Para | None:
    """"1/", "a)", "(1)": the lowest item levels."""
    if m := _SLASH_ITEM.match(t.low):
        return t.para("a1", m.group(1), m.end())
    m = _LETTER.match(t.low)
    if m and t.src[0].islower():
        return t.para("letter", t.src[0], m.end())
    if m := _PAREN.match(t.low):
        return t.para("paren", f"({m.group(1)})", m.end())
    return None


# In this order: a table row before anything, a part ("Phần I") before a Roman heading, a bullet
# before numbers, Roman before Arabic ("I." is a heading, "1." an item).
_MARKER_READERS = (_row_marker, _part_marker, _bullet_marker, _roman_marker, _arabic_marker, _small_marker)


def paragraphs(doc: Source, start: int = 0) -> list[Para]:
    """Logical paragraphs from ``start`` on, wrapped lines joined back together."""
    spans = [(s, e) for s, e in _lines(doc)]
    no_roman = not any(
        s >= 0 and classify(doc, s, e).kind == "roman" and not doc.low[s:e][:1].isdigit() for s, e in spans
    )
    out: list[Para] = []
    blank = 0
    for s, e in spans:
        if s < 0:
            blank += 1
            continue
        if s < start:
            continue
        para = classify(doc, s, e, no_roman)
        if out and out[-1].kind == "part" and out[-1].body >= out[-1].end and para.kind == "plain" \
                and _all_caps(doc.src[s:e]):
            out[-1].end, out[-1].body = e, s  # "Phần I" / "ĐÁNH GIÁ KẾT QUẢ ...": one heading
        elif out and out[-1].kind == "row" and not blank and doc.low[out[-1].start] == "|" \
                and not doc.low[out[-1].start: out[-1].end].endswith("|") \
                and para.kind in ("plain", "row") and not _NEW_ROW.match(doc.low, s, e):
            out[-1].end = e  # a table row wrapped onto the next line: "| 5 | ... | Quý" / "III/2025 |"
        elif out and para.kind == "plain" and _continues(doc, out[-1], s, e, blank):
            out[-1].end = e
        else:
            out.append(para)
        blank = 0
    return out


def _continues(doc: Source, prev: Para, s: int, e: int, blank: int) -> bool:
    prev_low = doc.low[prev.start: prev.end]
    if prev.kind == "row":
        # A table cell wrapped onto the next line ("| Trước" / "ngày 19/5/2025", "| Quý" / "III/2025 |").
        return not blank and doc.src[s].islower()
    if _END_SENTENCE.search(prev_low) or blank > 2:
        return False
    # Only the end of the paragraph matters (a long one would be scanned line after line), and only
    # a figure or a quarter may follow: "mới", "Nam", "cơ sở" fold like "mỗi", "năm", "số".
    if blank <= 1 and _OPEN_END.search(prev_low[-24:]) and re.match(r"\d|[ivxl]{1,4}/\d", doc.low[s:e]):
        return True  # "đạt 3 -" / "4% so với ...", "trong tháng" / "6/2026": a phrase broken by the wrap
    first = doc.src[s]
    if first.isalpha() and first.islower():
        return True
    prev_src = doc.src[prev.start: prev.end]
    if _all_caps(prev_src) or _all_caps(doc.src[s:e]):
        return False
    heading = prev.kind not in ("plain", "bullet-", "bullet+") and len(prev_src) < 130
    if heading:
        return False
    # A wrapped line is long; a short line without a full stop is a heading or a label.
    return len(prev_src) >= 60 if blank else len(prev_src.splitlines()[-1]) >= 50


def _is_label(doc: Source, para: Para) -> bool:
    """A short line ending in ':' that groups the items below it ("Đảng ủy Khối:")."""
    text = doc.low[para.body: para.end].strip()
    return text.endswith(":") and len(text) <= 60


def categories_of(low_heading: str) -> frozenset[str]:
    """Parts a heading opens. "KẾT QUẢ THỰC HIỆN NHIỆM VỤ" is results: the first word decides
    for results; otherwise every part named counts ("PHƯƠNG HƯỚNG, NHIỆM VỤ": goals and tasks)."""
    first: dict[str, int] = {}
    for cat, words in _CATEGORY_WORDS.items():
        at = [low_heading.find(w) for w in words if w in low_heading]
        if at:
            first[cat] = min(at)
    if not first:
        return frozenset()
    if min(first, key=first.get) == "results":
        # "KẾT QUẢ NĂM 2025 VÀ CHỈ TIÊU NĂM 2026": results, with goals in a part below it.
        return frozenset({"results", "goals_below"}) if "goals" in first else frozenset({"results"})
    found = set(first) - {"results"}
    if "goals" in found and "purpose" in found:
        found.discard("purpose")
    return frozenset(found)


def _opens_with_category(low_heading: str) -> bool:
    text = low_heading.strip(" .:-")
    return any(text.startswith(w) for words in _CATEGORY_WORDS.values() for w in words)


def build_tree(doc: Source, paras: list[Para]) -> Node:
    """The heading tree. Plain paragraphs belong to the nearest heading above them."""
    root = Node(None)
    stack: list[Node] = [root]
    seen_roman: list[str] = []
    for para in paras:
        low = doc.low[para.start: para.end]
        if _CLOSING.match(low):
            break
        kind = para.kind
        if kind == "bullet-" and _is_label(doc, para):
            kind = "label-"
        if kind == "plain" and _is_label(doc, para) and len(stack) > 1:
            kind = "label"
        if kind == "plain":
            while len(stack) > 1 and stack[-1].kind in ("bullet-", "bullet+", "row"):
                stack.pop()
            stack[-1].body.append(para)
            continue
        num = para.num
        if kind == "part":
            seen_roman.clear()  # roman numerals restart inside each part
            del stack[1:]
        elif kind == "roman":
            if num in seen_roman and seen_roman:
                # A repeated numeral ("III." twice) is a typing slip: take the next one.
                prev = _ROMAN_VALUES.get(seen_roman[-1].lower(), 0)
                num = _ROMAN_BY_VALUE.get(prev + 1, num)
            seen_roman.append(num)
            del stack[2 if len(stack) > 1 and stack[1].kind == "part" else 1:]
        else:
            _pop_to(stack, kind)
        node = Node(para, kind, num, parent=stack[-1])
        stack[-1].children.append(node)
        stack.append(node)
    _assign(doc, root)
    return root


_RANK = {"part": -1, "roman": 0, "a1": 1, "a2": 2, "a3": 3, "a4": 4}
# A dash label ("- Đảng ủy Khối:") is a sibling of dash items; so are plain labels.
_SAME = {"label-": "bullet-"}


def _pop_to(stack: list[Node], kind: str) -> None:
    """Leave on the stack only the parents a new item of ``kind`` can sit under."""
    kinds = [_SAME.get(n.kind, n.kind) for n in stack]
    kind = _SAME.get(kind, kind)
    if kind in kinds:
        del stack[kinds.index(kind):]
        return
    if kind in _RANK:
        # "2." after "1.1." closes "1.1."; numbered levels nest by their depth.
        while len(stack) > 1 and (stack[-1].kind not in _RANK or _RANK[stack[-1].kind] >= _RANK[kind]):
            stack.pop()


def _assign(doc: Source, root: Node) -> None:
    """Ids ("III.2.1", "III.2.1-3" for the 3rd unnumbered item) and section categories."""
    work_seen = False
    for node in root.walk():
        parent = node.parent
        assert parent is not None
        pid = parent.id
        if node.kind == "part":
            node.id = node.num
        elif node.kind == "roman":
            node.id = f"{pid}.{node.num}" if pid else node.num
        elif node.kind in _RANK:
            local = node.num.split(".")[-1] if parent.kind in _RANK and parent.kind != "roman" else node.num
            node.id = f"{pid}.{local}" if pid else node.num
        elif node.kind in ("letter", "paren"):
            node.id = f"{pid}.{node.num}" if pid else node.num
        else:
            count = sum(1 for c in parent.children[: parent.children.index(node) + 1]
                        if c.kind not in _RANK and c.kind not in ("letter", "paren", "roman"))
            node.id = f"{pid}-{count}" if pid else str(count)
        heading = doc.low[node.para.body: node.para.end] if node.para else ""
        # Only a short title is a heading; "4. Hằng năm có 90% ... hoàn thành tốt nhiệm vụ" is an item.
        titled = node.kind in _RANK or node.kind in ("letter", "paren")
        own = categories_of(heading) if titled and len(heading) <= 90 and "%" not in heading else frozenset()
        if node.kind in ("roman", "part"):
            # Inside "PHẦN THỨ NHẤT: KẾT QUẢ ..." everything is a result, whatever its heading says.
            results = parent.categories == {"results"}
            node.categories = parent.categories if results else categories_of(heading[:120]) or parent.categories
            if not node.categories and work_seen and node.kind == "roman":
                node.categories = frozenset({"tasks"})  # a part after the goals and tasks: more work
            work_seen = work_seen or bool(node.categories & {"goals", "tasks"})
        elif "goals" in own and "goals_below" in parent.categories:
            node.categories = (parent.categories - {"results", "goals_below"}) | {"goals"}
        elif "goals" in own:
            # "2. Chỉ tiêu" inside "II. PHƯƠNG HƯỚNG": goals for this part of the tree.
            node.categories = parent.categories | {"goals"}
        elif own & {"tasks", "purpose", "results"} and not (
                "goals" in parent.categories and not _opens_with_category(heading)):
            # "2. Nhiệm vụ, giải pháp" next to it: tasks, not goals. Under goals, only a heading
            # that opens with such a word switches ("3. Về lãnh đạo nhiệm vụ sản xuất" stays goals).
            node.categories = (parent.categories - {"goals"}) | own
        else:
            node.categories = parent.categories
