"""The cell secretary's everyday path in a real browser (Chromium through Playwright).

Log in, find a member by typing the name without accents, record a discipline decision on the
member's page and see it in the history; screenshots of the member list and page (desktop and
phone) go to ``test-artifacts/``. Skipped when Debian's ``chromium`` or the ``playwright``
package is not installed (no browser download: Playwright drives the system Chromium).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

from conftest import PASSWORD, ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None, reason="the playwright package is not installed"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def browser():
    # ``launch`` gives every run a fresh temporary profile (user-data dir) and removes it after.
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


LONG_GROUP = "Tổ đảng số 3 thôn Đồng Tâm (xóm Giữa, xóm Bãi và khu tái định cư Cầu Đá mới)"


@pytest.fixture
def live_tree(transactional_db, live_server, tree):
    """The shared registry, committed so that the live server's thread sees it, plus a party
    group with a long real-world name (it widens the organization filter on the member list)."""
    from dangvu.registry import services as s

    s.create_organization(None, tree.orgs["C1A"], code="C1A-T3", name=LONG_GROUP, kind="group")
    return tree


def _no_horizontal_scroll(page) -> None:
    """Nothing wider than the phone's screen. A mobile browser zooms out to fit wide content, and
    then ``innerWidth`` grows with ``scrollWidth``: so it must also still be the screen's width."""
    scroll, inner, layout = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth, document.documentElement.clientWidth]")
    assert scroll <= inner, f"{page.url}: page is {scroll}px wide in a {inner}px window"
    assert inner == layout == PHONE["width"], f"{page.url}: zoomed out to {inner}px to fit wide content"


# The phone menu: the monthly routine in front, the rest behind "Thêm" (a <details> menu).
TOP_ENTRIES = ("Sinh hoạt chi bộ", "Đảng viên", "Kế hoạch", "Cảnh báo")
MORE_ENTRIES = ("Trang chủ", "Tổ chức đảng", "Kết nạp đảng viên", "Đánh giá, xếp loại", "Đại hội", "Nhập Excel")
MAX_PHONE_HEADER_PX = 140  # about two rows: brand and logout, then the menu
MIN_TAP_PX = 44


def _on_screen(box: dict) -> bool:
    return box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] and box["height"] >= MIN_TAP_PX


def _phone_menu(page) -> None:
    """Header at most about two rows high at 390 px; every entry on screen with a large tap target,
    those behind "Thêm" reached by keyboard alone; opening the menu widens nothing."""
    header = page.locator("header.topbar")
    assert header.bounding_box()["height"] < MAX_PHONE_HEADER_PX, header.bounding_box()
    nav = page.get_by_role("navigation", name="Chức năng chính")
    for name in TOP_ENTRIES:
        link = nav.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        assert _on_screen(link.bounding_box()), (name, link.bounding_box())
    more = nav.locator("details.more > summary")
    expect(more).to_have_text("Thêm ▾")
    assert _on_screen(more.bounding_box()), more.bounding_box()
    for name in MORE_ENTRIES:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_hidden()
    more.focus()
    page.keyboard.press("Enter")  # no JavaScript: <details> opens from the keyboard
    for name in MORE_ENTRIES:
        link = nav.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        assert _on_screen(link.bounding_box()), (name, link.bounding_box())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == MORE_ENTRIES[0]
    assert header.bounding_box()["height"] < MAX_PHONE_HEADER_PX  # the open menu lies over the page
    _no_horizontal_scroll(page)
    _shot(page, "menu-open-phone")
    nav.get_by_role("link", name="Tổ chức đảng", exact=True).click()
    page.wait_for_url(re.compile(r"/to-chuc/$"))


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000
    return path


