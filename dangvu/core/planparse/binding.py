"""Bind a target to an indicator key of the indicator registry, by keywords.

Matching is on folded text (no diacritics) with rapidfuzz's partial ratio, so an OCR slip
inside a keyword ("chuyen đe", "quan triet") still binds. The first rule whose keyword
groups all match wins, so more specific rules come first.

A target naming both organizations and members ("tổ chức đảng, đảng viên hoàn thành tốt
nhiệm vụ") binds to the subject named first: organizations in that example. The plan text
puts its main subject first, and the members' share usually has a target of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from dangvu.core.planparse.normalize import fold


@dataclass(frozen=True)
class Rule:
    key: str
    groups: tuple[tuple[str, ...], ...]   # every group needs one keyword (folded)
    unit: str | None = None               # "%" or "count" when the key only fits one unit
    period: str | None = None             # required period, if any
    absent: tuple[str, ...] = ()          # keywords that rule this key out


_RATED = ("hoan thanh tot nhiem vu", "xep loai", "hoan thanh xuat sac")
_ADMIT = ("ket nap", "phat trien dang vien", "dang vien moi")

RULES: tuple[Rule, ...] = (
    Rule("organizations.rated_fulfilled_only_share", (("to chuc dang", "to chuc co so dang", "chi bo"),
         ("hoan thanh nhiem vu",)), "%", absent=("hoan thanh tot", "xuat sac")),
    Rule("committee_members.rated_good_or_better_share", (("cap uy vien", "uy vien ban chap hanh"), _RATED), "%"),
    Rule("organizations.rated_good_or_better_share", (("to chuc co so dang", "to chuc dang", "chi bo, dang bo"),
         _RATED), "%"),
    Rule("members.rated_good_or_better_share", (("dang vien",), _RATED), "%"),
    Rule("admissions.students_count_term", (_ADMIT, ("hoc sinh", "sinh vien")), "count"),
    Rule("admissions.share_of_members_term_start", (_ADMIT, ("dau nhiem ky",)), "%"),
    Rule("admissions.share_of_members_year_start", (_ADMIT, ("dau nam", "tong so dang vien")), "%"),
    Rule("admissions.count_term", (_ADMIT,), "count", "term"),
    Rule("admissions.count_year", (_ADMIT,), "count"),
    Rule("organizations.new_private_count", (("thanh lap moi", "thanh lap"), ("to chuc dang", "chi bo",
         "to chuc co so dang", "dang bo")), "count"),
    Rule("cells.village_secretary_is_front_head_share", (("bi thu chi bo",), ("truong ban cong tac mat tran",))),
    Rule("cells.village_secretary_is_head_share", (("bi thu chi bo",), ("truong thon", "truong ban", "to truong",
         "truong khu pho", "truong to dan pho"))),
    Rule("cells.agency_secretary_is_unit_head_share", (("bi thu",), ("thu truong", "nguoi dung dau co quan"))),
    Rule("localities.front_head_is_member_share", (("truong ban cong tac mat tran",), ("la dang vien",))),
    Rule("localities.head_is_member_share", (("truong thon", "truong ban", "to truong to dan pho",
         "truong khu pho"), ("la dang vien",))),
    Rule("cells.village_resident_full_members_share", (("thon", "ban", "to dan pho"),
         ("dang vien chinh thuc",))),
    Rule("cells.with_committee_share", (("chi bo",), ("co cap uy", "co chi uy"))),
    Rule("meetings.upper_attendance_share", (("cap uy vien cap tren", "cap uy cap tren", "cap tren du"),)),
    Rule("meetings.scored_share", (("cham diem",),)),
    Rule("cells.thematic_quarterly_share", (("sinh hoat chuyen de", "chuyen de"),)),
    Rule("members.with_assignment_share", (("phan cong nhiem vu",),)),
    Rule("members.with_commitment_share", (("cam ket",),)),
    Rule("cells.working_rules_updated_share", (("quy che lam viec",),)),
    Rule("meetings.attendance_rate", (("du sinh hoat", "tham du sinh hoat", "tham gia sinh hoat",
         "ty le dang vien du"),)),
    Rule("cells.regular_meetings_complete_share", (("sinh hoat",), ("thuong ky", "dinh ky", "dieu le",
         "theo quy dinh", "hang thang", "day du"))),
    Rule("officers.trained_share", (("tap huan", "boi duong nghiep vu", "dao tao", "boi duong"),)),
    Rule("members.studied_document_share", (("quan triet", "hoc tap", "nghien cuu"),
         ("nghi quyet", "chi thi", "ket luan", "van ban"))),
)

_THRESHOLD = 90


def _has(text: str, word: str) -> bool:
    if word in text:
        return True
    # Fuzzy only for longer keywords: a 4-letter word fuzzes onto too much.
    return len(word) >= 9 and fuzz.partial_ratio(word, text) >= _THRESHOLD


def _first_subject(text: str) -> str | None:
    """Which of organizations / members / committee members the text names first."""
    found = []
    for key, words in (("organizations", ("to chuc co so dang", "to chuc dang")),
                       ("committee_members", ("cap uy vien",)), ("members", ("dang vien",))):
        positions = [text.find(w) for w in words if w in text]
        if positions:
            found.append((min(positions), key))
    return min(found)[1] if found else None


def bind(context: str, unit: str, period: str | None) -> str | None:
    """The indicator key for a target described by ``context`` (any text), or None."""
    text = fold(context)
    for rule in RULES:
        if rule.unit and rule.unit != unit or rule.period and rule.period != period:
            continue
        if any(w in text for w in rule.absent):
            continue
        if all(any(_has(text, w) for w in group) for group in rule.groups):
            if rule.key.endswith("rated_good_or_better_share"):
                subject = _first_subject(text)
                if subject and not rule.key.startswith(subject):
                    return f"{subject}.rated_good_or_better_share"
            return rule.key
    return None
