"""Targets: the quantities a plan commits to ("trên 90%", "từ 19 đảng viên trở lên", "3 - 4%").

Every percentage or counted quantity in the goals part of the plan is a target, one per
number; elsewhere only those in a sentence that commits ("phấn đấu", "chỉ tiêu"...). A
current figure ("hiện có 6/9, chiếm 66,66%") is the baseline of the target before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from dangvu.core.planparse.binding import bind
from dangvu.core.planparse.normalize import Source, squeeze
from dangvu.core.planparse.structure import Node, Para
from dangvu.core.planparse.tables import table_targets

_NUM = r"\d{1,3}(?:[.,]\d{1,3})?"
# Counted things a plan commits to (folded). Days, contents, documents, levels and ages are
# not here on purpose: "03 ngày", "04 nội dung", "02 văn bản", "2 cấp", "35 tuổi" are no targets.
_NOUNS = (
    r"(?:dong chi|dang vien(?: moi| du bi| chinh thuc)?|to chuc co so dang|to chuc dang|co so dang|chi bo|dang bo|"
    r"to dang|quan chung(?: uu tu)?|doan vien|hoi vien|hoc vien|hoc sinh|sinh vien|giao vien|can bo|"
    r"cap uy vien|bi thu|lop|lan|luot|buoi|cuoc|dot|nguoi|mo hinh|doanh nghiep|chuyen de|hoi nghi|hoi thi|"
    r"tin|bai|tac pham|de tai|sang kien|cong trinh|guong|dien hinh|tap the|ca nhan|thon|to dan pho|khu pho|"
    r"xa|phuong|thi tran|truong|ho(?! so)|gia dinh|co quan|don vi|cau lac bo|hop tac xa)"
)
_WORD_NUMBERS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10}
_QUANTITY = re.compile(
    rf"(?P<pa>{_NUM})\s{{0,2}}%?\s{{0,2}}(?:-|den|toi)\s{{0,2}}(?P<pb>{_NUM})\s{{0,2}}%"
    rf"|(?P<p>{_NUM})\s{{0,2}}%"
    rf"|(?P<ca>\d{{1,5}})\s{{0,2}}(?:-|den|toi)\s{{0,2}}(?P<cb>\d{{1,5}})\s{{1,3}}(?P<cn1>{_NOUNS})\b"
    rf"|(?:(?:it nhat|toi thieu|khong it hon)\s{{1,3}}(?P<w>mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi)"
    rf"|(?<![a-z])(?P<w2>hai|ba|bon|sau|bay|tam|chin|muoi)(?=\s{{1,3}}(?:chi bo|dang vien|quan chung|to chuc|lop|"
    rf"doan vien|dang bo|mo hinh|thon|ban\b)))"
    rf"\s{{1,3}}(?P<cn2>{_NOUNS})\b"
    rf"|(?P<c>\d{{1,3}}(?:\.\d{{3}})?)\s{{1,3}}(?P<cn3>{_NOUNS})\b"
)
# A number right after these words is a date, a term, a section or an order, not a quantity.
_NOT_QUANTITY_BEFORE = re.compile(
    r"(?:^|[\s(])(?:nam|giai doan|nhiem ky|khoa|lan thu|thu|so|ngay|thang|quy|dieu|khoan)\s{0,2}$|[/\-.]\s{0,2}$"
)
_GE_BEFORE = re.compile(r"(?:(?:^|\s)tu|it nhat(?: la)?|toi thieu(?: la)?|khong duoi|khong it hon)\s{0,2}$")
_GT_BEFORE = re.compile(r"(?:tren|hon|vuot)\s{0,2}$")
_LT_BEFORE = re.compile(r"(?:duoi|it hon|xuong\s{1,2}(?!den\b)d[a-z]{1,3})\s{0,2}$")  # OCR: "xuống đại/dui 5%"
_LE_BEFORE = re.compile(r"(?:khong qua|toi da|khong vuot qua|khong vuot|khong cao hon|vuot qua|xuong con)\s{0,2}$")
# "trở lên" as OCR also prints it: "tro lên", "tr& lên", "tr lên".
_TRO = r"tr\S{0,2}\s{1,2}"
_GE_AFTER = re.compile(rf"\s{{0,3}}(?:moi\s{{1,2}})?{_TRO}len\b")
_LE_AFTER = re.compile(rf"\s{{0,3}}{_TRO}xuong\b")
_PERIOD_SUFFIX = re.compile(rf"\s{{0,3}}(?:{_TRO}(?:len|xuong))?\s{{0,2}}/\s{{0,2}}(nam|nhiem ky|quy)")
# "02 buổi/ngày", "3 lượt/tuần": a rate of a schedule, not a goal.
_RATE_SUFFIX = re.compile(r"\s{0,2}/\s{0,2}(?:ngay|tuan|buoi|lop|nguoi|gio)\b")
# "Nghị quyết Đại hội ... đề ra mục tiêu ...": a higher-level goal quoted outside the goals part.
_QUOTED = re.compile(
    r"(?:nghi quyet|chi thi|ket luan|chuong trinh|ke hoach|de an|quy dinh|cap tren|trung uong|tinh uy|huyen uy)"
    r"[^.;]{0,90}?\b(?:de ra|da de ra|xac dinh|neu ro|giao chi tieu|yeu cau)\b"
)
# "so với năm 2025", "so với cuối năm 2023": a base year, not the year a goal is due.
_BASE_YEAR = re.compile(r"so voi\s{1,3}(?:(?:cuoi|dau|het)\s{1,3})?(?:nam\s{1,3})?$")
_PERIOD_WORDS = re.compile(
    r"(hang nam|moi nam|trong nam(?!\s{1,3}\d)|hang quy|moi quy|(?<!dau )(?<!cuoi )nhiem ky|hang thang|moi thang)"
)
_PERIOD_OF = {"hang nam": "annual", "moi nam": "annual", "trong nam": "annual", "hang quy": "quarterly",
              "moi quy": "quarterly", "nhiem ky": "term", "hang thang": None, "moi thang": None}
# "đến hết năm 2027 ...", and "Năm 2026, phấn đấu ..." opening a sentence or an item.
_BY_IN_TEXT = re.compile(r"(?:den|toi|vao|trong)\s{1,3}(?:het\s{1,3}|cuoi\s{1,3})?nam\s{1,3}((?:19|20)\d{2})"
                         r"|(?:^|[.;:]\s{0,2}|\n\s{0,2}|[\-+]\s{0,2})nam\s{1,3}((?:19|20)\d{2})\s{0,2},")
_BY_IN_HEADING = re.compile(
    r"(?:den|toi)\s{1,3}(?:het\s{1,3}|cuoi\s{1,3})?(?:nam\s{1,3})?((?:19|20)\d{2})"
    r"|giai doan\s{1,3}(?:19|20)\d{2}\s{0,2}-\s{0,2}((?:19|20)\d{2})|nam\s{1,3}((?:19|20)\d{2})"
)
_BASELINE = re.compile(
    r"(?<!thuc )(?<!the )(?<!xuat )(?<!phat )(?<!bieu )\bhien(?: nay| co| tai)?\b|truoc day"
)
# "(năm 2025 có 04 chi bộ)", "(nhiệm kỳ trước đạt 41%)": a past figure stated beside a goal.
_PAST_IN_PARENS = re.compile(
    r"\s{0,2}(?:(?:cuoi|het)\s{1,2})?(?:nam\s{1,2}(?:19|20)\d{2}|nhiem ky truoc|nam truoc|ky truoc)\b"
)
# A sentence that commits: a goal word, or a horizon ("Đến năm 2030 giảm 50% ...").
_COMMIT = re.compile(r"phan dau|chi tieu|muc tieu|(?:den|toi)\s{1,3}(?:het\s{1,3}|cuoi\s{1,3})?nam\s{1,3}(?:19|20)\d\d")
_COMMIT_AFTER_BASELINE = re.compile(r"phan dau|chi tieu|muc tieu|\bdat\b|duy tri|nang (?:len|ty le)|tang|giam")
_COMMIT_PCT = re.compile(
    r"(?:dat|duy tri|bao dam|dam bao|giam|tang|nang(?: len)?|len|xuong|it nhat|toi thieu)(?: ty le)?"
    r"(?: (?:len|xuong))?(?: (?:tu|tren|duoi|it nhat|toi thieu|khong duoi|khong qua|con))?\s{0,2}$"
    r"|(?:^|[;:]\s{0,2}|\n\s{0,2}|-\s{0,2})(?:co\s{1,2})?(?:tu\s{1,2}|tren\s{1,2})?$")
_COMMIT_COUNT = re.compile(
    r"(?:ket nap|thanh lap moi|thanh lap|phat trien|giam|tang|xay dung moi|cung co)(?: (?:duoc|them|moi|it nhat))?"
    r"(?: (?:tu|it nhat|toi thieu|tren|khong duoi))?\s{0,2}$")
_LEFT_WORDS = re.compile(
    r"(?:(?:phan dau|duy tri|dat|co|la|bao dam|dam bao)\s{1,2})*(?:tu|tren|hon|duoi|it nhat|toi thieu|khong qua|"
    r"toi da|khong duoi)?\s{0,2}$"
)


@dataclass
class Candidate:
    start: int          # first digit
    end: int            # after "%" or the counted noun
    value: float
    value_max: float | None
    unit: str
    range: bool


def _number(text: str) -> float:
    text = text.strip()
    if re.fullmatch(r"\d{1,3}\.\d{3}", text):
        return float(text.replace(".", ""))
    return float(text.replace(",", "."))


def _candidates(low: str, start: int, end: int) -> list[Candidate]:
    out = []
    for m in _QUANTITY.finditer(low, start, end):
        g = m.groupdict()
        s = m.start()
        if g["w"]:
            s = m.start("w")
            out.append(Candidate(s, m.end(), _WORD_NUMBERS[g["w"]], None, "count", False))
            continue
        if g["w2"]:
            # "giới thiệu hai quần chúng ưu tú": a count written in words (not "một", too common).
            out.append(Candidate(m.start("w2"), m.end(), _WORD_NUMBERS[g["w2"]], None, "count", False))
            continue
        before = low[max(start, s - 14): s]
        if _NOT_QUANTITY_BEFORE.search(before) or (s > 0 and low[s - 1].isalnum()):
            continue
        if low[m.end(): m.end() + 1] == "/" and low[m.end() + 1: m.end() + 2].isdigit():
            continue
        if _RATE_SUFFIX.match(low, m.end()):
            continue
        if g["pa"]:
            out.append(Candidate(s, m.end(), _number(g["pa"]), _number(g["pb"]), "%", True))
        elif g["p"]:
            value = _number(g["p"])
            if value > 100 and "." in g["p"]:
                # "2.100% chi bộ": OCR glued the item number "2." to the figure.
                s += g["p"].index(".") + 1
                value = _number(g["p"].split(".", 1)[1])
            out.append(Candidate(s, m.end(), value, None, "%", False))
        elif g["ca"]:
            out.append(Candidate(s, m.end(), float(g["ca"]), float(g["cb"]), "count", True))
        else:
            value = _number(g["c"])
            if 1900 <= value <= 2100:
                continue
            out.append(Candidate(s, m.end(), value, None, "count", False))
    return out


def _op(low: str, c: Candidate, left_floor: int) -> str:
    if c.range:
        return "range"
    before = " ".join(low[max(left_floor, c.start - 40): c.start].split(" ")).replace("\n", " ")
    if _GE_AFTER.match(low, c.end):
        return ">="
    if _LE_AFTER.match(low, c.end):
        return "<="
    for rx, op in ((_LE_BEFORE, "<="), (_GE_BEFORE, ">="), (_GT_BEFORE, ">"), (_LT_BEFORE, "<")):
        if rx.search(before):
            return op
    return "=" if c.unit == "%" and c.value == 100 else ">="


def _period(low: str, c: Candidate, clause_start: int, para_body: int) -> str | None:
    m = _PERIOD_SUFFIX.match(low, c.end)
    if m:
        return {"nam": "annual", "nhiem ky": "term", "quy": "quarterly"}[m.group(1)]
    found = list(_PERIOD_WORDS.finditer(low, clause_start, c.start))
    if found:
        return _PERIOD_OF[found[-1].group(1)]
    m = _PERIOD_WORDS.search(low, para_body, min(para_body + 30, c.start))
    return _PERIOD_OF[m.group(1)] if m else None


def _by(low: str, c: Candidate, para_start: int, heading_years: list[int]) -> int | None:
    found = list(_BY_IN_TEXT.finditer(low, para_start, c.start))
    if found:
        return int(found[-1].group(1) or found[-1].group(2))
    return heading_years[0] if heading_years else None


def _heading_years(doc: Source, node: Node, para: Para) -> list[int]:
    """Years from "Mục tiêu đến năm 2025" style headings above ``para``, nearest first.

    The paragraph holding the target is not a heading of it: "b) Giảm 50% ... so với năm 2025"
    says nothing of when the goal is due."""
    years = []
    for n in [node, *node.ancestors()]:
        if n.para is None or n.para is para or n.kind not in _HEADING_KINDS:
            continue
        for m in _BY_IN_HEADING.finditer(doc.low, n.para.body, min(n.para.end, n.para.body + 120)):
            if not _BASE_YEAR.search(doc.low, max(0, m.start() - 25), m.start() + 4):
                years.append(int(next(g for g in m.groups() if g)))
                break
    return years


_HEADING_KINDS = ("part", "roman", "a1", "a2", "a3", "a4", "letter", "paren")


def _clause_start(low: str, pos: int, floor: int, chars: str) -> int:
    return max([floor] + [low.rfind(ch, floor, pos) + 1 for ch in chars])


def targets_in(doc: Source, node: Node, para: Para, goals: bool, study_document: str | None = None,
               issued_year: int | None = None) -> list[dict]:
    """Targets in one paragraph of ``node``; ``goals`` when it sits in the goals part."""
    low = doc.low
    body, end = para.body, para.end
    found = _candidates(low, body, end)
    # "95% chi bộ có ít nhất từ 4 - 5 đảng viên tại chỗ": the count says which cells, not a goal.
    cands = [c for k, c in enumerate(found) if not (k and c.unit == "count" and _is_condition(low, found[k - 1], c))]
    out: list[dict] = []
    years = _heading_years(doc, node, para)
    last_target: dict | None = None
    last_sentence = -1
    pending_baseline: float | int | None = None
    last_end = -1
    for k, c in enumerate(cands):
        semi_start = _clause_start(low, c.start, body, ";")
        left_start = _clause_start(low, c.start, max(body, cands[k - 1].end if k else body), ",;(")
        conj = low.rfind(" va ", left_start, c.start) if k else -1
        if conj >= 0 and c.start - conj <= 30:
            left_start = conj + 4
        before_sentence = low[_clause_start(low, c.start, body, ".;"): c.start]
        # A parenthesis may hold semicolons of its own: "(hiện có 31 chi bộ; năm 2025 ... đạt 91,8%)".
        paren_start = low.rfind("(", _clause_start(low, c.start, body, "."), c.start)
        inside = low[paren_start + 1: c.start] if paren_start >= 0 and ")" not in low[paren_start: c.start] else ""
        sentence_start = _clause_start(low, c.start, body, ".;")
        if _is_baseline(low, inside, low[left_start: c.start], before_sentence, issued_year):
            if last_target is not None and last_sentence == sentence_start and last_target["baseline"] is None:
                last_target["baseline"] = _clean(c.value)
            else:
                pending_baseline = _clean(c.value)  # "Hiện có 78,3%; phấn đấu đạt 100%": the next target's
            continue
        if not goals and (_QUOTED.search(before_sentence) or paren_start >= 0 and inside):
            continue  # a higher level's goal quoted, or a remark in parentheses
        if _is_result(doc, left_start, c.start):
            continue  # "năm 2025 kết nạp được 11 đảng viên", "đã thành lập 04 chi bộ": done, not a goal
        listed = last_target is not None and last_end >= 0 and c.unit == last_target["unit"] \
            and re.fullmatch(r"[^.;:]{0,60}?(?:,|\sva)\s{0,2}", low[last_end: c.start]) is not None
        if not goals and not listed and not _committed(low, c, body, before_sentence):
            continue
        nxt = cands[k + 1] if k + 1 < len(cands) else None
        right_end = _right_end(low, c, nxt, end)
        target = _target(doc, node, c, cands, k, _Spans(body, end, left_start, semi_start, right_end),
                         years, pending_baseline, study_document)
        out.append(target)
        last_target, last_sentence, pending_baseline = target, sentence_start, None
        last_end = c.end
    return out


class _Spans(NamedTuple):
    body: int
    end: int
    left_start: int
    semi_start: int
    right_end: int


def _target(doc: Source, node: Node, c, cands: list, k: int, sp: _Spans, years, baseline,
            study_document: str | None) -> dict:
    """The target read at candidate ``c``: its words, comparison, figure, deadline and bindings."""
    low = doc.low
    body, end, left_start, semi_start, right_end = sp
    text_start = left_start
    if c.start - left_start > 80:
        lm = _LEFT_WORDS.search(low, left_start, c.start)
        text_start = lm.start() if lm and lm.group().strip() else c.start
    period = _period(low, c, semi_start, body)
    semi = _SEMI.search(low, c.end, end)
    semi_end = semi.start() if semi else end
    last = max((x for x in cands if x.start < semi_end), key=lambda x: x.start)
    own = low[left_start: max(right_end, c.end)]
    # "100% A, 100% B được quán triệt": the shared predicate follows the last number.
    tail = low[last.end: semi_end] if last is not c else ""
    return {
        "text": squeeze(doc.src[text_start: max(right_end, c.end)])[:200],
        "op": _op(low, c, left_start),
        "value": _clean(c.value),
        "value_max": _clean(c.value_max),
        "unit": c.unit,
        "by": _by(low, c, body, years),
        "period": period,
        "baseline": baseline,
        "bindings": bind(own, tail, low[semi_start: max(right_end, c.end)], c.unit, period,
                         low[max(body, c.start - 300): min(end, c.end + 300)],
                         _lead(low, max(semi_start, cands[k - 1].end if k else semi_start), left_start),
                         study_document),
        "section": _section(node),
    }


def _committed(low: str, c, body: int, before_sentence: str) -> bool:
    """Outside the goals part, a figure is a target when it is a threshold or something is committed."""
    near = " ".join(low[max(body, c.start - 40): c.start].split()) + " "
    threshold = c.unit == "%" and (c.range or _GE_AFTER.match(low, c.end) is not None)
    # "cơ cấu có ít nhất 01 đồng chí nữ": at least so many people or bodies (not "02 lần/năm").
    threshold = threshold or (c.unit == "count" and _AT_LEAST.search(near) is not None
                              and not _ACTIVITY.search(low, c.start, c.end))
    return bool(threshold or _COMMIT.search(" ".join(before_sentence.split()))
                or (_COMMIT_PCT if c.unit == "%" else _COMMIT_COUNT).search(near))


def _right_end(low: str, c, nxt, end: int) -> int:
    """Where a target's own words stop on the right of its figure."""
    right_end = _clause_start(low, nxt.start, c.end, ",;(") - 1 if nxt else end
    sub = low.find(", trong do", c.end, nxt.start) if nxt else -1
    if sub >= 0:
        right_end = sub  # "kết nạp trên 14.500 đảng viên, trong đó học sinh ... 600": the part is its own
    after = re.match(r"\s{0,3}(?:tro len|tro xuong)?\s{0,2} va ", low[c.end: c.end + 16])
    if after:
        right_end = c.end + after.end() - 4  # "... dưới 5% và không có chi bộ ...": the next clause
    if nxt:
        # "100% chi bộ sinh hoạt chuyên đề theo quý và 95% trở lên số chi bộ ...", "100% trưởng
        # thôn, tổ trưởng là đảng viên và 100% khu phố ...": "và" just before the next parts them.
        conj = low.rfind(" va ", c.end, nxt.start)
        if conj >= 0 and nxt.start - conj <= 30 and not re.search(r"[;.]", low[conj: nxt.start]):
            right_end = conj
    stop = _STOP.search(low, c.end, end)
    return min(right_end, stop.start() if stop else end)


