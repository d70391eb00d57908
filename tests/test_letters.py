"""Letters (đơn thư, issue 16 point 4): recorded and settled by the inspection commission of the
subtree (or an administrator) only; anonymous complaints and denunciations kept for reference; the
deadline from the rule set; every read of the contents audited; the on-time share and the alerts."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from conftest import PASSWORD, logged_in
from django.contrib.auth.models import User
from django.urls import reverse

from dangvu import indicators
from dangvu.accounts.models import Role
from dangvu.alerts.queries import alert_counts_by_kind
from dangvu.alerts.selectors import alerts_for
from dangvu.common import Code, ServiceError
from dangvu.core import clock
from dangvu.core.rulesets import ruleset_for
from dangvu.indicators import Period
from dangvu.letters import services as ls
from dangvu.letters.models import Letter

D = dt.date
TODAY = D(2026, 11, 20)
SECRET = "Ông Trưởng thôn nhận tiền hỗ trợ hộ nghèo"


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def world(tree):
    """An inspection commission on C1 (``kiemtra``) and one on C2 (``kiemtra2``)."""
    for username, code in (("kiemtra", "C1"), ("kiemtra2", "C2")):
        user = User.objects.create_user(username, password=PASSWORD)
        Role.objects.create(user=user, kind="inspection", organization=tree.orgs[code])
        tree.users[username] = user
    return tree


def _letter(by, org, **kw) -> Letter:
    data = {"received_on": D(2026, 9, 1), "kind": "denunciation", "subject": SECRET, "sender_name": "Nguyễn Văn Gửi",
            "content": "Nội dung chi tiết của đơn tố cáo."} | kw
    return ls.record_letter(by, org, **data)


def test_a_letter_gets_its_deadline_by_kind_and_level(world):
    c1, c1a = world.orgs["C1"], world.orgs["C1A"]
    days = ruleset_for(D(2026, 9, 1))["letters.deadline_days"]
    at_cell = _letter(world.users["kiemtra"], c1a)
    assert (at_cell.level, at_cell.handling) == ("grassroots", "handle")
    assert at_cell.deadline == D(2026, 9, 1) + dt.timedelta(days["denunciation"]["grassroots"])
    report = _letter(world.users["kiemtra"], c1, kind="report")
    assert report.deadline == D(2026, 9, 1) + dt.timedelta(days["report"]["grassroots"])
    at_province = _letter(None, world.orgs["P"], kind="complaint")
    assert (at_province.level, at_province.deadline) == ("province", D(2026, 9, 1) + dt.timedelta(
        days["complaint"]["province"]))


def test_an_anonymous_denunciation_is_recorded_but_kept_for_reference(world):
    letter = _letter(world.users["kiemtra"], world.orgs["C1A"], anonymous=True, sender_name="")
    assert letter.handling == "reference" and letter.deadline is None
    # a signed letter needs its sender
    with pytest.raises(ServiceError) as exc:
        _letter(world.users["kiemtra"], world.orgs["C1A"], sender_name=" ")
    assert exc.value.code == Code.REQUIRED and exc.value.field == "sender_name"


@pytest.mark.parametrize("role", ["office", "secretary", "viewer", "member", "nobody", "kiemtra2"])
def test_only_the_inspection_commission_and_admins_record_letters(world, role):
    with pytest.raises(ServiceError) as exc:
        _letter(world.users[role], world.orgs["C1A"])
    assert exc.value.code == Code.FORBIDDEN
    assert Letter.objects.count() == 0
    assert _letter(world.users["admin"], world.orgs["C1A"]).pk


def test_settling_a_letter(world):
    by = world.users["kiemtra"]
    letter = _letter(by, world.orgs["C1A"])
    for bad, code in ((D(2026, 8, 31), Code.DATE_ORDER), (TODAY + dt.timedelta(1), Code.FUTURE_DATE)):
        with pytest.raises(ServiceError) as exc:
            ls.close_letter(by, letter, closed_on=bad, outcome="Đã xác minh")
        assert exc.value.code == code
    with pytest.raises(ServiceError) as exc:
        ls.close_letter(world.users["office"], letter, closed_on=D(2026, 10, 1), outcome="Đã xác minh")
    assert exc.value.code == Code.FORBIDDEN
    letter.refresh_from_db()
    assert letter.closed_on is None
    ls.close_letter(by, letter, closed_on=D(2026, 10, 1), outcome="Tố cáo đúng một phần; đề nghị kiểm điểm.")
    with pytest.raises(ServiceError) as exc:
        ls.close_letter(by, letter, closed_on=D(2026, 10, 2), outcome="Lần hai")
    assert exc.value.code == Code.STATE
    letter.refresh_from_db()
    assert (letter.closed_on, letter.outcome) == (D(2026, 10, 1), "Tố cáo đúng một phần; đề nghị kiểm điểm.")


def test_the_pages_show_contents_to_the_commission_and_audit_each_read(world):
    letter = _letter(world.users["kiemtra"], world.orgs["C1A"])
    client = logged_in(world.users["kiemtra"])
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    r = client.get(reverse("letters:list", args=["C1"]))
    assert r.status_code == 200 and SECRET in r.content.decode()
    r = client.get(reverse("letters:detail", args=[letter.pk]))
    assert r.status_code == 200 and "Nội dung chi tiết" in r.content.decode()
    reads = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("id")[before:]
    assert [(e.actor, e.additional_data["read"]) for e in reads] == [
        (world.users["kiemtra"], "letters-list"), (world.users["kiemtra"], "letter")]
    assert reads[1].object_pk == str(letter.pk)
    # the write's audit entry leaves the contents out
    created = LogEntry.objects.get(action=LogEntry.Action.CREATE, object_pk=str(letter.pk),
                                   content_type__model="letter")
    assert SECRET not in str(created.changes) and "Nguyễn Văn Gửi" not in str(created.changes)


@pytest.mark.parametrize(("role", "list_status", "detail_status"), [
    ("admin", 200, 200), ("kiemtra", 200, 200), ("kiemtra2", 404, 404),
    ("office", 403, 404), ("secretary", 404, 404), ("viewer", 403, 404), ("member", 404, 404), ("nobody", 404, 404),
])
def test_who_may_open_the_letters_of_a_commune(world, role, list_status, detail_status):
    letter = _letter(None, world.orgs["C1"])
    client = logged_in(world.users[role])
    r = client.get(reverse("letters:list", args=["C1"]))
    assert r.status_code == list_status
    r = client.get(reverse("letters:detail", args=[letter.pk]))
    assert r.status_code == detail_status
    if detail_status != 200:
        assert SECRET not in r.content.decode()


def test_secretary_gets_403_on_the_cell_it_reads_and_the_org_page_hides_the_link(world):
    client = logged_in(world.users["secretary"])
    assert client.get(reverse("letters:list", args=["C1A"])).status_code == 403
    assert client.get(reverse("letters:add", args=["C1A"])).status_code == 403
    page = client.get(reverse("registry:org_detail", args=["C1A"])).content.decode()
    assert reverse("letters:list", args=["C1A"]) not in page
    page = logged_in(world.users["kiemtra"]).get(reverse("registry:org_detail", args=["C1A"])).content.decode()
    assert reverse("letters:list", args=["C1A"]) in page


def test_forms_record_and_settle_through_the_pages(world):
    client = logged_in(world.users["kiemtra"])
    r = client.post(reverse("letters:add", args=["C1A"]), {
        "received_on": "05/11/2026", "kind": "complaint", "sender_name": "Trần Văn Khiếu",
        "subject": "Khiếu nại quyết định kỷ luật", "content": "Xin xem xét lại."})
    assert r.status_code == 302
    letter = Letter.objects.get()
    assert r["Location"] == reverse("letters:detail", args=[letter.pk])
    r = client.post(reverse("letters:close", args=[letter.pk]), {"closed_on": "10/11/2026", "outcome": "Giữ nguyên"})
    assert r.status_code == 302
    letter.refresh_from_db()
    assert letter.closed_on == D(2026, 11, 10)
    # a bad form answers 400 with the field's message, nothing written
    r = client.post(reverse("letters:add", args=["C1A"]), {"received_on": "05/11/2026", "kind": "complaint",
                                                           "subject": "Không tên"})
    assert r.status_code == 400 and "Cần ghi tên người gửi." in r.content.decode()
    assert Letter.objects.count() == 1
    # the office of the commune cannot post either
    r = logged_in(world.users["office"]).post(reverse("letters:close", args=[letter.pk]),
                                              {"closed_on": "10/11/2026", "outcome": "x"})
    assert r.status_code == 404


def test_the_on_time_share(world):
    by, c1a, c2a = world.users["admin"], world.orgs["C1A"], world.orgs["C2A"]
    rs = ruleset_for(TODAY)
    n = rs["letters.deadline_days"]["denunciation"]["grassroots"]
    received = D(2026, 6, 1)
    deadline = received + dt.timedelta(n)
    on_time = _letter(by, c1a, received_on=received)
    late = _letter(by, c1a, received_on=received)
    _letter(by, c1a, received_on=received)  # open past its deadline: counted, not on time
    _letter(by, c1a, received_on=TODAY - dt.timedelta(5))  # open, deadline ahead: not counted yet
    _letter(by, c1a, received_on=received, anonymous=True, sender_name="")  # for reference: never counted
    _letter(by, c2a, received_on=received)  # another commune
    ls.close_letter(by, on_time, closed_on=deadline, outcome="Xong")
    ls.close_letter(by, late, closed_on=deadline + dt.timedelta(1), outcome="Xong muộn")
    value = indicators.compute("letters.handled_on_time_share", world.orgs["C1"], Period.year(2026))
    assert (value.numerator, value.denominator) == (1, 3)
    assert value.value == pytest.approx(33.33)
    empty = indicators.compute("letters.handled_on_time_share", world.orgs["C1"], Period.year(2025))
    assert (empty.value, empty.denominator) == (None, 0)


def test_alerts_for_letters_near_and_past_their_deadline_show_no_contents(world):
    by, c1a = world.users["admin"], world.orgs["C1A"]
    rs = ruleset_for(TODAY)
    n = rs["letters.deadline_days"]["denunciation"]["grassroots"]
    near = rs["alerts.letter_near_days"]
    _letter(by, c1a, received_on=TODAY - dt.timedelta(n + 1))  # deadline yesterday
    _letter(by, c1a, received_on=TODAY - dt.timedelta(n - near))  # deadline within the window
    _letter(by, c1a, received_on=TODAY - dt.timedelta(n - near - 1))  # one day beyond it
    settled = _letter(by, c1a, received_on=TODAY - dt.timedelta(n + 5))
    ls.close_letter(by, settled, closed_on=TODAY, outcome="Xong")
    found = [a for a in alerts_for(world.orgs["C1"], TODAY) if a.kind == "letter_deadline"]
    assert sorted(a.severity for a in found) == ["near", "passed"]
    assert all(SECRET not in a.message and "Gửi" not in a.message for a in found)
    assert alert_counts_by_kind(world.orgs["C1"], TODAY)["letter_deadline"] == 2
    assert alert_counts_by_kind(world.orgs["C2"], TODAY)["letter_deadline"] == 0
    # the office sees the alert (a count, no contents) on its alerts page
    r = logged_in(world.users["office"]).get(reverse("alerts:org", args=["C1"]) + "?kind=letter_deadline")
    assert r.status_code == 200 and "quá hạn giải quyết" in r.content.decode()
    assert SECRET not in r.content.decode()


def test_the_inspection_role_as_a_row_of_the_access_matrix(world):
    """The new role on C1: every letter URL of the matrix at every location, and elsewhere it reads
    like a viewer (reads its subtree, edits nothing)."""
    from test_access_matrix import EXPECTED, World

    w = World(tree=world, orgs={"in": world.orgs["C1A"], "side": world.orgs["C1B"], "out": world.orgs["C2A"],
                                "above": world.orgs["P"]})
    w.letters = {loc: _letter(None, w.orgs[loc]) for loc in ("in", "side", "out")}
    want = {"in": 200, "side": 200, "out": 404, "above": 404}
    client = logged_in(world.users["kiemtra"])
    failures = []
    for name in ("letters:list", "letters:add", "letters:detail", "letters:close"):
        spec = EXPECTED[name]
        for loc in spec.locations:
            url = reverse(name, args=spec.args(w, loc, ""))
            status = client.get(url).status_code
            if status != want[loc]:
                failures.append(f"{url} ({loc}): {status}, expected {want[loc]}")
    assert not failures, failures
    assert client.get(reverse("registry:org_detail", args=["C1A"])).status_code == 200
    assert client.get(reverse("registry:org_detail", args=["C2A"])).status_code == 404
    assert client.get(reverse("registry:org_edit", args=["C1A"])).status_code == 403
    assert client.get(reverse("honours:org_commendation_add", args=["C1A"])).status_code == 403
