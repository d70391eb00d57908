"""The members' own channel (issue 17, points 1, 2, 3, 7): the member home with the next meeting
and its reply, notices with read receipts, documents marked as studied, the self step of the
evaluation sheet, e-mail reminders through a real SMTP server on loopback, calendar feeds behind
revocable tokens, and what a member may not see."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from conftest import logged_in
from django.urls import reverse
from icalendar import Calendar

from dangvu.accounts.models import token_digest
from dangvu.channel import selectors as sel
from dangvu.channel import services as s
from dangvu.channel import services_mail as mail
from dangvu.channel.models import FeedToken, MailState, MeetingReply, NoticeKind, NoticeRead, Outbox, StudyAck
from dangvu.common import ServiceError
from dangvu.core import clock
from dangvu.meetings import services as ms
from dangvu.registry import services as rs

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _invite(tree, days: int = 5, org: str = "C1A", **extra):
    day = clock.today() + dt.timedelta(days=days)
    return s.post_notice(tree.users["secretary" if org == "C1A" else "admin"], tree.orgs[org],
                         kind=NoticeKind.INVITATION, title="Giấy mời sinh hoạt chi bộ", meets_on=day,
                         starts_at=dt.time(19, 30), place="Nhà văn hóa thôn Đồng Tâm",
                         topic="Sinh hoạt thường kỳ", materials="Nghị quyết 21-NQ/TW", **extra)


# -- the member home --------------------------------------------------------------------------------


def test_member_home_shows_the_next_meeting_and_the_secretary_sees_the_reply(tree):
    far = _invite(tree, days=20)
    near = _invite(tree, days=3)
    _invite(tree, days=2, org="C2A")  # another commune's cell: never shown to this member
    member = logged_in(tree.users["member"])
    page = member.get(reverse("channel:home")).content.decode()
    assert near.meets_on.strftime("%d/%m/%Y") in page and far.meets_on.strftime("%d/%m/%Y") not in page
    assert "Nhà văn hóa thôn Đồng Tâm" in page and "Nghị quyết 21-NQ/TW" in page

    refused = member.post(reverse("channel:reply", args=[near.pk]), {"answer": "cannot", "reason": ""}, follow=True)
    assert "Cần ghi lý do" in refused.content.decode()
    assert not MeetingReply.objects.exists()
    member.post(reverse("channel:reply", args=[near.pk]), {"answer": "cannot", "reason": "Đi công tác tỉnh"})
    reply = MeetingReply.objects.get()
    assert (reply.member, reply.answer, reply.reason) == (tree.own, "cannot", "Đi công tác tỉnh")
    # Changing one's mind keeps one reply and drops the reason.
    member.post(reverse("channel:reply", args=[near.pk]), {"answer": "attend", "reason": "Đi công tác tỉnh"})
    reply = MeetingReply.objects.get()
    assert (reply.answer, reply.reason) == ("attend", "")
    member.post(reverse("channel:reply", args=[near.pk]), {"answer": "cannot", "reason": "Đi công tác tỉnh"})

    # The meeting is held that day and recorded: the attendance screen shows the reply.
    with clock.frozen(near.meets_on):
        meeting = ms.record_meeting(None, tree.orgs["C1A"], held_on=near.meets_on, starts_at=dt.time(19, 30),
                                    ends_at=dt.time(21, 30))
    screen = logged_in(tree.users["secretary"]).get(reverse("meetings:meeting_attendance", args=[meeting.pk]))
    text = screen.content.decode()
    assert screen.status_code == 200
    assert "Lê Văn Cường" in text and "Tôi không dự được" in text and "Đi công tác tỉnh" in text


def test_reply_to_a_meeting_of_another_cell_is_404_and_nothing_is_written(tree):
    other = _invite(tree, org="C2A")
    response = logged_in(tree.users["member"]).post(reverse("channel:reply", args=[other.pk]), {"answer": "attend"})
    assert response.status_code == 404
    assert not MeetingReply.objects.exists()
    with pytest.raises(ServiceError):
        s.reply_to_invitation(tree.users["member"], tree.own, other, "attend")


def test_a_member_replies_only_for_themself(tree):
    invitation = _invite(tree)
    with pytest.raises(ServiceError) as exc:
        s.reply_to_invitation(tree.users["member"], tree.inside, invitation, "attend")
    assert exc.value.code == "forbidden"
    assert not MeetingReply.objects.exists()


def test_home_shows_attendance_fees_grades_commitment_and_assignment(tree):
    year = clock.today().year
    rs.add_commitment(None, tree.own, year, "Gương mẫu giữ gìn vệ sinh môi trường", dt.date(year, 1, 10))
    rs.add_assignment(None, tree.own, year, "Theo dõi hộ nghèo xóm Đông", dt.date(year, 1, 10))
    rs.add_assignment(None, tree.own, year - 1, "Nhiệm vụ năm trước", dt.date(year - 1, 1, 10))
    meeting = ms.record_meeting(None, tree.orgs["C1A"], held_on=dt.date(year - 1, 5, 12),
                                starts_at=dt.time(19, 30), ends_at=dt.time(21, 30))
    ms.set_attendance(None, meeting, {tree.own.pk: "absent"})
    ms.record_meeting(None, tree.orgs["C1A"], held_on=dt.date(year - 1, 6, 12),
                      starts_at=dt.time(19, 30), ends_at=dt.time(21, 30))
    rows = sel.attendance_by_year(tree.own, 3, clock.today())
    assert [(r.year, r.present, r.absent) for r in rows] == [(year - 1, 1, 1)]
    page = logged_in(tree.users["member"]).get(reverse("channel:home")).content.decode()
    assert "Gương mẫu giữ gìn vệ sinh môi trường" in page and "Theo dõi hộ nghèo xóm Đông" in page
    assert "Nhiệm vụ năm trước" not in page
    assert f"<td>{year - 1}</td><td>1</td><td>0</td><td>1</td>" in page


def test_home_is_404_for_a_user_without_a_member_record(tree):
    assert logged_in(tree.users["secretary"]).get(reverse("channel:home")).status_code == 404


# -- documents to study ---------------------------------------------------------------------------


def test_i_have_studied_it_is_kept_apart_from_the_study_session(tree):
    session = ms.record_study_session(None, tree.orgs["C1"], document_title="Nghị quyết 57",
                                      document_number="57-NQ/TW", held_on=clock.today(), member_ids=[])
    elsewhere = ms.record_study_session(None, tree.orgs["C2"], document_title="Nghị quyết khác",
                                        document_number="66-NQ/TW", held_on=clock.today(), member_ids=[])
    member = logged_in(tree.users["member"])
    page = member.get(reverse("channel:home")).content.decode()
    assert "57-NQ/TW" in page and "66-NQ/TW" not in page
    member.post(reverse("channel:study_ack", args=[session.pk]))
    assert list(StudyAck.objects.values_list("session_id", "member_id")) == [(session.pk, tree.own.pk)]
    assert not session.attendances.exists()  # the session's own list is untouched
    assert member.post(reverse("channel:study_ack", args=[elsewhere.pk])).status_code == 404
    assert StudyAck.objects.count() == 1


# -- notices and read receipts --------------------------------------------------------------------


def test_notice_read_receipts_for_the_sender(tree):
    notice = s.post_notice(tree.users["office"], tree.orgs["C1"], title="Thông báo nộp đảng phí quý",
                           body="Các đồng chí hoàn thành trước ngày 10.")
    office = logged_in(tree.users["office"])
    before = office.get(reverse("channel:notice_detail", args=[notice.pk])).content.decode()
    recipients = sel.recipients(notice).count()
    assert recipients == 3  # An and Cường in C1A, Dung in C1B
    assert f'<span data-read>0</span>/{recipients}' in before
    member = logged_in(tree.users["member"])
    assert member.get(reverse("channel:notice_detail", args=[notice.pk])).status_code == 200
    assert member.get(reverse("channel:notice_detail", args=[notice.pk])).status_code == 200
    assert NoticeRead.objects.filter(notice=notice).count() == 1
    after = office.get(reverse("channel:notice_detail", args=[notice.pk])).content.decode()
    assert f'<span data-read>1</span>/{recipients}' in after
    assert "Nguyễn Văn An" in after.split("Chưa đọc:")[1] and "Lê Văn Cường" not in after.split("Chưa đọc:")[1]


def test_a_member_sees_only_notices_of_their_line(tree):
    mine = s.post_notice(tree.users["admin"], tree.orgs["P"], title="Thông báo của tỉnh")
    other = s.post_notice(tree.users["admin"], tree.orgs["C2"], title="Thông báo của xã Yên Lạc")
    sibling = s.post_notice(tree.users["admin"], tree.orgs["C1B"], title="Thông báo chi bộ Văn phòng")
    member = logged_in(tree.users["member"])
    listing = member.get(reverse("channel:notice_list")).content.decode()
    assert mine.title in listing and other.title not in listing and sibling.title not in listing
    assert member.get(reverse("channel:notice_detail", args=[other.pk])).status_code == 404
    assert member.get(reverse("channel:notice_detail", args=[sibling.pk])).status_code == 404
    page = member.get(reverse("channel:notice_detail", args=[mine.pk])).content.decode()
    assert "Đã đọc:" not in page  # receipts are the sender's, not the members'


def test_posting_needs_edit_rights_and_a_title(tree):
    with pytest.raises(ServiceError) as exc:
        s.post_notice(tree.users["viewer"], tree.orgs["C1"], title="Không được gửi")
    assert exc.value.code == "forbidden"
    with pytest.raises(ServiceError) as exc:
        s.post_notice(tree.users["secretary"], tree.orgs["C1A"], title="  ")
    assert exc.value.field == "title"
    with pytest.raises(ServiceError) as exc:
        s.post_notice(tree.users["secretary"], tree.orgs["C1A"], title="Giấy mời", kind=NoticeKind.INVITATION,
                      meets_on=clock.today() - dt.timedelta(days=1), starts_at=dt.time(8))
    assert exc.value.field == "meets_on"
    assert not sel.Notice.objects.exists()
    assert logged_in(tree.users["viewer"]).post(reverse("channel:notice_create", args=["C1"]),
                                                {"kind": "notice", "title": "X"}).status_code == 403


def test_notice_form_posts_an_invitation(tree):
    day = clock.today() + dt.timedelta(days=4)
    response = logged_in(tree.users["secretary"]).post(reverse("channel:notice_create", args=["C1A"]), {
        "kind": "invitation", "title": "Giấy mời họp chi bộ", "meets_on": day.strftime("%d/%m/%Y"),
        "starts_at": "07:30", "place": "Hội trường thôn"})
    assert response.status_code == 302
    notice = sel.Notice.objects.get()
    assert (notice.meets_on, notice.starts_at, notice.place) == (day, dt.time(7, 30), "Hội trường thôn")


# -- the one-tap monthly invitation ---------------------------------------------------------------


@pytest.mark.parametrize(("last", "today", "expected"), [
    (dt.date(2026, 5, 12), dt.date(2026, 6, 3), dt.date(2026, 6, 12)),   # this month's day still ahead
    (dt.date(2026, 5, 12), dt.date(2026, 6, 12), dt.date(2026, 7, 12)),  # today is that day: next month
    (dt.date(2026, 1, 31), dt.date(2026, 2, 10), dt.date(2026, 2, 28)),  # clamped to the month's end
    (dt.date(2026, 11, 20), dt.date(2026, 12, 25), dt.date(2027, 1, 20)),
])
def test_next_meeting_day(last, today, expected):
    assert s.next_meeting_day(last, today) == expected


def test_invitation_from_the_last_meeting_in_one_tap(tree):
    secretary = logged_in(tree.users["secretary"])
    refused = secretary.post(reverse("channel:invite_from_meeting", args=["C1A"]), follow=True)
    assert "chưa ghi buổi sinh hoạt" in refused.content.decode()
    last = ms.record_meeting(None, tree.orgs["C1A"], held_on=clock.today() - dt.timedelta(days=40),
                             starts_at=dt.time(14, 0), ends_at=dt.time(16, 0), place="Nhà ông trưởng thôn")
    response = secretary.post(reverse("channel:invite_from_meeting", args=["C1A"]))
    notice = sel.Notice.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/thong-bao/{notice.pk}/")
    assert notice.kind == NoticeKind.INVITATION
    assert (notice.starts_at, notice.place) == (dt.time(14, 0), "Nhà ông trưởng thôn")
    assert notice.meets_on == s.next_meeting_day(last.held_on, clock.today()) and notice.meets_on > clock.today()
    again = secretary.post(reverse("channel:invite_from_meeting", args=["C1A"]), follow=True)
    assert "Đã có giấy mời" in again.content.decode() and sel.Notice.objects.count() == 1
    assert logged_in(tree.users["viewer"]).post(
        reverse("channel:invite_from_meeting", args=["C1A"])).status_code == 403


# -- self-assessment ------------------------------------------------------------------------------


def test_member_fills_only_the_self_step_of_their_own_sheet(tree):
    from evaluation_world import self_payload

    from dangvu.evaluation import services as es

    rnd = es.open_round(None, tree.orgs["C1"], "member", clock.today().year)
    own = rnd.evaluations.get(member=tree.own)
    other = rnd.evaluations.get(member=tree.inside)
    member = logged_in(tree.users["member"])
    assert f'href="{reverse("channel:self_assess", args=[own.pk])}"' in member.get(reverse("channel:home")).content.decode()
    response = member.post(reverse("channel:self_assess", args=[own.pk]), self_payload(rnd))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.self_grade == "good" and own.self_by == tree.users["member"] and own.self_total > 0
    # Another member's sheet, the cell's and the committee's steps stay out of reach.
    assert member.get(reverse("channel:self_assess", args=[other.pk])).status_code == 404
    for step in ("evaluation_self", "evaluation_proposal", "evaluation_decision"):
        status = member.get(reverse(f"evaluation:{step}", args=[own.pk])).status_code
        assert status in (403, 404)
    with pytest.raises(ServiceError):
        es.propose(tree.users["member"], own, "excellent")
    with pytest.raises(ServiceError):
        es.self_assess(tree.users["member"], other, {}, "good")
    # Once the cell has proposed, the member's sheet is closed.
    es.propose(tree.users["secretary"], own, "good")
    assert member.get(reverse("channel:self_assess", args=[own.pk])).status_code == 403
    with pytest.raises(ServiceError) as exc:
        es.self_assess(tree.users["member"], own, own.self_points, "excellent")
    assert exc.value.code == "state"


# -- privacy: the cell roster ---------------------------------------------------------------------


def test_cell_page_shows_names_and_roles_of_the_own_cell_only(tree):
    rs.add_post(None, tree.orgs["C1A"], tree.inside, "secretary", dt.date(2025, 1, 2))
    page = logged_in(tree.users["member"]).get(reverse("channel:cell")).content.decode()
    assert "Nguyễn Văn An" in page and "Bí thư" in page and "Lê Văn Cường" in page
    assert "Trần Thị Bình" not in page and "Phạm Thị Dung" not in page  # other cells
    assert "1980" not in page and "02/03" not in page  # no birth date of anyone
    assert logged_in(tree.users["member"]).get(
        reverse("registry:member_detail", args=[tree.inside.pk])).status_code == 404


# -- e-mail --------------------------------------------------------------------------------------


class _Inbox:
    def __init__(self, refuse: bool = False):
        self.messages: list = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default_policy)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback; Django's SMTP backend pointed at it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # a free loopback port (the controller's own check needs a real one)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", controller.port, 5
    settings.DANGVU_EMAIL_ENABLED = True
    settings.DEFAULT_FROM_EMAIL = "chibo@dangvu.test"
    yield inbox
    controller.stop()


def test_invitation_reaches_the_members_who_gave_an_address(tree, smtp, django_capture_on_commit_callbacks):
    member = logged_in(tree.users["member"])
    assert member.post(reverse("channel:email"), {"email": "khong-phai-thu"}).status_code == 400
    member.post(reverse("channel:email"), {"email": "cuong@example.vn"})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice = _invite(tree)
    assert callbacks == [mail.kick]  # sending starts after the commit, in the background
    assert list(Outbox.objects.values_list("to_email", "state")) == [("cuong@example.vn", "pending")]
    assert mail.drain_outbox() == {"sent": 1, "retry": 0, "failed": 0}
    [(to, message)] = smtp.messages
    assert to == ["cuong@example.vn"] and message["Subject"] == "Giấy mời sinh hoạt chi bộ"
    body = message.get_content()
    assert notice.meets_on.strftime("%d/%m/%Y") in body and "19 giờ 30" in body
    assert "Nhà văn hóa thôn Đồng Tâm" in body and "Kính gửi đồng chí Lê Văn Cường" in body
    assert Outbox.objects.get().state == MailState.SENT
    assert mail.drain_outbox() == {"sent": 0, "retry": 0, "failed": 0}  # nothing is sent twice


def test_failed_mail_is_retried_with_backoff_then_shown_to_the_sender(tree, smtp, settings):
    settings.DANGVU_MAIL_ATTEMPTS, settings.DANGVU_MAIL_RETRY_SECONDS = 3, 60
    s.set_email(tree.users["member"], tree.own, "cuong@example.vn")
    smtp.refuse = True
    notice = _invite(tree)
    from django.utils import timezone

    now = timezone.now()
    assert mail.drain_outbox(now) == {"sent": 0, "retry": 1, "failed": 0}
    row = Outbox.objects.get()
    assert (row.attempts, row.next_try_at - now) == (1, dt.timedelta(seconds=60))
    assert mail.drain_outbox(now + dt.timedelta(seconds=30))["retry"] == 0  # not yet due
    assert mail.drain_outbox(now + dt.timedelta(seconds=61)) == {"sent": 0, "retry": 1, "failed": 0}
    row.refresh_from_db()
    assert row.next_try_at - (now + dt.timedelta(seconds=61)) == dt.timedelta(seconds=120)  # doubled
    assert mail.drain_outbox(now + dt.timedelta(seconds=200)) == {"sent": 0, "retry": 0, "failed": 1}
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (MailState.FAILED, 3, "Máy chủ thư từ chối địa chỉ người nhận.")
    secretary = logged_in(tree.users["secretary"])
    page = secretary.get(reverse("channel:notice_detail", args=[notice.pk])).content.decode()
    assert "<span data-failed>1</span>" in page and "Máy chủ thư từ chối địa chỉ người nhận." in page
    assert "smtp" not in page.lower() and "550" not in page
    # "Gửi lại" queues it again; now the server takes it.
    smtp.refuse = False
    secretary.post(reverse("channel:mail_retry", args=[notice.pk]))
    assert mail.drain_outbox() == {"sent": 1, "retry": 0, "failed": 0}
    assert [to for to, _m in smtp.messages] == [["cuong@example.vn"]]


def test_unreachable_mail_server_is_a_plain_reason(tree, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # discard: closed
    settings.DANGVU_EMAIL_ENABLED = True
    s.set_email(tree.users["member"], tree.own, "cuong@example.vn")
    _invite(tree)
    assert mail.drain_outbox()["retry"] == 1
    assert Outbox.objects.get().last_error == "Không kết nối được máy chủ thư."


def test_no_mail_is_queued_without_a_mail_url(tree, settings):
    settings.DANGVU_EMAIL_ENABLED = False
    s.set_email(tree.users["member"], tree.own, "cuong@example.vn")
    notice = _invite(tree)
    assert not notice.email and not Outbox.objects.exists()


def test_email_url_is_read_into_django_settings(tmp_path):
    code = ("import django; from django.conf import settings; django.setup(); "
            "print(settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, "
            "settings.DANGVU_EMAIL_ENABLED)")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "dangvu.settings",
           "DANGVU_DEBUG": "1", "DANGVU_HOME": str(tmp_path),
           "DANGVU_EMAIL_URL": "smtp://chibo:matkhau@mail.example.vn:587/?tls=True"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["mail.example.vn", "587", "True", "chibo", "True"]


def test_email_address_is_audited(tree):
    from auditlog.models import LogEntry

    from dangvu.channel.models import MemberContact

    s.set_email(tree.users["member"], tree.own, "cuong@example.vn")
    entry = LogEntry.objects.get_for_model(MemberContact).get()
    assert entry.object_pk == str(MemberContact.objects.get().pk)
    assert "cuong@example.vn" not in str(entry.changes)  # masked in the log


# -- calendar feeds -------------------------------------------------------------------------------


def test_member_feed_has_the_meetings_and_revoking_makes_it_404(tree):
    invitation = _invite(tree)
    held = ms.record_meeting(None, tree.orgs["C1A"], held_on=clock.today() - dt.timedelta(days=10),
                             starts_at=dt.time(8, 0), ends_at=dt.time(10, 0), place="Nhà văn hóa")
    _invite(tree, org="C2A")
    member = logged_in(tree.users["member"])
    page = member.post(reverse("channel:feeds"), {"scope": "member"}).content.decode()
    url = page.split("<code data-feed-url>")[1].split("</code>")[0]
    key = url.rsplit("/", 1)[1].removesuffix(".ics")
    token = FeedToken.objects.get()
    assert token.digest == token_digest(key) and key not in token.digest  # only the digest is kept
    anonymous = logged_in(tree.users["nobody"])
    response = anonymous.get(f"/lich/{key}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(response.content).walk("VEVENT")]
    starts = sorted(e.decoded("dtstart") for e in events)
    assert [d.date() for d in starts] == [held.held_on, invitation.meets_on]
    upcoming = next(e for e in events if e.decoded("dtstart").date() == invitation.meets_on)
    assert upcoming.decoded("dtstart").time() == dt.time(19, 30)
    assert str(upcoming["location"]) == "Nhà văn hóa thôn Đồng Tâm"
    assert (upcoming.decoded("dtend") - upcoming.decoded("dtstart")) == dt.timedelta(minutes=90)
    member.post(reverse("channel:feed_revoke", args=[token.pk]))
    assert anonymous.get(f"/lich/{key}.ics").status_code == 404
    assert logged_in(tree.users["member"]).get("/lich/khong-co-khoa-nay.ics").status_code == 404


def test_cell_feed_and_revoking_is_the_owners(tree):
    token, key = s.issue_feed_token(tree.users["member"], cell=tree.orgs["C1A"])
    assert token.organization == tree.orgs["C1A"]
    with pytest.raises(ServiceError):
        s.issue_feed_token(tree.users["member"], cell=tree.orgs["C2A"])
    with pytest.raises(ServiceError):
        s.revoke_feed_token(tree.users["secretary"], token)
    assert logged_in(tree.users["secretary"]).post(
        reverse("channel:feed_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# -- sending in the background ---------------------------------------------------------------------


def test_posting_returns_before_the_mail_is_sent_and_the_thread_sends_it(transactional_db, tree, smtp):
    """The page answers while the mail server still holds the message; the background thread then
    delivers it (a gate in the SMTP server holds the delivery until the page has answered)."""
    import asyncio
    import threading
    import time

    gate = threading.Event()
    original = smtp.handle_DATA

    async def held_data(server, session, envelope):
        await asyncio.get_running_loop().run_in_executor(None, gate.wait, 30)
        return await original(server, session, envelope)

    smtp.handle_DATA = held_data
    s.set_email(tree.users["member"], tree.own, "cuong@example.vn")
    day = clock.today() + dt.timedelta(days=6)
    response = logged_in(tree.users["secretary"]).post(reverse("channel:notice_create", args=["C1A"]), {
        "kind": "invitation", "title": "Giấy mời họp chi bộ tháng này", "meets_on": day.strftime("%d/%m/%Y"),
        "starts_at": "19:30", "place": "Nhà văn hóa", "email": "on"})
    assert response.status_code == 302
    assert smtp.messages == [] and Outbox.objects.get().state in (MailState.PENDING, MailState.SENDING)
    gate.set()
    for _ in range(150):  # the thread finishes on its own; wait for it without a timed assert
        if Outbox.objects.get().state == MailState.SENT:
            break
        time.sleep(0.2)
    assert Outbox.objects.get().state == MailState.SENT
    [(to, message)] = smtp.messages
    assert to == ["cuong@example.vn"] and day.strftime("%d/%m/%Y") in message.get_content()


# -- the member's pages do not grow with the rows ----------------------------------------------------


def _member_queries(client, urls: list[str]) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    out = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        out[url] = len(ctx.captured_queries)
    return out


def _grow(tree, n: int, offset: int) -> None:
    from conftest import make_member_data
    from person_names import letters

    today = clock.today()
    for i in range(offset, offset + n):
        notice = _invite(tree, days=i + 1, org="C1A")
        s.reply_to_invitation(tree.users["member"], tree.own, notice, "attend")
        s.post_notice(tree.users["admin"], tree.orgs["P"], title=f"Thông báo của tỉnh {letters(i)}")
        session = ms.record_study_session(None, tree.orgs["C1A"], document_title=f"Tài liệu {letters(i)}",
                                          document_number=f"{i + 1}-NQ/TW", held_on=today, member_ids=[])
        s.acknowledge_study(tree.users["member"], tree.own, session)
        ms.record_meeting(None, tree.orgs["C1A"], held_on=dt.date(today.year - 1 - i // 12, 1 + i % 12, 5),
                          starts_at=dt.time(19, 30), ends_at=dt.time(21, 30))
        rs.register_member(None, tree.orgs["C1A"], make_member_data(
            f"Đảng Viên Mới {letters(i)}", dt.date(1980, 1, 1 + i % 28), admitted_on=dt.date(2005, 1, 5),
            full_on=dt.date(2006, 1, 5)))


def test_member_pages_do_not_grow_with_rows(tree):
    _grow(tree, 2, 0)
    member = logged_in(tree.users["member"])
    notice = sel.notices_for(tree.own).first()
    urls = [reverse("channel:home"), reverse("channel:cell"), reverse("channel:notice_list"),
            reverse("channel:notice_detail", args=[notice.pk]), reverse("channel:feeds")]
    _member_queries(member, urls)  # the first visit writes the session and the read receipt
    before = _member_queries(member, urls)
    _grow(tree, 10, 2)
    after = _member_queries(member, urls)
    assert after == before
    assert max(after.values()) < 40, after


def test_mail_send_command_drains_the_outbox(tree, smtp, settings, capsys):
    import json

    from dangvu.cli import main

    s.set_email(tree.users["member"], tree.own, "cuong@example.vn")
    _invite(tree)
    assert main(["mail", "send", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"sent": 1, "retry": 0, "failed": 0}
    assert [to for to, _m in smtp.messages] == [["cuong@example.vn"]]
    settings.DANGVU_EMAIL_ENABLED = False
    assert main(["mail", "send"]) == 2
    assert "DANGVU_EMAIL_URL" in capsys.readouterr().err


def test_secretary_landing_page_has_the_one_tap_invitation(tree):
    ms.record_meeting(None, tree.orgs["C1A"], held_on=clock.today() - dt.timedelta(days=3),
                      starts_at=dt.time(19, 0), ends_at=dt.time(21, 0), place="Nhà văn hóa")
    page = logged_in(tree.users["secretary"]).get("/").content.decode()
    action = reverse("channel:invite_from_meeting", args=["C1A"])
    assert f'action="{action}"' in page
    assert f'action="{action}"' not in logged_in(tree.users["member"]).get("/").content.decode()
