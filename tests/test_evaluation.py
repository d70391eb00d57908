"""Evaluation and grading: rounds, the three steps in order, forced grades from the registry's
discipline, the excellent quota per grassroots organization, indicators, pages, scope, export, demo."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from conftest import make_member_data
from django.test import Client
from django.urls import reverse
from evaluation_world import self_points
from openpyxl import load_workbook
from person_names import letters

from dangvu import indicators
from dangvu.common import Code, ServiceError
from dangvu.evaluation import services as es
from dangvu.evaluation.models import Evaluation, EvaluationRound
from dangvu.indicators import Period
from dangvu.registry import services as rs

pytestmark = pytest.mark.django_db

YEAR = 2025
THIS_YEAR = dt.date.today().year
FORCED = "Bị kỷ luật (từ khiển trách trở lên) trong kỳ đánh giá."


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def points_totalling(rnd: EvaluationRound, total: float) -> dict[str, float]:
    """Points per criterion adding up to exactly ``total``: full marks, less the difference taken
    from the last criteria first."""
    pts = {c["code"]: c["max"] for c in rnd.criteria()}
    missing = sum(pts.values()) - total
    for code in reversed(list(pts)):
        take = min(missing, pts[code])
        pts[code] -= take
        missing -= take
    assert missing == 0 and sum(pts.values()) == total
    return pts


def run_steps(ev: Evaluation, grade: str, total: float = 80, **shares) -> Evaluation:
    shares = {"tasks_on_time_pct": 100, "tasks_exceeding_pct": 40} | shares
    es.self_assess(None, ev, points_totalling(ev.round, total), grade, **shares)
    es.propose(None, ev, grade, "Nhận xét của chi bộ")
    return es.decide(None, ev, grade)


def ev_of(rnd: EvaluationRound, member=None, org=None) -> Evaluation:
    return rnd.evaluations.get(member=member) if member is not None else rnd.evaluations.get(organization=org)


# -- opening a round ---------------------------------------------------------------------------------

def test_member_round_creates_exactly_the_members_of_the_period(tree):
    rnd = es.open_round(tree.users["office"], tree.orgs["C1"], "member", YEAR)
    rows = set(rnd.evaluations.values_list("member__full_name", "unit__code"))
    # Dung was admitted in 2026: not a member during 2025; Bình is in C2.
    assert rows == {("Nguyễn Văn An", "C1A"), ("Lê Văn Cường", "C1A")}
    assert rnd.state == "open" and rnd.opened_by == tree.users["office"] and rnd.quarter is None
    assert [g["code"] for g in rnd.sheet["groups"]] == ["common", "task"]
    assert sum(c["max"] for c in rnd.criteria()) == 100
    this_year = es.open_round(None, tree.orgs["C1"], "member", THIS_YEAR)
    assert set(this_year.evaluations.values_list("member__full_name", flat=True)) == {
        "Nguyễn Văn An", "Lê Văn Cường", "Phạm Thị Dung"}


def test_members_admitted_under_six_months_before_the_period_end_are_not_graded(tree):
    """Quy định 366-QĐ/TW: a member admitted less than 6 months before the evaluation takes part in
    the review but is not graded (rule set key ``evaluation.min_months_since_admission``)."""
    from dangvu.core.rulesets import ruleset_for

    assert ruleset_for(dt.date(YEAR, 12, 31))["evaluation.min_months_since_admission"] == 6
    cell = tree.orgs["C1B"]
    recent = rs.admit_member(None, cell, make_member_data("Ngô Thị Mới", dt.date(2001, 5, 5), "female"),
                             admitted_on=dt.date(YEAR, 9, 30))  # 3 months before 31/12
    older = rs.admit_member(None, cell, make_member_data("Đinh Văn Bảy", dt.date(1999, 6, 6)),
                            admitted_on=dt.date(YEAR, 5, 31))  # 7 months before
    exactly = rs.admit_member(None, cell, make_member_data("Mai Văn Sáu", dt.date(1998, 7, 7)),
                              admitted_on=dt.date(YEAR, 6, 30))  # exactly 6 months: graded
    rnd = es.open_round(None, cell, "member", YEAR)
    assert set(rnd.evaluations.values_list("member__full_name", flat=True)) == {"Đinh Văn Bảy", "Mai Văn Sáu"}
    assert list(es.new_members_not_graded(cell, es.round_period(rnd))) == [recent]
    assert older.pk in rnd.evaluations.values_list("member_id", flat=True)
    assert exactly.pk in rnd.evaluations.values_list("member_id", flat=True)
    page = client_for(tree.users["admin"]).get(reverse("evaluation:round_detail", args=[rnd.pk])).content.decode()
    assert "tham gia kiểm điểm nhưng không xếp loại): Ngô Thị Mới." in page


def test_exempt_members_are_not_graded(tree):
    rs.exempt(None, tree.members["cuong"], dt.date(2025, 2, 1), "Tuổi cao")
    rnd = es.open_round(None, tree.orgs["C1A"], "member", YEAR)
    assert list(rnd.evaluations.values_list("member__full_name", flat=True)) == ["Nguyễn Văn An"]


def test_organization_rounds_grade_the_level_below(tree):
    province = es.open_round(None, tree.orgs["P"], "organization", YEAR)
    assert set(province.evaluations.values_list("organization__code", flat=True)) == {"C1", "C2"}
    commune = es.open_round(None, tree.orgs["C1"], "organization", YEAR)
    assert set(commune.evaluations.values_list("organization__code", "unit__code")) == {("C1A", "C1A"),
                                                                                         ("C1B", "C1B")}
    with pytest.raises(ServiceError) as exc:
        es.open_round(None, tree.orgs["C1A"], "organization", YEAR)
    assert exc.value.code == Code.STATE
    assert exc.value.message == "Chi bộ thôn Đồng Tâm không có tổ chức đảng nào để đánh giá trong năm 2025."


def test_committee_and_office_holder_rounds_use_current_posts(tree):
    an, cuong, binh = tree.members["an"], tree.members["cuong"], tree.members["binh"]
    rs.add_post(None, tree.orgs["C1A"], an, "secretary", dt.date(2020, 5, 1))
    rs.add_post(None, tree.orgs["C1A"], cuong, "committee_member", dt.date(2020, 5, 1), ended_on=dt.date(2025, 3, 1))
    rs.add_post(None, tree.orgs["C1"], an, "committee_member", dt.date(2020, 8, 1))
    rs.add_post(None, tree.orgs["C2A"], binh, "secretary", dt.date(2021, 1, 1))
    committee = es.open_round(None, tree.orgs["C1"], "committee_member", YEAR)
    assert list(committee.evaluations.values_list("member__full_name", "position", "unit__code")) == [
        ("Nguyễn Văn An", "Bí thư — Chi bộ thôn Đồng Tâm", "C1A")]
    with pytest.raises(ServiceError) as exc:
        es.open_round(None, tree.orgs["P"], "office_holder", YEAR)
    assert (exc.value.code, exc.value.field) == (Code.REQUIRED, "quarter")
    with pytest.raises(ServiceError) as exc:
        es.open_round(None, tree.orgs["P"], "member", YEAR, 2)
    assert (exc.value.code, exc.value.field) == (Code.INVALID, "quarter")
    with pytest.raises(ServiceError) as exc:
        es.open_round(None, tree.orgs["P"], "member", THIS_YEAR + 1)
    assert (exc.value.code, exc.value.field) == (Code.OUT_OF_RANGE, "year")
    quarterly = es.open_round(None, tree.orgs["P"], "office_holder", YEAR, 2)
    assert quarterly.period_label == "quý 2/2025"
    assert set(quarterly.evaluations.values_list("member__full_name", flat=True)) == {"Nguyễn Văn An",
                                                                                      "Trần Thị Bình"}


def test_on_a_handover_day_only_the_successor_holds_the_post(tree):
    """``ended_on`` is the first day a post is no longer held (``Post.objects.held_on``): An hands
    the secretary's post of C1A to Cường on 31/12, the day a yearly round reads the posts on. Only
    Cường is graded as a committee member; before, both were (the filter read ``ended_on >= day``)."""
    an, cuong = tree.members["an"], tree.members["cuong"]
    rs.add_post(None, tree.orgs["C1A"], an, "secretary", dt.date(2020, 5, 1), ended_on=dt.date(YEAR, 12, 31))
    rs.add_post(None, tree.orgs["C1A"], cuong, "secretary", dt.date(YEAR, 12, 31))
    rnd = es.open_round(None, tree.orgs["C1"], "committee_member", YEAR)
    assert list(rnd.evaluations.values_list("member__full_name", "position")) == [
        ("Lê Văn Cường", "Bí thư — Chi bộ thôn Đồng Tâm")]


def test_a_leader_who_left_on_the_first_day_of_the_period_does_not_count_for_it(tree):
    """A commune committee member whose post ended on 01/01 (held through 31/12 of the year before)
    and who is disciplined later that year is not one of the commune's leaders in that year, so
    the commune keeps its "excellent"; before, ``ended_on >= 01/01`` counted him."""
    an = tree.members["an"]
    rs.add_post(None, tree.orgs["C1"], an, "committee_member", dt.date(2020, 8, 1), ended_on=dt.date(YEAR, 1, 1))
    rs.discipline_member(None, an, "reprimand", dt.date(YEAR, 3, 3))
    rnd = es.open_round(None, tree.orgs["P"], "organization", YEAR)
    ev = run_steps(ev_of(rnd, org=tree.orgs["C1"]), "excellent", 95)
    assert (ev.final_grade, ev.reasons) == ("excellent", [])
    # Held one more day (ended on 02/01): he was a leader in the year, and the grade is lowered.
    rs.end_post(None, an.posts.get(), dt.date(YEAR, 1, 2))
    ev = es.decide(None, ev, "excellent")
    assert ev.final_grade == "good"
    assert "Hoàn thành xuất sắc nhiệm vụ: có đơn vị trực thuộc hoặc thành viên lãnh đạo bị kỷ luật." in ev.reasons


def test_a_subject_is_graded_once_per_period(tree):
    es.open_round(None, tree.orgs["C1A"], "member", YEAR)
    with pytest.raises(ServiceError) as exc:
        es.open_round(None, tree.orgs["C1"], "member", YEAR)
    assert exc.value.code == Code.DUPLICATE
    assert "đã có trong đợt đánh giá năm 2025 do Chi bộ thôn Đồng Tâm" in exc.value.message  # names the round
    assert EvaluationRound.objects.count() == 1
    es.open_round(None, tree.orgs["C1"], "member", YEAR - 1)  # another year is fine


# -- forced grades from discipline ------------------------------------------------------------------

def test_disciplined_member_is_forced_unfulfilled_even_with_95_points(tree):
    an = tree.members["an"]
    rs.discipline_member(None, an, "reprimand", dt.date(2025, 6, 10), "3-QĐ/ĐU", "Vi phạm quy chế")
    rnd = es.open_round(None, tree.orgs["C1"], "member", YEAR)
    ev = ev_of(rnd, an)
    ev = es.self_assess(None, ev, points_totalling(rnd, 95), "excellent", tasks_on_time_pct=100,
                        tasks_exceeding_pct=50)
    assert ev.self_total == 95 and ev.disciplined
    assert ev.computed_grade == "unfulfilled" and ev.reasons == [FORCED]
    es.propose(None, ev, "excellent")
    ev = es.decide(None, ev, "excellent")
    assert (ev.decided_grade, ev.final_grade) == ("excellent", "unfulfilled")
    assert ev.reasons == [FORCED, "Cấp ủy quyết định «Hoàn thành xuất sắc nhiệm vụ», kết quả hạ xuống "
                                  "«Không hoàn thành nhiệm vụ»."]
    r = client_for(tree.users["office"]).get(reverse("evaluation:round_detail", args=[rnd.pk]))
    assert r.status_code == 200
    page = r.content.decode()
    assert FORCED in page and 'class="grade unfulfilled"' in page


def test_self_corrected_discipline_or_another_year_is_not_forced(tree):
    an, cuong = tree.members["an"], tree.members["cuong"]
    rs.discipline_member(None, an, "reprimand", dt.date(2025, 6, 10), self_corrected=True)
    rs.discipline_member(None, cuong, "warning", dt.date(2024, 11, 30))
    rnd = es.open_round(None, tree.orgs["C1"], "member", YEAR)
    for member in (an, cuong):
        ev = run_steps(ev_of(rnd, member), "excellent", 95)
        assert not ev.disciplined
        assert (ev.computed_grade, ev.final_grade, ev.reasons) == ("excellent", "excellent", [])


def test_discipline_recorded_after_the_decision_is_applied_when_finalising(tree):
    an = tree.members["an"]
    rnd = es.open_round(None, tree.orgs["C1A"], "member", YEAR)
    for ev in rnd.evaluations.all():
        run_steps(ev, "good")
    rs.discipline_member(None, an, "warning", dt.date(2025, 12, 1))
    es.finalise_round(None, rnd)
    ev = ev_of(rnd, an)
    assert (ev.final_grade, ev.reasons[0]) == ("unfulfilled", FORCED)


def test_conditions_lower_the_grade_with_reasons(tree):
    rnd = es.open_round(None, tree.orgs["C1A"], "member", YEAR)
    ev = run_steps(ev_of(rnd, tree.members["an"]), "excellent", 92, tasks_on_time_pct=90)
    assert (ev.computed_grade, ev.final_grade) == ("fulfilled", "fulfilled")
    assert "Hoàn thành tốt nhiệm vụ: cần 100% nhiệm vụ hoàn thành đúng hạn (mới 90%)." in ev.reasons
    ev = run_steps(ev_of(rnd, tree.members["cuong"]), "good", 85, targets_met_pct=40)
    assert (ev.computed_grade, ev.final_grade) == ("unfulfilled", "unfulfilled")
    assert "Đạt dưới 50% chỉ tiêu, nhiệm vụ." in ev.reasons


def test_collective_with_a_disciplined_cell(tree):
    rs.discipline_organization(None, tree.orgs["C1A"], "reprimand", dt.date(2025, 4, 2))
    rnd = es.open_round(None, tree.orgs["P"], "organization", YEAR)
    ev = run_steps(ev_of(rnd, org=tree.orgs["C1"]), "excellent", 95)
    assert ev.subunits_disciplined_pct == 50  # C1A of C1A, C1B
    assert ev.final_grade == "unfulfilled"
    assert "Trên 20% tổ chức, đơn vị trực thuộc bị kỷ luật." in ev.reasons


# -- the order of the steps --------------------------------------------------------------------------

def test_order_of_steps_is_enforced(tree):
    rnd = es.open_round(None, tree.orgs["C1"], "member", YEAR)
    ev = ev_of(rnd, tree.members["an"])
    with pytest.raises(ServiceError) as exc:
        es.propose(tree.users["secretary"], ev, "good")
    assert exc.value.code == Code.INCOMPLETE
    es.self_assess(tree.users["secretary"], ev, self_points(rnd), "good", tasks_on_time_pct=100)
    # The cell secretary cannot decide for the commune committee.
    with pytest.raises(ServiceError) as exc:
        es.decide(tree.users["secretary"], ev, "good")
    assert exc.value.code == Code.FORBIDDEN
    # The committee office may decide without a proposal, only with a reason.
    with pytest.raises(ServiceError) as exc:
        es.decide(tree.users["office"], ev, "good")
    assert (exc.value.code, exc.value.field) == (Code.REQUIRED, "reason")
    ev = es.decide(tree.users["office"], ev, "good", "Chi bộ chưa họp xét, cấp ủy quyết định")
    assert (ev.decided_grade, ev.decided_by, ev.decision_reason) == (
        "good", tree.users["office"], "Chi bộ chưa họp xét, cấp ủy quyết định")
    assert ev.final_grade == "good" and ev.self_by == tree.users["secretary"] and ev.decided_at is not None
    # A committee that is not the office needs the proposal.
    cell_round = es.open_round(None, tree.orgs["C1A"], "member", YEAR - 1)
    ev = ev_of(cell_round, tree.members["cuong"])
    es.self_assess(tree.users["secretary"], ev, self_points(cell_round), "good")
    with pytest.raises(ServiceError) as exc:
        es.decide(tree.users["secretary"], ev, "good", "lý do")
    assert exc.value.code == Code.INCOMPLETE
    es.propose(tree.users["secretary"], ev, "good", "Tốt")
    ev = es.decide(tree.users["secretary"], ev, "good")
    assert (ev.proposed_by, ev.decided_by, ev.final_grade) == (tree.users["secretary"], tree.users["secretary"], "good")
    # Finalising needs every decision; a closed round refuses changes.
    with pytest.raises(ServiceError) as exc:
        es.finalise_round(None, cell_round)
    assert exc.value.code == Code.INCOMPLETE
    assert exc.value.message == "Còn 1 phiếu chưa có quyết định của cấp ủy: Nguyễn Văn An."  # who is missing
    with pytest.raises(ServiceError) as exc:
        es.publish_round(None, cell_round)
    assert exc.value.code == Code.STATE
    run_steps(ev_of(cell_round, tree.members["an"]), "good")
    es.finalise_round(tree.users["secretary"], cell_round)
    with pytest.raises(ServiceError) as exc:
        es.decide(None, ev, "excellent")
    assert exc.value.code == Code.STATE


# -- the excellent quota --------------------------------------------------------------------------------

@pytest.fixture
def commune13(tree):
    """A third commune (grassroots committee) with one cell of 13 members."""
    c3 = rs.create_organization(None, tree.orgs["P"], code="C3", name="Đảng bộ xã Tân Lập",
                                kind="grassroots_committee")
    cell = rs.create_organization(None, c3, code="C3A", name="Chi bộ thôn Trung", kind="cell")
    people = [rs.register_member(None, cell, make_member_data(f"Đảng viên số {letters(i)}", dt.date(1980, 1, i + 1),
                                                              admitted_on=dt.date(2010, 1, 5),
                                                              full_on=dt.date(2011, 1, 5)))
              for i in range(13)]
    tree.orgs["C3"] = c3
    return c3, people


def test_quota_breach_blocks_finalising_and_names_the_excess(tree, commune13):
    c3, people = commune13
    rnd = es.open_round(None, c3, "member", YEAR)
    for i, person in enumerate(people):
        run_steps(ev_of(rnd, person), "excellent" if i < 3 else "good", 95 if i < 3 else 80)
    assert [(q.organization.code, q.excellent, q.counts["good"], q.allowed, q.excess) for q in es.quota_rows(rnd)] \
        == [("C3", 3, 10, 2, 1)]
    with pytest.raises(ServiceError) as exc:
        es.finalise_round(None, rnd)
    assert exc.value.code == Code.RULE
    assert "Đảng bộ xã Tân Lập: 3 đảng viên xếp loại xuất sắc, tối đa được 2 (theo 10 đảng viên hoàn thành tốt " \
           "nhiệm vụ); vượt 1." in str(exc.value)
    rnd.refresh_from_db()
    assert rnd.state == "open"
    # Through the page: the same message, nothing closed.
    office = client_for(tree.users["admin"])
    r = office.post(reverse("evaluation:round_finalise", args=[rnd.pk]))
    assert r.status_code == 400 and "vượt 1" in r.content.decode()
    # 2 excellent with 10 good is within the quota.
    es.decide(None, ev_of(rnd, people[0]), "fulfilled")
    r = office.post(reverse("evaluation:round_finalise", args=[rnd.pk]))
    assert r.status_code == 302
    rnd.refresh_from_db()
    assert (rnd.state, rnd.finalised_by) == ("finalised", tree.users["admin"])
    assert es.distribution(rnd.evaluations.all()) == {"excellent": 2, "good": 10, "fulfilled": 1,
                                                      "unfulfilled": 0, "": 0}


def test_quota_is_counted_per_grassroots_organization_across_rounds(tree):
    """Cells grading in separate rounds share their commune's quota: C1A alone (1 excellent, 1 good)
    would allow none, but with C1B's 5 good members already closed the commune allows 1."""
    extra = [rs.register_member(None, tree.orgs["C1B"], make_member_data(
        f"Người thứ {letters(i)}", dt.date(1985, 2, i + 1), admitted_on=dt.date(2012, 1, 5), full_on=dt.date(2013, 1, 5)))
        for i in range(5)]
    cell_b = es.open_round(None, tree.orgs["C1B"], "member", YEAR)
    for person in extra:
        run_steps(ev_of(cell_b, person), "good")
    cell_a = es.open_round(None, tree.orgs["C1A"], "member", YEAR)
    run_steps(ev_of(cell_a, tree.members["an"]), "excellent", 95)
    run_steps(ev_of(cell_a, tree.members["cuong"]), "good")
    with pytest.raises(ServiceError) as exc:
        es.finalise_round(None, cell_a)
    assert exc.value.code == Code.RULE
    assert "Đảng bộ xã Hòa Bình: 1 đảng viên xếp loại xuất sắc, tối đa được 0" in exc.value.message
    es.finalise_round(None, cell_b)
    [row] = es.quota_rows(cell_a)
    assert (row.organization.code, row.excellent, row.counts["good"], row.allowed) == ("C1", 1, 6, 1)
    assert es.finalise_round(None, cell_a).state == "finalised"


