"""The periodic report's page on a 390 px phone (issue 18, point 2): the office user reaches it from
the organization's page, chooses the period and gets the .docx; the page fits the screen and every
tap target (the period and the signer's lists, the button) is at least 44 px tall."""

from __future__ import annotations

import io

import pytest
from browser_util import BROWSER_MARKS, _phone_login, horizontal_overflow, launch_browser, small_tap_targets
from docx import Document

pytestmark = BROWSER_MARKS


@pytest.fixture
def browser():
    yield from launch_browser()


def test_office_downloads_the_half_year_draft_on_a_phone(transactional_db, live_server, tree, browser):
    import datetime as dt

    from dangvu.registry import services as rs

    c1 = tree.orgs["C1"]
    rs.add_post(None, c1, tree.members["an"], "secretary", dt.date(2025, 1, 10))
    deputy = rs.add_post(None, c1, tree.members["cuong"], "deputy", dt.date(2025, 1, 10))
    base = live_server.url
    context, page = _phone_login(browser, base, "office", timeout_ms=60_000,
                                 landing=lambda url: "/dang-nhap/" not in url)
    try:
        page.goto(f"{base}/to-chuc/C1/")
        page.get_by_role("link", name="Báo cáo công tác xây dựng Đảng").click()
        page.wait_for_url(f"{base}/to-chuc/C1/bao-cao-dinh-ky/")
        assert horizontal_overflow(page) is None
        assert small_tap_targets(page) == []
        options = page.locator("#periodic-period option").all_inner_texts()
        assert options and all(o.startswith(("6 tháng", "Năm")) for o in options)
        page.select_option("#periodic-period", index=0)
        page.select_option("#id_ky", str(deputy.pk))  # the signer: the deputy, not the secretary
        chosen = page.locator("#periodic-period").input_value()
        with page.expect_download() as info:
            page.get_by_role("button", name="Tải báo cáo (.docx)").click()
        download = info.value
        assert download.suggested_filename == f"bao-cao-xay-dung-dang-c1-{chosen.lower()}.docx"
        doc = Document(io.BytesIO(open(download.path(), "rb").read()))
        assert doc.paragraphs[1].text == "BÁO CÁO"
        assert doc.paragraphs[2].text.startswith("Kết quả công tác xây dựng Đảng ")
        assert "Lê Văn Cường" in doc.tables[-1].rows[0].cells[1].text
    finally:
        context.close()