def _phone_login(browser, base: str, username: str):
    """A phone-sized browser context, logged in as ``username``: (context, page)."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/")
    return context, page


def _count_line(page):
    return page.locator("main > p").filter(has_text="đảng viên.")


def test_secretary_finds_member_and_records_discipline(live_tree, live_server, browser):
    from dangvu.registry.models import Discipline, StatusChange

    base = live_server.url
    member = live_tree.inside
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)

    # 1. Log in through the real login page.
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("secretary")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/")
    expect(page.locator(".topbar .who")).to_have_text("secretary")

    # 2. Find the member by typing the name without accents.
    page.get_by_role("navigation", name="Chức năng chính").get_by_role("link", name="Đảng viên", exact=True).click()
    page.wait_for_url(f"{base}/dang-vien/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đảng viên")
    expect(_count_line(page)).to_contain_text("2 đảng viên.")  # An and Cường, the two members of C1A

    page.get_by_label("Tìm theo họ tên").fill("nguyen van an")
    page.get_by_role("button", name="Tìm").click()
    page.wait_for_url(re.compile(r"/dang-vien/\?q=nguyen\+van\+an"))
    expect(_count_line(page)).to_contain_text("1 đảng viên.")
    rows = page.locator("table.responsive tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("02/03/1980")
    expect(rows.first).to_contain_text("Chi bộ thôn Đồng Tâm")
    expect(rows.first).to_contain_text("Chính thức")
    _shot(page, "member-list-desktop")

    # A member of another commune's cell is outside the secretary's scope.
    page.get_by_label("Tìm theo họ tên").fill("tran thi binh")
    page.get_by_role("button", name="Tìm").click()
    page.wait_for_url(re.compile(r"q=tran\+thi\+binh"))
    expect(_count_line(page)).to_contain_text("0 đảng viên.")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_text("Không tìm thấy đảng viên nào.")
    assert "Trần Thị Bình" not in page.locator("main").inner_text()
    assert live_tree.outside.full_name == "Trần Thị Bình"  # she exists, just not for this user

    page.get_by_label("Tìm theo họ tên").fill("nguyen van an")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("link", name="Nguyễn Văn An", exact=True).click()
    page.wait_for_url(f"{base}/dang-vien/{member.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nguyễn Văn An")
    timeline = page.locator("#timeline li")
    expect(timeline).to_have_count(2)
    expect(timeline.first).to_contain_text("19/05/2010 — Kết nạp (dự bị): Chi bộ thôn Đồng Tâm")
    expect(timeline.nth(1)).to_contain_text("19/05/2011 — Công nhận đảng viên chính thức")

    # 3. Record a discipline decision through the form (apart, under "Thao tác khác").
    page.get_by_role("link", name="Ghi quyết định kỷ luật…", exact=True).click()
    page.wait_for_url(f"{base}/dang-vien/{member.pk}/su-kien/discipline/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kỷ luật — Nguyễn Văn An")
    page.get_by_label("Ngày").fill("2025-01-15")  # the date picker's value format
    page.get_by_label("Số quyết định").fill("12-QĐ/ĐU")
    page.get_by_label("Ghi chú, lý do").fill("Vi phạm quy chế sinh hoạt chi bộ")
    page.get_by_label("Hình thức kỷ luật").select_option(label="Khiển trách")
    page.get_by_role("button", name="Tiếp tục: xem những gì sẽ thay đổi").click()
    expect(page.locator(".consequences")).to_contain_text("hình thức khiển trách theo quyết định số 12-QĐ/ĐU")
    page.get_by_role("button", name="Xác nhận kỷ luật đồng chí Nguyễn Văn An").click()

    # 4. Back on the member page: the message and the history show it.
    page.wait_for_url(f"{base}/dang-vien/{member.pk}/")
    expect(page.locator(".messages")).to_have_text("Đã ghi: kỷ luật.")
    expect(timeline).to_have_count(3)
    entry = timeline.nth(2)  # oldest first
    expect(entry).to_contain_text("15/01/2025 — Kỷ luật")
    expect(entry).to_contain_text("Quyết định số 12-QĐ/ĐU")
    expect(entry).to_contain_text("Khiển trách. Vi phạm quy chế sinh hoạt chi bộ")
    expect(page.get_by_role("heading", name="Kỷ luật", level=2)).to_be_visible()
    expect(page.locator("h1 .badge")).to_have_text("Chính thức")

    change = StatusChange.objects.get(member=member, event="discipline")
    assert change.on == dt.date(2025, 1, 15)
    assert change.decision_number == "12-QĐ/ĐU"
    assert change.note == "Khiển trách. Vi phạm quy chế sinh hoạt chi bộ"
    assert change.recorded_by == live_tree.users["secretary"]
    assert (change.from_status, change.to_status) == ("full", "full")
    record = Discipline.objects.get(member=member)
    assert (record.form, record.decided_on) == ("reprimand", dt.date(2025, 1, 15))
    member.refresh_from_db()
    assert member.status == "full"
    _shot(page, "member-page-desktop")

    # 5. The same pages on a phone: readable, nothing wider than the screen.
    phone = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                locale="vi-VN", storage_state=context.storage_state())
    small = phone.new_page()
    small.set_default_timeout(15_000)
    small.goto(f"{base}/dang-vien/?q=nguyen+van+an")
    expect(_count_line(small)).to_contain_text("1 đảng viên.")
    expect(small.get_by_label("Tổ chức").locator("option")).to_contain_text([LONG_GROUP])
    _no_horizontal_scroll(small)
    _shot(small, "member-list-phone")
    font_px = small.evaluate("parseFloat(getComputedStyle(document.querySelector('main')).fontSize)")
    assert font_px >= 17

    small.goto(f"{base}/dang-vien/{member.pk}/")
    expect(small.locator("#timeline")).to_contain_text("15/01/2025")
    _no_horizontal_scroll(small)
    _shot(small, "member-page-phone")

    small.goto(f"{base}/dang-vien/{member.pk}/su-kien/discipline/")
    _no_horizontal_scroll(small)
    _shot(small, "event-form-phone")

    # 6. The menu on the phone: two rows at most, every entry reachable.
    _phone_menu(small)
    phone.close()
    context.close()


def test_secretary_opens_alerts_on_a_phone(live_tree, live_server, browser):
    """The alerts page from the phone menu: the cell's own alerts as tiles, nothing wider than the screen."""
    base = live_server.url
    context, page = _phone_login(browser, base, "secretary")
    page.get_by_role("navigation", name="Chức năng chính").get_by_role("link", name="Cảnh báo", exact=True).click()
    page.wait_for_url(f"{base}/canh-bao/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cảnh báo")
    # C1A holds two members: under the three full members a cell needs.
    expect(page.locator('[data-count="cell_too_small"]')).to_have_text("1")
    expect(page.locator('li[data-kind="cell_too_small"]')).to_contain_text("Chi bộ thôn Đồng Tâm")
    assert "Bến Đò" not in page.locator("main").inner_text()  # C2A's name: outside the secretary's scope
    _no_horizontal_scroll(page)
    _shot(page, "alerts-phone")
    context.close()