# -- indicators ------------------------------------------------------------------------------------

def _value(key: str, code: str, tree, year: int = YEAR):
    v = indicators.compute(key, tree.orgs[code], Period.year(year))
    return (v.value, v.numerator, v.denominator)


def test_indicators_count_closed_yearly_rounds_of_the_subtree(tree):
    c1_round = es.open_round(None, tree.orgs["C1"], "member", YEAR)
    run_steps(ev_of(c1_round, tree.members["an"]), "good")
    run_steps(ev_of(c1_round, tree.members["cuong"]), "fulfilled", 60)
    c2_round = es.open_round(None, tree.orgs["C2"], "member", YEAR)
    run_steps(ev_of(c2_round, tree.members["binh"]), "good")
    # Nothing closed yet: no value.
    assert _value("members.rated_good_or_better_share", "P", tree) == (None, 0, 0)
    es.finalise_round(None, c1_round)
    es.finalise_round(None, c2_round)
    es.publish_round(None, c2_round)
    assert _value("members.rated_good_or_better_share", "P", tree) == (66.67, 2, 3)
    assert _value("members.rated_good_or_better_share", "C1", tree) == (50.0, 1, 2)
    assert _value("members.rated_good_or_better_share", "C2A", tree) == (100.0, 1, 1)
    assert _value("members.rated_good_or_better_share", "C1B", tree) == (None, 0, 0)
    assert _value("members.rated_excellent_share", "P", tree) == (0.0, 0, 3)
    assert _value("members.rated_good_or_better_share", "P", tree, YEAR - 1) == (None, 0, 0)


