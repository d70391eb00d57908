"""Exemplary members (đảng viên tiêu biểu, issue 16 point 6): the committee's yearly record, the
indicator ``members.exemplary_share`` (absent where nothing was recorded), the page; and the alert
for members due a Party badge at the next occasion who are not proposed yet."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from conftest import logged_in, make_member_data
from django.urls import reverse

from dangvu import indicators
from dangvu.alerts.queries import alert_counts_by_kind
from dangvu.alerts.selectors import alerts_for
from dangvu.common import Code, ServiceError
from dangvu.core import clock
from dangvu.core.rulesets import ruleset_for
from dangvu.honours import services as hs
from dangvu.honours.models import ExemplaryMember
from dangvu.indicators import Period
from dangvu.registry import services as rs

D = dt.date
TODAY = D(2026, 11, 20)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


def _share(org, year: int = 2026):
    return indicators.compute("members.exemplary_share", org, Period.year(year))


def test_nothing_recorded_is_absent_not_zero(tree):
    value = _share(tree.orgs["C1"])
    assert value.value is None and value.breakdown == {"note": "chưa ghi nhận"}
    # a year recorded with nobody named is a real zero
    hs.record_exemplary(tree.users["office"], tree.orgs["C1"], 2026, [])
    value = _share(tree.orgs["C1"])
    assert (value.value, value.numerator, value.denominator) == (0.0, 0, 3)


def test_share_counts_only_where_a_committee_recorded(tree):
    c1, c1a, c1b = tree.orgs["C1"], tree.orgs["C1A"], tree.orgs["C1B"]
    hs.record_exemplary(tree.users["secretary"], c1a, 2026, [tree.inside.pk])
    # C1A has An and Cường; C1B (Dung) recorded nothing, so the commune counts C1A only
    assert (_share(c1).numerator, _share(c1).denominator) == (1, 2)
    assert _share(c1a).value == 50.0
    assert _share(c1b).value is None
    assert _share(tree.orgs["C2"]).value is None
    assert _share(c1, 2025).value is None  # another year
    # the commune's own record covers its whole subtree (and the cell's record still counts)
    hs.record_exemplary(tree.users["office"], c1, 2026, [tree.members["dung"].pk])
    value = _share(c1)
    assert (value.numerator, value.denominator) == (2, 3)
    assert (_share(c1b).numerator, _share(c1b).denominator) == (1, 1)


def test_recording_replaces_the_year_and_refuses_outsiders(tree):
    c1a = tree.orgs["C1A"]
    hs.record_exemplary(None, c1a, 2026, [tree.inside.pk, tree.own.pk])
    hs.record_exemplary(None, c1a, 2026, [tree.own.pk])
    assert list(ExemplaryMember.objects.values_list("member_id", flat=True)) == [tree.own.pk]
    for by, ids, year, code in ((tree.users["secretary"], [tree.outside.pk], 2026, Code.OUT_OF_SUBTREE),
                                (tree.users["viewer"], [], 2026, Code.FORBIDDEN),
                                (tree.users["secretary"], [], 2027, Code.OUT_OF_RANGE)):
        with pytest.raises(ServiceError) as exc:
            hs.record_exemplary(by, c1a, year, ids)
        assert exc.value.code == code
    assert list(ExemplaryMember.objects.values_list("member_id", flat=True)) == [tree.own.pk]


def test_page_saves_for_editors_and_shows_to_readers(tree):
    url = reverse("honours:exemplary", args=["C1A"]) + "?nam=2026"
    r = logged_in(tree.users["secretary"]).post(url, {"member": [str(tree.inside.pk)]})
    assert r.status_code == 302
    assert LogEntry.objects.filter(content_type__model="exemplarymember", actor=tree.users["secretary"]).count() == 1
    page = logged_in(tree.users["viewer"]).get(url).content.decode()
    assert f'data-member="{tree.inside.pk}"' in page and f'data-member="{tree.own.pk}"' not in page
    assert 'data-share="50.0"' in page
    r = logged_in(tree.users["viewer"]).post(url, {"member": []})
    assert r.status_code == 403
    assert logged_in(tree.users["secretary"]).get(reverse("honours:exemplary", args=["C2A"])).status_code == 404
    assert ExemplaryMember.objects.count() == 1


def test_badge_alert_until_the_member_is_proposed(tree):
    rules = ruleset_for(TODAY)
    nxt = D(2027, 2, 3)  # 7/11/2026 has passed: the next occasion is 3/2/2027
    early = D(2026, 11, 4)  # the next occasion is then 7/11/2026, before he reaches 30 years
    vet = rs.register_member(None, tree.orgs["C1A"], make_member_data(
        "Cựu Chiến Binh Hà", D(1950, 1, 1), admitted_on=D(1997, 1, 20), full_on=D(1998, 1, 20)))
    with clock.frozen(early):
        assert [a for a in alerts_for(tree.orgs["C1"], early) if a.kind == "badge_due"] == []
    soon = D(2026, 11, 8)  # the day after 7/11: 3/2/2027 is next, within the window
    assert (nxt - soon).days <= rules["alerts.badge_due_days"]
    with clock.frozen(soon):
        found = [a for a in alerts_for(tree.orgs["C1"], soon) if a.kind == "badge_due"]
        assert [(a.member_id, a.severity, a.date) for a in found] == [(vet.pk, "near", nxt)]
        assert "Huy hiệu 30 năm" in found[0].message
        assert alert_counts_by_kind(tree.orgs["C1"], soon)["badge_due"] == 1
        assert alert_counts_by_kind(tree.orgs["C2"], soon)["badge_due"] == 0
        hs.propose_badge(None, vet, nxt)
        assert [a for a in alerts_for(tree.orgs["C1"], soon) if a.kind == "badge_due"] == []


def test_badge_alerts_in_sql_equal_the_python_rule(tree, monkeypatch):
    """The alerts page counts and pages badge alerts in SQL for members whose party age is the days
    since admission, and by the Python rule for those with a break: both together are exactly the
    Python gathering, edge by edge."""
    from dangvu.alerts.queries import SubtreeAlerts
    from dangvu.honours.models import BadgeAward
    from dangvu.registry.models import Organization, StatusChange

    soon, occasion = D(2026, 11, 8), D(2027, 2, 3)
    made = {}

    def add(key, admitted_on, cell="C1A"):
        made[key] = rs.register_member(None, tree.orgs[cell], make_member_data(
            f"Đảng Viên {key.title()}", D(1950, 1, 1), admitted_on=admitted_on,
            full_on=admitted_on + dt.timedelta(days=366)))
        return made[key]

    add("vừa đủ", D(1997, 2, 3))  # 30 years on the occasion itself
    add("thiếu ngày", D(1997, 2, 4))  # one day short
    add("bốn mươi", D(1985, 1, 1), "C2A")
    for key, years, decided, returned in (("đã ba mươi", 30, D(2015, 8, 1), None),
                                          ("đã bốn mươi", 40, D(2025, 1, 20), None),
                                          ("đã thu hồi", 40, D(2025, 1, 20), D(2026, 3, 1))):
        BadgeAward.objects.create(member=add(key, D(1985, 1, 2)), badge_years=years, occasion=decided,
                                  decided_on=decided, returned_on=returned)
    BadgeAward.objects.create(member=add("đề nghị", D(1985, 1, 3)), badge_years=40, occasion=occasion)
    BadgeAward.objects.create(member=add("đề nghị dịp khác", D(1985, 1, 4)), badge_years=40, occasion=D(2026, 9, 2))
    for key, admitted_on, out_on, back_on in (("gián đoạn", D(1995, 1, 1), D(2000, 1, 1), D(2003, 1, 1)),
                                              ("gián đoạn ngắn", D(1980, 1, 1), D(1990, 1, 1), D(1991, 1, 1))):
        m = add(key, admitted_on)
        StatusChange.objects.create(member=m, event="strike_off", on=out_on)
        StatusChange.objects.create(member=m, event="admit", on=back_on)
    rs.record_death(None, add("từ trần", D(1970, 1, 1)), D(2026, 1, 5))

    with clock.frozen(soon):
        python = sorted((a.member_id, a.message, a.org_code) for a in alerts_for(tree.orgs["P"], soon)
                        if a.kind == "badge_due")
        alerts = SubtreeAlerts(tree.orgs["P"], soon)
        paths = list(Organization.objects.values_list("path", flat=True))
        paged = sorted((a.member_id, a.message, a.org_code) for a in alerts.rows(paths, "badge_due", 1000))
        counted = sum(n for *_r, kind, _s, n in alerts.counts() if kind == "badge_due")
    badge = {m: int(msg.split("Huy hiệu ")[1].split(" ")[0]) for m, msg, _c in python}
    assert badge == {made["vừa đủ"].pk: 30, made["bốn mươi"].pk: 40, made["đã ba mươi"].pk: 40,
                     made["đã thu hồi"].pk: 40, made["đề nghị dịp khác"].pk: 40, made["gián đoạn ngắn"].pk: 45}
    assert paged == python and counted == len(python)
    assert {m: c for m, _msg, c in paged}[made["bốn mươi"].pk] == "C2A"
    # The indicator counts due members, proposed or not, in SQL but for the few the Python rule
    # must see (a break, or an early proposal as seriously ill): the same as the rule, per badge.
    BadgeAward.objects.create(member=add("bệnh nặng", D(1997, 6, 1)), badge_years=30, occasion=occasion, early=True)
    from dangvu.honours.selectors import badge_due_counts, badge_rows

    rule: dict[int, int] = {}
    for row in badge_rows(tree.orgs["P"], occasion):
        rule[row.due.badge] = rule.get(row.due.badge, 0) + 1
    assert badge_due_counts(tree.orgs["P"], occasion) == rule
    assert rule[30] == 2 and sum(rule.values()) == 8  # "vừa đủ" and the early one; the proposed one counts
    value = indicators.compute("badges.due_count", tree.orgs["P"], Period(occasion, occasion), occasion=occasion)
    assert (value.value, value.breakdown) == (8, {str(k): n for k, n in sorted(rule.items())})
    # The page's lists are the rule's, cut at the page's length, in name order, whatever the size.
    from dangvu.honours import badge_page
    from dangvu.honours.selectors import early_rows

    p, rs_ = tree.orgs["P"], ruleset_for(occasion)
    living = [r.member.pk for r in badge_rows(p, occasion)]
    early = [r.member.pk for r in early_rows(p, occasion)]
    dead = [r.member.pk for r in badge_rows(p, occasion, posthumous=True) if r.due.posthumous]
    assert len(living) == 8 and early and dead == [made["từ trần"].pk]
    for limit in (1, 3, 7, 8, 50):
        rows, more = badge_page.living_due(p, occasion, rs_, limit)
        assert ([r.member.pk for r in rows], more) == (living[:limit], len(living) > limit)
        rows, more = badge_page.early_possible(p, occasion, rs_, limit)
        assert ([r.member.pk for r in rows], more) == (early[:limit], len(early) > limit)
        rows, more = badge_page.posthumous_due(p, occasion, rs_, limit)
        assert ([r.member.pk for r in rows], more) == (dead[:limit], len(dead) > limit)
    monkeypatch.setattr(badge_page, "BADGE_ROWS", 3)
    page = logged_in(tree.users["admin"]).get(reverse("honours:badges", args=["P"]), {"dip": f"{occasion:%Y-%m-%d}"})
    html = page.content.decode()
    assert [r.member.pk for r in page.context["living"]] == living[:3] and 'data-more="living"' in html
    assert "Đủ tuổi đảng (8)" in html and 'data-more="posthumous"' not in html


def test_committee_page_offers_the_named_and_searched_members_not_the_whole_subtree(tree):
    an, cuong, dung, binh = (tree.members[k] for k in ("an", "cuong", "dung", "binh"))
    url = reverse("honours:exemplary", args=["C1"]) + "?nam=2026"
    office = logged_in(tree.users["office"])

    def shown(page_url: str) -> set[int]:
        page = office.get(page_url).content.decode()
        return {m.pk for m in (an, cuong, dung, binh) if f'data-member="{m.pk}"' in page}

    assert shown(url) == set()  # the commune has no member of its own: nothing listed until a search
    hs.record_exemplary(None, tree.orgs["C1"], 2026, [an.pk])
    assert shown(url) == {an.pk}  # the named stay listed (ticked), so saving keeps them
    assert f'value="{an.pk}" checked' in office.get(url).content.decode()
    assert shown(url + "&tim=dung") == {an.pk, dung.pk}
    assert shown(url + "&tim=binh") == {an.pk}  # outside the commune: never offered
    r = office.post(url, {"member": [str(an.pk), str(dung.pk)]})
    assert r.status_code == 302
    assert set(ExemplaryMember.objects.values_list("member_id", flat=True)) == {an.pk, dung.pk}
    assert cuong.pk not in shown(url)
