"""Discipline cases (issue 16, point 3): the procedure's steps in order, the statute of limitations
(restarted by a new violation), no consideration while raising a child under 12 months, the
competent level by form and posts, the registry record and the year's grading, the appeal window
and its decision, who sees cases, the pages and their audit, the indicator."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from conftest import logged_in
from django.urls import reverse

from dangvu import indicators
from dangvu.common import Code, ServiceError
from dangvu.discipline import selectors as sel
from dangvu.discipline import services as ds
from dangvu.discipline.models import DisciplineCase
from dangvu.evaluation import services as es
from dangvu.indicators import Period
from dangvu.registry import services as rs
from dangvu.registry.models import Discipline

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
DAY = dt.timedelta(days=1)


def walk_to_vote(tree, member, *, violation_on=None, form="reprimand", by=None, review_on=None, vote_on=None):
    by = by or tree.users["office"]
    case = ds.open_case(member, violation_on=violation_on or TODAY - 90 * DAY, summary="Vi phạm quy chế làm việc",
                        opened_by=by, origin="Kết luận kiểm tra số 3-KL/UBKT", opened_on=TODAY - 80 * DAY)
    ds.record_self_review(by, case, on=review_on or TODAY - 20 * DAY, text="Tôi nhận khuyết điểm.")
    return ds.record_cell_vote(by, case, on=vote_on or TODAY - 10 * DAY, form=form, in_favour=7, against=1,
                               full_members=9)


def test_a_case_through_every_step_records_the_discipline_in_the_registry(tree):
    an, office = tree.members["an"], tree.users["office"]
    case = walk_to_vote(tree, an)
    case = ds.decide_case(office, case, on=TODAY - 5 * DAY, form="reprimand", decision_number="12-QĐ/CB",
                          received_on=TODAY - 4 * DAY)
    assert case.state == "decided" and case.deciding_org == tree.orgs["C1A"]  # the cell reprimands
    record = Discipline.objects.get(member=an)
    assert (record.form, record.decided_on, record.decision_number) == ("reprimand", TODAY - 5 * DAY, "12-QĐ/CB")
    assert case.discipline == record
    assert an.history.filter(event="discipline", on=TODAY - 5 * DAY).exists()
    value = indicators.compute("discipline.cases_decided_count", tree.orgs["C1"], Period(TODAY - 30 * DAY, TODAY))
    assert value.value == 1
    assert indicators.compute("discipline.cases_decided_count", tree.orgs["C2"],
                              Period(TODAY - 30 * DAY, TODAY)).value == 0


def test_the_decision_forces_the_years_grading_through_the_registry(tree):
    an = tree.members["an"]
    case = walk_to_vote(tree, an)
    decided = TODAY - 5 * DAY
    ds.decide_case(None, case, on=decided, form="reprimand", decision_number="12-QĐ/CB")
    rnd = es.open_round(None, tree.orgs["C1A"], "member", decided.year)
    ev = rnd.evaluations.get(member=an)
    assert ev.disciplined and ev.computed_grade == "unfulfilled"
    other = rnd.evaluations.get(member=tree.members["cuong"])
    assert not other.disciplined


def test_steps_out_of_order_are_refused_and_nothing_is_written(tree):
    an, office = tree.members["an"], tree.users["office"]
    case = ds.open_case(an, violation_on=TODAY - 90 * DAY, summary="Vắng sinh hoạt", opened_by=office)
    with pytest.raises(ServiceError) as exc:
        ds.record_cell_vote(office, case, on=TODAY, form="reprimand", in_favour=5, against=0, full_members=9)
    assert exc.value.code == Code.STATE and "Đảng viên tự kiểm điểm" in exc.value.message
    with pytest.raises(ServiceError, match="Cấp có thẩm quyền quyết định"):
        ds.decide_case(office, case, on=TODAY, form="reprimand", decision_number="1-QĐ")
    case.refresh_from_db()
    assert case.state == "opened" and case.vote_on is None and not Discipline.objects.exists()


def test_expired_limitation_refuses_the_reprimand_but_not_the_warning(tree):
    an, office = tree.members["an"], tree.users["office"]
    old = TODAY.replace(year=TODAY.year - 6)
    with pytest.raises(ServiceError, match="hết thời hiệu") as exc:
        walk_to_vote(tree, an, violation_on=old, form="reprimand")
    assert exc.value.code == Code.RULE
    case = DisciplineCase.objects.get()
    assert case.vote_on is None and case.state == "self_review"  # the vote was not written
    # a warning's 10 years still run
    ds.record_cell_vote(office, case, on=TODAY - 10 * DAY, form="warning", in_favour=6, against=2, full_members=9)
    assert DisciplineCase.objects.get().vote_form == "warning"
    # a case about another member is no new violation of An's
    ds.open_case(tree.members["cuong"], violation_on=TODAY - 30 * DAY, summary="Vi phạm", opened_by=office)
    assert sel.later_violations(case) == []


def test_new_violation_restarts_the_limitation_of_the_old_case(tree):
    an, office = tree.members["an"], tree.users["office"]
    old = TODAY.replace(year=TODAY.year - 6)
    case = ds.open_case(an, violation_on=old, summary="Vi phạm cũ", opened_by=office, opened_on=TODAY - 30 * DAY)
    ds.record_self_review(office, case, on=TODAY - 20 * DAY, text="Nhận khuyết điểm")
    with pytest.raises(ServiceError, match="hết thời hiệu"):
        ds.record_cell_vote(office, case, on=TODAY - 10 * DAY, form="reprimand", in_favour=6, against=0,
                            full_members=9)
    ds.open_case(an, violation_on=old.replace(year=old.year + 3), summary="Vi phạm mới", opened_by=office)
    ds.record_cell_vote(office, case, on=TODAY - 10 * DAY, form="reprimand", in_favour=6, against=0, full_members=9)
    assert DisciplineCase.objects.get(pk=case.pk).vote_form == "reprimand"


def test_grave_ground_has_no_limitation(tree):
    an, office = tree.members["an"], tree.users["office"]
    case = ds.open_case(an, violation_on=TODAY.replace(year=TODAY.year - 12), summary="Dùng bằng giả",
                        opened_by=office, opened_on=TODAY - 30 * DAY)
    ds.set_circumstances(office, case, grave_ground="illegal_diploma")
    ds.record_self_review(office, case, on=TODAY - 20 * DAY, refused=True)
    case = ds.record_cell_vote(office, case, on=TODAY - 10 * DAY, form="reprimand", in_favour=6, against=0,
                               full_members=9)
    assert case.vote_form == "reprimand"


def test_member_raising_a_child_under_twelve_months_is_not_considered(tree):
    binh, admin = tree.members["binh"], tree.users["admin"]
    case = ds.open_case(binh, violation_on=TODAY - 200 * DAY, summary="Vi phạm", opened_by=admin, opened_on=TODAY - 30 * DAY)
    ds.set_circumstances(admin, case, child_born_on=TODAY - 100 * DAY)
    ds.record_self_review(admin, case, on=TODAY - 20 * DAY, text="Nhận khuyết điểm")
    with pytest.raises(ServiceError, match="nuôi con nhỏ dưới 12 tháng"):
        ds.record_cell_vote(admin, case, on=TODAY - 10 * DAY, form="reprimand", in_favour=3, against=0,
                            full_members=4)
    assert DisciplineCase.objects.get(pk=case.pk).state == "self_review"


def test_expulsion_is_for_the_grassroots_committee_not_the_cell_secretary(tree):
    an = tree.members["an"]
    secretary, office = tree.users["secretary"], tree.users["office"]
    case = walk_to_vote(tree, an, form="expulsion", by=secretary)
    with pytest.raises(ServiceError) as exc:
        ds.decide_case(secretary, case, on=TODAY - 5 * DAY, form="expulsion", decision_number="3-QĐ/ĐU")
    assert exc.value.code == Code.FORBIDDEN and "Đảng bộ xã Hòa Bình quyết định" in exc.value.message
    assert not Discipline.objects.exists()
    case = ds.decide_case(office, case, on=TODAY - 5 * DAY, form="expulsion", decision_number="3-QĐ/ĐU")
    an.refresh_from_db()
    assert case.deciding_org == tree.orgs["C1"] and an.status == "expelled"


def test_dismissal_needs_a_committee_post_and_goes_one_level_above_it(tree):
    an, office, admin = tree.members["an"], tree.users["office"], tree.users["admin"]
    case = walk_to_vote(tree, an, form="warning")
    with pytest.raises(ServiceError, match="không giữ chức vụ"):
        ds.decide_case(office, case, on=TODAY - 5 * DAY, form="dismissal", decision_number="4-QĐ")
    rs.add_post(None, tree.orgs["C1A"], an, "committee_member", TODAY - 400 * DAY)
    assert ds.competent_org(case, "dismissal", TODAY) == tree.orgs["C1"]
    rs.add_post(None, tree.orgs["C1"], an, "committee_member", TODAY - 400 * DAY)
    assert ds.competent_org(case, "dismissal", TODAY) == tree.orgs["P"]
    assert ds.competent_org(case, "warning", TODAY) == tree.orgs["C1"]  # warned by the committee he sits on
    with pytest.raises(ServiceError, match="Đảng bộ tỉnh Thử Nghiệm quyết định"):
        ds.decide_case(office, case, on=TODAY - 5 * DAY, form="dismissal", decision_number="4-QĐ")
    case = ds.decide_case(admin, case, on=TODAY - 5 * DAY, form="dismissal", decision_number="4-QĐ/TU")
    assert case.deciding_org == tree.orgs["P"]


def test_probationary_member_only_reprimand_or_warning(tree):
    dung, office = tree.members["dung"], tree.users["office"]
    case = ds.open_case(dung, violation_on=TODAY - 60 * DAY, summary="Vi phạm", opened_by=office, opened_on=TODAY - 30 * DAY)
    ds.record_self_review(office, case, on=TODAY - 20 * DAY, text="Nhận khuyết điểm")
    with pytest.raises(ServiceError, match="dự bị chỉ bị khiển trách hoặc cảnh cáo"):
        ds.record_cell_vote(office, case, on=TODAY - 10 * DAY, form="expulsion", in_favour=3, against=0,
                            full_members=4)


def test_appeal_window_and_annulment_restores_the_member(tree):
    an, office, admin = tree.members["an"], tree.users["office"], tree.users["admin"]
    case = walk_to_vote(tree, an, form="expulsion", review_on=TODAY - 75 * DAY, vote_on=TODAY - 70 * DAY)
    received = TODAY - 60 * DAY
    case = ds.decide_case(office, case, on=TODAY - 62 * DAY, form="expulsion", decision_number="3-QĐ/ĐU",
                          received_on=received)
    with pytest.raises(ServiceError, match="Quá hạn khiếu nại"):
        ds.lodge_appeal(office, case, lodged_on=TODAY - 5 * DAY, content="Xin xem xét lại")
    appeal = ds.lodge_appeal(office, case, lodged_on=received + 20 * DAY, content="Xin xem xét lại")
    # the level above the grassroots committee settles it: the commune's office may not
    with pytest.raises(ServiceError, match="Đảng bộ tỉnh Thử Nghiệm giải quyết"):
        ds.decide_appeal(office, case, on=TODAY - 2 * DAY, outcome="annulled", decision_number="9-QĐ/TU")
    appeal = ds.decide_appeal(admin, case, on=TODAY - 2 * DAY, outcome="annulled", decision_number="9-QĐ/TU")
    an.refresh_from_db()
    assert appeal.deciding_org == tree.orgs["P"] and appeal.outcome == "annulled"
    assert an.status == "full" and not Discipline.objects.filter(member=an).exists()
    assert an.history.filter(event="discipline", from_status="expelled", to_status="full").exists()


def test_appeal_changing_the_form_updates_the_registry_record(tree):
    an, admin = tree.members["an"], tree.users["admin"]
    case = walk_to_vote(tree, an, form="warning")
    case = ds.decide_case(admin, case, on=TODAY - 8 * DAY, form="warning", decision_number="5-QĐ/CB")
    ds.lodge_appeal(admin, case, lodged_on=TODAY - 3 * DAY, content="Hình thức quá nặng")
    with pytest.raises(ServiceError, match="hình thức kỷ luật mới"):
        ds.decide_appeal(admin, case, on=TODAY, outcome="changed", new_form="warning", decision_number="6-QĐ")
    ds.decide_appeal(admin, case, on=TODAY, outcome="changed", new_form="reprimand", decision_number="6-QĐ/ĐU")
    assert Discipline.objects.get(member=an).form == "reprimand"
    assert DisciplineCase.objects.get(pk=case.pk).state == "appeal_decided"


def test_who_may_open_and_see_cases(tree):
    an, binh = tree.members["an"], tree.members["binh"]
    for role in ("viewer", "member", "nobody"):
        with pytest.raises(ServiceError) as exc:
            ds.open_case(an, violation_on=TODAY - 9 * DAY, summary="x", opened_by=tree.users[role])
        assert exc.value.code == Code.FORBIDDEN
    with pytest.raises(ServiceError):
        ds.open_case(binh, violation_on=TODAY - 9 * DAY, summary="x", opened_by=tree.users["office"])
    mine = ds.open_case(an, violation_on=TODAY - 9 * DAY, summary="Vi phạm", opened_by=tree.users["secretary"])
    side = ds.open_case(tree.members["dung"], violation_on=TODAY - 9 * DAY, summary="Vi phạm",
                        opened_by=tree.users["office"])
    far = ds.open_case(binh, violation_on=TODAY - 9 * DAY, summary="Vi phạm", opened_by=None)
    from dangvu.accounts.access import access_for

    def seen(role):
        return set(sel.cases_visible(access_for(tree.users[role])).values_list("pk", flat=True))

    assert seen("admin") == {mine.pk, side.pk, far.pk}
    assert seen("office") == {mine.pk, side.pk}
    assert seen("secretary") == {mine.pk}
    assert seen("viewer") == seen("member") == seen("nobody") == set()


def test_pages_show_the_case_and_every_read_is_audited(tree):
    an, office = tree.members["an"], tree.users["office"]
    case = walk_to_vote(tree, an)
    client = logged_in(office)
    r = client.get(reverse("discipline:org_cases", args=["C1"]))
    assert r.status_code == 200 and an.full_name in r.content.decode()
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    r = client.get(reverse("discipline:case_detail", args=[case.pk]))
    page = r.content.decode()
    assert r.status_code == 200 and "Chi bộ họp" in page and "7/9 tán thành" in page
    assert "Đảng bộ xã Hòa Bình" in page  # expulsion's competent level in the table
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("-id").first()
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before + 1
    assert entry.actor == office and entry.additional_data["read"] == "discipline-case"
    for role in ("viewer", "member"):
        assert logged_in(tree.users[role]).get(reverse("discipline:case_detail", args=[case.pk])).status_code == 404


def test_decision_form_refusal_is_shown_in_vietnamese(tree):
    an, secretary = tree.members["an"], tree.users["secretary"]
    case = walk_to_vote(tree, an, form="expulsion", by=secretary)
    client = logged_in(secretary)
    r = client.post(reverse("discipline:case_step", args=[case.pk, "quyet-dinh"]), {
        "on": (TODAY - 2 * DAY).strftime("%d/%m/%Y"), "form": "expulsion", "decision_number": "3-QĐ/ĐU"})
    assert r.status_code == 400 and "Hình thức này do Đảng bộ xã Hòa Bình quyết định" in r.content.decode()
    r = client.post(reverse("discipline:case_step", args=[case.pk, "quyet-dinh"]), {
        "on": (TODAY - 2 * DAY).strftime("%d/%m/%Y"), "form": "reprimand", "decision_number": "3-QĐ/CB"})
    assert r.status_code == 302
    assert DisciplineCase.objects.get(pk=case.pk).decided_form == "reprimand"


def test_open_case_keeps_the_signature_other_apps_call():
    import inspect

    params = inspect.signature(ds.open_case).parameters
    assert list(params)[:5] == ["member", "violation_on", "summary", "opened_by", "origin"]
    assert params["origin"].default == "" and params["violation_on"].kind is inspect.Parameter.KEYWORD_ONLY


def test_steps_cannot_predate_the_case_or_the_violation(tree):
    an, office = tree.members["an"], tree.users["office"]
    with pytest.raises(ServiceError) as exc:
        ds.open_case(an, violation_on=TODAY - 9 * DAY, summary="Vi phạm", opened_by=office, opened_on=TODAY - 10 * DAY)
    assert exc.value.code == Code.DATE_ORDER
    case = ds.open_case(an, violation_on=TODAY - 20 * DAY, summary="Vi phạm", opened_by=office,
                        opened_on=TODAY - 10 * DAY)
    with pytest.raises(ServiceError, match="trước ngày mở vụ việc"):
        ds.record_self_review(office, case, on=TODAY - 11 * DAY, text="Nhận khuyết điểm")
    with pytest.raises(ServiceError, match="chưa đến"):
        ds.record_self_review(office, case, on=TODAY + DAY, text="Nhận khuyết điểm")


def test_registry_pages_link_to_cases_only_for_those_who_see_them(tree):
    link = reverse("discipline:org_cases", args=["C1A"])
    for role, shown in (("office", True), ("secretary", True), ("viewer", False)):
        page = logged_in(tree.users[role]).get(reverse("registry:org_detail", args=["C1A"])).content.decode()
        assert (link in page) is shown, role
        page = logged_in(tree.users[role]).get(reverse("registry:member_detail", args=[tree.members["an"].pk]))
        assert (reverse("discipline:open_case", args=[tree.members["an"].pk]) in page.content.decode()) is shown
    own = logged_in(tree.users["member"]).get(reverse("registry:member_detail", args=[tree.members["cuong"].pk]))
    assert own.status_code == 200 and "/ky-luat/" not in own.content.decode()


def test_no_discipline_is_the_call_of_the_level_competent_for_the_proposal(tree):
    an, secretary, office = tree.members["an"], tree.users["secretary"], tree.users["office"]
    case = walk_to_vote(tree, an, form="expulsion", by=secretary)
    with pytest.raises(ServiceError, match="Đảng bộ xã Hòa Bình quyết định"):
        ds.decide_case(secretary, case, on=TODAY - 2 * DAY, form="")
    case = ds.decide_case(office, case, on=TODAY - 2 * DAY, form="", decision_number="7-QĐ/ĐU")
    assert case.state == "closed" and case.decided_on == TODAY - 2 * DAY and not Discipline.objects.exists()
    with pytest.raises(ServiceError, match="đã dừng xem xét"):
        ds.lodge_appeal(office, case, lodged_on=TODAY, content="Khiếu nại")


def test_the_cell_cannot_propose_dismissal_for_a_member_without_a_post(tree):
    cuong = tree.members["cuong"]
    with pytest.raises(ServiceError, match="không giữ chức vụ trong cấp ủy"):
        walk_to_vote(tree, cuong, form="dismissal")
    assert DisciplineCase.objects.get().state == "self_review"
