"""Name and place lists for the synthetic demo data, written for this project.

Every person and place produced from these lists is invented: surnames and given names are
common Vietnamese syllables put together at random, and place names are combinations of
ordinary words ("Đồng", "Gò", "Nà", "Buôn"…), not a copy of any register or gazetteer.
Each ethnic group has its own naming pattern (Kinh: family + middle + given; H'Mông and Dao
use their own middle names; Ê Đê puts the "Y"/"H'" prefix before the given name and the
family name last; Khmer given names often have two syllables).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# -- Kinh ---------------------------------------------------------------------------------

KINH_FAMILY: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 30), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Vũ", 4), ("Phan", 3),
    ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1.5), ("Ngô", 1.3), ("Dương", 1), ("Đinh", 1),
    ("Trịnh", 1), ("Trương", 1), ("Võ", 1.5), ("Huỳnh", 1), ("Lương", 0.8), ("Đoàn", 0.8), ("Hà", 0.8),
    ("Mai", 0.6), ("Cao", 0.6), ("Phùng", 0.5), ("Lý", 0.5), ("Tạ", 0.5), ("Lâm", 0.4), ("Chu", 0.4),
    ("Tô", 0.4), ("Kiều", 0.3), ("Nghiêm", 0.3), ("Lại", 0.3), ("Triệu", 0.3), ("Vương", 0.3),
    ("Đàm", 0.3), ("Quách", 0.2), ("Khuất", 0.2), ("Thân", 0.2), ("Giáp", 0.2), ("Mạc", 0.2),
    ("Tăng", 0.2), ("La", 0.2), ("Từ", 0.2), ("Âu", 0.1), ("Ông", 0.1), ("Khổng", 0.1),
)

KINH_MIDDLE_MALE: tuple[tuple[str, float], ...] = (
    ("Văn", 40), ("Đức", 6), ("Minh", 6), ("Quang", 4), ("Hữu", 4), ("Công", 3), ("Xuân", 3),
    ("Ngọc", 3), ("Thanh", 3), ("Bá", 2), ("Đình", 3), ("Trọng", 2), ("Tiến", 2), ("Mạnh", 1),
    ("Quốc", 2), ("Duy", 2), ("Hoàng", 1), ("Anh", 1), ("Thế", 2), ("Tuấn", 1), ("Viết", 1),
    ("Khắc", 1), ("Huy", 1), ("Trung", 1), ("Hải", 1), ("Phúc", 1),
)

KINH_MIDDLE_FEMALE: tuple[tuple[str, float], ...] = (
    ("Thị", 45), ("Ngọc", 4), ("Thu", 4), ("Hồng", 3), ("Thanh", 3), ("Kim", 3), ("Phương", 2),
    ("Minh", 2), ("Thùy", 2), ("Bích", 2), ("Hải", 1), ("Mai", 1), ("Diệu", 1), ("Khánh", 1),
    ("Quỳnh", 1), ("Bảo", 1), ("Hoài", 1), ("Thúy", 1), ("Lan", 1), ("Vân", 1),
)

KINH_GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Đạt", "Đông", "Giang", "Hải", "Hiếu", "Hòa", "Hoàng", "Hùng", "Huy", "Khải", "Khánh", "Khoa", "Kiên", "Lâm", "Lộc", "Long", "Lực", "Minh", "Nam", "Nghĩa", "Ngọc", "Nhân", "Phong", "Phúc", "Phương", "Quân", "Quang", "Quý", "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Thanh", "Thịnh", "Thông", "Tiến", "Toàn", "Trí", "Trung", "Trường", "Tú", "Tuấn", "Tùng", "Vinh", "Việt", "Vũ", "Thuận", "Chiến", "Lợi", "Hưng", "Định", "Bảo", "Duy", "Khôi", "Đức", "Hậu", "Kỳ", "Luân", "Mạnh", "Sang", "Thái", "Thiện", "Tín", "Tuyên", "Vượng", "Xuân", "Cảnh", "Điệp", "Hạnh", "Hợp", "Khiêm", "Lượng", "Nhật", "Quyết", "Sáng", "Thạch", "Thưởng", "Toản", "Tường", "Vĩnh"]

KINH_GIVEN_FEMALE = ["Anh", "Bích", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hòa", "Hồng", "Huệ", "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Ly", "Mai", "Minh", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thắm", "Thanh", "Thoa", "Thủy", "Thúy", "Thư", "Trang", "Trinh", "Tuyết", "Vân", "Yến", "Xuân", "Hảo", "Lụa", "Mến", "Nhàn", "Sen", "Đào", "Cúc", "Lý", "Nhài", "Vui", "Khuyên", "Thơm", "Gấm", "Hậu", "Lành", "Mơ", "Ngát", "Nhạn", "Quế", "Thêu", "Tươi", "Uyên", "Vinh"]


@dataclass(frozen=True)
class EthnicPattern:
    """How a group's names are put together."""

    family: tuple[str, ...]
    middle_male: tuple[str, ...]
    middle_female: tuple[str, ...]
    given_male: tuple[str, ...]
    given_female: tuple[str, ...]
    style: str = "family_first"  # or "prefix_last" (Ê Đê: "Y"/"H'" + given + family)


