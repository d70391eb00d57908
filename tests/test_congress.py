"""Congress: schedule checks, committee freeze, campaign milestones and progress, delegate
apportionment page, drafts, elections with counting teams, official count, recount and minutes."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from auditlog.models import LogEntry
from conftest import make_member_data
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook
from person_names import letters

from dangvu.common import Code, ServiceError
from dangvu.congress import selectors as sel
from dangvu.congress import services as cs
from dangvu.congress.models import Ballot, Congress, CountingTeam, Milestone, Tally
from dangvu.core import clock
from dangvu.core.apportion import apportion
from dangvu.core.tally import tally
from dangvu.registry import services as s

pytestmark = pytest.mark.django_db

CANDIDATES = ["Nguyễn Văn An", "Lê Văn Cường", "Hoàng Thị Hoa", "Đỗ Văn Khánh"]
# Kept flags per ballot, in the order above. A 4 votes, C 3, H 3, K 0; two invalid ballots.
BALLOTS = [
    [1, 1, 0, 0],
    [1, 0, 1, 0],
    [1, 1, 0, 0],
    [0, 1, 1, 0],
    [1, 0, 1, 0],
    [1, 1, 1, 0],  # too many kept
    [0, 0, 0, 0],  # every name struck
]


def client_as(tree, who: str) -> Client:
    client = Client()
    client.force_login(tree.users[who])
    return client


def full_member(org, name: str, born: int = 1980):
    return s.register_member(None, org, make_member_data(
        name, dt.date(born, 5, 5), admitted_on=dt.date(2005, 1, 10), full_on=dt.date(2006, 1, 10)))


def congress_of(org, starts_on: dt.date, days: int = 1, **kw) -> Congress:
    kind = "delegates" if org.kind in ("province", "upper", "grassroots_committee") else "members"
    return cs.save_congress(None, org, term=kw.pop("term", "2025-2030"), kind=kw.pop("kind", kind),
                            starts_on=starts_on, ends_on=starts_on + dt.timedelta(days=days - 1), **kw)


# -- freeze, length, window, pilot ------------------------------------------------------------------------

def test_freeze_refuses_committee_post_5_months_before_and_allows_7(tree):
    c1 = tree.orgs["C1"]
    congress_of(c1, dt.date(2027, 6, 15))
    with pytest.raises(ServiceError) as exc:
        s.add_post(None, c1, tree.inside, "committee_member", dt.date(2027, 1, 15))
    assert (exc.value.code, exc.value.field) == (Code.RULE, "started_on")
    message = str(exc.value)
    assert "6 tháng trước đại hội" in message and "15/06/2027" in message and "15/12/2026" in message
    assert not tree.inside.posts.exists()
    post = s.add_post(None, c1, tree.inside, "committee_member", dt.date(2026, 11, 15))
    assert post.pk
    # the new term's committee, elected at the congress, is not frozen; nor is a unit head
    assert s.add_post(None, c1, tree.own, "committee_member", dt.date(2027, 6, 15)).pk
    assert s.add_post(None, c1, tree.own, "unit_head", dt.date(2027, 3, 1)).pk


def test_freeze_through_the_post_form(tree):
    c1a = tree.orgs["C1A"]
    congress_of(c1a, dt.date(2027, 4, 10))
    client = client_as(tree, "office")
    r = client.post(reverse("registry:post_add", args=["C1A"]), {
        "member": tree.inside.pk, "role": "deputy", "started_on": "2027-01-02"})
    assert r.status_code == 400
    assert "Không bổ sung cấp ủy viên trong 6 tháng trước đại hội" in r.content.decode()


def test_length_and_window_and_pilot_order(tree):
    c1, c1a, c1b, p = tree.orgs["C1"], tree.orgs["C1A"], tree.orgs["C1B"], tree.orgs["P"]
    with pytest.raises(ServiceError) as exc:
        congress_of(c1, dt.date(2027, 5, 4), days=3)
    assert exc.value.code == Code.RULE and "kéo dài 3 ngày, vượt quá 2 ngày" in exc.value.message
    assert congress_of(p, dt.date(2027, 8, 4), days=3).pk  # upper level: 3 days allowed
    with pytest.raises(ServiceError) as exc:
        congress_of(p, dt.date(2030, 8, 4), days=4, term="2030-2035")
    assert exc.value.code == Code.RULE and "kéo dài 4 ngày, vượt quá 3 ngày" in exc.value.message

    campaign = cs.create_timeline(None, c1, title="Kế hoạch đại hội các chi bộ", term="2025-2030",
                                  window_start=dt.date(2027, 4, 1), window_end=dt.date(2027, 6, 15),
                                  pilot_end=dt.date(2027, 2, 28))
    with pytest.raises(ServiceError) as exc:
        congress_of(c1b, dt.date(2027, 6, 20), campaign=campaign)
    assert exc.value.code == Code.RULE and "phải hoàn thành trước ngày 15/06/2027" in exc.value.message
    with pytest.raises(ServiceError) as exc:
        congress_of(c1b, dt.date(2027, 3, 20), campaign=campaign)
    assert exc.value.code == Code.RULE and "được tổ chức từ ngày 01/04/2027" in exc.value.message
    with pytest.raises(ServiceError) as exc:
        congress_of(c1a, dt.date(2027, 3, 10), pilot=True, campaign=campaign)
    assert exc.value.code == Code.RULE and "Đại hội điểm phải hoàn thành trước ngày 28/02/2027" in exc.value.message
    pilot = congress_of(c1a, dt.date(2027, 2, 10), pilot=True, campaign=campaign)
    other = congress_of(c1b, dt.date(2027, 4, 5), campaign=campaign)
    # the pilot cannot be moved after the other congress of the same parent
    with pytest.raises(ServiceError) as exc:
        cs.save_congress(None, c1a, term="2025-2030", kind="members", pilot=True, starts_on=dt.date(2027, 4, 6),
                         ends_on=dt.date(2027, 4, 6), congress=pilot)
    assert exc.value.code == Code.RULE and "Đại hội điểm phải xong trước các đại hội khác" in exc.value.message
    # without a campaign window the order still holds: a sibling may not open before the pilot ends
    other.delete()
    pilot.campaign = None
    pilot.save()
    with pytest.raises(ServiceError) as exc:
        congress_of(c1b, dt.date(2027, 2, 9))
    assert exc.value.code == Code.RULE and "đại hội này phải khai mạc sau ngày đó" in exc.value.message
    assert congress_of(c1b, dt.date(2027, 2, 11)).pk
    with pytest.raises(ServiceError) as exc:
        congress_of(c1b, dt.date(2027, 2, 20))
    assert (exc.value.code, exc.value.field) == (Code.DUPLICATE, "term")


# -- timeline, milestones, progress -------------------------------------------------------------

def test_template_applied_to_c1_creates_milestones_and_progress_marks_overdue(tree):
    c1 = tree.orgs["C1"]
    today = dt.date.today()
    template = cs.create_timeline(None, c1, title="Kế hoạch chuẩn bị đại hội", term="2025-2030")
    past = cs.add_milestone_template(None, template, title="Hoàn thành dự thảo báo cáo chính trị",
                                     deadline=today - dt.timedelta(days=10), applies_to="all")
    future = cs.add_milestone_template(None, template, title="Duyệt nhân sự",
                                       deadline=today + dt.timedelta(days=30), applies_to="below")
    own = cs.add_milestone_template(None, template, title="Phân bổ đại biểu", deadline=today + dt.timedelta(days=5),
                                    applies_to="issuer")
    assert cs.apply_timeline(None, template) == 3 + 2 + 1
    assert cs.apply_timeline(None, template) == 0  # idempotent
    assert sorted(Milestone.objects.filter(item=past).values_list("organization__code", flat=True)) == [
        "C1", "C1A", "C1B"]
    assert sorted(Milestone.objects.filter(item=future).values_list("organization__code", flat=True)) == [
        "C1A", "C1B"]
    assert list(Milestone.objects.filter(item=own).values_list("organization__code", flat=True)) == ["C1"]

    done = Milestone.objects.get(item=past, organization__code="C1B")
    client = client_as(tree, "secretary")  # C1B is outside the secretary's scope
    assert client.get(reverse("congress:milestone_edit", args=[done.pk])).status_code == 404
    client = client_as(tree, "office")
    r = client.post(reverse("congress:milestone_edit", args=[done.pk]), {
        "status": "done", "done_on": (today - dt.timedelta(days=12)).isoformat(), "evidence": "Báo cáo số 12-BC/CB"})
    assert r.status_code == 302
    r = client.get(reverse("congress:progress", args=[template.pk]))
    assert r.status_code == 200
    rows = {org.code: ([c.state for c in cells], late) for org, cells, late in r.context["progress"].rows}
    assert rows == {
        "C1": (["overdue", "not_started", "na"], 1),
        "C1A": (["overdue", "na", "not_started"], 1),
        "C1B": (["done", "na", "not_started"], 0),
    }
    assert r.context["progress"].overdue == 2
    assert r.content.decode().count('data-state="overdue"') == 2
    # the secretary of C1A sees only C1A's row of C1's campaign? No: C1's campaign is above their scope.
    assert client_as(tree, "secretary").get(reverse("congress:progress", args=[template.pk])).status_code == 404


def test_timeline_from_plan_text_of_seed(tree, shared_dir):
    text = (shared_dir / "seeds" / "002_2225de99e12bd181.txt").read_text(encoding="utf-8")
    client = client_as(tree, "office")
    upload = io.BytesIO(text.encode())
    upload.name = "ke-hoach-133.txt"
    r = client.post(reverse("congress:timeline_add", args=["C1"]), {"plan": upload, "term": ""})
    assert r.status_code == 302, r.content.decode()[-2000:]
    template = tree.orgs["C1"].timelines.get()
    assert (template.term, template.document_number) == ("2025-2030", "133-KH/ĐUK")
    assert (template.window_start, template.window_end) == (dt.date(2025, 4, 1), dt.date(2025, 6, 15))
    deadlines = set(template.items.values_list("deadline", flat=True))
    assert {dt.date(2024, 9, 30), dt.date(2024, 12, 31), dt.date(2025, 6, 15), dt.date(2025, 8, 31)} <= deadlines
    assert template.phases.count() == 6
    assert cs.apply_timeline(None, template) > template.items.count()


# -- apportionment ---------------------------------------------------------------------------------

def test_apportionment_page_equals_core(tree):
    c1, c1b = tree.orgs["C1"], tree.orgs["C1B"]
    for i in range(4):
        full_member(c1b, f"Đảng viên Văn phòng {letters(i)}", 1970 + i)
    s.add_post(None, c1, tree.inside, "secretary", dt.date(2020, 6, 1))
    congress = congress_of(c1, dt.date(2027, 5, 10))
    client = client_as(tree, "office")
    page = client.get(reverse("congress:apportion", args=[congress.pk]))
    assert page.status_code == 200
    assert {o.code for o in page.context["form"].initial["orgs"]} == {"C1A", "C1B"}
    assert "Nguyễn Văn An" in page.content.decode()  # ex officio listed apart
    data = {"seats": 9, "minimum": 2, "orgs": [tree.orgs["C1A"].pk, c1b.pk], "action": "save"}
    r = client.post(reverse("congress:apportion", args=[congress.pk]), data)
    assert r.status_code == 302
    record = congress.apportionments.get()
    got = {line.organization.code: line.seats for line in record.lines.all()}
    assert got == apportion([("C1A", 2), ("C1B", 5)], 9, 2) == {"C1A": 3, "C1B": 6}
    assert record.ex_officio == [{"member_id": tree.inside.pk, "name": "Nguyễn Văn An", "role": "Bí thư"}]
    xlsx = client.get(reverse("congress:apportionment_xlsx", args=[record.pk]))
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = {r[1]: r[7] for r in ws.iter_rows(min_row=5, values_only=True) if r[1] in ("C1A", "C1B")}
    assert rows == {"C1A": 3, "C1B": 6}
    bad = client.post(reverse("congress:apportion", args=[congress.pk]), {**data, "seats": 3})
    assert bad.status_code == 400
    assert "ít hơn mức tối thiểu 2" in bad.context["form"].errors["seats"][0]  # beside the field it is about


def test_ex_officio_on_the_handover_day_is_the_successor_only(tree):
    """A post's ``ended_on`` is the first day it is no longer held: on the handover day the old
    secretary is no longer, the successor already is, an ex-officio delegate."""
    c1 = tree.orgs["C1"]
    handover = dt.date(2025, 10, 1)
    old = s.add_post(None, c1, tree.own, "secretary", dt.date(2020, 6, 1))
    s.end_post(None, old, handover)
    new = s.add_post(None, c1, tree.inside, "secretary", handover)
    assert sel.ex_officio(c1, handover) == [new]
    assert sel.ex_officio(c1, handover - dt.timedelta(days=1)) == [old]
    congress = congress_of(c1, dt.date(2027, 5, 10))
    with clock.frozen(handover):
        page = client_as(tree, "office").get(reverse("congress:apportion", args=[congress.pk]))
        record = cs.save_apportionment(None, congress, [tree.orgs["C1A"], tree.orgs["C1B"]], seats=4, minimum=1)
    assert page.context["ex_officio"] == [new]
    assert record.counted_on == handover
    assert record.ex_officio == [{"member_id": tree.inside.pk, "name": "Nguyễn Văn An", "role": "Bí thư"}]


# -- drafts ---------------------------------------------------------------------------------------

def test_drafts_versions_and_synthesis_docx(tree):
    c1 = tree.orgs["C1"]
    congress = congress_of(c1, dt.date(2027, 5, 10))
    d1 = cs.add_draft(None, congress, kind="political_report", issued_on=dt.date(2026, 10, 1))
    d2 = cs.add_draft(None, congress, kind="political_report", issued_on=dt.date(2026, 12, 1))
    assert (d1.version, d2.version) == (1, 2)
    a = cs.add_comment(None, d2, received_on=dt.date(2026, 12, 5), text="Bổ sung số liệu kết nạp đảng viên",
                       source_org=tree.orgs["C1A"])
    b = cs.add_comment(None, d2, received_on=dt.date(2026, 12, 6), text="Đổi tên mục III",
                       source_name="Hội nghị cán bộ chủ chốt")
    cs.add_comment(None, d2, received_on=dt.date(2026, 12, 7), text="Rút gọn phần mở đầu",
                   source_name="Hội nghị đảng viên")
    cs.answer_comment(None, a, state="accepted", response="Đã bổ sung ở mục II.1")
    with pytest.raises(ServiceError) as exc:
        cs.answer_comment(None, b, state="explained")
    assert (exc.value.code, exc.value.field) == (Code.REQUIRED, "response")
    cs.answer_comment(None, b, state="explained", response="Giữ tên theo hướng dẫn của cấp trên")
    r = client_as(tree, "viewer").get(reverse("congress:comments_docx", args=[congress.pk]))
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "Báo cáo chính trị — dự thảo lần 2" in text
    assert "Ý kiến tiếp thu (1)" in text and "Ý kiến giải trình (1)" in text and "Ý kiến chưa xử lý (1)" in text
    assert "Chi bộ thôn Đồng Tâm" in cells and "Đã bổ sung ở mục II.1" in cells


# -- elections -----------------------------------------------------------------------------------

def test_members_base_from_tree_equals_hand_count(tree):
    c1, c1a, c1b = tree.orgs["C1"], tree.orgs["C1A"], tree.orgs["C1B"]
    congress = congress_of(c1, dt.date(2027, 5, 10), kind="members")
    # tree: C1A an, cuong (full); C1B dung (probationary, not counted) → 2
    election = cs.create_election(None, congress, title="Bầu Ban Chấp hành", seats=3, held_on=dt.date(2027, 5, 10))
    assert (election.base, election.base_computed) == (2, 2)
    away = full_member(c1a, "Vũ Văn Đi", 1985)
    transfer = s.start_transfer(None, away, "temporary", tree.orgs["C2A"], dt.date(2026, 9, 1),
                                ends_on=dt.date(2027, 8, 31))
    s.confirm_transfer(None, transfer, dt.date(2026, 9, 10))
    inside_move = full_member(c1a, "Trịnh Văn Gần", 1984)  # temporary move inside C1: still counted
    t2 = s.start_transfer(None, inside_move, "temporary", c1b, dt.date(2026, 9, 1), ends_on=dt.date(2027, 8, 31))
    s.confirm_transfer(None, t2, dt.date(2026, 9, 10))
    old = full_member(c1b, "Mai Văn Lão", 1940)
    s.exempt(None, old, dt.date(2025, 1, 1), "Tuổi cao")
    old2 = full_member(c1b, "Phan Văn Yếu", 1942)
    s.exempt(None, old2, dt.date(2025, 1, 1), "Sức khỏe")
    sick = full_member(c1b, "Đặng Văn Ốm", 1975)
    full_member(tree.orgs["C2A"], "Ngoài Phạm Vi", 1980)
    # hand count: full in C1 = an, cuong, Đi, Gần, Ốm = 5; minus Đi (away) = 4;
    # exempt Lão and Yếu are exempt-and-absent unless marked present.
    assert cs.members_base(c1).value == 4
    cs.add_adjustment(None, election, sick, "absent", "Nằm viện suốt thời gian đại hội")
    cs.add_adjustment(None, election, old, "exempt_present")
    election.refresh_from_db()
    assert (election.base, election.base_computed) == (4 - 1 + 1, 4)
    breakdown = cs.members_base(c1, election.adjustments.all())
    assert (breakdown.full, breakdown.temporary_away, breakdown.excluded, breakdown.exempt_present) == (5, 1, 1, 1)
    with pytest.raises(ServiceError) as exc:
        cs.add_adjustment(None, election, tree.members["dung"], "suspended")
    assert (exc.value.code, exc.value.field) == (Code.STATE, "member")
    with pytest.raises(ServiceError) as exc:
        cs.set_base(None, election, 6)
    assert (exc.value.code, exc.value.field) == (Code.REQUIRED, "reason")
    assert "Cơ sở tính theo dữ liệu là 4" in exc.value.message  # the computed figure is shown
    cs.set_base(None, election, 6, "Hai đảng viên được cấp trên cho phép dự")
    election.refresh_from_db()
    assert (election.base, election.base_reason) == (6, "Hai đảng viên được cấp trên cho phép dự")


def _grid_post(ballots: list[list[int]]) -> dict:
    """The fast entry form: row i ticked as a ballot, and the struck names ticked."""
    data = {"action": "grid", "rows": str(len(ballots))}
    for i, kept in enumerate(ballots):
        data[f"r{i}"] = "on"
        for j, k in enumerate(kept):
            if not k:
                data[f"r{i}c{j}"] = "on"
    return data


def _as_read(team, data: dict) -> dict:
    """A post of the team's entry page carries the team's version the page was opened on."""
    return {**data, "version": CountingTeam.objects.get(pk=team.pk).version}


def _csv(ballots: list[list[int]], order: list[str]) -> io.BytesIO:
    """CSV in the ``dangvu tally`` format, columns in another order than the ballot."""
    lines = [",".join(order)] + [",".join(str(b[CANDIDATES.index(n)]) for n in order) for b in ballots]
    f = io.BytesIO(("\n".join(lines) + "\n").encode())
    f.name = "to-2.csv"
    return f


def _election_with_base_5(tree):
    c1b = tree.orgs["C1B"]
    for i in range(3):
        full_member(c1b, f"Đảng viên {letters(i)}", 1970 + i)
    congress = congress_of(tree.orgs["C1"], dt.date(2027, 5, 10), kind="members", place="Hòa Bình")
    client = client_as(tree, "office")
    r = client.post(reverse("congress:election_add", args=[congress.pk]), {
        "title": "Bầu Ban Chấp hành Đảng bộ", "round": 1, "seats": 2, "held_on": "2027-05-10",
        "base_kind": "members", "issued": 7, "counting_board": "Trần Văn Bốn\nVũ Thị Năm\nPhạm Thị Dung",
        "candidates": "\n".join(CANDIDATES)})
    assert r.status_code == 302, r.content.decode()[-1500:]
    election = congress.elections.get()
    assert election.base == 5
    return client, election


def test_election_two_teams_discrepancy_count_recount_and_minutes(tree):
    client, election = _election_with_base_5(tree)
    for name in ("Tổ 1", "Tổ 2"):
        r = client.post(reverse("congress:team_add", args=[election.pk]), {"name": name})
        assert r.status_code == 302
    team1, team2 = election.teams.order_by("position")
    r = client.post(reverse("congress:team_entry", args=[team1.pk]), _as_read(team1, _grid_post(BALLOTS)))
    assert r.status_code == 302
    assert [b.kept for b in team1.ballots.all()] == [[bool(k) for k in b] for b in BALLOTS]
    wrong = [list(b) for b in BALLOTS]
    wrong[3] = [0, 1, 0, 0]  # team 2 misses Hoàng Thị Hoa on ballot 4
    r = client.post(reverse("congress:team_entry", args=[team2.pk]), _as_read(team2, {
        "action": "csv", "file": _csv(wrong, list(reversed(CANDIDATES)))}))
    assert r.status_code == 302
    assert team2.ballots.count() == 7

    figures, discrepancies = cs.compare_teams(election)
    assert [d.item for d in discrepancies] == ["Hoàng Thị Hoa"]
    assert discrepancies[0].figures == {"Tổ 1": 3, "Tổ 2": 2}
    page = client.get(reverse("congress:election_detail", args=[election.pk])).content.decode()
    assert "Lệch số liệu ở “Hoàng Thị Hoa” — Tổ 1: 3, Tổ 2: 2." in page
    r = client.post(reverse("congress:tally_run", args=[election.pk]), follow=True)
    assert "Số liệu các tổ chưa khớp" in r.content.decode()
    assert not Tally.objects.exists()

    # team 2 corrects ballot 4
    bad = team2.ballots.get(number=4)
    assert client.post(reverse("congress:ballot_delete", args=[team2.pk, bad.pk]),
                       _as_read(team2, {"confirm": "1"})).status_code == 302
    assert client.post(reverse("congress:team_entry", args=[team2.pk]),
                       _as_read(team2, _grid_post([BALLOTS[3]]))).status_code == 302
    assert cs.compare_teams(election)[1] == []

    r = client.post(reverse("congress:tally_run", args=[election.pk]))
    assert r.status_code == 302
    first = Tally.objects.get(election=election)
    expected = tally(CANDIDATES, BALLOTS, 2, 5)
    assert first.result == expected.to_dict()
    assert (first.result["elected"], first.result["tied"], first.result["unfilled"]) == (
        ["Nguyễn Văn An"], ["Lê Văn Cường", "Hoàng Thị Hoa"], 1)
    assert (first.result["threshold"], first.result["valid"], first.result["invalid"]) == (3, 5, 2)
    assert first.steps == list(tally(CANDIDATES, BALLOTS, 2, 5, issued=7).steps)
    entry = LogEntry.objects.get_for_object(first).get(action=LogEntry.Action.CREATE)
    assert entry.actor == tree.users["office"]
    assert json.loads(entry.changes_dict["steps"][1]) == first.steps  # every step is in the audit log

    # entries are frozen once the official result exists
    with pytest.raises(ServiceError) as exc:
        cs.enter_ballots(None, team1, [[True, False, False, False]])
    assert exc.value.code == Code.STATE
    assert client.post(reverse("congress:tally_run", args=[election.pk])).status_code == 302
    second = Tally.objects.get(election=election, number=2)
    assert second.matches_previous is True
    assert second.result == first.result and second.steps == first.steps

    r = client_as(tree, "viewer").get(reverse("congress:tally_docx", args=[first.pk]))
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    flat = "\n".join(" | ".join(row) for row in cells)
    assert "BIÊN BẢN KIỂM PHIẾU" in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in flat and "ĐẢNG BỘ XÃ HÒA BÌNH" in flat and "Hòa Bình, ngày 10 tháng 05 năm 2027" in flat
    assert "từ 3 phiếu trở lên" in text
    votes = {row[1]: row[2] for row in cells if row[1] in CANDIDATES}
    assert votes == {"Nguyễn Văn An": "4", "Lê Văn Cường": "3", "Hoàng Thị Hoa": "3", "Đỗ Văn Khánh": "0"}
    assert "TRƯỞNG BAN KIỂM PHIẾU" in flat and "Phạm Thị Dung" in flat


def test_team_totals_compare_with_entered_ballots(tree):
    client, election = _election_with_base_5(tree)
    team1 = cs.add_team(None, election, "Tổ 1")
    team2 = cs.add_team(None, election, "Tổ 2")
    cs.enter_ballots(None, team1, BALLOTS)
    totals = {"action": "totals", "ballots": 7, "valid": 5, "invalid": 2, "c0": 4, "c1": 3, "c2": 3, "c3": 1}
    assert client.post(reverse("congress:team_entry", args=[team2.pk]), _as_read(team2, totals)).status_code == 302
    discrepancies = cs.compare_teams(election)[1]
    assert [(d.item, dict(d.figures)) for d in discrepancies] == [("Đỗ Văn Khánh", {"Tổ 1": 0, "Tổ 2": 1})]
    with pytest.raises(ServiceError) as exc:
        cs.count_election(None, election)
    assert exc.value.code == Code.CONFLICT and "Đỗ Văn Khánh" in exc.value.message  # names the item
    cs.set_team_totals(None, team2, {**{k: v for k, v in totals.items() if k in ("ballots", "valid", "invalid")},
                                     **dict(zip(CANDIDATES, (4, 3, 3, 0), strict=True))})
    record = cs.count_election(None, election)
    assert record.source_team == team1 and record.result["votes"]["Nguyễn Văn An"] == 4


# -- scope ------------------------------------------------------------------------------------------

def test_scope_secretary_404_outside_and_viewer_403_on_edit_forms(tree):
    c2_congress = congress_of(tree.orgs["C2"], dt.date(2027, 5, 10))
    c2_election = cs.create_election(None, c2_congress, title="Bầu Bí thư", seats=1, held_on=dt.date(2027, 5, 10),
                                     base_kind="members")
    c1a_congress = congress_of(tree.orgs["C1A"], dt.date(2027, 4, 10))
    election = cs.create_election(None, c1a_congress, title="Bầu Bí thư chi bộ", seats=1,
                                  held_on=dt.date(2027, 4, 10))
    cs.set_candidates(None, election, ["Nguyễn Văn An"])
    team = cs.add_team(None, election, "Tổ 1")
    secretary = client_as(tree, "secretary")
    for url in (reverse("congress:congress_detail", args=[c2_congress.pk]),
                reverse("congress:election_detail", args=[c2_election.pk]),
                reverse("congress:election_add", args=[c2_congress.pk]),
                reverse("congress:congress_add", args=["C2"])):
        assert secretary.get(url).status_code == 404, url
    page = secretary.get(reverse("congress:congress_detail", args=[c1a_congress.pk]))
    assert (page.status_code, page.context["congress"], page.context["can_edit"]) == (200, c1a_congress, True)
    viewer = client_as(tree, "viewer")
    page = viewer.get(reverse("congress:congress_detail", args=[c1a_congress.pk]))
    assert (page.status_code, page.context["congress"], page.context["can_edit"]) == (200, c1a_congress, False)
    page = viewer.get(reverse("congress:election_detail", args=[election.pk]))
    assert (page.status_code, page.context["election"], page.context["can_edit"]) == (200, election, False)
    assert [c.name for c in page.context["candidates"]] == ["Nguyễn Văn An"]
    for url in (reverse("congress:congress_edit", args=[c1a_congress.pk]),
                reverse("congress:election_add", args=[c1a_congress.pk]),
                reverse("congress:team_entry", args=[team.pk]),
                reverse("congress:tally_run", args=[election.pk]),
                reverse("congress:apportion", args=[c1a_congress.pk])):
        assert viewer.get(url).status_code == 403, url
        assert viewer.post(url, {"action": "grid", "r0": "on"}).status_code == 403, url
    assert not Ballot.objects.exists()
    page = viewer.get(reverse("congress:congress_list"))  # C1's viewer: C1A's congress, not C2's
    assert (page.status_code, list(page.context["congresses"])) == (200, [c1a_congress])
    assert client_as(tree, "nobody").get(reverse("congress:congress_list")).status_code == 404
