"""Inspection and supervision (issue 16, points 1, 2, 6, 7): a commune's yearly programme and its
progress, one inspection from decision to conclusion with findings and recommendations, loading a
programme document through a preview, the indicators and the overdue-recommendation alert."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from conftest import logged_in
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from dangvu import indicators
from dangvu.alerts.queries import alert_counts_by_kind
from dangvu.alerts.selectors import alerts_for
from dangvu.common import Code, ServiceError
from dangvu.core import clock
from dangvu.indicators import Period
from dangvu.inspection import selectors as sel
from dangvu.inspection import services as ins
from dangvu.inspection.models import Inspection, InspectionFinding, Programme, Recommendation

D = dt.date
TODAY = D(2026, 8, 15)
DATA = Path(__file__).parent / "data" / "inspection"
SAMPLE = DATA / "chuong_trinh_kiem_tra_giam_sat_xa_hoa_binh_2026.txt"


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


APRIL = (D(2026, 4, 1), D(2026, 4, 30))


def _item(programme, subject_org=None, *, activity="inspection", start=APRIL[0], end=APRIL[1], **kw):
    return ins.add_item(None, programme, activity=activity, form=kw.pop("form", "regular"),
                        subject_kind=kw.pop("subject_kind", "organization"), subject_org=subject_org,
                        content=kw.pop("content", "Kiểm tra việc chấp hành Điều lệ Đảng"),
                        planned_start=start, planned_end=end, **kw)


@pytest.fixture
def programme(tree):
    """C1's 2026 programme: C1A inspected in April (concluded), C1B inspected in June–July (begun,
    now late), C1B supervised in September (begun), a member inspection in October (not begun)."""
    o = tree.orgs
    p = ins.create_programme(None, o["C1"], 2026, number="05-CTr/ĐU", issued_on=D(2026, 1, 12))
    a = _item(p, o["C1A"], form="thematic")
    ins.start_inspection(None, a, decision_number="10-QĐ/ĐU", decided_on=D(2026, 4, 2), started_on=D(2026, 4, 6),
                         leader="Đồng chí Phó Bí thư Thường trực", team="Hai ủy viên Ủy ban Kiểm tra")
    ins.record_subject_report(None, a, reported_on=D(2026, 4, 15), summary="Chi bộ báo cáo tự kiểm tra")
    ins.conclude_inspection(None, a, concluded_on=D(2026, 4, 28), conclusion="Chi bộ chấp hành tốt",
                            recommendations=[ins.RecommendationInput("Bổ sung sổ ghi biên bản", D(2026, 6, 30)),
                                             ins.RecommendationInput("Kiện toàn tổ đảng", D(2026, 7, 31))])
    b = _item(p, o["C1B"], start=D(2026, 6, 1), end=D(2026, 7, 31))
    ins.start_inspection(None, b, decision_number="14-QĐ/ĐU", decided_on=D(2026, 6, 1), started_on=D(2026, 6, 3),
                         leader="Đồng chí Chủ nhiệm Ủy ban Kiểm tra")
    c = _item(p, o["C1B"], activity="supervision", start=D(2026, 8, 1), end=D(2026, 9, 30))
    ins.start_inspection(None, c, decision_number="20-KH/ĐU", decided_on=D(2026, 8, 3), started_on=D(2026, 8, 10),
                         leader="Đồng chí Bí thư")
    d = _item(p, subject_kind="member", subject_member=tree.inside, start=D(2026, 10, 1), end=D(2026, 10, 31))
    return {"programme": p, "a": a, "b": b, "c": c, "d": d}


def test_progress_counts_each_state_from_the_dates(programme):
    rows = sel.item_rows(programme["programme"])
    states = {r.item.pk: r.state for r in rows}
    assert states == {programme["a"].pk: "concluded", programme["b"].pk: "late",
                      programme["c"].pk: "under_way", programme["d"].pk: "planned"}
    assert sel.state_counts(rows) == {"planned": 1, "under_way": 1, "concluded": 1, "late": 1}
    with clock.frozen(D(2026, 10, 1)):  # the supervision's period is over without a conclusion
        assert sel.state_counts(sel.item_rows(programme["programme"]))["late"] == 2


def test_progress_page_tiles_and_filter(programme, tree):
    client = logged_in(tree.users["viewer"])
    url = reverse("inspection:programme_detail", args=[programme["programme"].pk])
    html = client.get(url).content.decode()
    for slug, n in (("chua-trien-khai", 1), ("dang-tien-hanh", 1), ("da-ket-luan", 1), ("cham", 1)):
        assert f'data-state="{slug}" data-count="{n}"' in html
    assert "Thêm cuộc kiểm tra" not in html  # a viewer reads only
    late = client.get(url + "?tinh-trang=cham").content.decode()
    assert f'data-item="{programme["b"].pk}"' in late and f'data-item="{programme["a"].pk}"' not in late
    org_page = client.get(reverse("inspection:org_programmes", args=["C1"])).content.decode()
    assert 'data-state="late" data-count="1"' in org_page


def test_item_outside_the_programme_subtree_is_refused_and_nothing_written(programme, tree):
    p = programme["programme"]
    before = Inspection.objects.count()
    with pytest.raises(ServiceError) as exc:
        _item(p, tree.orgs["C2A"])
    assert exc.value.code == Code.OUT_OF_SUBTREE
    with pytest.raises(ServiceError) as exc:
        _item(p, tree.orgs["C1A"], start=D(2025, 12, 1), end=D(2026, 1, 31))
    assert exc.value.code == Code.OUT_OF_RANGE
    with pytest.raises(ServiceError) as exc:
        _item(p, tree.orgs["C1A"], start=D(2026, 5, 1), end=D(2026, 4, 1))
    assert exc.value.code == Code.DATE_ORDER
    with pytest.raises(ServiceError) as exc:
        ins.create_programme(None, tree.orgs["C1"], 2026)
    assert exc.value.code == Code.DUPLICATE
    with pytest.raises(ServiceError) as exc:
        ins.add_item(tree.users["viewer"], p, activity="inspection", form="regular", subject_kind="organization",
                     subject_org=tree.orgs["C1A"], content="x", planned_start=D(2026, 5, 1),
                     planned_end=D(2026, 5, 2))
    assert exc.value.code == Code.FORBIDDEN
    assert Inspection.objects.count() == before


def test_conclusion_needs_a_start_and_comes_once(programme):
    d = programme["d"]
    with pytest.raises(ServiceError) as exc:
        ins.conclude_inspection(None, d, concluded_on=TODAY, conclusion="Tốt")
    assert exc.value.code == Code.INCOMPLETE
    with pytest.raises(ServiceError) as exc:
        ins.conclude_inspection(None, programme["a"], concluded_on=TODAY, conclusion="Lần hai")
    assert exc.value.code == Code.STATE
    with pytest.raises(ServiceError) as exc:  # a conclusion before the inspection began
        ins.conclude_inspection(None, programme["b"], concluded_on=D(2026, 6, 2), conclusion="Sớm")
    assert exc.value.code == Code.DATE_ORDER
    assert Inspection.objects.get(pk=programme["b"].pk).concluded_on is None


def test_concluding_with_violations_opens_a_discipline_case(programme, tree):
    b = programme["b"]
    dung = tree.members["dung"]  # of C1B, the subject
    done = ins.conclude_inspection(
        tree.users["office"], b, concluded_on=D(2026, 8, 10), conclusion="Có sai phạm trong quản lý đảng phí",
        findings=[ins.FindingInput(dung, D(2026, 3, 5), "Không nộp đảng phí đã thu")],
        recommendations=[ins.RecommendationInput("Nộp đủ số đảng phí còn thiếu", D(2026, 9, 10))])
    assert done.violations_found is True
    finding = InspectionFinding.objects.get(inspection=b)
    assert (finding.member, finding.violation_on, finding.summary) == (dung, D(2026, 3, 5), "Không nộp đảng phí đã thu")
    from dangvu.discipline.models import DisciplineCase

    case = DisciplineCase.objects.get(member=dung)
    assert (case.violation_on, case.opened_on, case.summary) == (D(2026, 3, 5), D(2026, 8, 10),
                                                                  "Không nộp đảng phí đã thu")
    assert case.origin.startswith("Kết luận kiểm tra ngày 10/08/2026") and case.recorded_by == tree.users["office"]
    entry = LogEntry.objects.get_for_object(finding).get()
    assert entry.action == LogEntry.Action.CREATE
    change = LogEntry.objects.get_for_object(done).latest("timestamp").changes_dict
    assert change["concluded_on"] == ["None", "2026-08-10"] and change["violations_found"] == ["False", "True"]


def test_finding_outside_the_subject_is_refused_with_nothing_written(programme, tree):
    b = programme["b"]  # of C1B; An is in C1A
    with pytest.raises(ServiceError) as exc:
        ins.conclude_inspection(None, b, concluded_on=TODAY, conclusion="Có vi phạm",
                                findings=[ins.FindingInput(tree.inside, D(2026, 3, 5), "Vi phạm")])
    assert exc.value.code == Code.OUT_OF_SUBTREE
    b.refresh_from_db()
    assert b.concluded_on is None and not InspectionFinding.objects.exists()
    from dangvu.discipline.models import DisciplineCase

    assert not DisciplineCase.objects.exists()


def test_recommendations_on_time_share_and_overdue_alert(programme, tree):
    a = programme["a"]
    first, second = a.recommendations.order_by("due_on")
    ins.complete_recommendation(None, first, done_on=D(2026, 6, 30), note="Đã bổ sung")  # the due day: on time
    c1 = tree.orgs["C1"]
    year = Period.year(2026)
    v = indicators.compute("inspection.recommendations_done_on_time_share", c1, year)
    assert (v.numerator, v.denominator, v.value) == (1, 2, 50.0)  # the second is past its deadline, not done
    overdue = [x for x in alerts_for(c1, TODAY) if x.kind == "inspection_recommendation_overdue"]
    assert len(overdue) == 1 and overdue[0].org_code == "C1" and overdue[0].date == D(2026, 7, 31)
    assert overdue[0].severity == "passed" and "Kiện toàn tổ đảng" in overdue[0].message
    assert alert_counts_by_kind(c1, TODAY)["inspection_recommendation_overdue"] == 1
    assert [x for x in alerts_for(tree.orgs["C2"], TODAY) if x.kind == "inspection_recommendation_overdue"] == []
    ins.complete_recommendation(None, second, done_on=D(2026, 8, 14))
    assert alert_counts_by_kind(c1, TODAY)["inspection_recommendation_overdue"] == 0
    v = indicators.compute("inspection.recommendations_done_on_time_share", c1, year)
    assert (v.numerator, v.denominator) == (1, 2)
    with pytest.raises(ServiceError) as exc:
        ins.complete_recommendation(None, second, done_on=D(2026, 8, 15))
    assert exc.value.code == Code.STATE


def test_alert_page_links_to_the_programmes(programme, tree):
    r = logged_in(tree.users["office"]).get(reverse("alerts:list") + "?kind=inspection_recommendation_overdue")
    assert r.status_code == 200
    assert reverse("inspection:org_programmes", args=["C1"]) in r.content.decode()


def test_organizations_inspected_and_supervised_shares(programme, tree):
    c1 = tree.orgs["C1"]
    year = Period.year(2026)
    v = indicators.compute("inspection.organizations_inspected_share", c1, year)
    assert (v.numerator, v.denominator, v.value) == (2, 2, 100.0)  # C1A concluded, C1B under way
    v = indicators.compute("inspection.organizations_supervised_share", c1, year)
    assert (v.numerator, v.denominator) == (1, 2)
    # in the third quarter only C1B's inspection (begun in June, not concluded) was carried out
    v = indicators.compute("inspection.organizations_inspected_share", c1, Period.quarter(2026, 3))
    assert (v.numerator, v.denominator) == (1, 2)
    # a cell has no organization below it: nothing to divide by
    assert indicators.compute("inspection.organizations_inspected_share", tree.orgs["C1A"], year).value is None
    assert indicators.compute("inspection.organizations_inspected_share", tree.orgs["C2"], year).numerator == 0


def _docx(text: str) -> bytes:
    doc = Document()
    for line in text.splitlines():
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_loading_a_programme_document_through_the_preview(tree):
    p = ins.create_programme(None, tree.orgs["C1"], 2026)
    client = logged_in(tree.users["office"])
    url = reverse("inspection:programme_load", args=[p.pk])
    upload = SimpleUploadedFile("chuong-trinh.docx", _docx(SAMPLE.read_text(encoding="utf-8")))
    r = client.post(url, {"file": upload})
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count('name="pick"') == 6
    assert 'data-months="6/2026 7/2026"' in html and 'data-months="7/2026 8/2026 9/2026"' in html
    assert not Inspection.objects.exists()  # nothing saved before the person confirms
    text = SAMPLE.read_text(encoding="utf-8")
    r = client.post(url, {"step": "confirm", "text": text, "pick": ["0", "1", "4"]})
    assert r.status_code == 302
    items = list(Inspection.objects.filter(programme=p).order_by("source_ref"))
    assert [(i.source_ref, i.activity, i.form, i.subject_org.code, i.planned_start, i.planned_end) for i in items] == [
        ("II.1", "inspection", "thematic", "C1A", D(2026, 4, 1), D(2026, 4, 30)),
        ("II.2", "inspection", "regular", "C1B", D(2026, 6, 1), D(2026, 7, 31)),
        ("III.2", "supervision", "thematic", "C1B", D(2026, 5, 1), D(2026, 5, 31)),
    ]
    assert items[0].leader == "Đồng chí Phó Bí thư Thường trực"
    assert LogEntry.objects.get_for_object(items[0]).get().actor == tree.users["office"]


def test_loading_refuses_an_empty_choice_and_a_text_without_items(tree):
    p = ins.create_programme(None, tree.orgs["C1"], 2026)
    client = logged_in(tree.users["office"])
    url = reverse("inspection:programme_load", args=[p.pk])
    r = client.post(url, {"step": "confirm", "text": SAMPLE.read_text(encoding="utf-8")})
    assert r.status_code == 400 and "Chưa chọn mục nào" in r.content.decode()
    r = client.post(url, {"text": "Báo cáo tình hình thời tiết tháng 5/2026."})
    assert r.status_code == 400 and "Không tìm thấy mục kiểm tra, giám sát nào" in r.content.decode()
    assert not Inspection.objects.exists()


def test_conclude_form_names_members_in_violation(programme, tree):
    b = programme["b"]
    client = logged_in(tree.users["office"])
    url = reverse("inspection:item_conclude", args=[b.pk])
    page = client.get(url).content.decode()
    assert "Phạm Thị Dung" in page and "Nguyễn Văn An" not in page  # members of the subject only
    r = client.post(url, {"concluded_on": "10/08/2026", "conclusion": "Có vi phạm", "members": [tree.members["dung"].pk]})
    assert r.status_code == 400 and "Cần ghi ngày vi phạm" in r.content.decode()
    r = client.post(url, {"concluded_on": "10/08/2026", "conclusion": "Có vi phạm",
                          "members": [tree.members["dung"].pk], "violation_on": "05/03/2026",
                          "violation": "Không nộp đảng phí đã thu", "recommendation": "Nộp đủ",
                          "due_on": "10/09/2026"})
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.violations_found and b.findings.get().member == tree.members["dung"]
    assert Recommendation.objects.get(inspection=b).due_on == D(2026, 9, 10)
    detail = client.get(reverse("inspection:item_detail", args=[b.pk])).content.decode()
    assert 'data-state="concluded"' in detail and "Phạm Thị Dung" in detail


def test_secretary_sees_only_her_cells_programmes(programme, tree):
    cell = ins.create_programme(None, tree.orgs["C1A"], 2026)
    client = logged_in(tree.users["secretary"])
    assert client.get(reverse("inspection:programme_detail", args=[programme["programme"].pk])).status_code == 404
    assert client.get(reverse("inspection:programme_detail", args=[cell.pk])).status_code == 200
    assert Programme.objects.count() == 2
