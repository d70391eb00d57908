"""Bind a target to the indicators that measure it, with the parameters of its scope.

A target says *who* ("100% chi bộ thôn", "90% tổ chức đảng, đảng viên") and *what* ("có cấp ủy",
"hoàn thành tốt nhiệm vụ"). The reader finds the subjects in the target's own words and the
predicate in its own words or the predicate it shares with its neighbours ("100% A, 100% B được
quán triệt"); each (subject, predicate) pair names one indicator, so "90% tổ chức đảng, đảng viên
hoàn thành tốt nhiệm vụ" gets two bindings. A subject no data measures (quần chúng, cán bộ, hộ
gia đình) gets none: a wrong binding shows a false status on the dashboard, worse than none.

Matching is on folded text (no diacritics), whole words only, after the OCR repair has restored
the words: a fuzzy match would take "hoàn thành nhiệm vụ" for "hoàn thành tốt nhiệm vụ".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from dangvu.core.planparse.normalize import fold
from dangvu.core.planparse.references import D_ISSUER, D_KIND

# Subjects, most specific first; each maps a phrase of the target to a kind of thing counted.
_SUBJECTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("secretary", ("bi thu chi bo", "bi thu cac chi bo", "bi thu")),
    ("officers", ("bi thu, pho bi thu", "pho bi thu")),
    ("committee_members", ("cap uy vien", "uy vien ban chap hanh", "chi uy vien", "dang uy vien")),
    ("front_head", ("truong ban cong tac mat tran",)),
    ("locality_head", ("truong thon", "truong ban", "truong buon", "truong ap", "to truong to dan pho",
                       "truong khu pho", "truong to dan pho")),
    ("organizations", ("to chuc co so dang", "to chuc dang", "co so dang", "chi, dang bo", "chi bo, dang bo",
                       "dang bo bo phan", "dang bo co so", "cap uy, chi", "cap uy cac cap", "cap uy")),
    ("cells", ("chi bo",)),
    ("meetings", ("buoi sinh hoat", "cuoc sinh hoat", "cuoc hop chi bo", "ky sinh hoat", "buoi hop")),
    ("prospects", ("quan chung uu tu", "doan vien uu tu", "hoi vien uu tu", "doi tuong ket nap", "doi tuong dang")),
    ("masses", ("quan chung", "nhan dan", "ho gia dinh", "cong chuc", "vien chuc", "nguoi lao dong",
                "hoi vien", "doan vien", "thanh nien", "can bo, dang vien", "can bo chu chot")),
    ("members_in", ("dang vien trong chi bo", "dang vien cua chi bo", "dang vien trong dang bo",
                    "dang vien cua dang bo", "dang vien trong toan dang bo")),
    ("members", ("dang vien",)),
)

# Where a subject sits in a longer subject phrase it is not a subject of its own:
# "bí thư chi bộ" is a secretary, not cells; "cấp ủy viên" not organizations.
_SHADOWS = {"secretary": ("cells",), "officers": ("committee_members", "secretary"),
            "committee_members": ("organizations",), "prospects": ("masses",), "masses": ("members",),
            "front_head": ("locality_head",), "members_in": ("cells", "organizations"),
            "meetings": ("cells", "committee_members")}


@dataclass(frozen=True)
class Predicate:
    name: str
    groups: tuple[tuple[str, ...], ...]   # every group needs one keyword
    absent: tuple[str, ...] = ()


_STUDY_DOCS = ("nghi quyet", "chi thi", "ket luan", "van ban", "quy dinh", "ke hoach", "chuong trinh",
               "chu truong", "duong loi", "tai lieu", "hoc tap va lam theo")

PREDICATES: tuple[Predicate, ...] = (
    Predicate("head_or_front_head", (("kiem", "dong thoi", "dong thoi la", "la"),
                                     ("truong thon", "truong ban", "to truong", "truong khu pho", "truong ap"),
                                     ("hoac truong ban cong tac mat tran", "hoac truong ban mat tran"))),
    Predicate("front_head", (("kiem", "dong thoi"), ("truong ban cong tac mat tran",))),
    Predicate("unit_head", (("kiem", "dong thoi"), ("thu truong", "nguoi dung dau", "giam doc", "hieu truong"))),
    Predicate("locality_head", (("kiem", "dong thoi"), ("truong thon", "truong ban", "to truong", "truong khu pho",
                                                         "truong ap", "truong buon"))),
    Predicate("is_member", (("la dang vien",),)),
    Predicate("resident_members", (("tai cho", "thuong tru", "cu tru tai"), ("dang vien",))),
    Predicate("excellent", (("hoan thanh xuat sac nhiem vu", "hoan thanh xuat sac"),), absent=("tot nhiem vu",)),
    Predicate("rated_good", (("hoan thanh tot nhiem vu", "hoan thanh tot", "xep loai tot", "trong sach vung manh",
                              "hoan thanh xuat sac nhiem vu"),)),
    Predicate("fulfilled_only", (("hoan thanh nhiem vu",),), absent=("khong hoan thanh",)),
    Predicate("trained", (("tap huan", "boi duong nghiep vu", "boi duong kien thuc", "dao tao, boi duong"),)),
    Predicate("upper_attendance", (("cap tren du", "cap uy cap tren", "cap uy vien cap tren", "cap tren tham du",
                                    "dang uy vien du", "dang uy vien tham du", "cap uy vien du"),)),
    Predicate("thematic", (("sinh hoat chuyen de", "sinh hoat theo chuyen de", "chuyen de sinh hoat dang",
                            "chuyen de moi quy", "chuyen de hang quy", "chuyen de theo quy"),)),
    Predicate("full_attendance", (("tham gia day du", "du day du", "tham du day du", "sinh hoat day du",
                                   "du sinh hoat day du", "tham gia sinh hoat day du"),)),
    Predicate("attendance_rate", (("du sinh hoat", "tham du sinh hoat", "tham gia sinh hoat"),)),
    Predicate("scored", (("cham diem",),)),
    Predicate("has_committee", (("co cap uy", "co chi uy", "co ban chi uy"),)),
    Predicate("working_rules", (("quy che lam viec",),)),
    Predicate("assignment", (("phan cong nhiem vu", "giao nhiem vu", "duoc phan cong"),)),
    Predicate("commitment", (("cam ket",),)),
    Predicate("studied", (("quan triet", "hoc tap", "nghien cuu", "trien khai hoc tap"), _STUDY_DOCS)),
    Predicate("regular_meetings", (("sinh hoat",), ("thuong ky", "dinh ky", "dieu le", "theo quy dinh", "hang thang",
                                                     "moi thang", "dung quy dinh", "nen nep"))),
    Predicate("course", (("hoc xong", "cap giay chung nhan", "hoan thanh lop", "hoan thanh chuong trinh"),
                         ("lop boi duong nhan thuc", "nhan thuc ve dang", "lop boi duong", "giay chung nhan")),
              absent=("gioi thieu",)),
    Predicate("admitted", (("ket nap", "phat trien dang vien", "phat trien duoc", "dang vien moi"),)),
    Predicate("new_orgs", (("thanh lap moi", "thanh lap duoc", "thanh lap them"),)),
)

# (predicate, subject) → indicator key and its unit.
_KEYS: dict[tuple[str, str], tuple[str, str]] = {
    ("rated_good", "organizations"): ("organizations.rated_good_or_better_share", "%"),
    ("rated_good", "cells"): ("organizations.rated_good_or_better_share", "%"),
    ("rated_good", "members"): ("members.rated_good_or_better_share", "%"),
    ("rated_good", "committee_members"): ("committee_members.rated_good_or_better_share", "%"),
    ("excellent", "members"): ("members.rated_excellent_share", "%"),
    ("fulfilled_only", "organizations"): ("organizations.rated_fulfilled_only_share", "%"),
    ("fulfilled_only", "cells"): ("organizations.rated_fulfilled_only_share", "%"),
    ("studied", "members"): ("members.studied_document_share", "%"),
    ("studied", "organizations"): ("organizations.studied_document_share", "%"),
    ("studied", "cells"): ("organizations.studied_document_share", "%"),
    ("assignment", "members"): ("members.with_assignment_share", "%"),
    ("full_attendance", "members"): ("members.full_attendance_share", "%"),
    ("attendance_rate", "members"): ("meetings.attendance_rate", "%"),
    ("commitment", "members"): ("members.with_commitment_share", "%"),
    ("working_rules", "cells"): ("cells.working_rules_updated_share", "%"),
    ("working_rules", "organizations"): ("cells.working_rules_updated_share", "%"),
    ("regular_meetings", "cells"): ("cells.regular_meetings_complete_share", "%"),
    ("regular_meetings", "organizations"): ("cells.regular_meetings_complete_share", "%"),
    ("thematic", "cells"): ("cells.thematic_quarterly_share", "%"),
    ("thematic", "organizations"): ("cells.thematic_quarterly_share", "%"),
    ("scored", "meetings"): ("meetings.scored_share", "%"),
    ("upper_attendance", "meetings"): ("meetings.upper_attendance_share", "%"),
    ("trained", "officers"): ("officers.trained_share", "%"),
    ("trained", "secretary"): ("officers.trained_share", "%"),
    ("has_committee", "cells"): ("cells.with_committee_share", "%"),
    ("head_or_front_head", "secretary"): ("cells.village_secretary_is_head_or_front_head_share", "%"),
    ("front_head", "secretary"): ("cells.village_secretary_is_front_head_share", "%"),
    ("locality_head", "secretary"): ("cells.village_secretary_is_head_share", "%"),
    ("unit_head", "secretary"): ("cells.agency_secretary_is_unit_head_share", "%"),
    ("is_member", "locality_head"): ("localities.head_is_member_share", "%"),
    ("is_member", "front_head"): ("localities.front_head_is_member_share", "%"),
    ("resident_members", "cells"): ("cells.village_resident_members_share", "%"),
    ("course", "prospects"): ("prospects.course_passed_count", "count"),
}
# Indicators that accept a ``sector`` parameter (cells of one kind only).
_SECTORED = {"cells.with_committee_share", "cells.regular_meetings_complete_share", "cells.thematic_quarterly_share"}
# Kinds of cell named right after "chi bộ" ("chi bộ thôn, bản", "chi bộ cơ quan").
_SECTORS = (
    # "bản", "ấp", "làng" fold like the verbs "ban hành", "áp dụng", "lắng nghe": only as a place.
    ("residential", r"thon|ban\b(?!\s(?:hanh|chap|thuong|to chuc|tuyen|dan|can|chi dao|cong tac|kiem|giam))|buon|"
                    r"bon\b|ap\b(?!\s(?:dung|luc))|lang\b(?!\s(?:nghe|dong))|xom|to dan pho|khu pho|khom|khu dan cu|"
                    r"dan cu|nong thon"),
    ("agency", r"co quan|hanh chinh"),
    ("school", r"truong hoc|truong\b|giao duc"),
    ("health", r"y te|benh vien|tram y te"),
    ("soe", r"doanh nghiep nha nuoc"),
    ("private", r"doanh nghiep tu nhan|doanh nghiep ngoai nha nuoc|ngoai khu vuc nha nuoc|doanh nghiep ngoai"),
    ("military", r"quan su|quan doi"),
    ("police", r"cong an"),
)
_SECTOR_AFTER = re.compile(r"chi bo\s{1,2}(?:cac\s{1,2}|o\s{1,2}|tai\s{1,2}|trong\s{1,2}|khoi\s{1,2})?(?:" +
                           "|".join(f"(?P<{name}>{rx})" for name, rx in _SECTORS) + ")")
_DOC_NUMBER = re.compile(r"\b(\d{1,4})\s{0,2}-\s{0,2}([a-z]{1,5})\s{0,2}/\s{0,2}([a-z]{1,6})\b")
_MIN_MEMBERS = re.compile(r"(?:it nhat|toi thieu|tu|co)\s{1,3}(?:tu\s{1,3})?(\d{1,2})(?:\s{0,2}-\s{0,2}\d{1,2})?\s{1,3}"
                          r"dang vien")
_PRIVATE_CONTEXT = re.compile(r"doanh nghiep|ngoai nha nuoc|ngoai khu vuc nha nuoc|tu nhan|kinh te tap the")


def _has(text: str, word: str) -> bool:
    return re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text) is not None


def subjects(text: str) -> list[str]:
    """The kinds of thing ``text`` counts, in the order it names them ("tổ chức đảng, đảng viên")."""
    found: dict[str, int] = {}
    spans: list[tuple[int, int, str]] = []
    for kind, words in _SUBJECTS:
        for w in words:
            for m in re.finditer(rf"(?<![a-z]){re.escape(w)}(?![a-z])", text):
                if any(s <= m.start() < e for s, e, k in spans if kind in _SHADOWS.get(k, ())):
                    continue
                spans.append((m.start(), m.end(), kind))
                found[kind] = min(found.get(kind, m.start()), m.start())
    # A shadowed subject found before its shadow was known: drop it when inside a shadow span.
    for s, e, k in spans:
        for shadowed in _SHADOWS.get(k, ()):
            if shadowed in found and all(s <= ss < e for ss, _e, kk in spans if kk == shadowed):
                del found[shadowed]
    if "members_in" in found:  # "đảng viên trong chi bộ" are members
        at = found.pop("members_in")
        found["members"] = min(found.get("members", at), at)
    return sorted(found, key=found.get)


def predicate(text: str) -> str | None:
    """The first predicate (in the order of ``PREDICATES``) whose keyword groups all match."""
    return next((p.name for p in PREDICATES if _matches(p.name, text)), None)


def _sector(text: str) -> str | None:
    m = _SECTOR_AFTER.search(text)
    return next((k for k, v in m.groupdict().items() if v), None) if m else None


def _code(m: re.Match) -> str:
    """A document number as printed in party style, Đ restored ("03-NQ/DU" → "03-NQ/ĐU")."""
    kind, issuer = m.group(2).upper(), m.group(3).upper()
    # The same restoration as the references' (one rule: "KH/PU" → "KH/ĐU", "QP/TW" → "QĐ/TW").
    return f"{m.group(1)}-{D_KIND.get(kind, kind)}/{D_ISSUER.sub('Đ', issuer)}"


def _params(key: str, own: str, clause: str, study_document: str | None = None) -> dict:
    params: dict = {}
    if key in _SECTORED:
        sector = _sector(own) or None
        if sector:
            params["sector"] = sector
    if key.endswith("studied_document_share"):
        docs = {m.group() for m in _DOC_NUMBER.finditer(clause)}
        if len(docs) == 1:
            params["document"] = _code(_DOC_NUMBER.search(clause))
        elif not docs and study_document and not _GENERAL_DOCS.search(clause):
            # A study plan's own document: "100% đảng viên được học tập (kể cả học bù)".
            params["document"] = study_document
    if key.startswith("cells.village_resident"):
        m = _MIN_MEMBERS.search(own) or _MIN_MEMBERS.search(clause)
        if m:
            params["min_members"] = int(m.group(1))
    return params


# Documents in general ("các nghị quyết, chỉ thị của Đảng"): no one document to count.
_GENERAL_DOCS = re.compile(r"\bcac\s(?:nghi quyet|chi thi|ket luan|van ban|quy dinh)|nghi quyet, chi thi")
_STUDY_WORDS = re.compile(r"\b(?:hoc tap|quan triet|nghien cuu)\b")


_STUDENTS = re.compile(r"\d\s(?:dang vien\s)?(?:moi\s)?(?:la\s|trong\s)?(?:hoc sinh|sinh vien)"
                       r"|(?:hoc sinh|sinh vien)\s(?:tu\s|it nhat\s|tren\s)?\d"
                       r"|(?:trong do|dang vien la)\s(?:la\s)?(?:hoc sinh|sinh vien)")


def _admissions(text: str, clause: str, unit: str, period: str | None) -> str | None:
    students = bool(_STUDENTS.search(text))
    if unit == "count":
        if students:
            return "admissions.students_count_term"
        return "admissions.count_term" if period == "term" else "admissions.count_year"
    if not re.search(r"so voi|tong so dang vien", text.split("%")[-1] if "%" in text else text) \
            and not re.search(r"so voi (?:tong so dang vien|so dang vien)", text):
        return None  # "chiếm trên 70%", "trong đó 70% là đoàn viên": a share of the admitted, not measured
    if "dau nhiem ky" in clause:
        return "admissions.share_of_members_term_start"
    if "dau nam" in clause or "tong so dang vien" in clause:
        return "admissions.share_of_members_year_start"
    return None


def bind(own: str, shared: str = "", clause: str = "", unit: str = "%", period: str | None = None,
         paragraph: str = "", lead: str = "", study_document: str | None = None) -> list[dict]:
    """The bindings of one target.

    ``own`` is its own words, ``shared`` the predicate it shares with the bare targets listed
    before it ("100% A, 100% B được quán triệt"), ``lead`` the words since the previous target
    ("Tỷ lệ bí thư chi bộ đồng thời là trưởng thôn, ... đạt 90%"), ``clause`` its whole clause.
    """
    own, shared, clause, paragraph, lead = (" ".join(fold(x).split())
                                            for x in (own, shared, clause, paragraph or clause, lead))
    whole = f"{own} {shared}" if _bare(own) and predicate(own) is None else own
    pred, subject_text = _predicate_of(own, whole, clause, lead, study_document)
    # The subject stands in the target's own words, or before them ("Tỷ lệ chi bộ thôn, tổ dân phố có
    # chi ủy đạt 80%"); words of an earlier target in the lead do not narrow this one.
    context = own if subjects(own) else f"{lead} {own}"
    if pred is None or _RELATIVE.search(own) or _narrowed(f"{lead} {own}", pred):
        return []
    if pred != "resident_members" and _CELLS_OF_SIZE.search(context):
        return []  # "100% chi bộ có từ 09 đảng viên trở lên có chi ủy": only cells of that size
    if pred == "admitted":
        return _bind_admitted(own, clause, lead, context, unit, period)
    if pred == "new_orgs":
        ok = unit == "count" and subjects(own) and set(subjects(own)) <= {"organizations", "cells"} \
            and _PRIVATE_CONTEXT.search(paragraph)
        return [{"indicator": "organizations.new_private_count", "params": {}}] if ok else []
    subs = subjects(subject_text) or subjects(_PARENS.sub("", clause)) or _nearest_subject(paragraph, own)
    if not subs and pred in ("thematic", "regular_meetings"):
        subs = ["cells"]  # a cell's own plan: "Mỗi quý sinh hoạt chuyên đề ít nhất 01 lần"
    if "members" in subs and pred in ("full_attendance", "attendance_rate", "assignment", "commitment") \
            and subs[0] in ("cells", "organizations"):
        subs = ["members"]  # "100% chi bộ có đảng viên tham gia đầy đủ ..." is about the members
    if "masses" in subs:
        return []  # "cán bộ, đảng viên", "quần chúng": a subject that no data measures
    sector = _sector(context) or (_PRIVATE_ORGS.search(context) and "private")
    texts = _Texts(own, whole, lead, context, f"{clause} {whole}", study_document)
    out = _bind_subjects(pred, subs, unit, bool(sector), texts)
    if out is None:
        return []
    _add_duties(out, pred, subs, texts)
    return out


class _Texts(NamedTuple):
    own: str
    whole: str
    lead: str
    context: str
    wide: str  # the clause and the target's words: where parameters are looked for
    study_document: str | None


def _predicate_of(own: str, whole: str, clause: str, lead: str,
                  study_document: str | None) -> tuple[str | None, str]:
    """What the target says is done, and the words its subject is read from."""
    # "từ 05 đảng viên (kể cả đảng viên dự bị) tại chỗ": a remark in parentheses splits the phrase.
    pred, subject_text = predicate(_PARENS.sub("", whole)) or predicate(whole), own
    if pred is None and lead:
        pred, subject_text = predicate(f"{lead} {own}"), f"{lead} {own}"
    if pred is None and study_document and _STUDY_WORDS.search(own):
        pred = "studied"  # a study plan's target need not name the document again
    if pred is None and predicate(clause) == "admitted":
        pred = "admitted"  # "(tương đương mỗi năm kết nạp 09 ... và 45 đảng viên trở lên/nhiệm kỳ)"
    return pred, subject_text


def _bind_admitted(own: str, clause: str, lead: str, context: str, unit: str, period: str | None) -> list[dict]:
    if _PER_UNIT.search(context) or _PART_OF_YEAR.search(own) or _sector(context) or _SPAN.search(own) \
            or (own.lstrip().startswith("trong do") and not _STUDENTS.search(f"{lead} {own}")):
        return []  # a quota of each cell, of half a year, or of one kind of cell: not measured
    key = _admissions(context, clause, unit, period)
    return [{"indicator": key, "params": {}}] if key else []


def _bind_subjects(pred: str, subs: list[str], unit: str, sectored: bool, t: _Texts) -> list[dict] | None:
    """One binding per subject the predicate has an indicator for; None when a sector narrows it."""
    out: list[dict] = []
    for s in subs:
        hit = _KEYS.get((pred, s))
        if hit is None:
            continue
        key, key_unit = hit
        if key == "cells.village_resident_members_share" and "chinh thuc" in t.whole and "du bi" not in t.whole:
            key = "cells.village_resident_full_members_share"
        if sectored and key not in _SECTORED and not key.startswith(("cells.village", "localities.")):
            return None  # "chi bộ khu phố", "tổ chức đảng trong doanh nghiệp": narrower than the indicator
        # "mỗi quý chi bộ sinh hoạt chuyên đề ít nhất một lần" is met when every cell meets it.
        frequency = key in _FREQUENCY and unit == "count" and bool(_TIMES.search(t.own)) \
            and bool(_OFTEN[key].search(f"{t.lead} {t.own}"))
        if (key_unit != unit and not frequency) or any(b["indicator"] == key for b in out):
            continue
        out.extend({"indicator": key, "params": params}
                   for params in _params_each(key, t.context, t.wide, t.whole, t.study_document))
    return out


def _add_duties(out: list[dict], pred: str, subs: list[str], t: _Texts) -> None:
    """"được phân công nhiệm vụ và tham gia đầy đủ các buổi sinh hoạt", "duy trì sinh hoạt thường kỳ
    và sinh hoạt chuyên đề": one figure, two duties."""
    for subject, duties in _DUTIES.items():
        if pred in duties and subject in subs:
            for other in sorted(duties - {pred}):
                key = _KEYS[(other, subject)][0]
                if _matches(other, t.whole) and all(b["indicator"] != key for b in out):
                    out.extend({"indicator": key, "params": p}
                               for p in _params_each(key, t.context, t.wide, t.whole, t.study_document))


