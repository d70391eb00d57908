"""Cost follows the subtree (issue 14, point 1): a commune's pages do the same work whatever the
database holds outside the commune.

One database is measured twice: first small (the ``tree`` fixture's province with a commune C1 of
some 25 members, a meeting and a plan), then after ten other communes with many members, meetings,
attendances and events are added OUTSIDE C1. Every page of C1's office and of C1A's secretary must
run the same number of queries on both, and on SQLite the same amount of work: the SQLite virtual
machine's steps per page (counted with a progress handler) may not grow by more than ``FACTOR``
while the rows outside grew more than tenfold. A query that scans members or attendances, or joins
them to every organization's path, fails that; one that reaches the commune's organizations
through the path index and the members through their organization index does not.

On PostgreSQL (DATABASE_URL set) only the query counts are compared: it has no step counter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from person_names import letters, register_people

pytestmark = pytest.mark.django_db

FACTOR = 1.3
OUTSIDE_COMMUNES = 10
CELLS_PER_COMMUNE = 3
MEMBERS_PER_CELL = 40
MEETINGS_PER_CELL = 12
STEP = 1  # the progress handler runs every STEP virtual-machine instructions (per statement: 1 counts them all)


def _outside(tree) -> int:
    """Ten communes beside C1 (three cells of 40 members each, a year of monthly meetings with
    everyone's attendance, an admission event per member), written in bulk; returns the rows added."""
    from dangvu.core import clock
    from dangvu.meetings.models import Attendance, Meeting
    from dangvu.registry.models import Member, Organization, StatusChange

    today = clock.today()
    this_year = today.replace(month=1, day=15)
    province = Organization.objects.get(pk=tree.orgs["P"].pk)
    added = 0
    for c in range(OUTSIDE_COMMUNES):
        province.refresh_from_db()
        commune = Organization(code=f"X{c:02d}", name=f"Đảng bộ xã Ngoài {letters(c)}",
                               kind="grassroots_committee", depth=2, numchild=CELLS_PER_COMMUNE,
                               path=Organization._get_path(province.path, 2, province.numchild + 1))
        commune.save()
        Organization.objects.filter(pk=province.pk).update(numchild=province.numchild + 1)
        cells = [Organization(code=f"X{c:02d}{k}", name=f"Chi bộ thôn Ngoài {letters(c)} {letters(k)}",
                              kind="cell", sector="residential", depth=3, numchild=0,
                              path=Organization._get_path(commune.path, 3, k + 1))
                 for k in range(CELLS_PER_COMMUNE)]
        Organization.objects.bulk_create(cells)
        added += 1 + len(cells)
        for cell in Organization.objects.filter(code__startswith=f"X{c:02d}", depth=3):
            # One member in eight was admitted this year (a probationary member), the others long ago.
            recent = [i % 8 == 0 for i in range(MEMBERS_PER_CELL)]
            members = Member.objects.bulk_create([
                Member(organization=cell, full_name=f"Người Ngoài {letters(i)}", name_folded=f"nguoi ngoai {i}",
                       birth_date=dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28), gender="male",
                       status="probationary" if recent[i] else "full",
                       admitted_on=this_year if recent[i] else dt.date(2005, 1, 5),
                       full_on=None if recent[i] else dt.date(2006, 1, 5))
                for i in range(MEMBERS_PER_CELL)])
            StatusChange.objects.bulk_create([StatusChange(member=m, event="admit", on=m.admitted_on,
                                                           to_status="probationary", to_org=cell)
                                              for m in members])
            meetings = Meeting.objects.bulk_create([  # monthly over the last year
                Meeting(organization=cell, held_on=today - dt.timedelta(days=30 * k + 1), starts_at=dt.time(19, 30),
                        ends_at=dt.time(21, 30), present_count=len(members), expected_count=len(members))
                for k in range(MEETINGS_PER_CELL)])
            Attendance.objects.bulk_create([Attendance(meeting=mt, member=m, status="present")
                                            for mt in meetings for m in members])
            added += len(members) * (2 + len(meetings)) + len(meetings)
            added += _outside_extras(cell, members, this_year)
    return added