def test_a_member_transferred_mid_round_is_graded_once(tree):
    """Bình is in C2's open round when he moves to C1A: C1 cannot open its round with him in it, so
    the year's shares count him once, where he was graded."""
    binh = tree.members["binh"]
    earlier = es.open_round(None, tree.orgs["C2"], "member", YEAR)
    transfer = rs.start_transfer(None, binh, "permanent", tree.orgs["C1A"], dt.date(YEAR, 6, 1))
    rs.confirm_transfer(None, transfer, dt.date(YEAR, 6, 10))
    with pytest.raises(ServiceError) as exc:
        es.open_round(None, tree.orgs["C1"], "member", YEAR)
    assert exc.value.code == Code.DUPLICATE
    assert exc.value.message.startswith("Trần Thị Bình đã có trong đợt đánh giá năm 2025")  # who, and where
    run_steps(ev_of(earlier, binh), "fulfilled", 60)
    es.finalise_round(None, earlier)
    assert _value("members.rated_good_or_better_share", "P", tree) == (0.0, 0, 1)
    assert _value("members.rated_good_or_better_share", "C2", tree) == (0.0, 0, 1)
    assert _value("members.rated_good_or_better_share", "C1", tree) == (None, 0, 0)


def test_indicators_four_members_one_of_each_grade(tree, commune13):
    """Excellent, good, fulfilled, unfulfilled among four members → good or better 50.0 (2/4). The
    excellent member sits in a commune whose other members are good, so the quota holds there."""
    c3, people = commune13
    big = es.open_round(None, c3, "member", YEAR)
    run_steps(ev_of(big, people[0]), "excellent", 95)
    for person in people[1:]:
        run_steps(ev_of(big, person), "good")
    es.finalise_round(None, big)
    assert _value("members.rated_good_or_better_share", "C3", tree) == (100.0, 13, 13)
    assert _value("members.rated_excellent_share", "C3", tree) == (7.69, 1, 13)
    four = es.open_round(None, tree.orgs["C1"], "member", YEAR)
    run_steps(ev_of(four, tree.members["an"]), "good")
    run_steps(ev_of(four, tree.members["cuong"]), "fulfilled", 60)
    es.finalise_round(None, four)
    c2 = es.open_round(None, tree.orgs["C2"], "member", YEAR)
    run_steps(ev_of(c2, tree.members["binh"]), "unfulfilled", 45)
    es.finalise_round(None, c2)
    # Only four of the members, one of each grade: the excellent one and three of C1 and C2.
    values = {e.final_grade for e in Evaluation.objects.filter(member__in=[
        people[0], tree.members["an"], tree.members["cuong"], tree.members["binh"]])}
    assert values == {"excellent", "good", "fulfilled", "unfulfilled"}
    assert _value("members.rated_good_or_better_share", "P", tree) == (87.5, 14, 16)
    assert _value("members.rated_good_or_better_share", "C1", tree) == (50.0, 1, 2)
    assert _value("members.rated_excellent_share", "P", tree) == (6.25, 1, 16)