_RESULT = re.compile(r"(?<![a-z])da\s{1,2}(?!dang\b)|(?:^|[\s,(])nam\s{1,2}(?:19|20)\d\d\s{1,3}[a-z ]{2,30}\sduoc\s{1,2}$")
_AT_LEAST = re.compile(r"(?:^|\s)(?:co\s)?(?:it nhat|toi thieu|khong duoi)\s{0,2}$")
_ACTIVITY = re.compile(r"\b(?:lan|buoi|dot|cuoc|luot|lop|hoi nghi|chuyen de)\b")


def _is_result(doc: Source, start: int, end: int) -> bool:
    """Words that report what was done: "đã" (printed so: "đa chiều" folds to the same letters)."""
    for m in _RESULT.finditer(doc.low, start, end):
        if not m.group().lstrip().startswith("da") or doc.src[m.start(): m.start() + 3].strip().lower() in ("đã", "ðã"):
            return True
    return False


_CONDITION = re.compile(r"\b(?:co|voi)\s{1,2}(?:(?:it nhat|toi thieu|tren|duoi)\s{1,2})?(?:tu\s{1,2})?$")


_STOP = re.compile(r"[;.]")
_SEMI = re.compile(r";")


def _lead(low: str, start: int, end: int) -> str:
    """Words before a target since the previous one, not those of the previous one ("... và")."""
    text = low[start:end]
    return text.rsplit(" va ", 1)[1] if " va " in text else text