_PARENS = re.compile(r"\s?\([^()]{0,80}\)")


def _nearest_subject(paragraph: str, own: str) -> list[str]:
    """The subject named last before a target that names none ("... đảng viên ..., trong đó hoàn thành
    xuất sắc nhiệm vụ từ 15% trở lên")."""
    at = paragraph.find(own.strip()[:30]) if own.strip() else -1
    if at <= 0:
        return []
    found = subjects(paragraph[max(0, at - 160): at])
    return found[-1:] if found else []


def _bare(own: str) -> bool:
    """A target without a verb of its own ("100% cấp ủy, chi, đảng bộ bộ phận"): it shares the
    predicate that follows the list. "thôn có chi bộ" has its own."""
    after = re.sub(r"^.*?\d\s{0,2}%?", "", own, count=1)
    return not re.search(r"(?<![a-z])(?:co|duoc|la|dat|thuc hien|to chuc|xay dung|ban hanh|tham gia|hoan thanh)"
                         r"(?![a-z])", after)


# "giảm 50%", "tăng 10%": a change against a base year, which no share indicator reads.
_RELATIVE = re.compile(r"(?:^|\s)(?:giam|tang)(?:\s(?:them|duoc|it nhat|tren|tu))?\s\d")
# Members of one kind only: "đảng viên trẻ", "đảng viên nữ", "là người dân tộc thiểu số".
_NARROW = re.compile(r"dang vien (?:moi |duoc ket nap moi )?(?:tre|nu|la nguoi dan toc|dan toc thieu so|"
                     r"la giao vien|la nguoi ton giao|ton giao|la doanh nhan|la nu)\b")