def test_indicator_exact_values_on_four_graded_members(tree):
    """The counting alone (the quota is tested above): one member of each grade → 50.0 with 2/4.
    The round is closed by an UPDATE because 1 excellent with 1 good breaks the quota."""
    rs.register_member(None, tree.orgs["C1B"], make_member_data("Vũ Văn Năm", dt.date(1970, 1, 1),
                                                                admitted_on=dt.date(2000, 1, 1),
                                                                full_on=dt.date(2001, 1, 1)))
    rnd = es.open_round(None, tree.orgs["C1"], "member", YEAR)
    grades = {"Nguyễn Văn An": ("excellent", 95), "Lê Văn Cường": ("good", 80), "Vũ Văn Năm": ("fulfilled", 60)}
    for ev in rnd.evaluations.select_related("member"):
        grade, total = grades[ev.member.full_name]
        run_steps(ev, grade, total)
    binh_round = es.open_round(None, tree.orgs["C2"], "member", YEAR)
    run_steps(ev_of(binh_round, tree.members["binh"]), "unfulfilled", 40)
    es.finalise_round(None, binh_round)
    EvaluationRound.objects.filter(pk=rnd.pk).update(state="finalised")
    assert _value("members.rated_good_or_better_share", "P", tree) == (50.0, 2, 4)
    assert _value("members.rated_excellent_share", "P", tree) == (25.0, 1, 4)
    assert _value("members.rated_good_or_better_share", "C1B", tree) == (0.0, 0, 1)


