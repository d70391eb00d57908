"""Cell meetings: recording, warnings, attendance, scoring, frameworks, study, indicators, pages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from conftest import make_member_data
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangvu import indicators
from dangvu.common import Code
from dangvu.core.meetings import month_spans
from dangvu.indicators import Period
from dangvu.meetings import selectors as sel
from dangvu.meetings import services as s
from dangvu.meetings.indicators import complete_months, complete_quarters
from dangvu.meetings.models import Attendance, Meeting, MeetingScore, ScoringFramework, StudyAttendance
from dangvu.registry import services as rs

D, T = dt.date, dt.time

FULL_POINTS = {
    "prep.agenda": 8, "prep.notice": 6, "prep.materials": 6, "conduct.duration": 8, "conduct.procedure": 6,
    "conduct.minutes": 6, "content.review": 10, "content.tasks": 10, "content.briefing": 5, "content.debate": 5,
    "attendance.rate": 10, "attendance.discipline": 5, "results.resolution": 8, "results.follow_up": 7,
}


def meet(org, day: dt.date, kind: str = "regular", start: T | None = None, end: T | None = None,
         sent: dt.date | None = None, by=None, **kw) -> Meeting:
    start, end = start or T(19, 30), end or T(21, 30)
    sent = sent if sent is not None else day - dt.timedelta(days=2)
    return s.record_meeting(by, org, held_on=day, starts_at=start, ends_at=end, kind=kind, materials_sent_on=sent,
                            **kw)


def codes(meeting: Meeting) -> list[str]:
    return [w.code for w in s.warnings_for(meeting)]


def value(key: str, org, period: Period, **params) -> tuple:
    v = indicators.compute(key, org, period, **params)
    return v.value, v.numerator, v.denominator


# -- warnings -----------------------------------------------------------------------------

def test_short_meeting_is_warned_on_its_page(client, tree) -> None:
    m = meet(tree.orgs["C1A"], D(2026, 5, 12), start=T(19, 30), end=T(20, 50), by=tree.users["secretary"])
    assert m.minutes == 80
    assert codes(m) == ["too_short"]
    client.force_login(tree.users["secretary"])
    page = client.get(reverse("meetings:meeting_detail", args=[m.pk])).content.decode()
    assert 'data-code="too_short"' in page
    assert "Thời lượng 80 phút, dưới mức tối thiểu 90 phút" in page
    assert 'data-code="materials_late"' not in page


def test_combined_meeting_needs_120_minutes(tree) -> None:
    c1a = tree.orgs["C1A"]
    short = meet(c1a, D(2026, 5, 12), start=T(19, 0), end=T(20, 40), combined=True)  # 100 minutes
    assert codes(short) == ["too_short"]
    assert "tối thiểu 120 phút" in s.warnings_for(short)[0].message
    enough = meet(c1a, D(2026, 6, 12), start=T(19, 0), end=T(21, 0), combined=True)
    assert codes(enough) == []
    plain = meet(c1a, D(2026, 7, 12), start=T(19, 0), end=T(20, 40))  # 100 minutes, not combined
    assert codes(plain) == []


def test_materials_sent_the_same_day_are_late(tree) -> None:
    m = meet(tree.orgs["C1A"], D(2026, 5, 12), sent=D(2026, 5, 12))
    assert codes(m) == ["materials_late"]
    assert "chưa đủ 1 ngày" in s.warnings_for(m)[0].message
    m2 = s.record_meeting(None, tree.orgs["C1A"], held_on=D(2026, 6, 9), starts_at=T(19, 30), ends_at=T(21, 30))
    assert codes(m2) == ["materials_late"]  # sending date not recorded


def test_record_refuses_bad_input_and_non_cells(tree) -> None:
    with pytest.raises(s.ServiceError) as exc:
        meet(tree.orgs["C1A"], D(2026, 5, 12), start=T(21, 0), end=T(19, 0))
    assert (exc.value.code, exc.value.field) == (Code.DATE_ORDER, "ends_at")
    with pytest.raises(s.ServiceError) as exc:
        meet(tree.orgs["C1A"], dt.date.today() + dt.timedelta(days=1))
    assert (exc.value.code, exc.value.field) == (Code.FUTURE_DATE, "held_on")
    with pytest.raises(s.ServiceError) as exc:
        meet(tree.orgs["C1A"], D(2026, 5, 12), sent=D(2026, 5, 10), kind="monthly")
    assert (exc.value.code, exc.value.field) == (Code.INVALID, "kind")
    with pytest.raises(s.ServiceError) as exc:
        meet(tree.orgs["C1A"], D(2026, 5, 12), chair=tree.outside)
    assert (exc.value.code, exc.value.field) == (Code.OUT_OF_SUBTREE, "chair")
    with pytest.raises(s.ServiceError) as exc:
        meet(tree.orgs["C1"], D(2026, 5, 12))
    assert exc.value.code == Code.ORG_KIND
    with pytest.raises(s.ServiceError) as exc:
        meet(tree.orgs["C1A"], D(2026, 5, 12), by=tree.users["viewer"])
    assert exc.value.code == Code.FORBIDDEN
    assert Meeting.objects.count() == 0


def test_the_clock_decides_what_is_in_the_future(tree) -> None:
    """The services ask :mod:`dangvu.core.clock` for today: with the day fixed, the day after it
    is refused and the day itself is accepted."""
    from dangvu.core import clock

    with clock.frozen(D(2026, 3, 10)):
        with pytest.raises(s.ServiceError) as exc:
            meet(tree.orgs["C1A"], D(2026, 3, 11))
        assert exc.value.code == Code.FUTURE_DATE
        with pytest.raises(s.ServiceError) as exc:
            meet(tree.orgs["C1A"], D(2026, 3, 10), sent=D(2026, 3, 12))
        assert (exc.value.code, exc.value.field) == (Code.FUTURE_DATE, "materials_sent_on")
        assert meet(tree.orgs["C1A"], D(2026, 3, 10)).held_on == D(2026, 3, 10)


# -- attendance ---------------------------------------------------------------------------

def _six_member_cell(tree):
    c1a = tree.orgs["C1A"]
    extra = [rs.register_member(None, c1a, make_member_data(name, D(1985, 1, i + 1), admitted_on=D(2012, 1, 1),
                                                            full_on=D(2013, 1, 1)))
             for i, name in enumerate(["Đỗ Văn Giang", "Vũ Thị Hà", "Bùi Văn Khoa", "Ngô Thị Lan"])]
    rs.exempt(None, extra[3], D(2024, 1, 1), "Tuổi cao, sức yếu")
    return c1a, extra


def test_attendance_rows_and_rate_exclude_exempt(tree) -> None:
    c1a, (giang, ha, khoa, lan) = _six_member_cell(tree)
    m = meet(c1a, D(2026, 4, 14))
    rows = dict(Attendance.objects.filter(meeting=m).values_list("member__full_name", "status"))
    assert rows == {"Nguyễn Văn An": "present", "Lê Văn Cường": "present", "Đỗ Văn Giang": "present",
                    "Vũ Thị Hà": "present", "Bùi Văn Khoa": "present", "Ngô Thị Lan": "exempt"}
    changed = s.set_attendance(tree.users["secretary"], m, {ha.pk: "excused", khoa.pk: "absent"})
    assert changed == 2
    for org in (c1a, tree.orgs["C1"], tree.orgs["P"]):
        assert value("meetings.attendance_rate", org, Period.year(2026)) == (60.0, 3, 5)
    assert value("meetings.attendance_rate", tree.orgs["C2"], Period.year(2026)) == (None, 0, 0)
    assert value("meetings.attendance_rate", c1a, Period.year(2025)) == (None, 0, 0)


def _head_counts(meeting: Meeting) -> tuple[int, int]:
    meeting.refresh_from_db()
    return meeting.present_count, meeting.expected_count


def test_head_counts_follow_every_attendance_change(tree) -> None:
    """The meeting's head counts (what the attendance rate sums) equal its rows after each write,
    and the migration's fill restores them from the rows alone."""
    import importlib

    from django.apps import apps

    c1a, (giang, ha, khoa, lan) = _six_member_cell(tree)
    m = meet(c1a, D(2026, 4, 14))
    assert _head_counts(m) == (5, 5)  # the exempt member is not expected
    s.set_attendance(None, m, {ha.pk: "excused", khoa.pk: "absent", giang.pk: "absent"})
    assert _head_counts(m) == (2, 5)
    s.set_attendance(None, m, {giang.pk: "present", lan.pk: "present"})  # the exempt member came after all
    assert _head_counts(m) == (4, 6)
    s.set_attendance(None, m, {lan.pk: "exempt"})
    assert _head_counts(m) == (3, 5)
    other = meet(tree.orgs["C1B"], D(2026, 4, 15))
    assert _head_counts(other) == (1, 1)
    assert value("meetings.attendance_rate", tree.orgs["C1"], Period.year(2026)) == (66.67, 4, 6)
    Meeting.objects.update(present_count=0, expected_count=0)
    fill = importlib.import_module("dangvu.meetings.migrations.0003_attendance_totals").fill_totals
    fill(apps, None)
    assert (_head_counts(m), _head_counts(other)) == ((3, 5), (1, 1))


