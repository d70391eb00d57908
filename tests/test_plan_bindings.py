"""Targets with several scoped bindings, end to end: the reader's proposals in both shapes, review
that asks for each binding before saving, units checked, params reaching the indicator, the worst
status shown, the report and the CLI listing each binding, long texts kept whole, and the
migration that carried the single ``Target.indicator`` over."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from dangvu.common import Code, ServiceError
from dangvu.core.plan_status import Status

TODAY = dt.date.today()
Y = TODAY.year
ORGS_AND_MEMBERS = [{"indicator": "organizations.rated_good_or_better_share", "params": {}},
                    {"indicator": "members.rated_good_or_better_share", "params": {}}]
BY_SECTOR = [{"indicator": "cells.with_committee_share", "params": {"sector": "agency"}},
             {"indicator": "cells.with_committee_share", "params": {"sector": "residential"}}]


def _client(tree, role: str = "office") -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(tree.users[role])
    return client

def _as_read(target) -> dict:
    """The target edit form posts back the version of the target it was opened on."""
    from dangvu.plans.models import Target

    return {"version": str(Target.objects.get(pk=target.pk).version)}



def _parsed(*targets: dict, title: str = "Kế hoạch thử, giai đoạn 2025-2030") -> dict:
    base = {"op": ">=", "value": 90, "value_max": None, "unit": "%", "by": None, "period": None, "baseline": None,
            "section": "II.1"}
    return {"number": "7-KH/ĐU", "title": title, "references": [], "tasks": [],
            "targets": [{**base, **t} for t in targets]}


def _draft(tree, *targets: dict, code: str = "C1"):
    from dangvu.plans import services as s

    return s.draft_from_parse(None, tree.orgs[code], _parsed(*targets))


# -- the reader's proposals --------------------------------------------------------------------

def test_proposals_in_both_shapes_and_params_in_vietnamese():
    from dangvu.plans.bindings import describe, params_text, proposals

    assert proposals({"bindings": ORGS_AND_MEMBERS}) == ORGS_AND_MEMBERS
    assert proposals({"indicator": "members.count"}) == [{"indicator": "members.count", "params": {}}]
    assert proposals({"indicator": None, "bindings": []}) == []
    assert proposals({"bindings": [{"indicator": " a.b ", "params": {"sector": ""}}, {"indicator": "a.b"},
                                   "x", {"params": {}}]}) == [{"indicator": "a.b", "params": {}}]
    assert params_text({"sector": "residential"}) == "chi bộ thôn, bản, tổ dân phố"
    assert params_text({"document": "21-NQ/TW"}) == "văn bản 21-NQ/TW"
    assert params_text({"min_members": 4}) == "ít nhất 4 đảng viên"
    assert params_text({"sectors": ["agency", "school"]}) == "chi bộ cơ quan, trường học"
    assert params_text({}) == ""
    assert describe("cells.with_committee_share", {"sector": "residential"}) == (
        "Tỷ lệ chi bộ có cấp ủy (chi ủy) — chi bộ thôn, bản, tổ dân phố")


def test_draft_takes_every_usable_proposal_and_keeps_the_rest_on_record(tree):
    plan = _draft(tree,
                  {"text": "90% tổ chức cơ sở đảng, đảng viên hoàn thành tốt nhiệm vụ", "bindings": ORGS_AND_MEMBERS},
                  {"text": "Mỗi năm kết nạp từ 5 đảng viên", "unit": "count", "value": 5,
                   "indicator": "admissions.count_year"},  # the older single-key shape
                  {"text": "100% chi bộ thôn có chi ủy", "op": "=", "value": 100,
                   "bindings": [{"indicator": "cells.with_committee_share", "params": {"sector": "residential"}},
                                {"indicator": "members.count", "params": {}},  # a count for a %
                                {"indicator": "khong.co.chi.so", "params": {}},
                                {"indicator": "cells.with_committee_share", "params": {"sector": "thôn"}}]})
    two, old, scoped = plan.targets.all()
    assert [(b.indicator, b.params, b.source, b.confirmed) for b in two.bindings.all()] == [
        ("organizations.rated_good_or_better_share", {}, "reader", False),
        ("members.rated_good_or_better_share", {}, "reader", False)]
    assert [b.indicator for b in old.bindings.all()] == ["admissions.count_year"]
    assert [(b.indicator, b.params) for b in scoped.bindings.all()] == [
        ("cells.with_committee_share", {"sector": "residential"})]
    assert len(scoped.proposed) == 4  # the unusable ones stay visible as the reader's
    page = _client(tree).get(reverse("plans:plan_review", args=[plan.pk])).content.decode()
    assert "Máy đề xuất nhưng không dùng" in page
    assert "Chỉ số «khong.co.chi.so» chưa có trong danh mục" in page
    assert "chi bộ thôn, bản, tổ dân phố" in page


# -- review cannot be skipped --------------------------------------------------------------------

def test_a_two_binding_target_is_saved_only_after_both_are_confirmed(tree):
    from dangvu.plans import services as s
    from dangvu.plans.models import Binding

    plan = _draft(tree, {"text": "90% tổ chức cơ sở đảng, đảng viên hoàn thành tốt nhiệm vụ",
                         "bindings": ORGS_AND_MEMBERS})
    orgs, members = Binding.objects.filter(target__plan=plan)
    with pytest.raises(s.UnconfirmedBindings) as refused:
        s.save_plan(None, plan)
    assert [b.pk for b in refused.value.bindings] == [orgs.pk, members.pk]
    assert refused.value.code == Code.INCOMPLETE
    client = _client(tree)
    url = reverse("plans:plan_review", args=[plan.pk])
    r = client.post(url, {"action": "save"})
    page = r.content.decode()
    assert r.status_code == 400
    assert "còn 2 cách đo máy đề xuất chưa được xác nhận" in page
    assert "Tỷ lệ tổ chức đảng hoàn thành tốt nhiệm vụ trở lên" in page
    assert "Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên" in page
    assert page.count("Hãy chọn «Xác nhận» hoặc «Bỏ» cho cách đo này.") == 2
    # one decision of two: refused, the other one named, nothing written
    r = client.post(url, {"action": "save", f"b{orgs.pk}": "confirm"})
    assert r.status_code == 400
    assert r.context["form"].errors == {f"b{members.pk}": ["Hãy chọn «Xác nhận» hoặc «Bỏ» cho cách đo này."]}
    orgs.refresh_from_db()
    plan.refresh_from_db()
    assert not orgs.confirmed and plan.state == "draft"
    # confirm one by its own button: still not saved
    assert client.post(url, {"action": "confirm", "binding": str(orgs.pk)}).status_code == 302
    assert client.post(url, {"action": "save"}).status_code == 400
    plan.refresh_from_db()
    assert plan.state == "draft"
    # no one-click confirmation for a person
    with pytest.raises(ServiceError) as exc:
        s.confirm_all(tree.users["office"], plan)
    assert exc.value.code == Code.FORBIDDEN
    # the second confirmed with the save: saved, who and when on each
    r = client.post(url, {"action": "save", f"b{members.pk}": "confirm"})
    assert r.status_code == 302 and r["Location"] == reverse("plans:plan_dashboard", args=[plan.pk])
    plan.refresh_from_db()
    assert plan.state == "active"
    for b in Binding.objects.filter(target__plan=plan):
        assert (b.confirmed, b.confirmed_by) == (True, tree.users["office"]) and b.confirmed_at is not None


def test_clearing_a_binding_at_save_leaves_the_other(tree):
    from dangvu.plans.models import Binding

    plan = _draft(tree, {"text": "90% tổ chức cơ sở đảng, đảng viên hoàn thành tốt nhiệm vụ",
                         "bindings": ORGS_AND_MEMBERS})
    orgs, members = Binding.objects.filter(target__plan=plan)
    r = _client(tree).post(reverse("plans:plan_review", args=[plan.pk]),
                           {"action": "save", f"b{orgs.pk}": "clear", f"b{members.pk}": "confirm"})
    assert r.status_code == 302
    assert list(Binding.objects.filter(target__plan=plan).values_list("indicator", "confirmed")) == [
        ("members.rated_good_or_better_share", True)]


def test_the_target_form_sets_two_bindings_and_confirms_them(tree):
    from dangvu.plans.models import Binding

    plan = _draft(tree, {"text": "100% chi bộ có chi ủy", "op": "=", "value": 100})
    target = plan.targets.get()
    client = _client(tree)
    url = reverse("plans:target_edit", args=[target.pk])
    page = client.get(url).content.decode()
    assert "Cách đo 1: chỉ số đo" in page and "Cách đo 2: chỉ số đo" in page
    base = {"text": target.text, "op": "=", "value": "100", "unit": "%", "scope": ""}
    r = client.post(url, {**base, **_as_read(target), "indicator": "cells.with_committee_share",
                          "params": "sector = agency",
                          "indicator_2": "cells.with_committee_share", "params_2": "sector = residential"})
    assert r.status_code == 302, r.content.decode()[-1500:]
    rows = list(Binding.objects.filter(target=target).values_list("indicator", "params", "source", "confirmed_by"))
    assert rows == [("cells.with_committee_share", {"sector": "agency"}, "person", tree.users["office"].pk),
                    ("cells.with_committee_share", {"sector": "residential"}, "person", tree.users["office"].pk)]
    # the same binding twice is refused on the field
    r = client.post(url, {**base, **_as_read(target), "indicator": "cells.with_committee_share",
                          "params": "sector = agency",
                          "indicator_2": "cells.with_committee_share", "params_2": "sector = agency"})
    assert r.status_code == 400 and r.context["form"].errors["indicator_2"] == ["Cách đo này đã được chọn ở trên."]
    # a third slot appears once two are set; clearing the second keeps the first
    assert "Cách đo 3: chỉ số đo" in client.get(url).content.decode()
    r = client.post(url, {**base, **_as_read(target), "indicator": "cells.with_committee_share",
                          "params": "sector = agency", "indicator_2": "__manual__"})
    assert r.status_code == 302
    assert list(Binding.objects.filter(target=target).values_list("params", flat=True)) == [{"sector": "agency"}]


# -- units ----------------------------------------------------------------------------------------

def test_a_binding_of_the_other_unit_is_refused(tree):
    from dangvu.plans import services as s

    plan = _draft(tree, {"text": "90% đảng viên hoàn thành tốt nhiệm vụ", "bindings": ORGS_AND_MEMBERS[1:]})
    target = plan.targets.get()
    with pytest.raises(ServiceError) as exc:
        s.add_binding(None, target, "members.count")
    assert exc.value.code == Code.UNIT_MISMATCH
    assert "tính theo số lượng, còn chỉ tiêu tính theo tỷ lệ" in exc.value.message  # says which unit is which
    client = _client(tree)
    r = client.post(reverse("plans:target_edit", args=[target.pk]), {
        "text": target.text, "op": ">=", "value": "90", "unit": "%", "scope": "", **_as_read(target),
        "indicator": "members.rated_good_or_better_share", "indicator_2": "admissions.count_year"})
    assert r.status_code == 400
    (message,) = r.context["form"].errors["indicator_2"]
    assert message.startswith("Chỉ số «Số đảng viên kết nạp trong năm» tính theo số lượng, còn chỉ tiêu tính theo "
                              "tỷ lệ (%)")
    assert message in r.content.decode()
    assert [b.indicator for b in target.bindings.all()] == ["members.rated_good_or_better_share"]
    # nor can the target's unit change under its binding
    with pytest.raises(ServiceError) as exc:
        s.update_target(None, target, unit="count", value=5)
    assert (exc.value.code, exc.value.field) == (Code.UNIT_MISMATCH, "unit")
    target.refresh_from_db()
    assert target.unit == "%"
    # changing the unit and the binding together is one review
    r = client.post(reverse("plans:target_edit", args=[target.pk]), {
        "text": target.text, "op": ">=", "value": "5", "unit": "count", "scope": "", "indicator": "members.count",
        **_as_read(target)})
    assert r.status_code == 302, r.content.decode()[-800:]
    target.refresh_from_db()
    assert (target.unit, [b.indicator for b in target.bindings.all()]) == ("count", ["members.count"])


# -- figures: params reach the indicator, the worst status -----------------------------------------

def _meet_every_month(cell, year: int) -> None:
    from dangvu.meetings import services as ms

    for month in range(1, 13):
        day = dt.date(year, month, 10)
        ms.record_meeting(None, cell, held_on=day, starts_at=dt.time(19, 0), ends_at=dt.time(21, 0),
                          kind="regular", materials_sent_on=day - dt.timedelta(days=2))


def test_params_reach_the_indicator(tree):
    from dangvu.plans import services as s
    from dangvu.plans.progress import target_progress

    _meet_every_month(tree.orgs["C1B"], Y - 1)  # the agency cell met every month; the village cell never
    plan = _draft(tree, {"text": "100% chi bộ sinh hoạt thường kỳ đúng Điều lệ", "op": "=", "value": 100,
                         "by": Y - 1, "indicator": "cells.regular_meetings_complete_share"})
    target = plan.targets.get()
    assert target_progress(target, TODAY).value == 50.0  # both cells of C1
    s.bind_target(None, target, "cells.regular_meetings_complete_share", {"sector": "residential"})
    p = target_progress(target, TODAY)
    assert (p.value, p.detail, p.status) == (0.0, "0/1", Status.MISSED)
    assert p.series[0].params_text == "chi bộ thôn, bản, tổ dân phố"
    s.bind_target(None, target, "cells.regular_meetings_complete_share", {"sector": "agency"})
    assert target_progress(target, TODAY).value == 100.0


@pytest.fixture
def two_way(tree):
    """An active plan of C1 whose one target is measured for agency and for village cells: the
    agency cell C1B has a committee, the village cell C1A has none."""
    from dangvu.plans import services as s
    from dangvu.registry import services as rs

    rs.add_post(None, tree.orgs["C1B"], tree.members["dung"], "committee_member", dt.date(2026, 3, 5))
    plan = _draft(tree, {"text": "100% chi bộ cơ quan và chi bộ thôn có chi ủy", "op": "=", "value": 100,
                         "bindings": BY_SECTOR})
    s.confirm_all(None, plan)
    s.save_plan(None, plan)
    return plan


def test_the_target_status_is_the_worst_of_its_bindings(two_way, tree):
    from dangvu.plans.progress import target_progress

    target = two_way.targets.get()
    p = target_progress(target, TODAY)
    assert [(x.params_text, x.value, x.status) for x in p.series] == [
        ("chi bộ cơ quan", 100.0, Status.MET), ("chi bộ thôn, bản, tổ dân phố", 0.0, Status.AT_RISK)]
    assert p.status == Status.AT_RISK and p.value == 0.0 and p.multiple
    r = _client(tree, "viewer").get(reverse("plans:plan_dashboard", args=[two_way.pk]))
    page = r.content.decode()
    assert r.context["counts"][2] == ("at_risk", "Có nguy cơ không đạt", 1)
    assert "theo cách đo kém nhất trong 2 cách đo" in page
    assert "chi bộ cơ quan" in page and "chi bộ thôn, bản, tổ dân phố" in page
    assert page.count('class="st st-met"') >= 1 and page.count('class="st st-at_risk"') >= 2
    # the target page: each binding with its value and chart
    r = _client(tree, "viewer").get(reverse("plans:target_detail", args=[target.pk]))
    page = r.content.decode()
    assert r.status_code == 200
    assert "Cách đo (2)" in page and page.count("<svg") == 2
    assert "100%" in page and "(1/1)" in page and "(0/1)" in page
    assert _client(tree, "secretary").get(reverse("plans:target_detail", args=[target.pk])).status_code == 404


def test_report_and_cli_list_both_bindings(two_way, tree, tmp_path, capsys):
    import docx
    import openpyxl

    from dangvu.cli import main

    r = _client(tree, "viewer").get(reverse("plans:plan_report", args=[two_way.pk, "docx"]))
    doc = docx.Document(io.BytesIO(r.content))
    rows = [[c.text for c in row.cells] for row in doc.tables[1].rows[1:]]
    assert rows == [
        ["1", "100% chi bộ cơ quan và chi bộ thôn có chi ủy\nĐo bằng 2 cách (đánh giá theo cách kém nhất):", "100%",
         "", "", "Có nguy cơ không đạt"],
        ["1.1", "Đo bằng: Tỷ lệ chi bộ có cấp ủy (chi ủy) — chi bộ cơ quan", "100%", f"100% (năm {Y})",
         "100% (năm 2030)", "Đạt"],
        ["1.2", "Đo bằng: Tỷ lệ chi bộ có cấp ủy (chi ủy) — chi bộ thôn, bản, tổ dân phố", "100%", f"0% (năm {Y})",
         "0% (năm 2030)", "Có nguy cơ không đạt"]]
    r = _client(tree, "viewer").get(reverse("plans:plan_report", args=[two_way.pk, "xlsx"]))
    ws = openpyxl.load_workbook(io.BytesIO(r.content))["Chỉ tiêu"]
    data = [row for row in ws.iter_rows(min_row=5, values_only=True)]
    assert [(row[0], row[5], row[6], row[7], row[11], row[12]) for row in data] == [
        ("1.1", "Tỷ lệ chi bộ có cấp ủy (chi ủy)", "chi bộ cơ quan", 100, "Đạt", "Có nguy cơ không đạt"),
        ("1.2", "Tỷ lệ chi bộ có cấp ủy (chi ủy)", "chi bộ thôn, bản, tổ dân phố", 0, "Có nguy cơ không đạt",
         "Có nguy cơ không đạt")]
    out = tmp_path / "bao-cao.docx"
    assert main(["report", "plan", str(two_way.pk), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "1. 100% chi bộ cơ quan và chi bộ thôn có chi ủy — mục tiêu 100%: Có nguy cơ không đạt" in printed
    assert f"   - Tỷ lệ chi bộ có cấp ủy (chi ủy) — chi bộ cơ quan: 100% (năm {Y}) — Đạt" in printed
    assert (f"   - Tỷ lệ chi bộ có cấp ủy (chi ủy) — chi bộ thôn, bản, tổ dân phố: 0% (năm {Y}) — "
            "Có nguy cơ không đạt") in printed


def test_cascade_pairs_targets_sharing_any_binding(two_way, tree):
    from dangvu.plans import services as s
    from dangvu.plans.progress import cascade

    child = _draft(tree, {"text": "Chi bộ thôn có chi ủy", "op": "=", "value": 100,
                          "bindings": [BY_SECTOR[1]]}, code="C1A")
    s.update_plan(None, child, parent=two_way)
    row = next(r for r in cascade(child) if r.target is not None)
    assert (row.parent_target, row.how) == (two_way.targets.get(), "indicator")


# -- texts kept whole -------------------------------------------------------------------------------

def test_long_target_text_is_kept_whole(tree):
    from dangvu.plans import services as s

    words = " ".join(f"đảng viên thứ {i} tham gia đầy đủ" for i in range(150))
    assert len(words) > 4000
    plan = _draft(tree, {"text": words, "section": "II.2.1 (phần chỉ tiêu về đảng viên và tổ chức đảng)",
                         "indicator": "members.rated_good_or_better_share"})
    target = plan.targets.get()
    assert target.text == words
    assert target.section == "II.2.1 (phần chỉ tiêu về đảng viên và…"  # cut between words, marked
    client = _client(tree)
    assert words in client.get(reverse("plans:plan_review", args=[plan.pk])).content.decode()
    r = client.post(reverse("plans:target_edit", args=[target.pk]), {
        "text": words + " nữa", "op": ">=", "value": "90", "unit": "%", "scope": "", **_as_read(target),
        "indicator": "members.rated_good_or_better_share"})
    assert r.status_code == 302, r.content.decode()[-800:]
    target.refresh_from_db()
    assert target.text == words + " nữa"
    s.confirm_all(None, plan)
    s.save_plan(None, plan)
    page = _client(tree, "viewer").get(reverse("plans:plan_dashboard", args=[plan.pk])).content.decode()
    assert words + " nữa" in page
    assert str(target).endswith(" …") and len(str(target)) <= 80


# -- the migration ------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_migration_carries_the_single_binding_over(tree):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from dangvu.plans.models import Binding, Target

    office = tree.users["office"]
    when = dt.datetime(2025, 4, 2, 9, 30, tzinfo=dt.UTC)
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("plans")
    executor.migrate([("plans", "0001_initial")])
    try:
        old = MigrationExecutor(connection).loader.project_state([("plans", "0001_initial")]).apps
        OldPlan, OldTarget = old.get_model("plans", "Plan"), old.get_model("plans", "Target")
        plan = OldPlan.objects.create(issuer_id=tree.orgs["C1"].pk, title="Kế hoạch cũ", start_year=2025,
                                      end_year=2030, state="active")
        common = {"plan": plan, "op": "=", "value": 100, "unit": "%"}
        ids = {
            "reader": OldTarget.objects.create(
                **common, position=0, text="100% chi bộ thôn có chi ủy", indicator="cells.with_committee_share",
                params={"sector": "residential"}, proposed_indicator="cells.with_committee_share", confirmed=True,
                confirmed_by_id=office.pk, confirmed_at=when).pk,
            "person": OldTarget.objects.create(
                **common, position=1, text="Có từ 3 đảng viên", indicator="members.count",
                proposed_indicator="admissions.count_year", confirmed=True, confirmed_by_id=office.pk,
                confirmed_at=when).pk,
            "pending": OldTarget.objects.create(
                **common, position=2, text="90% đảng viên hoàn thành tốt", indicator="members.rated_good_or_better_share",
                proposed_indicator="members.rated_good_or_better_share").pk,
            "manual": OldTarget.objects.create(
                **common, position=3, text="95% hộ gia đình văn hóa", proposed_indicator="households.cultural_share",
                confirmed=True, confirmed_by_id=office.pk, confirmed_at=when).pk,
        }
        MigrationExecutor(connection).migrate(latest)
        rows = {k: list(Binding.objects.filter(target_id=pk).values_list(
            "indicator", "params", "source", "added_by", "confirmed", "confirmed_by", "confirmed_at"))
            for k, pk in ids.items()}
        assert rows == {
            "reader": [("cells.with_committee_share", {"sector": "residential"}, "reader", None, True, office.pk, when)],
            "person": [("members.count", {}, "person", office.pk, True, office.pk, when)],
            "pending": [("members.rated_good_or_better_share", {}, "reader", None, False, None, None)],
            "manual": [],
        }
        proposed = dict(Target.objects.filter(pk__in=ids.values()).values_list("text", "proposed"))
        assert proposed["Có từ 3 đảng viên"] == [{"indicator": "admissions.count_year", "params": {}}]
        assert proposed["95% hộ gia đình văn hóa"] == [{"indicator": "households.cultural_share", "params": {}}]
        # and back: the first binding returns to the old fields
        MigrationExecutor(connection).migrate([("plans", "0001_initial")])
        old = MigrationExecutor(connection).loader.project_state([("plans", "0001_initial")]).apps
        back = old.get_model("plans", "Target").objects.get(pk=ids["reader"])
        assert (back.indicator, back.params, back.proposed_indicator, back.confirmed, back.confirmed_by_id) == (
            "cells.with_committee_share", {"sector": "residential"}, "cells.with_committee_share", True, office.pk)
    finally:
        MigrationExecutor(connection).migrate(latest)


def test_a_meeting_frequency_is_measured_as_every_cell(tree):
    """Seed 000's "mỗi quý chi bộ sinh hoạt chuyên đề ít nhất một lần" (a count a quarter) is what the
    quarterly-thematic share checks: the draft measures it as 100% of cells. Twice a quarter asks
    more than the rule set's once, so that one stays manual."""
    from dangvu.plans.models import Binding

    thematic = [{"indicator": "cells.thematic_quarterly_share", "params": {}}]
    plan = _draft(tree,
                  {"text": "mỗi quý chi bộ sinh hoạt chuyên đề ít nhất một lần", "op": ">=", "value": 1,
                   "unit": "count", "period": "quarterly", "bindings": thematic},
                  {"text": "mỗi quý sinh hoạt chuyên đề ít nhất hai lần", "op": ">=", "value": 2,
                   "unit": "count", "period": "quarterly", "bindings": thematic})
    once, twice = plan.targets.order_by("position")
    assert (once.op, once.value, once.unit) == ("=", 100, "%")
    assert [b.indicator for b in Binding.objects.filter(target=once)] == ["cells.thematic_quarterly_share"]
    assert (twice.op, twice.value, twice.unit) == (">=", 2, "count")
    assert not Binding.objects.filter(target=twice).exists()