def test_indicators_four_organizations_one_of_each_grade(tree):
    """Excellent, good, fulfilled, unfulfilled → good or better 50.0 (2/4); fulfilled only 25.0 (1/4)."""
    above = es.open_round(None, tree.orgs["P"], "organization", YEAR)
    run_steps(ev_of(above, org=tree.orgs["C1"]), "excellent", 95)
    run_steps(ev_of(above, org=tree.orgs["C2"]), "good")
    commune = es.open_round(None, tree.orgs["C1"], "organization", YEAR)
    run_steps(ev_of(commune, org=tree.orgs["C1A"]), "fulfilled", 60)
    run_steps(ev_of(commune, org=tree.orgs["C1B"]), "unfulfilled", 40)
    for rnd in (above, commune):
        es.finalise_round(None, rnd)
    assert _value("organizations.rated_good_or_better_share", "P", tree) == (50.0, 2, 4)
    assert _value("organizations.rated_fulfilled_only_share", "P", tree) == (25.0, 1, 4)
    assert _value("organizations.rated_good_or_better_share", "C1", tree) == (33.33, 1, 3)
    assert _value("organizations.rated_fulfilled_only_share", "C1A", tree) == (100.0, 1, 1)


def test_committee_members_indicator(tree):
    rs.add_post(None, tree.orgs["C1A"], tree.members["an"], "secretary", dt.date(2020, 5, 1))
    rs.add_post(None, tree.orgs["C1A"], tree.members["cuong"], "deputy", dt.date(2020, 5, 1))
    rnd = es.open_round(None, tree.orgs["C1"], "committee_member", YEAR)
    run_steps(ev_of(rnd, tree.members["an"]), "good")
    run_steps(ev_of(rnd, tree.members["cuong"]), "fulfilled", 60)
    es.finalise_round(None, rnd)
    assert _value("committee_members.rated_good_or_better_share", "C1", tree) == (50.0, 1, 2)
    assert _value("committee_members.rated_good_or_better_share", "C2", tree) == (None, 0, 0)


