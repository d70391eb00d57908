"""Admission: prospects through the procedure, the checks of the cell's resolution, completion
through the registry, deadlines on the pipeline page, quota progress, indicators, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import make_member_data
from django.test import Client
from django.urls import reverse

from dangvu import indicators
from dangvu.admission import services as s
from dangvu.admission.models import AdmissionQuota, Prospect, Stage
from dangvu.admission.selectors import quota_table
from dangvu.common import Code, ServiceError
from dangvu.core import clock
from dangvu.core.cccd import make_cccd
from dangvu.indicators import Period
from dangvu.registry import services as rs
from dangvu.registry.models import Member, StatusChange

D = dt.date


BIRTH, LISTED, COURSE, VETTED = D(2000, 5, 5), D(2025, 10, 1), D(2025, 11, 15), D(2026, 4, 1)


def prospect(org, name: str = "Hoàng Thị Mai", birth: dt.date = BIRTH, *, introducers=(), union=None,
             listed: dt.date = LISTED, course: dt.date | None = COURSE, vetted: dt.date | None = VETTED,
             dossier: dt.date = VETTED, by=None, **extra) -> Prospect:
    """A prospect created through the services and taken as far as the dates given."""
    data = {"full_name": name, "birth_date": birth, "gender": extra.pop("gender", "female"), "ethnicity": "Kinh",
            "listed_on": listed, "dossier_on": dossier, "nominated_by": "youth_union", **extra}
    for i, member in enumerate(introducers, start=1):
        data[f"introducer_{i}"] = member
    if union:
        data["youth_union_resolution_on"] = union
        data["youth_union_resolution_number"] = "05-NQ/ĐTN"
    p = s.create_prospect(by, org, data)
    if course:
        p = s.record_course(by, p, course, "123/GCN")
    if vetted:
        p = s.record_vetting(by, p, vetted)
    return p


@pytest.fixture
def mai(tree) -> Prospect:
    """A student nominated by the Youth Union, one introducer plus the Union's resolution,
    resolved by cell C1A on 20/05/2026."""
    p = prospect(tree.orgs["C1A"], introducers=[tree.inside], union=D(2026, 4, 10), is_student=True,
                 cccd=make_cccd("001", "female", 2000, 123456), occupation="Sinh viên")
    return s.record_cell_resolution(None, p, D(2026, 5, 20), 2, 2)


def page(client: Client, user, url: str) -> tuple[int, str]:
    client.force_login(user)
    r = client.get(url)
    return r.status_code, r.content.decode()


# -- the checks of the cell's resolution ------------------------------------------------------------

def test_age_counts_in_full_months_on_the_resolution_day(tree) -> None:
    """Born 15/03/2008: 18 years = 216 full months on 15/03/2026; on 14/03/2026 only 215
    (17 years 11 months). Introducers: An (full since 19/05/2011) and Cường (since 02/09/2001)."""
    p = prospect(tree.orgs["C1A"], birth=D(2008, 3, 15), introducers=[tree.inside, tree.own],
                 listed=D(2025, 9, 1), course=D(2025, 12, 10), vetted=D(2026, 2, 1), dossier=D(2026, 2, 1))
    with pytest.raises(ServiceError) as exc:
        s.record_cell_resolution(None, p, D(2026, 3, 14), 2, 2)
    assert (exc.value.code, exc.value.field) == (Code.OUT_OF_RANGE, "resolved_on")  # issue 13: the age alone
    assert str(exc.value) == "Chưa đủ 18 tuổi (tính theo tháng): mới 17 tuổi 11 tháng."
    p.refresh_from_db()
    assert (p.stage, p.resolved_on) == (Stage.VETTED, None)
    p = s.record_cell_resolution(None, p, D(2026, 3, 15), 2, 2)
    assert (p.stage, p.resolved_on, p.votes_in_favour, p.full_members) == (Stage.CELL_RESOLVED, D(2026, 3, 15), 2, 2)


def test_introducer_full_for_only_eleven_months_is_refused(tree) -> None:
    """Full member since 10/07/2025; on 10/06/2026 that is 11 months (one year only on 10/07/2026)."""
    young = rs.register_member(None, tree.orgs["C1A"], make_member_data(
        "Đỗ Văn Khải", D(1995, 1, 1), admitted_on=D(2024, 7, 10), full_on=D(2025, 7, 10)))
    p = prospect(tree.orgs["C1A"], introducers=[tree.inside, young])
    with pytest.raises(ServiceError) as exc:
        s.record_cell_resolution(None, p, D(2026, 6, 10), 3, 3)
    assert exc.value.code == Code.RULE
    assert str(exc.value) == "Đỗ Văn Khải: người giới thiệu là đảng viên chính thức từ 10/07/2025, chưa đủ 1 năm."
    assert Prospect.objects.get(pk=p.pk).stage == Stage.VETTED


def test_other_introducer_problems(tree) -> None:
    c1a = tree.orgs["C1A"]
    alone = prospect(c1a, "Một Người Giới Thiệu", introducers=[tree.inside])
    with pytest.raises(ServiceError) as exc:
        s.record_cell_resolution(None, alone, D(2026, 6, 10), 2, 2)
    assert exc.value.code == Code.RULE
    assert exc.value.message == ("Cần hai đảng viên chính thức giới thiệu, hoặc một đảng viên và nghị quyết giới "
                                 "thiệu của Đoàn Thanh niên.")  # the only problem: which rule is not met
    probationary = rs.admit_member(None, c1a, make_member_data("Vũ Văn Dự", D(1999, 2, 2)), D(2026, 1, 5))
    p = prospect(c1a, "Người Thứ Hai", introducers=[probationary], union=D(2026, 4, 10))
    with pytest.raises(ServiceError) as exc:
        s.record_cell_resolution(None, p, D(2026, 6, 10), 2, 2)
    assert exc.value.code == Code.RULE
    assert exc.value.message == "Vũ Văn Dự: người giới thiệu chưa là đảng viên chính thức."  # names who
    with pytest.raises(ServiceError) as exc:
        prospect(c1a, "Người Thứ Ba", introducers=[tree.outside])
    assert (exc.value.code, exc.value.field) == (Code.OUT_OF_SUBTREE, "introducer_1")


def test_a_prospects_record_is_refused_with_the_field_it_is_about(tree) -> None:
    """One problem: its code and field (the form shows it beside the field). Several: one message
    naming them all, the first one's code, no single field."""
    c1a = tree.orgs["C1A"]
    with pytest.raises(ServiceError) as exc:
        prospect(c1a, "Hồ Sơ Sau", dossier=dt.date.today() + dt.timedelta(days=3), course=None, vetted=None)
    assert (exc.value.code, exc.value.field) == (Code.FUTURE_DATE, "dossier_on")
    with pytest.raises(ServiceError) as exc:
        prospect(c1a, "Hai Lần Một Người", introducers=[tree.inside, tree.inside], course=None, vetted=None)
    assert (exc.value.code, exc.value.field) == (Code.DUPLICATE, "introducer_2")
    with pytest.raises(ServiceError) as exc:
        prospect(c1a, "", gender="x", course=None, vetted=None)
    assert (exc.value.code, exc.value.field) == (Code.REQUIRED, None)
    assert exc.value.message == "Họ và tên không được để trống. Giới tính phải là Nam hoặc Nữ."
    with pytest.raises(ServiceError) as exc:
        s.create_prospect(None, tree.orgs["C1"], {"full_name": "Ở Xã", "birth_date": BIRTH, "gender": "male",
                                                  "listed_on": LISTED})
    assert (exc.value.code, exc.value.field) == (Code.ORG_KIND, "organization")
    assert not Prospect.objects.exists()


