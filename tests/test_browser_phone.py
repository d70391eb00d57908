"""Every page of every role on a 390×844 phone (issue 13, point 4).

One browser, one phone context per role (logged in once through the real login page). For each
GET URL of the access matrix (tests/test_access_matrix.py) that the role may open, the page is
opened with real ids from a world that has data on each page (plans, meetings, evaluation rounds,
a congress with an election, admission prospects, alerts) and checked: nothing wider than the
screen, and every visible tap target at least 44 px tall (icons and bare check boxes also wide).
Offenders are reported grouped by page; the list is also written to test-artifacts/.
File downloads (.docx, .xlsx, evidence files) are not pages and are left out.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import types

import pytest
from browser_util import (
    ARTIFACTS,
    BROWSER_MARKS,
    MIN_TAP_PX,
    PHONE,
    _phone_login,
    _shot,
    expect,
    horizontal_overflow,
    launch_browser,
    small_tap_targets,
)
from django.urls import reverse
from test_access_matrix import (
    EXPECTED,
    _channel_objects,
    _congress_objects,
    build_world,
    expected_status,
    issue17_objects,
    url_for,
)

pytestmark = BROWSER_MARKS

PHONE_ROLES = ("admin", "office", "secretary", "viewer", "member")
# Responses that are files to download, not pages.
DOWNLOADS = {
    "registry:import_template", "registry:member_export", "registry:org_stats_file", "meetings:meeting_minutes",
    "meetings:meeting_minutes_draft",
    "congress:milestone_evidence", "congress:apportionment_xlsx", "congress:draft_file",
    "congress:comments_docx", "congress:tally_docx", "evaluation:round_xlsx", "plans:plan_report",
    "plans:task_evidence", "honours:badge_document", "fees:import_template", "fees:fee_report",
}
# A role's own place first: the page then shows the role's edit buttons where it has them.
LOCATION_ORDER = ("own", "in", "side", "out", "above", "-")


@pytest.fixture
def browser():
    yield from launch_browser()


@pytest.fixture
def phone_world(transactional_db, live_server, tree, settings, tmp_path):
    """The access matrix's world with every app's objects, committed for the live server."""
    from admission_world import admission_objects
    from evaluation_world import YEAR, complete, evaluation_objects
    from plans_world import plans_objects

    from dangvu.evaluation import services as es

    w = build_world(tree, settings, tmp_path, types.SimpleNamespace(node=types.SimpleNamespace()))
    w.congress = {loc: _congress_objects(w.orgs[loc], w.members[loc]) for loc in ("in", "side", "out")}
    w.evaluation = evaluation_objects(w.orgs, w.members)
    w.admission = admission_objects(w.orgs)
    w.plans = plans_objects(w.orgs)
    from fees_world import fees_objects, remittance_objects

    w.fees = fees_objects(w.orgs, w.members, tree.users)
    w.fees["remit"] = remittance_objects(tree)  # issue 15: the remittance page with lines and forms
    issue17_objects(w)  # party groups and a member away now (issue 17)
    from test_access_matrix import _discipline_objects

    w.discipline = _discipline_objects(w)  # issue 16: a case per location
    from inspection_world import inspection_objects

    w.inspection = inspection_objects(w.orgs, w.members)  # issue 16: programmes and items at each step
    w.channel = _channel_objects(w, tree)  # issue 17: notices, the member's open sheet, a calendar key
    from exchange_world import exchange_objects

    w.exchange = exchange_objects(tree, settings, tmp_path)  # issue 18.3: staged packages with a preview
    # A commune's round over its cells (what a cell secretary meets in her "Đánh giá" page).
    w.commune_round = es.open_round(None, tree.orgs["C1"], "member", YEAR - 1)
    complete(w.commune_round)
    return w


def extra_pages(world, role: str) -> list[str]:
    """Pages of the long lists with their groups and filters (not in the access matrix's table):
    the commune's round by unit, one unit, one state; alerts of one unit; members of one cell."""
    if role == "member":
        return []
    rnd = reverse("evaluation:round_detail", args=[world.commune_round.pk])
    return [rnd, f"{rnd}?don-vi=C1A", f"{rnd}?tinh-trang=da-quyet-dinh",
            f"{reverse('alerts:list')}?don-vi=C1A&kind=cell_too_small",
            f"{reverse('registry:member_list')}?status=all&org=C1A"]


def allowed_pages(world, role: str) -> list[str]:
    """The URLs of every page ``role`` may open (200), one location per URL name and variant."""
    urls = []
    for name, spec in EXPECTED.items():
        if spec.kind in ("public", "api", "api_page") or not spec.get_allowed or name in DOWNLOADS:
            continue
        for variant in spec.variants:
            for loc in sorted(spec.locations, key=LOCATION_ORDER.index):
                if expected_status(spec, role, loc) != 200:
                    continue
                url = url_for(world, name, loc, variant)
                if url is not None:
                    urls.append(url)
                    break
    return urls


def phone_pages(world, role: str) -> list[str]:
    """Every page ``role`` may open, plus the long lists with their filters."""
    return allowed_pages(world, role) + extra_pages(world, role)


def test_every_page_of_every_role_fits_a_phone(phone_world, live_server, browser):
    base = live_server.url
    offenders: dict[str, list[str]] = {}
    opened = 0
    timings: list[tuple[float, str]] = []
    for role in PHONE_ROLES:
        # A few pages sum the whole world's data: slow on a machine shared by several sessions.
        context, page = _phone_login(browser, base, role, timeout_ms=90_000,
                                     landing=lambda url: "/dang-nhap/" not in url)
        for url in phone_pages(phone_world, role):
            started = time.monotonic()
            response = page.goto(base + url)
            timings.append((time.monotonic() - started, f"{role} {url}"))
            opened += 1
            problems = []
            if response is None or response.status != 200:
                problems.append(f"HTTP {response.status if response else '—'}")
            wide = horizontal_overflow(page)
            if wide:
                problems.append(wide.replace(page.url, "").lstrip(": "))
            problems += [f"tap target {t}" for t in small_tap_targets(page, MIN_TAP_PX)]
            if problems:
                offenders[f"{role} {url}"] = problems
        context.close()
    report = "\n".join(f"{where}:\n  " + "\n  ".join(sorted(set(p))) for where, p in offenders.items())
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "phone-pages.txt").write_text(f"{opened} pages opened, {len(offenders)} with problems\n{report}\n",
                                               encoding="utf-8")
    slowest = "\n".join(f"{t:.1f}s {where}" for t, where in sorted(timings, reverse=True)[:10])
    (ARTIFACTS / "phone-pages-slowest.txt").write_text(slowest + "\n", encoding="utf-8")
    assert opened > 150, opened  # every role's pages were reached, not a login page
    assert not offenders, f"{len(offenders)} of {opened} pages do not fit a 390 px phone:\n{report}"


