"""Issue 17, points 5 and 6: special statuses (temporary exemption, away, abroad) and party groups.

Special statuses are dated periods beside the member's status, written through the registry
services with history; members in one are not expected at the meetings of those days (attendance
rate, full-attendance share, removal alert). Party groups (tổ đảng) record meetings like a cell;
the cell's meeting indicators come with and without them, the label saying which.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import logged_in, make_member_data
from django.urls import reverse

from dangvu import indicators
from dangvu.alerts.services import alerts_for
from dangvu.common import Code, ServiceError
from dangvu.core import clock
from dangvu.core.rulesets import ruleset_for
from dangvu.core.special_status import covers, excused_from_meetings, overlaps, period_problem
from dangvu.indicators import Period
from dangvu.meetings import services as ms
from dangvu.meetings.models import Attendance, Meeting
from dangvu.registry import selectors as rsel
from dangvu.registry import services as rs
from dangvu.registry.models import Member, SpecialStatus, StatusChange

D, T = dt.date, dt.time
pytestmark = pytest.mark.django_db


def meeting(org, day: dt.date, **kw) -> Meeting:
    return ms.record_meeting(None, org, held_on=day, starts_at=T(19, 30), ends_at=T(21, 30),
                             materials_sent_on=day - dt.timedelta(days=2), **kw)


def value(key: str, org, period: Period) -> tuple:
    v = indicators.compute(key, org, period)
    return v.value, v.numerator, v.denominator


# -- core -------------------------------------------------------------------------------------------

def test_core_rules_of_a_period() -> None:
    rs_ = ruleset_for(D(2026, 1, 1))
    assert period_problem("temporary_exemption", D(2026, 1, 1), D(2026, 6, 30), rs=rs_)[0] == "reason"
    assert period_problem("away", D(2026, 1, 1), D(2026, 6, 30), rs=rs_)[0] == "place"
    assert period_problem("away", D(2026, 1, 1), D(2025, 12, 31), place="Huế", rs=rs_)[0] == "ends_on"
    assert period_problem("away", D(2026, 1, 1), D(2026, 12, 31), place="Huế", rs=rs_) is None
    # 12 months at most for "away" (the rule set's unconfirmed default); abroad 24
    field, message = period_problem("away", D(2026, 1, 1), D(2027, 1, 1), place="Huế", rs=rs_)
    assert field == "ends_on" and "dưới 12 tháng" in message
    assert period_problem("abroad", D(2026, 1, 1), D(2027, 6, 30), place="Nhật Bản", rs=rs_) is None
    assert period_problem("holiday", D(2026, 1, 1), D(2026, 2, 1), rs=rs_)[0] == "kind"
    assert covers(D(2026, 1, 1), D(2026, 1, 31), D(2026, 1, 31)) and not covers(D(2026, 1, 1), D(2026, 1, 31),
                                                                                  D(2026, 2, 1))
    assert overlaps((D(2026, 1, 1), D(2026, 1, 31)), (D(2026, 1, 31), D(2026, 3, 1)))
    assert not overlaps((D(2026, 1, 1), D(2026, 1, 30)), (D(2026, 1, 31), D(2026, 3, 1)))
    # the rule set decides which kinds excuse from meetings; a province may override it
    assert excused_from_meetings("away", rs_)
    assert not excused_from_meetings("away", rs_.with_overrides({"status.not_expected_at_meetings":
                                                                 ["temporary_exemption"]}))


# -- services and history ------------------------------------------------------------------------------

def test_temporary_exemption_is_distinct_from_permanent_and_has_history(tree) -> None:
    an = tree.inside
    record = rs.set_special_status(tree.users["secretary"], an, "temporary_exemption", D(2026, 2, 1), D(2026, 7, 31),
                                   reason="Điều trị bệnh dài ngày", decision_number="3-NQ/CB")
    an.refresh_from_db()
    assert an.status == "full"  # the permanent exemption is a status; this is a period beside it
    line = StatusChange.objects.get(member=an, event="temporary_exemption")
    assert (line.on, line.from_status, line.to_status, line.decision_number) == (D(2026, 2, 1), "full", "full",
                                                                                 "3-NQ/CB")
    assert "Đến ngày 31/07/2026" in line.note and "Điều trị bệnh dài ngày" in line.note
    assert line.recorded_by == tree.users["secretary"]
    # ends on its date by itself: nothing to run, the reading day decides
    assert rsel.special_statuses_on([an.pk], D(2026, 7, 31))[an.pk] == record
    assert rsel.special_statuses_on([an.pk], D(2026, 8, 1)) == {}
    # ended early: the period ends the day before the return, the history says so
    rs.end_special_status(tree.users["secretary"], record, D(2026, 5, 10), note="Đã khỏi bệnh")
    record.refresh_from_db()
    assert (record.ends_on, record.planned_end) == (D(2026, 5, 9), D(2026, 7, 31))
    back = StatusChange.objects.get(member=an, event="end_special")
    assert back.on == D(2026, 5, 10) and "trở lại sinh hoạt từ 10/05/2026" in back.note
    assert rsel.special_statuses_on([an.pk], D(2026, 5, 10)) == {}


def test_refusals_write_nothing(tree) -> None:
    an, cuong = tree.inside, tree.own
    rs.set_special_status(None, an, "away", D(2026, 3, 1), D(2026, 8, 31), place="Bình Dương")
    before = (SpecialStatus.objects.count(), StatusChange.objects.count())
    cases = [
        (lambda: rs.set_special_status(None, an, "abroad", D(2026, 8, 1), D(2026, 12, 31), place="Hàn Quốc"),
         Code.CONFLICT),  # overlaps the period away
        (lambda: rs.set_special_status(None, cuong, "temporary_exemption", D(2026, 1, 1), D(2026, 3, 1)),
         Code.REQUIRED),  # no reason
        (lambda: rs.set_special_status(None, cuong, "away", D(2026, 1, 1), D(2027, 3, 1), place="Huế"), Code.RULE),
        (lambda: rs.set_special_status(tree.users["viewer"], cuong, "away", D(2026, 1, 1), D(2026, 3, 1),
                                       place="Huế"), Code.FORBIDDEN),
        (lambda: rs.set_special_status(tree.users["secretary"], tree.outside, "away", D(2026, 1, 1),
                                       D(2026, 3, 1), place="Huế"), Code.FORBIDDEN),  # outside her cell
    ]
    for call, code in cases:
        with pytest.raises(ServiceError) as exc:
            call()
        assert exc.value.code == code, (code, exc.value)
    # a member exempt for good is relieved already: no temporary exemption on top
    rs.exempt(None, cuong, D(2026, 1, 2), "Tuổi cao")
    with pytest.raises(ServiceError) as exc:
        rs.set_special_status(None, Member.objects.get(pk=cuong.pk), "temporary_exemption", D(2026, 2, 1),
                              D(2026, 3, 1), reason="Ốm")
    assert exc.value.code == Code.TRANSITION
    assert (SpecialStatus.objects.count(), StatusChange.objects.count() - 1) == before  # -1: the exemption line
    record = SpecialStatus.objects.get(member=an)
    with pytest.raises(ServiceError) as exc:  # a return after the planned end is no early end
        rs.end_special_status(None, record, D(2026, 9, 5))
    assert exc.value.code == Code.DATE_ORDER


# -- attendance expectations ----------------------------------------------------------------------------

def test_members_away_are_not_expected_at_meetings_of_those_days(tree) -> None:
    c1a, an, cuong = tree.orgs["C1A"], tree.inside, tree.own
    rs.set_special_status(None, an, "away", D(2026, 3, 1), D(2026, 5, 31), place="Đồng Nai")
    with clock.frozen(D(2026, 6, 30)):
        feb, apr, jun = meeting(c1a, D(2026, 2, 10)), meeting(c1a, D(2026, 4, 10)), meeting(c1a, D(2026, 6, 10))
    row = Attendance.objects.get(meeting=apr, member=an)
    assert (row.status, row.reason) == ("exempt", "Đi làm ăn xa (Đồng Nai) đến 31/05/2026")
    assert [(m.present_count, m.expected_count) for m in (feb, apr, jun)] == [(2, 2), (1, 1), (2, 2)]
    ms.set_attendance(None, feb, {cuong.pk: "absent"})
    ms.set_attendance(None, jun, {an.pk: "absent"})
    year = Period(D(2026, 1, 1), D(2026, 12, 31), D(2026, 6, 30))
    assert value("meetings.attendance_rate", c1a, year) == (60.0, 3, 5)
    # full attendance: An missed June; Cường missed February; nobody attended every meeting due
    assert value("members.full_attendance_share", c1a, year) == (0.0, 0, 2)
    ms.set_attendance(None, jun, {an.pk: "present"})
    assert value("members.full_attendance_share", c1a, year) == (50.0, 1, 2)


def test_a_status_recorded_afterwards_recounts_the_meetings_it_covers(tree) -> None:
    c1a, an, cuong = tree.orgs["C1A"], tree.inside, tree.own
    with clock.frozen(D(2026, 6, 30)):
        jan, feb = meeting(c1a, D(2026, 1, 10)), meeting(c1a, D(2026, 2, 10))
    ms.set_attendance(None, jan, {cuong.pk: "absent"})
    ms.set_attendance(None, feb, {cuong.pk: "absent"})
    year = Period(D(2026, 1, 1), D(2026, 12, 31), D(2026, 6, 30))
    assert value("meetings.attendance_rate", c1a, year) == (50.0, 2, 4)
    # the cell decides later that Cường was abroad in January
    record = rs.set_special_status(None, cuong, "abroad", D(2026, 1, 1), D(2026, 1, 31), place="Lào")
    jan.refresh_from_db()
    assert (jan.present_count, jan.expected_count) == (1, 1)
    assert value("meetings.attendance_rate", c1a, year) == (66.67, 2, 3)
    # he came back on 10 January after all: the meeting of that day expects him again
    rs.end_special_status(None, record, D(2026, 1, 10))
    jan.refresh_from_db()
    assert (jan.present_count, jan.expected_count) == (1, 2)
    assert Attendance.objects.get(meeting=jan, member=an).status == "present"


def test_removal_alert_ignores_absences_while_away_or_abroad(tree) -> None:
    c1a, an = tree.orgs["C1A"], tree.inside
    with clock.frozen(D(2026, 6, 30)):
        meetings = [meeting(c1a, d) for d in (D(2025, 9, 10), D(2025, 12, 10), D(2026, 4, 8))]
    for m in meetings:
        ms.set_attendance(None, m, {an.pk: "absent"})
    today = D(2026, 6, 24)
    assert [a.member_id for a in alerts_for(c1a, today) if a.kind == "unexcused_absences"] == [an.pk]
    # December's absence fell while An was abroad (recorded afterwards): two months left, no alert
    rs.set_special_status(None, an, "abroad", D(2025, 11, 20), D(2026, 1, 31), place="Đài Loan")
    assert [a for a in alerts_for(c1a, today) if a.kind == "unexcused_absences"] == []


# -- party groups -----------------------------------------------------------------------------------------

@pytest.fixture
def group(tree):
    g = rs.create_organization(None, tree.orgs["C1A"], code="C1A-T1", name="Tổ đảng xóm Đông", kind="group")
    rs.register_member(None, g, make_member_data("Vũ Thị Hoa", D(1985, 5, 5), "female",
                                                 admitted_on=D(2012, 1, 5), full_on=D(2013, 1, 5)))
    return g


def test_cell_indicators_with_and_without_group_meetings(tree, group) -> None:
    c1a = tree.orgs["C1A"]
    with clock.frozen(D(2026, 6, 30)):
        cell_meeting = meeting(c1a, D(2026, 5, 10))
        online = meeting(group, D(2026, 5, 20), online=True)
    hoa = Member.objects.get(organization=group)
    # the cell's meeting expects the group's member too; the group's only its own
    assert (cell_meeting.expected_count, online.expected_count) == (3, 1)
    ms.set_attendance(None, online, {hoa.pk: "absent"})
    year = Period(D(2026, 1, 1), D(2026, 12, 31), D(2026, 6, 30))
    assert value("meetings.count", c1a, year) == (1, 1, None)
    assert value("meetings.count_with_groups", c1a, year) == (2, 2, None)
    assert value("meetings.attendance_rate", c1a, year) == (100.0, 3, 3)
    assert value("meetings.attendance_rate_with_groups", c1a, year) == (75.0, 3, 4)
    assert value("members.full_attendance_share", c1a, year) == (100.0, 3, 3)
    assert value("members.full_attendance_share_with_groups", c1a, year) == (66.67, 2, 3)
    labels = {k: indicators.get(k).label for k in ("meetings.count", "meetings.count_with_groups",
                                                    "meetings.attendance_rate_with_groups")}
    assert labels["meetings.count"].endswith("(không kể sinh hoạt tổ đảng)")
    assert labels["meetings.count_with_groups"].endswith("(kể cả sinh hoạt tổ đảng)")
    assert labels["meetings.attendance_rate_with_groups"].endswith("(kể cả sinh hoạt tổ đảng)")
    # the cell's monthly-meeting indicator counts the cell's own meetings only
    assert Meeting.objects.filter(organization=group).count() == 1


def test_group_meeting_recorded_on_its_page(tree, group) -> None:
    client = logged_in(tree.users["secretary"])
    page = client.get(reverse("meetings:group_meeting_create", args=[group.code]))
    assert page.status_code == 200 and "Vũ Thị Hoa" in page.content.decode()
    hoa = Member.objects.get(organization=group)
    day = clock.today() - dt.timedelta(days=1)
    r = client.post(reverse("meetings:group_meeting_create", args=[group.code]), {
        "held_on": day.isoformat(), "kind": "regular", "starts_at": "19:30", "ends_at": "21:00", "online": "on",
        "topic": "Bàn việc làm đường xóm", f"m{hoa.pk}": "excused", f"r{hoa.pk}": "Đi viện"})
    assert r.status_code == 302, r.content.decode()[-800:]
    m = Meeting.objects.get(organization=group)
    assert (m.online, m.topic, m.present_count, m.expected_count) == (True, "Bàn việc làm đường xóm", 0, 1)
    assert Attendance.objects.get(meeting=m, member=hoa).reason == "Đi viện"
    listing = client.get(reverse("meetings:group_meetings", args=[group.code])).content.decode()
    assert "Trực tuyến" in listing and "0/1" in listing
    # the cell's meetings page links its groups; a group's code on the cell page goes to the group page
    assert reverse("meetings:group_meetings", args=[group.code]) in client.get(
        reverse("meetings:org_meetings", args=["C1A"])).content.decode()
    assert client.get(reverse("meetings:org_meetings", args=[group.code])).status_code == 302
    # a cell is not a group
    assert client.get(reverse("meetings:group_meetings", args=["C1A"])).status_code == 404


# -- pages ---------------------------------------------------------------------------------------------------

def test_member_page_and_roll_show_the_status_and_its_forms(tree) -> None:
    an = tree.inside
    client = logged_in(tree.users["secretary"])
    today = clock.today()
    r = client.post(reverse("registry:special_add", args=[an.pk, "nuoc-ngoai"]), {
        "starts_on": (today - dt.timedelta(days=3)).isoformat(), "ends_on": (today + dt.timedelta(days=90)).isoformat(),
        "place": "Hàn Quốc", "reason": "Lao động có thời hạn"})
    assert r.status_code == 302
    record = SpecialStatus.objects.get(member=an)
    words = f"Ra nước ngoài (Hàn Quốc) đến {record.ends_on:%d/%m/%Y}"
    page = client.get(reverse("registry:member_detail", args=[an.pk])).content.decode()
    assert f"Hiện nay: {words}" in page
    assert reverse("registry:special_end", args=[record.pk]) in page
    roll = client.get(reverse("registry:org_detail", args=["C1A"])).content.decode()
    assert words in roll
    listing = client.get(reverse("registry:member_list") + "?org=C1A").content.decode()
    assert words in listing
    # a refused form says why in Vietnamese and writes nothing
    r = client.post(reverse("registry:special_add", args=[an.pk, "tam-mien"]), {
        "starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=30)).isoformat(), "reason": "Ốm"})
    assert r.status_code == 400 and "trùng thời gian này" in r.content.decode()
    r = client.post(reverse("registry:special_end", args=[record.pk]), {"on": today.isoformat()})
    assert r.status_code == 302
    record.refresh_from_db()
    assert record.ends_on == today - dt.timedelta(days=1)
    assert "Hiện nay:" not in client.get(reverse("registry:member_detail", args=[an.pk])).content.decode()
