"""Long lists grouped by cell with counts, filtered and paginated (issue 13, point 4): the alerts
page (grouped by organization, filtered by kind and organization, 50 a page) and the member list
of a committee office (a count per cell, each a filter; 50 a page; search without diacritics)."""

from __future__ import annotations

import re

import pytest
from conftest import logged_in
from django.urls import reverse
from person_names import letters, register_people

pytestmark = pytest.mark.django_db

EXTRA = 60


client_for = logged_in


@pytest.fixture
def big_cell(tree):
    """C1A with 62 members (each without this year's assignment: one alert each)."""
    register_people(tree.orgs["C1A"], EXTRA, "Hội Viên Thử")
    return tree


def _alert_orgs(html: str) -> list[str]:
    return re.findall(r'<li class="[a-z]+" data-kind="[a-z_]+"[^>]* data-org="([A-Z0-9-]+)"', html)


def test_alerts_are_grouped_by_organization_filtered_and_paginated(big_cell):
    office = client_for(big_cell.users["office"])
    r = office.get(reverse("alerts:list"))
    assert r.status_code == 200
    html = r.content.decode()
    counts = {p[0]: p[2] for p in r.context["places"]}
    assert counts["C1A"] > EXTRA and counts["C1B"] >= 1 and "C2A" not in counts
    # one section per organization, each headed with its count in the whole list
    assert f'data-count="org-C1A">— {counts["C1A"]} cảnh báo' in html
    orgs = _alert_orgs(html)
    assert len(orgs) == 50  # 50 a page
    assert orgs == sorted(orgs, key=["C1", "C1A", "C1B"].index)  # grouped: one run per organization
    assert "don-vi" not in html.split('aria-label="Trang"')[1][:400] and "trang=2#danh-sach" in html
    # filtered by organization: only its alerts; the pager keeps the filter
    r = office.get(reverse("alerts:list"), {"don-vi": "C1B"})
    assert set(_alert_orgs(r.content.decode())) == {"C1B"}
    r = office.get(reverse("alerts:list"), {"don-vi": "C1A", "kind": "no_assignment"})
    html = r.content.decode()
    assert set(_alert_orgs(html)) == {"C1A"} and "kind=no_assignment&amp;don-vi=C1A&amp;trang=2" in html
    # an organization outside the scope or unknown: said so, every organization shown, never a 500
    for value in ("C2A", "\x00", "x" * 300):
        r = office.get(reverse("alerts:list"), {"don-vi": value})
        assert r.status_code == 200 and r.context["where"] == ""
        assert "Đơn vị này không có cảnh báo nào" in r.content.decode()
        assert "Bến Đò" not in r.content.decode()


def test_member_list_of_the_office_counts_members_per_cell(big_cell):
    office = client_for(big_cell.users["office"])
    r = office.get(reverse("registry:member_list"))
    assert r.status_code == 200
    assert [(o.code, n) for o, n in r.context["groups"]] == [("C1A", EXTRA + 2), ("C1B", 1)]
    html = r.content.decode()
    assert f'<b data-count="C1A">{EXTRA + 2}</b>' in html and '<b data-count="C1B">1</b>' in html
    assert len(r.context["page"]) == 50  # 50 a page
    # a cell's chip filters the list; a search keeps the chips to the cells it matches
    r = office.get(reverse("registry:member_list"), {"org": "C1A", "page": "2"})
    assert r.context["total"] == EXTRA + 2 and len(r.context["page"]) == 12 and r.context["groups"] == []
    r = office.get(reverse("registry:member_list"), {"q": "hoi vien thu bf"})  # without diacritics
    assert [m.full_name for m in r.context["page"]] == [f"Hội Viên Thử {letters(31)}"]
    assert r.context["groups"] == []  # one cell: no chips
    r = office.get(reverse("registry:member_list"), {"q": "pham", "status": "all"})
    assert [m.full_name for m in r.context["page"]] == ["Phạm Thị Dung"]
    # the chip link keeps the search and the status
    r = office.get(reverse("registry:member_list"), {"q": "ng", "status": "all"})
    assert [(o.code, n) for o, n in r.context["groups"]] == [("C1A", 2), ("C1B", 1)]  # An, Cường; Dung
    assert "?q=ng&amp;status=all&amp;org=C1A" in r.content.decode()
    # the secretary's list is her one cell: no chips
    r = client_for(big_cell.users["secretary"]).get(reverse("registry:member_list"))
    assert r.context["groups"] == [] and r.context["total"] == EXTRA + 2