def test_cli_indicators_json_lists_the_evaluation_keys(tree):
    values = indicators.compute_all(tree.orgs["P"], Period.year(YEAR))
    for key in ("members.rated_good_or_better_share", "members.rated_excellent_share",
                "organizations.rated_good_or_better_share", "organizations.rated_fulfilled_only_share",
                "committee_members.rated_good_or_better_share"):
        assert values[key]["unit"] == "%" and values[key]["value"] is None


# -- pages: scope, the step forms, the published list ----------------------------------------------------

def test_scope_secretary_cannot_open_or_see_another_communes_round(tree):
    c2_round = es.open_round(None, tree.orgs["C2"], "member", YEAR)
    secretary = client_for(tree.users["secretary"])
    assert secretary.get(reverse("evaluation:round_open", args=["C2"])).status_code == 404
    r = secretary.post(reverse("evaluation:round_open", args=["C2"]), {"subject_kind": "member", "year": "2024"})
    assert r.status_code == 404
    assert secretary.get(reverse("evaluation:round_detail", args=[c2_round.pk])).status_code == 404
    ev = ev_of(c2_round, tree.members["binh"])
    assert secretary.get(reverse("evaluation:evaluation_self", args=[ev.pk])).status_code == 404
    assert EvaluationRound.objects.count() == 1


