"""Access matrix: every URL of the project × every role × objects inside and outside the subtree.

The table ``EXPECTED`` holds one small spec per URL name. ``test_every_url_is_in_the_table`` walks
the resolver (the web UI, the registry namespace and the ninja API) and fails as soon as a URL
appears that the table does not know: whoever adds a page must say who may open it.

Locations of the object a URL takes (see ``World``):

- ``in``    — in cell C1A: inside every C1 role's scope (office, viewer on C1; secretary of C1A);
- ``side``  — in cell C1B: inside office's and viewer's scope, outside the secretary's (C1A only);
- ``out``   — in cell C2A: outside everyone's scope but the admin's;
- ``above`` — province P (organization URLs): above every scope but the admin's;
- ``own``   — the member role's own record (in C1A).

Rules: anonymous → 302 to the login page (API: 401); outside the read scope → 404 (absent and
hidden look the same); read pages inside → 200; edit forms inside the read scope but outside the
edit scope → 403.
Also here: login throttling, CSRF, password validators, and the append-only audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from auditlog.models import LogEntry
from conftest import PASSWORD, Tree, make_member_data
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from dangvu.accounts.audit import AuditLogIsAppendOnly
from dangvu.accounts.services import issue_api_token
from dangvu.registry import models as m
from dangvu.registry import services as s
from dangvu.registry.views import MEMBER_EVENTS

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "admin", "office", "secretary", "viewer", "member", "nobody")
LOGIN = "/dang-nhap/"
TODAY = dt.date.today()

ALL = frozenset({"in", "side", "out", "above", "own"})
READ: dict[str, frozenset[str]] = {
    "admin": ALL,
    "office": frozenset({"in", "side", "own"}),
    "viewer": frozenset({"in", "side", "own"}),
    "secretary": frozenset({"in", "own"}),
    "member": frozenset({"own"}),
    "nobody": frozenset(),
}
EDIT: dict[str, frozenset[str]] = {
    "admin": ALL,
    "office": frozenset({"in", "side", "own"}),
    "secretary": frozenset({"in", "own"}),
    "viewer": frozenset(),
    "member": frozenset(),
    "nobody": frozenset(),
}
# Organizations (by code) whose members each role reads; the member role reads its own record only.
READ_ORGS = {
    "admin": {"P", "C1", "C2", "C1A", "C1B", "C2A", "C2B"},
    "office": {"C1", "C1A", "C1B"},
    "viewer": {"C1", "C1A", "C1B"},
    "secretary": {"C1A"},
    "member": set(),
    "nobody": set(),
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# -- the objects the URLs point at --------------------------------------------------------------
@dataclass
class World:
    tree: Tree
    orgs: dict[str, m.Organization] = field(default_factory=dict)
    members: dict[str, m.Member] = field(default_factory=dict)
    posts: dict[str, m.Post] = field(default_factory=dict)
    localities: dict[str, m.Locality] = field(default_factory=dict)
    transfers: dict[tuple[str, str], m.Transfer] = field(default_factory=dict)
    batches: dict[str, m.ImportBatch] = field(default_factory=dict)
    meetings: dict[str, Any] = field(default_factory=dict)
    studies: dict[str, Any] = field(default_factory=dict)
    congress: dict[str, dict[str, Any]] = field(default_factory=dict)
    evaluation: dict[str, dict[str, Any]] = field(default_factory=dict)
    admission: dict[str, dict[str, Any]] = field(default_factory=dict)
    plans: dict[str, dict[str, Any]] = field(default_factory=dict)
    badges: dict[str, Any] = field(default_factory=dict)
    fees: dict[str, dict[str, Any]] = field(default_factory=dict)
    letters: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, m.Organization] = field(default_factory=dict)  # a party group (tổ đảng) per cell
    specials: dict[str, m.SpecialStatus] = field(default_factory=dict)  # a member away now, per cell
    discipline: dict[str, Any] = field(default_factory=dict)
    inspection: dict[str, dict[str, Any]] = field(default_factory=dict)
    channel: dict[str, Any] = field(default_factory=dict)
    exchange: dict[str, Any] = field(default_factory=dict)


def _person(org, name: str, born: int = 1985) -> m.Member:
    return s.register_member(None, org, make_member_data(
        name, dt.date(born, 6, 1), admitted_on=dt.date(2012, 1, 5), full_on=dt.date(2013, 1, 5)))


@pytest.fixture
def world(tree, settings, tmp_path, request) -> World:
    return build_world(tree, settings, tmp_path, request)


def build_world(tree, settings, tmp_path, request) -> World:
    """The objects of every location (also used by tests/test_bad_input.py)."""
    o = tree.orgs
    c2b = s.create_organization(None, o["C2"], code="C2B", name="Chi bộ thôn Cây Đa", kind="cell",
                                sector="residential")
    w = World(tree=tree)
    w.orgs = {"in": o["C1A"], "side": o["C1B"], "out": o["C2A"], "above": o["P"]}
    w.members = {"in": tree.inside, "side": tree.members["dung"], "out": tree.outside, "own": tree.own}
    for loc in ("in", "side", "out"):
        w.posts[loc] = s.add_post(None, w.orgs[loc], w.members[loc], "committee_member", dt.date(2025, 1, 2))
        # Created directly: the service allows localities on residential cells only, C1B is an agency.
        w.localities[loc] = m.Locality.objects.create(organization=w.orgs[loc], name=f"Thôn {loc}",
                                                      kind="village", households=50)
    # Transfers: the acting side (from_org for cancel/return, to_org for confirm) sits at the
    # location; the other side is chosen so that C1 roles *see* the transfer in every case.
    acting_other = {"in": (o["C1A"], o["C2A"]), "side": (o["C1B"], o["C1A"]), "out": (o["C2A"], o["C1A"])}
    letter = dt.date(2026, 5, 4)
    for loc, (acting, other) in acting_other.items():
        for action in ("huy", "tiep-nhan", "tro-ve"):
            frm, to = (other, acting) if action == "tiep-nhan" else (acting, other)
            person = _person(frm, f"Người chuyển {action} {loc}")
            temporary = action == "tro-ve"
            w.transfers[(action, loc)] = m.Transfer.objects.create(
                member=person, kind="temporary" if temporary else "permanent", from_org=frm, to_org=to,
                letter_on=letter, ends_on=dt.date(2026, 12, 31) if temporary else None,
                confirmed_on=letter if temporary else None, state="confirmed" if temporary else "pending")
    # Import batches are visible to their creator and to administrators only.
    w.batches["in"] = m.ImportBatch.objects.create(kind="members", scope=o["C1"], file_name="c1.xlsx",
                                                   content=b"", created_by=tree.users["office"])
    w.batches["out"] = m.ImportBatch.objects.create(kind="members", scope=c2b, file_name="c2b.xlsx",
                                                    content=b"", created_by=tree.users["admin"])
    # Cell meetings (with a minutes file, kept under a temporary MEDIA_ROOT) and study sessions.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangvu.meetings import services as ms

    settings.MEDIA_ROOT = tmp_path
    for loc in ("in", "side", "out"):
        w.meetings[loc] = ms.record_meeting(None, w.orgs[loc], held_on=dt.date(2026, 5, 12),
                                            starts_at=dt.time(19, 30), ends_at=dt.time(21, 30),
                                            minutes_file=SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 bien ban"))
        w.studies[loc] = ms.record_study_session(None, w.orgs[loc], document_title="Nghị quyết 21",
                                                 document_number="21-NQ/TW", held_on=dt.date(2026, 5, 12),
                                                 member_ids=[w.members[loc].pk])
    # Congress objects (timeline, milestone, apportionment, drafts, elections, a count) per location;
    # built only for the congress URLs' cases, they cost a third of a second.
    if getattr(getattr(request.node, "callspec", None), "params", {}).get("name", "").startswith("congress:"):
        w.congress = {loc: _congress_objects(w.orgs[loc], w.members[loc]) for loc in ("in", "side", "out")}
    # Evaluation rounds (open, finalised, published) per location; built only for the evaluation URLs.
    if getattr(getattr(request.node, "callspec", None), "params", {}).get("name", "").startswith("evaluation:"):
        from evaluation_world import evaluation_objects

        w.evaluation = evaluation_objects(w.orgs, w.members)
    # Prospects at each stage per location; built only for the admission URLs.
    if getattr(getattr(request.node, "callspec", None), "params", {}).get("name", "").startswith("admission:"):
        from admission_world import admission_objects

        w.admission = admission_objects(w.orgs)
    # Party badges: per location a veteran proposed for the next occasion, one due but not proposed,
    # one awarded on it (the proposal, decision and document URLs need them); only for honours URLs.
    if getattr(getattr(request.node, "callspec", None), "params", {}).get("name", "").startswith("honours:"):
        w.badges = _badge_objects(w.orgs)
    # Plans (a saved plan with a target, a task and an evidence file; a draft) per location.
    if getattr(getattr(request.node, "callspec", None), "params", {}).get("name", "").startswith("plans:"):
        from plans_world import plans_objects

        w.plans = plans_objects(w.orgs)
    # Fee bases, this month's books with a payment and a correction, staged fee imports.
    if getattr(getattr(request.node, "callspec", None), "params", {}).get("name", "").startswith("fees:"):
        from fees_world import fees_objects

        w.fees = fees_objects(w.orgs, w.members, tree.users)
    # Discipline cases (just opened) of the members at each location; only for the discipline URLs.
    if getattr(getattr(request.node, "callspec", None), "params", {}).get("name", "").startswith("discipline:"):
        w.discipline = _discipline_objects(w)
    # Letters (đơn thư), one open letter per location: three rows, built always (the phone and query tests too).
    w.letters = _letter_objects(w.orgs)
    # Party groups with a member, and a member working far away now (issue 17); only for their URLs.
    # (also for the tests that walk every form of an app: "registry:", "meetings:")
    if getattr(getattr(request.node, "callspec", None), "params", {}).get("name", "") in ISSUE17_URLS:
        issue17_objects(w)
    # Inspection programmes with items at each step (issue 16); only for the inspection URLs.
    if getattr(getattr(request.node, "callspec", None), "params", {}).get("name", "").startswith("inspection:"):
        from inspection_world import inspection_objects

        w.inspection = inspection_objects(w.orgs, w.members)
    # Notices per location, the member's open evaluation and a calendar key; only for channel URLs.
    if getattr(getattr(request.node, "callspec", None), "params", {}).get("name", "").startswith("channel:"):
        w.channel = _channel_objects(w, tree)
    # Staged exchange packages: the office's on C1, the admin's on C2 (each seen by its uploader only).
    if getattr(getattr(request.node, "callspec", None), "params", {}).get("name", "").startswith("exchange:"):
        from exchange_world import exchange_objects

        w.exchange = exchange_objects(tree, settings, tmp_path)
    return w


ISSUE17_URLS = ("registry:special_end", "meetings:group_meetings", "meetings:group_meeting_create", "registry:",
                "meetings:")


def issue17_objects(w: World) -> None:
    """Per location a party group with a member, and a member working far away now (also the
    phone and page-query worlds')."""
    for loc in ("in", "side", "out"):
        w.groups[loc] = s.create_organization(None, w.orgs[loc], code=f"{w.orgs[loc].code}-T1",
                                              name=f"Tổ đảng số một {loc}", kind="group")
        _person(w.groups[loc], f"Đảng Viên Tổ {loc}")
        w.specials[loc] = s.set_special_status(None, w.members[loc], "away", TODAY - dt.timedelta(days=10),
                                               TODAY + dt.timedelta(days=60), place="Bình Dương")


def _letter_objects(orgs: dict[str, m.Organization]) -> dict[str, Any]:
    from dangvu.letters import services as ls

    return {loc: ls.record_letter(None, orgs[loc], received_on=dt.date(2026, 5, 4), kind="denunciation",
                                  sender_name="Nguyễn Văn Gửi", subject=f"Tố cáo ở {loc}") for loc in OBJ_LOCS}


def _letters_expect(role: str, loc: str) -> int:
    """Letter pages of an organization: the inspection commission (tests/test_letters.py) and the
    admin open them; every other role gets 403 inside its read scope, 404 outside."""
    return 200 if role == "admin" else 403 if loc in READ[role] else 404


def _letter_expect(role: str, loc: str) -> int:
    """One letter: 404 to every role that may not read letters, inside its scope or not."""
    return 200 if role == "admin" else 404


def _letter(w: World, loc: str, v: str) -> tuple:
    return (w.letters[loc].pk,)


def _discipline_objects(w: World) -> dict[str, Any]:
    from dangvu.discipline import services as ds

    return {loc: ds.open_case(w.members[loc], violation_on=TODAY - dt.timedelta(days=60),
                              summary="Vi phạm quy chế làm việc", opened_by=None)
            for loc in ("in", "side", "out")}
def _channel_objects(w: World, tree) -> dict[str, Any]:
    from dangvu.channel import services as chs
    from dangvu.evaluation import services as es

    out: dict[str, Any] = {loc: chs.post_notice(None, w.orgs[loc], title=f"Thông báo {loc}") for loc in OBJ_LOCS}
    # The member's own sheet in an open round nobody has proposed on yet (two years back: the
    # fuller worlds of the phone and query tests hold rounds of this year and the last).
    out["evaluation"] = es.open_round(None, w.orgs["in"], "member", TODAY.year - 2).evaluations.get(member=tree.own)
    out["feed_key"] = chs.issue_feed_token(tree.users["member"], member=tree.own)[1]
    return out


def _next_occasion() -> dt.date:
    from dangvu.core.badges import next_occasion
    from dangvu.core.rulesets import ruleset_for

    return next_occasion(TODAY, ruleset_for(TODAY))


def _badge_objects(orgs: dict[str, m.Organization]) -> dict[str, Any]:
    from dangvu.honours import services as hs
    from dangvu.honours.models import BadgeAward

    occasion = _next_occasion()
    out = {}
    for loc in ("in", "side", "out"):
        proposed, due, awarded = (s.register_member(None, orgs[loc], make_member_data(
            f"Cựu Chiến Binh {x} {loc}", dt.date(1950, 6, 1), admitted_on=dt.date(1980, 1, 5),
            full_on=dt.date(1981, 1, 5))) for x in ("Một", "Hai", "Ba"))
        out[loc] = hs.propose_badge(None, proposed, occasion)
        BadgeAward.objects.create(member=awarded, badge_years=45, occasion=occasion, decided_on=TODAY,
                                  decision_number="9-QĐ/ĐU")
    return out


# -- the table ------------------------------------------------------------------------------
ArgsFn = Callable[[World, str, str], tuple | None]
PayloadFn = Callable[[World, str, str], dict[str, Any]]


@dataclass(frozen=True)
class Spec:
    """``kind``: read | edit (object in a subtree) | page (no object; ``status`` per role) |
    public (no login; ``status`` per role incl. anonymous) | api (object, bearer token) |
    api_page (no object, bearer token).

    ``args(world, location, variant)`` gives the URL arguments (None: location not applicable).
    ``post(world, location, variant)`` gives valid form data for the POST checks of edit URLs.
    ``expect(role, location)`` overrides the kind's rule where a page has its own.
    """

    kind: str
    args: ArgsFn = lambda w, loc, v: ()
    locations: tuple[str, ...] = ("-",)
    variants: tuple[str, ...] = ("",)
    status: dict[str, int] = field(default_factory=dict)
    post: PayloadFn | None = None
    post_variants: tuple[str, ...] = ()
    expect: Callable[[str, str], int] | None = None
    get_allowed: bool = True


ORG_LOCS = ("in", "side", "out", "above")
OBJ_LOCS = ("in", "side", "out")
MEMBER_LOCS = ("in", "side", "out", "own")
LOGGED_IN_200 = {r: 200 for r in ROLES if r != "anonymous"}
REGISTRY_READERS = {"admin": 200, "office": 200, "secretary": 200, "viewer": 200, "member": 404, "nobody": 404}


# Discipline cases: admins, the office of the subtree and the cell's secretary; viewers and members
# (even about their own record) see nothing of them.
CASE_SEEN = {"admin": ALL, "office": frozenset({"in", "side", "own"}), "secretary": frozenset({"in", "own"})}


def _case_expect(role: str, loc: str) -> int:
    return 200 if loc in CASE_SEEN.get(role, frozenset()) else 404


def _case(w: World, loc: str, v: str) -> tuple:
    return (w.discipline[loc].pk, v) if v else (w.discipline[loc].pk,)


ADMIN_ONLY = {"admin": 200, "office": 403, "secretary": 403, "viewer": 403, "member": 403, "nobody": 403}
POST_ONLY = {r: 405 for r in ROLES if r != "anonymous"}
MEMBER_ONLY = {"admin": 404, "office": 404, "secretary": 404, "viewer": 404, "member": 200, "nobody": 404}


def _insp(key: str) -> ArgsFn:
    return lambda w, loc, v: (w.inspection[loc][key].pk,)


def _insp_post(kind: str) -> PayloadFn:
    from inspection_world import item_payload, load_payload

    return item_payload if kind == "item" else load_payload


def _vn(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _viewer_login(w: World, loc: str, v: str) -> tuple:
    return (w.tree.users["viewer"].pk,)


def _org(w: World, loc: str, v: str) -> tuple:
    return (w.orgs[loc].code,)


def _member(w: World, loc: str, v: str) -> tuple:
    return (w.members[loc].pk,)


def _date(d: dt.date) -> str:
    return d.isoformat()


def _with_version(post: PayloadFn, obj: Callable[[World, str], Any]) -> PayloadFn:
    """An edit form posts back the version of the record it was opened on (no lost update)."""
    def payload(w, loc, v):
        record = obj(w, loc)
        return {**post(w, loc, v), "version": str(type(record)._base_manager.get(pk=record.pk).version)}
    return payload


def _org_edit_data(w, loc, v):
    org = w.orgs[loc]
    return {"name": org.name + " (sửa)", "kind": org.kind, "sector": org.sector,
            "established_on": "2001-03-02", "address": "Thôn Đồng Tâm"}


def _member_data(w, loc, v):
    mem = w.members[loc]
    return {"full_name": mem.full_name, "birth_date": _date(mem.birth_date), "gender": mem.gender,
            "ethnicity": "Kinh", "religion": "Không", "occupation": "Nông dân", "resident": "on"}


NEW_PERSON = {"full_name": "Hoàng Văn Mới", "birth_date": "1995-05-05", "gender": "male", "ethnicity": "Kinh",
              "religion": "Không", "resident": "on"}
EVENT_DATA = {
    "exempt": lambda w, loc: {"on": "2026-06-01", "note": "Tuổi cao, sức yếu"},
    # the rare events record only from their confirmation page ("confirm")
    "discipline": lambda w, loc: {"on": "2026-06-01", "form": "reprimand", "decision_number": "5-QĐ/ĐU",
                                  "note": "Vắng họp nhiều lần", "confirm": "1"},
    "strike_off": lambda w, loc: {"on": "2026-06-01", "decision_number": "7-QĐ/ĐU", "note": "Bỏ sinh hoạt",
                                  "confirm": "1"},
    "death": lambda w, loc: {"on": "2026-06-01", "confirm": "1"},
    "transfer_out": lambda w, loc: {"kind": "permanent", "to_org": w.tree.orgs["C1B" if loc != "side" else "C1A"].pk,
                                    "letter_on": "2026-06-01", "reason": "Chuyển công tác", "confirm": "1"},
}
RECORD_DATA = {
    "dao-tao": {"kind": "party_work", "title": "Bồi dưỡng nghiệp vụ", "finished_on": "2025-05-05"},
    "phan-cong": {"year": "2026", "content": "Theo dõi hộ nghèo", "on": "2026-01-10"},
    "cam-ket": {"year": "2026", "content": "Gương mẫu nơi cư trú", "on": "2026-01-10"},
    "noi-cu-tru": {"year": "2026", "rating": "good", "received_on": "2026-01-10"},
}
MEMBER_ADD_DATA = {
    "ket-nap": {**NEW_PERSON, "admitted_on": "2026-01-15", "decision_number": "12-QĐ/ĐU"},
    "ho-so": {**NEW_PERSON, "admitted_on": "2018-01-15", "full_on": "2019-01-15"},
}


def _meeting(w: World, loc: str, v: str) -> tuple:
    return (w.meetings[loc].pk,)


def _study(w: World, loc: str, v: str) -> tuple:
    return (w.studies[loc].pk,)


MEETING_DATA = {"held_on": "2026-05-20", "kind": "regular", "starts_at": "19:30", "ends_at": "21:30",
                "topic": "Đánh giá nhiệm vụ tháng 5", "place": "Nhà văn hóa"}


def _attendance_data(w, loc, v):
    return {f"m{a.member_id}": "absent" for a in w.meetings[loc].attendances.all()}


def _score_data(w, loc, v):
    from dangvu.core.meetings import default_framework

    return {code: f"{c.max_points:g}" for code, c in default_framework().criteria.items()}


STUDY_DATA = {"document_number": "35-NQ/TW", "document_title": "Nghị quyết 35", "document_kind": "resolution",
              "held_on": "2026-05-20"}


def _congress_objects(org: m.Organization, member: m.Member) -> dict[str, Any]:
    """Everything a congress URL points at, owned by ``org``; the open election's two teams agree."""
    from dangvu.congress import models as cm
    from dangvu.congress import services as cs

    on = dt.date(2031, 3, 10)
    congress = cs.save_congress(None, org, term="2030-2035", kind="members", starts_on=on, ends_on=on)
    timeline = cs.create_timeline(None, org, title="Kế hoạch đại hội", term="2030-2035")
    cs.add_milestone_template(None, timeline, title="Dự thảo báo cáo chính trị", deadline=dt.date(2030, 12, 31))
    cs.apply_timeline(None, timeline)
    milestone = cm.Milestone.objects.get(item__template=timeline)
    cs.update_milestone(None, milestone, status="in_progress", evidence_name="minh-chung.pdf",
                        evidence_content=b"%PDF-1.4 minh chung")
    cs.add_milestone_template(None, timeline, title="Duyệt nhân sự", deadline=dt.date(2031, 1, 31))  # not applied
    apportionment = cm.DelegateApportionment.objects.create(congress=congress, seats=0, minimum=0, counted_on=on)
    draft = cs.add_draft(None, congress, kind="political_report", issued_on=dt.date(2026, 5, 1),
                         file_name="du-thao.docx", content=b"PK du thao")
    comment = cs.add_comment(None, draft, received_on=dt.date(2026, 5, 10), text="Bổ sung số liệu",
                             source_name="Hội nghị cán bộ")
    elections = {}
    for key in ("open", "counted"):
        election = cs.create_election(None, congress, title=f"Bầu bí thư ({key})", seats=1, held_on=on,
                                      counting_board="Nguyễn Văn Trưởng")
        cs.set_candidates(None, election, [member.full_name])
        for name in ("Tổ 1", "Tổ 2"):
            cs.enter_ballots(None, cs.add_team(None, election, name), [[True]])
        elections[key] = election
    tally = cs.count_election(None, elections["counted"])
    # a team that entered only totals (corrected one number at a time, cleared after asking)
    totals_team = cs.add_team(None, elections["open"], "Tổ tổng hợp")
    cs.set_team_totals(None, totals_team, {"ballots": 1, "valid": 1, "invalid": 0, member.full_name: 1})
    team = elections["open"].teams.first()
    return {"congress": congress, "timeline": timeline, "milestone": milestone, "apportionment": apportionment,
            "draft": draft, "comment": comment, "election": elections["open"],
            "team": team, "ballot": team.ballots.first(), "totals_team": totals_team, "tally": tally}


def _cg(key: str) -> ArgsFn:
    return lambda w, loc, v: (w.congress[loc][key].pk,)


CONGRESS_DATA = {"term": "2035-2040", "kind": "members", "starts_on": "2036-03-10", "ends_on": "2036-03-10",
                 "place": "Hội trường"}
ELECTION_DATA = {"title": "Bầu chi ủy", "round": "1", "seats": "1", "held_on": "2031-03-10", "base_kind": "members",
                 "candidates": "Nguyễn Văn An\nLê Văn Cường"}


def _pl(key: str) -> ArgsFn:
    return lambda w, loc, v: (w.plans[loc][key].pk,)


def _pl_post(form: str) -> PayloadFn:
    from plans_world import PLANS_POST

    return lambda w, loc, v: dict(PLANS_POST[form])


def _pl_review(w, loc, v) -> dict[str, str]:
    from plans_world import review_decisions

    return review_decisions(w.plans[loc]["draft"])


def _ev(key: str) -> ArgsFn:
    return lambda w, loc, v: (w.evaluation[loc][key].pk,)


def _self_assessment_data(w, loc, v):
    from evaluation_world import self_payload

    return self_payload(w.evaluation[loc]["open"])


def _adm(stage: str | None = None) -> ArgsFn:
    """A prospect's pk (and the step name) per location; the stage from the step when not given."""
    from admission_world import STEP_PROSPECT

    if stage is not None:
        return lambda w, loc, v: (w.admission[loc][stage].pk,)
    return lambda w, loc, v: (w.admission[loc][STEP_PROSPECT[v]].pk, v)


def _adm_post(kind: str) -> PayloadFn:
    import admission_world as aw

    if kind == "step":
        return lambda w, loc, v: aw.STEP_DATA[v]
    if kind == "quota":
        return lambda w, loc, v: aw.QUOTA_DATA
    return lambda w, loc, v: aw.prospect_data(w.orgs[loc])


def _batch_expect(role: str, loc: str) -> int:
    if role == "admin" or (role == "office" and loc == "in"):
        return 200
    return 404


def _exchange_expect(role: str, loc: str) -> int:
    """The upload page is the committee office's (and the administrator's): other readers get 403."""
    if loc not in READ[role]:
        return 404
    return 200 if role in ("admin", "office") else 403


COMMENDATION_DATA = {"kind": "merit", "level": "commune", "decision_number": "7-QĐ/ĐU", "decided_on": "10/01/2026",
                     "note": "Hoàn thành xuất sắc nhiệm vụ"}
def _fee_month_date() -> dt.date:
    from dangvu.core import clock

    return clock.today().replace(day=1)


def _fee_month() -> tuple[int, int]:
    """This month's book (a later one has no book yet)."""
    return _fee_month_date().year, _fee_month_date().month


EXPECTED: dict[str, Spec] = {
    # -- web: no object -------------------------------------------------------------------
    "home": Spec("page", status=LOGGED_IN_200),
    "login": Spec("public", status={r: 200 for r in ROLES}),
    "logout": Spec("public", status={r: 405 for r in ROLES}),  # Django 5: POST only
    "audit_log": Spec("page", status={"admin": 200, "office": 403, "secretary": 403, "viewer": 403,
                                      "member": 403, "nobody": 403}),
    # -- accounts (issue 12): one's own password; the administrator's account page ----------
    "accounts:password_change": Spec("page", status=LOGGED_IN_200),
    "accounts:user_list": Spec("page", status=ADMIN_ONLY),
    "accounts:reset_password": Spec("page", args=_viewer_login, status=ADMIN_ONLY),
    "accounts:deactivate": Spec("page", args=_viewer_login, status=POST_ONLY),
    "accounts:activate": Spec("page", args=_viewer_login, status=POST_ONLY),
    "accounts:remove_role": Spec("page", args=lambda w, loc, v: (w.tree.users["viewer"].pk, 1), status=POST_ONLY),
    "accounts:revoke_token": Spec("page", args=lambda w, loc, v: (w.tree.users["viewer"].pk, 1), status=POST_ONLY),
    "registry:org_tree": Spec("page", status=REGISTRY_READERS),
    "registry:member_list": Spec("page", status={**REGISTRY_READERS, "member": 200}),  # own record only
    "registry:transfer_list": Spec("page", status=REGISTRY_READERS),
    "registry:import_start": Spec("page", status={"admin": 200, "office": 200, "secretary": 200, "viewer": 403,
                                                  "member": 403, "nobody": 403}),
    "registry:import_template": Spec("page", args=lambda w, loc, v: (v,), variants=("members", "organizations"),
                                     status=LOGGED_IN_200),
    "registry:member_export": Spec("page", status={"admin": 200, "office": 200, "secretary": 200, "viewer": 200,
                                                   "member": 403, "nobody": 403}),
    # -- web: an organization ------------------------------------------------------------
    "registry:org_detail": Spec("read", _org, ORG_LOCS),
    "registry:org_stats": Spec("read", _org, ORG_LOCS),
    "registry:org_stats_file": Spec("read", lambda w, loc, v: (w.orgs[loc].code, v), ORG_LOCS,
                                    variants=("docx", "xlsx")),
    # the fee report download (issue 15): office roles of the subtree; a viewer reads, not exports
    # (a download read by GET: "read" with the edit rule, so the bad-input test does not POST to it)
    "fees:fee_report": Spec("read", _org, ORG_LOCS, expect=lambda role, loc: (
        200 if loc in EDIT[role] else 403 if loc in READ[role] else 404)),
    # the periodic report of party-building work (issue 18): its page and download, office roles
    "periodic_report": Spec("read", _org, ORG_LOCS, expect=lambda role, loc: (
        200 if loc in EDIT[role] else 403 if loc in READ[role] else 404)),
    "registry:org_edit": Spec("edit", _org, ORG_LOCS, post=_with_version(_org_edit_data, lambda w, loc: w.orgs[loc])),
    "registry:org_create": Spec("edit", _org, ORG_LOCS, post=lambda w, loc, v: {
        "code": f"NEW-{loc}", "name": "Tổ đảng mới", "kind": "group"}),
    "registry:working_rules_add": Spec("edit", _org, ORG_LOCS, post=lambda w, loc, v: {
        "issued_on": "2025-01-10", "note": "Quy chế nhiệm kỳ 2025–2030"}),
    "registry:post_add": Spec("edit", _org, ORG_LOCS, post=lambda w, loc, v: {
        "member": w.members.get(loc, w.tree.inside).pk, "role": "deputy", "started_on": "2025-02-01",
        "term": "2025-2030"}),
    "registry:locality_add": Spec("edit", _org, ORG_LOCS, post=lambda w, loc, v: {
        "name": "Thôn Mới", "kind": "village", "households": "120"}),
    "registry:locality_edit": Spec("edit", lambda w, loc, v: (w.orgs[loc].code, w.localities[loc].pk), OBJ_LOCS,
                                   post=_with_version(lambda w, loc, v: {"name": "Thôn Đổi Tên", "kind": "hamlet",
                                                                         "households": "80"},
                                                      lambda w, loc: w.localities[loc])),
    "registry:member_add": Spec("edit", lambda w, loc, v: (w.orgs[loc].code, v), ORG_LOCS,
                                variants=("ket-nap", "ho-so"), post=lambda w, loc, v: MEMBER_ADD_DATA[v],
                                post_variants=("ket-nap", "ho-so")),
    "registry:post_end": Spec("edit", lambda w, loc, v: (w.posts[loc].pk,), OBJ_LOCS,
                              post=lambda w, loc, v: {"ended_on": "2026-06-30"}),
    # -- web: a member -------------------------------------------------------------------
    "registry:member_detail": Spec("read", _member, MEMBER_LOCS),
    "registry:member_edit": Spec("edit", _member, MEMBER_LOCS,
                                 post=_with_version(_member_data, lambda w, loc: w.members[loc])),
    "registry:member_event": Spec("edit", lambda w, loc, v: (w.members[loc].pk, v), MEMBER_LOCS,
                                  variants=tuple(str(e) for e in MEMBER_EVENTS),
                                  post=lambda w, loc, v: EVENT_DATA[v](w, loc), post_variants=tuple(EVENT_DATA)),
    "registry:member_record": Spec("edit", lambda w, loc, v: (w.members[loc].pk, v), MEMBER_LOCS,
                                   variants=tuple(RECORD_DATA), post=lambda w, loc, v: RECORD_DATA[v],
                                   post_variants=tuple(RECORD_DATA)),
    # special statuses (issue 17): temporary exemption, away, abroad; ending one early
    "registry:special_add": Spec("edit", lambda w, loc, v: (w.members[loc].pk, v), MEMBER_LOCS,
                                 variants=("tam-mien", "lam-an-xa", "nuoc-ngoai"),
                                 post=lambda w, loc, v: {"starts_on": "2026-01-05", "ends_on": "2026-03-31",
                                                         "reason": "Ốm dài ngày", "place": "Hàn Quốc"},
                                 post_variants=("tam-mien", "nuoc-ngoai")),
    "registry:special_end": Spec("edit", lambda w, loc, v: (w.specials[loc].pk,), OBJ_LOCS,
                                 post=lambda w, loc, v: {"on": TODAY.isoformat(), "note": "Về sớm"}),
    # -- web: a transfer, an import batch ------------------------------------------------------
    "registry:transfer_action": Spec("edit", lambda w, loc, v: (w.transfers[(v, loc)].pk, v), OBJ_LOCS,
                                     variants=("huy", "tiep-nhan", "tro-ve"),
                                     post=lambda w, loc, v: {"on": "2026-06-01"},
                                     post_variants=("huy", "tiep-nhan", "tro-ve")),
    "registry:import_preview": Spec("read", lambda w, loc, v: (w.batches[loc].pk,), ("in", "out"),
                                    expect=_batch_expect),
    "registry:import_confirm": Spec("edit", lambda w, loc, v: (w.batches[loc].pk,), ("in", "out"),
                                    get_allowed=False),
    # -- meetings: cell meetings, scoring frameworks, study of documents -----------------------
    "meetings:home": Spec("page", status=REGISTRY_READERS),
    "meetings:frameworks": Spec("page", status=REGISTRY_READERS),
    "meetings:org_meetings": Spec("read", _org, ORG_LOCS),
    # April: May has its regular meeting already, and a second one would be asked about first.
    "meetings:meeting_create": Spec("edit", _org, OBJ_LOCS, post=lambda w, loc, v: MEETING_DATA | {"held_on": "2026-04-21"}),
    "meetings:meeting_detail": Spec("read", _meeting, OBJ_LOCS),
    "meetings:meeting_minutes": Spec("read", _meeting, OBJ_LOCS),
    "meetings:meeting_minutes_draft": Spec("read", _meeting, OBJ_LOCS),
    "meetings:meeting_edit": Spec("edit", _meeting, OBJ_LOCS,
                                  post=_with_version(lambda w, loc, v: MEETING_DATA, lambda w, loc: w.meetings[loc])),
    "meetings:meeting_delete": Spec("edit", _meeting, OBJ_LOCS, post=lambda w, loc, v: {"confirm": "xoa"}),
    "meetings:meeting_attendance": Spec("edit", _meeting, OBJ_LOCS, post=_attendance_data),
    "meetings:meeting_score": Spec("edit", _meeting, OBJ_LOCS, post=_score_data),
    # party groups (issue 17): a group's meetings and the phone page recording one
    "meetings:group_meetings": Spec("read", lambda w, loc, v: (w.groups[loc].code,), OBJ_LOCS),
    "meetings:group_meeting_create": Spec("edit", lambda w, loc, v: (w.groups[loc].code,), OBJ_LOCS,
                                          post=lambda w, loc, v: MEETING_DATA | {"held_on": "2026-04-21",
                                                                                 "online": "on"}),
    "meetings:study_list": Spec("read", _org, ORG_LOCS),
    "meetings:study_create": Spec("edit", _org, ORG_LOCS, post=lambda w, loc, v: STUDY_DATA),
    "meetings:study_detail": Spec("read", _study, OBJ_LOCS),
    "meetings:study_attendance": Spec("edit", _study, OBJ_LOCS,
                                      post=lambda w, loc, v: {"members": [w.tree.own.pk]}),
    # -- congress: congresses, campaign timeline, apportionment, drafts, elections -------------------
    "congress:congress_list": Spec("page", status=REGISTRY_READERS),
    "congress:congress_add": Spec("edit", _org, ORG_LOCS, post=lambda w, loc, v: CONGRESS_DATA),
    "congress:congress_detail": Spec("read", _cg("congress"), OBJ_LOCS),
    "congress:congress_edit": Spec("edit", _cg("congress"), OBJ_LOCS, post=lambda w, loc, v: {
        **CONGRESS_DATA, "term": "2030-2035", "starts_on": "2031-03-11", "ends_on": "2031-03-11"}),
    "congress:timeline_add": Spec("edit", _org, ORG_LOCS, post=lambda w, loc, v: {
        "title": "Kế hoạch tổ chức đại hội", "term": "2030-2035"}),
    "congress:timeline_detail": Spec("read", _cg("timeline"), OBJ_LOCS),
    "congress:phase_add": Spec("edit", _cg("timeline"), OBJ_LOCS, post=lambda w, loc, v: {"title": "Giai đoạn 2"}),
    "congress:item_add": Spec("edit", _cg("timeline"), OBJ_LOCS, post=lambda w, loc, v: {
        "title": "Báo cáo kết quả", "deadline": "2031-04-30", "applies_to": "all"}),
    "congress:timeline_apply": Spec("edit", _cg("timeline"), OBJ_LOCS, post=lambda w, loc, v: {}),
    "congress:progress": Spec("read", _cg("timeline"), OBJ_LOCS),
    "congress:milestone_edit": Spec("edit", _cg("milestone"), OBJ_LOCS, post=lambda w, loc, v: {
        "status": "done", "done_on": "2026-05-05", "evidence": "Báo cáo số 5-BC/CB"}),
    "congress:milestone_evidence": Spec("read", _cg("milestone"), OBJ_LOCS),
    # a cell has no sub-organizations to apportion among: GET checks only
    "congress:apportion": Spec("edit", _cg("congress"), OBJ_LOCS),
    "congress:apportionment_detail": Spec("read", _cg("apportionment"), OBJ_LOCS),
    "congress:apportionment_xlsx": Spec("read", _cg("apportionment"), OBJ_LOCS),
    "congress:draft_add": Spec("edit", _cg("congress"), OBJ_LOCS, post=lambda w, loc, v: {
        "kind": "review_report", "issued_on": "2026-05-02"}),
    "congress:draft_detail": Spec("read", _cg("draft"), OBJ_LOCS),
    "congress:draft_file": Spec("read", _cg("draft"), OBJ_LOCS),
    "congress:comments_docx": Spec("read", _cg("congress"), OBJ_LOCS),
    "congress:comment_add": Spec("edit", _cg("draft"), OBJ_LOCS, post=lambda w, loc, v: {
        "source_name": "Hội nghị đảng viên", "received_on": "2026-05-12", "text": "Rút gọn phần mở đầu"}),
    "congress:comment_answer": Spec("edit", _cg("comment"), OBJ_LOCS, post=lambda w, loc, v: {
        "state": "accepted", "response": "Đã bổ sung"}),
    "congress:election_add": Spec("edit", _cg("congress"), OBJ_LOCS, post=lambda w, loc, v: ELECTION_DATA),
    "congress:election_detail": Spec("read", _cg("election"), OBJ_LOCS),
    "congress:election_base": Spec("edit", _cg("election"), OBJ_LOCS, post=lambda w, loc, v: {
        "base": str(w.congress[loc]["election"].base_computed - 1), "reason": "Đại hội biểu quyết"}),
    "congress:adjustment_add": Spec("edit", _cg("election"), OBJ_LOCS, post=lambda w, loc, v: {
        "member": w.members[loc].pk, "kind": "absent", "note": "Ốm"}),
    "congress:team_add": Spec("edit", _cg("election"), OBJ_LOCS, post=lambda w, loc, v: {"name": "Tổ 3"}),
    "congress:team_entry": Spec("edit", _cg("team"), OBJ_LOCS, post=_with_version(lambda w, loc, v: {
        "action": "grid", "rows": "1", "r0": "on"}, lambda w, loc: w.congress[loc]["team"])),
    "congress:election_lists": Spec("edit", _cg("election"), OBJ_LOCS, post=lambda w, loc, v: {
        "candidates": w.members[loc].full_name, "counting_board": "Nguyễn Văn Trưởng\nLê Thị Phó"}),
    "congress:total_correct": Spec("edit", lambda w, loc, v: (w.congress[loc]["totals_team"].pk, "valid"), OBJ_LOCS,
                                   post=_with_version(lambda w, loc, v: {"value": "1"},
                                                      lambda w, loc: w.congress[loc]["totals_team"])),
    "congress:totals_clear": Spec("edit", lambda w, loc, v: (w.congress[loc]["totals_team"].pk,), OBJ_LOCS,
                                  post=_with_version(lambda w, loc, v: {"confirm": "1"},
                                                     lambda w, loc: w.congress[loc]["totals_team"])),
    "congress:ballot_delete": Spec("edit", lambda w, loc, v: (w.congress[loc]["team"].pk,
                                                              w.congress[loc]["ballot"].pk), OBJ_LOCS,
                                   post=_with_version(lambda w, loc, v: {"confirm": "1"},
                                                      lambda w, loc: w.congress[loc]["team"])),
    "congress:tally_run": Spec("edit", _cg("election"), OBJ_LOCS, post=lambda w, loc, v: {}),
    "congress:tally_detail": Spec("read", _cg("tally"), OBJ_LOCS),
    "congress:tally_docx": Spec("read", _cg("tally"), OBJ_LOCS),
    # -- evaluation: rounds, the three steps, closing, the published list ---------------------------
    "evaluation:home": Spec("page", status=REGISTRY_READERS),
    "evaluation:org_rounds": Spec("read", _org, ORG_LOCS),
    "evaluation:round_open": Spec("edit", _org, ORG_LOCS, post=lambda w, loc, v: {
        "subject_kind": "member", "year": str(TODAY.year - 2)}),
    "evaluation:round_detail": Spec("read", _ev("open"), OBJ_LOCS),
    "evaluation:round_finalise": Spec("edit", _ev("open"), OBJ_LOCS, post=lambda w, loc, v: {}),
    "evaluation:round_publish": Spec("edit", _ev("finalised"), OBJ_LOCS, post=lambda w, loc, v: {}),
    "evaluation:round_published": Spec("read", _ev("published"), OBJ_LOCS),
    "evaluation:round_xlsx": Spec("read", _ev("published"), OBJ_LOCS),
    "evaluation:evaluation_self": Spec("edit", _ev("evaluation"), OBJ_LOCS, post=_self_assessment_data),
    "evaluation:evaluation_proposal": Spec("edit", _ev("evaluation"), OBJ_LOCS, post=lambda w, loc, v: {
        "grade": "good", "note": "Gương mẫu nơi cư trú"}),
    # one cell's proposals at once (issue 13): the round and the cell of the location
    "evaluation:cell_proposals": Spec("edit", lambda w, loc, v: (w.evaluation[loc]["open"].pk, w.orgs[loc].code),
                                      OBJ_LOCS, post=lambda w, loc, v: {
                                          f"g{w.evaluation[loc]['evaluation'].pk}": "excellent"}),
    "evaluation:evaluation_decision": Spec("edit", _ev("evaluation"), OBJ_LOCS, post=lambda w, loc, v: {
        "grade": "good"}),
    # -- admission: prospects through the procedure, quotas, the pipeline -------------------------
    "admission:home": Spec("page", status=REGISTRY_READERS),
    "admission:pipeline": Spec("read", _org, ORG_LOCS),
    "admission:prospect_create": Spec("edit", _org, ORG_LOCS, post=_adm_post("prospect")),
    "admission:quota_edit": Spec("edit", _org, ORG_LOCS, post=_adm_post("quota")),
    "admission:prospect_detail": Spec("read", _adm("source"), OBJ_LOCS),
    "admission:prospect_edit": Spec("edit", _adm("source"), OBJ_LOCS, post=_adm_post("prospect")),
    "admission:prospect_step": Spec("edit", _adm(), OBJ_LOCS,
                                    variants=("hoc-lop", "tham-tra", "nghi-quyet", "quyet-dinh", "ket-nap", "dung"),
                                    post=_adm_post("step")),
    # -- plans: upload → review → save, dashboard, tasks, cascade, report -----------------------
    "plans:plan_list": Spec("page", status=REGISTRY_READERS),
    "plans:plan_upload": Spec("edit", _org, ORG_LOCS, post=_pl_post("upload")),
    # A scan job is its uploader's alone (tests/test_plan_scans.py): an unknown one is 404 for everyone.
    "plans:plan_scan": Spec("page", lambda w, loc, v: ("0" * 32,), status={r: 404 for r in ROLES if r != "anonymous"}),
    "plans:plan_dashboard": Spec("read", _pl("plan"), OBJ_LOCS),
    "plans:plan_review": Spec("edit", _pl("draft"), OBJ_LOCS, post=_pl_review),
    "plans:plan_edit": Spec("edit", _pl("plan"), OBJ_LOCS, post=_pl_post("edit")),
    "plans:plan_tasks": Spec("read", _pl("plan"), OBJ_LOCS),
    "plans:plan_cascade": Spec("read", _pl("plan"), OBJ_LOCS),
    # POST only; its POST by editors, viewers and outsiders: tests/test_plan_snapshots.py
    "plans:plan_refresh": Spec("edit", _pl("plan"), OBJ_LOCS, get_allowed=False),
    "plans:plan_report": Spec("read", lambda w, loc, v: (w.plans[loc]["plan"].pk, v), OBJ_LOCS,
                              variants=("docx", "xlsx")),
    "plans:target_edit": Spec("edit", _pl("target"), OBJ_LOCS,
                              post=_with_version(_pl_post("target"), lambda w, loc: w.plans[loc]["target"])),
    "plans:target_detail": Spec("read", _pl("target"), OBJ_LOCS),
    "plans:measurement_add": Spec("edit", _pl("target"), OBJ_LOCS, post=_pl_post("measurement")),
    "plans:task_edit": Spec("edit", _pl("task"), OBJ_LOCS,
                            post=_with_version(_pl_post("task"), lambda w, loc: w.plans[loc]["task"])),
    "plans:task_update": Spec("edit", _pl("task"), OBJ_LOCS, post=_pl_post("update")),
    "plans:task_evidence": Spec("read", _pl("update"), OBJ_LOCS),
    "plans:plan_discard": Spec("edit", _pl("draft"), OBJ_LOCS, post=_pl_post("confirm_delete")),
    "plans:target_add": Spec("edit", _pl("draft"), OBJ_LOCS, post=_pl_post("target")),
    "plans:target_delete": Spec("edit", _pl("target"), OBJ_LOCS, post=_pl_post("confirm_delete")),
    "plans:task_add": Spec("edit", _pl("draft"), OBJ_LOCS, post=_pl_post("task")),
    "plans:task_delete": Spec("edit", _pl("task"), OBJ_LOCS, post=_pl_post("confirm_delete")),
    # -- fees (issue 15): the cell's monthly book, corrections, a member's basis and months, import --
    "fees:book": Spec("read", lambda w, loc, v: (w.orgs[loc].code, *_fee_month()), OBJ_LOCS),
    "fees:correct": Spec("edit", lambda w, loc, v: (w.fees[loc]["payment"].pk,), OBJ_LOCS,
                         post=lambda w, loc, v: {"amount": "1.000", "reason": "Ghi nhầm số tiền"}),
    "fees:member_fees": Spec("read", _member, MEMBER_LOCS),
    "fees:basis_set": Spec("edit", _member, MEMBER_LOCS, post=lambda w, loc, v: {
        "category": "salaried", "base": "8.000.000", "starts_on": f"{_fee_month_date():%Y-%m}"}),
    "fees:import_start": Spec("edit", _org, OBJ_LOCS),
    "fees:import_template": Spec("read", _org, OBJ_LOCS),
    "fees:import_preview": Spec("read", lambda w, loc, v: (w.fees[loc]["batch"].pk,), ("in", "out"),
                                expect=_batch_expect),
    "fees:import_confirm": Spec("edit", lambda w, loc, v: (w.fees[loc]["batch"].pk,), ("in", "out"),
                                get_allowed=False),
    # -- alerts: the user's scope, or one organization in it ------------------------------------
    "alerts:list": Spec("page", status=REGISTRY_READERS),
    "alerts:org": Spec("read", _org, ORG_LOCS),
    # -- fees (issue 15): remittances up the tree; its POSTs (record, confirm, share) are tested in
    # tests/test_fees_share.py (the receiver confirms: a cell's editor may not)
    "fees:remittances": Spec("read", _org, ORG_LOCS),
    # -- honours: Party badges of an occasion, commendations ------------------------------------
    "honours:badges": Spec("read", _org, ORG_LOCS),
    # POST only (buttons of the badge page): refusals and scope in tests/test_honours.py
    "honours:badge_action": Spec("edit", _org, ORG_LOCS, get_allowed=False),
    "honours:badge_decide": Spec("edit", _org, ORG_LOCS, post=lambda w, loc, v: {
        "dip": _next_occasion().isoformat(), "decision_number": "12-QĐ/ĐU", "decided_on": TODAY.strftime("%d/%m/%Y")}),
    "honours:badge_document": Spec("read", lambda w, loc, v: (w.orgs[loc].code, *v.split(".")), ORG_LOCS,
                                   variants=("de-nghi.docx", "de-nghi.xlsx", "quyet-dinh.docx", "quyet-dinh.xlsx")),
    "honours:org_commendations": Spec("read", _org, ORG_LOCS),
    "honours:org_commendation_add": Spec("edit", _org, ORG_LOCS, post=lambda w, loc, v: COMMENDATION_DATA),
    "honours:member_commendations": Spec("read", _member, MEMBER_LOCS),
    "honours:member_commendation_add": Spec("edit", _member, MEMBER_LOCS, post=lambda w, loc, v: COMMENDATION_DATA),
    # -- classification: «chi bộ bốn tốt» of the cells of an organization, one cell's criteria ----
    "classification:overview": Spec("read", _org, ORG_LOCS),
    # POST only (buttons): the committee above the cell decides; refusals in tests/test_classification.py
    "classification:assess_all": Spec("edit", _org, ORG_LOCS, get_allowed=False),
    "classification:cell": Spec("read", _org, OBJ_LOCS),
    "classification:assess_one": Spec("edit", _org, OBJ_LOCS, get_allowed=False),
    # exemplary members of a year: read by every role of the subtree, saved by editors (tests/test_exemplary.py)
    "honours:exemplary": Spec("read", _org, ORG_LOCS),
    # -- letters (đơn thư): the inspection commission and admins only; the inspection row is in tests/test_letters.py
    "letters:list": Spec("read", _org, ORG_LOCS, expect=_letters_expect),
    "letters:add": Spec("edit", _org, ORG_LOCS, expect=_letters_expect),
    "letters:detail": Spec("read", _letter, OBJ_LOCS, expect=_letter_expect),
    "letters:close": Spec("edit", _letter, OBJ_LOCS, expect=_letter_expect),
    # -- discipline cases (issue 16): seen only by admins, the office and the cell's secretary ------
    "discipline:org_cases": Spec("read", _org, ORG_LOCS, expect=_case_expect),
    "discipline:open_case": Spec("edit", _member, MEMBER_LOCS, expect=_case_expect, post=lambda w, loc, v: {
        "violation_on": (TODAY - dt.timedelta(days=30)).strftime("%d/%m/%Y"), "summary": "Vắng sinh hoạt"}),
    "discipline:case_detail": Spec("read", _case, OBJ_LOCS, expect=_case_expect),
    "discipline:case_step": Spec("edit", _case, OBJ_LOCS, expect=_case_expect, variants=(
        "tinh-tiet", "tu-kiem-diem", "chi-bo", "quyet-dinh", "dung", "khieu-nai", "giai-quyet"),
        post_variants=("tu-kiem-diem",), post=lambda w, loc, v: {
            "on": TODAY.strftime("%d/%m/%Y"), "text": "Tôi nhận khuyết điểm"}),
    # -- inspection and supervision (issue 16): programmes, items, recommendations ------------------
    "inspection:org_programmes": Spec("read", _org, ORG_LOCS),
    "inspection:programme_add": Spec("edit", _org, ORG_LOCS, post=lambda w, loc, v: {
        "year": str(TODAY.year), "issuer": "commission", "number": "2-CTr/UBKT"}),
    "inspection:programme_detail": Spec("read", _insp("programme"), OBJ_LOCS),
    "inspection:item_add": Spec("edit", _insp("programme"), OBJ_LOCS, post=_insp_post("item")),
    "inspection:programme_load": Spec("edit", _insp("programme"), OBJ_LOCS, post=_insp_post("load")),
    "inspection:item_detail": Spec("read", _insp("concluded"), OBJ_LOCS),
    "inspection:item_start": Spec("edit", _insp("new"), OBJ_LOCS, post=lambda w, loc, v: {
        "decision_number": "7-QĐ/CB", "decided_on": _vn(TODAY), "started_on": _vn(TODAY),
        "leader": "Đồng chí Bí thư chi bộ"}),
    "inspection:item_report": Spec("edit", _insp("started"), OBJ_LOCS, post=lambda w, loc, v: {
        "reported_on": _vn(TODAY), "summary": "Báo cáo tự kiểm điểm"}),
    "inspection:item_conclude": Spec("edit", _insp("started"), OBJ_LOCS, post=lambda w, loc, v: {
        "concluded_on": _vn(TODAY), "conclusion": "Thực hiện tốt"}),
    "inspection:recommendation_add": Spec("edit", _insp("concluded"), OBJ_LOCS, post=lambda w, loc, v: {
        "content": "Bổ sung hồ sơ", "due_on": _vn(TODAY + dt.timedelta(days=10))}),
    "inspection:recommendation_done": Spec("edit", _insp("rec"), OBJ_LOCS, post=lambda w, loc, v: {
        "done_on": _vn(TODAY), "note": "Đã bổ sung"}),
    # -- the members' channel (issue 17): the member home is the member role's own; the POST-only
    # buttons (reply, study mark, revoke, one-tap invitation, mail retry) are tested in tests/test_channel.py
    "channel:home": Spec("page", status=MEMBER_ONLY),
    "channel:cell": Spec("page", status=MEMBER_ONLY),
    "channel:email": Spec("page", status=MEMBER_ONLY),
    "channel:feeds": Spec("page", status=MEMBER_ONLY),
    "channel:self_assess": Spec("page", args=lambda w, loc, v: (w.channel["evaluation"].pk,), status=MEMBER_ONLY),
    "channel:reply": Spec("page", args=lambda w, loc, v: (w.channel["in"].pk,), status=POST_ONLY),
    "channel:study_ack": Spec("page", args=lambda w, loc, v: (w.studies["in"].pk,), status=POST_ONLY),
    "channel:feed_revoke": Spec("page", args=lambda w, loc, v: (1,), status=POST_ONLY),
    "channel:mail_retry": Spec("page", args=lambda w, loc, v: (w.channel["in"].pk,), status=POST_ONLY),
    "channel:feed": Spec("public", args=lambda w, loc, v: (w.channel["feed_key"],), status={r: 200 for r in ROLES}),
    "channel:notice_list": Spec("page", status=LOGGED_IN_200),
    "channel:notice_detail": Spec("read", lambda w, loc, v: (w.channel[loc].pk,), OBJ_LOCS, expect=lambda role, loc: (
        200 if loc in READ[role] or (role == "member" and loc == "in") else 404)),
    "channel:notice_create": Spec("edit", _org, ORG_LOCS, post=lambda w, loc, v: {
        "kind": "notice", "title": "Thông báo lịch trực", "body": "Trực cơ quan ngày lễ"}),
    "channel:invite_from_meeting": Spec("edit", _org, OBJ_LOCS, get_allowed=False),
    # -- exchange with the level above (issue 18.3): upload → preview → confirm; the schema -------
    "exchange:upload": Spec("edit", _org, ORG_LOCS, expect=_exchange_expect),
    "exchange:preview": Spec("read", lambda w, loc, v: (w.exchange[loc].pk,), ("in", "out"), expect=_batch_expect),
    "exchange:confirm": Spec("edit", lambda w, loc, v: (w.exchange[loc].pk,), ("in", "out"), get_allowed=False),
    "exchange_schema": Spec("public", status={r: 200 for r in ROLES}),
    # -- API --------------------------------------------------------------------------------
    "api:openapi-json": Spec("public", status={r: 200 for r in ROLES}),
    "api:api-root": Spec("public", status={r: 404 for r in ROLES}),
    "api:list_members": Spec("api_page", status=LOGGED_IN_200),
    "api:list_organizations": Spec("api_page", status=LOGGED_IN_200),
    "api:stats": Spec("api_page", status=LOGGED_IN_200),
    "api:get_member": Spec("api", _member, MEMBER_LOCS),
    "api:get_organization": Spec("api", _org, ORG_LOCS),
    "api:list_events": Spec("api", _member, MEMBER_LOCS),
    "api:list_meetings": Spec("api_page", status=LOGGED_IN_200),
    "api:get_meeting": Spec("api", _meeting, OBJ_LOCS),
    # The write operations share their route with a read (ninja names each operation); a GET there is that read.
    "api:create_member": Spec("api_page", status=LOGGED_IN_200),
    "api:update_member": Spec("api", _member, MEMBER_LOCS),
    "api:record_event": Spec("api", _member, MEMBER_LOCS),
    "api:create_meeting": Spec("api_page", status=LOGGED_IN_200),
    # POST only: the exchange package through the API (tests/test_exchange.py)
    "api:import_package": Spec("public", status={r: 405 for r in ROLES}),  # GET: 405 before any login
}


def expected_status(spec: Spec, role: str, loc: str) -> int:
    if role == "anonymous" and spec.kind not in ("public",):
        return 401 if spec.kind.startswith("api") else 302
    if spec.kind in ("page", "public", "api_page"):
        return spec.status[role]
    if not spec.get_allowed:
        return 405
    if spec.expect is not None:
        return spec.expect(role, loc)
    if spec.kind in ("read", "api"):
        return 200 if loc in READ[role] else 404
    if loc in EDIT[role]:
        return 200
    return 403 if loc in READ[role] else 404


# -- enumeration ----------------------------------------------------------------------------
def enumerate_urls() -> dict[str, str]:
    """Every URL pattern of the project: full name (``ns:name``, or the route when unnamed) → route."""
    found: dict[str, str] = {}
    duplicates: list[str] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace or "") if x)
                walk(p.url_patterns, prefix + str(p.pattern), ns)
                continue
            route = prefix + str(p.pattern)
            key = ":".join(x for x in (namespace, p.name) if x) if p.name else route
            if key in found:
                duplicates.append(key)
            found[key] = route

    walk(get_resolver().url_patterns, "", "")
    assert not duplicates, f"URL names used twice (the access table cannot tell them apart): {duplicates}"
    return found