def test_stale_course_certificate_is_refused(tree) -> None:
    """Certificate of 01/03/2021, valid 5 years: through 01/03/2026; the cell meets on 10/06/2026."""
    p = prospect(tree.orgs["C1A"], introducers=[tree.inside, tree.own], listed=D(2020, 9, 1),
                 course=D(2021, 3, 1))
    with pytest.raises(ServiceError) as exc:
        s.record_cell_resolution(None, p, D(2026, 6, 10), 2, 2)
    assert exc.value.code == Code.RULE
    assert str(exc.value) == ("Giấy chứng nhận lớp nhận thức về Đảng đã hết hạn ngày 01/03/2026 (có giá trị 5 năm); "
                              "phải học lại.")
    assert s.warnings_for(p, D(2026, 6, 10)) == [
        "Giấy chứng nhận lớp nhận thức về Đảng đã hết hạn; phải học lại trước khi chi bộ xét."]
    # renewed: the same day passes
    p = s.record_course(None, p, D(2026, 5, 30), "77/GCN")
    assert s.record_cell_resolution(None, p, D(2026, 6, 10), 2, 2).stage == Stage.CELL_RESOLVED


def test_stale_dossier_and_failed_vote_are_refused(tree) -> None:
    p = prospect(tree.orgs["C1A"], introducers=[tree.inside, tree.own], listed=D(2024, 9, 1),
                 course=D(2024, 10, 1), vetted=D(2025, 1, 10), dossier=D(2025, 1, 10))
    with pytest.raises(ServiceError) as exc:
        s.record_cell_resolution(None, p, D(2026, 1, 11), 3, 3)
    assert exc.value.code == Code.RULE
    assert exc.value.message.startswith("Hồ sơ lập ngày 10/01/2025 đã quá 12 tháng chưa được xét")  # the date
    s.update_prospect(None, p, dossier_on=D(2025, 12, 20))
    # 5 of 8 is below two thirds; 6 of 9 is exactly two thirds and passes
    with pytest.raises(ServiceError) as exc:
        s.record_cell_resolution(None, p, D(2026, 1, 11), 5, 8)
    assert exc.value.code == Code.RULE
    assert exc.value.message == ("Nghị quyết không đạt: 5/8 đảng viên chính thức tán thành, cần ít nhất 2/3 số "
                                 "đảng viên chính thức.")  # the count and the share
    assert s.record_cell_resolution(None, p, D(2026, 1, 11), 6, 9).stage == Stage.CELL_RESOLVED


