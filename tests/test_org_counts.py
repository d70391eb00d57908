"""Member counts on the organization tree: one grouped query over the subtree, right on a tree
wider than the database's column limit (a province has more than 2,000 organizations)."""

from __future__ import annotations

import datetime as dt

from conftest import PASSWORD, make_member_data
from django.db import connection
from django.test.utils import CaptureQueriesContext

WIDE = 2_100  # SQLite refuses 2,000 result columns, PostgreSQL 1,664 target entries


def _many_cells(parent, n: int) -> list:
    """n cells under ``parent`` written in bulk (treebeard paths computed here: the service
    would take minutes for a tree this wide, and the paths are all this test needs)."""
    from dangvu.registry.models import Organization

    base = parent.numchild
    cells = [Organization(code=f"W{i:05d}", name=f"Chi bộ thử {i}", kind="cell", sector="residential",
                          depth=parent.depth + 1, numchild=0,
                          path=Organization._get_path(parent.path, parent.depth + 1, base + i + 1))
             for i in range(n)]
    Organization.objects.bulk_create(cells)
    Organization.objects.filter(pk=parent.pk).update(numchild=base + n)
    return list(Organization.objects.filter(code__startswith="W").order_by("path"))


def test_counts_roll_up_the_tree_in_one_query(tree) -> None:
    from dangvu.registry import services as s
    from dangvu.registry.indicators import count_members_by_org
    from dangvu.registry.models import Member, Organization

    wide = _many_cells(tree.orgs["C2"], WIDE)
    for cell, names in ((wide[0], ("Đỗ Văn Khải", "Đỗ Thị Hạnh")), (wide[-1], ("Vũ Văn Long", "Vũ Thị Mai"))):
        for k, name in enumerate(names):
            s.register_member(None, cell, make_member_data(name, dt.date(1985, 1, 1 + k),
                                                            admitted_on=dt.date(2012, 5, 1)))
    orgs = list(Organization.objects.all())
    with CaptureQueriesContext(connection) as queries:
        counts = count_members_by_org(orgs)
    assert len(queries) == 1
    for org in orgs:
        expected = Member.objects.active().filter(organization__path__startswith=org.path).count()
        assert counts[org.pk] == expected, org.code
    assert counts[tree.orgs["P"].pk] == 4 + 4  # the fixture's four and the wide cells' four
    assert counts[wide[0].pk] == 2 and counts[wide[1].pk] == 0


def test_organization_tree_page_of_a_wide_province(tree, client) -> None:
    _many_cells(tree.orgs["C2"], WIDE)
    client.login(username="admin", password=PASSWORD)
    response = client.get("/to-chuc/")
    assert response.status_code == 200
    # Too many cells for the page's budget: the communes are listed, the cells behind a link ...
    assert "Chi bộ thử 2099" not in response.content.decode()
    assert f'/to-chuc/?tu=C2">Xem {WIDE + 1} tổ chức trực thuộc' in response.content.decode()
    # ... which lists the first level below its top whatever its width, each with its count.
    rooted = client.get("/to-chuc/?tu=C2")
    assert rooted.status_code == 200
    assert "Chi bộ thử 2099" in rooted.content.decode()


def test_tree_page_shows_the_levels_that_fit_and_opens_deeper_ones_rooted_there(tree, monkeypatch) -> None:
    from conftest import logged_in

    from dangvu.registry import selectors
    from dangvu.registry import services as s

    group = s.create_organization(None, tree.orgs["C1A"], code="G1", name="Tổ đảng xóm Giữa", kind="group")
    # Seven organizations on four levels; room for six: the province, its communes and their cells.
    monkeypatch.setattr(selectors, "TREE_NODES", 6)
    admin = logged_in(tree.users["admin"])
    page = admin.get("/to-chuc/").content.decode()
    # P, its communes and their cells are listed; the group, a level deeper, is not, but a link opens it.
    assert "Chi bộ thôn Đồng Tâm" in page and group.name not in page
    assert '/to-chuc/?tu=C1A">Xem 1 tổ chức trực thuộc' in page
    rooted = admin.get("/to-chuc/?tu=C1A")
    assert rooted.status_code == 200
    body = rooted.content.decode()
    assert group.name in body and "Đảng bộ xã Yên Lạc" not in body
    assert "· 2 đảng viên" in body  # C1A's own count (An and Cường), rolled up as on the whole tree
    # Rooted outside the user's scope: not found, as any organization outside it.
    office = logged_in(tree.users["office"])
    assert office.get("/to-chuc/?tu=C2").status_code == 404
    assert office.get("/to-chuc/?tu=KHONGCO").status_code == 404
    # The office's top is its commune: four organizations, all listed, the group too.
    assert group.name in office.get("/to-chuc/").content.decode()
    # Room for fewer than one level still shows the first level below the top.
    monkeypatch.setattr(selectors, "TREE_NODES", 1)
    page = admin.get("/to-chuc/").content.decode()
    assert "Đảng bộ xã Yên Lạc" in page and "Chi bộ thôn Đồng Tâm" not in page
    assert '/to-chuc/?tu=C1">Xem 2 tổ chức trực thuộc' in page
