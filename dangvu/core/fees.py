"""Party fees (đảng phí): what a member owes each month (Quyết định 342-QĐ/TW, 28/12/2010).

Money is integer đồng. The rates, the "other members" range, the share past working age and the
rounding are parameters of the dated rule set; a month's fee uses the rule set in force on the
month's first day. Pure Python, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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