_PER_UNIT = re.compile(r"(?:^|\s)moi\s(?:chi bo|dang bo|to chuc|don vi|thon|ban|to dan pho|xa|phuong|dang vien)\b")
_PART_OF_YEAR = re.compile(r"\b(?:6|sau) thang\b|\bquy\s(?:i|ii|iii|iv|[1-4])\b|\btu nay den\b")
_PRIVATE_ORGS = re.compile(r"(?:to chuc dang|chi bo|dang bo|to chuc co so dang)\s(?:trong|o|tai)\s(?:cac\s)?doanh nghiep")


_CELLS_OF_SIZE = re.compile(r"chi bo\s(?:[a-z ,]{0,25}\s)?co\s(?:tu\s|it nhat\s|tren\s|duoi\s)?\d+\s(?:dang vien)")


def _narrowed(text: str, pred: str) -> bool:
    if pred != "admitted" and _STUDENT_MEMBERS.search(text):
        return True  # "100% đảng viên sinh viên được xếp loại ...": members of one kind
    return bool(_NARROW.search(text))


_STUDENT_MEMBERS = re.compile(r"dang vien (?:la )?(?:sinh vien|hoc sinh)")
# "01 lần/quý", "12 kỳ/năm": how often a cell meets (not "02 chuyên đề", a count of topics).
_TIMES = re.compile(r"(?:\d|mot|hai|ba)\s(?:lan|buoi|ky|cuoc)\b")
# How often: thematic meetings by the quarter, regular ones by the month (or 12 a year).
_OFTEN = {"cells.thematic_quarterly_share": re.compile(r"\bquy\b"),
          "cells.regular_meetings_complete_share": re.compile(r"\bthang\b|\b12\s(?:ky|lan|buoi)")}