def test_steps_follow_the_order(tree) -> None:
    p = prospect(tree.orgs["C1A"], course=None, vetted=None)
    with pytest.raises(ServiceError) as exc:
        s.record_vetting(None, p, D(2026, 4, 1))
    assert exc.value.code == Code.INCOMPLETE
    with pytest.raises(ServiceError) as exc:
        s.complete_admission(None, p, D(2026, 6, 1), "1-QĐ/ĐU", D(2026, 6, 5))
    assert exc.value.code == Code.INCOMPLETE
    with pytest.raises(ServiceError) as exc:
        s.record_course(None, p, dt.date.today() + dt.timedelta(days=1))
    assert (exc.value.code, exc.value.field) == (Code.FUTURE_DATE, "passed_on")
    with clock.frozen(D(2026, 5, 1)):  # the services ask the clock for today
        with pytest.raises(ServiceError) as exc:
            s.record_course(None, p, D(2026, 5, 2))
        assert (exc.value.code, exc.value.field) == (Code.FUTURE_DATE, "passed_on")
    p = s.drop_prospect(None, p, D(2026, 5, 1), "Chuyển đi nơi khác")
    assert (p.stage, p.dropped_on) == (Stage.DROPPED, D(2026, 5, 1))
    with pytest.raises(ServiceError) as exc:
        s.update_prospect(None, p, occupation="Nông dân")
    assert exc.value.code == Code.STATE


# -- completion through the registry, deadlines on the pipeline ----------------------------------------

def test_complete_admission_creates_the_member_through_the_registry(tree, mai) -> None:
    """Resolution 20/05/2026, decision Monday 01/06/2026 (no holiday until September):
    ceremony by the 30th working day after it, Monday 13/07/2026; probation ends 01/06/2027;
    recognition by the 30th working day after that, Tuesday 13/07/2027."""
    client = Client()
    url = reverse("admission:pipeline", args=["C1"])
    mai = s.record_decision(None, mai, D(2026, 6, 1), "125-QĐ/ĐU")
    assert mai.stage == Stage.DECIDED
    status, html = page(client, tree.users["office"], url)
    assert status == 200
    assert 'data-key="ceremony_by">Hạn tổ chức lễ kết nạp: <b>13/07/2026</b>' in html
    members_before = Member.objects.count()
    mai = s.complete_admission(tree.users["secretary"], mai, D(2026, 6, 1), "125-QĐ/ĐU", D(2026, 6, 20))
    assert Member.objects.count() == members_before + 1
    member = mai.member
    assert (mai.stage, mai.ceremony_on) == (Stage.ADMITTED, D(2026, 6, 20))
    assert (member.full_name, member.status, member.admitted_on, member.organization.code, member.is_student,
            member.cccd) == ("Hoàng Thị Mai", "probationary", D(2026, 6, 1), "C1A", True, "001300123456")
    history = list(StatusChange.objects.filter(member=member).values_list(
        "event", "on", "to_status", "decision_number", "to_org__code", "recorded_by__username"))
    assert history == [("admit", D(2026, 6, 1), "probationary", "125-QĐ/ĐU", "C1A", "secretary")]
    assert Member.objects.get(pk=member.pk).prospect == mai
    status, html = page(client, tree.users["office"], url)
    assert 'data-key="recognition_by">Hạn chi bộ xét chuyển đảng chính thức: <b>13/07/2027</b>' in html
    assert 'data-key="probation_ends">Ngày hết thời gian dự bị: 01/06/2027' in html
    assert [(d.key, d.on) for d in s.deadlines_for(mai, D(2026, 11, 1))] == [
        ("recognition_by", D(2027, 7, 13)), ("probation_ends", D(2027, 6, 1))]
    assert s.warnings_for(mai) == []