ETHNIC: dict[str, EthnicPattern] = {
    "Tày": EthnicPattern(
        family=("Hoàng", "Nông", "Lục", "Ma", "Bế", "Đàm", "Hà", "Lương", "Chu", "Linh", "Mông"),
        middle_male=("Văn", "Văn", "Đức", "Thế"),
        middle_female=("Thị", "Thị", "Thu"),
        given_male=("Thắng", "Khìn", "Slảng", "Lèng", "Pằn", "Hoàn", "Thoóng", "Quyết", "Dũng", "Chúng"),
        given_female=("Hoa", "Mện", "Nhình", "Slao", "Phặng", "Lìu", "Dịu", "Nhật", "Hảo"),
    ),
    "Nùng": EthnicPattern(
        family=("Vi", "Lăng", "Nông", "Hoàng", "Lục", "Sầm", "Mã", "Lý"),
        middle_male=("Văn", "Văn", "Seo"),
        middle_female=("Thị",),
        given_male=("Sình", "Pảo", "Sần", "Thìn", "Khánh", "Phủ", "Lình"),
        given_female=("Mùi", "Phây", "Sáu", "Nhung", "Slíu", "Pấu"),
    ),
    "Thái": EthnicPattern(
        family=("Lò", "Lường", "Cầm", "Quàng", "Tòng", "Vì", "Hà", "Lự", "Điêu", "Mè"),
        middle_male=("Văn", "Văn", "Văn"),
        middle_female=("Thị", "Thị"),
        given_male=("Pấng", "Xuân", "Ngoan", "Hặc", "Khăm", "Sơn", "Ún", "Panh", "Chiến", "Dương"),
        given_female=("Xuân", "Ỏm", "Ngần", "Pỏm", "Ín", "Phanh", "Lả", "Hoan", "Bua", "Xiêng"),
    ),
    "Mường": EthnicPattern(
        family=("Bùi", "Đinh", "Quách", "Hà", "Xa", "Bạch", "Cao"),
        middle_male=("Văn", "Văn", "Công"),
        middle_female=("Thị", "Thị"),
        given_male=("Nhọt", "Khánh", "Thường", "Bỉ", "Lành", "Sứ", "Tuynh", "Đông", "Khương"),
        given_female=("Bìn", "Thênh", "Lải", "Ngát", "Dịu", "Nhụi", "Xinh", "Mỡ"),
    ),
    "H'Mông": EthnicPattern(
        family=("Giàng", "Sùng", "Thào", "Vàng", "Lầu", "Mùa", "Hờ", "Vừ", "Lý", "Tráng", "Má"),
        middle_male=("A", "Seo", "Mí", "Văn", "Chứ"),
        middle_female=("Thị", "Thị"),
        given_male=("Páo", "Chứ", "Dế", "Lử", "Chá", "Sử", "Tủa", "Sính", "Pó", "Dình"),
        given_female=("Mỷ", "Dua", "Pà", "Súa", "Mai", "Sua", "Dở", "Chù", "Mái"),
    ),
    "Dao": EthnicPattern(
        family=("Triệu", "Bàn", "Đặng", "Lý", "Phùn", "Chảo", "Tẩn"),
        middle_male=("Văn", "Tài", "Quẩy", "Láo", "Phù"),
        middle_female=("Thị", "Mùi", "Tả"),
        given_male=("Phin", "Tòng", "Kiềm", "Vần", "Chàn", "Sinh", "Lở", "Dùn"),
        given_female=("Xiêm", "Mẩy", "Nhất", "Chòi", "Liều", "Sành", "Kiều"),
    ),
    "Ê Đê": EthnicPattern(
        family=("Niê", "Mlô", "Ayun", "Êban", "Byă", "Knul", "Adrơng", "Hwing", "Kbuôr", "Buôn Yă"),
        middle_male=("Y",),
        middle_female=("H'",),
        given_male=("Khu", "Bhin", "Thuốt", "Nguôn", "Blin", "Kriêng", "Sô", "Jôn", "Mlan", "Wut"),
        given_female=("Nhi", "Lan", "Ren", "Hlung", "Bia", "Drim", "Ni", "Mai", "Wah", "Yam"),
        style="prefix_last",
    ),
    "Khmer": EthnicPattern(
        family=("Thạch", "Sơn", "Danh", "Kim", "Lâm", "Châu", "Trà"),
        middle_male=("", "", "Văn"),
        middle_female=("Thị",),
        given_male=("Sô Phên", "Sà Rết", "Ngọc Sa", "Rinh", "Sóc Khên", "Phol", "Sa Rinh", "Kha",
                    "Chanh Đa", "Hên", "Sà Phon"),
        given_female=("Sa Vanh", "Sô Phia", "Đa Ra", "Mây", "Ren", "Sóc Kha", "Chanh Thu", "Ra Ni",
                      "Sa Rươne"),
    ),
}

