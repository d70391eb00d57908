"""Safe actions (issue 13, point 7): on a member's page removal, death, discipline and transfer sit
apart from routine actions, in a "Thao tác khác" section after them, styled as danger; each asks
first with what will change; no destructive button says a bare "Lưu"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from dangvu.registry import services as s
from dangvu.registry.models import Discipline, Member, Transfer

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - depends on the environment
    expect = None

ROOT = Path(__file__).resolve().parent.parent
RARE = {"transfer_out": "Chuyển sinh hoạt đảng đi nơi khác", "discipline": "Ghi quyết định kỷ luật",
        "strike_off": "Xóa tên khỏi danh sách đảng viên", "death": "Ghi đảng viên từ trần"}


def client_as(tree, who: str) -> Client:
    client = Client()
    client.force_login(tree.users[who])
    return client


def _event_url(member, event: str) -> str:
    return reverse("registry:member_event", args=[member.pk, event])


def _buttons(html: str) -> list[str]:
    """The words of every button and button-styled link of a page."""
    found = re.findall(r"<button[^>]*>(.*?)</button>", html, re.S)
    found += re.findall(r'<a class="btn[^"]*"[^>]*>(.*?)</a>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", b)).strip() for b in found]


@pytest.mark.django_db
def test_member_page_puts_rare_actions_apart_after_routine_ones(tree):
    s.update_member(None, tree.inside, version=tree.inside.version, card_number="01234567")
    html = client_as(tree, "secretary").get(reverse("registry:member_detail", args=[tree.inside.pk])).content.decode()
    top = html[html.index('class="actions routine"'):]
    top = top[:top.index("</div>")]
    zone_at = html.index('class="danger-zone"')
    assert "Sửa hồ sơ" in top and "Miễn công tác và sinh hoạt đảng" in top
    for event, label in RARE.items():
        assert label not in top, label  # not in the top bar
        link = f'<a class="btn danger" href="{_event_url(tree.inside, event)}">{label}…</a>'
        assert html.index(link) > zone_at, label
    assert html.index("Thao tác khác") > html.index("Quá trình sinh hoạt đảng")  # at the bottom
    assert html.index('class="actions routine"') < zone_at


@pytest.mark.django_db
def test_viewer_sees_no_actions(tree):
    html = client_as(tree, "viewer").get(reverse("registry:member_detail", args=[tree.inside.pk])).content.decode()
    assert "danger-zone" not in html and "Xóa tên" not in html


def _strike(client, member, **extra):
    return client.post(_event_url(member, "strike_off"), {"on": "01/06/2026", "decision_number": "7-QĐ/ĐU",
                                                          "note": "Bỏ sinh hoạt", **extra})


@pytest.mark.django_db
def test_strike_off_asks_first_and_says_what_will_change(tree):
    an = tree.inside
    s.update_member(None, an, version=an.version, card_number="01234567")
    client = client_as(tree, "secretary")
    form = client.get(_event_url(an, "strike_off")).content.decode()
    assert "Lưu" not in _buttons(form)
    assert "Tiếp tục: xem những gì sẽ thay đổi" in _buttons(form)
    r = _strike(client, an)
    html = r.content.decode()
    assert r.status_code == 200 and Member.objects.get(pk=an.pk).status == "full"  # nothing written yet
    assert ("Đồng chí Nguyễn Văn An sẽ bị xóa tên khỏi danh sách đảng viên của Chi bộ thôn Đồng Tâm "
            "từ ngày 01/06/2026 theo quyết định số 7-QĐ/ĐU.") in html
    assert "Thẻ đảng viên số 01234567 phải thu hồi." in html
    assert "không còn được tính vào số đảng viên" in html
    assert "Xác nhận xóa tên đồng chí Nguyễn Văn An" in _buttons(html)
    # "Quay lại sửa" brings the form back with what was typed, still nothing written
    r = _strike(client, an, edit="1")
    assert r.status_code == 200 and r.context["form"]["decision_number"].value() == "7-QĐ/ĐU"
    assert Member.objects.get(pk=an.pk).status == "full"
    r = _strike(client, an, confirm="1")
    assert r.status_code == 302
    assert Member.objects.get(pk=an.pk).status == "struck_off"


def test_a_refused_event_says_so_before_the_confirmation(tree):
    """A date before the member joined is refused on the first tap, not after "Xác nhận"; the
    dry run keeps nothing (no event, no audit entry)."""
    from auditlog.models import LogEntry

    from dangvu.registry.models import StatusChange

    an = tree.inside
    client = client_as(tree, "secretary")
    events, audit = StatusChange.objects.filter(member=an).count(), LogEntry.objects.count()
    r = client.post(_event_url(an, "strike_off"), {"on": "01/06/2009", "decision_number": "7-QĐ/ĐU"})
    assert r.status_code == 400
    assert "Xác nhận xóa tên" not in r.content.decode()
    assert r.context["form"].errors  # the service's refusal, on the form
    assert Member.objects.get(pk=an.pk).status == "full"
    assert StatusChange.objects.filter(member=an).count() == events and LogEntry.objects.count() == audit


@pytest.mark.django_db
@pytest.mark.parametrize(("event", "data", "words"), [
    ("death", {"on": "01/06/2026"}, "Đồng chí Nguyễn Văn An sẽ được ghi là đã từ trần ngày 01/06/2026."),
    ("discipline", {"on": "01/06/2026", "form": "warning", "decision_number": "5-QĐ/ĐU"},
     "Đồng chí Nguyễn Văn An sẽ bị ghi kỷ luật bằng hình thức cảnh cáo theo quyết định số 5-QĐ/ĐU"),
    ("discipline", {"on": "01/06/2026", "form": "expulsion", "decision_number": "6-QĐ/ĐU"},
     "Khai trừ: đồng chí bị đưa ra khỏi Đảng."),
    ("transfer_out", {"kind": "permanent", "letter_on": "01/06/2026", "reason": "Chuyển nơi ở"},
     "Đồng chí Nguyễn Văn An sẽ được cấp giấy chuyển sinh hoạt đảng chính thức từ Chi bộ thôn Đồng Tâm "
     "đến Chi bộ Văn phòng xã"),
])
def test_each_rare_event_asks_first(tree, event, data, words):
    an = tree.inside
    if event == "transfer_out":
        data = data | {"to_org": tree.orgs["C1B"].pk}
    client = client_as(tree, "office")
    counts = (Discipline.objects.count(), Transfer.objects.count(), an.history.count())
    r = client.post(_event_url(an, event), data)
    assert r.status_code == 200, r.content.decode()[-800:]
    assert words in r.content.decode()
    assert (Discipline.objects.count(), Transfer.objects.count(), an.history.count()) == counts
    assert client.post(_event_url(an, event), data | {"confirm": "1"}).status_code == 302
    assert an.history.count() == counts[2] + 1


@pytest.mark.django_db
def test_routine_events_save_at_once_with_words_that_say_what(tree):
    an = tree.inside
    client = client_as(tree, "office")
    page = client.get(_event_url(an, "exempt")).content.decode()
    assert "Ghi miễn sinh hoạt" in _buttons(page) and "Lưu" not in _buttons(page)
    assert client.post(_event_url(an, "exempt"), {"on": "01/06/2026", "note": "Tuổi cao"}).status_code == 302
    assert Member.objects.get(pk=an.pk).status == "exempt"


def test_no_bare_save_button_in_destructive_templates():
    """Every template of the congress and registry apps: a button that removes or deletes says so."""
    bad = []
    for folder in ("dangvu/congress/templates", "dangvu/registry/templates"):
        for path in (ROOT / folder).rglob("*.html"):
            for words in _buttons(path.read_text(encoding="utf-8")):
                if words == "Lưu" or (words.startswith("Xóa") and len(words.split()) < 2):
                    bad.append((path.name, words))
    assert not bad


# -- a phone ----------------------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.skipif(expect is None, reason="the playwright package is not installed")
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is not installed")
def test_phone_routine_first_and_removal_needs_a_confirmation(live_tree, live_server, browser):
    from test_browser import MIN_TAP_PX, PHONE, _no_horizontal_scroll, _phone_login

    member = live_tree.inside
    base = live_server.url
    context, page = _phone_login(browser, base, "secretary")
    page.goto(f"{base}/dang-vien/{member.pk}/")
    _no_horizontal_scroll(page)
    routine = page.locator(".actions.routine a.btn")
    rare = page.locator(".danger-zone a.btn.danger")
    expect(rare).to_have_count(4)
    last_routine = routine.last.bounding_box()
    first_rare = rare.first.bounding_box()
    assert last_routine["y"] + last_routine["height"] <= first_rare["y"]  # routine first, rare below
    assert first_rare["y"] > PHONE["height"]  # not on the first screen
    for i in range(rare.count()):
        assert rare.nth(i).bounding_box()["height"] >= MIN_TAP_PX
    page.get_by_role("link", name="Xóa tên khỏi danh sách đảng viên…").click()
    page.wait_for_url(f"{base}/dang-vien/{member.pk}/su-kien/strike_off/")
    page.get_by_label("Ngày").fill("2026-06-01")
    page.get_by_role("button", name="Tiếp tục: xem những gì sẽ thay đổi").click()
    expect(page.locator(".consequences")).to_contain_text("sẽ bị xóa tên khỏi danh sách đảng viên")
    _no_horizontal_scroll(page)
    assert Member.objects.get(pk=member.pk).status == "full"  # the first tap wrote nothing
    confirm = page.get_by_role("button", name="Xác nhận xóa tên đồng chí Nguyễn Văn An")
    assert confirm.bounding_box()["height"] >= MIN_TAP_PX
    confirm.click()
    page.wait_for_url(f"{base}/dang-vien/{member.pk}/")
    assert Member.objects.get(pk=member.pk).status == "struck_off"
    context.close()


@pytest.fixture
def browser():
    from browser_util import launch_browser

    yield from launch_browser()


@pytest.fixture
def live_tree(transactional_db, live_server, tree):
    return tree


@pytest.mark.browser
@pytest.mark.skipif(expect is None, reason="the playwright package is not installed")
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is not installed")
def test_phone_disagreeing_cell_marked_and_corrected_one_number(live_tree, live_server, browser):
    import datetime as dt

    from test_browser import MIN_TAP_PX, _no_horizontal_scroll, _phone_login

    from dangvu.congress import services as cs

    day = dt.date(2027, 5, 10)
    congress = cs.save_congress(None, live_tree.orgs["C1"], term="2025-2030", kind="members", starts_on=day,
                                ends_on=day)
    names = ["Nguyễn Văn An", "Lê Văn Cường"]
    election = cs.create_election(None, congress, title="Bầu Ban Chấp hành", seats=1, held_on=day, issued=2,
                                  candidates=names)
    for team_name, votes in (("Tổ 1", (2, 1)), ("Tổ 2", (2, 0))):
        team = cs.add_team(None, election, team_name)
        cs.set_team_totals(None, team, {"ballots": 2, "valid": 2, "invalid": 0} | dict(zip(names, votes, strict=True)))
    base = live_server.url
    context, page = _phone_login(browser, base, "office")
    page.goto(f"{base}/bau-cu/{election.pk}/")
    _no_horizontal_scroll(page)
    marked = page.locator("td.mismatch")
    expect(marked).to_have_count(2)
    fix = page.get_by_role("link", name="Sửa Lê Văn Cường").nth(1)  # Tổ 2's cell
    box = fix.bounding_box()
    assert box["height"] >= MIN_TAP_PX and box["width"] >= MIN_TAP_PX
    fix.click()
    page.get_by_label("Số phiếu của Lê Văn Cường (Tổ 2)").fill("1")
    page.get_by_role("button", name="Lưu số đã sửa").click()
    page.wait_for_url(f"{base}/bau-cu/{election.pk}/")
    expect(page.locator("td.mismatch")).to_have_count(0)
    expect(page.locator(".msg-success").last).to_contain_text("Số liệu các tổ khớp nhau.")
    context.close()