def test_every_url_is_in_the_table():
    found = set(enumerate_urls())
    missing = sorted(found - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - found)
    assert not missing, (
        f"New URL pattern(s) without an access expectation: {missing}. Add each one to EXPECTED in "
        "tests/test_access_matrix.py: its kind (read/edit/page/public/api/api_page), how to build the "
        "inside/outside arguments, and for edit forms a valid POST payload.")
    assert not stale, f"EXPECTED lists URL(s) that no longer exist: {stale}; remove them from the table."


def test_enumeration_sees_every_layer():
    found = enumerate_urls()
    assert found["registry:member_detail"] == "dang-vien/<int:pk>/"
    assert found["api:get_member"] == "api/v1/members/<member_id>"
    assert found["login"] == "dang-nhap/"
    assert found["api:openapi-json"] == "api/v1/openapi.json"


# -- helpers --------------------------------------------------------------------------------
def url_for(w: World, name: str, loc: str, variant: str) -> str | None:
    spec = EXPECTED[name]
    args = spec.args(w, loc, variant)
    if args is None:
        return None
    return reverse(name, args=args)


def client_for(w: World, role: str, api: bool = False) -> tuple[Client, dict]:
    client = Client(raise_request_exception=False)
    headers: dict[str, str] = {}
    if role == "anonymous":
        return client, headers
    user = w.tree.users[role]
    if api:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {issue_api_token(user)[1]}"
    else:
        client.force_login(user)
    return client, headers