@pytest.fixture
def cell_round(transactional_db, live_server, tree):
    """C1's members' round over C1A, whose 22 members have all made their self-assessment."""
    from conftest import make_member_data
    from evaluation_world import self_points
    from person_names import letters

    from dangvu.evaluation import services as es
    from dangvu.registry import services as rs

    for i in range(20):
        rs.register_member(None, tree.orgs["C1A"], make_member_data(
            f"Đảng Viên Điện Thoại {letters(i)}", dt.date(1960 + i, 1 + i % 12, 1 + i),
            admitted_on=dt.date(2005, 1, 5), full_on=dt.date(2006, 1, 5)))
    rnd = es.open_round(None, tree.orgs["C1"], "member", 2025)
    for ev in rnd.evaluations.filter(unit=tree.orgs["C1A"]):
        es.self_assess(None, ev, self_points(rnd), "good", tasks_on_time_pct=100, tasks_exceeding_pct=10)
    return rnd


def test_secretary_proposes_her_cells_grades_from_the_menu_on_a_phone(cell_round, live_server, browser, tree):
    """From the menu to one saved proposal for all 22 members of her cell: 5 taps, nothing wider
    than the screen, the save button always in view, every grade choice a large target."""
    from dangvu.evaluation.models import Evaluation

    base = live_server.url
    context, page = _phone_login(browser, base, "secretary")
    taps = 0

    def tap(locator) -> None:
        nonlocal taps
        locator.tap()
        taps += 1

    nav = page.get_by_role("navigation", name="Chức năng chính")
    tap(nav.locator("details.more > summary"))
    tap(nav.get_by_role("link", name="Đánh giá, xếp loại", exact=True))
    page.wait_for_url(f"{base}/danh-gia/")
    expect(page.locator("main")).not_to_contain_text("Chưa có đợt đánh giá nào")
    expect(page.locator('[data-state="cho-de-xuat"]')).to_have_attribute("data-count", "22")
    assert horizontal_overflow(page) is None
    tap(page.get_by_role("link", name="Đề xuất xếp loại — Chi bộ thôn Đồng Tâm"))
    page.wait_for_url(re.compile(r"/don-vi/C1A/de-xuat/$"))
    assert horizontal_overflow(page) is None and small_tap_targets(page) == []
    expect(page.locator("fieldset.proposal")).to_have_count(22)
    expect(page.locator("input[type=radio]:checked")).to_have_count(22)  # prefilled from the self-assessment
    save = page.get_by_role("button", name="Lưu đề xuất")
    box = save.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], box  # sticky: in view without scrolling
    first = page.locator("fieldset.proposal").first
    tap(first.get_by_text("Xuất sắc", exact=True))
    _shot(page, "cell-proposals-phone")
    tap(save)
    page.wait_for_url(re.compile(r"/danh-gia/\d+/\?don-vi=C1A$"))
    expect(page.locator(".messages")).to_have_text("Đã ghi đề xuất xếp loại của chi bộ.")
    assert horizontal_overflow(page) is None
    expect(page.locator('li[data-unit="C1A"] [data-state="cho-quyet-dinh"]')).to_have_attribute("data-count", "22")
    _shot(page, "round-cell-phone")
    # the cell's forms as short cards, at most 380 px each (50 a page)
    cards = page.evaluate("[...document.querySelectorAll('table.evals tbody tr')].map(r => r.offsetHeight)")
    assert len(cards) == 22 and max(cards) <= 380, cards
    rows = Evaluation.objects.filter(round=cell_round, unit=tree.orgs["C1A"])
    assert rows.exclude(proposed_grade="").count() == 22
    assert rows.filter(proposed_grade="excellent").count() == 1
    assert taps == 5
    context.close()
