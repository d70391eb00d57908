"""The members' own channel: notices and meeting invitations to a subtree with read receipts,
members' replies to an invitation, "I have studied it" marks, e-mail addresses, calendar-feed
tokens and the mail outbox.

Models hold data only; every write goes through :mod:`dangvu.channel.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangvu.accounts.models import token_digest
from dangvu.meetings.models import StudySession
from dangvu.registry.models import Member, Organization


class NoticeKind(models.TextChoices):
    NOTICE = "notice", "Thông báo"
    INVITATION = "invitation", "Giấy mời sinh hoạt chi bộ"


class Notice(models.Model):
    """A notice or a meeting invitation posted to ``organization`` and everything under it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="notices",
                                     verbose_name="gửi tới")
    kind = models.CharField("loại", max_length=12, choices=NoticeKind.choices, default=NoticeKind.NOTICE)
    title = models.CharField("tiêu đề", max_length=200)
    body = models.TextField("nội dung", max_length=4000, blank=True)
    # An invitation's meeting: the member home shows it as "the next meeting of my cell".
    meets_on = models.DateField("ngày họp", null=True, blank=True)
    starts_at = models.TimeField("giờ bắt đầu", null=True, blank=True)
    place = models.CharField("địa điểm", max_length=255, blank=True)
    topic = models.CharField("nội dung sinh hoạt", max_length=255, blank=True)
    materials = models.TextField("tài liệu", max_length=2000, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    posted_at = models.DateTimeField(auto_now_add=True)
    email = models.BooleanField("gửi thư điện tử", default=False)

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = "thông báo"
        indexes = [models.Index(fields=["organization", "kind", "meets_on"], name="notice_org_kind_day_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_invitation(self) -> bool:
        return self.kind == NoticeKind.INVITATION


class NoticeRead(models.Model):
    """A read receipt: the member opened the notice."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "đã đọc thông báo"
        constraints = [models.UniqueConstraint(fields=["notice", "member"], name="channel_read_once")]


class ReplyAnswer(models.TextChoices):
    ATTEND = "attend", "Tôi sẽ dự"
    CANNOT = "cannot", "Tôi không dự được"


class MeetingReply(models.Model):
    """A member's answer to a meeting invitation; the secretary sees it on the attendance screen."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="replies")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField("trả lời", max_length=8, choices=ReplyAnswer.choices)
    reason = models.CharField("lý do", max_length=200, blank=True)
    replied_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "trả lời giấy mời"
        constraints = [models.UniqueConstraint(fields=["notice", "member"], name="channel_reply_once")]


class StudyAck(models.Model):
    """"I have studied it": a member's own mark on a document, counted apart from study sessions."""

    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    acked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "đảng viên tự báo đã nghiên cứu tài liệu"
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="channel_study_ack_once")]


class MemberContact(models.Model):
    """A member's e-mail address for reminders (personal data: audited, shown only to the member)."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="contact")
    email = models.EmailField("thư điện tử", max_length=254, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "địa chỉ thư điện tử của đảng viên"


class FeedToken(models.Model):
    """A calendar feed (.ics) of a member's or a cell's meetings behind a random token; only the
    token's SHA-256 digest is stored; a revoked token's URL answers 404."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "khóa lịch họp (.ics)"

    @classmethod
    def lookup(cls, key: str) -> FeedToken | None:
        if not key or len(key) > 200:
            return None
        return cls.objects.select_related("user", "member__organization", "organization").filter(
            digest=token_digest(key), revoked_at__isnull=True, user__is_active=True).first()

    @property
    def label(self) -> str:
        return "Lịch họp của tôi" if self.member_id else f"Lịch họp {self.organization}"


class MailState(models.TextChoices):
    PENDING = "pending", "Đang chờ gửi"
    SENDING = "sending", "Đang gửi"
    SENT = "sent", "Đã gửi"
    FAILED = "failed", "Gửi không được"


class Outbox(models.Model):
    """One e-mail to send; drained in the background with retries (see :mod:`.mail`)."""

    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.CASCADE, related_name="mails")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_email = models.EmailField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    state = models.CharField(max_length=8, choices=MailState.choices, default=MailState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField("lỗi lần gửi cuối", max_length=300, blank=True)
    next_try_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "thư chờ gửi"
        indexes = [models.Index(fields=["state", "next_try_at"], name="outbox_state_next_idx")]
