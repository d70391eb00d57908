"""Issue 13, point 1 in a real browser: the cell secretary records this month's regular meeting
with attendance and a score on a 390×844 phone in at most 8 taps, counting every click from her
landing page (after login) to the saved meeting. Screenshots go to ``test-artifacts/``.

The cell has 46 members (one exempt) and the habits of ``routine_world``; the clock is fixed at
its ``TODAY``. Playwright drives Debian's Chromium as in ``test_browser.py``.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from browser_util import COUNT_CLICKS, launch_browser
from routine_world import EXPECTED_TOTAL, TODAY, build, second_tuesday
from test_browser import (
    CHROMIUM,
    MIN_TAP_PX,
    PHONE,
    _no_horizontal_scroll,
    _phone_login,
    _shot,
)

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    expect = sync_playwright = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(expect is None, reason="the playwright package is not installed"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"),
]

MAX_TAPS = 8
# Every click the page receives, kept across page loads (a real count, not the test's own).


@pytest.fixture
def phone_browser():
    """Debian's Chromium, as test_browser.py launches it (a fresh profile each run)."""
    yield from launch_browser()


@pytest.fixture
def routine_world(transactional_db, live_server, tree):
    from dangvu.core import clock

    clock.set_today(TODAY)  # the live server's thread reads the same clock
    try:
        yield build(tree)
    finally:
        clock.set_today(None)


class Taps:
    """Clicks through this counter, and the page's own count of the clicks it received."""

    def __init__(self, page):
        self.page, self.n = page, 0

    def __call__(self, locator) -> None:
        box = locator.bounding_box()
        assert box["height"] >= MIN_TAP_PX and box["width"] >= MIN_TAP_PX, box  # a thumb-sized target
        locator.click()
        self.n += 1

    def seen(self) -> int:
        return int(self.page.evaluate("Number(sessionStorage.getItem('taps') || 0)"))


def _start(browser, base: str):
    context, page = _phone_login(browser, base, "secretary")
    page.add_init_script(COUNT_CLICKS)
    page.evaluate("sessionStorage.setItem('taps', '0')")
    page.reload()  # the counter is installed from here on: the landing page, after login
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Tháng 11/2026")
    return context, page


def _check_routine_page(page) -> None:
    """Large inputs, the save bar on screen at the top and deep in the list, nothing too wide."""
    for name in ("starts_at", "ends_at", "held_on", "place", "chair"):  # the ones the issue measured, by name
        expect(page.locator(f"#id_{name}")).to_be_visible()
    fields = page.locator("form.routine").locator("input:visible, select:visible, textarea:visible")
    sizes = fields.evaluate_all("""els => els.filter(e => e.type !== "checkbox" && e.type !== "hidden")
        .map(e => [e.name, e.getBoundingClientRect().height, parseFloat(getComputedStyle(e).fontSize)])""")
    assert len(sizes) >= 8, sizes
    small = [s for s in sizes if s[1] < MIN_TAP_PX or s[2] < 16]
    assert not small, small  # every visible input at least 44 px tall, with 16 px+ text (measured: 48–50 px, 18 px)
    save = page.get_by_role("button", name="Lưu buổi sinh hoạt")
    box = save.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box  # visible without scrolling
    _no_horizontal_scroll(page)


def _saved_meeting(page, base: str):
    from dangvu.meetings.models import Meeting

    page.wait_for_url(re.compile(rf"{re.escape(base)}/sinh-hoat/\d+/$"))
    pk = int(page.url.rstrip("/").rsplit("/", 1)[1])
    return Meeting.objects.get(pk=pk)


def test_this_months_meeting_in_two_taps_with_full_attendance_and_score(routine_world, live_server, phone_browser):
    base = live_server.url
    context, page = _start(phone_browser, base)
    tap = Taps(page)
    _shot(page, "routine-landing-phone")
    _no_horizontal_scroll(page)

    tap(page.get_by_role("link", name="Ghi buổi sinh hoạt tháng 11"))
    page.wait_for_url(f"{base}/to-chuc/C1A/sinh-hoat/ghi/")
    expect(page.locator("#id_held_on")).to_have_value(second_tuesday(2026, 11).isoformat())
    expect(page.locator("#id_starts_at")).to_have_value("19:00")
    _check_routine_page(page)
    _shot(page, "routine-form-phone")

    tap(page.get_by_role("button", name="Lưu buổi sinh hoạt"))
    meeting = _saved_meeting(page, base)
    expect(page.locator(".grade")).to_contain_text(f"{EXPECTED_TOTAL} điểm — Tốt")
    _shot(page, "routine-saved-phone")
    assert tap.n == tap.seen() == 2 <= MAX_TAPS
    assert meeting.held_on == second_tuesday(2026, 11)
    assert meeting.attendances.filter(status="present").count() == 45 == meeting.present_count
    assert meeting.score.total == Decimal(EXPECTED_TOTAL)
    context.close()


def test_two_exceptions_one_excused_with_a_reason(routine_world, live_server, phone_browser):
    base = live_server.url
    people = routine_world["people"]
    excused, absent = people[2], people[5]
    context, page = _start(phone_browser, base)
    tap = Taps(page)

    tap(page.get_by_role("link", name="Ghi buổi sinh hoạt tháng 11"))
    page.wait_for_url(f"{base}/to-chuc/C1A/sinh-hoat/ghi/")
    tap(page.locator("details.att-list > summary"))
    one = page.locator("ul.cycle button", has_text=excused.full_name)
    tap(one)
    expect(one).to_contain_text("Vắng có lý do")
    reason = page.locator(f'input[name="r{excused.pk}"]')
    expect(reason).to_be_visible()
    reason.fill("Đi viện thăm mẹ")  # typing, only because something unusual happened
    two = page.locator("ul.cycle button", has_text=absent.full_name)
    tap(two)
    tap(two)
    expect(two).to_contain_text("Vắng không lý do")
    expect(page.locator("[data-present]")).to_have_text("43")
    _check_routine_page(page)  # deep in the list, the save bar is still on screen
    _shot(page, "routine-exceptions-phone")
    tap(page.get_by_role("button", name="Lưu buổi sinh hoạt"))
    meeting = _saved_meeting(page, base)
    assert tap.n == tap.seen() == 6 <= MAX_TAPS
    rows = {a.member_id: (a.status, a.reason) for a in meeting.attendances.all()}
    assert rows[excused.pk] == ("excused", "Đi viện thăm mẹ") and rows[absent.pk] == ("absent", "")
    assert (meeting.present_count, meeting.expected_count) == (43, 45)
    assert meeting.score.total == Decimal(EXPECTED_TOTAL)  # 95.6 % present: attendance still full
    expect(page.get_by_text("Vắng có lý do — Lý do: Đi viện thăm mẹ")).to_be_visible()
    context.close()