def test_attendance_refuses_outsiders_and_bad_status(tree) -> None:
    m = meet(tree.orgs["C1A"], D(2026, 4, 14))
    with pytest.raises(s.ServiceError) as exc:
        s.set_attendance(None, m, {tree.outside.pk: "present"})
    assert exc.value.code == Code.OUT_OF_SUBTREE
    with pytest.raises(s.ServiceError) as exc:
        s.set_attendance(None, m, {tree.inside.pk: "late"})
    assert exc.value.code == Code.INVALID
    assert set(m.attendances.values_list("status", flat=True)) == {"present"}


def test_members_admitted_after_the_meeting_are_not_listed(tree) -> None:
    m = meet(tree.orgs["C1B"], D(2025, 1, 10))  # Dung was admitted on 2026-03-01
    assert m.attendances.count() == 0
    later = meet(tree.orgs["C1B"], D(2026, 3, 10))
    assert list(later.attendances.values_list("member__full_name", "status")) == [("Phạm Thị Dung", "present")]


# -- scoring ------------------------------------------------------------------------------

def test_score_total_and_grade_from_default_framework(tree) -> None:
    m = meet(tree.orgs["C1A"], D(2026, 2, 10))
    points = FULL_POINTS | {"content.review": 6, "results.follow_up": 3.5}
    score = s.score_meeting(tree.users["secretary"], m, points)
    score.refresh_from_db()
    assert score.total == Decimal("92.50") and score.grade == "good"
    assert score.framework.province == "" and score.framework.version == "2025.1"
    assert score.points["results.follow_up"] == 3.5
    # Rescoring replaces the sheet: 92.5 − 7 = 85.5 → fair.
    score = s.score_meeting(None, m, points | {"attendance.rate": 3})
    assert (score.total, score.grade) == (Decimal("85.5"), "fair")
    assert MeetingScore.objects.count() == 1
    # The messages name the criterion and its bounds: that is what the user needs to correct it.
    with pytest.raises(s.ServiceError) as exc:
        s.score_meeting(None, m, FULL_POINTS | {"prep.agenda": 9})
    assert exc.value.code == Code.OUT_OF_RANGE
    assert exc.value.message == "Điểm tiêu chí prep.agenda là 9.0, phải từ 0 đến 8."
    with pytest.raises(s.ServiceError) as exc:
        s.score_meeting(None, m, {k: v for k, v in FULL_POINTS.items() if k != "results.resolution"})
    assert exc.value.code == Code.REQUIRED
    assert exc.value.message == "Chưa chấm điểm tiêu chí: results.resolution."
    with pytest.raises(s.ServiceError) as exc:
        s.score_meeting(None, m, FULL_POINTS | {"prep.extra": 1})
    assert exc.value.code == Code.INVALID
    assert MeetingScore.objects.get().total == Decimal("85.50")