def snapshot() -> dict[str, Any]:
    """Everything an edit form can change: row counts, states, and the audit log's length."""
    models = (m.Organization, m.WorkingRules, m.Member, m.StatusChange, m.Transfer, m.Discipline, m.Post,
              m.Locality, m.Training, m.Assignment, m.Commitment, m.ResidenceLink, m.ImportBatch)
    snap: dict[str, Any] = {model.__name__: model.objects.count() for model in models}
    snap["log"] = LogEntry.objects.count()
    from dangvu.honours import models as hm

    snap["badges"] = sorted(hm.BadgeAward.objects.values_list("pk", "decided_on"))
    snap["Commendation"] = hm.Commendation.objects.count()
    from dangvu.discipline import models as dm

    snap["cases"] = sorted(dm.DisciplineCase.objects.values_list("pk", "state"))
    from dangvu.congress import models as cm

    for model in (cm.Congress, cm.TimelineTemplate, cm.Phase, cm.MilestoneTemplate, cm.Milestone, cm.Draft,
                  cm.DraftComment, cm.Election, cm.BaseAdjustment, cm.CountingTeam, cm.Ballot, cm.Tally):
        snap[model.__name__] = model.objects.count()
    snap["milestones"] = sorted(cm.Milestone.objects.values_list("pk", "status"))
    snap["comments"] = sorted(cm.DraftComment.objects.values_list("pk", "state"))
    snap["congresses"] = sorted(cm.Congress.objects.values_list("pk", "starts_on"))
    snap["bases"] = sorted(cm.Election.objects.values_list("pk", "base"))
    snap["statuses"] = sorted(m.Member.objects.values_list("pk", "status", "organization_id"))
    snap["transfers"] = sorted(m.Transfer.objects.values_list("pk", "state"))
    snap["posts"] = sorted(m.Post.objects.values_list("pk", "ended_on"))
    snap["orgs"] = sorted(m.Organization.objects.values_list("pk", "name"))
    snap["batches"] = sorted(m.ImportBatch.objects.values_list("pk", "state"))
    from dangvu.channel import models as chm

    for model in (chm.Notice, chm.NoticeRead, chm.MeetingReply, chm.StudyAck, chm.FeedToken, chm.Outbox):
        snap[model.__name__] = model.objects.count()
    return snap


