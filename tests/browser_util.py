"""Helpers the browser tests share: the system Chromium, the phone and desktop viewports, logging in
on a phone, screenshots, and the two phone checks (nothing wider than the screen; tap targets).

Playwright drives Debian's ``/usr/bin/chromium`` (no browser download); the tests that use it skip
when the ``playwright`` package or the browser is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    expect = sync_playwright = None

from conftest import PASSWORD, ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
MIN_TAP_PX = 44

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None, reason="the playwright package is not installed"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)"),
]


# Every click the page receives, kept across page loads (a real count of taps, not the test's own).
COUNT_CLICKS = """
document.addEventListener("click", function () {
  sessionStorage.setItem("taps", String(Number(sessionStorage.getItem("taps") || 0) + 1));
}, true);
"""


def launch_browser():
    """The system Chromium for a test (use as ``yield from launch_browser()`` in a fixture).
    ``launch`` gives every run a fresh temporary profile (user-data dir) and removes it after."""
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _no_horizontal_scroll(page) -> None:
    """Nothing wider than the phone's screen. A mobile browser zooms out to fit wide content, and
    then ``innerWidth`` grows with ``scrollWidth``: so it must also still be the screen's width."""
    scroll, inner, layout = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth, document.documentElement.clientWidth]")
    assert scroll <= inner, f"{page.url}: page is {scroll}px wide in a {inner}px window"
    assert inner == layout == PHONE["width"], f"{page.url}: zoomed out to {inner}px to fit wide content"


WIDE_JS = """
(width) => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0 && ![...el.children].some(c => c.getBoundingClientRect().right > width + 1)) {
      out.push(`${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ')[0] : ''} ` +
               `«${(el.innerText || '').trim().slice(0, 30)}» right ${Math.round(r.right)}`);
    }
  }
  return out.slice(0, 3);
}
"""


def horizontal_overflow(page) -> str | None:
    """What ``_no_horizontal_scroll`` asserts, as a message naming the widest elements (None when
    the page fits)."""
    try:
        _no_horizontal_scroll(page)
    except AssertionError as exc:
        return f"{exc}; too wide: {', '.join(page.evaluate(WIDE_JS, PHONE['width']))}"
    return None


# Every visible control a finger taps: links, buttons, fields, menus, and the labels of check boxes
# and radio buttons (the label is the target: tapping it ticks the box). A check box or radio button
# inside or named by a label is judged by its label. Elements off screen to the left (the skip link)
# or not rendered (a closed menu) are not targets. "Icons" (one or two characters) must also be wide.
SMALL_TARGETS_JS = """
(min) => {
  const out = [];
  const seen = new Set();
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= 0) return null;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none' || el.closest('[hidden]')) return null;
    return r;
  };
  const labelOf = (el) => el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
  const describe = (el) => {
    const tag = el.tagName.toLowerCase();
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || el.name || '').trim().replace(/\\s+/g, ' ');
    return `${tag}${el.type && tag === 'input' ? '[' + el.type + ']' : ''} «${text.slice(0, 40)}»`;
  };
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (let el of document.querySelectorAll(sel)) {
    if ((el.type === 'checkbox' || el.type === 'radio') && labelOf(el)) el = labelOf(el);
    if (seen.has(el)) continue;
    seen.add(el);
    const r = visible(el);
    if (!r) continue;
    const text = (el.innerText || '').trim();
    const icon = el.tagName !== 'INPUT' && el.tagName !== 'SELECT' && el.tagName !== 'TEXTAREA' && text.length <= 2;
    const boxy = el.type === 'checkbox' || el.type === 'radio';
    if (r.height < min || ((icon || boxy) && r.width < min)) {
      out.push(`${describe(el)} ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
  }
  return out;
}
"""


def small_tap_targets(page, minimum: int = MIN_TAP_PX) -> list[str]:
    """Visible tap targets under ``minimum`` px tall (or wide, for icons and bare check boxes)."""
    return page.evaluate(SMALL_TARGETS_JS, minimum)


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000
    return path


def _phone_login(browser, base: str, username: str, timeout_ms: int = 15_000, landing=None):
    """A phone-sized browser context, logged in as ``username``: (context, page). ``landing``: the
    URL (or a predicate on it) the login leads to, by default the home page."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(landing or f"{base}/")
    return context, page
