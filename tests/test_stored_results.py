"""Stored page figures (issue 14): the statistics page's tables are read back while nothing in the
subtree has changed, built again after a change inside it (not outside), and the stored form gives
the same report as building it."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import make_member_data
from django.test import Client
from django.urls import reverse

from dangvu.core import clock
from dangvu.plans.models import StoredResult
from dangvu.plans.snapshots import changes_since
from dangvu.registry import services as rs
from dangvu.reports import stats

pytestmark = pytest.mark.django_db
D = dt.date


def _page(user) -> str:
    c = Client()
    c.force_login(user)
    r = c.get(reverse("registry:org_stats", args=["C1"]))
    assert r.status_code == 200
    return r.content.decode()


def _tamper(org) -> None:
    row = StoredResult.objects.get(organization=org, name="stats")
    row.value = {**row.value, "problems": ["DẤU-ĐÃ-LƯU"]}
    row.save()


def _newcomer(org, name: str):
    return rs.register_member(None, org, make_member_data(name, D(1985, 5, 5), admitted_on=D(2012, 1, 9),
                                                          full_on=D(2013, 1, 9)))


def test_statistics_read_back_until_the_subtree_changes(tree) -> None:
    office, c1 = tree.users["office"], tree.orgs["C1"]
    html = _page(office)
    assert "DẤU-ĐÃ-LƯU" not in html and StoredResult.objects.filter(organization=c1, name="stats").count() == 1
    _tamper(c1)
    assert "DẤU-ĐÃ-LƯU" in _page(office)  # read back
    _newcomer(tree.orgs["C2A"], "Hoàng Văn Ngoài")
    assert "DẤU-ĐÃ-LƯU" in _page(office)  # a change elsewhere does not touch C1's figures
    before = stats.build(c1, clock.today()).total
    _newcomer(tree.orgs["C1B"], "Hoàng Văn Trong")
    html = _page(office)
    assert "DẤU-ĐÃ-LƯU" not in html  # built again
    assert stats.build_stored(c1, clock.today()).total == before + 1
    row = StoredResult.objects.get(organization=c1, name="stats")
    assert changes_since(c1, row.data_stamp) == 0


def test_the_stored_form_is_the_built_report(tree) -> None:
    c1, day = tree.orgs["C1"], D(2026, 6, 30)
    built = stats.build(c1, day, D(2026, 1, 1))
    first = stats.build_stored(c1, day, D(2026, 1, 1))   # built and stored
    again = stats.build_stored(c1, day, D(2026, 1, 1))   # read back
    assert StoredResult.objects.filter(organization=c1, name="stats").count() == 1
    for report in (first, again):
        assert (report.start, report.day, report.opening, report.total) == (built.start, built.day, built.opening,
                                                                           built.total)
        assert report.org_tables == built.org_tables and report.member_tables == built.member_tables
        assert report.changes == built.changes and report.problems == built.problems
    # another period is another row
    stats.build_stored(c1, day, D(2026, 3, 1))
    assert StoredResult.objects.filter(organization=c1, name="stats").count() == 2


def test_badge_page_lists_read_back_until_the_subtree_changes(tree) -> None:
    office, c1 = tree.users["office"], tree.orgs["C1"]
    c = Client()
    c.force_login(office)
    url = reverse("honours:badges", args=["C1"])
    first = c.get(url).content.decode()
    row = StoredResult.objects.get(organization=c1, name="badges")
    row.value = {**row.value, "due": 4242}
    row.save()
    assert 'data-count="due">4242<' in c.get(url).content.decode()  # read back
    _newcomer(tree.orgs["C2A"], "Hoàng Văn Ngoài")
    assert 'data-count="due">4242<' in c.get(url).content.decode()
    _newcomer(tree.orgs["C1B"], "Hoàng Văn Trong")  # admitted 2012: not due, but the subtree changed
    html = c.get(url).content.decode()
    assert 'data-count="due">4242<' not in html and 'data-count="due">' in html  # built again
    assert first.count('data-member="') == html.count('data-member="')


def test_kept_figures_are_keyed_by_the_code_that_computed_them(tmp_path) -> None:
    """A deployment that changes any source file changes the fingerprint the kept figures are
    stored under, so they are computed again by the new code."""
    from dangvu.plans.snapshots import code_digest

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "rules.py").write_text("LIMIT = 3\n")
    (tmp_path / "notes.txt").write_text("not code")
    first = code_digest(tmp_path)
    (tmp_path / "notes.txt").write_text("still not code")
    assert code_digest(tmp_path) == first
    (tmp_path / "app" / "rules.py").write_text("LIMIT = 4\n")
    changed = code_digest(tmp_path)
    assert changed != first
    (tmp_path / "app" / "rules.py").rename(tmp_path / "app" / "other.py")
    assert code_digest(tmp_path) not in (first, changed)


def test_kept_figures_of_other_days_and_other_code_are_dropped(tree) -> None:
    """On storing, the same page's rows of another fingerprint go at once, those of other params
    once KEPT_DAYS old; a recent row of other params (another day) stays."""
    from django.utils import timezone

    from dangvu.plans.snapshots import KEPT_DAYS, rules_fingerprint, stored

    c1 = tree.orgs["C1"]
    fp = rules_fingerprint()[:12]
    old = timezone.now() - dt.timedelta(days=KEPT_DAYS + 1)
    for params, when in ((f"2026-01-01|{fp}", old), (f"2026-01-02|{'0' * 12}", timezone.now()),
                         (f"2026-01-03|{fp}", timezone.now())):
        StoredResult.objects.create(organization=c1, name="sample", params=params, computed_at=when, value=[1])
    StoredResult.objects.create(organization=tree.orgs["C2"], name="sample", params=f"2026-01-01|{fp}",
                                computed_at=old, value=[1])  # another organization's: not this one's to drop
    assert stored("sample", c1, "2026-01-04", lambda: [4], list, list) == [4]
    assert sorted(StoredResult.objects.filter(name="sample").values_list("organization__code", "params")) == [
        ("C1", f"2026-01-03|{fp}"), ("C1", f"2026-01-04|{fp}"), ("C2", f"2026-01-01|{fp}")]
