"""The demo data set (dangvu.demo.services.build_demo) and the admin commands ``stats`` and ``token``.

The commune-scale demo is built once for this module (a fixed seed and a fixed "today") and
removed afterwards; tests that rebuild do so inside their own transaction, which is rolled back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from conftest import ROOT
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.test import override_settings

from dangvu.cli import main
from dangvu.core import clock
from dangvu.core.cccd import validate_cccd
from dangvu.core.rulesets import ruleset_for
from dangvu.demo import services as demo_services
from dangvu.demo.services import DEMO_PASSWORD, build_demo

# Its module-wide data set is built once: every test of this file runs on one worker.
pytestmark = pytest.mark.xdist_group("demo")

SEED = 4242
SMALL_COMMUNE = 150
TODAY = clock.today()
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


def test_standard_statistics_agree_with_the_registry(demo, db) -> None:
    """Issue 18: on the built demo every statistics table sums to the members of the day read from the
    history; today that is ``members.count``; the cells' totals add up to the commune's on a past day
    too (transfers between cells replayed); and opening + changes = closing for each of them."""
    from dangvu import indicators
    from dangvu.core.periods import Period
    from dangvu.registry.models import Organization
    from dangvu.reports.stats import build

    root = demo.root
    now = build(root, TODAY)
    assert now.problems == [] and now.total == indicators.compute("members.count", root, Period.year(TODAY.year)).value
    assert all(t.total == now.total for t in now.member_tables)
    past = TODAY - relativedelta(months=9)
    cells = Organization.objects.filter(kind="cell")
    reports = [build(c, past, past - relativedelta(years=2)) for c in cells]
    assert [r.problems for r in reports if r.problems] == []
    whole = build(root, past, past - relativedelta(years=2))
    assert whole.problems == [] and sum(r.total for r in reports) == whole.total > 0
    moves = sum(dict(r.changes.rows)["Chuyển đến (chuyển sinh hoạt chính thức)"] for r in reports)
    assert moves > 0 and moves == sum(dict(r.changes.rows)["Chuyển đi (chuyển sinh hoạt chính thức)"] for r in reports)


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
    assert Role.objects.get(user__username="kiemtra").kind == "inspection"
    assert access_for(Role.objects.get(user__username="kiemtra").user).may_read_letters(root)
    assert {u.username for u in demo.users} == {"admin", "vanphong", "bithu", "xem", "kiemtra"}


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


# -- meetings, attendance, scores, study (dangvu.demo.steps.meetings) -------------------------------

def _months_back(n: int) -> list[tuple[int, int]]:
    first = TODAY.replace(day=1)
    return [(d.year, d.month) for d in (first - relativedelta(months=i) for i in range(n))]


def _quarter(year: int, month: int) -> tuple[int, int]:
    return year, (month - 1) // 3 + 1


def test_three_years_of_meetings_with_gaps(demo, db) -> None:
    from dangvu.meetings.models import Meeting, regular_q, thematic_q
    from dangvu.registry.models import CELL_KINDS, Organization

    months = _months_back(36)
    meetings = Meeting.objects.all()
    held = {(d.year, d.month) for d in meetings.dates("held_on", "month")}
    assert held == set(months)
    assert not meetings.filter(held_on__gt=TODAY).exists()
    cells = list(Organization.objects.filter(kind__in=CELL_KINDS).values_list("pk", flat=True))
    regular = set(meetings.filter(regular_q()).values_list("organization_id", "held_on__year", "held_on__month"))
    # Past months: a few cell-months were missed, between months the cell did meet.
    missed = [(c, y, m) for c in cells for y, m in months[1:]
              if (c, y, m) not in regular and any(k[0] == c and (k[1], k[2]) < (y, m) for k in regular)]
    assert 1 <= len(missed) <= 0.05 * len(cells) * 35, missed
    not_yet = [c for c in cells if (c, TODAY.year, TODAY.month) not in regular]
    assert 2 <= len(not_yet) <= 3
    # Thematic meetings: most cells in most quarters that ended, a few quarters skipped.
    thematic = {(c, *_quarter(y, m)) for c, y, m in
                meetings.filter(thematic_q()).values_list("organization_id", "held_on__year", "held_on__month")}
    ended = sorted({_quarter(y, m) for y, m in months[1:] if m % 3 == 0}
                   - {_quarter(TODAY.year, TODAY.month)})
    ended = [q for q in ended if all((y, m) in set(months) for y, m in
                                     [(q[0], 3 * q[1] - 2), (q[0], 3 * q[1] - 1), (q[0], 3 * q[1])])]
    skipped = [(c, q) for c in cells for q in ended if (c, *q) not in thematic and any(k[0] == c for k in thematic)]
    assert 1 <= len(skipped) <= 0.2 * len(cells) * len(ended)
    assert meetings.filter(combined=True).exists() and meetings.filter(kind="thematic", combined=False).exists()
    assert meetings.filter(chair__isnull=False).count() >= 0.95 * meetings.count()
    assert all(m.place for m in meetings[:200])


def test_some_meetings_short_or_late(demo, db) -> None:
    from dangvu.meetings.models import Meeting
    from dangvu.meetings.services import warnings_for

    meetings = list(Meeting.objects.all())
    codes = Counter(w.code for m in meetings for w in warnings_for(m))
    assert 0 < codes["too_short"] < 0.1 * len(meetings)
    assert 0 < codes["materials_late"] < 0.1 * len(meetings)


def test_attendance_follows_the_rolls(demo, db) -> None:
    from django.db.models import Count, F

    from dangvu.meetings.models import Attendance, Meeting
    from dangvu.registry.models import StatusChange

    rows = Attendance.objects.all()
    statuses = Counter(rows.values_list("status", flat=True))
    expected = sum(statuses.values()) - statuses["exempt"]
    assert statuses["present"] > 0.85 * expected
    assert 0 < statuses["absent"] < 0.02 * expected and statuses["excused"] > statuses["absent"]
    assert not Meeting.objects.annotate(n=Count("attendances")).filter(n=0).exists()
    assert not rows.filter(member__admitted_on__gt=F("meeting__held_on")).exists()
    ended = StatusChange.objects.filter(event__in=("death", "strike_off", "expel"))
    for member_id, on in ended.values_list("member_id", "on"):
        assert not rows.filter(member_id=member_id, meeting__held_on__gte=on).exists()
    exempted = dict(StatusChange.objects.filter(event="exempt").values_list("member_id", "on"))
    after = [a.status for a in rows.filter(member_id__in=exempted).select_related("meeting")
             if a.meeting.held_on >= exempted[a.member_id]]
    assert after and set(after) == {"exempt"}
    window = ruleset_for(TODAY)["member.unexcused_absence_window_months"]
    repeated = (rows.filter(status="absent", meeting__held_on__gt=TODAY - relativedelta(months=window))
                .values("member").annotate(n=Count("id")).filter(n__gte=3))
    assert 1 <= repeated.count() <= 10
    # Chairs attend their meetings.
    assert not rows.filter(member=F("meeting__chair")).exclude(status="present").exists()


def test_most_meetings_scored_like_the_services(demo, db) -> None:
    from dangvu.meetings.models import Meeting, MeetingScore

    meetings = Meeting.objects.count()
    scores = list(MeetingScore.objects.select_related("framework", "meeting"))
    assert 0.6 * meetings < len(scores) < 0.95 * meetings
    for score in scores:
        total, grade = score.framework.core.score(score.points)  # what score_meeting stores
        assert (float(score.total), score.grade) == (total, grade)
    assert len({s.grade for s in scores}) >= 3
    assert all((TODAY - s.meeting.held_on).days > 7 for s in scores)


def test_upper_attendees_and_study_sessions(demo, db) -> None:
    from dangvu.meetings.models import Meeting, StudyAttendance, StudySession, UpperAttendee
    from dangvu.registry.models import Member, Organization, Post

    meetings = Meeting.objects.count()
    upper = list(UpperAttendee.objects.select_related("meeting__organization", "member"))
    assert 0.1 * meetings < len({u.meeting_id for u in upper}) < 0.5 * meetings
    for u in upper[:100]:
        parent = Organization.objects.get_parent(u.meeting.organization)
        assert u.position.endswith(parent.name.replace("Đảng bộ", "Đảng ủy", 1))
        assert Post.objects.filter(organization=parent, member=u.member, started_on__lte=u.meeting.held_on).exists()
    sessions = StudySession.objects.all()
    assert sessions.filter(makeup=True).exists() and sessions.filter(document_kind="directive").exists()
    main_sessions = sessions.filter(makeup=False, held_on__year=TODAY.year - 1)
    assert main_sessions.count() >= 4
    for session in main_sessions:  # most members studied at the session itself
        obliged = Member.objects.filter(organization__path__startswith=session.organization.path,
                                        status__in=("full", "probationary"), admitted_on__lte=session.held_on)
        assert session.attendances.count() > 0.8 * obliged.count()
    assert StudyAttendance.objects.filter(session__makeup=True).exists()


def test_meetings_recorded_after_the_demo_get_new_ids(demo, db) -> None:
    from dangvu.meetings import services
    from dangvu.meetings.models import Meeting, StudySession
    from dangvu.registry.models import Organization

    cell = Organization.objects.filter(kind="cell").first()
    last = Meeting.objects.order_by("-pk").first().pk
    # Thematic: the demo's cell has this month's regular meeting already (a second one asks first).
    meeting = services.record_meeting(None, cell, held_on=TODAY, starts_at=dt.time(8), ends_at=dt.time(10),
                                      kind="thematic")
    assert meeting.pk > last and meeting.attendances.count() == cell.members.filter(
        status__in=("probationary", "full", "exempt")).count()
    session = services.record_study_session(None, cell, document_title="Nghị quyết mẫu", document_number="9-NQ/ĐU",
                                            held_on=TODAY)
    assert session.pk > StudySession.objects.exclude(pk=session.pk).order_by("-pk").first().pk


def test_the_cases_the_alerts_look_for(demo, db) -> None:
    from dangvu.admission.models import Prospect
    from dangvu.core.admission import course_certificate_expires
    from dangvu.core.deadlines import admission_decision, cell_resolution
    from dangvu.core.lifecycle import probation_ends
    from dangvu.registry.models import Assignment, Member

    rs = ruleset_for(TODAY)
    near = rs["alerts.deadline_near_days"]
    ends = [probation_ends(a) for a in Member.objects.filter(status="probationary").values_list("admitted_on", flat=True)]
    assert any(0 < (e - TODAY).days <= rs["alerts.probation_ending_days"] for e in ends)
    assert any(e < TODAY for e in ends)  # recognition overdue
    decisions = [cell_resolution(p.resolved_on)["decision_by"] for p in Prospect.objects.filter(stage="cell_resolved")]
    assert any((d - TODAY).days <= near for d in decisions)
    ceremonies = [admission_decision(p.decision_on)["ceremony_by"]
                  for p in Prospect.objects.filter(stage="decided", ceremony_on__isnull=True)]
    assert any((d - TODAY).days <= near for d in ceremonies)
    expiring = [course_certificate_expires(p.course_passed_on)
                for p in Prospect.objects.filter(stage__in=("course", "vetted"), course_passed_on__isnull=False)]
    assert any(0 <= (e - TODAY).days <= rs["alerts.certificate_expiring_days"] for e in expiring)
    assigned = Assignment.objects.filter(year=TODAY.year).values("member")
    assert Member.objects.filter(status__in=("full", "probationary")).exclude(pk__in=assigned).exists()


def test_the_fees_cases(demo, db) -> None:
    """Issue 15 point 6: three years of fees with the gaps a real book has, and the removal alert
    naming both grounds for the member who stopped coming and stopped paying."""
    from django.db.models import F

    from dangvu import indicators
    from dangvu.alerts.services import alerts_for
    from dangvu.core.fees import add_months, month_start
    from dangvu.fees.models import FeeBasis, FeeBook, FeePayment, FeeRemittance
    from dangvu.indicators import Period
    from dangvu.registry.models import Member

    active = Member.objects.active()
    assert not active.exclude(pk__in=FeeBasis.objects.values("member")).exists()  # every member has a basis
    assert set(FeeBasis.objects.values_list("category", flat=True)) >= {"salaried", "pensioner", "other"}
    first = add_months(month_start(TODAY), -35)
    assert FeeBook.objects.order_by("month").first().month == first
    kinds = Counter(FeePayment.objects.values_list("kind", flat=True))
    assert kinds["payment"] > 20 * active.count() and kinds["excused"] > 0 and kinds["correction"] >= 1
    fix = FeePayment.objects.filter(kind="correction").select_related("corrects").first()
    assert fix.corrects.amount + fix.amount == fix.due and fix.reason
    ahead = FeePayment.objects.filter(month__gt=F("book__month"))
    assert ahead.exists()
    both = [a for a in alerts_for(demo.root, TODAY)
            if a.kind == "unexcused_absences" and "không đóng đảng phí" in a.message]
    assert both, "the member in arrears who also misses meetings"
    remits = FeeRemittance.objects.all()
    assert remits.filter(confirmed_amount__isnull=False).exclude(confirmed_amount=F("amount")).count() >= 1
    late = [r for r in remits if (r.sent_on - add_months(r.month, 1)).days > 45]
    assert late
    q = Period.quarter(*((TODAY.year, (TODAY.month - 1) // 3) if TODAY.month > 3 else (TODAY.year - 1, 4)))
    share = indicators.compute("fees.paid_in_full_share", demo.root, q)
    assert 90 <= share.value < 100  # mostly "all paid", not everybody


def test_the_inspection_cases(demo, db) -> None:
    """Issue 16 point 7: a year's programme with concluded and late items, recommendations done on
    time, late and overdue (the alert), and a conclusion naming a member in violation."""
    from django.db.models import F

    from dangvu.alerts.services import alerts_for
    from dangvu.inspection import selectors as isel
    from dangvu.inspection.models import InspectionFinding, Programme, Recommendation

    last = Programme.objects.filter(organization=demo.root, year=TODAY.year - 1).get()
    counts = isel.state_counts(isel.item_rows(last, TODAY))
    assert counts["concluded"] >= 3 and counts["late"] >= 1 and counts["planned"] == counts["under_way"] == 0
    assert Programme.objects.filter(organization=demo.root, year=TODAY.year).exists()
    recs = Recommendation.objects.filter(inspection__programme=last)
    assert recs.filter(done_on__lte=F("due_on")).exists() and recs.filter(done_on__gt=F("due_on")).exists()
    overdue = [a for a in alerts_for(demo.root, TODAY) if a.kind == "inspection_recommendation_overdue"]
    assert overdue and all(a.date < TODAY for a in overdue)
    finding = InspectionFinding.objects.select_related("inspection").get(inspection__programme=last)
    assert finding.inspection.violations_found and finding.violation_on < finding.inspection.concluded_on


# Yearly evaluation rounds of a year close in the January after it: read last year's.
_YEAR_CLOSED = ("members.rated_good_or_better_share", "members.rated_excellent_share",
                "organizations.rated_good_or_better_share", "organizations.rated_fulfilled_only_share",
                "committee_members.rated_good_or_better_share",
                "cells.classified_four_good_share")  # cells are classified once their year has ended


# The demo's root is the top organization in the system: it sends no fees up (its cells do, to it).
_TOP_ONLY_ZERO = ("fees.remitted_up_amount",)


def _empty(value, denominator, unit: str) -> bool:
    """Reads nothing: a zero or missing value, or a share of nothing."""
    return not value or (unit == "%" and not denominator)


def test_discipline_cases_at_every_step(demo, db) -> None:
    from dangvu.discipline.models import DisciplineCase
    from dangvu.evaluation.models import Evaluation

    # The discipline step's own cases; the inspection step's finding opens one more (from its conclusion).
    from_inspection = DisciplineCase.objects.filter(origin__regex=r"^Kết luận (kiểm tra|giám sát) ngày [0-9]{2}/")
    assert from_inspection.exists() and set(from_inspection.values_list("state", flat=True)) == {"opened"}
    cases = {c.state: c for c in DisciplineCase.objects.exclude(pk__in=from_inspection).select_related(
        "member", "appeal")}
    assert set(cases) == {"appeal_decided", "decided", "self_review", "closed", "opened"}
    appealed = cases["appeal_decided"]
    assert appealed.decided_form == "warning" and appealed.appeal.outcome == "changed"
    assert appealed.member.disciplines.get().form == "reprimand"  # the registry follows the appeal
    assert cases["opened"].child_born_on is not None
    last_december = cases["decided"]
    assert last_december.decided_on == dt.date(TODAY.year - 1, 12, 15)
    graded = Evaluation.objects.filter(member=last_december.member, round__year=TODAY.year - 1,
                                       round__subject_kind="member").get()
    assert graded.disciplined and graded.final_grade == "unfulfilled"


def test_every_indicator_shows_something(demo, db) -> None:
    from dangvu import indicators
    from dangvu.indicators import Period

    # Until a quarter of this year has ended there is little to count: then last year is read.
    year = TODAY.year if TODAY.month >= 4 else TODAY.year - 1
    rows = indicators.compute_all(demo.root, Period.year(year))
    last = indicators.compute_all(demo.root, Period.year(TODAY.year - 1))
    rows |= {k: last[k] for k in _YEAR_CLOSED if k in last}
    offenders = {k: (r["value"], r["numerator"], r["denominator"]) for k, r in rows.items()
                 if _empty(r["value"], r["denominator"], r["unit"]) and k not in _TOP_ONLY_ZERO}
    assert not offenders, f"indicators reading nothing in {year}: {offenders}"


def test_the_letters_and_exemplary_cases(demo, db) -> None:
    """Issue 16 point 7: letters (one anonymous kept for reference, one past its deadline, some
    settled) and the committees' exemplary members, read as the alerts and indicators read them."""
    from dangvu import indicators
    from dangvu.alerts.services import alerts_for
    from dangvu.core import letters as rules
    from dangvu.honours.models import ExemplaryMember, ExemplaryReview
    from dangvu.indicators import Period
    from dangvu.letters.models import Letter

    letters = list(Letter.objects.all())
    states = Counter(rules.state(TODAY, x.deadline, x.closed_on) for x in letters if x.handling == "handle")
    assert states["overdue"] >= 1 and states["on_time"] >= 3 and states["late"] >= 1, states
    assert [x.deadline for x in letters if x.anonymous] == [None]
    assert {x.handling for x in letters if x.anonymous} == {"reference"}
    kinds = Counter(a.severity for a in alerts_for(demo.root, TODAY) if a.kind == "letter_deadline")
    assert kinds["passed"] >= 1 and kinds["near"] >= 1, kinds
    assert ExemplaryReview.objects.filter(year=TODAY.year).exists() and ExemplaryMember.objects.exists()
    share = indicators.compute("members.exemplary_share", demo.root, Period.year(TODAY.year))
    assert 0 < share.value < 20 and share.denominator == demo.active_members


