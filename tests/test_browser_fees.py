"""Issue 15, point 2 in a real browser: the cell's fee book on a 390×844 phone. The normal month
("everyone paid as due") is at most 2 taps from the secretary's landing page — the book link, then
«Tất cả đã nộp đủ» — and an exception is a tap on the name plus an amount. Every click the page
receives is counted (as in test_browser_routine.py), the database is checked afterwards, and each
fee page is checked for width and tap-target size. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from browser_util import (
    BROWSER_MARKS,
    COUNT_CLICKS,
    MIN_TAP_PX,
    PHONE,
    _phone_login,
    _shot,
    expect,
    horizontal_overflow,
    launch_browser,
)
from browser_util import small_tap_targets as small
from conftest import make_member_data
from person_names import letters

pytestmark = BROWSER_MARKS

TODAY = dt.date(2026, 11, 20)
NOV = dt.date(2026, 11, 1)
MAX_TAPS = 2
CELL_SIZE = 24


@pytest.fixture
def phone_browser():
    yield from launch_browser()


@pytest.fixture
def fee_cell(transactional_db, live_server, tree):
    """C1A with 24 more members, each with a fee basis; the secretary's post recorded."""
    from dangvu.core import clock
    from dangvu.fees import services as fs
    from dangvu.registry import services as rs

    clock.set_today(TODAY)  # the live server's thread reads the same clock
    try:
        cell = tree.orgs["C1A"]
        people = [rs.register_member(None, cell, make_member_data(
            f"Đảng Viên Đóng Phí {letters(i)}", dt.date(1960 + i, 1 + i % 12, 1 + i), admitted_on=dt.date(2005, 1, 5),
            full_on=dt.date(2006, 1, 5))) for i in range(CELL_SIZE)]
        everyone = [tree.members["an"], tree.members["cuong"], *people]
        for i, member in enumerate(everyone):
            fs.set_basis(None, member, category="pensioner" if i % 3 else "salaried", base=5_000_000 + 10_000 * i,
                         starts_on=dt.date(2026, 1, 1))
        rs.add_post(None, cell, tree.members["an"], "secretary", dt.date(2025, 1, 2))
        yield {"cell": cell, "people": people, "everyone": everyone}
    finally:
        clock.set_today(None)


class Taps:
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
    page.reload()
    return context, page


def _check_page(page) -> None:
    assert horizontal_overflow(page) is None, horizontal_overflow(page)
    assert small(page) == [], small(page)


def test_normal_month_in_two_taps_from_the_landing_page(fee_cell, live_server, phone_browser):
    from dangvu.fees.models import FeeBook, FeePayment
    from dangvu.fees.selectors import book_rows

    base = live_server.url
    context, page = _start(phone_browser, base)
    tap = Taps(page)
    tap(page.get_by_role("link", name="Thu đảng phí tháng 11"))
    page.wait_for_url(f"{base}/dang-phi/C1A/2026-11/")
    expect(page.locator("ul.fee-rows > li")).to_have_count(CELL_SIZE + 2)
    save = page.get_by_role("button", name="Tất cả đã nộp đủ")
    box = save.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box  # the sticky bar: in view without scrolling
    _check_page(page)
    _shot(page, "fee-book-phone")
    tap(save)
    expect(page.locator(".messages")).to_have_text("Đã ghi sổ thu đảng phí tháng 11/2026.")
    assert tap.n == tap.seen() == 2 <= MAX_TAPS
    rows = book_rows(fee_cell["cell"], NOV)
    assert all(r.paid == r.due.due and r.state == "paid" for r in rows) and len(rows) == CELL_SIZE + 2
    assert FeePayment.objects.filter(month=NOV).count() == CELL_SIZE + 2
    book = FeeBook.objects.get(organization=fee_cell["cell"], month=NOV)
    assert (book.collected_by, book.collected_on) == (fee_cell["everyone"][0], TODAY)  # the secretary, today
    expect(page.locator('[data-count="paid"]')).to_have_text(str(CELL_SIZE + 2))
    _check_page(page)
    context.close()