# Religion shares (percent) for members of each group; the rest "Không".
RELIGION: dict[str, tuple[tuple[str, float], ...]] = {
    "Kinh": (("Phật giáo", 4), ("Công giáo", 3), ("Tin lành", 0.5)),
    "Tày": (("Phật giáo", 1),),
    "Nùng": (("Phật giáo", 1),),
    "Thái": (),
    "Mường": (("Công giáo", 1),),
    "H'Mông": (("Tin lành", 6), ("Công giáo", 2)),
    "Dao": (("Công giáo", 1),),
    "Ê Đê": (("Tin lành", 20), ("Công giáo", 8)),
    "Khmer": (("Phật giáo", 70),),
}


def weighted(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    names = [n for n, _ in table]
    weights = [w for _, w in table]
    return rng.choices(names, weights)[0]


def person_name(rng: random.Random, gender: str, ethnicity: str = "Kinh") -> str:
    """A plausible full name for this gender ('male'/'female') and ethnic group."""
    female = gender == "female"
    pattern = ETHNIC.get(ethnicity)
    if pattern is None:
        family = weighted(rng, KINH_FAMILY)
        middle = weighted(rng, KINH_MIDDLE_FEMALE if female else KINH_MIDDLE_MALE)
        given = rng.choice(KINH_GIVEN_FEMALE if female else KINH_GIVEN_MALE)
        if rng.random() < 0.12:  # a second middle name, common for the young
            extra = weighted(rng, KINH_MIDDLE_FEMALE if female else KINH_MIDDLE_MALE)
            if extra not in (middle, given, "Văn", "Thị"):
                middle = f"{middle} {extra}" if middle in ("Văn", "Thị") else extra
        return f"{family} {middle} {given}"
    family = rng.choice(pattern.family)
    middle = rng.choice(pattern.middle_female if female else pattern.middle_male)
    given = rng.choice(pattern.given_female if female else pattern.given_male)
    if pattern.style == "prefix_last":
        prefix = middle
        return f"{prefix}{given} {family}" if prefix.endswith("'") else f"{prefix} {given} {family}"
    return " ".join(p for p in (family, middle, given) if p)


def religion_for(rng: random.Random, ethnicity: str) -> str:
    roll = rng.random() * 100
    for name, share in RELIGION.get(ethnicity, RELIGION["Kinh"]):
        if roll < share:
            return name
        roll -= share
    return "Không"


# -- places -------------------------------------------------------------------------------

PROVINCE_NAMES = ("Hòa Lĩnh", "Lam Nguyên", "Bắc Thụy", "Đông Khê", "Trường Giang", "Vân Lĩnh")

COMMUNE_FIRST = (
    "Hòa", "Tân", "Yên", "Phúc", "Vĩnh", "An", "Đông", "Minh", "Thượng", "Kim", "Quỳnh", "Hưng",
    "Lạc", "Thanh", "Gia", "Bình", "Phú", "Xuân", "Ngọc", "Trung", "Đại", "Hợp", "Tiên", "Quang",
)
COMMUNE_SECOND = (
    "Lộc", "Sơn", "Thủy", "Khê", "Hà", "Lâm", "Xuyên", "Điền", "Trung", "Hưng", "Phong", "Mỹ",
    "Tiến", "Lương", "Nguyên", "Đạt", "Thành", "Nghĩa", "Cương", "Lĩnh", "Tường", "Thái", "Hải", "Vân",
)

# Kinh villages: a landscape word and a second word, or an ordinary "new era" name.
VILLAGE_FIRST = ("Đồng", "Gò", "Bãi", "Trại", "Đình", "Quán", "Cầu", "Bến", "Dốc", "Đầm", "Vườn",
                 "Cổng", "Giếng", "Núi", "Làng", "Chợ", "Đồi", "Ao")
VILLAGE_SECOND = ("Mới", "Sỏi", "Dâu", "Mít", "Cả", "Gạo", "Tre", "Vải", "Chè", "Sen", "Trên", "Dưới",
                  "Ngoài", "Trong", "Đá", "Thông", "Cau", "Bưởi", "Lim", "Sậy", "Vối", "Muối", "Nứa")
VILLAGE_WHOLE = ("Tân Lập", "Liên Hợp", "Tiền Phong", "Đoàn Kết", "Hợp Thành", "Quyết Tiến",
                 "Thống Nhất", "Thắng Lợi", "Tân Tiến", "Phú Thịnh", "Đồng Tâm", "Hòa Thuận", "Tân Hưng",
                 "Trung Hậu", "Phú Cường", "Nam Tiến", "Bắc Sơn", "Đông Thịnh", "Tây Hòa", "Ngọc Lâm")

# Hamlets (bản) of the northern uplands, by language of the place word.
HAMLET_TAY_FIRST = ("Nà", "Khuổi", "Pác", "Khau", "Pò", "Phiêng", "Cốc", "Lũng", "Nặm", "Bó")
HAMLET_TAY_SECOND = ("Pục", "Lìu", "Rào", "Coóc", "Phầy", "Mạ", "Slam", "Nghiều", "Vài", "Hoi", "Đon",
                     "Chang", "Luông", "Pha", "Tẻn")
HAMLET_THAI_FIRST = ("Nà", "Huổi", "Pá", "Co", "Phiêng", "Nậm", "Hua", "Tà")
HAMLET_THAI_SECOND = ("Mòn", "Lạnh", "Sản", "Hẹ", "Cang", "Tấu", "Bon", "Nọi", "Khoang", "Lót")
HAMLET_MONG_FIRST = ("Sà", "Lùng", "Tả", "Séo", "Háng", "Pờ", "Chù", "Mào")
HAMLET_MONG_SECOND = ("Phìn", "Khấu", "Chải", "Lủng", "Ván", "Sán", "Chư", "Dìn", "Mý")
# Buôn of the Central Highlands.
BUON_FIRST = ("Ea", "Cư", "Ko", "Kroa", "Đrăng")
BUON_SECOND = ("Kmăn", "Drăm", "Siêr", "Bông", "Hning", "Yang", "Pốk", "Ktur", "Sênh", "Tiêu")
# Ấp of the Mekong delta (Kinh and Khmer sounding).
AP_WHOLE = ("Phước Lợi", "Tân Thành", "Mỹ Hòa", "Long Điền", "Hòa Quới", "Bình Tân", "Phú Hữu", "Thạnh Lợi",
            "Sóc Mới", "Trà Set", "Kom Pong", "Xà Lôn", "Sà Lông", "Prêc Chếk", "Tà Ek", "Bưng Cốc",
            "Giồng Dầu", "Rạch Sen", "Kinh Đào", "Vàm Lẻo")


@dataclass(frozen=True)
class Region:
    """A commune's people and settlement pattern."""

    key: str
    ethnic_mix: tuple[tuple[str, float], ...]
    settlement: str  # "thon", "ban_tay", "ban_thai", "mong", "buon", "ap"
    upland_share: float  # share of residential units that are hamlets of the minority group


REGIONS: dict[str, Region] = {
    "delta": Region("delta", (("Kinh", 98), ("Mường", 1), ("Tày", 1)), "thon", 0.0),
    "midland": Region("midland", (("Kinh", 80), ("Mường", 8), ("Tày", 5), ("Dao", 4), ("Nùng", 3)),
                      "ban_tay", 0.2),
    "mountain": Region("mountain", (("Kinh", 40), ("Tày", 22), ("Nùng", 10), ("Dao", 13), ("H'Mông", 15)),
                       "ban_tay", 0.6),
    "northwest": Region("northwest", (("Kinh", 38), ("Thái", 37), ("Mường", 10), ("H'Mông", 15)),
                        "ban_thai", 0.6),
    "highland": Region("highland", (("Kinh", 66), ("Ê Đê", 28), ("Tày", 3), ("Nùng", 3)), "buon", 0.3),
    "mekong": Region("mekong", (("Kinh", 78), ("Khmer", 22)), "ap", 0.3),
}

# Regions a single demo commune is drawn from: Kinh majority, with minority members.
COMMUNE_REGIONS = ("midland", "highland", "mekong")
# The demo province is an inland one: lowland, midland and upland communes.
PROVINCE_REGIONS: tuple[tuple[str, float], ...] = (
    ("delta", 35), ("midland", 35), ("mountain", 18), ("northwest", 12),
)


def commune_name(rng: random.Random, taken: set[str]) -> str:
    for _ in range(1000):
        name = f"{rng.choice(COMMUNE_FIRST)} {rng.choice(COMMUNE_SECOND)}"
        if name not in taken and name.split()[0] != name.split()[1]:
            taken.add(name)
            return name
    n = len(taken) + 1
    name = f"{rng.choice(COMMUNE_FIRST)} {rng.choice(COMMUNE_SECOND)} {n}"
    taken.add(name)
    return name


def residential_unit(rng: random.Random, region: Region, upland: bool, taken: set[str]) -> tuple[str, str]:
    """(locality name, locality kind) for one village, hamlet or ấp, unique within ``taken``."""
    for _ in range(1000):
        if region.settlement == "ap":
            name, kind = f"Ấp {rng.choice(AP_WHOLE)}", "village"
        elif upland and region.settlement == "buon":
            name, kind = f"Buôn {rng.choice(BUON_FIRST)} {rng.choice(BUON_SECOND)}", "hamlet"
        elif upland and region.settlement == "ban_thai":
            name, kind = f"Bản {rng.choice(HAMLET_THAI_FIRST)} {rng.choice(HAMLET_THAI_SECOND)}", "hamlet"
        elif upland and rng.random() < 0.25 and region.key == "mountain":
            name, kind = f"Bản {rng.choice(HAMLET_MONG_FIRST)} {rng.choice(HAMLET_MONG_SECOND)}", "hamlet"
        elif upland:
            name, kind = f"Bản {rng.choice(HAMLET_TAY_FIRST)} {rng.choice(HAMLET_TAY_SECOND)}", "hamlet"
        elif rng.random() < 0.45:
            name, kind = f"Thôn {rng.choice(VILLAGE_WHOLE)}", "village"
        else:
            name, kind = f"Thôn {rng.choice(VILLAGE_FIRST)} {rng.choice(VILLAGE_SECOND)}", "village"
        if name not in taken:
            taken.add(name)
            return name, kind
    name = f"Thôn {len(taken) + 1}"
    taken.add(name)
    return name, "village"


# -- work and study -----------------------------------------------------------------------

EDUCATION_OLD = ("7/10", "10/10", "10/10", "9/10", "12/12", "7/12", "5/10")
EDUCATION_MID = ("12/12", "12/12", "12/12", "9/12", "10/12", "11/12")
EDUCATION_YOUNG = ("12/12",)

OCCUPATIONS: dict[str, tuple[str, ...]] = {
    "residential": ("Nông dân", "Nông dân", "Nông dân", "Hưu trí", "Hưu trí", "Buôn bán", "Lao động tự do",
                    "Cựu chiến binh", "Công nhân", "Giáo viên nghỉ hưu", "Chăn nuôi", "Trồng rừng",
                    "Thợ xây", "Làm dịch vụ"),
    "agency": ("Công chức", "Công chức", "Cán bộ", "Viên chức", "Nhân viên hợp đồng"),
    "school": ("Giáo viên", "Giáo viên", "Giáo viên", "Cán bộ quản lý giáo dục", "Nhân viên kế toán",
               "Nhân viên thư viện"),
    "health": ("Bác sĩ", "Y sĩ", "Điều dưỡng", "Hộ sinh", "Dược sĩ", "Kỹ thuật viên xét nghiệm"),
    "soe": ("Công nhân", "Kỹ sư", "Nhân viên kế toán", "Cán bộ kỹ thuật", "Quản lý trạm"),
    "private": ("Công nhân", "Công nhân", "Tổ trưởng sản xuất", "Kế toán", "Quản đốc", "Nhân viên kinh doanh"),
    "military": ("Quân nhân", "Chỉ huy phó Ban Chỉ huy Quân sự", "Dân quân thường trực"),
    "police": ("Công an", "Cán bộ Công an", "Cảnh sát khu vực"),
}

# Occupations only someone past working age has.
OCCUPATIONS_RETIRED = ("Hưu trí", "Cựu chiến binh", "Giáo viên nghỉ hưu")

QUALIFICATIONS: dict[str, tuple[str, ...]] = {
    "residential": ("", "", "", "", "Sơ cấp nông nghiệp", "Trung cấp kế toán", "Cao đẳng sư phạm"),
    "agency": ("Đại học Luật", "Đại học Hành chính", "Đại học Kinh tế nông nghiệp", "Đại học Kế toán",
               "Thạc sĩ Quản lý kinh tế", "Đại học Quản lý đất đai", "Trung cấp Văn thư lưu trữ"),
    "school": ("Đại học Sư phạm Toán", "Đại học Sư phạm Ngữ văn", "Cao đẳng Sư phạm Mầm non",
               "Đại học Giáo dục Tiểu học", "Đại học Sư phạm Tiếng Anh", "Đại học Sư phạm Lịch sử"),
    "health": ("Bác sĩ đa khoa", "Y sĩ đa khoa", "Cao đẳng Điều dưỡng", "Trung cấp Hộ sinh", "Cao đẳng Dược"),
    "soe": ("Kỹ sư Thủy lợi", "Kỹ sư Điện", "Trung cấp Kế toán", "Cao đẳng Cơ khí"),
    "private": ("", "Trung cấp May", "Cao đẳng Kế toán", "Kỹ sư Cơ khí", "Đại học Quản trị kinh doanh"),
    "military": ("Trung cấp Quân sự cơ sở", "Cao đẳng Quân sự cơ sở", "Đại học Chỉ huy tham mưu"),
    "police": ("Trung cấp Cảnh sát nhân dân", "Đại học An ninh nhân dân", "Đại học Cảnh sát nhân dân"),
}

# -- texts of yearly records ----------------------------------------------------------------

ASSIGNMENTS: dict[str, tuple[str, ...]] = {
    "residential": (
        "Tuyên truyền, vận động nhân dân thực hiện chủ trương của Đảng, chính sách, pháp luật của Nhà nước ở khu dân cư",
        "Phụ trách tổ liên gia tự quản số {n}",
        "Vận động các hộ tham gia xây dựng nông thôn mới kiểu mẫu",
        "Theo dõi, giúp đỡ quần chúng ưu tú phấn đấu vào Đảng",
        "Tham gia tổ hòa giải ở cơ sở",
        "Phụ trách công tác khuyến học, khuyến tài của thôn",
        "Vận động giữ gìn vệ sinh môi trường, cảnh quan đường làng, ngõ xóm",
        "Tham gia tổ bảo vệ an ninh, trật tự ở cơ sở",
        "Vận động hội viên Hội Cựu chiến binh gương mẫu thực hiện nếp sống văn minh",
        "Phụ trách thu đảng phí và sổ sách của chi bộ",
    ),
    "workplace": (
        "Hoàn thành tốt nhiệm vụ chuyên môn được giao, không để chậm muộn hồ sơ",
        "Phụ trách công tác Đoàn thanh niên của đơn vị",
        "Tham gia chuyển đổi số, số hóa hồ sơ của đơn vị",
        "Tham gia cải cách thủ tục hành chính, nâng cao chất lượng phục vụ",
        "Giữ mối liên hệ và gương mẫu thực hiện nghĩa vụ công dân ở nơi cư trú",
        "Kèm cặp, giúp đỡ đồng nghiệp mới, bồi dưỡng quần chúng ưu tú",
        "Phụ trách công tác công đoàn, chăm lo đời sống người lao động",
        "Tham gia ban thanh tra nhân dân của đơn vị",
    ),
}

COMMITMENTS = (
    "Cam kết tu dưỡng, rèn luyện, giữ gìn phẩm chất đạo đức, lối sống; không vi phạm những điều đảng viên không được làm",
    "Cam kết học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh; gương mẫu ở nơi công tác và nơi cư trú",
    "Cam kết phòng, chống biểu hiện suy thoái về tư tưởng chính trị, đạo đức, lối sống, tự diễn biến, tự chuyển hóa",
    "Cam kết thực hiện nghiêm Điều lệ Đảng, nghị quyết của chi bộ; sinh hoạt đầy đủ, đóng đảng phí đúng quy định",
)

RESIDENCE_FEEDBACK = {
    "good": ("Gương mẫu thực hiện nghĩa vụ công dân, tích cực tham gia các phong trào của khu dân cư",
             "Gia đình gương mẫu, tham gia đầy đủ các buổi họp dân và hoạt động của thôn"),
    "fair": ("Ít tham gia sinh hoạt khu dân cư do bận công tác",
             "Chưa tham gia đầy đủ các phong trào ở nơi cư trú"),
    "poor": ("Không liên hệ với chi ủy nơi cư trú trong năm",),
}

DISCIPLINE_REASONS = (
    "Vi phạm quy định về sinh hoạt đảng, nhiều lần vắng sinh hoạt chi bộ",
    "Thiếu trách nhiệm trong quản lý đất đai được giao",
    "Vi phạm quy định về những điều đảng viên không được làm",
    "Điều khiển phương tiện giao thông sau khi uống rượu, bia",
    "Thiếu trách nhiệm trong quản lý tài chính của đơn vị",
    "Vi phạm quy định về thực hành tiết kiệm, chống lãng phí",
)

STRIKE_OFF_REASONS = (
    "Tự ý bỏ sinh hoạt đảng, không đóng đảng phí nhiều tháng không có lý do chính đáng",
    "Giảm sút ý chí phấn đấu, không thực hiện nhiệm vụ đảng viên",
)

TRANSFER_REASONS = {
    "residential": ("Chuyển nơi cư trú", "Về sống cùng gia đình con", "Làm nhà ở khu dân cư mới"),
    "workplace": ("Điều động công tác", "Luân chuyển cán bộ", "Chuyển công tác theo nguyện vọng"),
    "temporary": ("Đi làm việc có thời hạn tại doanh nghiệp", "Đi học tập trung", "Biệt phái công tác"),
}

# Invented trade names for enterprises.
BRANDS = ("Hưng Phát", "Tân Việt", "Đại Thành", "Minh Long", "Phú Gia", "Thành Công", "Hoàng Hà", "An Khang",
          "Việt Tiến", "Hải Đăng", "Kim Phát", "Trường Sinh", "Đông Á Xanh", "Lộc Điền", "Sao Mai Việt")

PHONE_PREFIXES = ("086", "096", "097", "098", "032", "033", "034", "035", "036", "037", "038", "039", "088",
                  "091", "094", "083", "084", "085", "081", "082", "070", "076", "077", "078", "079", "089",
                  "090", "093")

# Provincial agencies and units of the demo province (kind of unit, name, relative size).
PROVINCE_PARTY_UNITS: tuple[tuple[str, str, float], ...] = (
    ("agency", "Văn phòng Tỉnh ủy", 1.2), ("agency", "Ban Tổ chức Tỉnh ủy", 0.8),
    ("agency", "Ban Tuyên giáo và Dân vận Tỉnh ủy", 0.8), ("agency", "Ủy ban Kiểm tra Tỉnh ủy", 0.6),
    ("agency", "Báo và Phát thanh, Truyền hình tỉnh", 1.4), ("school", "Trường Chính trị tỉnh", 0.8),
    ("agency", "Cơ quan Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", 1.0),
    ("agency", "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh", 0.6),
)
PROVINCE_STATE_UNITS: tuple[tuple[str, str, float], ...] = (
    ("agency", "Văn phòng Ủy ban nhân dân tỉnh", 1.0), ("agency", "Sở Tài chính", 1.2),
    ("agency", "Sở Nội vụ", 1.0), ("agency", "Sở Tư pháp", 0.5), ("agency", "Sở Xây dựng", 1.0),
    ("agency", "Sở Nông nghiệp và Môi trường", 2.2), ("agency", "Sở Công Thương", 0.9),
    ("health", "Sở Y tế", 0.8), ("school", "Sở Giáo dục và Đào tạo", 0.8),
    ("agency", "Sở Văn hóa, Thể thao và Du lịch", 1.0), ("agency", "Sở Khoa học và Công nghệ", 0.6),
    ("agency", "Thanh tra tỉnh", 0.5), ("health", "Bệnh viện Đa khoa tỉnh", 3.0),
    ("health", "Bệnh viện Y học cổ truyền tỉnh", 0.9), ("school", "Trường Cao đẳng Kỹ thuật tỉnh", 1.1),
    ("school", "Trường Trung học phổ thông Chuyên tỉnh", 0.7), ("soe", "Công ty TNHH MTV Thủy lợi tỉnh", 1.1),
    ("soe", "Công ty TNHH MTV Xổ số kiến thiết tỉnh", 0.4),
)
DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "agency": ("Văn phòng", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch – Tài chính", "Phòng Nghiệp vụ 1",
               "Phòng Nghiệp vụ 2", "Phòng Nghiệp vụ 3", "Phòng Thanh tra – Pháp chế", "Trung tâm Dịch vụ",
               "Trung tâm Thông tin", "Phòng Quản lý chuyên ngành"),
    "health": ("Khoa Nội", "Khoa Ngoại", "Khoa Sản", "Khoa Nhi", "Khoa Hồi sức cấp cứu", "Khoa Xét nghiệm",
               "Phòng Hành chính – Quản trị", "Khoa Dược", "Khoa Chẩn đoán hình ảnh", "Khoa Khám bệnh"),
    "school": ("Tổ Toán – Tin", "Tổ Ngữ văn", "Tổ Khoa học tự nhiên", "Khoa Cơ khí", "Khoa Điện",
               "Phòng Đào tạo", "Tổ Ngoại ngữ", "Khoa Lý luận cơ sở"),
    "soe": ("Xí nghiệp số 1", "Xí nghiệp số 2", "Xí nghiệp số 3", "Phòng Kỹ thuật", "Văn phòng Công ty",
            "Trạm Quản lý vận hành"),
}
