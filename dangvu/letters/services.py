"""Letters use cases: the only code that writes letters (đơn thư).

Each public function is one transaction: it checks that the actor may handle letters of the body
(the inspection commission or an administrator of its subtree), applies the rules of
:mod:`dangvu.core.letters` with the rule set in force on the received day, and raises
:class:`ServiceError` (a Vietnamese message and a code) with nothing written on refusal.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from dangvu.accounts.access import access_for
from dangvu.common import Code, ServiceError, acting_user
from dangvu.common.checks import checked_text, past_date
from dangvu.core import letters as rules
from dangvu.core.rulesets import ruleset_for
from dangvu.registry.models import Organization

from .models import Letter, LetterKind

NO_RIGHT = "Chỉ Ủy ban kiểm tra và quản trị hệ thống được ghi, giải quyết đơn thư của tổ chức này."


def ensure_may_handle(by, org: Organization) -> None:
    """Refuse unless ``by`` may read and handle the letters of ``org``; ``by=None`` is the system."""
    if by is not None and not access_for(by).may_read_letters(org):
        raise ServiceError(NO_RIGHT, Code.FORBIDDEN)


def _text(value: str | None, limit: int, field: str, label: str, required: bool = False) -> str:
    return checked_text(value, limit, field, label, required)


def _past_date(value: dt.date | None, field: str, label: str) -> dt.date:
    return past_date(value, field, label)


@transaction.atomic
def record_letter(by, org: Organization, *, received_on: dt.date, kind: str, subject: str,
                  anonymous: bool = False, sender_name: str = "", sender_address: str = "",
                  content: str = "") -> Letter:
    """Record a letter received by ``org``: its handling (an anonymous complaint or denunciation is
    kept for reference) and its deadline come from the rule set in force on the received day."""
    ensure_may_handle(by, org)
    if kind not in LetterKind.values:
        raise ServiceError("Loại đơn thư không hợp lệ.", Code.INVALID, field="kind")
    received_on = _past_date(received_on, "received_on", "ngày nhận đơn")
    subject = _text(subject, 255, "subject", "trích yếu nội dung", required=True)
    content = _text(content, 20000, "content", "nội dung")
    sender_address = _text(sender_address, 255, "sender_address", "địa chỉ người gửi")
    sender_name = _text(sender_name, 120, "sender_name", "tên người gửi", required=not anonymous)
    rs = ruleset_for(received_on)
    level = rules.level_of(org.kind)
    return Letter.objects.create(
        organization=org, received_on=received_on, kind=kind, anonymous=bool(anonymous),
        sender_name=sender_name, sender_address=sender_address, subject=subject, content=content,
        level=level, handling=rules.handling(kind, bool(anonymous), rs),
        deadline=rules.letter_deadline(received_on, kind, level, bool(anonymous), rs),
        recorded_by=acting_user(by))


@transaction.atomic
def close_letter(by, letter: Letter, *, closed_on: dt.date, outcome: str) -> Letter:
    """Record the outcome of a letter (its settlement, or where it was sent or filed)."""
    letter = Letter.objects.select_for_update().select_related("organization").get(pk=letter.pk)
    ensure_may_handle(by, letter.organization)
    if letter.closed_on is not None:
        raise ServiceError("Đơn thư này đã có kết quả giải quyết.", Code.STATE)
    closed_on = _past_date(closed_on, "closed_on", "ngày có kết quả")
    if closed_on < letter.received_on:
        raise ServiceError("Ngày có kết quả không thể trước ngày nhận đơn.", Code.DATE_ORDER, field="closed_on")
    letter.outcome = _text(outcome, 20000, "outcome", "kết quả giải quyết", required=True)
    letter.closed_on = closed_on
    letter.save(update_fields=["outcome", "closed_on"])
    return letter