def _outside_extras(cell, members: list, this_year: dt.date) -> int:
    """A cell's secretary (trained), a study session everyone attended, and prospects."""
    from dangvu.admission.models import Prospect
    from dangvu.meetings.models import StudyAttendance, StudySession
    from dangvu.registry.models import Post, Training

    Post.objects.create(organization=cell, member=members[0], role="secretary", started_on=dt.date(2020, 1, 2))
    Training.objects.create(member=members[0], kind="party_work", finished_on=this_year)
    session = StudySession.objects.create(organization=cell, document_title="Nghị quyết thử",
                                          document_number="21-NQ/TW", held_on=this_year)
    StudyAttendance.objects.bulk_create([StudyAttendance(session=session, member=m) for m in members])
    Prospect.objects.bulk_create([
        Prospect(organization=cell, full_name=f"Quần Chúng {letters(i)}", name_folded=f"quan chung {i}",
                 birth_date=dt.date(2000, 1 + i % 12, 1), gender="female", listed_on=this_year)
        for i in range(5)])
    return 4 + len(members) + 5


def _rows_now() -> int:
    from dangvu.meetings.models import Attendance, Meeting
    from dangvu.registry.models import Member, Organization, StatusChange

    return sum(model.objects.count() for model in (Organization, Member, StatusChange, Meeting, Attendance))


def _pages(tree, plans: dict) -> dict[str, tuple[str, str, dict]]:
    """``{label: (user, url, extra request headers)}``: the commune office's and the cell
    secretary's pages."""
    from dangvu.accounts.services import issue_api_token

    pages: dict[str, tuple[str, str, dict]] = {}
    for user, org in (("office", "C1"), ("secretary", "C1A")):
        _, key = issue_api_token(tree.users[user])
        pages |= {
            f"{user} member list": (user, "/dang-vien/", {}),
            f"{user} org page": (user, f"/to-chuc/{org}/", {}),
            f"{user} alerts": (user, "/canh-bao/", {}),
            f"{user} meetings": (user, f"/to-chuc/{org}/sinh-hoat/", {}),
            f"{user} evaluation": (user, f"/to-chuc/{org}/danh-gia/", {}),
            f"{user} admission": (user, f"/to-chuc/{org}/ket-nap/", {}),
            f"{user} plan dashboard": (user, f"/ke-hoach/{plans[org].pk}/", {}),
            f"{user} API member list": (user, "/api/v1/members/", {"HTTP_AUTHORIZATION": f"Bearer {key}"}),
        }
    return pages


def _measure(tree, pages) -> dict[str, tuple[int, int | None]]:
    """``{label: (queries, VM steps or None)}`` for one request per page (after a warm-up one)."""
    clients = {}
    for user in ("office", "secretary"):
        clients[user] = Client(raise_request_exception=True)
        clients[user].force_login(tree.users[user])
    sqlite = connection.vendor == "sqlite"
    out = {}
    for label, (user, url, headers) in pages.items():
        assert clients[user].get(url, **headers).status_code == 200, label  # warm caches (rule sets, session)
        with _vm_steps() as steps, CaptureQueriesContext(connection) as queries:
            response = clients[user].get(url, **headers)
        assert response.status_code == 200, label
        out[label] = (len(queries), steps[0] if sqlite else None)
    return out


@contextmanager
def _vm_steps() -> Iterator[list[int]]:
    """``[steps]``: the SQLite virtual-machine instructions run inside the block (0 elsewhere)."""
    steps = [0]

    def tick() -> int:
        steps[0] += STEP
        return 0  # go on

    connection.ensure_connection()
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        connection.connection.set_progress_handler(tick, STEP)
    try:
        yield steps
    finally:
        if sqlite:
            connection.connection.set_progress_handler(None, STEP)