def _is_condition(low: str, prev: Candidate, c: Candidate) -> bool:
    """A count that says which cells a share counts ("chi bộ có từ 3 đảng viên"), not a goal."""
    between = low[prev.end: c.start]
    return prev.unit == "%" and not re.search(r"[;.]", between) and "chi bo" in between \
        and bool(_CONDITION.search(between))


_PAST_TERM = re.compile(r"\s{0,2}(?:trong\s)?(?:ca\s)?(?:nhiem ky|giai doan)\s(?:19|20)\d\d\s?-\s?((?:19|20)\d\d)")


def _is_baseline(low: str, inside: str, left: str, sentence: str, issued_year: int | None = None) -> bool:
    """A current figure: "(hiện có 6/9, chiếm 66,66%)", "Hiện nay ... chiếm 78,3%"."""
    if _BASELINE.search(inside[:12]) or _BASELINE.search(left) or _PAST_IN_PARENS.match(inside):
        return True
    term = _PAST_TERM.match(inside)
    if term and issued_year and int(term.group(1)) <= issued_year:
        return True  # "(nhiệm kỳ 2020 - 2025 kết nạp 198 đảng viên)" in a plan of 2026: what was done
    found = list(_BASELINE.finditer(sentence))
    return bool(found) and not _COMMIT_AFTER_BASELINE.search(sentence, found[-1].end())