# "cả giai đoạn kết nạp 40": a span that is neither the year nor the term.
_SPAN = re.compile(r"\bca giai doan\b")


def _params_each(key: str, context: str, clause: str, whole: str, study_document: str | None) -> list[dict]:
    """One set of params per binding: two documents studied make two bindings."""
    if key.endswith("studied_document_share"):
        docs = list(dict.fromkeys(_code(m) for m in _DOC_NUMBER.finditer(whole)))
        if len(docs) >= 2:
            return [{"document": d} for d in docs]
    return [_params(key, context, clause, study_document)]


_FREQUENCY = {"cells.thematic_quarterly_share", "cells.regular_meetings_complete_share"}
_DUTIES = {"members": {"assignment", "full_attendance", "commitment", "studied"},
           "cells": {"regular_meetings", "thematic"}}
_BY_NAME = {p.name: p for p in PREDICATES}


def _matches(name: str, text: str) -> bool:
    p = _BY_NAME[name]
    return all(any(_has(text, w) for w in g) for g in p.groups) and not any(w in text for w in p.absent)


# Every indicator key the reader can propose (the registry must know each one).
INDICATOR_KEYS: frozenset[str] = frozenset(
    {key for key, _unit in _KEYS.values()}
    | {"admissions.students_count_term", "admissions.count_term", "admissions.count_year",
       "admissions.share_of_members_term_start", "admissions.share_of_members_year_start",
       "organizations.new_private_count", "members.full_attendance_share",
       "cells.village_resident_full_members_share"})
