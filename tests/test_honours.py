"""Commendations and Party badges (issue 16 point 5): the occasion list from the CLI on a known
world, the excluded period, early and posthumous award, the documents, the scope, the decision."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from auditlog.models import LogEntry
from conftest import logged_in, make_member_data
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from dangvu import indicators
from dangvu.cli import main
from dangvu.common import Code, ServiceError
from dangvu.honours import services as hs
from dangvu.honours.models import BadgeAward, Commendation
from dangvu.indicators import Period
from dangvu.registry import services as rs
from dangvu.registry.models import StatusChange

D = dt.date
FEB = D(2026, 2, 3)


def member(org, name: str, admitted: dt.date, birth: dt.date | None = None):
    return rs.register_member(None, org, make_member_data(name, birth or D(1950, 1, 1), admitted_on=admitted,
                                                          full_on=admitted.replace(year=admitted.year + 1)))


@pytest.fixture
def world(tree):
    c1a, c1b, c2a = tree.orgs["C1A"], tree.orgs["C1B"], tree.orgs["C2A"]
    w = {
        # reaches 30 years on the occasion itself: 30 × 365 + 8 leap days
        "giang": member(c1a, "Hoàng Văn Giang", D(1996, 2, 3)),
        "hanh": member(c1b, "Vũ Thị Hạnh", D(1981, 1, 10)),          # 45 years and 24 days
        "khanh": member(c1a, "Đỗ Văn Khánh", D(1985, 6, 1)),         # 40 years, badge already awarded
        "long": member(c1a, "Bùi Văn Long", D(1996, 1, 1)),          # 30 on 1/1/2026 but for 60 days out
        "mai": member(c1b, "Ngô Thị Mai", D(1997, 2, 3)),            # 30 on 3/2/2027: only early
        "nam": member(c1a, "Đinh Văn Nam", D(1990, 1, 1)),           # died 1/6/2025 with 35 years
        "phuc": member(c2a, "Lý Văn Phúc", D(1995, 5, 5)),           # due, but in the other commune
    }
    # Long was struck off on 1/1/2000 and re-admitted on 1/3/2000 (60 days out, 2000 a leap year):
    # no service re-admits yet, so the history rows are written as an import would.
    StatusChange.objects.create(member=w["long"], event="strike_off", on=D(2000, 1, 1))
    StatusChange.objects.create(member=w["long"], event="admit", on=D(2000, 3, 1))
    rs.record_death(None, w["nam"], D(2025, 6, 1))
    hs.propose_badge(None, w["khanh"], D(2025, 9, 2))
    hs.decide_badges(None, tree.orgs["C1"], D(2025, 9, 2), D(2025, 8, 20), "15-QĐ/ĐU")
    tree.members.update(w)
    return tree


def cli_json(capsys, *argv: str):
    assert main(["badges", *argv, "--json"]) == 0
    out, err = capsys.readouterr()
    return json.loads(out), err


def test_cli_lists_the_members_due_on_an_occasion(world, capsys):
    m = world.members
    got, err = cli_json(capsys, "--org", "C1", "--occasion", "2026-02-03")
    assert err == ""
    assert got == [
        {"member": m["giang"].pk, "name": "Hoàng Văn Giang", "badge": 30, "party_age_days": 10958, "early": False},
        {"member": m["hanh"].pk, "name": "Vũ Thị Hạnh", "badge": 45,
         "party_age_days": (FEB - D(1981, 1, 10)).days, "early": False},
    ]
    whole, _ = cli_json(capsys, "--org", "P", "--occasion", "2026-02-03")
    assert [r["name"] for r in whole] == ["Hoàng Văn Giang", "Lý Văn Phúc", "Vũ Thị Hạnh"]


def test_the_period_out_of_the_party_pushes_the_badge_back(world, capsys):
    long_ = world.members["long"]
    got, _ = cli_json(capsys, "--org", "C1A", "--occasion", "2026-05-19")
    row = next(r for r in got if r["member"] == long_.pk)
    assert row["badge"] == 30
    assert row["party_age_days"] == (D(2026, 5, 19) - D(1996, 1, 1)).days - 60


def test_a_date_that_is_not_an_occasion_is_named_but_accepted(world, capsys):
    got, err = cli_json(capsys, "--org", "C1", "--occasion", "2026-02-04")
    assert "không phải dịp tặng" in err and "3/2, 19/5, 2/9, 7/11" in err
    assert [r["name"] for r in got] == ["Hoàng Văn Giang", "Vũ Thị Hạnh"]
    assert main(["badges", "--org", "C1", "--occasion", "03/02/2026", "--json"]) == 2
    assert main(["badges", "--org", "KHONG-CO", "--occasion", "2026-02-03", "--json"]) == 2


def test_early_award_for_a_seriously_ill_member(world, capsys):
    mai = world.members["mai"]
    with pytest.raises(ServiceError) as refused:
        hs.propose_badge(world.users["office"], mai, FEB)
    assert refused.value.code == Code.RULE
    award = hs.propose_badge(world.users["office"], mai, FEB, seriously_ill=True)
    assert (award.badge_years, award.early, award.occasion) == (30, True, FEB)
    got, _ = cli_json(capsys, "--org", "C1B", "--occasion", "2026-02-03")
    assert {"member": mai.pk, "name": "Ngô Thị Mai", "badge": 30,
            "party_age_days": (FEB - D(1997, 2, 3)).days, "early": True} in got


def test_posthumous_award_for_a_deceased_member(world, capsys):
    nam = world.members["nam"]
    got, _ = cli_json(capsys, "--org", "C1A", "--occasion", "2026-02-03", "--posthumous")
    assert {"member": nam.pk, "name": "Đinh Văn Nam", "badge": 30,
            "party_age_days": (D(2025, 6, 1) - D(1990, 1, 1)).days, "early": False, "posthumous": True} in got
    award = hs.propose_badge(world.users["secretary"], nam, FEB)
    assert (award.badge_years, award.posthumous) == (30, True)


def test_each_badge_once(world):
    with pytest.raises(ServiceError) as refused:
        hs.propose_badge(None, world.members["khanh"], FEB)
    assert refused.value.code == Code.RULE
    assert BadgeAward.objects.filter(member=world.members["khanh"]).count() == 1


def test_another_subtrees_member_cannot_be_proposed(world):
    phuc = world.members["phuc"]
    with pytest.raises(ServiceError) as refused:
        hs.propose_badge(world.users["office"], phuc, FEB)
    assert refused.value.code == Code.FORBIDDEN
    with pytest.raises(ServiceError) as refused:
        hs.propose_badge(None, phuc, FEB, org=world.orgs["C1"])
    assert refused.value.code == Code.OUT_OF_SUBTREE
    assert not BadgeAward.objects.filter(member=phuc).exists()
    client = logged_in(world.users["office"])
    r = client.post(reverse("honours:badge_action", args=["C1"]),
                    {"dip": "2026-02-03", "action": "propose", "id": phuc.pk})
    assert r.status_code == 404
    assert client.post(reverse("honours:badge_action", args=["C2"]),
                       {"dip": "2026-02-03", "action": "all"}).status_code == 404
    assert logged_in(world.users["viewer"]).post(
        reverse("honours:badge_action", args=["C1"]), {"dip": "2026-02-03", "action": "all"}).status_code == 403
    assert not BadgeAward.objects.filter(occasion=FEB).exists()


def test_page_proposes_decides_and_writes_the_documents(world):
    client = logged_in(world.users["office"])
    url = reverse("honours:badges", args=["C1"]) + "?dip=2026-02-03"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-count="due">2<' in html and "Hoàng Văn Giang" in html and "Lý Văn Phúc" not in html
    # Above a cell, who could be proposed early is read when asked for (a link), then offered.
    assert "Ngô Thị Mai" not in html and "som=1" in html
    assert "Ngô Thị Mai" in client.get(url + "&som=1").content.decode()  # offered for the early award
    r = client.post(reverse("honours:badge_action", args=["C1"]), {"dip": "2026-02-03", "action": "all"})
    assert r.status_code == 302
    assert sorted(BadgeAward.objects.filter(occasion=FEB).values_list("badge_years", flat=True)) == [30, 45]
    giang_award = BadgeAward.objects.get(member=world.members["giang"])
    entry = LogEntry.objects.get_for_object(giang_award).get()
    assert (entry.actor, entry.action) == (world.users["office"], LogEntry.Action.CREATE)
    due = indicators.compute("badges.due_count", world.orgs["C1"], Period(FEB, FEB), occasion=FEB)
    assert (due.value, due.breakdown) == (2, {"30": 1, "45": 1})
    proposal = client.get(reverse("honours:badge_document", args=["C1", "de-nghi", "docx"]) + "?dip=2026-02-03")
    assert proposal.status_code == 200
    text = "\n".join(c.text for t in Document(io.BytesIO(proposal.content)).tables for row in t.rows for c in row.cells)
    assert "Hoàng Văn Giang" in text and "Vũ Thị Hạnh" in text and "45 năm" in text
    r = client.post(reverse("honours:badge_decide", args=["C1"]) + "?dip=2026-02-03",
                    {"dip": "2026-02-03", "decision_number": "21-QĐ/ĐU", "decided_on": "20/01/2026"})
    assert r.status_code == 302
    assert set(BadgeAward.objects.filter(occasion=FEB).values_list("decision_number", "decided_on")) == {
        ("21-QĐ/ĐU", D(2026, 1, 20))}
    xlsx = client.get(reverse("honours:badge_document", args=["C1", "quyet-dinh", "xlsx"]) + "?dip=2026-02-03")
    cells = [c for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True) for c in row]
    assert "Hoàng Văn Giang" in cells and "Vũ Thị Hạnh" in cells and "Đỗ Văn Khánh" not in cells
    decision = client.get(reverse("honours:badge_document", args=["C1", "quyet-dinh", "docx"]) + "?dip=2026-02-03")
    doc = Document(io.BytesIO(decision.content))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Tặng Huy hiệu Đảng cho 2 đồng chí" in body
    assert "Hoàng Văn Giang" in "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    # decided: no longer due, and counted as awarded in January 2026
    assert client.get(url).content.decode().count('data-count="due">0<') == 1
    assert indicators.compute("badges.awarded_count", world.orgs["C1"], Period.year(2026)).value == 2


def test_commendations_of_a_member_and_an_organization(world):
    client = logged_in(world.users["secretary"])
    giang = world.members["giang"]
    url = reverse("honours:member_commendations", args=[giang.pk])
    r = client.post(reverse("honours:member_commendation_add", args=[giang.pk]), {"kind": "merit", "level": "province", "decision_number": "102-QĐ/TU",
                          "decided_on": "15/01/2026", "note": "Hoàn thành xuất sắc nhiệm vụ năm 2025"})
    assert r.status_code == 302
    c = Commendation.objects.get(member=giang)
    assert (c.kind, c.level, c.decided_on) == ("merit", "province", D(2026, 1, 15))
    assert "102-QĐ/TU" in client.get(url).content.decode()
    with pytest.raises(ServiceError) as refused:
        hs.add_commendation(world.users["secretary"], organization=world.orgs["C1"], kind="merit",
                            level="province", decision_number="1", decided_on=D(2026, 1, 1))
    assert refused.value.code == Code.FORBIDDEN
    r = logged_in(world.users["office"]).post(reverse("honours:org_commendation_add", args=["C1A"]), {
        "kind": "emulation_flag", "level": "commune", "decision_number": "", "decided_on": "15/01/2026"})
    assert r.status_code == 400 and not Commendation.objects.filter(organization=world.orgs["C1A"]).exists()
    viewer = logged_in(world.users["viewer"])
    assert "102-QĐ/TU" in viewer.get(url).content.decode()
    assert viewer.get(reverse("honours:member_commendation_add", args=[giang.pk])).status_code == 403


def test_a_returned_badge_is_recorded_only_after_leaving(world):
    khanh = world.members["khanh"]
    award = BadgeAward.objects.get(member=khanh)
    with pytest.raises(ServiceError) as refused:
        hs.return_badge(None, award, D(2026, 3, 1))
    assert refused.value.code == Code.RULE
    rs.strike_off(None, khanh, D(2026, 3, 1))
    award.refresh_from_db()
    khanh.refresh_from_db()
    assert hs.return_badge(None, award, D(2026, 3, 2)).returned_on == D(2026, 3, 2)


def test_badge_page_lists_read_back_are_the_computed_ones(world):
    from dangvu.core.rulesets import ruleset_for
    from dangvu.honours import badge_page
    from dangvu.plans.models import StoredResult

    c1 = world.orgs["C1"]
    hs.propose_badge(None, world.members["giang"], FEB)

    def seen(lists) -> tuple:
        def rows(rs_) -> list:
            return [(r.member.pk, r.member.organization.name, r.due, r.proposal.pk if r.proposal else None)
                    for r in rs_]
        return rows(lists.living), lists.more_living, rows(lists.posthumous), lists.more_posthumous, lists.due

    computed = badge_page.badge_lists(c1, FEB, ruleset_for(FEB))
    again = badge_page.badge_lists(c1, FEB, ruleset_for(FEB))
    assert StoredResult.objects.filter(organization=c1, name="badges").count() == 1
    assert seen(again) == seen(computed)
    living, _more, posthumous, _more_p, due = seen(again)
    assert {pk for pk, *_ in living} >= {world.members["giang"].pk, world.members["hanh"].pk}
    assert any(proposal for *_, proposal in living) and [pk for pk, *_ in posthumous] == [world.members["nam"].pk]
    assert due == len(living)
