"""The discipline pages on a 390 px phone (issue 16): an organization's cases with the member search,
a case through every step with its appeal, a step's form; nothing wider than the screen, every tap
target at least 44 px."""

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
from django.urls import reverse

pytestmark = BROWSER_MARKS

TODAY = dt.date.today()
DAY = dt.timedelta(days=1)


@pytest.fixture
def browser():
    yield from launch_browser()


def test_discipline_pages_fit_a_phone(transactional_db, live_server, tree, browser):
    from dangvu.discipline import services as ds

    an = tree.members["an"]
    done = ds.open_case(an, violation_on=TODAY - 90 * DAY, summary="Vi phạm quy chế làm việc của chi bộ",
                        opened_by=None, origin="Kết luận kiểm tra số 3-KL/UBKT", opened_on=TODAY - 60 * DAY)
    ds.record_self_review(None, done, on=TODAY - 30 * DAY, text="Tôi nhận khuyết điểm và xin sửa chữa.")
    ds.record_cell_vote(None, done, on=TODAY - 25 * DAY, form="warning", in_favour=7, against=1, full_members=9)
    ds.decide_case(None, done, on=TODAY - 20 * DAY, form="warning", decision_number="12-QĐ/ĐU",
                   received_on=TODAY - 19 * DAY)
    ds.lodge_appeal(None, done, lodged_on=TODAY - 10 * DAY, content="Xin xem xét giảm hình thức kỷ luật.")
    ds.decide_appeal(None, done, on=TODAY - 2 * DAY, outcome="changed", new_form="reprimand",
                     decision_number="5-QĐ/TU")
    fresh = ds.open_case(tree.members["cuong"], violation_on=TODAY - 40 * DAY, summary="Vắng sinh hoạt ba tháng",
                         opened_by=None)
    pages = {
        "office": [reverse("discipline:org_cases", args=["C1"]) + "?q=van",
                   reverse("discipline:case_detail", args=[done.pk]),
                   reverse("discipline:case_detail", args=[fresh.pk]),
                   reverse("discipline:case_step", args=[fresh.pk, "tu-kiem-diem"]),
                   reverse("discipline:open_case", args=[an.pk])],
        "secretary": [reverse("discipline:org_cases", args=["C1A"]),
                      reverse("discipline:case_step", args=[fresh.pk, "tinh-tiet"])],
    }
    problems = {}
    for role, urls in pages.items():
        context, page = _phone_login(browser, live_server.url, role, timeout_ms=60_000,
                                     landing=lambda url: "/dang-nhap/" not in url)
        for i, url in enumerate(urls):
            response = page.goto(live_server.url + url)
            assert response is not None and response.status == 200, url
            found = [w for w in [horizontal_overflow(page)] if w] + small_tap_targets(page, MIN_TAP_PX)
            _shot(page, f"phone-discipline-{role}-{i}")
            if found:
                problems[f"{role} {url}"] = found
        context.close()
    assert not problems, problems
