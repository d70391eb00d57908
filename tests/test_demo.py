"""The demo data set (dangvu.demo.services.build_demo) and the admin commands ``stats`` and ``token``.

The commune-scale demo is built once for this module (a fixed seed and a fixed "today") and
removed afterwards; tests that rebuild do so inside their own transaction, which is rolled back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.test import override_settings

from dangvu.cli import main
from dangvu.core.cccd import validate_cccd
from dangvu.core.rulesets import ruleset_for
from dangvu.demo import services as demo_services
from dangvu.demo.services import DEMO_PASSWORD, build_demo

SEED = 4242
TODAY = dt.date.today()
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REQUIRED_SECTORS = {"residential", "agency", "school", "health", "private", "military", "police"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # The same fast hasher the conftest gives every test (module fixtures run before it applies).
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        result = build_demo("commune", SEED, today=TODAY)
        yield result
        _flush()


def _digest() -> tuple[str, int]:
    from dangvu.registry.models import Member

    rows = sorted(Member.objects.values_list("full_name", "birth_date", "organization__code", "status"))
    return hashlib.sha256(repr(rows).encode()).hexdigest(), len(rows)


def _latest_status_change(member) -> str:
    changes = [h for h in member.history.all() if h.from_status != h.to_status]
    return max(changes, key=lambda h: (h.on, h.id)).to_status


# -- the tree ---------------------------------------------------------------------------------

def test_commune_root_and_cells(demo, db) -> None:
    from dangvu.registry.models import Organization

    root = demo.root
    assert root.kind == "grassroots_committee"
    assert root.name.startswith("Đảng bộ xã ")
    assert list(Organization.objects.get_root_nodes()) == [root]
    cells = Organization.objects.filter(kind="cell")
    assert cells.count() >= 25
    assert all(c.path.startswith(root.path) for c in cells)
    assert REQUIRED_SECTORS <= set(cells.values_list("sector", flat=True))
    residential = cells.filter(sector="residential")
    assert 14 <= residential.count() <= 16
    assert all(c.localities.count() == 1 for c in residential)
    assert cells.filter(sector="private").count() == 3
    recent = cells.filter(sector="private", established_on__gte=TODAY - dt.timedelta(days=365))
    assert recent.count() == 1
    sub = Organization.objects.get(kind="sub_committee")
    assert Organization.objects.get_children(sub).filter(kind="cell").count() == 2
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_member_counts_and_cell_sizes(demo, db) -> None:
    from dangvu.registry.models import Member, Organization, Post

    active = Member.objects.filter(status__in=("probationary", "full", "exempt")).count()
    assert 600 <= active <= 900
    assert demo.active_members == active
    rs = ruleset_for(TODAY)
    small = big_without_committee = 0
    for cell in Organization.objects.filter(kind="cell"):
        full = cell.members.filter(status="full").count()
        on_rolls = cell.members.filter(status__in=("probationary", "full", "exempt")).count()
        assert 3 <= on_rolls <= 120
        current = Post.objects.filter(organization=cell, ended_on__isnull=True)
        assert current.filter(role="secretary").count() == 1, cell.name
        if full < rs["organization.min_full_members"]:
            small += 1
        committee = current.filter(role__in=("deputy", "committee_member")).count()
        if full >= rs["organization.cell_committee_min_full_members"] and committee == 0:
            big_without_committee += 1
        assert 1 + committee <= rs["organization.cell_committee_max_size"]
    assert small >= 2
    assert big_without_committee >= 2


def test_people_are_plausible(demo, db) -> None:
    from dangvu.registry.models import Member
    from dangvu.registry.services import MEMBER_FIELDS, validate_member_data

    members = list(Member.objects.all())
    assert len({m.cccd for m in members}) == len(members)
    ages = [(TODAY - m.birth_date).days // 365 for m in members]
    assert min(ages) >= 18 and max(ages) <= 86
    for m in members:
        data = {f: getattr(m, f) for f in MEMBER_FIELDS} | {"admitted_on": m.admitted_on, "full_on": m.full_on}
        assert validate_member_data(data) == [], m.full_name
        assert validate_cccd(m.cccd, m.gender, m.birth_date) == []
    ethnicities = Counter(m.ethnicity for m in members)
    assert ethnicities.most_common(1)[0][0] == "Kinh"
    assert len(ethnicities) >= 3
    assert any(not c.isascii() for m in members for c in m.full_name)
    assert Counter(m.religion for m in members)["Không"] > len(members) * 0.8
    assert any(m.is_student for m in members)
    assert Member.objects.filter(organization__sector="residential", resident=False).exists()
    assert Member.objects.filter(organization__sector="residential", commune_official=True).exists()


# -- users ----------------------------------------------------------------------------------------

def test_demo_users_and_roles(demo, db) -> None:
    from django.contrib.auth.models import User

    from dangvu.accounts.access import access_for
    from dangvu.accounts.models import Role
    from dangvu.registry.models import Post

    root = demo.root
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(DEMO_PASSWORD)
    assert Role.objects.filter(user=admin, kind="admin", organization=root).exists()
    office = Role.objects.get(user__username="vanphong")
    assert (office.kind, office.organization) == ("office", root)
    role = Role.objects.get(user__username="bithu")
    assert role.kind == "secretary"
    assert role.organization.kind == "cell" and role.organization.sector == "residential"
    assert role.member is not None and role.member.organization == role.organization
    assert Post.objects.filter(organization=role.organization, member=role.member, role="secretary",
                               ended_on__isnull=True).exists()
    access = access_for(role.user)
    assert access.can_edit_org(role.organization) and not access.can_edit_org(root)
    assert Role.objects.get(user__username="xem").kind == "viewer"
    assert {u.username for u in demo.users} == {"admin", "vanphong", "bithu", "xem"}


# -- history -----------------------------------------------------------------------------------

def test_status_is_the_last_status_of_the_timeline(demo, db) -> None:
    from dangvu.registry.models import Member

    members = Member.objects.prefetch_related("history")
    for m in members:
        assert m.status == _latest_status_change(m), m.full_name
        first = min(m.history.all(), key=lambda h: (h.on, h.id))
        assert (first.event, first.on, first.to_status) == ("admit", m.admitted_on, "probationary")
    statuses = Counter(members.values_list("status", flat=True))
    assert {"probationary", "full", "exempt", "deceased"} <= set(statuses)


def test_full_membership_after_probation(demo, db) -> None:
    from dangvu.registry.models import Member

    recognized = Member.objects.filter(full_on__isnull=False)
    assert recognized.count() > 500
    for m in recognized:
        months = ruleset_for(m.admitted_on)["admission.probation_months"]
        assert m.full_on == m.admitted_on + relativedelta(months=months)
        assert m.card_number
    for m in Member.objects.filter(status="full"):
        assert m.full_on is not None
    # Probation over but not yet recognized: an alert case the demo must contain.
    overdue = [m for m in Member.objects.filter(status="probationary")
               if m.admitted_on + relativedelta(months=ruleset_for(m.admitted_on)["admission.probation_months"])
               < TODAY]
    assert overdue
    assert Member.objects.filter(status="probationary", full_on__isnull=False).count() == 0


def test_admissions_spread_over_three_years(demo, db) -> None:
    from dangvu.registry.models import StatusChange

    admissions = StatusChange.objects.filter(event="admit", on__gt=TODAY - relativedelta(years=3))
    per_year = Counter(a.on.year for a in admissions)
    assert 45 <= admissions.count() <= 100
    assert all(per_year[y] >= 5 for y in (TODAY.year - 2, TODAY.year - 1))


def test_transfers_discipline_and_posts_are_consistent(demo, db) -> None:
    from dangvu.registry.models import Discipline, Member, Post, Transfer

    transfers = Transfer.objects.select_related("member")
    states = Counter((t.kind, t.state) for t in transfers)
    assert states[("permanent", "confirmed")] >= 3 and states[("permanent", "pending")] >= 1
    assert states[("temporary", "confirmed")] + states[("temporary", "returned")] >= 1
    for t in transfers:
        if t.kind == "permanent" and t.state == "confirmed":
            assert t.member.organization_id == t.to_org_id
            assert t.member.history.filter(event="transfer_in", on=t.confirmed_on).exists()
        if t.state == "pending":
            assert t.member.organization_id == t.from_org_id
    for d in Discipline.objects.select_related("member"):
        status = d.member.history.filter(on__lte=d.decided_on).exclude(event__in=("discipline", "expel"))
        before = max(status, key=lambda h: (h.on, h.id)).to_status
        if before == "probationary":
            assert d.form in ruleset_for(d.decided_on)["discipline.forms_probationary"]
        if d.form == "expulsion":
            assert d.member.status == "expelled"
    for p in Post.objects.select_related("member__organization", "organization"):
        assert p.ended_on is None or p.ended_on >= p.started_on
        if p.role != "unit_head":
            assert p.member.organization.path.startswith(p.organization.path)
        if p.ended_on is None:
            assert p.member.status in ("full", "probationary")
    assert Post.objects.filter(term="2020-2025", ended_on__isnull=False).exists()
    assert Post.objects.filter(term="2025-2030", ended_on__isnull=True).exists()
    assert Post.objects.filter(role="unit_head", organization__sector="agency").count() == 3
    assert Member.objects.filter(status="exempt").exists()


def test_yearly_records_cover_most_members(demo, db) -> None:
    from dangvu.registry.models import Assignment, Commitment, Member, ResidenceLink, Training, WorkingRules

    year = TODAY.year - 1
    eligible = Member.objects.filter(status__in=("full", "probationary"), admitted_on__lt=dt.date(year, 1, 1))
    n = eligible.count()
    assigned = Assignment.objects.filter(year=year, member__in=eligible).values("member").distinct().count()
    committed = Commitment.objects.filter(year=year, member__in=eligible).values("member").distinct().count()
    assert 0.8 * n <= assigned < n
    assert 0.8 * n <= committed < n
    assert ResidenceLink.objects.filter(year=year).exclude(member__organization__sector="residential").count() > 50
    assert ResidenceLink.objects.filter(member__organization__sector="residential").count() == 0
    assert Training.objects.filter(kind="party_work").exists()
    assert Training.objects.filter(kind="new_member").exists()
    for t in Training.objects.filter(kind__startswith="theory_").select_related("member")[:200]:
        assert t.member.political_theory == t.kind.removeprefix("theory_")
    rules = WorkingRules.objects.all()
    assert rules.filter(updated_on__isnull=False).exists()
    assert rules.filter(issued_on__lt=dt.date(2022, 1, 1), updated_on__isnull=True).exists()


def test_audit_summary_entry(demo, db) -> None:
    from auditlog.models import LogEntry

    entry = LogEntry.objects.get(additional_data__import="demo")
    assert entry.object_pk == str(demo.root.pk)
    assert entry.additional_data["created"] == sum(demo.counts.values())


# -- commands ----------------------------------------------------------------------------------

def test_stats_json_matches_the_database(demo, db, capsys) -> None:
    from dangvu.registry.models import Member, MemberStatus, Organization, OrgKind

    assert main(["stats", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["root"] == demo.root.code
    assert list(data["organizations"]) == list(OrgKind.values)
    assert list(data["members"]) == list(MemberStatus.values)
    for kind, n in data["organizations"].items():
        assert Organization.objects.filter(kind=kind).count() == n
    for status, n in data["members"].items():
        assert Member.objects.filter(status=status).count() == n
    assert data["organizations"]["grassroots_committee"] == 1
    assert sum(data["members"].values()) == Member.objects.count()


def test_stats_text_is_vietnamese(demo, db, capsys) -> None:
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert f"Tổ chức gốc: {demo.root.name} (mã {demo.root.code})" in out
    assert "Chi bộ trực thuộc: " in out and "Đảng viên: " in out


def test_token_prints_a_working_key(db, capsys) -> None:
    from django.contrib.auth.models import User

    from dangvu.accounts.models import ApiToken

    user = User.objects.create_user("thu-nghiem", password="mat-khau-dai-2026")
    assert main(["token", "thu-nghiem"]) == 0
    key = capsys.readouterr().out.strip()
    assert "\n" not in key and key.startswith("dv_")
    assert ApiToken.lookup(key).user == user
    assert main(["token", "khong-ton-tai"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Không có người dùng «khong-ton-tai»" in captured.err


def test_steps_can_be_extended(monkeypatch) -> None:
    monkeypatch.setattr(demo_services, "STEPS", list(demo_services.STEPS))
    demo_services.register_step("meetings", lambda ctx: None)
    names = [n for n, _ in demo_services.STEPS]
    assert names.index("meetings") == names.index("users") - 1
    assert names[-1] == "audit"



def _flush() -> None:
    """Empty the test database inside the test's transaction. On PostgreSQL the foreign keys are
    deferred, and TRUNCATE refuses tables with pending checks: fire them first."""
    from django.db import connection

    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if postgres:  # the builder inserts rows in batches that rely on deferred checks again
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

# -- rebuilding ----------------------------------------------------------------------------------

@pytest.mark.slow
def test_same_seed_same_data(demo, db) -> None:
    first = _digest()
    _flush()
    build_demo("commune", SEED, today=TODAY)
    assert _digest() == first
    _flush()
    build_demo("commune", SEED + 1, today=TODAY)
    assert _digest() != first


@pytest.mark.slow
def test_province_builder_keeps_the_tree_consistent(demo, db) -> None:
    from dangvu.registry import services as registry
    from dangvu.registry.models import Member, Organization

    _flush()
    result = build_demo("province", SEED, members_target=3000, today=TODAY)
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    root = result.root
    assert root.kind == "province" and root.depth == 1
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert kinds["province"] == 1 and kinds["upper"] == 2 and kinds["grassroots_committee"] >= 2
    assert 2500 <= Member.objects.count() <= 4000
    for org in Organization.objects.all():
        assert org.numchild == Organization.objects.get_children(org).count()
        assert org.depth == len(org.path) // Organization.steplen
    # The bulk-built tree accepts ordinary inserts afterwards (siblings stay ordered by code).
    commune = Organization.objects.filter(kind="grassroots_committee", code__contains="-X").first()
    added = registry.create_organization(None, commune, code=commune.code + "-99", name="Chi bộ thôn Mới Lập",
                                         kind="cell", sector="residential")
    assert added.path.startswith(commune.path) and added.depth == commune.depth + 1
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    codes = [c.code for c in Organization.objects.get_children(Organization.objects.get(pk=commune.pk))]
    assert codes == sorted(codes) and codes[-1] == added.code
