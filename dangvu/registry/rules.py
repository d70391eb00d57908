"""Registry rules that need no database: where an organization may sit, and whether a member's
identity fields hold together. Services, the Excel checks and the demo builder share them.
"""

from __future__ import annotations

from typing import Any

from dangvu.common import Code, ServiceError
from dangvu.core import clock
from dangvu.core.cccd import validate_cccd
from dangvu.core.lifecycle import probation_ends
from dangvu.core.text import nfc

from .models import OrgKind

# Which kinds may sit under which (Điều lệ Đảng, Điều 21–24; Quy định 294-QĐ/TW, 2025).
CHILD_KINDS: dict[str, set[str]] = {
    OrgKind.PROVINCE: {OrgKind.UPPER, OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL},
    OrgKind.UPPER: {OrgKind.UPPER, OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL},
    OrgKind.GRASSROOTS_COMMITTEE: {OrgKind.SUB_COMMITTEE, OrgKind.CELL},
    OrgKind.SUB_COMMITTEE: {OrgKind.CELL},
    OrgKind.GRASSROOTS_CELL: {OrgKind.GROUP},
    OrgKind.CELL: {OrgKind.GROUP},
    OrgKind.GROUP: set(),
}

MEMBER_FIELDS = (
    "full_name", "birth_date", "gender", "ethnicity", "religion", "home_town", "residence", "phone",
    "cccd", "education", "qualification", "political_theory", "occupation", "is_student", "card_number",
    "resident", "commune_official",
)


def check_parent_kind(parent: Any, kind: str) -> None:
    """Refuse (ORG_KIND) an organization of ``kind`` under ``parent`` (anything with a ``kind``)."""
    if parent is None:
        return
    allowed = CHILD_KINDS.get(parent.kind, set())
    if kind not in allowed:
        child = OrgKind(kind).label.lower() if kind in OrgKind.values else kind
        raise ServiceError(f"Không thể đặt {child} trực thuộc {OrgKind(parent.kind).label.lower()}.",
                           Code.ORG_KIND, field="kind")


def validate_member_data(data: dict[str, Any]) -> list[str]:
    """Problems with a member's identity fields (Vietnamese), empty when valid."""
    today = clock.today()
    problems = []
    if not nfc(data.get("full_name")):
        problems.append("Họ và tên không được để trống.")
    birth = data.get("birth_date")
    if not birth:
        problems.append("Ngày sinh không được để trống.")
    elif birth > today:
        problems.append("Ngày sinh không thể ở tương lai.")
    if data.get("gender") not in ("male", "female"):
        problems.append("Giới tính phải là Nam hoặc Nữ.")
    if data.get("cccd"):
        problems += validate_cccd(data["cccd"], data.get("gender"), birth)
    admitted, full = data.get("admitted_on"), data.get("full_on")
    if admitted and birth and admitted < birth:
        problems.append("Ngày vào Đảng không thể trước ngày sinh.")
    if admitted and admitted > today:
        problems.append("Ngày vào Đảng không thể ở tương lai.")
    if full and not admitted:
        problems.append("Có ngày chính thức thì phải có ngày vào Đảng.")
    if full and admitted and full < probation_ends(admitted):
        problems.append("Ngày chính thức phải sau ít nhất 12 tháng dự bị kể từ ngày vào Đảng.")
    return problems