def test_exceptions_by_tapping_names(fee_cell, live_server, phone_browser):
    from dangvu.fees.models import FeePayment
    from dangvu.fees.selectors import book_rows

    base = live_server.url
    partial, unpaid, excused = fee_cell["people"][3], fee_cell["people"][7], fee_cell["people"][20]
    context, page = _start(phone_browser, base)
    tap = Taps(page)
    tap(page.get_by_role("link", name="Thu đảng phí tháng 11"))
    page.wait_for_url(f"{base}/dang-phi/C1A/2026-11/")
    one = page.locator("ul.fee-rows button", has_text=unpaid.full_name)
    tap(one)
    expect(one).to_contain_text("Chưa nộp")
    two = page.locator("ul.fee-rows button", has_text=partial.full_name)
    tap(two)
    tap(two)
    expect(two).to_contain_text("Nộp thiếu")
    amount = page.locator(f'input[name="a{partial.pk}"]')
    expect(amount).to_be_visible()
    amount.fill("10.000")  # typing only because something unusual happened
    three = page.locator("ul.fee-rows button", has_text=excused.full_name)
    for _ in range(4):
        tap(three)
    expect(three).to_contain_text("Chưa nộp, có lý do")
    page.locator(f'input[name="r{excused.pk}"]').fill("Ốm nằm viện")
    expect(page.locator("[data-exceptions]")).to_have_text("3")
    _check_page(page)
    _shot(page, "fee-book-exceptions-phone")
    tap(page.get_by_role("button", name="Tất cả đã nộp đủ"))
    expect(page.locator(".messages")).to_have_text("Đã ghi sổ thu đảng phí tháng 11/2026.")
    assert tap.n == tap.seen() == 9
    rows = {r.member.pk: r for r in book_rows(fee_cell["cell"], NOV)}
    assert (rows[partial.pk].paid, rows[partial.pk].state) == (10_000, "partial")
    assert (rows[unpaid.pk].paid, rows[unpaid.pk].state) == (0, "unpaid")
    assert (rows[excused.pk].state, rows[excused.pk].reason) == ("excused", "Ốm nằm viện")
    assert FeePayment.objects.filter(month=NOV, kind="payment").count() == CELL_SIZE  # everyone else, once
    # The correction: from the entry, beside the original, never silently changed.
    page.locator("ul.fee-rows li", has_text=partial.full_name).get_by_role("link", name="Đính chính").click()
    _check_page(page)
    page.get_by_label("Số tiền đúng (đồng)").fill("12.000")
    page.get_by_label("Lý do đính chính").fill("Ghi thiếu 2.000")
    page.get_by_role("button", name="Ghi đính chính").click()
    row = page.locator("ul.fee-rows li", has_text=partial.full_name)
    expect(row.locator("s")).to_have_text("10.000 đ")
    expect(row).to_contain_text("+2.000 đ — Ghi thiếu 2.000")
    assert FeePayment.objects.get(member=partial, kind="payment").amount == 10_000
    context.close()


def test_fee_pages_fit_the_phone(fee_cell, live_server, phone_browser, tree):
    from django.urls import reverse

    base = live_server.url
    context, page = _phone_login(phone_browser, base, "secretary")
    an = tree.members["an"]
    for url in (reverse("fees:member_fees", args=[an.pk]), reverse("fees:basis_set", args=[an.pk]),
                reverse("fees:import_start", args=["C1A"]), reverse("fees:book", args=["C1A", 2026, 10])):
        assert page.goto(base + url).status == 200
        _check_page(page)
    page.goto(base + reverse("fees:basis_set", args=[an.pk]))
    page.get_by_label("Khoản tính đảng phí (đồng/tháng)").fill("8.000.000")
    page.get_by_role("button", name="Xem mức đóng").click()
    expect(page.locator("#muc-dong")).to_contain_text("Mức đóng: 80.000 đồng/tháng")
    _check_page(page)
    context.close()