def test_demo_raises_alerts_of_many_kinds(demo, db) -> None:
    """Issue 3 point 7: the demo shows alerts of at least five kinds, each naming its subject."""
    from dangvu.alerts.services import alerts_for
    from dangvu.core.alerts import KINDS

    alerts = alerts_for(demo.root, TODAY)
    kinds = Counter(a.kind for a in alerts)
    assert set(kinds) <= set(KINDS)
    assert len(kinds) >= 5, kinds
    # The cases the demo plants on purpose (see test_the_cases_the_alerts_look_for).
    assert {"no_regular_meeting", "unexcused_absences", "cell_too_small", "certificate_expiring"} <= set(kinds)
    for a in alerts:
        assert a.message and a.org_code, a


def test_meeting_indicators_show_something_each_quarter(demo, db) -> None:
    from dangvu import indicators
    from dangvu.indicators import Period

    keys = [k for k, ind in indicators.load_all().items() if ind.compute.__module__ == "dangvu.meetings.indicators"]
    assert len(keys) >= 7
    first = TODAY.replace(day=1) - relativedelta(months=(TODAY.month - 1) % 3)  # this quarter's first day
    for back in range(1, 5):  # the last four quarters that ended
        start = first - relativedelta(months=3 * back)
        period = Period.quarter(start.year, (start.month - 1) // 3 + 1)
        values = {k: indicators.compute(k, demo.root, period) for k in keys}
        offenders = {k: v for k, v in values.items() if _empty(v.value, v.denominator, indicators.get(k).unit)}
        assert not offenders, f"{period.label}: {offenders}"


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


def test_steps_are_listed_in_order_without_registration() -> None:
    """The steps are one explicit list (dangvu.demo.steps.STEPS); no app registers its own."""
    import inspect

    from dangvu.demo import steps

    names = [n for n, _ in demo_services.STEPS]
    assert demo_services.STEPS is steps.STEPS
    assert names == ["plan_tree", "write_tree", "members", "posts", "localities", "working_rules", "trainings",
                     "yearly_records", "meetings", "fees", "admission", "discipline", "evaluations", "plans", "honours",
                     "classification", "letters", "inspection", "users", "audit"]
    # Every step lives in the demo package; the apps' ready() hooks import no demo code.
    assert all(fn.__module__.startswith("dangvu.demo.steps.") for _, fn in demo_services.STEPS)
    for app in ("accounts", "admission", "alerts", "congress", "evaluation", "meetings", "plans", "registry", "web"):
        source = inspect.getsource(importlib.import_module(f"dangvu.{app}.apps"))
        assert "demo" not in source, app


# -- settings ----------------------------------------------------------------------------------------

def _start_django(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("DANGVU_SECRET_KEY", "DANGVU_DEBUG", "PYTEST_VERSION", "DJANGO_SETTINGS_MODULE")}
    code = "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'dangvu.settings'; django.setup(); print('ok')"
    return subprocess.run([sys.executable, "-c", code], env=clean | env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off(tmp_path) -> None:
    refused = _start_django(DANGVU_HOME=str(tmp_path))
    assert refused.returncode != 0 and "ImproperlyConfigured" in refused.stderr
    assert "DANGVU_SECRET_KEY chưa được đặt" in refused.stderr
    assert _start_django(DANGVU_HOME=str(tmp_path), DANGVU_SECRET_KEY="k" * 50).stdout.strip() == "ok"
    assert _start_django(DANGVU_HOME=str(tmp_path), DANGVU_DEBUG="1").stdout.strip() == "ok"


def test_the_command_gives_the_demo_home_a_key_of_its_own(tmp_path) -> None:
    """``dangvu demo`` / ``serve`` make DANGVU_HOME/secret_key once; other commands read it."""
    code = ("import os; from dangvu.cli import local_secret_key; local_secret_key(create={create}); "
            "print(os.environ.get('DANGVU_SECRET_KEY', ''))")
    clean = {k: v for k, v in os.environ.items() if k != "DANGVU_SECRET_KEY"} | {"DANGVU_HOME": str(tmp_path)}

    def run(create: bool) -> str:
        return subprocess.run([sys.executable, "-c", code.format(create=create)], env=clean, cwd=ROOT,
                              capture_output=True, text=True, timeout=60, check=True).stdout.strip()

    assert run(False) == ""  # nothing made by a command that only reads
    made = run(True)
    key_file = tmp_path / "secret_key"
    assert len(made) >= 50 and key_file.read_text(encoding="utf-8") == made
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert run(True) == made and run(False) == made  # the same key every time: sessions survive


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
    # Small communes go through every step of the full one at a fraction of its cost.
    def built(seed: int) -> tuple[str, int]:
        _flush()
        build_demo("commune", seed, members_target=SMALL_COMMUNE, today=TODAY)
        return _digest()

    first = built(SEED)
    assert first[1] >= SMALL_COMMUNE // 2
    assert built(SEED) == first
    assert built(SEED + 1) != first


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


def test_alerts_counted_and_paged_in_sql_match_the_python_gathering(demo, db) -> None:
    """Issue 14: every kind counted and paged by SQL queries gives the alerts — same kinds,
    severities, subjects, messages and counts — that the one-pass Python gathering
    (``alerts_for``) builds, for several organizations and days of the demo."""
    from dangvu.alerts.queries import SubtreeAlerts
    from dangvu.alerts.services import alerts_for
    from dangvu.registry.models import Organization

    def shape(a):
        return (a.org_path, a.kind, a.severity, a.org_code, a.member_id, a.prospect_id, a.message, a.date)

    root = demo.root
    cells = list(Organization.objects.filter(path__startswith=root.path, kind="cell").order_by("path"))
    orgs = [root, cells[0], cells[len(cells) // 2]]
    seen = Counter()
    for org in orgs:
        for day in (TODAY, TODAY - dt.timedelta(days=45), TODAY - dt.timedelta(days=200)):
            expected = alerts_for(org, day)
            st = SubtreeAlerts(org, day)
            counts = Counter()
            for path, _code, _name, kind, severity, n in st.counts():
                counts[(path, kind, severity)] += n
            assert counts == Counter((a.org_path, a.kind, a.severity) for a in expected), (org.code, day)
            paths = sorted({a.org_path for a in expected})
            got = st.rows(paths, "", 10 ** 6)
            assert sorted(map(shape, got)) == sorted(map(shape, expected)), (org.code, day)
            for kind in {a.kind for a in expected}:
                assert sorted(map(shape, st.rows(paths, kind, 10 ** 6))) == sorted(
                    shape(a) for a in expected if a.kind == kind), (org.code, day, kind)
            seen.update(a.kind for a in expected)
    # the comparison covered the kinds moved to SQL
    for kind in ("no_regular_meeting", "no_thematic_meeting", "unexcused_absences", "cell_too_small"):
        assert seen[kind] > 0, seen