def test_office_confirms_each_binding_of_a_plan_on_a_phone(live_tree, live_server, browser):
    """The reader's draft on a 390 px phone: saving with unconfirmed bindings asks for each one;
    once both of a two-subject target are confirmed the plan is saved and its dashboard lists both."""
    from dangvu.plans import services as s

    targets = [{"text": "Hằng năm có trên 90% tổ chức cơ sở đảng, đảng viên hoàn thành tốt nhiệm vụ",
                "op": ">", "value": 90, "value_max": None, "unit": "%", "by": None, "period": "annual",
                "baseline": None, "section": "II.1",
                "bindings": [{"indicator": "organizations.rated_good_or_better_share", "params": {}},
                             {"indicator": "members.rated_good_or_better_share", "params": {}}]}]
    plan = s.draft_from_parse(None, live_tree.orgs["C1"], {
        "number": "7-KH/ĐU", "title": "Kế hoạch thử trên điện thoại", "references": [], "tasks": [],
        "targets": targets})
    base = live_server.url
    context, page = _phone_login(browser, base, "office")
    page.goto(f"{base}/ke-hoach/{plan.pk}/duyet/")
    expect(page.locator(".binding")).to_have_count(2)
    _no_horizontal_scroll(page)
    _shot(page, "plan-review-phone")
    save = page.get_by_role("button", name="Lưu kế hoạch, bắt đầu theo dõi")
    box = save.bounding_box()
    assert box["height"] >= MIN_TAP_PX and box["x"] + box["width"] <= PHONE["width"], box
    save.click()
    # Nothing was saved: each binding is asked for by name.
    expect(page.locator("fieldset.decision")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên")
    _no_horizontal_scroll(page)
    for fieldset in page.locator("fieldset.decision").all():
        fieldset.get_by_label("Xác nhận").check()
    page.get_by_role("button", name="Lưu kế hoạch, bắt đầu theo dõi").click()
    page.wait_for_url(f"{base}/ke-hoach/{plan.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text("Tỷ lệ tổ chức đảng hoàn thành tốt nhiệm vụ trở lên")
    expect(main).to_contain_text("Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên")
    _no_horizontal_scroll(page)
    _shot(page, "plan-dashboard-phone")
    page.get_by_role("link", name="Chi tiết chỉ tiêu").first.click()
    page.wait_for_url(re.compile(r"/ke-hoach/chi-tieu/\d+/xem/$"))
    expect(page.locator("main")).to_contain_text("Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên")
    _no_horizontal_scroll(page)
    _shot(page, "plan-target-phone")
    context.close()
