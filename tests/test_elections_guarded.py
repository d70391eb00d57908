"""Elections guarded (issue 13, point 6): the counting board is not on the list, seats ≤ names
unless the congress decided otherwise (recorded), a base within 1…convened, a term written the
party's way, no team holding more ballots than were issued, totals corrected one number at a
time, disagreeing cells marked, and every removal asking first."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import make_member_data
from django.test import Client
from django.urls import reverse

from dangvu.common import Code, ServiceError
from dangvu.congress import services as cs
from dangvu.congress.models import Ballot, Congress, CountingTeam, Election
from dangvu.core import congress as rules
from dangvu.core.rulesets import ruleset_for
from dangvu.registry import services as s

pytestmark = pytest.mark.django_db

NAMES = ["Nguyễn Văn An", "Lê Văn Cường", "Hoàng Thị Hoa"]
DAY = dt.date(2027, 5, 10)


def client_as(tree, who: str) -> Client:
    client = Client()
    client.force_login(tree.users[who])
    return client


def _congress(tree, code: str = "C1", kind: str = "members", term: str = "2025-2030") -> Congress:
    return cs.save_congress(None, tree.orgs[code], term=term, kind=kind, starts_on=DAY, ends_on=DAY)


def _members(tree, n: int) -> None:
    for i in range(n):
        s.register_member(None, tree.orgs["C1B"], make_member_data(
            f"Đảng viên Số {chr(65 + i)}", dt.date(1970 + i, 1, 1), admitted_on=dt.date(2000, 1, 1),
            full_on=dt.date(2001, 1, 1)))


def _election(tree, **kw) -> Election:
    kw = {"title": "Bầu Ban Chấp hành", "seats": 2, "held_on": DAY, "candidates": NAMES} | kw
    congress = Congress.objects.filter(organization=tree.orgs["C1"]).first() or _congress(tree)
    return cs.create_election(None, congress, **kw)


def _refused(call, code: Code, field: str | None) -> ServiceError:
    with pytest.raises(ServiceError) as exc:
        call()
    assert (exc.value.code, exc.value.field) == (code, field), exc.value.message
    return exc.value


# -- the counting board is not on the list ----------------------------------------------------------

def test_head_of_counting_board_cannot_be_a_candidate(tree):
    err = _refused(lambda: _election(tree, counting_board="Nguyễn Văn An\nTrần Văn Bốn"), Code.RULE, "candidates")
    assert "Nguyễn Văn An" in err.message and "Ban kiểm phiếu" in err.message
    assert not Election.objects.exists()  # the refused list leaves no election behind
    # the same person written with other spacing and case is the same person
    _refused(lambda: _election(tree, counting_board="  nguyễn  văn an "), Code.RULE, "candidates")


def test_head_of_counting_board_refused_on_the_form(tree):
    congress = _congress(tree)
    r = client_as(tree, "office").post(reverse("congress:election_add", args=[congress.pk]), {
        "title": "Bầu Ban Chấp hành", "round": 1, "seats": 2, "held_on": "10/05/2027", "base_kind": "members",
        "counting_board": "Nguyễn Văn An", "candidates": "\n".join(NAMES)})
    assert r.status_code == 400
    errors = r.context["form"].errors.as_data()["candidates"]
    assert errors[0].code == Code.RULE and "Nguyễn Văn An" in errors[0].message
    assert not Election.objects.exists()


def test_a_candidate_cannot_be_put_on_the_board_afterwards(tree):
    election = _election(tree, counting_board="Trần Văn Bốn")
    err = _refused(lambda: cs.edit_election_lists(None, election, candidates=NAMES,
                                                  counting_board="Lê Văn Cường\nTrần Văn Bốn"),
                   Code.RULE, "counting_board")
    assert "Lê Văn Cường" in err.message
    election.refresh_from_db()
    assert election.board == ["Trần Văn Bốn"]
    r = client_as(tree, "office").post(reverse("congress:election_lists", args=[election.pk]), {
        "candidates": "\n".join(NAMES), "counting_board": "Hoàng Thị Hoa"})
    assert r.status_code == 400
    assert r.context["form"].errors.as_data()["counting_board"][0].code == Code.RULE
    election.refresh_from_db()
    assert election.board == ["Trần Văn Bốn"]


# -- seats and names ---------------------------------------------------------------------------------

def test_three_seats_with_two_names_needs_the_congress_decision(tree):
    err = _refused(lambda: _election(tree, seats=3, candidates=NAMES[:2]), Code.RULE, "candidates")
    assert "2 người" in err.message and "(3)" in err.message
    _refused(lambda: _election(tree, seats=3, candidates=NAMES[:2], fewer_candidates_allowed=True),
             Code.REQUIRED, "fewer_candidates_note")
    assert not Election.objects.exists()
    election = _election(tree, seats=3, candidates=NAMES[:2], fewer_candidates_allowed=True,
                         fewer_candidates_note="Biên bản biểu quyết của đại hội, phiên sáng 10/5/2027")
    assert (election.fewer_candidates_allowed, election.fewer_candidates_note) == (
        True, "Biên bản biểu quyết của đại hội, phiên sáng 10/5/2027")
    assert election.candidates.count() == 2
    page = client_as(tree, "viewer").get(reverse("congress:election_detail", args=[election.pk])).content.decode()
    assert "Biên bản biểu quyết của đại hội, phiên sáng 10/5/2027" in page


def test_equal_names_and_seats_is_allowed(tree):
    assert _election(tree, seats=3, candidates=NAMES).candidates.count() == 3


# -- the base ----------------------------------------------------------------------------------------

def test_twenty_absent_out_of_ten_convened_is_refused(tree):
    congress = _congress(tree, kind="delegates")
    kw = {"title": "Bầu Ban Chấp hành", "seats": 1, "held_on": DAY, "base_kind": "delegates",
          "candidates": NAMES[:1]}
    err = _refused(lambda: cs.create_election(None, congress, delegates_convened=10, delegates_absent=20, **kw),
                   Code.OUT_OF_RANGE, "delegates_absent")
    assert "20" in err.message and "10" in err.message
    _refused(lambda: cs.create_election(None, congress, delegates_convened=10, delegates_absent=10, **kw),
             Code.OUT_OF_RANGE, "delegates_absent")  # base 0
    assert not Election.objects.exists()
    election = cs.create_election(None, congress, delegates_convened=10, delegates_absent=2, **kw)
    assert election.base == 8
    _refused(lambda: cs.set_base(None, election, 0), Code.OUT_OF_RANGE, "base")
    err = _refused(lambda: cs.set_base(None, election, 11, "Nhầm"), Code.OUT_OF_RANGE, "base")
    assert "(11)" in err.message and "(10)" in err.message
    assert cs.set_base(None, election, 9, "Một đại biểu vắng có người thay").base == 9


def test_absent_over_convened_refused_on_the_form(tree):
    congress = _congress(tree, kind="delegates")
    r = client_as(tree, "office").post(reverse("congress:election_add", args=[congress.pk]), {
        "title": "Bầu Ban Chấp hành", "round": 1, "seats": 1, "held_on": "10/05/2027", "base_kind": "delegates",
        "delegates_convened": 10, "delegates_absent": 20, "candidates": "Nguyễn Văn An"})
    assert r.status_code == 400
    assert r.context["form"].errors.as_data()["delegates_absent"][0].code == Code.OUT_OF_RANGE
    assert not Election.objects.exists()


def test_members_base_cannot_exceed_those_who_could_be_counted(tree):
    election = _election(tree)  # C1: An, Cường full → 2
    _refused(lambda: cs.set_base(None, election, 7, "Nhầm"), Code.OUT_OF_RANGE, "base")
    assert Election.objects.get(pk=election.pk).base == 2


# -- the term ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("term", ["abc", "2025", "2025-2031", "2025-2027", "1900-1905", "2030-2025"])
def test_malformed_term_refused(tree, term):
    err = _refused(lambda: _congress(tree, term=term), Code.INVALID, "term")
    assert "Nhiệm kỳ" in err.message or "nhiệm kỳ" in err.message
    assert not Congress.objects.exists()


def test_term_written_the_party_way(tree):
    assert _congress(tree, term="2025 – 2030").term == "2025-2030"
    # a cell under a grassroots committee holds its congress twice a term
    assert _congress(tree, code="C1A", term="2025-2027").term == "2025-2027"
    rs = ruleset_for(DAY)
    assert rules.term_spans(1, rs) == (rs["indicators.term_years"],)
    assert rules.congress_term("2027-2030", "cell", rs) == "2027-2030"
    assert rules.congress_term("2025-2030", "cell", rs) == "2025-2030"
    with pytest.raises(rules.ElectionRuleError):
        rules.congress_term("2025-2027", "grassroots_committee", rs)


def test_campaign_term_abc_refused(tree):
    _refused(lambda: cs.create_timeline(None, tree.orgs["C1"], title="Kế hoạch đại hội", term="abc"),
             Code.INVALID, "term")
    assert cs.create_timeline(None, tree.orgs["C1"], title="Kế hoạch đại hội", term="2025–2030").term == "2025-2030"


def test_term_abc_refused_on_the_form(tree):
    r = client_as(tree, "office").post(reverse("congress:congress_add", args=["C1"]), {
        "term": "abc", "kind": "delegates", "starts_on": "10/05/2027", "ends_on": "10/05/2027"})
    assert r.status_code == 400
    assert r.context["form"].errors.as_data()["term"][0].code == Code.INVALID
    assert not Congress.objects.exists()


# -- ballots issued --------------------------------------------------------------------------------

def test_team_cannot_hold_more_ballots_than_issued(tree):
    _members(tree, 3)
    election = _election(tree, issued=162)
    team = cs.add_team(None, election, "Tổ 1")
    cs.enter_ballots(None, team, [[True, True, False]] * 160)
    err = _refused(lambda: cs.enter_ballots(None, team, [[True, False, True]] * 3), Code.OUT_OF_RANGE, None)
    assert "163" in err.message and "162" in err.message
    assert team.ballots.count() == 160
    cs.enter_ballots(None, team, [[True, False, True]] * 2)
    assert team.ballots.count() == 162
    other = cs.add_team(None, election, "Tổ 2")
    totals = {"ballots": 163, "valid": 163, "invalid": 0, NAMES[0]: 100, NAMES[1]: 80, NAMES[2]: 50}
    err = _refused(lambda: cs.set_team_totals(None, other, totals), Code.OUT_OF_RANGE, "ballots")
    assert "163" in err.message and "162" in err.message
    err = _refused(lambda: cs.set_team_totals(None, other, totals | {"ballots": 160, "valid": 160, NAMES[0]: 161}),
                   Code.OUT_OF_RANGE, "valid")
    assert NAMES[0] in err.message
    assert CountingTeam.objects.get(pk=other.pk).totals is None


def test_totals_over_issued_shown_beside_the_number(tree):
    election = _election(tree, issued=162)
    team = cs.add_team(None, election, "Tổ 1")
    post = {"action": "totals", "version": team.version, "ballots": 163, "valid": 163, "invalid": 0,
            "c0": 100, "c1": 90, "c2": 80}
    r = client_as(tree, "office").post(reverse("congress:team_entry", args=[team.pk]), post)
    assert r.status_code == 400
    errors = r.context["totals_form"].errors.as_data()["ballots"]
    assert errors[0].code == Code.OUT_OF_RANGE and "163" in errors[0].message and "162" in errors[0].message
    assert CountingTeam.objects.get(pk=team.pk).totals is None


def test_grid_entry_over_issued_is_refused_on_the_page(tree):
    election = _election(tree, issued=2)
    team = cs.add_team(None, election, "Tổ 1")
    post = {"action": "grid", "rows": "3", "version": team.version}
    for i in range(3):
        post[f"r{i}"] = "on"
    r = client_as(tree, "office").post(reverse("congress:team_entry", args=[team.pk]), post)
    assert r.status_code == 400
    assert "nhiều hơn số phiếu phát ra (2)" in r.content.decode()
    assert not Ballot.objects.exists()


# -- corrections -------------------------------------------------------------------------------------

def _two_teams(tree):
    election = _election(tree, issued=7)
    t1, t2 = cs.add_team(None, election, "Tổ 1"), cs.add_team(None, election, "Tổ 2")
    base = {"ballots": 7, "valid": 6, "invalid": 1}
    cs.set_team_totals(None, t1, base | dict(zip(NAMES, (5, 4, 3), strict=True)))
    cs.set_team_totals(None, t2, base | dict(zip(NAMES, (5, 2, 3), strict=True)))
    return election, CountingTeam.objects.get(pk=t1.pk), CountingTeam.objects.get(pk=t2.pk)


def test_team_totals_corrected_one_number_at_a_time(tree):
    election, t1, t2 = _two_teams(tree)
    version = t2.version
    cs.correct_team_total(None, t2, NAMES[1], 4, version)
    t2.refresh_from_db()
    assert t2.totals == {"ballots": 7, "valid": 6, "invalid": 1, NAMES[0]: 5, NAMES[1]: 4, NAMES[2]: 3}
    assert t2.version == version + 1
    assert cs.compare_teams(election)[1] == []
    # a page read before that correction is refused, with the stored and the typed number
    err = _refused(lambda: cs.correct_team_total(None, t2, NAMES[1], 9, version), Code.STALE, None)
    assert err.changes == [(NAMES[1], 4, 9)]
    # valid/invalid: the ballots received follow from them
    cs.correct_team_total(None, t2, "invalid", 0, t2.version)
    t2.refresh_from_db()
    assert (t2.totals["ballots"], t2.totals["valid"], t2.totals["invalid"]) == (6, 6, 0)
    _refused(lambda: cs.correct_team_total(None, t2, NAMES[0], 7, t2.version), Code.OUT_OF_RANGE, "value")
    _refused(lambda: cs.correct_team_total(None, t2, "Không Có Tên", 1, t2.version), Code.INVALID, "item")


def test_correction_page_changes_one_number(tree):
    election, t1, t2 = _two_teams(tree)
    client = client_as(tree, "office")
    url = reverse("congress:total_correct", args=[t2.pk, "c1"])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"]["value"].value() == 2
    assert "Lưu số đã sửa" in page.content.decode()
    r = client.post(url, {"value": 4, "version": t2.version})
    assert r.status_code == 302
    assert CountingTeam.objects.get(pk=t2.pk).totals[NAMES[1]] == 4
    r = client.post(url, {"value": 3, "version": t2.version})  # the old page's version
    assert r.status_code == 400 and r.context["form"].stale
    assert CountingTeam.objects.get(pk=t2.pk).totals[NAMES[1]] == 4
    assert client.get(reverse("congress:total_correct", args=[t2.pk, "c9"])).status_code == 404
    assert client.get(reverse("congress:total_correct", args=[t2.pk, "ballots"])).status_code == 404


def test_disagreeing_cells_are_highlighted(tree):
    election, t1, t2 = _two_teams(tree)
    page = client_as(tree, "office").get(reverse("congress:election_detail", args=[election.pk]))
    html = page.content.decode()
    assert html.count('class="num mismatch"') == 2  # Lê Văn Cường: 4 and 2
    rows = page.context["rows"]
    apart = [label for label, disagree, _ in rows if disagree]
    assert apart == [NAMES[1]]
    cells = dict((label, c) for label, _, c in rows)[NAMES[1]]
    assert [(v, m) for v, m, _ in cells] == [(4, True), (2, True)]
    assert [link for _, _, link in cells] == [reverse("congress:total_correct", args=[t.pk, "c1"]) for t in (t1, t2)]


# -- removals ask first ------------------------------------------------------------------------------

def test_ballot_delete_asks_first(tree):
    election = _election(tree)
    team = cs.add_team(None, election, "Tổ 1")
    cs.enter_ballots(None, team, [[True, True, False], [True, False, True]])
    team.refresh_from_db()
    ballot = team.ballots.get(number=2)
    client = client_as(tree, "office")
    entry = client.get(reverse("congress:team_entry", args=[team.pk])).content.decode()
    assert reverse("congress:ballot_delete", args=[team.pk, ballot.pk]) in entry
    # the old one-tap delete of the entry page deletes nothing
    r = client.post(reverse("congress:team_entry", args=[team.pk]),
                    {"action": "delete", "ballot": ballot.pk, "version": team.version})
    assert team.ballots.count() == 2
    url = reverse("congress:ballot_delete", args=[team.pk, ballot.pk])
    r = client.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and team.ballots.count() == 2
    assert "Phiếu số 2 của Tổ 1 sẽ bị xóa" in html and "tên bị gạch: Lê Văn Cường" in html
    assert "Xóa phiếu số 2" in html
    r = client.post(url, {"version": team.version})  # not from the page's button
    assert r.status_code == 400 and team.ballots.count() == 2
    r = client.post(url, {"version": team.version, "confirm": "1"})
    assert r.status_code == 302
    assert list(team.ballots.values_list("number", flat=True)) == [1]


def test_totals_clear_asks_first(tree):
    election, t1, t2 = _two_teams(tree)
    client = client_as(tree, "office")
    url = reverse("congress:totals_clear", args=[t1.pk])
    client.post(reverse("congress:team_entry", args=[t1.pk]), {"action": "clear_totals", "version": t1.version})
    assert CountingTeam.objects.get(pk=t1.pk).totals is not None
    r = client.get(url)
    assert r.status_code == 200 and "Toàn bộ số tổng hợp của Tổ 1 sẽ bị xóa: 7 phiếu thu về" in r.content.decode()
    assert CountingTeam.objects.get(pk=t1.pk).totals is not None
    assert client.post(url, {"version": t1.version, "confirm": "1"}).status_code == 302
    assert CountingTeam.objects.get(pk=t1.pk).totals is None


def test_dropping_a_candidate_asks_first(tree):
    election = _election(tree)
    client = client_as(tree, "office")
    url = reverse("congress:election_lists", args=[election.pk])
    data = {"candidates": "Nguyễn Văn An\nHoàng Thị Hoa", "counting_board": "Trần Văn Bốn"}
    r = client.post(url, data)
    assert r.status_code == 400 and "Sẽ bỏ khỏi danh sách bầu cử: Lê Văn Cường." in r.content.decode()
    assert r.context["form"].errors.as_data()["drop_confirmed"]
    assert list(election.candidates.values_list("name", flat=True)) == NAMES
    r = client.post(url, data | {"drop_confirmed": "on"})
    assert r.status_code == 302
    assert list(election.candidates.values_list("name", flat=True)) == ["Nguyễn Văn An", "Hoàng Thị Hoa"]
    election.refresh_from_db()
    assert election.board == ["Trần Văn Bốn"]