def test_refused_completion_writes_nothing(tree, mai) -> None:
    counts = (Member.objects.count(), StatusChange.objects.count())
    # the ceremony one working day late, without the reason reported to the upper committee
    with pytest.raises(ServiceError) as exc:
        s.complete_admission(None, mai, D(2026, 6, 1), "125-QĐ/ĐU", D(2026, 7, 14))
    assert (exc.value.code, exc.value.field) == (Code.RULE, "late_reason")
    assert str(exc.value) == ("Lễ kết nạp phải tổ chức trong 30 ngày làm việc kể từ quyết định, tức chậm nhất ngày "
                              "13/07/2026. Nếu đã chậm, hãy ghi lý do (đã báo cáo cấp ủy cấp trên).")
    # the registry refuses (the CCCD now belongs to a member registered meanwhile): all rolled back
    rs.register_member(None, tree.orgs["C1B"], make_member_data(
        "Hoàng Thị Mai", D(2000, 5, 5), "female", cccd="001300123456", admitted_on=D(2026, 6, 2)))
    counts = (counts[0] + 1, counts[1] + 1)
    with pytest.raises(ServiceError) as exc:
        s.complete_admission(None, mai, D(2026, 6, 1), "125-QĐ/ĐU", D(2026, 6, 20))
    # The registry's refusal passes through: a duplicate CCCD, named with the cell that holds it.
    assert exc.value.code == Code.DUPLICATE
    assert exc.value.message == "Số CCCD này đã có: đảng viên Hoàng Thị Mai (chi bộ C1B)."
    assert (Member.objects.count(), StatusChange.objects.count()) == counts
    mai.refresh_from_db()
    assert (mai.stage, mai.member, mai.decision_on, mai.ceremony_on) == (Stage.CELL_RESOLVED, None, None, None)


def test_late_steps_are_recorded_with_warnings(tree) -> None:
    """Resolution 05/01/2026: the decision is due by 06/04/2026 (60 working days, Tết included);
    decision Monday 04/05/2026: the ceremony by the 30th working day after, Monday 15/06/2026."""
    p = prospect(tree.orgs["C1A"], introducers=[tree.inside, tree.own], listed=D(2025, 6, 1),
                 course=D(2025, 7, 1), vetted=D(2025, 12, 1), dossier=D(2025, 12, 1))
    p = s.record_cell_resolution(None, p, D(2026, 1, 5), 2, 2)
    assert [(d.key, d.on, d.overdue) for d in s.deadlines_for(p, D(2026, 4, 7))] == [
        ("decision_by", D(2026, 4, 6), True)]
    p = s.complete_admission(None, p, D(2026, 5, 4), "30-QĐ/ĐU", D(2026, 6, 30), "Người vào Đảng đi công tác")
    assert s.warnings_for(p) == [
        "Quyết định kết nạp ngày 04/05/2026 chậm so với hạn 06/04/2026 (60 ngày làm việc kể từ nghị quyết chi bộ).",
        "Lễ kết nạp ngày 30/06/2026 chậm so với hạn 15/06/2026. Lý do: Người vào Đảng đi công tác.",
    ]


# -- quotas and indicators -----------------------------------------------------------------------------

def _value(key: str, org, period: Period) -> tuple:
    v = indicators.compute(key, org, period)
    return v.value, v.numerator, v.denominator, v.breakdown


