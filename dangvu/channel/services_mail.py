"""The mail outbox: notices queue one e-mail per member who gave an address; a background thread
started after the commit (and ``dangvu mail send``) drains it through Django's mail framework, so
sending never holds a page. A failed send is retried with a doubling delay
(``DANGVU_MAIL_RETRY_SECONDS``) up to ``DANGVU_MAIL_ATTEMPTS`` times, then marked failed and listed
to the sender on the notice's page with a plain reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import threading
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone

from dangvu.common import Code, ServiceError, ensure_can_edit

from .models import MailState, MemberContact, Notice, Outbox

log = logging.getLogger(__name__)
_draining = threading.Lock()  # one drain thread per process
DRAIN_ERRORS = 5  # a background drain gives up after this many database errors in a row (`dangvu mail send` remains)


def notice_text(notice: Notice, name: str) -> str:
    """The e-mail's body: the greeting, and for an invitation its day, time, place, topic, materials."""
    lines = [f"Kính gửi đồng chí {name},", "", notice.title]
    if notice.is_invitation:
        lines += [f"Thời gian: {notice.starts_at:%H giờ %M}, ngày {notice.meets_on:%d/%m/%Y}",
                  f"Địa điểm: {notice.place or 'sẽ báo sau'}"]
        if notice.topic:
            lines.append(f"Nội dung: {notice.topic}")
        if notice.materials:
            lines.append(f"Tài liệu: {notice.materials}")
    if notice.body:
        lines += ["", notice.body]
    lines += ["", f"— {notice.organization.name}"]
    return "\n".join(lines)


@transaction.atomic
def queue_notice_mail(notice: Notice) -> int:
    """One outbox row per active member of the subtree with an address; the drain starts after commit."""
    from dangvu.registry.models import Member

    members = Member.objects.in_subtree(notice.organization).active()
    contacts = (MemberContact.objects.filter(member__in=members).exclude(email="")
                .select_related("member").order_by("member_id"))
    rows = [Outbox(notice=notice, member=c.member, to_email=c.email, subject=notice.title[:200],
                   body=notice_text(notice, c.member.full_name)) for c in contacts]
    Outbox.objects.bulk_create(rows)
    if rows:
        transaction.on_commit(kick)
    return len(rows)


def plain_reason(exc: Exception) -> str:
    """What the sender reads about a failed send: plain Vietnamese, never the library's message."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "Máy chủ thư từ chối địa chỉ người nhận."
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "Máy chủ thư không chấp nhận tài khoản gửi thư."
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"Máy chủ thư từ chối thư (mã {exc.smtp_code})."
    if isinstance(exc, (ConnectionError, smtplib.SMTPServerDisconnected, TimeoutError, OSError)):
        return "Không kết nối được máy chủ thư."
    return "Gửi thư không được."


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait before the next try: the base delay, doubled after each failure."""
    return dt.timedelta(seconds=settings.DANGVU_MAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


STALE_CLAIM = dt.timedelta(minutes=15)  # a mail taken by a drainer that died is taken again after this


def _claim(now: dt.datetime, limit: int) -> list[Outbox]:
    """Due rows, each taken by one drainer only (a conditional update: no two send the same mail).
    A claim stamps ``next_try_at``, so a row left "sending" by a killed process is due again later."""
    due_q = (Q(state=MailState.PENDING) & (Q(next_try_at__isnull=True) | Q(next_try_at__lte=now))) | Q(
        state=MailState.SENDING, next_try_at__lte=now - STALE_CLAIM)
    taken = []
    for pk, state, stamp in Outbox.objects.filter(due_q).order_by("pk").values_list(
            "pk", "state", "next_try_at")[:limit]:
        if Outbox.objects.filter(pk=pk, state=state, next_try_at=stamp).update(
                state=MailState.SENDING, next_try_at=now) == 1:
            taken.append(pk)
    return list(Outbox.objects.filter(pk__in=taken).order_by("pk"))


@transaction.atomic
def _finish(row: Outbox, now: dt.datetime, exc: Exception | None) -> str:
    """Record one try: sent, pending again after the backoff delay, or failed after the last try."""
    row.attempts += 1
    if exc is None:
        row.state, row.sent_at, row.next_try_at, row.last_error = MailState.SENT, timezone.now(), None, ""
        outcome = "sent"
    else:
        row.last_error = plain_reason(exc)
        if row.attempts >= settings.DANGVU_MAIL_ATTEMPTS:
            row.state, row.next_try_at, outcome = MailState.FAILED, None, "failed"
        else:
            row.state, row.next_try_at, outcome = MailState.PENDING, now + retry_delay(row.attempts), "retry"
    row.save(update_fields=["attempts", "state", "sent_at", "next_try_at", "last_error"])
    return outcome


def drain_outbox(now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send the due mails once; returns how many were sent, will be retried, and failed for good."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    rows = _claim(now, limit)
    if not rows:
        return counts
    connection = get_connection(fail_silently=False)
    for row in rows:  # no transaction is held while the mail server answers
        try:
            EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.to_email],
                         connection=connection).send()
        except Exception as exc:  # any failure of the mail server is a retry, never a crash
            log.warning("mail %s failed: %s", row.pk, exc.__class__.__name__)
            counts[_finish(row, now, exc)] += 1
        else:
            counts[_finish(row, now, None)] += 1
    try:
        connection.close()
    except Exception:  # closing a broken connection must not undo the bookkeeping above
        log.debug("closing the mail connection failed", exc_info=True)
    return counts


def next_due() -> dt.datetime | None:
    """When the next pending mail is due (None: nothing pending)."""
    row = Outbox.objects.filter(state=MailState.PENDING).order_by("next_try_at").values_list(
        "next_try_at", flat=True).first()
    if row is None and not Outbox.objects.filter(state=MailState.PENDING).exists():
        return None
    return row or timezone.now()


def _drain_loop(stop: threading.Event | None = None) -> None:
    """Drain until nothing is pending, sleeping until each retry is due. A database error (a busy
    SQLite file) is waited out a few times; the rows stay pending for the next drain either way."""
    if not _draining.acquire(blocking=False):
        return  # another thread of this process is at it
    stop = stop or threading.Event()
    errors = 0
    try:
        while not stop.is_set():
            try:
                drain_outbox()
                due = next_due()
            except Exception:
                errors += 1
                log.exception("the mail drain failed (%s)", errors)
                if errors >= DRAIN_ERRORS or stop.wait(errors):
                    break
                continue
            errors = 0
            if due is None:
                break
            wait = (due - timezone.now()).total_seconds()
            if wait > 0 and stop.wait(wait):
                break
    finally:
        _draining.release()
        connections.close_all()  # this thread's own connections


def kick() -> threading.Thread:
    """Start draining in the background (called after the commit that queued the mail)."""
    thread = threading.Thread(target=_drain_loop, name="dangvu-mail", daemon=True)
    thread.start()
    return thread


@transaction.atomic
def retry_failed(by: Any, notice: Notice) -> int:
    """Queue the notice's failed mails again (the sender's "Gửi lại"); returns how many."""
    ensure_can_edit(by, notice.organization, "Bạn không có quyền gửi lại thông báo này.")
    n = Outbox.objects.filter(notice=notice, state=MailState.FAILED).update(
        state=MailState.PENDING, attempts=0, next_try_at=None)
    if not n:
        raise ServiceError("Không có thư nào gửi không được.", Code.STATE)
    transaction.on_commit(kick)
    return n