def _section(node: Node) -> str | None:
    """The id of the numbered heading a target sits under (dash items have no number)."""
    for n in [node, *node.ancestors()]:
        if n.kind in ("roman", "a1", "a2", "a3", "a4", "letter", "paren"):
            return n.id
    return node.id or None


def _clean(x: float | None) -> float | int | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() else x


def find_targets(doc: Source, root: Node, study_document: str | None = None,
                 issued_year: int | None = None, scanned: bool = False) -> list[dict]:
    """Every target of the plan; ``study_document`` is the one document a study plan is about."""
    # Inside a paragraph a line break is a wrap: "kết nạp từ 95 đảng⏎viên" reads on one line.
    doc = Source(doc.src, doc.low.replace("\n", " "))
    out: list[dict] = []
    for node in root.walk():
        if node.kind == "row":
            if node.parent and node.parent.children[0] is node or _first_row(node):
                out.extend(_table(doc, node, issued_year, scanned))
            continue
        if "results" in node.categories or not node.categories:
            continue
        goals = "goals" in node.categories
        for para in node.paras:
            out.extend(targets_in(doc, node, para, goals, study_document, issued_year))
    return out


def study_document(title: str | None, numbers: list[str]) -> str | None:
    """The one document a plan's title cites: what its study targets study unless they name another."""
    return numbers[0] if title and len(numbers) == 1 else None


def _first_row(node: Node) -> bool:
    assert node.parent is not None
    siblings = node.parent.children
    i = siblings.index(node)
    return i == 0 or siblings[i - 1].kind != "row"


def _table(doc: Source, first: Node, issued_year: int | None = None, scanned: bool = False) -> list[dict]:
    """Targets of the table whose first row is ``first`` (its rows are consecutive siblings)."""
    assert first.parent is not None
    siblings = first.parent.children
    rows = []
    for node in siblings[siblings.index(first):]:
        if node.kind != "row" or node.para is None:
            break
        rows.append((node.para.start, node.para.end))
    years = _heading_years(doc, first, first.para) if first.para else []
    return table_targets(doc, rows, _section(first.parent) if first.parent.kind != "root" else None,
                         years[0] if years else None, issued_year, scanned)