def test_quota_progress_exact_values(tree, mai) -> None:
    """2026 in C1: Dung admitted in C1B (01/03/2026) and Mai, a student, in C1A (01/06/2026)."""
    c1, c1a, c1b = tree.orgs["C1"], tree.orgs["C1A"], tree.orgs["C1B"]
    s.complete_admission(None, mai, D(2026, 6, 1), "125-QĐ/ĐU", D(2026, 6, 20))
    s.set_quota(None, c1a, year=2026, target=4, students_target=2)
    s.set_quota(None, c1b, year=2026, target=2)
    s.set_quota(None, c1a, term="2025–2030", target=6, students_target=2)
    s.set_quota(None, c1, term="2025-2030", target=10, students_target=3)  # the commune's own: counts alone
    assert AdmissionQuota.objects.get(organization=c1a, year__isnull=True).term == "2025-2030"
    s.set_quota(None, c1b, year=2026, target=2, students_target=0)  # replaced, not duplicated
    assert AdmissionQuota.objects.count() == 4
    assert _value("admissions.quota_progress_share", c1, Period.year(2026)) == (
        33.33, 2, 6, {"students": 1, "students_target": 2})
    assert _value("admissions.quota_progress_share", c1a, Period.year(2026)) == (
        25.0, 1, 4, {"students": 1, "students_target": 2})
    assert _value("admissions.quota_progress_share", c1, Period.term(2025, 2030)) == (
        20.0, 2, 10, {"students": 1, "students_target": 3})
    assert _value("admissions.quota_progress_share", tree.orgs["C2"], Period.year(2026)) == (
        None, 0, None, {"students": 0, "students_target": None})
    table = quota_table(c1, 2026)
    assert table.term == "2025-2030"
    rows = {cell.code: (py.admitted, py.target, py.students, py.students_target, pt.admitted, pt.target)
            for cell, py, pt in table.rows}
    assert rows == {"C1A": (1, 4, 1, 2, 1, 6), "C1B": (1, 2, 0, 0, 1, None)}
    assert (table.total_year.admitted, table.total_year.target, table.total_year.share) == (2, 6, 33.33)
    assert (table.total_term.admitted, table.total_term.target, table.total_term.students_target) == (2, 10, 3)
    with pytest.raises(ServiceError) as exc:
        s.set_quota(None, c1a, year=2027, target=1, students_target=2)
    assert (exc.value.code, exc.value.field) == (Code.OUT_OF_RANGE, "students_target")
    with pytest.raises(ServiceError) as exc:
        s.set_quota(None, c1a, term="2025", target=1)
    assert (exc.value.code, exc.value.field) == (Code.INVALID, "term")
    status, html = page(Client(), tree.users["viewer"], reverse("admission:pipeline", args=["C1"]) + "?nam=2026")
    assert status == 200 and '<div class="big">2/6</div>' in html