def test_proposed_annual_grade_is_the_mean_of_scored_regular_meetings(tree) -> None:
    c1a = tree.orgs["C1A"]
    a, b = meet(c1a, D(2025, 1, 10)), meet(c1a, D(2025, 2, 10))
    meet(c1a, D(2025, 3, 10))  # not scored
    thematic = meet(c1a, D(2025, 3, 20), kind="thematic")
    s.score_meeting(None, a, FULL_POINTS | {"content.review": 6, "results.follow_up": 3.5})  # 92.5
    s.score_meeting(None, b, FULL_POINTS | {"content.review": 0, "results.follow_up": 2.5})  # 85.5
    s.score_meeting(None, thematic, {k: 0 for k in FULL_POINTS})  # thematic: not counted
    p = sel.proposed_annual_meeting_grade(c1a, 2025)
    assert (p.average, p.grade, p.scored, p.regular) == (89.0, "fair", 2, 3)
    assert p.grade_label == "Khá"
    empty = sel.proposed_annual_meeting_grade(c1a, 2024)
    assert (empty.average, empty.grade, empty.scored, empty.regular) == (None, None, 0, 0)


BAD_YAML = """
name: "Khung thử của tỉnh P"
version: "1"
province: "P"
year: 2026
bands: {good: 90, fair: 70, average: 50}
groups:
  - code: a
    label: "Chuẩn bị"
    criteria:
      - {code: a.1, label: "Một", max_points: 45}
      - {code: a.2, label: "Hai", max_points: 50}
"""


def test_framework_with_wrong_sum_is_refused(tree) -> None:
    with pytest.raises(s.ServiceError) as exc:
        s.load_framework(None, BAD_YAML)
    # The message gives the sum found and the one required: the point of the refusal.
    assert (exc.value.code, exc.value.field) == (Code.INVALID, "file")
    assert exc.value.message == "Tổng điểm tối đa các tiêu chí là 95, phải bằng 100."
    with pytest.raises(s.ServiceError) as exc:
        s.load_framework(None, "name: [unclosed\n")
    assert (exc.value.code, exc.value.field) == (Code.FILE, "file")
    with pytest.raises(s.ServiceError) as exc:
        s.load_framework(None, "- a\n- b\n")
    assert (exc.value.code, exc.value.field) == (Code.INVALID, "file")
    assert ScoringFramework.objects.count() == 0