def test_viewer_is_refused_on_every_form(tree):
    rnd = es.open_round(None, tree.orgs["C1"], "member", YEAR)
    ev = ev_of(rnd, tree.members["an"])
    viewer = client_for(tree.users["viewer"])
    r = viewer.get(reverse("evaluation:round_detail", args=[rnd.pk]))
    assert r.status_code == 200 and not r.context["can_run"]
    assert [(ev.member.full_name, editable) for ev, _m, editable in r.context["rows"]] == [
        ("Lê Văn Cường", False), ("Nguyễn Văn An", False)]
    for url in (reverse("evaluation:round_open", args=["C1"]), reverse("evaluation:round_finalise", args=[rnd.pk]),
                reverse("evaluation:evaluation_self", args=[ev.pk]),
                reverse("evaluation:evaluation_proposal", args=[ev.pk]),
                reverse("evaluation:evaluation_decision", args=[ev.pk])):
        assert viewer.get(url).status_code == 403, url
        assert viewer.post(url, {"grade": "good"}).status_code == 403, url
    ev.refresh_from_db()
    assert (ev.proposed_grade, ev.decided_grade) == ("", "")


def test_cell_secretary_sees_only_their_rows_of_a_larger_round(tree):
    rnd = es.open_round(None, tree.orgs["P"], "member", YEAR)
    secretary = client_for(tree.users["secretary"])
    r = secretary.get(reverse("evaluation:round_detail", args=[rnd.pk]))
    assert r.status_code == 200
    assert {ev.member.full_name for ev, _m, _e in r.context["rows"]} == {"Nguyễn Văn An", "Lê Văn Cường"}
    assert "Chốt kết quả" not in r.content.decode()
    assert secretary.get(reverse("evaluation:round_finalise", args=[rnd.pk])).status_code == 403


def test_steps_through_the_pages(tree):
    office = client_for(tree.users["office"])
    r = office.post(reverse("evaluation:round_open", args=["C1"]), {"subject_kind": "member", "year": str(YEAR)})
    assert r.status_code == 302
    rnd = EvaluationRound.objects.get()
    assert r["Location"] == reverse("evaluation:round_detail", args=[rnd.pk])
    ev = ev_of(rnd, tree.members["an"])
    payload = {f"c_{k}": f"{v:g}".replace(".", ",") for k, v in points_totalling(rnd, 91).items()}
    payload |= {"self_grade": "excellent", "tasks_on_time_pct": "100", "tasks_exceeding_pct": "35"}
    r = office.post(reverse("evaluation:evaluation_self", args=[ev.pk]), payload)
    assert r.status_code == 302, r.content.decode()[-2000:]
    ev.refresh_from_db()
    assert (ev.self_total, ev.computed_grade, ev.self_by) == (91, "excellent", tree.users["office"])
    # The office decides without the cell's proposal only with a reason.
    r = office.post(reverse("evaluation:evaluation_decision", args=[ev.pk]), {"grade": "excellent"})
    assert r.status_code == 400
    assert "quyết định khi chưa có đề xuất của chi bộ phải ghi lý do" in r.content.decode()
    secretary = client_for(tree.users["secretary"])
    r = secretary.post(reverse("evaluation:evaluation_proposal", args=[ev.pk]), {"grade": "good", "note": "Tốt"})
    assert r.status_code == 302
    r = office.post(reverse("evaluation:evaluation_decision", args=[ev.pk]), {"grade": "good"})
    assert r.status_code == 302
    ev.refresh_from_db()
    assert (ev.proposed_grade, ev.proposed_by, ev.decided_grade, ev.final_grade) == (
        "good", tree.users["secretary"], "good", "good")
    r = office.get(reverse("evaluation:round_detail", args=[rnd.pk]))
    assert r.status_code == 200
    page = r.content.decode()
    assert f"{tree.users['secretary'].username}, " in page  # who proposed, and when
    assert 'class="grade good"' in page and "Còn" not in page
    # A point over the criterion's maximum is refused with the maximum named.
    bad = payload | {f"c_{rnd.criteria()[0]['code']}": "9"}
    r = office.post(reverse("evaluation:evaluation_self", args=[ev.pk]), bad)
    assert r.status_code == 400 and "Không được lớn hơn 8." in r.content.decode()