def test_quota_table_lists_the_children_with_their_subtrees_in_queries_that_do_not_grow(tree, mai) -> None:
    """Rows are the organizations directly under the page's (each over its subtree); a cell shows
    itself. The table's queries are the same for 2 rows and for 6 (issue 14: no per-child loop)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c1, c1a = tree.orgs["C1"], tree.orgs["C1A"]
    s.complete_admission(None, mai, D(2026, 6, 1), "125-QĐ/ĐU", D(2026, 6, 20))  # a student, in C1A
    s.set_quota(None, c1a, year=2026, target=4, students_target=2)
    s.set_quota(None, tree.orgs["C2"], year=2026, target=3)
    s.set_quota(None, tree.orgs["C2A"], year=2026, target=9)  # under C2's own quota: C2's counts alone
    table = quota_table(tree.orgs["P"], 2026)
    assert {o.code: (py.admitted, py.students, py.target, py.students_target) for o, py, _ in table.rows} == {
        "C1": (2, 1, 4, 2), "C2": (0, 0, 3, 0)}
    assert (table.total_year.admitted, table.total_year.target) == (2, 7)
    cell = quota_table(c1a, 2026)
    assert [(o.code, py.admitted, py.target) for o, py, _ in cell.rows] == [("C1A", 1, 4)]

    def cost() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            rows = len(quota_table(c1, 2026).rows)
        return rows, len(ctx)

    rows_before, queries_before = cost()
    status, _ = page(Client(), tree.users["office"], reverse("admission:pipeline", args=["C1"]) + "?nam=2026")
    assert (rows_before, status) == (2, 200)
    part = rs.create_organization(None, c1, code="C1P", name="Đảng bộ bộ phận Khối Cơ quan", kind="sub_committee")
    for i, name in enumerate(("Chi bộ thôn Đông", "Chi bộ thôn Tây", "Chi bộ thôn Nam")):
        cell_i = rs.create_organization(None, c1, code=f"C1X{'DTN'[i]}", name=name, kind="cell",
                                        sector="residential")
        s.set_quota(None, cell_i, year=2026, target=i + 1)
    inner = rs.create_organization(None, part, code="C1PA", name="Chi bộ Trường học", kind="cell", sector="school")
    s.set_quota(None, inner, year=2026, target=5)
    rows_after, queries_after = cost()
    assert (rows_after, queries_after) == (6, queries_before)
    by_code = {o.code: py.target for o, py, _ in quota_table(c1, 2026).rows}
    assert (by_code["C1P"], by_code["C1XT"], by_code["C1B"]) == (5, 2, None)  # the sub-committee sums its cell


def test_prospect_counts_follow_the_reading_day(tree, mai) -> None:
    c1a = tree.orgs["C1A"]
    s.complete_admission(None, mai, D(2026, 6, 1), "125-QĐ/ĐU", D(2026, 6, 20))  # listed 01/10/2025
    open_one = prospect(c1a, "Đinh Văn Mở", birth=D(1990, 1, 1), gender="male", vetted=None)  # course 15/11/2025
    gone = prospect(c1a, "Lý Thị Đi", birth=D(1992, 1, 1), course=None, vetted=None, listed=D(2025, 3, 1))
    s.drop_prospect(None, gone, D(2026, 2, 1), "Chuyển đi nơi khác")
    prospect(tree.orgs["C2A"], "Ngoài Phạm Vi", birth=D(1993, 1, 1), course=None, vetted=None)
    assert open_one.stage == Stage.COURSE
    c1 = tree.orgs["C1"]
    # on 31/12/2025 all three were on the list; Mai had her course, Đi not
    assert _value("prospects.count", c1, Period.year(2025)) == (
        3, 3, None, {"source": 0, "course": 1, "vetted": 0, "cell_resolved": 0, "decided": 0})
    assert _value("prospects.course_passed_count", c1, Period.year(2025))[:2] == (2, 2)
    # in 2026 (read on today, or 31/12/2026): only Mở is left
    assert _value("prospects.count", c1, Period.year(2026))[:2] == (1, 1)
    assert _value("prospects.course_passed_count", c1, Period.year(2026))[:2] == (1, 1)
    assert _value("prospects.count", tree.orgs["P"], Period.year(2026))[:2] == (2, 2)


# -- pages and scope -------------------------------------------------------------------------------------

def test_secretary_cannot_see_other_communes_prospects(tree) -> None:
    outside = prospect(tree.orgs["C2A"], "Quần Chúng Yên Lạc", course=None, vetted=None)
    inside = prospect(tree.orgs["C1A"], "Quần Chúng Đồng Tâm", course=None, vetted=None)
    client = Client()
    client.force_login(tree.users["secretary"])
    assert client.get(reverse("admission:prospect_detail", args=[outside.pk])).status_code == 404
    assert client.get(reverse("admission:prospect_step", args=[outside.pk, "hoc-lop"])).status_code == 404
    assert client.get(reverse("admission:pipeline", args=["C2A"])).status_code == 404
    r = client.get(reverse("admission:pipeline", args=["C1A"]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Quần Chúng Đồng Tâm" in html and "Quần Chúng Yên Lạc" not in html
    r = client.get(reverse("admission:home"))  # one root: the pipeline of C1A
    assert r.status_code == 200 and r.context["org"] == tree.orgs["C1A"]
    assert [p.full_name for _stage, items, _n in r.context["sections"] for p, _d, _rest in items] == [
        "Quần Chúng Đồng Tâm"]
    r = client.get(reverse("admission:prospect_detail", args=[inside.pk]))
    assert r.status_code == 200 and r.context["p"] == inside and r.context["can_edit"]


def test_viewer_gets_403_on_forms_and_nothing_changes(tree) -> None:
    p = prospect(tree.orgs["C1A"], course=None, vetted=None)
    client = Client()
    client.force_login(tree.users["viewer"])
    r = client.get(reverse("admission:prospect_detail", args=[p.pk]))
    assert r.status_code == 200 and r.context["p"] == p and not r.context["can_edit"]
    for url in (reverse("admission:prospect_step", args=[p.pk, "hoc-lop"]),
                reverse("admission:prospect_edit", args=[p.pk]),
                reverse("admission:prospect_create", args=["C1A"]),
                reverse("admission:quota_edit", args=["C1"])):
        assert client.get(url).status_code == 403, url
    r = client.post(reverse("admission:prospect_step", args=[p.pk, "hoc-lop"]), {"passed_on": "2026-01-10"})
    assert r.status_code == 403
    assert Prospect.objects.get(pk=p.pk).stage == Stage.SOURCE


def test_the_whole_procedure_through_the_forms(tree) -> None:
    client = Client()
    client.force_login(tree.users["secretary"])
    r = client.post(reverse("admission:prospect_create", args=["C1A"]), {
        "organization": tree.orgs["C1A"].pk, "full_name": "Bùi Văn Tiến", "birth_date": "15/08/2001",
        "gender": "male", "ethnicity": "Kinh", "listed_on": "2025-09-01", "nominated_by": "youth_union",
        "introducer_1": tree.inside.pk, "introducer_2": tree.own.pk, "dossier_on": "2026-04-01"})
    assert r.status_code == 302, r.content.decode()[-800:]
    p = Prospect.objects.get(full_name="Bùi Văn Tiến")
    steps = [("hoc-lop", {"passed_on": "2025-11-20", "certificate": "45/GCN"}),
             ("tham-tra", {"vetted_on": "2026-04-01"}),
             ("nghi-quyet", {"resolved_on": "2026-05-20", "in_favour": "2", "full_members": "2"}),
             ("quyet-dinh", {"decision_on": "2026-06-01", "decision_number": "126-QĐ/ĐU"}),
             ("ket-nap", {"decision_on": "2026-06-01", "decision_number": "126-QĐ/ĐU", "ceremony_on": "2026-06-19"})]
    for step, data in steps:
        r = client.post(reverse("admission:prospect_step", args=[p.pk, step]), data)
        assert r.status_code == 302, (step, r.content.decode()[-800:])
    p.refresh_from_db()
    assert (p.stage, p.member.admitted_on, p.member.status) == (Stage.ADMITTED, D(2026, 6, 1), "probationary")
    r = client.post(reverse("admission:prospect_step", args=[p.pk, "ket-nap"]), steps[-1][1])
    assert r.status_code == 400 and "Đã kết nạp hoặc đã dừng xem xét." in r.content.decode()
    r = client.get(reverse("admission:prospect_step", args=[p.pk, "khong-co"]))
    assert r.status_code == 404
    r = client.get(reverse("admission:pipeline", args=["C1A"]) + "?nam=abc")
    assert r.status_code == 200 and r.context["year"] == clock.today().year  # not a year: this year


# -- the demo ----------------------------------------------------------------------------------------------

def test_demo_step_builds_a_consistent_pipeline(db) -> None:
    """Deterministic for (seed, day): every stage is present; admitted prospects are the demo's new
    members (admission date = decision date); every resolution on record passes the services' checks."""
    from dangvu.demo.services import build_demo
    from dangvu.registry.models import Organization

    day = D(2026, 11, 20)
    result = build_demo("commune", 77, today=day)
    prospects = list(Prospect.objects.select_related("organization", "member"))
    stages = {p.stage for p in prospects}
    assert {"source", "course", "vetted", "cell_resolved", "decided", "admitted"} <= stages
    cells = Organization.objects.filter(path__startswith=result.root.path, kind__in=("cell", "grassroots_cell"))
    assert AdmissionQuota.objects.count() == 4 * cells.count()
    assert AdmissionQuota.objects.filter(term="2025-2030").count() == cells.count()
    admitted = [p for p in prospects if p.stage == Stage.ADMITTED]
    assert len(admitted) >= 30
    for p in admitted:
        assert (p.member.admitted_on, p.member.full_name, p.member.birth_date) == (p.decision_on, p.full_name,
                                                                                      p.birth_date)
        assert p.decision_on <= p.ceremony_on <= day
        assert StatusChange.objects.filter(member=p.member, event="admit", on=p.decision_on).exists()
    for p in prospects:
        if p.stage in ("cell_resolved", "decided", "admitted"):
            assert s.resolution_problems(p, p.resolved_on, p.votes_in_favour, p.full_members) == [], p.full_name
    first = [d for p in prospects for d in s.deadlines_for(p, day)[:1]]
    assert any(d.overdue for d in first) and any(not d.overdue for d in first)
    assert any(d.key == "certificate_expires" and (d.overdue or d.soon) for d in first)
    assert any(d.key == "decision_by" for d in first) and any(d.key == "ceremony_by" for d in first)
    assert result.counts["Prospect"] == len(prospects)


