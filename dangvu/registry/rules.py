"""Registry rules that need no database: where an organization may sit, and whether a member's
identity fields hold together. Services, the Excel checks and the demo builder share them.
"""

from __future__ import annotations

from typing import Any

from dangvu.common import Code, ServiceError
from dangvu.common.dates import check_birth_date, check_date
from dangvu.core import clock
from dangvu.core.admission import event_age_problem
from dangvu.core.cccd import validate_cccd
from dangvu.core.lifecycle import probation_ends
from dangvu.core.names import name_problem
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


Problem = tuple[str, Code, str | None]
"""One reason a member's record is refused: message, code, the form field it is about."""


def member_problems(data: dict[str, Any]) -> list[Problem]:
    """Problems with a member's identity fields and admission dates, each with its code and field.

    Names: letters, spaces and the punctuation names use (:func:`dangvu.core.names.name_problem`);
    dates within the plausible range (:mod:`dangvu.common.dates`); the age on the admission and
    recognition dates at least the rule set's minimum (:func:`dangvu.core.admission.event_age_problem`).
    """
    today = clock.today()
    problems: list[Problem] = []
    name = nfc(data.get("full_name"))
    if not name:
        problems.append(("Họ và tên không được để trống.", Code.REQUIRED, "full_name"))
    elif why := name_problem(name):
        problems.append((why, Code.INVALID, "full_name"))
    birth = data.get("birth_date")
    if not birth:
        problems.append(("Ngày sinh không được để trống.", Code.REQUIRED, "birth_date"))
    elif birth > today:
        problems.append(("Ngày sinh không thể ở tương lai.", Code.FUTURE_DATE, "birth_date"))
    elif why := check_birth_date(birth):
        problems.append((why, Code.OUT_OF_RANGE, "birth_date"))
    if data.get("gender") not in ("male", "female"):
        problems.append(("Giới tính phải là Nam hoặc Nữ.", Code.INVALID, "gender"))
    if data.get("cccd"):
        problems += [(m, Code.INVALID, "cccd") for m in validate_cccd(data["cccd"], data.get("gender"), birth)]
    return problems + _admission_problems(data, birth, today)


def _admission_problems(data: dict[str, Any], birth: Any, today: Any) -> list[Problem]:
    problems: list[Problem] = []
    admitted, full = data.get("admitted_on"), data.get("full_on")
    for value, name in ((admitted, "admitted_on"), (full, "full_on")):
        if value and value <= today and (why := check_date(value)):
            problems.append((why, Code.OUT_OF_RANGE, name))
    if admitted and birth and admitted < birth:
        problems.append(("Ngày vào Đảng không thể trước ngày sinh.", Code.DATE_ORDER, "admitted_on"))
    elif admitted and birth and (why := event_age_problem(birth, admitted, "admission")):
        problems.append((why, Code.OUT_OF_RANGE, "admitted_on"))
    if admitted and admitted > today:
        problems.append(("Ngày vào Đảng không thể ở tương lai.", Code.FUTURE_DATE, "admitted_on"))
    if full and not admitted:
        problems.append(("Có ngày chính thức thì phải có ngày vào Đảng.", Code.REQUIRED, "admitted_on"))
    if full and admitted and full < probation_ends(admitted):
        problems.append(("Ngày chính thức phải sau ít nhất 12 tháng dự bị kể từ ngày vào Đảng.", Code.DATE_ORDER,
                         "full_on"))
    return problems


def validate_member_data(data: dict[str, Any]) -> list[str]:
    """Problems with a member's identity fields (Vietnamese), empty when valid (see :func:`member_problems`)."""
    return [message for message, _code, _field in member_problems(data)]


def refuse_member(problems: list[Problem]) -> None:
    """One refusal naming every problem; its code (and field, when it is the only one) the first's."""
    if problems:
        fields = {f for _m, _c, f in problems}
        raise ServiceError(" ".join(m for m, _c, _f in problems), problems[0][1],
                           field=problems[0][2] if len(fields) == 1 else None)