# -- GET: every URL × every role × every location ------------------------------------------------
# One test per URL and variant; the roles are checked inside it against one world (building the
# world is the expensive part), and a failure names the URL, the role and the location.
GET_CASES = [
    pytest.param(name, variant, id=f"{name}{'[' + variant + ']' if variant else ''}")
    for name, spec in EXPECTED.items()
    for variant in spec.variants
]


@pytest.mark.parametrize(("name", "variant"), GET_CASES)
def test_get(world, name, variant):
    spec = EXPECTED[name]
    is_api = spec.kind in ("api", "api_page")
    failures = []
    for role in ROLES:
        client, headers = client_for(world, role, api=is_api)
        for loc in spec.locations:
            url = url_for(world, name, loc, variant)
            if url is None:
                continue
            r = client.get(url, **headers)
            want = expected_status(spec, role, loc)
            if r.status_code != want:
                failures.append(f"{role}: {url} ({loc}): {r.status_code}, expected {want}")
            elif want == 302 and not r["Location"].startswith(f"{LOGIN}?next="):
                failures.append(f"{role}: {url} ({loc}): redirects to {r['Location']}, expected the login page")
            elif want == 401 and r.json() != {"detail": "Thiếu hoặc sai khóa truy cập."}:
                failures.append(f"{role}: {url} ({loc}): unexpected 401 body {r.content[:200]!r}")
    assert not failures, f"{name}:\n" + "\n".join(failures)