def test_pipeline_overdue_count_is_the_rule_counted_prospect_by_prospect(db) -> None:
    """The pipeline's «việc đã quá hạn» is one SQL count against each stage's first not-yet-overdue
    day (bisection over the rule): equal to the rule applied to every prospect, on several days."""
    from dangvu.admission.selectors import _COUNTED_FROM, _overdue, _pipeline_rows, overdue_before
    from dangvu.demo.services import build_demo

    day = D(2026, 11, 20)
    root = build_demo("commune", 77, today=day).root
    for today in (day, day + dt.timedelta(days=9), day + dt.timedelta(days=45), day + dt.timedelta(days=400)):
        rows = _pipeline_rows(root, today.year)
        by_rule = sum(1 for p in rows.exclude(stage=Stage.DROPPED).select_related("member")
                      if (first := s.deadlines_for(p, today)[:1]) and first[0].overdue)
        assert _overdue(rows, today) == by_rule, today
        for stage, field in _COUNTED_FROM.items():
            cut = overdue_before(stage, today)

            def late(d: dt.date, stage=stage, field=field, today=today) -> bool:
                first = s.deadlines_for(Prospect(stage=stage, **{field: d}), today)[:1]
                return bool(first and first[0].overdue)
            assert late(cut - dt.timedelta(days=1)) and not late(cut), (stage, today)
    assert by_rule > 0


