"""Bounded queries per page (issue 14, point 2).

Every GET page of the access matrix (tests/test_access_matrix.py), opened by the roles that see
the most (admin on the province, office on a commune) on a small world, then again after rows
that the pages show were added (members, meetings, prospects, evaluation forms, cells, and the
alerts they raise): the query count must not grow with the rows (at most ``PAGINATION_SLACK``
more, for a paginator's count) and must stay under ``CEILING`` (named exceptions below, each
with its reason). File downloads are left out, like in the phone test.
"""

from __future__ import annotations

import datetime as dt
import types

import pytest
from conftest import make_member_data
from django.db import connection
from django.test.utils import CaptureQueriesContext
from test_access_matrix import (
    _badge_objects,
    _channel_objects,
    _congress_objects,
    build_world,
    client_for,
    issue17_objects,
)
from test_browser_phone import allowed_pages

pytestmark = pytest.mark.django_db

ROLES = ("admin", "office")
CEILING = 60
PAGINATION_SLACK = 2
# Pages allowed above CEILING, with why (still bounded: they must not grow with the rows).
CEILING_EXCEPTIONS: dict[str, int] = {}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def page_world(tree, settings, tmp_path):
    """The access matrix's world with every app's objects, plus a commune's members' round and an
    organizations' round over its cells (the round page's per-cell meeting grade)."""
    from admission_world import admission_objects
    from evaluation_world import YEAR, complete, evaluation_objects
    from plans_world import plans_objects

    from dangvu.evaluation import services as es
    from dangvu.plans import services as ps

    w = build_world(tree, settings, tmp_path, types.SimpleNamespace(node=types.SimpleNamespace()))
    w.congress = {loc: _congress_objects(w.orgs[loc], w.members[loc]) for loc in ("in", "side", "out")}
    w.evaluation = evaluation_objects(w.orgs, w.members)
    w.admission = admission_objects(w.orgs)
    w.plans = plans_objects(w.orgs)
    from fees_world import fees_objects, remittance_objects

    w.fees = fees_objects(w.orgs, w.members, tree.users)
    w.fees["remit"] = remittance_objects(tree)  # issue 15: the remittance page with lines and forms
    issue17_objects(w)  # party groups and a member away now (issue 17)
    from inspection_world import inspection_objects

    w.inspection = inspection_objects(w.orgs, w.members)  # issue 16: programmes and items at each step
    from exchange_world import exchange_objects

    w.exchange = exchange_objects(tree, settings, tmp_path)  # issue 18.3: staged packages with a preview
    ps.bind_target(None, w.plans["in"]["target"], "meetings.attendance_rate")  # the targets grow() adds share it
    w.commune_round = es.open_round(None, tree.orgs["C1"], "member", YEAR - 1)
    complete(w.commune_round)
    w.org_round = es.open_round(None, tree.orgs["C1"], "organization", YEAR - 1)
    w.badges = _badge_objects(w.orgs)
    from test_access_matrix import _discipline_objects

    w.discipline = _discipline_objects(w)  # issue 16: a case per location
    w.channel = _channel_objects(w, tree)
    return w


def pages(world, role: str) -> list[str]:
    """Every page ``role`` may open (200), one location per URL name and variant, plus the long
    lists with their filters."""
    from django.urls import reverse

    urls = allowed_pages(world, role)
    for rnd in (world.commune_round, world.org_round):
        detail = reverse("evaluation:round_detail", args=[rnd.pk])
        urls += [detail, f"{detail}?don-vi=C1A", f"{detail}?tinh-trang=da-quyet-dinh",
                 f"{detail}?tinh-trang=chua-tu-danh-gia"]
    urls += [f"{reverse('alerts:list')}?don-vi=C1A", f"{reverse('alerts:list')}?kind=no_assignment",
             f"{reverse('registry:member_list')}?status=all&org=C1A",
             reverse("admission:pipeline", args=["C1"]),
             f"{reverse('fees:remittances', args=['C1'])}?nam={world.fees['remit']['month'].year}"]
    return urls


def count_queries(world, role: str) -> dict[str, int]:
    client, headers = client_for(world, role)
    out: dict[str, int] = {}
    for url in pages(world, role):
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url, **headers)
        assert r.status_code == 200, (role, url, r.status_code)
        out[url] = len(ctx.captured_queries)
    return out


