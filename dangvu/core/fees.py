"""Party fees (đảng phí): what a member owes each month (Quyết định 342-QĐ/TW, 28/12/2010).

Money is integer đồng. The rates, the "other members" range, the share past working age and the
rounding are parameters of the dated rule set; a month's fee uses the rule set in force on the
month's first day. Pure Python, no Django.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from dangvu.core.numbers import decimal, thousands
from dangvu.core.rulesets import RuleSet

SOURCE = "Quyết định 342-QĐ/TW, 28/12/2010"


class FeeCategory(StrEnum):
    SALARIED = "salaried"      # tiền lương, phụ cấp đóng bảo hiểm xã hội
    PENSIONER = "pensioner"    # lương hưu, trợ cấp bảo hiểm xã hội hằng tháng
    ENTERPRISE = "enterprise"  # tiền lương trong doanh nghiệp, đơn vị sự nghiệp
    OTHER = "other"            # mức chi bộ quy định


RULE_PHRASES = {  # what the rate is taken of, as the rule line says it
    FeeCategory.SALARIED: "tiền lương, phụ cấp đóng BHXH",
    FeeCategory.PENSIONER: "lương hưu, trợ cấp BHXH hằng tháng",
    FeeCategory.ENTERPRISE: "tiền lương trong doanh nghiệp, đơn vị sự nghiệp",
}
CATEGORY_LABELS = {
    FeeCategory.SALARIED: "Đảng viên hưởng lương (tiền lương, phụ cấp đóng BHXH)",
    FeeCategory.PENSIONER: "Đảng viên hưởng lương hưu, trợ cấp BHXH",
    FeeCategory.ENTERPRISE: "Đảng viên làm việc trong doanh nghiệp, đơn vị sự nghiệp",
    FeeCategory.OTHER: "Đảng viên khác (mức chi bộ quy định)",
}


class FeeError(ValueError):
    """A basis the rule cannot compute from; the message is plain Vietnamese."""


@dataclass(frozen=True)
class FeeDue:
    due: int  # đồng a month
    rule: str  # the source and the rate, for the book and the CLI


dong = thousands  # an amount of đồng as Vietnamese write it: 73.500


def round_dong(amount_x1000: int, unit: int) -> int:
    """An amount given in thousandths of a đồng, rounded half up to a multiple of ``unit`` đồng
    (integers throughout: no float ever touches money)."""
    step = unit * 1000
    return (amount_x1000 + step // 2) // step * unit


def monthly_due(category: str, base: int, rs: RuleSet, *, past_working_age: bool = False) -> FeeDue:
    """The monthly fee of a member of ``category`` whose basis is ``base`` đồng (salary and
    allowances, pension, wage; for ``other``, the amount the cell set). Quyết định 342-QĐ/TW, 2010:
    salaried and enterprise staff 1%, pensioners 0.5%, others 2,000–30,000 đồng a month as the cell
    sets, half of that past working age; the rates live in the rule set."""
    try:
        cat = FeeCategory(category)
    except ValueError:
        raise FeeError(f"Không có đối tượng đóng đảng phí «{category}»; chọn một trong: "
                       f"{', '.join(c.value for c in FeeCategory)}.") from None
    if isinstance(base, bool) or not isinstance(base, int) or base < 0:
        raise FeeError("Khoản tính đảng phí phải là số tiền nguyên (đồng), không âm.")
    unit = rs["fees.round_to"]
    if cat is FeeCategory.OTHER:
        low, high = rs["fees.other_range"]["min"], rs["fees.other_range"]["max"]
        if not low <= base <= high:
            raise FeeError(f"Mức đóng của đảng viên khác do chi bộ quy định trong khoảng {dong(low)}–{dong(high)} "
                           f"đồng một tháng; {dong(base)} đồng nằm ngoài khoảng đó.")
        if not past_working_age:
            return FeeDue(base, f"{SOURCE}: mức chi bộ quy định ({dong(low)}–{dong(high)} đồng/tháng)")
        percent = rs["fees.past_working_age_percent"]
        return FeeDue(round_dong(base * percent * 10, unit),
                      f"{SOURCE}: đảng viên quá tuổi lao động đóng {percent}% mức chi bộ quy định")
    per_mille = rs["fees.rate_per_mille"][cat.value]
    rate = decimal(per_mille / 10)
    return FeeDue(round_dong(base * per_mille, unit), f"{SOURCE}: {rate}% {RULE_PHRASES[cat]}")


# -- months and the state of a member's month --------------------------------------------------

def month_start(day: dt.date) -> dt.date:
    """A month is stored as its first day."""
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after ``month`` (``n`` may be negative)."""
    return month_start(month) + relativedelta(months=n)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from ``first`` to ``last`` inclusive (first days), empty when ``last`` is earlier."""
    first, last = month_start(first), month_start(last)
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, i) for i in range(max(count, 0))]


class MonthState(StrEnum):
    """How a member stands for one month of the book."""
    PAID = "paid"          # paid at least what was due
    PARTIAL = "partial"    # paid something, less than due
    UNPAID = "unpaid"      # nothing paid, no reason recorded
    EXCUSED = "excused"    # not paid, with a reason the cell accepted
    NO_BASIS = "no_basis"  # no fee basis recorded: nothing can be said to be due


MONTH_STATE_LABELS = {
    MonthState.PAID: "Đã nộp đủ",
    MonthState.PARTIAL: "Nộp thiếu",
    MonthState.UNPAID: "Chưa nộp",
    MonthState.EXCUSED: "Chưa nộp, có lý do",
    MonthState.NO_BASIS: "Chưa có mức đóng",
}


def month_state(due: int | None, paid: int, excused: bool) -> MonthState:
    """The state of a member's month from what was due, the sum paid and whether the cell accepted
    a reason for not paying (Điều lệ Đảng, Điều 8: only unpaid months *without reason* count
    towards removal)."""
    if due is None:
        return MonthState.PAID if paid > 0 else MonthState.NO_BASIS
    if paid >= due:
        return MonthState.PAID
    if excused:
        return MonthState.EXCUSED
    return MonthState.PARTIAL if paid > 0 else MonthState.UNPAID


def voluntary(due: int | None, paid: int) -> int:
    """What a member paid beyond what was due, recorded as a voluntary contribution."""
    return max(paid - (due or 0), 0)


# -- arrears: months unpaid without reason (Điều lệ Đảng, Điều 8) -------------------------------

def arrears_window(today: dt.date, rs: RuleSet) -> tuple[dt.date, dt.date]:
    """The first and last month looked at for arrears on ``today``: the
    ``member.unpaid_fee_window_months`` (12) months that have ended, the month still being
    collected left out (a cell collects during the month, so the running month is never late yet).
    Điều lệ Đảng, Điều 8: "không đóng đảng phí ba tháng trong năm mà không có lý do chính đáng"."""
    this = month_start(today)
    return add_months(this, -rs["member.unpaid_fee_window_months"]), add_months(this, -1)


def first_counted_month(joined: dt.date | None) -> dt.date | None:
    """The first month a member can be in arrears with the cell they joined on ``joined``: the
    joining month itself when joined on its first day, else the next month (the month they arrived
    in may already be paid, or owed, in the cell they left). None: no date known, no limit."""
    if joined is None:
        return None
    first = month_start(joined)
    return first if joined == first else add_months(first, 1)


def counts_as_unpaid(due: int | None, paid: int, excused: bool) -> bool:
    """A month that counts towards removal: something was due, less was paid, and the cell accepted
    no reason (partly paid counts; excused or no basis does not). Điều lệ Đảng, Điều 8."""
    return month_state(due, paid, excused) in (MonthState.UNPAID, MonthState.PARTIAL)