def test_stored_quota_table_reads_back_the_counted_one(db) -> None:
    from dangvu.admission.selectors import quota_table, stored_quota_table
    from dangvu.demo.services import build_demo
    from dangvu.plans.models import StoredResult

    day = D(2026, 11, 20)
    root = build_demo("commune", 77, today=day).root
    counted = quota_table(root, 2026)
    first, again = stored_quota_table(root, 2026), stored_quota_table(root, 2026)
    assert StoredResult.objects.filter(organization=root, name="admission_quota").count() == 1
    for table in (first, again):
        assert (table.year, table.term, table.total_year, table.total_term) == (
            counted.year, counted.term, counted.total_year, counted.total_term)
        assert [(o.pk, y, t) for o, y, t in table.rows] == [(o.pk, y, t) for o, y, t in counted.rows]
    assert counted.total_year.admitted > 0 and len(counted.rows) > 1


def test_pipeline_keeps_admitted_prospects_while_their_member_is_probationary_in_the_subtree(db) -> None:
    """Admitted before this year: listed while the member is still probationary in the subtree; not
    once full, nor once moved out (the new organization follows her). Decided this year: listed."""
    from django.db import connection

    from dangvu.admission.selectors import _pipeline_rows
    from dangvu.demo.services import build_demo

    day = D(2026, 11, 20)
    root = build_demo("commune", 77, today=day).root
    earlier = list(Prospect.objects.filter(stage=Stage.ADMITTED, member__isnull=False,
                                           decision_on__year__lt=day.year).order_by("pk")[:3])
    assert len(earlier) == 3
    Member.objects.filter(pk__in=[p.member_id for p in earlier]).update(status="probationary")
    kept, full, moved = earlier
    Member.objects.filter(pk=full.member_id).update(status="full")
    elsewhere = rs.create_organization(None, None, code="KHAC", name="Đảng bộ khác", kind="grassroots_committee")
    root.refresh_from_db()  # the roots are kept in code order: the demo's moved to the second place
    Member.objects.filter(pk=moved.member_id).update(organization=elsewhere)
    this_year = Prospect.objects.filter(stage=Stage.ADMITTED, decision_on__year=day.year).first()
    Member.objects.filter(pk=this_year.member_id).update(status="full")

    listed = set(_pipeline_rows(root, day.year).values_list("pk", flat=True))
    assert kept.pk in listed and this_year.pk in listed
    assert full.pk not in listed and moved.pk not in listed
    if connection.vendor == "postgresql":
        # The membership test sits in the join, not in a subquery under the prospects' scan: a hashed
        # subquery there is charged to every probe of the organization index, so a commune's
        # prospects were read by scanning the whole table.
        plan = _pipeline_rows(root, day.year).explain(format="json")
        assert "SubPlan" not in plan and "admission_prospect" in plan
