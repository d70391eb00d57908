"""Channel use cases: the only code that writes notices, replies, read receipts, study marks,
e-mail addresses and calendar tokens. Each is one transaction; a refusal is a ServiceError with a
plain Vietnamese message and nothing written.

A member acts only on their own record (the member role's ``member``); notices are posted by
whoever may edit the organization they go to (secretary, office, administrator).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from dangvu.accounts.access import access_for
from dangvu.accounts.models import token_digest
from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.common.checks import checked_text
from dangvu.core import clock
from dangvu.core.text import nfc
from dangvu.meetings.models import StudySession
from dangvu.registry.models import CELL_KINDS, Member, Organization

from . import selectors as sel
from .models import (
    FeedToken,
    MeetingReply,
    MemberContact,
    Notice,
    NoticeKind,
    NoticeRead,
    ReplyAnswer,
    StudyAck,
)
from .services_mail import queue_notice_mail

TITLE_MAX, BODY_MAX, REASON_MAX = 200, 4000, 200


def ensure_own(by: Any, member: Member) -> None:
    """Refuse unless ``by`` holds the member role for ``member`` (a member acts for themself only)."""
    if by is None or member.pk not in access_for(by).own_member_ids:
        raise ServiceError("Chỉ đảng viên đó mới tự làm việc này.", Code.FORBIDDEN)


def _text(value: Any, limit: int, what: str, field: str, required: bool = False) -> str:
    return checked_text(value, limit, field, what, required)


# -- notices and invitations ---------------------------------------------------------------------


@transaction.atomic
def post_notice(by: Any, org: Organization, *, title: str, body: str = "", kind: str = NoticeKind.NOTICE,
                meets_on: dt.date | None = None, starts_at: dt.time | None = None, place: str = "",
                topic: str = "", materials: str = "", email: bool = True) -> Notice:
    """Post a notice (or a meeting invitation) to ``org``'s subtree; with ``email`` and mail set up,
    queue one e-mail per member who gave an address (sent in the background after commit)."""
    ensure_can_edit(by, org, "Bạn không có quyền gửi thông báo tới tổ chức này.")
    if kind not in NoticeKind.values:
        raise ServiceError("Loại thông báo không hợp lệ.", Code.INVALID, field="kind")
    notice = Notice(organization=org, kind=kind, posted_by=acting_user(by),
                    title=_text(title, TITLE_MAX, "tiêu đề", "title", required=True),
                    body=_text(body, BODY_MAX, "nội dung", "body"),
                    place=_text(place, 255, "địa điểm", "place"), topic=_text(topic, 255, "nội dung sinh hoạt", "topic"),
                    materials=_text(materials, 2000, "tài liệu", "materials"))
    if kind == NoticeKind.INVITATION:
        if meets_on is None or starts_at is None:
            raise ServiceError("Giấy mời cần ngày và giờ họp.", Code.REQUIRED,
                               field="meets_on" if meets_on is None else "starts_at")
        if meets_on < clock.today():
            raise ServiceError("Ngày họp đã qua: giấy mời chỉ cho buổi họp sắp tới.", Code.DATE_ORDER,
                               field="meets_on")
        notice.meets_on, notice.starts_at = meets_on, starts_at
    notice.email = bool(email) and settings.DANGVU_EMAIL_ENABLED
    notice.save()
    if notice.email:
        queue_notice_mail(notice)
    return notice


def next_meeting_day(last: dt.date, today: dt.date) -> dt.date:
    """The day of the next monthly meeting: the last meeting's day of the month, this month if it
    is still ahead, else next month (clamped to the month's end, as dateutil does)."""
    day = today + relativedelta(day=last.day)
    return day if day > today else today + relativedelta(months=1, day=last.day)


@transaction.atomic
def invite_from_last_meeting(by: Any, cell: Organization, email: bool = True) -> Notice:
    """The secretary's monthly invitation in one tap: the time and place of the cell's last
    regular meeting, on its day of the month, in the next month it has not passed."""
    ensure_can_edit(by, cell, "Bạn không có quyền gửi giấy mời của chi bộ này.")
    if cell.kind not in CELL_KINDS:
        raise ServiceError("Giấy mời sinh hoạt chi bộ là của chi bộ.", Code.ORG_KIND)
    last = sel.last_meeting(cell)
    if last is None:
        raise ServiceError("Chi bộ chưa ghi buổi sinh hoạt nào để lấy giờ và địa điểm: hãy soạn giấy mời mới.",
                           Code.INCOMPLETE)
    day = next_meeting_day(last.held_on, clock.today())
    if Notice.objects.filter(organization=cell, kind=NoticeKind.INVITATION, meets_on=day).exists():
        raise ServiceError(f"Đã có giấy mời họp ngày {day:%d/%m/%Y}.", Code.DUPLICATE)
    return post_notice(by, cell, kind=NoticeKind.INVITATION, meets_on=day, starts_at=last.starts_at,
                       place=last.place, title=f"Giấy mời sinh hoạt chi bộ tháng {day.month}/{day.year}",
                       topic=f"Sinh hoạt thường kỳ tháng {day.month}/{day.year}", email=email)


@transaction.atomic
def mark_read(by: Any, member: Member, notice: Notice) -> bool:
    """Record that the member opened the notice; True the first time."""
    ensure_own(by, member)
    if sel.notice_for_member(member, notice.pk) is None:
        raise ServiceError("Thông báo này không gửi tới đồng chí.", Code.OUT_OF_SUBTREE)
    _read, created = NoticeRead.objects.get_or_create(notice=notice, member=member)
    return created


@transaction.atomic
def reply_to_invitation(by: Any, member: Member, notice: Notice, answer: str, reason: str = "") -> MeetingReply:
    """"I will attend" or "I cannot attend, because …" (the reason is required then)."""
    ensure_own(by, member)
    if not notice.is_invitation or sel.notice_for_member(member, notice.pk) is None:
        raise ServiceError("Không có giấy mời này.", Code.NOT_FOUND)
    if notice.meets_on < clock.today():
        raise ServiceError("Buổi họp đã qua, không trả lời được nữa.", Code.STATE)
    if answer not in ReplyAnswer.values:
        raise ServiceError("Hãy chọn «Tôi sẽ dự» hoặc «Tôi không dự được».", Code.INVALID, field="answer")
    reason = _text(reason, REASON_MAX, "lý do", "reason", required=answer == ReplyAnswer.CANNOT)
    reply, _ = MeetingReply.objects.update_or_create(
        notice=notice, member=member,
        defaults={"answer": answer, "reason": reason if answer == ReplyAnswer.CANNOT else ""})
    NoticeRead.objects.get_or_create(notice=notice, member=member)
    return reply


@transaction.atomic
def acknowledge_study(by: Any, member: Member, session: StudySession) -> StudyAck:
    """"I have studied it": kept apart from the study sessions' attendance."""
    ensure_own(by, member)
    if sel.study_session_for(member, session.pk) is None:
        raise ServiceError("Tài liệu này không thuộc chi bộ của đồng chí.", Code.OUT_OF_SUBTREE)
    ack, _ = StudyAck.objects.get_or_create(session=session, member=member)
    return ack


# -- personal data: the e-mail address and the calendar tokens -----------------------------------


@transaction.atomic
def set_email(by: Any, member: Member, email: str) -> MemberContact:
    """The member's own address for reminders (blank removes it)."""
    ensure_own(by, member)
    email = nfc(email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ServiceError("Địa chỉ thư điện tử không đúng dạng (ví dụ: ten@example.vn).", Code.INVALID,
                               field="email") from exc
    contact, _ = MemberContact.objects.update_or_create(member=member, defaults={"email": email})
    return contact


@transaction.atomic
def issue_feed_token(by: Any, *, member: Member | None = None, cell: Organization | None = None
                     ) -> tuple[FeedToken, str]:
    """A calendar feed of the member's own meetings, or of a cell's (its member or whoever reads
    it); the key is returned once, only its digest is kept."""
    if (member is None) == (cell is None):
        raise ServiceError("Chọn lịch của mình hoặc lịch của chi bộ.", Code.INVALID)
    if member is not None:
        ensure_own(by, member)
    else:
        acc = access_for(by)
        own_cells = {sel.cell_of(m).pk for m in Member.objects.filter(pk__in=acc.own_member_ids)}
        if cell.pk not in own_cells and not acc.can_read_org(cell):
            raise ServiceError("Bạn không xem được lịch của chi bộ này.", Code.FORBIDDEN)
        if cell.kind not in CELL_KINDS:
            raise ServiceError("Lịch họp là của một chi bộ.", Code.ORG_KIND)
    key = secrets.token_urlsafe(32)
    token = FeedToken.objects.create(user=by, member=member, organization=cell, digest=token_digest(key),
                                     prefix=key[:8])
    return token, key


@transaction.atomic
def revoke_feed_token(by: Any, token: FeedToken) -> None:
    if by is None or token.user_id != by.pk:
        raise ServiceError("Chỉ người tạo mới thu hồi được khóa lịch này.", Code.FORBIDDEN)
    if token.revoked_at is not None:
        raise ServiceError("Khóa lịch này đã bị thu hồi từ trước.", Code.STATE)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
