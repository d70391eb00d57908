"""Checks on a prospect (quần chúng ưu tú) before the cell considers admission.

Sources: Điều lệ Đảng, Điều 1 and 4; Quy định 232-QĐ/TW, 20/1/2025; Hướng dẫn 06-HD/TW, 9/6/2025
(Quy định 29-QĐ/TW, 2016 before them). Month and year periods end on the corresponding day
(Bộ luật Dân sự 2015, Điều 148), see :func:`dangvu.core.deadlines.add_months`.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from .deadlines import add_months
from .rulesets import RuleSet, ruleset_for
from .text import nfc


def _fraction(value: Any) -> Fraction:
    # Rule shares are kept as "2/3" or 0.2; str() keeps 0.2 exact (1/5), not its binary float.
    return Fraction(str(value))


def age_in_full_months(birth: dt.date, on: dt.date) -> int:
    """Completed months of age on ``on``: the largest m with ``birth + m months <= on``.

    Someone born 31/1 completes a month on 28/2 (29/2); born 29/2/2008, turns 18 on 28/2/2026.
    Source: Quy định 232-QĐ/TW, 20/1/2025 (age "tính theo tháng").
    """
    if on < birth:
        raise ValueError(f"Ngày xét ({on:%d/%m/%Y}) trước ngày sinh ({birth:%d/%m/%Y}).")
    months = (on.year - birth.year) * 12 + on.month - birth.month
    if add_months(birth, months) > on:
        months -= 1
    return months


def age_check(birth: dt.date, on: dt.date, rs: RuleSet | None = None) -> str | None:
    """None when the applicant's age on the day the cell considers them is within the limits.

    Eligible when 18 × 12 ≤ full months ≤ 60 × 12. Age counts in whole months, so a person who is
    60 years and some days still has 720 full months and is eligible ("đủ 60 tuổi"); from the
    first day of their 721st month they are over 60 and need a decision of a committee directly
    under the Central Committee. Source: Điều lệ Đảng, Điều 1; Quy định 232-QĐ/TW, 20/1/2025.
    """
    rs = rs or ruleset_for(on)
    months = age_in_full_months(birth, on)
    age = f"{months // 12} tuổi {months % 12} tháng"
    low, high = rs["admission.age_min_years"], rs["admission.age_max_years"]
    if months < low * 12:
        return f"Chưa đủ {low} tuổi (tính theo tháng): mới {age}."
    if months > high * 12:
        return (
            f"Quá {high} tuổi (tính theo tháng): {age}; phải có quyết định của cấp ủy trực thuộc "
            "Trung ương mới được xét kết nạp."
        )
    return None


def age_text(birth: dt.date, on: dt.date) -> str:
    """"17 tuổi 3 tháng": the age on ``on`` in full years and months."""
    months = age_in_full_months(birth, on)
    return f"{months // 12} tuổi {months % 12} tháng"


def event_age_problem(birth: dt.date, on: dt.date, event: str, rs: RuleSet | None = None) -> str | None:
    """None when a person's age on the day of a recorded ``event`` is plausible under the rule set.

    ``event``: "admission" (the admission decision) and "full" (recognition as a full member) need
    at least ``admission.age_min_years`` in full months, since the cell may consider only a person of
    that age and the decision and recognition come after (Điều lệ Đảng, Điều 1; Quy định 232-QĐ/TW,
    20/1/2025); "course" (the party-awareness course) needs ``admission.course_min_age_years``
    (a plausibility bound, unconfirmed: a pupil may attend the year before turning 18). A day
    before the birth is always refused.
    """
    rs = rs or ruleset_for(on)
    what = {"admission": "vào Đảng", "full": "được công nhận đảng viên chính thức",
            "course": "học lớp bồi dưỡng nhận thức về Đảng"}[event]
    if on < birth:
        return f"Ngày {what} ({on:%d/%m/%Y}) không thể trước ngày sinh ({birth:%d/%m/%Y})."
    low = rs["admission.course_min_age_years" if event == "course" else "admission.age_min_years"]
    if age_in_full_months(birth, on) < low * 12:
        return (f"Ngày {what} ({on:%d/%m/%Y}) người này mới {age_text(birth, on)}, chưa đủ {low} tuổi: "
                "hãy kiểm tra lại ngày sinh và ngày này.")
    return None


def course_certificate_expires(passed_on: dt.date, rs: RuleSet | None = None) -> dt.date:
    """Last day the party-awareness course certificate is valid: the corresponding day N years on.

    Source: Quy định 232-QĐ/TW, 20/1/2025 (certificate required); validity of 5 years is the
    project's unconfirmed default (``admission.course_certificate_valid_years``); Bộ luật Dân sự
    2015, Điều 147–148 for where the period ends.
    """
    rs = rs or ruleset_for(passed_on)
    return add_months(passed_on, 12 * rs["admission.course_certificate_valid_years"])


def course_certificate_valid(passed_on: dt.date, on: dt.date, rs: RuleSet | None = None) -> bool:
    """True when a certificate obtained on ``passed_on`` is valid on ``on`` (through its expiry day).

    Source: Quy định 232-QĐ/TW, 20/1/2025; see :func:`course_certificate_expires`.
    """
    rs = rs or ruleset_for(on)
    return passed_on <= on <= course_certificate_expires(passed_on, rs)


def introducer_check(
    full_on: dt.date | None,
    worked_with_since: dt.date | None,
    on: dt.date,
    rs: RuleSet | None = None,
) -> str | None:
    """None when an introducer qualifies on ``on``; otherwise the reasons, in Vietnamese.

    The introducer must have been a full member for at least ``admission.introducer_min_full_years``
    by ``on`` and, when ``worked_with_since`` is known, have worked with the applicant for at least
    ``admission.introducer_min_worked_years``. ``full_on=None`` means not a full member.
    Source: Điều lệ Đảng, Điều 4; Quy định 232-QĐ/TW, 20/1/2025.
    """
    rs = rs or ruleset_for(on)
    problems: list[str] = []
    full_years = rs["admission.introducer_min_full_years"]
    if full_on is None or full_on > on:
        problems.append("người giới thiệu chưa là đảng viên chính thức")
    elif add_months(full_on, 12 * full_years) > on:
        problems.append(
            f"người giới thiệu là đảng viên chính thức từ {full_on:%d/%m/%Y}, chưa đủ {full_years} năm"
        )
    if worked_with_since is not None:
        worked_years = rs["admission.introducer_min_worked_years"]
        if add_months(worked_with_since, 12 * worked_years) > on:
            problems.append(
                f"mới cùng công tác với người vào Đảng từ {worked_with_since:%d/%m/%Y},"
                f" chưa đủ {worked_years} năm"
            )
    if not problems:
        return None
    text = "; ".join(problems)
    return text[0].upper() + text[1:] + "."


def dossier_stale(dossier_on: dt.date, on: dt.date, rs: RuleSet | None = None) -> bool:
    """True when a dossier dated ``dossier_on`` is older than 12 months on ``on`` without a decision.

    Then the introducer letter and the Youth Union's resolution must be renewed. The dossier is
    still current on the corresponding day 12 months later and stale from the day after.
    Source: Hướng dẫn 06-HD/TW, 9/6/2025 (Quy định 29-QĐ/TW, 2016 before it).
    """
    rs = rs or ruleset_for(on)
    return on > add_months(dossier_on, rs["admission.dossier_max_months"])


def resolution_passes(in_favour: int, full_members: int, rs: RuleSet | None = None) -> bool:
    """True when ``in_favour`` full members are at least the required share (2/3) of all full members.

    Exact arithmetic: with share p/q it passes when in_favour × q ≥ full_members × p (6 of 9 passes).
    Source: Điều lệ Đảng, Điều 4 (share unconfirmed for admission: ``admission.cell_vote_share``).
    """
    if full_members <= 0 or in_favour < 0 or in_favour > full_members:
        raise ValueError(
            f"Số phiếu không hợp lệ: {in_favour} tán thành trên {full_members} đảng viên chính thức."
        )
    rs = rs or ruleset_for()
    share = _fraction(rs["admission.cell_vote_share"])
    return in_favour * share.denominator >= full_members * share.numerator


def parse_term(text: str | None) -> tuple[int, int]:
    """'2025-2030' (or with an en or em dash, spaces allowed) → (2025, 2030) for an admission quota's
    term; ValueError (Vietnamese) when it is not a term of at most ten years from 1930 on."""
    raw = nfc(text).replace("–", "-").replace("—", "-").replace(" ", "")
    first, sep, last = raw.partition("-")
    if not sep or not (raw.isascii() and first.isdigit() and last.isdigit() and len(first) == 4 and len(last) == 4):
        raise ValueError("Nhiệm kỳ ghi dạng năm đầu-năm cuối, ví dụ 2025-2030.")
    a, b = int(first), int(last)
    if not 1930 <= a < b <= a + 10:
        raise ValueError("Nhiệm kỳ không hợp lệ: năm cuối phải sau năm đầu.")
    return a, b