def test_province_framework_is_chosen_by_root_code(tree) -> None:
    good = BAD_YAML.replace("max_points: 45", "max_points: 50")
    with pytest.raises(s.ServiceError) as exc:
        s.load_framework(tree.users["office"], good)
    assert exc.value.code == Code.FORBIDDEN
    fw = s.load_framework(tree.users["admin"], good)
    assert (fw.province, fw.year, fw.max_total, len(fw.core.criteria)) == ("P", 2026, Decimal("100"), 2)
    assert s.load_framework(None, good).pk == fw.pk  # same content again: nothing new
    with pytest.raises(s.ServiceError) as exc:
        s.load_framework(None, good.replace('"Một"', '"Một (sửa)"'))
    assert (exc.value.code, exc.value.field) == (Code.CONFLICT, "file")
    assert sel.framework_in_force(tree.orgs["C1A"], 2026) == fw
    assert sel.framework_in_force(tree.orgs["C1A"], 2027) == fw
    default = sel.framework_in_force(tree.orgs["C1A"], 2025)  # the province's framework starts in 2026… but is
    assert default == fw  # the only one: the oldest applies to earlier years
    other = rs.create_organization(None, None, code="Q", name="Đảng bộ tỉnh Khác", kind="province")
    assert sel.framework_in_force(other, 2026) is None  # reading installs nothing
    shown = sel.scoring_framework(other, 2026)  # … and shows the default unsaved
    assert (shown.pk, shown.province, shown.version, shown.max_total) == (None, "", "2025.1", Decimal("100"))
    assert ScoringFramework.objects.count() == 1
    national = s.ensure_framework_for(other, 2026)  # the service installs it
    assert (national.pk is not None, national.province, national.version) == (True, "", "2025.1")
    assert national.definition == shown.definition
    assert s.ensure_framework_for(other, 2027) == national and ScoringFramework.objects.count() == 2
    m = meet(tree.orgs["C1A"], D(2026, 2, 10))
    score = s.score_meeting(None, m, {"a.1": 48, "a.2": 40})
    assert (score.framework, score.total, score.grade) == (fw, Decimal("88"), "fair")