# -- POST: edit forms refuse outside and read-only roles, and change nothing -------------------------
POST_CASES = [
    pytest.param(name, variant, id=f"{name}{'[' + variant + ']' if variant else ''}")
    for name, spec in EXPECTED.items() if spec.post is not None
    for variant in (spec.post_variants or spec.variants)
]


@pytest.mark.parametrize(("name", "variant"), POST_CASES)
def test_post_refused_outside_scope_and_for_read_only_roles(world, name, variant):
    spec = EXPECTED[name]
    before = snapshot()
    failures = []
    for role in ("anonymous", "office", "secretary", "viewer", "member", "nobody"):
        client, _ = client_for(world, role)
        for loc in spec.locations:
            url = url_for(world, name, loc, variant)
            want = expected_status(spec, role, loc)
            if want == 200:
                continue  # allowed: covered by the success test below
            r = client.post(url, spec.post(world, loc, variant))
            if r.status_code != want:
                failures.append(f"{role} POST {url} ({loc}): {r.status_code}, expected {want}")
    assert not failures, f"{name}:\n" + "\n".join(failures)
    assert snapshot() == before, f"{name}: a refused POST changed data"


@pytest.mark.parametrize(("name", "variant"), POST_CASES)
@pytest.mark.parametrize("role", ["admin", "office", "secretary"])
def test_post_allowed_inside_scope(world, name, variant, role):
    """The payloads of the refusal test are valid: the same POST by an editor of the object succeeds."""
    spec = EXPECTED[name]
    loc = "in"  # C1A: inside every editor's scope
    before = snapshot()
    client, _ = client_for(world, role)
    url = url_for(world, name, loc, variant)
    r = client.post(url, spec.post(world, loc, variant))
    assert r.status_code == 302, (url, r.status_code, r.content.decode()[-1500:])
    after = snapshot()
    assert after != before and after["log"] > before["log"], f"{name}: success wrote nothing to the audit log"
    entry = LogEntry.objects.order_by("-id").first()
    assert entry.actor == world.tree.users[role]


