"""Issue 17 on a 390×844 phone: the member home, the reply to the next meeting in two taps, the
notice pages of the member and the secretary, the calendar page. Each page is checked for width
and 44 px tap targets; the reply is checked in the database. Screenshots go to ``test-artifacts/``."""

from __future__ import annotations

import datetime as dt

import pytest
from browser_util import (
    BROWSER_MARKS,
    MIN_TAP_PX,
    _phone_login,
    _shot,
    horizontal_overflow,
    launch_browser,
    small_tap_targets,
)

pytestmark = BROWSER_MARKS


@pytest.fixture
def phone_browser():
    yield from launch_browser()


@pytest.fixture
def channel_world(transactional_db, live_server, tree):
    from dangvu.channel import services as chs
    from dangvu.core import clock
    from dangvu.meetings import services as ms
    from dangvu.registry import services as rs

    today = clock.today()
    rs.add_post(None, tree.orgs["C1A"], tree.inside, "secretary", dt.date(2025, 1, 2))
    rs.add_commitment(None, tree.own, today.year, "Gương mẫu nơi cư trú, tham gia đầy đủ sinh hoạt", today)
    ms.record_study_session(None, tree.orgs["C1"], document_title="Nghị quyết về phát triển khoa học, công nghệ",
                            document_number="57-NQ/TW", held_on=today, member_ids=[])
    invitation = chs.post_notice(None, tree.orgs["C1A"], kind="invitation", title="Giấy mời sinh hoạt chi bộ",
                                 meets_on=today + dt.timedelta(days=3), starts_at=dt.time(19, 30),
                                 place="Nhà văn hóa thôn Đồng Tâm", topic="Sinh hoạt thường kỳ",
                                 materials="Dự thảo nghị quyết tháng\nBáo cáo thu chi đảng phí")
    notice = chs.post_notice(None, tree.orgs["C1"], title="Thông báo lịch học tập nghị quyết",
                             body="Các đồng chí tham dự đầy đủ.")
    return {"invitation": invitation, "notice": notice}


def _check(page, name: str, problems: dict) -> None:
    found = []
    if wide := horizontal_overflow(page):
        found.append(wide)
    found += [f"tap target {t}" for t in small_tap_targets(page, MIN_TAP_PX)]
    if found:
        problems[name] = found
    _shot(page, f"channel-{name}")


def test_member_and_secretary_channel_pages_on_a_phone(channel_world, live_server, phone_browser):
    from dangvu.channel.models import MeetingReply

    base = live_server.url
    problems: dict[str, list[str]] = {}
    context, page = _phone_login(phone_browser, base, "member", timeout_ms=60_000)
    page.goto(f"{base}/cua-toi/")
    _check(page, "member-home", problems)
    page.get_by_label("Tôi không dự được, vì…").check()  # tap 1
    page.get_by_label("Lý do (nếu không dự được)").fill("Đi khám bệnh định kỳ")
    page.get_by_role("button", name="Gửi trả lời").click()  # tap 2
    page.wait_for_url(f"{base}/cua-toi/#hop")
    reply = MeetingReply.objects.get()
    assert (reply.answer, reply.reason) == ("cannot", "Đi khám bệnh định kỳ")
    for name, url in (("member-notice", f"/thong-bao/{channel_world['notice'].pk}/"),
                      ("member-notices", "/thong-bao/"), ("member-cell", "/cua-toi/chi-bo/"),
                      ("member-calendar", "/cua-toi/lich/"), ("member-email", "/cua-toi/thu-dien-tu/")):
        assert page.goto(base + url).status == 200
        _check(page, name, problems)
    context.close()
    context, page = _phone_login(phone_browser, base, "secretary", timeout_ms=60_000)
    for name, url in (("secretary-invitation", f"/thong-bao/{channel_world['invitation'].pk}/"),
                      ("secretary-notices", "/thong-bao/"), ("secretary-new", "/thong-bao/moi/C1A/")):
        assert page.goto(base + url).status == 200
        _check(page, name, problems)
    assert "Đi khám bệnh định kỳ" in page.goto(f"{base}/thong-bao/{channel_world['invitation'].pk}/").text()
    context.close()
    assert not problems, problems
