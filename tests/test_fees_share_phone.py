"""The remittance page on a 390 px phone (issue 15): the commune's month with a line to confirm and
its cells' share, the cell's month with its "sent" form, the commune's year; nothing wider than the
screen, every tap target at least 44 px."""

from __future__ import annotations

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
from django.urls import reverse

pytestmark = BROWSER_MARKS


@pytest.fixture
def browser():
    yield from launch_browser()


def test_remittance_pages_fit_a_phone(transactional_db, live_server, tree, browser):
    from fees_world import remittance_objects

    month = remittance_objects(tree)["month"]
    pages = {
        "office": [f"{reverse('fees:remittances', args=['C1'])}?thang={month:%Y-%m}",
                   f"{reverse('fees:remittances', args=['C1'])}?nam={month.year}"],
        "secretary": [f"{reverse('fees:remittances', args=['C1A'])}?thang={month:%Y-%m}"],
    }
    problems = {}
    for role, urls in pages.items():
        context, page = _phone_login(browser, live_server.url, role, timeout_ms=60_000,
                                     landing=lambda url: "/dang-nhap/" not in url)
        for i, url in enumerate(urls):
            response = page.goto(live_server.url + url)
            assert response is not None and response.status == 200, url
            found = [w for w in [horizontal_overflow(page)] if w] + small_tap_targets(page, MIN_TAP_PX)
            _shot(page, f"phone-fees-{role}-{i}")
            if found:
                problems[f"{role} {url}"] = found
            if role == "office" and "thang=" in url:
                assert page.get_by_role("button", name="Xác nhận đã nhận").count() == 1
                assert page.get_by_role("button", name="Lưu tỷ lệ").count() == 1
            if role == "secretary":
                assert page.get_by_role("button", name="Ghi đã nộp").count() == 1
        context.close()
    assert not problems, problems