def test_viewer_post_to_lifecycle_form_is_403_and_status_unchanged(world):
    an = world.tree.inside
    client, _ = client_for(world, "viewer")
    r = client.post(reverse("registry:member_event", args=[an.pk, "exempt"]), {"on": "2026-06-01"})
    assert r.status_code == 403
    assert "không có quyền cập nhật" in r.content.decode()
    an.refresh_from_db()
    assert an.status == "full"
    assert not an.history.filter(event="exempt").exists()


def test_import_start_and_confirm_post(world):
    """Upload: read-only roles are refused before the file is read; a batch is the creator's."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = snapshot()
    for role in ("viewer", "member", "nobody"):
        client, _ = client_for(world, role)
        upload = SimpleUploadedFile("ds.xlsx", b"PK\x03\x04 not really", content_type="application/octet-stream")
        r = client.post(reverse("registry:import_start"), {"kind": "members", "scope": "C1", "file": upload})
        assert r.status_code == 403, role
    # an office user cannot pick a scope outside their edit subtree
    client, _ = client_for(world, "office")
    upload = SimpleUploadedFile("ds.xlsx", b"PK\x03\x04 not really")
    r = client.post(reverse("registry:import_start"), {"kind": "members", "scope": "C2", "file": upload})
    assert r.status_code == 200
    assert "Hãy chọn một tổ chức bạn được cập nhật." in r.content.decode()
    # another user's batch: 404 to everyone but its creator and the admin
    for role in ("secretary", "viewer", "member", "nobody"):
        client, _ = client_for(world, role)
        r = client.post(reverse("registry:import_confirm", args=[world.batches["in"].pk]))
        assert r.status_code == 404, role
    client, _ = client_for(world, "office")
    r = client.post(reverse("registry:import_confirm", args=[world.batches["out"].pk]))
    assert r.status_code == 404
    assert snapshot() == before


def test_transfer_visible_from_one_side_cannot_be_acted_on_from_the_other(world):
    """C2A → C1A is in the C1 lists (incoming) but only C2A may cancel it."""
    t = world.transfers[("tiep-nhan", "in")]
    assert (t.from_org.code, t.to_org.code) == ("C2A", "C1A")
    client, _ = client_for(world, "office")
    assert client.get(reverse("registry:transfer_list")).status_code == 200
    assert t.member.full_name in client.get(reverse("registry:transfer_list")).content.decode()
    r = client.post(reverse("registry:transfer_action", args=[t.pk, "huy"]), {"on": "2026-06-01"})
    assert r.status_code == 404
    t.refresh_from_db()
    assert t.state == "pending"


# -- what the pages show: own record only, in-scope lists ----------------------------------------
def test_member_role_sees_only_own_record(world):
    client, _ = client_for(world, "member")
    r = client.get(reverse("registry:member_list"), {"status": "all"})
    assert r.status_code == 200
    page = r.context["page"]
    assert [x.pk for x in page] == [world.tree.own.pk]
    assert client.get(reverse("registry:member_detail", args=[world.tree.own.pk])).status_code == 200
    assert client.get(reverse("registry:member_detail", args=[world.tree.inside.pk])).status_code == 404


@pytest.mark.parametrize("role", ["admin", "office", "secretary", "viewer", "member", "nobody"])
def test_member_list_page_is_scoped(world, role):
    client, _ = client_for(world, role)
    r = client.get(reverse("registry:member_list"), {"status": "all"})
    if role == "nobody":
        assert r.status_code == 404
        return
    assert r.status_code == 200
    shown = {x.pk for x in r.context["page"]}
    assert shown == _expected_member_ids(role)


def _expected_member_ids(role: str) -> set[int]:
    if role == "member":
        return {m.Member.objects.get(full_name="Lê Văn Cường").pk}
    return set(m.Member.objects.filter(organization__code__in=READ_ORGS[role]).values_list("pk", flat=True))


# -- API: lists hold only in-scope ids; details outside are 404 ------------------------------------
@pytest.mark.parametrize("role", ["admin", "office", "secretary", "viewer", "member", "nobody"])
def test_api_lists_are_scoped(world, role):
    client, headers = client_for(world, role, api=True)
    r = client.get("/api/v1/members/", {"page_size": 500}, **headers)
    assert r.status_code == 200
    ids = {row["id"] for row in r.json()["results"]}
    assert ids == _expected_member_ids(role)
    assert (world.tree.inside.pk in ids) == (role in ("admin", "office", "secretary", "viewer"))
    assert (world.tree.outside.pk in ids) == (role == "admin")
    r = client.get("/api/v1/organizations/", {"page_size": 500}, **headers)
    assert r.status_code == 200
    assert {row["code"] for row in r.json()["results"]} == READ_ORGS[role]
    r = client.get("/api/v1/stats/", **headers)
    assert r.status_code == 200
    assert r.json()["total"] == len(_expected_member_ids(role))


@pytest.mark.parametrize("role", ["office", "secretary", "viewer", "member", "nobody"])
def test_api_details_outside_are_404(world, role):
    client, headers = client_for(world, role, api=True)
    for url in (f"/api/v1/members/{world.tree.outside.pk}", "/api/v1/organizations/C2A",
                "/api/v1/organizations/P", "/api/v1/members/?org=C2", "/api/v1/stats/?org=C2A"):
        r = client.get(url, **headers)
        assert r.status_code == 404, url
        assert r.json()["detail"].startswith("Không tìm thấy")


def test_api_session_cannot_write(world):
    """Writing through the API needs a token issued to write: a web session is not enough (401),
    a reading token is refused (403); nothing is written (tests/test_api_write.py has the rest)."""
    body = {"organization": "C1A", "full_name": "Đỗ Thị Hạnh", "birth_date": "1988-06-14", "gender": "female",
            "admitted_on": "2015-03-02"}
    before = m.Member.objects.count()
    session = Client(raise_request_exception=False)
    session.force_login(world.tree.users["admin"])
    assert session.post("/api/v1/members/", body, content_type="application/json").status_code == 401
    client, headers = client_for(world, "admin", api=True)
    assert client.post("/api/v1/members/", body, content_type="application/json", **headers).status_code == 403
    assert client.delete(f"/api/v1/members/{world.tree.inside.pk}", **headers).status_code == 405
    assert m.Member.objects.count() == before


# -- login throttling, CSRF, passwords ----------------------------------------------------------
@pytest.mark.axes
def test_login_is_throttled_after_failures(tree):
    client = Client()
    assert settings.AXES_ENABLED is not False
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit - 1):
        r = client.post(LOGIN, {"username": "office", "password": "sai-mat-khau"})
        assert r.status_code == 200
        assert "Sai tên đăng nhập hoặc mật khẩu" in r.content.decode()
    r = client.post(LOGIN, {"username": "office", "password": "sai-mat-khau"})
    assert r.status_code == 429
    r = client.post(LOGIN, {"username": "office", "password": PASSWORD})
    assert r.status_code == 429
    assert "Tạm khóa đăng nhập" in r.content.decode()
    assert "_auth_user_id" not in client.session
    # another account from the same address is not locked (username + IP)
    r = client.post(LOGIN, {"username": "viewer", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/"


@pytest.mark.axes
def test_login_works_below_the_limit(tree):
    client = Client()
    client.post(LOGIN, {"username": "office", "password": "sai-mat-khau"})
    r = client.post(LOGIN, {"username": "office", "password": PASSWORD})
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(tree.users["office"].pk)


def test_csrf_is_enforced(tree):
    client = Client(enforce_csrf_checks=True)
    r = client.post(LOGIN, {"username": "office", "password": PASSWORD})
    assert r.status_code == 403
    client.force_login(tree.users["admin"])
    r = client.post(reverse("registry:member_event", args=[tree.inside.pk, "exempt"]), {"on": "2026-06-01"})
    assert r.status_code == 403
    tree.inside.refresh_from_db()
    assert tree.inside.status == "full"


def test_password_validators_are_configured():
    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert {"MinimumLengthValidator", "CommonPasswordValidator", "NumericPasswordValidator"} <= set(names)
    for weak in ("123", "password123", "1234567890"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Ngo-dong-hoa-vang-2026")


# -- audit log -----------------------------------------------------------------------------
def test_lifecycle_event_through_ui_is_audited_with_actor_and_change(tree):
    client = Client()
    client.force_login(tree.users["secretary"])
    an = tree.inside
    r = client.post(reverse("registry:member_event", args=[an.pk, "exempt"]),
                    {"on": "2026-06-01", "note": "Tuổi cao"})
    assert r.status_code == 302 and r["Location"] == f"/dang-vien/{an.pk}/"
    an.refresh_from_db()
    assert an.status == "exempt"
    entry = LogEntry.objects.get_for_object(an).filter(action=LogEntry.Action.UPDATE).latest("id")
    assert entry.actor == tree.users["secretary"]
    assert entry.changes_dict["status"] == ["full", "exempt"]
    history = m.StatusChange.objects.filter(member=an).latest("id")
    assert (history.event, history.from_status, history.to_status) == ("exempt", "full", "exempt")
    hist_entry = LogEntry.objects.get_for_object(history).get()
    assert hist_entry.action == LogEntry.Action.CREATE and hist_entry.actor == tree.users["secretary"]


def test_audit_page_is_for_admins_only(tree):
    tree.inside.occupation = "Giáo viên"
    tree.inside.save()
    client = Client()
    client.force_login(tree.users["admin"])
    r = client.get(reverse("audit_log"))
    assert r.status_code == 200
    assert len(r.context["rows"]) == LogEntry.objects.count() > 0
    client.force_login(tree.users["office"])
    r = client.get(reverse("audit_log"))
    assert r.status_code == 403
    assert "Chỉ quản trị hệ thống được xem nhật ký." in r.content.decode()


def test_audit_log_is_append_only(tree):
    entry = LogEntry.objects.get_for_object(tree.inside).first()
    assert entry is not None
    entry.changes = '{"status": ["full", "expelled"]}'
    # each refusal inside its own savepoint: a failed delete dooms the surrounding transaction
    with pytest.raises(AuditLogIsAppendOnly), transaction.atomic():
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly), transaction.atomic():
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly), transaction.atomic():  # a bulk delete is refused too
        LogEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert "expelled" not in str(entry.changes)
    assert LogEntry.objects.filter(pk=entry.pk).exists()