def test_cli_loads_a_framework(tree, tmp_path, monkeypatch, capsys) -> None:
    from dangvu import cli

    monkeypatch.setattr(cli, "setup_django", lambda migrate=True: None)
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_YAML, encoding="utf-8")
    assert cli.main(["meetings", "load-framework", str(bad)]) == 2
    assert "phải bằng 100" in capsys.readouterr().err
    good = tmp_path / "p.yaml"
    good.write_text(BAD_YAML.replace("max_points: 45", "max_points: 50"), encoding="utf-8")
    assert cli.main(["meetings", "load-framework", str(good), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"province": "P"' in out and '"criteria": 2' in out
    assert ScoringFramework.objects.filter(province="P").count() == 1


# -- indicators ---------------------------------------------------------------------------

def test_complete_months_and_quarters() -> None:
    assert complete_months(Period(D(2025, 1, 1), D(2025, 2, 15))) == [(D(2025, 1, 1), D(2025, 1, 31))]
    assert len(complete_months(Period.year(2025))) == 12
    assert complete_quarters(Period.year(2025))[1] == (D(2025, 4, 1), D(2025, 6, 30))
    assert complete_quarters(Period(D(2025, 1, 1), D(2025, 5, 31))) == [(D(2025, 1, 1), D(2025, 3, 31))]
    assert month_spans(D(2025, 11, 22), D(2026, 1, 5)) == [
        (D(2025, 11, 22), D(2025, 11, 30)), (D(2025, 12, 1), D(2025, 12, 31)), (D(2026, 1, 1), D(2026, 1, 5))]
    assert month_spans(D(2024, 2, 29), D(2024, 2, 29)) == [(D(2024, 2, 29), D(2024, 2, 29))]


@pytest.fixture
def q1_meetings(tree):
    c1a, c1b = tree.orgs["C1A"], tree.orgs["C1B"]
    ms = [meet(c1a, D(2025, 1, 8)), meet(c1a, D(2025, 2, 12), combined=True, start=T(19, 0), end=T(21, 0),
                                         upper_attendees=["Trần Văn Hải — Phó Bí thư Đảng ủy xã"]),
          meet(c1a, D(2025, 3, 5)), meet(c1b, D(2025, 1, 20))]
    s.score_meeting(None, ms[0], FULL_POINTS)
    return ms


def test_regular_and_thematic_shares(tree, q1_meetings) -> None:
    q1 = Period.quarter(2025, 1)
    assert value("cells.regular_meetings_complete_share", tree.orgs["C1"], q1) == (50.0, 1, 2)
    assert value("cells.regular_meetings_complete_share", tree.orgs["P"], q1) == (33.33, 1, 3)
    assert value("cells.regular_meetings_complete_share", tree.orgs["C1A"], q1) == (100.0, 1, 1)
    assert value("cells.regular_meetings_complete_share", tree.orgs["C1"], Period.year(2025)) == (0.0, 0, 2)
    # The combined meeting of February counts as Q1's thematic meeting for C1A only.
    assert value("cells.thematic_quarterly_share", tree.orgs["C1"], q1) == (50.0, 1, 2)
    assert value("cells.thematic_quarterly_share", tree.orgs["C1"], Period.year(2025)) == (0.0, 0, 2)
    # Only January has ended by the period's end: both cells met in January.
    jan = Period(D(2025, 1, 1), D(2025, 2, 15))
    assert value("cells.regular_meetings_complete_share", tree.orgs["C1"], jan) == (100.0, 2, 2)
    assert value("cells.thematic_quarterly_share", tree.orgs["C1"], jan) == (None, 0, 0)


def test_a_month_is_met_by_a_meeting_on_its_first_or_last_day(tree) -> None:
    c1b, q1 = tree.orgs["C1B"], Period.quarter(2026, 1)
    for day in (D(2026, 1, 31), D(2026, 3, 1)):
        meet(c1b, day)
    assert value("cells.regular_meetings_complete_share", c1b, q1) == (0.0, 0, 1)  # February missed
    meet(c1b, D(2026, 2, 1))
    assert value("cells.regular_meetings_complete_share", c1b, q1) == (100.0, 1, 1)


def test_two_meetings_a_month_when_the_rule_set_asks_for_two(tree, q1_meetings, monkeypatch) -> None:
    from dangvu.meetings import indicators as mi

    real = mi.ruleset_for
    monkeypatch.setattr(mi, "ruleset_for", lambda day: real(day).with_overrides({"meeting.regular_per_month": 2}))
    q1, c1a = Period.quarter(2025, 1), tree.orgs["C1A"]
    assert value("cells.regular_meetings_complete_share", c1a, q1) == (0.0, 0, 1)
    for day in (D(2025, 1, 22), D(2025, 2, 26)):  # second meetings: confirmed (the services' rule set asks one)
        meet(c1a, day, second_regular=True)
    assert value("cells.regular_meetings_complete_share", c1a, q1) == (0.0, 0, 1)  # March has one
    meet(c1a, D(2025, 3, 26), second_regular=True)
    assert value("cells.regular_meetings_complete_share", tree.orgs["C1"], q1) == (50.0, 1, 2)


def test_meeting_count_scored_and_upper_shares(tree, q1_meetings) -> None:
    q1 = Period.quarter(2025, 1)
    v = indicators.compute("meetings.count", tree.orgs["C1"], q1)
    assert (v.value, v.breakdown) == (4, {"regular": 3, "thematic": 0, "combined": 1})
    assert value("meetings.scored_share", tree.orgs["C1"], q1) == (25.0, 1, 4)
    assert value("meetings.upper_attendance_share", tree.orgs["C1"], q1) == (25.0, 1, 4)
    assert value("meetings.upper_attendance_share", tree.orgs["C1A"], q1) == (33.33, 1, 3)
    assert value("meetings.scored_share", tree.orgs["C2"], q1) == (None, 0, 0)
    upper = q1_meetings[1].upper_attendees.get()
    assert (upper.name, upper.position) == ("Trần Văn Hải", "Phó Bí thư Đảng ủy xã")


def test_studied_document_share(tree) -> None:
    c1 = tree.orgs["C1"]
    an, cuong, dung = tree.members["an"], tree.members["cuong"], tree.members["dung"]
    s.record_study_session(tree.users["office"], c1, document_title="Nghị quyết về công tác xây dựng Đảng",
                           document_number="21-NQ/TW", held_on=D(2026, 6, 5), member_ids=[an.pk, dung.pk])
    y = Period.year(2026)
    assert value("members.studied_document_share", c1, y, document="21-NQ/TW") == (66.67, 2, 3)
    assert value("members.studied_document_share", c1, y, document="22-NQ/TW") == (0.0, 0, 3)
    assert value("members.studied_document_share", tree.orgs["C1B"], y, document="21-nq/tw") == (100.0, 1, 1)
    # A make-up session for the one who missed it, with the number typed differently.
    s.record_study_session(tree.users["secretary"], tree.orgs["C1A"], document_title="Nghị quyết 21",
                           document_number=" 21-nq/tw", held_on=D(2026, 7, 1), makeup=True, member_ids=[cuong.pk])
    assert value("members.studied_document_share", c1, y, document="21-NQ/TW") == (100.0, 3, 3)
    assert value("members.studied_document_share", c1, Period.year(2025), document="21-NQ/TW") == (0.0, 0, 3)
    assert value("members.studied_document_share", tree.orgs["P"], y) == (75.0, 3, 4)  # any session; Bình none
    with pytest.raises(s.ServiceError) as exc:
        s.record_study_session(None, tree.orgs["C1A"], document_title="X", document_number="1-CT/TW",
                               held_on=D(2026, 7, 1), member_ids=[tree.outside.pk])
    assert (exc.value.code, exc.value.field) == (Code.OUT_OF_SUBTREE, "members")
    with pytest.raises(s.ServiceError) as exc:
        s.record_study_session(None, tree.orgs["C1A"], document_title="X", document_number=" ",
                               held_on=D(2026, 7, 1))
    assert (exc.value.code, exc.value.field) == (Code.REQUIRED, "document_number")
    with pytest.raises(s.ServiceError) as exc:
        s.record_study_session(None, tree.orgs["C1A"], document_title="X", document_number="1-CT/TW",
                               held_on=D(2026, 7, 1), document_kind="letter")
    assert (exc.value.code, exc.value.field) == (Code.INVALID, "document_kind")
    assert StudyAttendance.objects.count() == 3


def test_study_pages(client, tree) -> None:
    client.force_login(tree.users["secretary"])
    r = client.post(reverse("meetings:study_create", args=["C1A"]), {
        "document_number": "21-nq/tw", "document_title": "Nghị quyết về xây dựng Đảng", "document_kind": "resolution",
        "held_on": "2026-06-05", "members": [tree.inside.pk]})
    session = StudyAttendance.objects.get().session
    assert r.status_code == 302 and r.url == reverse("meetings:study_detail", args=[session.pk])
    assert session.document_number == "21-NQ/TW"
    r = client.post(reverse("meetings:study_attendance", args=[session.pk]),
                    {"members": [tree.inside.pk, tree.own.pk]})
    assert r.status_code == 302
    assert sorted(session.attendances.values_list("member_id", flat=True)) == sorted([tree.inside.pk, tree.own.pk])
    page = client.get(reverse("meetings:study_list", args=["C1A"]), {"nam": 2026}).content.decode()
    assert "21-NQ/TW" in page and "Nghị quyết về xây dựng Đảng" in page
    client.force_login(tree.users["viewer"])
    detail = client.get(reverse("meetings:study_detail", args=[session.pk]))
    assert detail.status_code == 200
    assert [m.full_name for m in detail.context["studied"]] == ["Lê Văn Cường", "Nguyễn Văn An"]  # by name
    assert "21-NQ/TW" in detail.content.decode()
    assert client.post(reverse("meetings:study_attendance", args=[session.pk]),
                       {"members": [tree.inside.pk]}).status_code == 403
    assert session.attendances.count() == 2


def test_study_list_is_paged_with_bounded_queries(client, tree, django_assert_max_num_queries) -> None:
    """Issue 14: a province's year holds thousands of sessions; the list shows 50 at a time, newest
    first, and its queries do not grow with the sessions."""
    from dangvu.meetings.views import STUDY_PER_PAGE

    for i in range(STUDY_PER_PAGE + 3):
        s.record_study_session(None, tree.orgs["C1A"], document_title=f"Văn bản {i}", document_number=f"{i + 1}-CT/TW",
                               held_on=D(2026, 1, 1) + dt.timedelta(days=i))
    client.force_login(tree.users["secretary"])
    url = reverse("meetings:study_list", args=["C1A"])
    with django_assert_max_num_queries(12):
        first = client.get(url, {"nam": 2026})
    assert len(first.context["sessions"]) == STUDY_PER_PAGE
    assert first.context["sessions"][0].document_number == f"{STUDY_PER_PAGE + 3}-CT/TW"  # newest first
    assert "nam=2026&amp;trang=2" in first.content.decode() and "Trang 1/2" in first.content.decode()
    second = client.get(url, {"nam": 2026, "trang": 2})
    assert [x.document_number for x in second.context["sessions"]] == ["3-CT/TW", "2-CT/TW", "1-CT/TW"]
    assert client.get(url, {"nam": 2026, "trang": "zzz"}).status_code == 200  # a bad page: the first


# -- pages and scope ----------------------------------------------------------------------

def test_scope_404_outside_and_403_read_only(client, tree) -> None:
    outside = meet(tree.orgs["C2A"], D(2026, 5, 12))
    inside = meet(tree.orgs["C1A"], D(2026, 5, 12))
    client.force_login(tree.users["secretary"])
    assert client.get(reverse("meetings:meeting_detail", args=[outside.pk])).status_code == 404
    assert client.get(reverse("meetings:meeting_attendance", args=[outside.pk])).status_code == 404
    assert client.get(reverse("meetings:org_meetings", args=["C2A"])).status_code == 404
    assert client.get(reverse("meetings:study_list", args=["C2A"])).status_code == 404
    assert client.get(reverse("meetings:meeting_detail", args=[inside.pk])).context["meeting"] == inside
    client.force_login(tree.users["viewer"])
    seen = client.get(reverse("meetings:meeting_detail", args=[inside.pk]))
    assert (seen.status_code, seen.context["meeting"], seen.context["can_edit"]) == (200, inside, False)
    assert client.get(reverse("meetings:meeting_create", args=["C1A"])).status_code == 403
    assert client.post(reverse("meetings:meeting_attendance", args=[inside.pk]), {}).status_code == 403
    assert client.get(reverse("meetings:meeting_score", args=[inside.pk])).status_code == 403
    assert client.post(reverse("meetings:meeting_delete", args=[inside.pk]), {"confirm": "xoa"}).status_code == 403
    assert client.get(reverse("meetings:study_create", args=["C1A"])).status_code == 403
    assert Meeting.objects.filter(pk=inside.pk).exists()
    client.force_login(tree.users["member"])
    assert client.get(reverse("meetings:meeting_detail", args=[inside.pk])).status_code == 404
    assert client.get(reverse("meetings:home")).status_code == 404
    client.logout()
    assert client.get(reverse("meetings:meeting_detail", args=[inside.pk])).status_code == 302


def test_cell_page_shows_the_year_strip_and_missing_months(client, tree, q1_meetings) -> None:
    client.force_login(tree.users["office"])
    page = client.get(reverse("meetings:org_meetings", args=["C1A"]), {"nam": 2025}).content.decode()
    states = re.findall(r'class="(held|missed|open)"[^>]*title="Tháng (\d+)', page)
    assert [(int(m), st) for st, m in states] == [(1, "held"), (2, "held"), (3, "held")] + [
        (m, "missed") for m in range(4, 13)]
    assert "Tháng 4/2025 chưa có buổi sinh hoạt thường kỳ." in page
    assert "Quý 2/2025 chưa có buổi sinh hoạt chuyên đề." in page
    assert "Quý 1/2025 chưa có" not in page
    assert "Ghi buổi sinh hoạt tháng này" in page
    overview = client.get(reverse("meetings:org_meetings", args=["C1"]), {"nam": 2025}).content.decode()
    assert "Chi bộ thôn Đồng Tâm" in overview and "3/12" in overview and "1/12" in overview
    client.force_login(tree.users["secretary"])  # one cell: the menu shows that cell's own page
    r = client.get(reverse("meetings:home"), {"nam": 2025})
    assert r.status_code == 200 and "Sinh hoạt chi bộ năm 2025 — Chi bộ thôn Đồng Tâm" in r.content.decode()


def test_monthly_routine_end_to_end(client, tree, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(tree.users["secretary"])
    create = reverse("meetings:meeting_create", args=["C1A"])
    form = client.get(create).content.decode()
    assert 'value="19:30"' in form and 'value="21:30"' in form
    assert f'value="{dt.date.today():%Y-%m-%d}"' in form
    today = dt.date.today()
    data = {"held_on": today.isoformat(), "kind": "regular", "starts_at": "19:30", "ends_at": "21:30",
            "topic": "Đánh giá nhiệm vụ tháng", "place": "Nhà văn hóa thôn", "chair": tree.inside.pk,
            "materials_sent_on": (today - dt.timedelta(days=2)).isoformat(),
            "upper_attendees": "Trần Văn Hải — Phó Bí thư Đảng ủy xã"}
    bad = client.post(create, data | {"minutes_file": SimpleUploadedFile("bb.exe", b"MZ\x90\x00")})
    assert bad.status_code == 400
    assert "Biên bản chỉ nhận tệp PDF, Word (.docx), ảnh JPG hoặc PNG." in bad.content.decode()
    fake = client.post(create, data | {"minutes_file": SimpleUploadedFile("bb.pdf", b"not a pdf at all")})
    assert "Nội dung tệp không phải tệp .pdf hợp lệ" in fake.content.decode()
    assert Meeting.objects.count() == 0
    pdf = b"%PDF-1.4\n% bien ban\n"
    r = client.post(create, data | {"minutes_file": SimpleUploadedFile("bien-ban.pdf", pdf)})
    meeting = Meeting.objects.get()
    # One screen records meeting, attendance and score (tests/test_monthly_routine.py); the
    # separate attendance and score pages stay for corrections.
    assert r.status_code == 302 and r.url == reverse("meetings:meeting_detail", args=[meeting.pk])
    assert meeting.upper_attendees.count() == 1 and meeting.chair == tree.inside
    att_url = reverse("meetings:meeting_attendance", args=[meeting.pk])
    att_page = client.get(att_url).content.decode()
    assert len(re.findall(r'value="present"[^>]*selected', att_page)) == 2  # present by default
    r = client.post(att_url, {f"m{tree.inside.pk}": "present", f"m{tree.own.pk}": "excused"})
    assert r.status_code == 302 and r.url == reverse("meetings:meeting_score", args=[meeting.pk])
    assert dict(meeting.attendances.values_list("member_id", "status")) == {tree.inside.pk: "present",
                                                                             tree.own.pk: "excused"}
    score_page = client.get(r.url).content.decode()
    assert "Chuẩn bị" in score_page and "(tối đa 8)" in score_page
    too_much = client.post(r.url, FULL_POINTS | {"prep.agenda": 9})
    assert too_much.status_code == 400 and "Tối đa 8 điểm." in too_much.content.decode()
    r = client.post(r.url, FULL_POINTS | {"attendance.rate": "5"})
    assert r.status_code == 302 and r.url == reverse("meetings:meeting_detail", args=[meeting.pk])
    assert (meeting.score.total, meeting.score.grade) == (Decimal("95.00"), "good")
    detail = client.get(r.url).content.decode()
    assert "95 điểm — Tốt" in detail and "50%" in detail and "warnings" not in detail.split("<h1>")[1][:300]
    got = client.get(reverse("meetings:meeting_minutes", args=[meeting.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content) == pdf
    client.force_login(tree.users["viewer"])
    assert b"".join(client.get(reverse("meetings:meeting_minutes", args=[meeting.pk])).streaming_content) == pdf
    assert value("meetings.attendance_rate", tree.orgs["C1A"], Period.year(today.year)) == (50.0, 1, 2)


def test_minutes_file_limits(tree) -> None:
    big = SimpleUploadedFile("bb.png", b"\x89PNG\r\n\x1a\n" + b"0" * 16)
    big.size = 11 * 1024 * 1024
    with pytest.raises(s.ServiceError) as exc:
        s.validate_minutes_file(big)
    assert (exc.value.code, exc.value.field) == (Code.FILE_TOO_LARGE, "minutes_file")
    assert "tối đa 10 MB" in exc.value.message  # the limit is what the user must know
    with pytest.raises(s.ServiceError) as exc:
        s.validate_minutes_file(SimpleUploadedFile("bb.exe", b"MZ\x90\x00"))
    assert (exc.value.code, exc.value.field) == (Code.FILE, "minutes_file")
    for name, head in (("a.docx", b"PK\x03\x04"), ("a.JPG", b"\xff\xd8\xff\xe0"), ("a.png", b"\x89PNG\r\n\x1a\n")):
        s.validate_minutes_file(SimpleUploadedFile(name, head + b"rest"))


def test_delete_and_edit_only_by_editors(client, tree, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    m = meet(tree.orgs["C1A"], D(2026, 5, 12), minutes_file=SimpleUploadedFile("bb.pdf", b"%PDF-1.7 x"))
    with pytest.raises(s.ServiceError) as exc:
        s.delete_meeting(tree.users["viewer"], m)
    assert exc.value.code == Code.FORBIDDEN
    s.update_meeting(tree.users["secretary"], m, topic="Chuyên đề học tập và làm theo", ends_at=T(20, 30))
    m.refresh_from_db()
    assert m.topic == "Chuyên đề học tập và làm theo" and codes(m) == ["too_short"]  # 60 minutes now
    path = tmp_path / m.minutes_file.name
    assert path.read_bytes() == b"%PDF-1.7 x"
    client.force_login(tree.users["secretary"])
    r = client.post(reverse("meetings:meeting_delete", args=[m.pk]))
    assert r.status_code == 400 and "Mục này không được để trống." in r.content.decode()
    r = client.post(reverse("meetings:meeting_delete", args=[m.pk]), {"confirm": "xoa"})
    assert r.status_code == 302 and r.url == reverse("meetings:org_meetings", args=["C1A"])
    assert not Meeting.objects.exists() and not Attendance.objects.exists()


def test_empty_post_to_each_meetings_form_shows_the_form_with_vietnamese_errors(client, tree) -> None:
    """An empty POST binds the form (never ``request.POST or None``): 400, the missing fields named
    in Vietnamese, nothing written."""
    m = meet(tree.orgs["C1A"], D(2026, 5, 12))
    s.set_attendance(None, m, {tree.inside.pk: "present", tree.own.pk: "present"})
    study = s.record_study_session(None, tree.orgs["C1A"], document_number="21-NQ/TW", document_title="Nghị quyết",
                                   document_kind="resolution", held_on=D(2026, 6, 5), member_ids=[tree.inside.pk])
    required = "Mục này không được để trống."
    cases = [
        ("meetings:meeting_create", ["C1A"], "held_on"),
        ("meetings:meeting_edit", [m.pk], "starts_at"),
        ("meetings:meeting_delete", [m.pk], "confirm"),
        ("meetings:meeting_attendance", [m.pk], f"m{tree.inside.pk}"),
        ("meetings:meeting_score", [m.pk], "prep.agenda"),
        ("meetings:study_create", ["C1A"], "document_number"),
        ("meetings:study_attendance", [study.pk], "members"),
    ]
    before = (Meeting.objects.count(), Attendance.objects.count(), MeetingScore.objects.count(),
              StudyAttendance.objects.count())
    client.force_login(tree.users["secretary"])
    for name, args, field in cases:
        r = client.post(reverse(name, args=args), {})
        assert r.status_code == 400, (name, r.status_code)
        form = r.context["form"]
        assert form.is_bound and form.errors[field] == [required], (name, form.errors)
        assert required in r.content.decode(), name
    client.force_login(tree.users["admin"])
    r = client.post(reverse("meetings:frameworks"), {})
    assert r.status_code == 400 and r.context["form"].errors["file"] == [required]
    assert (Meeting.objects.count(), Attendance.objects.count(), MeetingScore.objects.count(),
            StudyAttendance.objects.count()) == before
    assert list(m.attendances.values_list("status", flat=True)) == ["present", "present"]


def test_score_page_reads_and_the_first_score_installs_the_default_framework(client, tree) -> None:
    """No page view writes: with no framework stored the score page shows the default one unsaved
    (and the cell page's proposed grade reads it too); saving the first score installs it."""
    m = meet(tree.orgs["C1A"], D(2026, 5, 12))
    client.force_login(tree.users["secretary"])
    page = client.get(reverse("meetings:meeting_score", args=[m.pk]))
    assert page.status_code == 200 and page.context["framework"].pk is None
    assert "(tối đa 8)" in page.content.decode() and "phiên bản 2025.1" in page.content.decode()
    client.get(reverse("meetings:org_meetings", args=["C1A"]), {"nam": 2026})
    assert ScoringFramework.objects.count() == 0
    r = client.post(reverse("meetings:meeting_score", args=[m.pk]), FULL_POINTS)
    assert r.status_code == 302
    fw = ScoringFramework.objects.get()
    assert (fw.province, fw.version, MeetingScore.objects.get().framework) == ("", "2025.1", fw)
    assert client.get(reverse("meetings:meeting_score", args=[m.pk])).context["framework"] == fw