def test_published_list_page_and_xlsx_export_is_audited(tree):
    rnd = es.open_round(None, tree.orgs["C1"], "member", YEAR)
    run_steps(ev_of(rnd, tree.members["an"]), "good")
    rs.discipline_member(None, tree.members["cuong"], "reprimand", dt.date(2025, 3, 3))
    run_steps(ev_of(rnd, tree.members["cuong"]), "good")
    office = client_for(tree.users["office"])
    assert office.get(reverse("evaluation:round_published", args=[rnd.pk])).status_code == 404
    assert office.get(reverse("evaluation:round_xlsx", args=[rnd.pk])).status_code == 404
    es.finalise_round(None, rnd)
    r = office.post(reverse("evaluation:round_publish", args=[rnd.pk]))
    assert r.status_code == 302
    page = office.get(reverse("evaluation:round_published", args=[rnd.pk])).content.decode()
    assert "Nguyễn Văn An" in page and "Lê Văn Cường" in page and FORCED in page
    before = LogEntry.objects.count()
    r = office.get(reverse("evaluation:round_xlsx", args=[rnd.pk]))
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = [tuple(row) for row in ws.iter_rows(min_row=5, values_only=True)]
    assert [(n, name, unit, grade) for n, name, unit, _pos, _pts, grade, _why in rows] == [
        (1, "Lê Văn Cường", "Chi bộ thôn Đồng Tâm", "Không hoàn thành nhiệm vụ"),
        (2, "Nguyễn Văn An", "Chi bộ thôn Đồng Tâm", "Hoàn thành tốt nhiệm vụ"),
    ]
    assert rows[0][6].startswith(FORCED)
    assert LogEntry.objects.count() == before + 1
    entry = LogEntry.objects.latest("id")
    assert entry.actor == tree.users["office"]
    assert entry.additional_data == {"export": "evaluation_results", "rows": 2, "round": rnd.pk}


def test_bad_query_strings_and_unknown_ids(tree):
    rnd = es.open_round(None, tree.orgs["C1"], "member", YEAR)
    admin = client_for(tree.users["admin"])
    for params in ({"trang": "abc"}, {"trang": "-1"}, {"trang": "99999999999999999999"}, {"trang": "\x00"}):
        # A page number that is no page shows the first (here also the last) page.
        r = admin.get(reverse("evaluation:round_detail", args=[rnd.pk]), params)
        assert r.status_code == 200 and r.context["page"].number == 1
        assert {ev.member.full_name for ev, _m, _e in r.context["rows"]} == {"Nguyễn Văn An", "Lê Văn Cường"}
        for url in (reverse("evaluation:home"), reverse("evaluation:org_rounds", args=["C1"])):
            r = admin.get(url, params)
            assert r.status_code == 200 and [x.pk for x in r.context["page"]] == [rnd.pk], url
    for path in ("/danh-gia/999999/", "/danh-gia/99999999999999999999/", "/phieu-danh-gia/999999/quyet-dinh/",
                 "/to-chuc/KHONGCO/danh-gia/", "/danh-gia/999999/ket-qua.xlsx"):
        r = admin.get(path)
        assert r.status_code == 404 and "Không tìm thấy" in r.content.decode(), path


# -- the demo ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_demo_step_builds_finalised_rounds_within_the_quota(db):
    from dangvu.demo.services import STEPS, build_demo

    assert "evaluations" in [n for n, _ in STEPS]
    today = dt.date(2026, 6, 1)
    build_demo("commune", 11, members_target=300, today=today)
    rounds = EvaluationRound.objects.all()
    assert {(r.year, r.subject_kind) for r in rounds} == {(y, k) for y in (2023, 2024, 2025)
                                                          for k in ("member", "organization", "committee_member")}
    assert set(rounds.values_list("state", flat=True)) == {"finalised", "published"}
    for rnd in rounds:
        assert not rnd.evaluations.filter(final_grade="").exists()
        assert es.quota_breaches(rnd) == []
    members = Evaluation.objects.filter(round__subject_kind="member")
    n = members.count()
    dist = es.distribution(members)
    assert n > 500
    assert 0.05 <= dist["excellent"] / n <= 0.16
    assert 0.65 <= dist["good"] / n <= 0.85
    assert 0.005 <= dist["unfulfilled"] / n <= 0.05
    forced = members.filter(disciplined=True)
    assert forced.exists() and set(forced.values_list("final_grade", flat=True)) == {"unfulfilled"}
    assert all(FORCED in r for r in forced.values_list("reasons", flat=True))
    value = indicators.compute("members.rated_good_or_better_share", rounds[0].organization, Period.year(2025))
    assert value.denominator == members.filter(round__year=2025).count()