def grow(world, n: int = 12) -> None:
    """Rows every page shows, ``n`` more of each: members (each an alert: no assignment this year),
    meetings, prospects, evaluation forms of every open round, cells under the commune, and a
    plan's targets and tasks."""
    from person_names import letters

    from dangvu.admission import services as ads
    from dangvu.evaluation.models import Evaluation
    from dangvu.meetings import services as ms
    from dangvu.registry import services as rs

    tree = world.tree
    c1a = tree.orgs["C1A"]
    members = [rs.register_member(None, c1a, make_member_data(
        f"Đảng Viên Thêm {letters(i)}", dt.date(1970 + i, 1 + i % 12, 1 + i),
        admitted_on=dt.date(2005, 1, 5), full_on=dt.date(2006, 1, 5))) for i in range(n)]
    cells = [rs.create_organization(None, tree.orgs["C1"], code=f"C1X{letters(i)}", name=f"Chi bộ thôn Mới {letters(i)}",
                                    kind="cell", sector="residential") for i in range(n)]
    year = dt.date.today().year
    for i in range(n):
        month = 1 + i % 12
        held = dt.date(year - 1, month, 10 + i // 12)
        ms.record_meeting(None, c1a, held_on=held, starts_at=dt.time(19, 30), ends_at=dt.time(21, 30))
    introducer = members[0]
    for i in range(n):
        ads.create_prospect(None, c1a, {
            "full_name": f"Quần Chúng Thêm {letters(i)}", "birth_date": dt.date(1999, 1, 1 + i), "gender": "female",
            "ethnicity": "Kinh", "listed_on": dt.date.today() - dt.timedelta(days=100), "nominated_by": "youth_union",
            "introducer_1": introducer})
    from dangvu.plans import services as ps

    plan = world.plans["in"]["plan"]
    for i in range(n):
        target = ps.add_target(None, plan, text=f"Chỉ tiêu thêm {letters(i)}", op=">=", value=50 + i, unit="%")
        ps.bind_target(None, target, "meetings.attendance_rate")
        ps.add_task(None, plan, title=f"Nhiệm vụ thêm {letters(i)}")
    _grow_honours(world, n)
    _grow_letters(world, n)
    _grow_issue17(world, members)
    _grow_discipline(world, members)
    from fees_world import grow_fees

    grow_fees(c1a, members)
    from inspection_world import grow_inspection

    grow_inspection(world, members, n)
    _grow_channel(world, n)
    from dangvu.evaluation.models import EvaluationRound

    for rnd in EvaluationRound.objects.all():
        if rnd.subject_kind == "organization":
            Evaluation.objects.bulk_create(Evaluation(round=rnd, organization=c, unit=c) for c in cells
                                           if c.path.startswith(rnd.organization.path))
        elif rnd.organization.path and c1a.path.startswith(rnd.organization.path):
            Evaluation.objects.bulk_create(Evaluation(round=rnd, member=mb, unit=c1a) for mb in members)


def _grow_issue17(world, members: list) -> None:
    """Issue 17: the new members each away or abroad now (the roll says so), and group meetings."""
    from dangvu.meetings import services as ms
    from dangvu.registry import services as rs

    today = dt.date.today()
    for i, member in enumerate(members):
        rs.set_special_status(None, member, "abroad" if i % 2 else "away", today - dt.timedelta(days=5),
                              today + dt.timedelta(days=30), place="Nhật Bản" if i % 2 else "Đồng Nai")
    for i in range(len(members)):
        ms.record_meeting(None, world.groups["in"], held_on=dt.date(today.year - 1, 1 + i % 12, 10 + i // 12),
                          starts_at=dt.time(19, 30), ends_at=dt.time(21, 0), online=bool(i % 2))


def _grow_channel(world, n: int) -> None:
    """Notices and invitations to the member's cell and commune, read and answered; documents to study."""
    from dangvu.channel import services as chs
    from dangvu.meetings import services as ms

    tree, today = world.tree, dt.date.today()
    for i in range(n):
        notice = chs.post_notice(None, tree.orgs["C1A" if i % 2 else "C1"], title=f"Thông báo thêm {i + 1}",
                                 kind="invitation", meets_on=today + dt.timedelta(days=i + 1),
                                 starts_at=dt.time(19, 30), place="Nhà văn hóa")
        chs.reply_to_invitation(tree.users["member"], tree.own, notice, "cannot", "Đi công tác")
        session = ms.record_study_session(None, tree.orgs["C1A"], document_title=f"Tài liệu thêm {i + 1}",
                                          document_number=f"{i + 1}-NQ/TW", held_on=today, member_ids=[])
        chs.acknowledge_study(tree.users["member"], tree.own, session)


def _grow_honours(world, n: int) -> None:
    """Veterans due a Party badge (half of them proposed, some seriously ill ones early) and
    commendations of the "in" member and cell."""
    from person_names import letters
    from test_access_matrix import _next_occasion

    from dangvu.honours import services as hs
    from dangvu.registry import services as rs

    c1a, occasion = world.tree.orgs["C1A"], _next_occasion()
    for i in range(n):
        vet = rs.register_member(None, c1a, make_member_data(
            f"Cựu Binh Thêm {letters(i)}", dt.date(1950, 1, 1 + i), admitted_on=dt.date(1980 + i % 3, 1, 5),
            full_on=dt.date(1981 + i % 3, 1, 5)))
        if i % 2:
            hs.propose_badge(None, vet, occasion)
        hs.add_commendation(None, member=world.tree.inside, kind="certificate", level="grassroots",
                            decision_number=f"{i + 1}-QĐ/ĐU", decided_on=dt.date(2025, 1, 1 + i))
        hs.add_commendation(None, organization=c1a, kind="merit", level="commune",
                            decision_number=f"{i + 1}-QĐ/ĐU", decided_on=dt.date(2025, 1, 1 + i))


def _grow_discipline(world, members) -> None:
    """A discipline case of each new member, and later violations of the "in" member (the case
    page reads them for the limitation)."""
    from dangvu.discipline import services as ds

    today = dt.date.today()
    for i, member in enumerate(members):
        ds.open_case(member, violation_on=today - dt.timedelta(days=30 + i), summary="Vi phạm quy chế", opened_by=None)
        ds.open_case(world.tree.inside, violation_on=today - dt.timedelta(days=20 - i), summary="Vi phạm mới",
                     opened_by=None)


def _grow_letters(world, n: int) -> None:
    """Letters of the "in" cell (open, settled, anonymous) and the cell's exemplary members of the year."""
    from person_names import letters

    from dangvu.honours import services as hs
    from dangvu.letters import services as ls

    c1a = world.tree.orgs["C1A"]
    for i in range(n):
        received = dt.date.today() - dt.timedelta(days=10 + 7 * i)
        letter = ls.record_letter(None, c1a, received_on=received, kind="complaint",
                                  anonymous=bool(i % 3 == 0), sender_name="" if i % 3 == 0 else f"Người Gửi {letters(i)}",
                                  subject=f"Đơn thêm {letters(i)}")
        if i % 2:
            ls.close_letter(None, letter, closed_on=received + dt.timedelta(days=5), outcome="Đã trả lời")
    year = dt.date.today().year
    hs.record_exemplary(None, c1a, year, list(c1a.members.filter(status="full").values_list("pk", flat=True)[:n]))


def test_page_queries_are_bounded_and_do_not_grow_with_rows(page_world):
    before = {role: count_queries(page_world, role) for role in ROLES}
    grow(page_world)
    after = {role: count_queries(page_world, role) for role in ROLES}
    growing, heavy = [], []
    for role in ROLES:
        for url, n in after[role].items():
            if n > before[role][url] + PAGINATION_SLACK:
                growing.append(f"{role} {url}: {before[role][url]} → {n}")
            path = url.split("?")[0]
            if n > CEILING_EXCEPTIONS.get(path, CEILING):
                heavy.append(f"{role} {url}: {n}")
    report = "\n".join(["grows with the rows:", *growing, "over the ceiling:", *heavy])
    for role in ROLES:
        for url, n in after[role].items():
            print(role, before[role][url], n, url)
    print(report)
    assert not growing and not heavy, report


# -- alerts in SQL: the same alerts as the Python computation ------------------------------------

def _alert_world(tree) -> None:
    """Every kind of alert, with its dates swept day by day across each warning window and deadline
    (working days, Tết and a 29 February included): probationary members admitted on each day of
    ~16 months, prospects whose course, cell resolution or decision fall on each day of their
    windows, cells too small and one needing a committee, missed meetings, unexcused absences,
    unpaid fees."""
    from person_names import letters

    from dangvu.admission import services as ads
    from dangvu.admission.models import Prospect
    from dangvu.meetings import services as ms
    from dangvu.registry import services as rs

    cells = [tree.orgs["C1A"], tree.orgs["C1B"], tree.orgs["C2A"]]
    first = dt.date(2024, 1, 20)
    for i in range(0, 600, 2):
        rs.admit_member(None, cells[i % 3], make_member_data(f"Dự Bị {letters(i)}", dt.date(1995, 1, 1)),
                        admitted_on=first + dt.timedelta(days=i))
    rs.admit_member(None, cells[0], make_member_data("Dự Bị Nhuận", dt.date(1995, 1, 1)), admitted_on=dt.date(2024, 2, 29))
    for i in range(10):  # C1B: ten full members, no committee
        rs.register_member(None, cells[1], make_member_data(f"Chính Thức {letters(i)}", dt.date(1970, 1, 1 + i),
                                                            admitted_on=dt.date(2000, 1, 5), full_on=dt.date(2001, 1, 5)))
    sweeps = {  # stage, date field, first day, days
        "course": ("course", "course_passed_on", dt.date(2020, 12, 1), 420),
        "resolved": ("cell_resolved", "resolved_on", dt.date(2025, 10, 1), 300),
        "decided": ("decided", "decision_on", dt.date(2025, 12, 1), 230),
    }
    for name, (stage, field_name, start, days) in sweeps.items():
        for i in range(0, days, 3):
            p = ads.create_prospect(None, cells[i % 3], {
                "full_name": f"Quần Chúng {name} {letters(i)}", "birth_date": dt.date(2000, 1, 1), "gender": "female",
                "ethnicity": "Kinh", "listed_on": dt.date(2020, 1, 1), "nominated_by": "youth_union"})
            Prospect.objects.filter(pk=p.pk).update(**{"stage": stage, "course_passed_on": dt.date(2025, 1, 1),
                                                       field_name: start + dt.timedelta(days=i)})
    for day in (dt.date(2025, 12, 10), dt.date(2026, 1, 14), dt.date(2026, 3, 11), dt.date(2026, 4, 8)):
        m = ms.record_meeting(None, cells[0], held_on=day, starts_at=dt.time(19, 30), ends_at=dt.time(21, 30))
        ms.set_attendance(None, m, {tree.inside.pk: "absent"})
    from dangvu.fees import services as fs  # a May book and nothing sent up: late from 11/6/2026

    fs.set_basis(None, tree.inside, category="salaried", base=5_000_000, starts_on=dt.date(2026, 5, 1))
    fs.record_book(None, cells[0], dt.date(2026, 5, 1), all_paid=True)
    # Fees: a member who misses meetings and never paid (one alert naming both grounds), and one who
    # only never paid (issue 15).
    from dangvu.fees import services as fees

    for member in (tree.inside, tree.members["cuong"]):
        fees.set_basis(None, member, category="other", base=10_000, starts_on=dt.date(2024, 1, 1))
    # Letters past and near their deadline on 24/6/2026 (issue 16), and a member reaching 30 years of
    # party age on 2/9/2026, the next badge occasion, not yet proposed.
    from dangvu.letters import services as ls

    for received in (dt.date(2026, 3, 1), dt.date(2026, 5, 1)):
        ls.record_letter(None, cells[0], received_on=received, kind="denunciation", sender_name="Người Gửi",
                         subject="Tố cáo")
    rs.register_member(None, cells[1], make_member_data("Cựu Binh Đủ Tuổi", dt.date(1960, 1, 1),
                                                        admitted_on=dt.date(1996, 9, 2), full_on=dt.date(1997, 9, 2)))
    # Inspection (issue 16): C1's recommendation due 31/5/2026 and not carried out: overdue after it.
    from dangvu.inspection import services as ins

    programme = ins.create_programme(None, tree.orgs["C1"], 2026)
    item = ins.add_item(None, programme, activity="inspection", form="regular", subject_kind="organization",
                        subject_org=cells[0], content="Kiểm tra việc thu, nộp đảng phí",
                        planned_start=dt.date(2026, 3, 1), planned_end=dt.date(2026, 4, 30))
    ins.start_inspection(None, item, decision_number="8-QĐ/ĐU", decided_on=dt.date(2026, 3, 2),
                         started_on=dt.date(2026, 3, 5), leader="Đồng chí Chủ nhiệm Ủy ban Kiểm tra")
    ins.conclude_inspection(None, item, concluded_on=dt.date(2026, 4, 20), conclusion="Còn thiếu sót",
                            recommendations=[ins.RecommendationInput("Lập sổ theo dõi", dt.date(2026, 5, 31))])


def _old_pages(alerts, kind: str = "") -> list:
    from dangvu.alerts.queries import page_key

    return sorted((a for a in alerts if not kind or a.kind == kind), key=page_key)


@pytest.mark.parametrize("today", [dt.date(2026, 6, 24), dt.date(2026, 2, 16), dt.date(2025, 3, 3)])
def test_alerts_in_sql_are_the_python_alerts(tree, today):
    from collections import Counter

    from dangvu.alerts.queries import SubtreeAlerts, alert_counts_by_kind
    from dangvu.alerts.selectors import alerts_for
    from dangvu.alerts.views import _AlertPages
    from dangvu.core.alerts import KINDS, count_by_kind

    _alert_world(tree)
    for code in ("P", "C1", "C1A"):
        org = tree.orgs[code]
        old = alerts_for(org, today)
        kinds = {a.kind for a in old}
        if code == "P" and today == dt.date(2026, 6, 24):
            assert kinds == set(KINDS), kinds  # every kind of alert
        assert alert_counts_by_kind(org, today) == count_by_kind(old)
        st = SubtreeAlerts(org, today)
        counts = Counter()
        for path, c, name, kind, severity, n in st.counts():
            counts[(path, c, name, kind, severity)] += n
        assert counts == Counter((a.org_path, a.org_code, a.org_name, a.kind, a.severity) for a in old)
        for kind in ("", "recognition_overdue", "certificate_expiring"):
            want = _old_pages(old, kind)
            per_org = Counter(a.org_path for a in want)
            pages = _AlertPages([st], sorted(per_org.items()), kind)
            assert len(pages) == len(want)
            for start in range(0, len(want), 50):
                got = pages[start:start + 50]
                assert [(a, a.org_path) for a in got] == [(a, a.org_path) for a in want[start:start + 50]], (kind, start)


# -- the admission pipeline: 50 a page, counts per stage over all ---------------------------------

def test_admission_pipeline_pages_fifty_with_counts_per_stage(tree):
    from django.test import Client
    from django.urls import reverse
    from person_names import letters

    from dangvu.admission import selectors as adsel
    from dangvu.admission import services as ads
    from dangvu.admission.models import Prospect

    today = dt.date.today()
    for i in range(75):
        p = ads.create_prospect(None, tree.orgs["C1A" if i % 2 else "C1B"], {
            "full_name": f"Quần Chúng Trang {letters(i)}", "birth_date": dt.date(2000, 1, 1 + i % 28),
            "gender": "female", "ethnicity": "Kinh", "listed_on": today - dt.timedelta(days=400),
            "nominated_by": "youth_union"})
        if i < 15:  # at the course stage; ten of them with a certificate long expired
            Prospect.objects.filter(pk=p.pk).update(stage="course", course_passed_on=today - dt.timedelta(
                days=3000 if i < 10 else 30))
    want_overdue = sum(1 for p in Prospect.objects.all() if (d := adsel.deadlines_for(p, today)) and d[0].overdue)
    assert want_overdue == 10
    client = Client()
    client.force_login(tree.users["office"])
    url = reverse("admission:pipeline", args=["C1"])
    client.get(url)  # the session's first reads are not the page's
    queries = []
    for page, shown in ((1, 50), (2, 25)):
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(f"{url}?trang={page}")
        queries.append(len(ctx.captured_queries))
        html = r.content.decode()
        assert html.count('data-prospect="') == shown
        assert 'data-count="60"' in html and 'data-count="15"' in html
        assert r.context["open_count"] == 75 and r.context["overdue"] == want_overdue
        assert {st.value: n for st, _items, n in r.context["sections"]}["source"] == 60
        assert {st.value: n for st, _items, n in r.context["sections"]}["course"] == 15
        assert f"Trang {page}/2" in html
    assert queries[0] == queries[1], queries
