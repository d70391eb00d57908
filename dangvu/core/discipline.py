"""Discipline cases of members: statute of limitations, who decides, step order, appeal window.

Sources: Điều lệ Đảng, Điều 35–38 (forms, competent levels, votes); Quy định 102-QĐ/TW,
15/11/2017 and Quy định 69-QĐ/TW, 6/7/2022 (statute of limitations, cases not yet considered);
Quy định 22-QĐ/TW, 28/7/2021 (procedure, appeals). Every number comes from the rule set in force;
nothing here is a literal. Messages are Vietnamese and shown to the user as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from .rulesets import RuleSet


class DisciplineRefused(ValueError):
    """A step the rules refuse; the message is plain Vietnamese."""


class Step(StrEnum):
    """The procedure's steps, in order (Quy định 22-QĐ/TW, 2021; Quy định 69-QĐ/TW, 2022)."""

    OPENED = "opened"  # vụ việc được mở (từ đơn thư, kết luận kiểm tra, chi bộ phát hiện)
    SELF_REVIEW = "self_review"  # đảng viên tự kiểm điểm
    CELL_VOTE = "cell_vote"  # chi bộ họp, biểu quyết đề nghị hình thức
    DECIDED = "decided"  # cấp có thẩm quyền quyết định (có thể không kỷ luật)
    APPEALED = "appealed"  # đảng viên khiếu nại
    APPEAL_DECIDED = "appeal_decided"  # cấp trên giải quyết khiếu nại
    CLOSED = "closed"  # dừng xem xét (hết thời hiệu, không kỷ luật…)


STEP_LABELS: dict[str, str] = {
    Step.OPENED: "Mở vụ việc",
    Step.SELF_REVIEW: "Đảng viên tự kiểm điểm",
    Step.CELL_VOTE: "Chi bộ họp, biểu quyết",
    Step.DECIDED: "Cấp có thẩm quyền quyết định",
    Step.APPEALED: "Đảng viên khiếu nại",
    Step.APPEAL_DECIDED: "Giải quyết khiếu nại",
    Step.CLOSED: "Dừng xem xét",
}

# The step a case must be at (its state) for the next one to be recorded.
_AFTER: dict[str, frozenset[str]] = {
    Step.SELF_REVIEW: frozenset({Step.OPENED}),
    Step.CELL_VOTE: frozenset({Step.SELF_REVIEW}),
    Step.DECIDED: frozenset({Step.CELL_VOTE}),
    Step.APPEALED: frozenset({Step.DECIDED}),
    Step.APPEAL_DECIDED: frozenset({Step.APPEALED}),
    Step.CLOSED: frozenset({Step.OPENED, Step.SELF_REVIEW, Step.CELL_VOTE}),
}


def check_step(state: str, step: str) -> None:
    """Refuse a step out of order: self-review → cell vote → decision → appeal → its decision;
    a case not yet decided may be closed (Quy định 22-QĐ/TW, 2021: tự kiểm điểm trước khi chi bộ
    xem xét; chi bộ biểu quyết trước khi cấp có thẩm quyền quyết định)."""
    allowed = _AFTER.get(step)
    if allowed is None:
        raise DisciplineRefused("Bước không hợp lệ.")
    if state in allowed:
        return
    if state == Step.CLOSED:
        raise DisciplineRefused("Vụ việc đã dừng xem xét: không ghi thêm bước nào.")
    if step == Step.CLOSED:
        raise DisciplineRefused("Vụ việc đã có quyết định: không dừng xem xét được nữa.")
    need = " hoặc ".join(STEP_LABELS[s] for s in sorted(allowed))
    raise DisciplineRefused(
        f"Chưa thể ghi «{STEP_LABELS[step]}»: vụ việc đang ở bước «{STEP_LABELS.get(state, state)}», "
        f"cần xong bước «{need}» trước.")


# -- statute of limitations ------------------------------------------------------------------------

def limitation_years(form: str, rs: RuleSet) -> int | None:
    """Years of the limitation for a violation warranting ``form``; None: no limitation
    (expulsion-level violations) (Quy định 69-QĐ/TW, 2022, Điều 5; Quy định 102-QĐ/TW, 2017)."""
    years = rs["discipline.limitation_years"]
    return years.get(form)


def limitation_start(violation_on: dt.date, years: int, later_violations: Iterable[dt.date]) -> dt.date:
    """The day the limitation runs from: the violation, restarted by each new violation committed
    while it still runs (Quy định 69-QĐ/TW, 2022, Điều 5: có vi phạm mới trong thời hạn thì thời
    hiệu tính lại từ thời điểm vi phạm mới)."""
    start = violation_on
    for day in sorted(later_violations):
        if day <= start:
            continue
        if day < start + relativedelta(years=years):
            start = day
        else:
            break  # the period had already run out: a later violation cannot revive it
    return start


def limitation_ends(violation_on: dt.date, form: str, rs: RuleSet, *, grave: str = "",
                    later_violations: Iterable[dt.date] = ()) -> dt.date | None:
    """The last day a violation warranting ``form`` may still be disciplined; None: never expires
    (expulsion level, or a listed grave ground) (Quy định 69-QĐ/TW, 2022, Điều 5)."""
    if grave:
        if grave not in rs["discipline.no_limitation_grounds"]:
            raise DisciplineRefused("Loại vi phạm không áp dụng thời hiệu không hợp lệ.")
        return None
    years = limitation_years(form, rs)
    if years is None:
        return None
    start = limitation_start(violation_on, years, later_violations)
    return start + relativedelta(years=years) - dt.timedelta(days=1)