@pytest.fixture
def commune(tree):
    """C1 with 22 members in C1A, a meeting of C1A and a saved plan of C1 and of C1A."""
    from plans_world import PLAN_TEXT

    from dangvu.core.planparse import parse_text
    from dangvu.meetings import services as ms
    from dangvu.plans import services as ps

    register_people(tree.orgs["C1A"], 20, "Đảng Viên Xã")
    ms.record_meeting(None, tree.orgs["C1A"], held_on=dt.date(2025, 5, 12), starts_at=dt.time(19, 30),
                      ends_at=dt.time(21, 30))
    plans = {}
    for code in ("C1", "C1A"):
        plans[code] = ps.draft_from_parse(None, tree.orgs[code], parse_text(PLAN_TEXT), "ke-hoach.txt", PLAN_TEXT)
        ps.confirm_all(None, plans[code])
        ps.save_plan(None, plans[code])
    return plans


def test_commune_pages_cost_the_same_whatever_lies_outside(tree, commune) -> None:
    pages = _pages(tree, commune)
    before_rows = _rows_now()
    small = _measure(tree, pages)
    added = _outside(tree)
    assert added >= 10 * before_rows  # the data outside the commune grew more than tenfold
    big = _measure(tree, pages)
    report = {label: (small[label], big[label]) for label in pages}
    print("\npage: (queries, steps) small → big")
    for label, (s, b) in report.items():
        print(f"  {label}: {s} → {b}" + (f"  ×{b[1] / s[1]:.2f}" if s[1] else ""))
    grew = {label: (s, b) for label, (s, b) in report.items() if b[0] != s[0]}
    assert not grew, f"query counts changed with data outside the commune: {grew}"
    if connection.vendor == "sqlite":
        costly = {label: f"{s[1]} → {b[1]}" for label, (s, b) in report.items() if b[1] > FACTOR * s[1]}
        assert not costly, f"pages whose work grew with data outside the commune: {costly}"


def _indicator_steps(orgs) -> dict[tuple[str, str], int]:
    """VM steps of every indicator of the registry for each of ``orgs`` over the current year."""
    from dangvu.core import clock
    from dangvu.indicators import Period, load_all

    period = Period.year(clock.today().year)
    out = {}
    for key, ind in sorted(load_all().items()):
        for org in orgs:
            with _vm_steps() as steps:
                ind(org, period)
            out[(key, org.code)] = steps[0]
    return out


@pytest.mark.skipif(connection.vendor != "sqlite", reason="counts SQLite's virtual-machine steps")
def test_every_indicator_of_a_commune_costs_the_same_whatever_lies_outside(tree, commune) -> None:
    orgs = [tree.orgs["C1"], tree.orgs["C1A"]]
    small = _indicator_steps(orgs)
    _outside(tree)
    big = _indicator_steps(orgs)
    # A small constant covers the few rows an index search touches on its way down a deeper tree.
    costly = {f"{key} @ {code}": f"{small[key, code]} → {big[key, code]}" for key, code in small
              if big[key, code] > FACTOR * small[key, code] + 50}
    assert not costly, f"indicators whose work grew with data outside the commune: {costly}"


def test_a_subtree_is_read_on_the_path_index_and_is_exactly_the_prefix(tree) -> None:
    from dangvu.registry.models import Member, Organization, subtree_q

    _outside(tree)
    every = list(Organization.objects.all())
    for org in every:
        expected = {o.pk for o in every if o.path.startswith(org.path)}
        assert set(Organization.objects.subtree(org).values_list("pk", flat=True)) == expected, org.code
        members = Member.objects.filter(subtree_q(org, via="organization__"))
        assert set(members.values_list("pk", flat=True)) == set(
            Member.objects.filter(organization__path__startswith=org.path).values_list("pk", flat=True))
    # Several roots: their union; none: nothing.
    two = Organization.objects.filter(subtree_q(tree.orgs["C1"], tree.orgs["C2"]))
    assert set(two.values_list("code", flat=True)) == {"C1", "C1A", "C1B", "C2", "C2A"}
    assert not Organization.objects.filter(subtree_q()).exists()
    if connection.vendor == "sqlite":  # a range on the unique path index, not a scan with LIKE
        sql, params = Member.objects.filter(subtree_q(tree.orgs["C1"], via="organization__")).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " | ".join(row[-1] for row in cursor.fetchall())
        assert "(path>? AND path<?)" in plan and "SCAN" not in plan, plan
