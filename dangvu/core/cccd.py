"""Citizen identity number (CCCD) validation.

Structure (Thông tư 07/2016/TT-BCA, amended by Thông tư 59/2021/TT-BCA; Luật Căn cước 2023):
12 digits = 3-digit province code of birth registration + 1 digit for gender and century
+ 2 digits for the last two digits of the birth year + 6 random digits.
Gender/century digit: 0/1 = male/female born 1900–1999, 2/3 = 2000–2099, 4/5 = 2100–2199,
6/7 = 2200–2299, 8/9 = 1800–1899.
"""

from __future__ import annotations

import datetime as dt

# Province codes of birth registration (Thông tư 07/2016/TT-BCA, Phụ lục), the 63 pre-2025
# provinces; numbers stay valid on cards issued before the 2025 merger.
PROVINCE_CODES: frozenset[str] = frozenset(
    ["001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024", "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045", "046", "048", "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070", "072", "074", "075", "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093", "094", "095", "096"]
)

_CENTURY_BASE = {0: 1900, 2: 2000, 4: 2100, 6: 2200, 8: 1800}


def gender_century_digit(gender: str, birth_year: int) -> int:
    """The 4th digit a CCCD must carry for this gender ('male'/'female') and birth year."""
    base = (birth_year // 100) * 100
    inverse = {v: k for k, v in _CENTURY_BASE.items()}
    if base not in inverse:
        raise ValueError("Năm sinh ngoài phạm vi mã căn cước.")
    return inverse[base] + (1 if gender == "female" else 0)


def validate_cccd(number: str, gender: str | None = None, birth_date: dt.date | None = None) -> list[str]:
    """Problems with a CCCD number as Vietnamese messages; an empty list means valid.

    Source: Thông tư 07/2016/TT-BCA, Điều 7 (structure of the personal identification number).
    """
    number = (number or "").strip()
    if len(number) != 12 or not number.isdigit():
        return ["Số CCCD phải gồm đúng 12 chữ số."]
    problems = []
    if number[:3] not in PROVINCE_CODES:
        problems.append(f"Mã tỉnh nơi đăng ký khai sinh «{number[:3]}» không tồn tại.")
    digit = int(number[3])
    if gender in ("male", "female"):
        expected_female = digit % 2 == 1
        if expected_female != (gender == "female"):
            problems.append("Chữ số thứ 4 của CCCD không khớp với giới tính.")
    if birth_date is not None:
        century = _CENTURY_BASE[digit - digit % 2]
        if century != (birth_date.year // 100) * 100:
            problems.append("Chữ số thứ 4 của CCCD không khớp với thế kỷ của năm sinh.")
        if number[4:6] != f"{birth_date.year % 100:02d}":
            problems.append("Chữ số thứ 5–6 của CCCD không khớp với năm sinh.")
    return problems


def make_cccd(province: str, gender: str, birth_year: int, serial: int) -> str:
    """Build a structurally valid CCCD (for synthetic demo data only)."""
    return f"{province}{gender_century_digit(gender, birth_year)}{birth_year % 100:02d}{serial % 1_000_000:06d}"