def check_limitation(on: dt.date, violation_on: dt.date, form: str, rs: RuleSet, *, grave: str = "",
                     later_violations: Iterable[dt.date] = ()) -> None:
    """Refuse a decision on ``on`` once the limitation has run out: no discipline then."""
    if violation_on > on:
        raise DisciplineRefused("Ngày vi phạm sau ngày xem xét.")
    ends = limitation_ends(violation_on, form, rs, grave=grave, later_violations=later_violations)
    if ends is not None and on > ends:
        raise DisciplineRefused(
            f"Đã hết thời hiệu xử lý kỷ luật (hết ngày {ends:%d/%m/%Y}, {limitation_years(form, rs)} năm "
            f"kể từ vi phạm): không kỷ luật đảng viên. Có thể dừng xem xét vụ việc.")


# -- cases not yet considered ------------------------------------------------------------------------

def child_block_ends(child_born_on: dt.date | None, rs: RuleSet) -> dt.date | None:
    """The first day the case may be considered again for a member raising a child born on
    ``child_born_on`` (Quy định 69-QĐ/TW, 2022, Điều 3; Quy định 22-QĐ/TW, 2021)."""
    if child_born_on is None:
        return None
    return child_born_on + relativedelta(months=rs["discipline.child_months"])


def check_not_blocked(on: dt.date, child_born_on: dt.date | None, rs: RuleSet) -> None:
    ends = child_block_ends(child_born_on, rs)
    if ends is not None and child_born_on <= on < ends:
        raise DisciplineRefused(
            f"Đảng viên đang nuôi con nhỏ dưới {rs['discipline.child_months']} tháng tuổi: chưa xem xét "
            f"kỷ luật (xem xét từ ngày {ends:%d/%m/%Y}).")


# -- forms, votes, competent level --------------------------------------------------------------------

def check_form(form: str, member_status: str, rs: RuleSet) -> None:
    """Probationary members only reprimand or warning (Điều lệ Đảng, Điều 35)."""
    key = "discipline.forms_probationary" if member_status == "probationary" else "discipline.forms_member"
    if form not in rs[key]:
        raise DisciplineRefused("Đảng viên dự bị chỉ bị khiển trách hoặc cảnh cáo." if member_status == "probationary"
                                else "Hình thức kỷ luật không hợp lệ.")


def vote_passes(in_favour: int, full_members: int, rs: RuleSet) -> bool:
    """The cell proposes the form when more than the set share of its full members agree
    (Điều lệ Đảng, Điều 38; share unconfirmed)."""
    return full_members > 0 and in_favour > rs["discipline.vote_min_share"] * full_members


def check_vote(in_favour: int, against: int, full_members: int) -> None:
    if min(in_favour, against, full_members) < 0:
        raise DisciplineRefused("Số phiếu không được âm.")
    if full_members == 0:
        raise DisciplineRefused("Cần ghi số đảng viên chính thức của chi bộ.")
    if in_favour + against > full_members:
        raise DisciplineRefused("Số tán thành và không tán thành vượt quá số đảng viên chính thức.")


def competent_level(form: str, post_levels: Sequence[int], rs: RuleSet) -> int:
    """How many levels above the member's cell the competent committee sits (0: the cell,
    1: the grassroots committee, 2: the level above it…), by the form and the committee posts the
    member holds (``post_levels``: the level of each). The cell reprimands and warns its members;
    dismissal and expulsion go to the grassroots committee; a committee member is dismissed or
    expelled by the committee above the one they sit on (Điều lệ Đảng, Điều 36; Quy định 24-QĐ/TW,
    2021; levels unconfirmed, in the rule set)."""
    base = rs["discipline.competent_level"].get(form)
    if base is None:
        raise DisciplineRefused("Hình thức kỷ luật không hợp lệ.")
    if form == "dismissal" and not post_levels:
        raise DisciplineRefused("Đảng viên không giữ chức vụ trong cấp ủy: không áp dụng hình thức cách chức.")
    extra = rs["discipline.post_extra_levels"].get(form, 0)
    return max([base, *(level + extra for level in post_levels)])


# -- appeal ----------------------------------------------------------------------------------------

def appeal_deadline(received_on: dt.date, rs: RuleSet) -> dt.date:
    """The last day of the appeal window from the day the member received the decision
    (Quy định 22-QĐ/TW, 2021; window unconfirmed, in the rule set)."""
    return received_on + relativedelta(months=rs["discipline.appeal_months"])


def check_appeal(lodged_on: dt.date, received_on: dt.date, rs: RuleSet) -> None:
    if lodged_on < received_on:
        raise DisciplineRefused("Ngày khiếu nại trước ngày nhận quyết định.")
    deadline = appeal_deadline(received_on, rs)
    if lodged_on > deadline:
        raise DisciplineRefused(
            f"Quá hạn khiếu nại: phải khiếu nại trong {rs['discipline.appeal_months']} tháng kể từ ngày nhận "
            f"quyết định (đến hết ngày {deadline:%d/%m/%Y}).")
