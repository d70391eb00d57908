"""Document numbers ("21-NQ/TW", "123/QĐ-UBND") and the documents a plan cites."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dangvu.core.planparse import dates
from dangvu.core.planparse.normalize import Source, fold

# Party style: number - kind code / issuer ("56- CTr/TU", "133 - KH/DUK", "01-KH/ĐU-UBKT").
# OCR may glue the number to "số" ("số21-NQ/TW"): that one letter pair may precede it.
PARTY_NUMBER = re.compile(
    r"(?:(?<![\w/.,])|(?<=so))(\d{1,4})\s{0,2}-\s{0,2}([a-z]{1,5})\s{0,2}/\s{0,2}([a-z][a-z0-9]{0,9}(?:-[a-z0-9]{1,10})?)(?![\w])"
)
# State style: number [/ year] / kind code - issuer ("45/KH-UBND", "15/2023/NĐ-CP").
STATE_NUMBER = re.compile(
    r"(?:(?<![\w/.,])|(?<=so))(\d{1,5})(?:\s?/\s?((?:19|20)\d{2}))?\s?/\s?([a-z]{1,5})-([a-z][a-z0-9]{0,11}(?:-[a-z0-9]{1,10})?)(?![\w])"
)

# A law: number / year / QH + legislature ("Luật ... số 10/2022/QH15").
LAW_NUMBER = re.compile(r"(?<![\w/.,])(\d{1,3})\s?/\s?((?:19|20)\d{2})\s?/\s?(qh\d{1,2})(?![\w])")

# Folded kind words → display name, longest first so "thong bao ket luan" beats "thong bao".
KINDS = {
    "chuong trinh hanh dong": "Chương trình", "chuong trinh": "Chương trình",
    "nghi quyet": "Nghị quyết", "chi thi": "Chỉ thị", "ket luan": "Kết luận",
    "ke hoach": "Kế hoạch", "quy dinh": "Quy định", "quyet dinh": "Quyết định",
    "huong dan": "Hướng dẫn", "thong bao ket luan": "Thông báo", "thong bao": "Thông báo",
    "cong van": "Công văn", "bao cao": "Báo cáo", "de an": "Đề án", "quy che": "Quy chế",
    "to trinh": "Tờ trình", "thong tri": "Thông tri", "nghi dinh": "Nghị định",
    "thong tu": "Thông tư", "van ban": "Văn bản", "luat": "Luật", "dieu le": "Điều lệ",
}
# Kind code inside the number → kind, when no kind word stands before the number.
CODES = {
    "nq": "Nghị quyết", "ct": "Chỉ thị", "kl": "Kết luận", "kh": "Kế hoạch", "ctr": "Chương trình",
    "qd": "Quy định", "hd": "Hướng dẫn", "tb": "Thông báo", "cv": "Công văn", "bc": "Báo cáo",
    "da": "Đề án", "qc": "Quy chế", "tt": "Tờ trình", "ttr": "Tờ trình", "nd": "Nghị định",
}
_KIND_BEFORE = re.compile(
    r"(" + "|".join(sorted(KINDS, key=len, reverse=True)) + r")\s{0,3}(?:so\s{0,2})?[:.]?\s{0,3}$"
)
# "Chỉ thị số 35-CT/TW của Bộ Chính trị ngày 14/6/2024": the date after the issuer.
_DATE_AFTER_ISSUER = re.compile(
    r"\s{0,3},?\s{0,2}cua\s[^\d,;.()]{2,60}?,?\s{0,2}ngay\s{0,3}(?:" + dates.DMY + "|" + dates.LONG + ")"
)
# "Nghị quyết số 21-NQ/TW (khóa XIII), ngày 16/6/2022": a short parenthesis may come first.
_DATE_AFTER = re.compile(
    r"(?:\s{0,3}\([^()\n]{1,30}\))?\s{0,3}[,;(]?\s{0,3}(?:(?:ban hanh|ky)\s{1,3})?(?:ngay\s{0,3})?(?:" + dates.DMY + "|" + dates.LONG + ")"
)
# Party issuer codes printed with Đ: "ĐU", "ĐUK", "ĐUQ"; kind codes "QĐ", "ĐA", "NĐ". OCR reads
# that Đ as D, P or B ("QP/TW", "26-KH/PU"): no party code has a P or B in those places.
D_ISSUER = re.compile(r"^[DPB](?=U[A-Z]{0,3}$)")
D_KIND = {"QD": "QĐ", "QP": "QĐ", "QB": "QĐ", "DA": "ĐA", "ND": "NĐ", "NP": "NĐ"}
# "Nghị quyết số 18, 19-NQ/TW", "số 18 và 19-NQ/TW": numbers listed before the one printed in full.
_LISTED_BEFORE = re.compile(r"(?:(?<=[\s(])|^)((?:\d{1,4}\s{0,2}(?:,|va|;)\s{0,2})+)$")


@dataclass
class NumberMatch:
    start: int
    end: int
    number: str
    key: str
    state: bool
    full: NumberMatch | None = None   # for "18" in "18, 19-NQ/TW": the number printed in full


def _letters(src: str) -> str:
    # Tesseract sometimes prints Đ twice ("QĐÐ/TW"): one letter was meant.
    return re.sub(r"Đ{2,}", "Đ", "".join(src.split()).replace("Ð", "Đ").replace("ð", "đ"))


def party_number(doc: Source, m: re.Match) -> str:
    """Printed number normalised: digits repaired, spaces dropped, Đ restored in codes."""
    digits = m.group(1)  # from the folded copy: OCR look-alikes already repaired
    kind = _letters(doc.src[m.start(2): m.end(2)])
    issuer = _letters(doc.src[m.start(3): m.end(3)])
    kind = D_KIND.get(kind, kind) if kind.isupper() else kind
    issuer = D_ISSUER.sub("Đ", issuer)
    return f"{digits}-{kind}/{issuer}"


def state_number(doc: Source, m: re.Match) -> str:
    year = f"/{m.group(2)}" if m.group(2) else ""
    kind = _letters(doc.src[m.start(3): m.end(3)])
    kind = D_KIND.get(kind, kind) if kind.isupper() else kind
    issuer = _letters(doc.src[m.start(4): m.end(4)])
    return f"{m.group(1)}{year}/{kind}-{issuer}"


def key_of(number: str | None) -> str:
    """Comparable form of a number: no diacritics, no spaces, upper case."""
    return "".join(fold(number or "").split()).upper()


def find_numbers(doc: Source, start: int = 0, end: int | None = None) -> list[NumberMatch]:
    end = len(doc.low) if end is None else end
    found: list[NumberMatch] = []
    for m in PARTY_NUMBER.finditer(doc.low, start, end):
        num = party_number(doc, m)
        whole = NumberMatch(m.start(), m.end(), num, key_of(num), False)
        found.extend(_listed(doc, m, whole))
        found.append(whole)
    for m in LAW_NUMBER.finditer(doc.low, start, end):
        num = f"{m.group(1)}/{m.group(2)}/{m.group(3).upper()}"
        found.append(NumberMatch(m.start(), m.end(), num, key_of(num), True))
    for m in STATE_NUMBER.finditer(doc.low, start, end):
        if m.group(3) in ("ngay", "thang", "nam"):
            continue
        num = state_number(doc, m)
        found.append(NumberMatch(m.start(), m.end(), num, key_of(num), True))
    return sorted(found, key=lambda n: n.start)


def _listed(doc: Source, m: re.Match, whole: NumberMatch) -> list[NumberMatch]:
    """The numbers listed before a full one ("18, 19-NQ/TW" → 18-NQ/TW), sharing its code."""
    before = doc.low[max(0, m.start() - 30): m.start()]
    lm = _LISTED_BEFORE.search(before)
    if not lm or not re.search(r"(?:so|cac)\s{0,3}$", before[: lm.start()]):
        return []
    code = whole.number.split("-", 1)[1]
    at = m.start() - len(before) + lm.start()
    out = []
    for d in re.finditer(r"\d{1,4}", lm.group(1)):
        listed = f"{d.group()}-{code}"
        out.append(NumberMatch(at + d.start(), at + d.end(), listed, key_of(listed), False, whole))
    return out


def _kind(doc: Source, n: NumberMatch) -> tuple[str, int]:
    """Kind from the words just before the number, else from its code; and where it starts."""
    before = doc.low[max(0, n.start - 45): n.start]
    m = _KIND_BEFORE.search(before)
    if m:
        return KINDS[m.group(1)], n.start - len(before) + m.start()
    code = key_of(n.number)
    code = code.split("-")[1].split("/")[0] if not n.state else code.split("/")[-1].split("-")[0]
    kind = CODES.get(code.lower())
    if n.state and code == "QD":
        kind = "Quyết định"
    return kind or "Văn bản", n.start


def find_references(doc: Source, own_number: str | None) -> tuple[list[dict], list[tuple[int, int]]]:
    """Cited documents (deduplicated by number) and the spans they cover, dates included."""
    own = key_of(own_number) if own_number else None
    refs: dict[str, dict] = {}
    spans: list[tuple[int, int]] = []
    for n in find_numbers(doc):
        kind, kstart = _kind(doc, n)
        # A listed number takes its kind and date from the one printed in full after it.
        full = n.full or n
        if n.full:
            kind = _kind(doc, n.full)[0] if kind == "Văn bản" else kind
        m = _DATE_AFTER.match(doc.low, full.end) or _DATE_AFTER_ISSUER.match(doc.low, full.end)
        day = dates.from_match(m.groups()) if m else None
        spans.append((kstart, m.end() if m else n.end))
        if n.key == own:
            continue
        ref = refs.get(n.key)
        if ref is None:
            refs[n.key] = {"kind": kind, "number": n.number, "date": dates.iso(day)}
        elif ref["date"] is None and day:
            ref["date"] = dates.iso(day)
    return list(refs.values()), spans
