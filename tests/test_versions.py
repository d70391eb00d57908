"""No lost update (issue 12, point 3): edits carry a version; a save over a newer version is refused
with who saved first and when, nothing written, and the form shows the stored and the typed value of
each differing field. Two sessions saving the same member at the same moment: exactly one wins.

The threaded tests commit (``transactional_db``) and run on SQLite and, with ``DATABASE_URL`` set,
on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import version_race
from auditlog.models import LogEntry
from conftest import PASSWORD
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangvu.common import Code, ServiceError
from dangvu.common.version_forms import VersionedForm, shown
from dangvu.common.versions import OLD_PAGE, StaleEdit, read_version
from dangvu.registry import services as s

ROOT = Path(__file__).resolve().parent.parent
STALE_MESSAGE = re.compile(r"Hồ sơ vừa được (.+) sửa lúc (\d\d:\d\d \d\d/\d\d/\d{4}); hãy xem lại\.")
ROUNDS = 10


def _named(user, name: str):
    user.first_name = name  # the project keeps a person's full name there
    user.save()
    return user


def _fresh(obj):
    return type(obj)._base_manager.get(pk=obj.pk)


def _when(record) -> str:
    return timezone.localtime(record.edited_at).strftime("%H:%M %d/%m/%Y")


# -- the service: refused when stale, nothing written; counted and stamped when fresh -------------

@pytest.mark.django_db
def test_fresh_version_saves_counts_and_stamps_who_and_when(tree):
    office = _named(tree.users["office"], "Trần Thị Hoa")
    an = tree.inside
    assert an.version == 1 and an.edited_by is None
    s.update_member(office, _fresh(an), version=1, phone="0912345678")
    stored = _fresh(an)
    assert (stored.phone, stored.version, stored.edited_by) == ("0912345678", 2, office)
    assert abs((timezone.now() - stored.edited_at).total_seconds()) < 60
    s.update_member(office, _fresh(an), version=2, phone="0987654321")
    assert (_fresh(an).phone, _fresh(an).version) == ("0987654321", 3)


@pytest.mark.django_db
def test_stale_version_is_refused_with_who_and_when_and_nothing_is_written(tree):
    hoa = _named(tree.users["office"], "Trần Thị Hoa")
    secretary = tree.users["secretary"]
    an = tree.inside
    first, second = _fresh(an), _fresh(an)  # both opened the record at version 1
    s.update_member(hoa, first, version=1, home_town="Xã Hòa Bình")
    before = model_to_dict(_fresh(an))
    log_before = LogEntry.objects.count()
    with pytest.raises(StaleEdit) as exc:
        s.update_member(secretary, second, version=1, home_town="", phone="0912345678")
    err = exc.value
    assert isinstance(err, ServiceError) and err.code == Code.STALE
    assert err.message == f"Hồ sơ vừa được Trần Thị Hoa sửa lúc {_when(_fresh(an))}; hãy xem lại."
    assert STALE_MESSAGE.fullmatch(err.message)
    # each typed field that differs from the record as stored now, with both values
    assert err.changes == [("home_town", "Xã Hòa Bình", ""), ("phone", "", "0912345678")]
    assert err.version == 2
    assert model_to_dict(_fresh(an)) == before and LogEntry.objects.count() == log_before


@pytest.mark.django_db
def test_a_system_job_without_a_form_saves_and_still_counts(tree):
    an = tree.inside
    s.update_member(None, _fresh(an), occupation="Giáo viên")  # CLI / demo: no version read
    stored = _fresh(an)
    assert (stored.occupation, stored.version, stored.edited_by) == ("Giáo viên", 2, None)
    with pytest.raises(StaleEdit) as exc:  # a form opened before it is refused
        s.update_member(tree.users["office"], _fresh(an), version=1, occupation="Nông dân")
    assert exc.value.message.startswith("Hồ sơ vừa được một người khác sửa lúc ")


@pytest.mark.django_db
def test_a_record_deleted_meanwhile_is_refused_not_crashed(tree):
    from dangvu.registry.models import Locality

    locality = Locality.objects.create(organization=tree.orgs["C1A"], name="Thôn Đông", kind="village")
    stale = _fresh(locality)
    locality.delete()
    with pytest.raises(ServiceError) as exc:
        s.save_locality(tree.users["office"], tree.orgs["C1A"], stale, version=1, name="Thôn Tây")
    assert exc.value.code == Code.NOT_FOUND


def _records(tree) -> dict[str, Any]:
    """One record of each kind people edit in forms, with its edit service's call."""
    from plans_world import PLAN_TEXT

    from dangvu.congress import services as cs
    from dangvu.core.planparse import parse_text
    from dangvu.meetings import services as ms
    from dangvu.plans import services as ps
    from dangvu.registry.models import Locality

    c1a = tree.orgs["C1A"]
    locality = Locality.objects.create(organization=c1a, name="Thôn Đông", kind="village", households=40)
    plan = ps.draft_from_parse(None, c1a, parse_text(PLAN_TEXT), "ke-hoach.txt", PLAN_TEXT)
    target = ps.add_target(None, plan, text="Tỷ lệ đảng viên dự sinh hoạt", op=">=", value=90, unit="%")
    task = plan.tasks.first()
    meeting = ms.record_meeting(None, c1a, held_on=dt.date(2025, 3, 5), starts_at=dt.time(19, 30),
                                ends_at=dt.time(21, 30), topic="Sinh hoạt tháng 3")
    congress = cs.save_congress(None, c1a, term="2025-2030", kind="members", starts_on=dt.date(2025, 4, 10),
                                ends_on=dt.date(2025, 4, 10))
    election = cs.create_election(None, congress, title="Bầu Bí thư", seats=1, held_on=dt.date(2025, 4, 10))
    cs.set_candidates(None, election, ["Nguyễn Văn An", "Lê Văn Cường"])
    team = cs.add_team(None, election, "Tổ 1")
    totals = {"ballots": 5, "valid": 5, "invalid": 0, "Nguyễn Văn An": 4, "Lê Văn Cường": 3}
    return {
        "member": (tree.inside, lambda by, r, v, x: s.update_member(by, r, version=v, occupation=x), "occupation"),
        "organization": (c1a, lambda by, r, v, x: s.update_organization(by, r, version=v, address=x), "address"),
        "locality": (locality, lambda by, r, v, x: s.save_locality(by, c1a, r, version=v, name=x), "name"),
        "target": (target, lambda by, r, v, x: ps.revise_target(by, r, version=v, bindings=[], text=x), "text"),
        "task": (task, lambda by, r, v, x: ps.edit_task(by, r, version=v, title=x), "title"),
        "meeting": (meeting, lambda by, r, v, x: ms.update_meeting(by, r, version=v, topic=x), "topic"),
        "counting team": (team, lambda by, r, v, x: cs.set_team_totals(
            by, r, {**totals, "ballots": len(x), "valid": len(x)}, version=v), "totals"),
    }


KINDS = ["member", "organization", "locality", "target", "task", "meeting", "counting team"]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_every_edited_record_refuses_a_stale_save(tree, kind):
    """Member, organization, locality, plan target and task, meeting, counting team's entries."""
    record, edit, field = _records(tree)[kind]
    hoa = _named(tree.users["office"], "Trần Thị Hoa")
    version = _fresh(record).version
    edit(hoa, _fresh(record), version, "Giá trị của chị Hoa")
    after_first = _fresh(record)
    assert after_first.version == version + 1 and after_first.edited_by == hoa
    first_value = getattr(after_first, field)
    with pytest.raises(StaleEdit) as exc:
        edit(tree.users["secretary"], _fresh(record), version, "Giá trị của bí thư")
    assert exc.value.code == Code.STALE
    assert exc.value.message == f"Hồ sơ vừa được Trần Thị Hoa sửa lúc {_when(after_first)}; hãy xem lại."
    assert exc.value.changes, "the differing values are given"
    stored = _fresh(record)
    assert (stored.version, getattr(stored, field)) == (version + 1, first_value)  # nothing written
    edit(tree.users["secretary"], _fresh(record), version + 1, "Giá trị của bí thư")  # read again: saved
    assert _fresh(record).version == version + 2


@pytest.mark.django_db
def test_other_writes_of_a_form_field_count_a_version_too(tree):
    """A training that raises the member's political theory level, and a binding cleared on the
    review page, change what an edit form shows: a form opened before them is refused."""
    from plans_world import PLAN_TEXT

    from dangvu.core.planparse import parse_text
    from dangvu.plans import services as ps

    an = tree.inside
    opened = _fresh(an)
    s.add_training(tree.users["office"], _fresh(an), "theory_intermediate", dt.date(2024, 6, 1))
    assert (_fresh(an).political_theory, _fresh(an).version) == ("intermediate", 2)
    with pytest.raises(StaleEdit) as exc:
        s.update_member(tree.users["secretary"], opened, version=1, political_theory="")
    assert exc.value.changes == [("political_theory", "intermediate", "")]
    plan = ps.draft_from_parse(None, tree.orgs["C1A"], parse_text(PLAN_TEXT), "ke-hoach.txt", PLAN_TEXT)
    binding = next(b for t in plan.targets.all() for b in t.bindings.all())
    target = binding.target
    version = target.version
    ps.clear_binding(tree.users["office"], binding)
    assert _fresh(target).version == version + 1
    with pytest.raises(StaleEdit):
        ps.revise_target(tree.users["secretary"], _fresh(target), version=version, text=target.text,
                         bindings=[(binding.indicator, binding.params)])


def test_the_versioned_form_refuses_a_missing_or_forged_version():
    class F(VersionedForm):
        pass

    for raw in ("", "abc", "²", "-1", "1" * 12, "\x00"):
        form = F({"version": raw})
        assert not form.is_valid(), raw
        assert form.non_field_errors() == [OLD_PAGE] and "version" not in form.errors, raw
    form = F({"version": "7"})
    assert form.is_valid() and form.cleaned_data["version"] == 7
    assert [read_version(x) for x in ("3", " 12 ", "", None, "٣", "1e3")] == [3, 12, None, None, None, None]


def test_values_are_shown_as_a_person_reads_them():
    assert shown(None, None) == shown(None, "") == "(trống)"
    assert (shown(None, True), shown(None, False)) == ("Có", "Không")
    assert shown(None, dt.date(2025, 3, 5)) == "05/03/2025" and shown(None, dt.time(19, 30)) == "19:30"
    assert shown(None, 92.5) == "92.5" and shown(None, ["A", "B"]) == "A; B"


# -- the pages: two people with rights open the same record ----------------------------------------

def _client(tree, role: str) -> Client:
    client = Client(raise_request_exception=False)
    assert client.login(username=role, password=PASSWORD)
    return client


def _form_data(response) -> dict[str, Any]:
    """What the browser would post back: the form's initial values, the hidden version included."""
    form = response.context["form"]
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        data[bound.name] = "on" if value is True else value
    return data


def _stale_rows(page: str) -> list[tuple[str, str, str]]:
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td data-label="Đang lưu" data-stored>(.*?)</td>'
                      r'<td data-label="Bạn vừa nhập" data-typed>(.*?)</td></tr>', page, re.S)
    return [tuple(html.unescape(x) for x in row) for row in rows]


@pytest.mark.django_db
def test_two_editors_change_different_fields_second_sees_both_values(tree):
    _named(tree.users["office"], "Trần Thị Hoa")
    an = tree.inside
    url = reverse("registry:member_edit", args=[an.pk])
    hoa, bi_thu = _client(tree, "office"), _client(tree, "secretary")
    page_hoa, page_bt = hoa.get(url), bi_thu.get(url)
    assert 'name="version" value="1"' in page_hoa.content.decode()
    data_hoa, data_bt = _form_data(page_hoa), _form_data(page_bt)
    r = hoa.post(url, {**data_hoa, "home_town": "Xã Hòa Bình, tỉnh Thử Nghiệm"})
    assert r.status_code == 302
    before, log_before = model_to_dict(_fresh(an)), LogEntry.objects.count()
    r = bi_thu.post(url, {**data_bt, "phone": "0912345678"})
    assert r.status_code == 400
    page = r.content.decode()
    message = f"Hồ sơ vừa được Trần Thị Hoa sửa lúc {_when(_fresh(an))}; hãy xem lại."
    assert message in html.unescape(page)
    assert _stale_rows(page) == [("Quê quán", "Xã Hòa Bình, tỉnh Thử Nghiệm", "(trống)"),
                                 ("Điện thoại", "(trống)", "0912345678")]
    assert model_to_dict(_fresh(an)) == before and LogEntry.objects.count() == log_before
    # the form kept what the secretary typed and now carries the stored version: saving again is a choice
    assert 'value="0912345678"' in page and 'name="version" value="2"' in page
    assert bi_thu.post(url, {**data_bt, "phone": "0912345678", "version": "2",
                             "home_town": "Xã Hòa Bình, tỉnh Thử Nghiệm"}).status_code == 302
    stored = _fresh(an)
    assert (stored.home_town, stored.phone, stored.version) == ("Xã Hòa Bình, tỉnh Thử Nghiệm", "0912345678", 3)


@pytest.mark.django_db
def test_two_editors_change_the_same_field_second_is_refused(tree):
    _named(tree.users["secretary"], "Lê Văn Sơn")
    an = tree.inside
    url = reverse("registry:member_edit", args=[an.pk])
    office, secretary = _client(tree, "office"), _client(tree, "secretary")
    data_office, data_secretary = _form_data(office.get(url)), _form_data(secretary.get(url))
    assert secretary.post(url, {**data_secretary, "occupation": "Giáo viên"}).status_code == 302
    r = office.post(url, {**data_office, "occupation": "Kỹ sư nông nghiệp"})
    assert r.status_code == 400
    page = html.unescape(r.content.decode())
    assert f"Hồ sơ vừa được Lê Văn Sơn sửa lúc {_when(_fresh(an))}; hãy xem lại." in page
    assert _stale_rows(r.content.decode()) == [("Nghề nghiệp", "Giáo viên", "Kỹ sư nông nghiệp")]
    assert _fresh(an).occupation == "Giáo viên"


@pytest.mark.django_db
def test_a_page_without_its_version_saves_nothing(tree):
    an = tree.inside
    url = reverse("registry:member_edit", args=[an.pk])
    client = _client(tree, "office")
    data = _form_data(client.get(url))
    del data["version"]
    r = client.post(url, {**data, "occupation": "Kỹ sư"})
    assert r.status_code == 400 and OLD_PAGE in html.unescape(r.content.decode())
    assert (_fresh(an).occupation, _fresh(an).version) == ("", 1)


VERSIONED_PAGES = ["registry:member_edit", "registry:org_edit", "registry:locality_edit", "plans:target_edit",
                   "plans:task_edit", "meetings:meeting_edit", "congress:team_entry"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", VERSIONED_PAGES)
def test_every_edit_page_refuses_the_second_save(tree, settings, tmp_path, request, name):
    """Admin and office open the same page; admin saves; office's save is refused, nothing written."""
    from test_access_matrix import EXPECTED, build_world, snapshot, url_for

    w = build_world(tree, settings, tmp_path, request)
    url = url_for(w, name, "in", "")
    admin, office = _client(tree, "admin"), _client(tree, "office")
    pages = [admin.get(url).content.decode(), office.get(url).content.decode()]
    versions = [re.search(r'name="version" value="(\d+)"', p).group(1) for p in pages]
    assert versions[0] == versions[1]
    assert 'for="id_version"' not in pages[0]  # hidden: no label of its own
    payload = {k: v for k, v in EXPECTED[name].post(w, "in", "").items() if k != "version"}
    assert admin.post(url, {**payload, "version": versions[0]}).status_code == 302
    before = snapshot()
    r = office.post(url, {**payload, "version": versions[1]})
    assert r.status_code == 400, r.content.decode()[-800:]
    assert STALE_MESSAGE.search(html.unescape(r.content.decode())), name
    assert snapshot() == before


@pytest.mark.django_db
def test_counting_team_totals_refused_with_stored_and_typed_figures(tree):
    from dangvu.congress.models import CountingTeam

    records = _records(tree)
    team = records["counting team"][0]
    url = reverse("congress:team_entry", args=[team.pk])
    typed = {"action": "totals", "ballots": "5", "valid": "5", "invalid": "0", "c0": "4", "c1": "3",
             "version": str(team.version)}
    admin, office = _client(tree, "admin"), _client(tree, "office")
    assert admin.post(url, typed).status_code == 302
    r = office.post(url, {**typed, "c1": "2"})
    assert r.status_code == 400
    assert _stale_rows(r.content.decode()) == [("Số phiếu của Lê Văn Cường", "3", "2")]
    assert CountingTeam.objects.get(pk=team.pk).totals["Lê Văn Cường"] == 3


# -- the real thing: two sessions saving at the same moment -----------------------------------------

def _measure(tree, tmp_path, with_version: bool) -> dict[str, Any]:
    """The rounds of :mod:`version_race`: in this process on PostgreSQL; on SQLite in a child process
    on a file copy of the test database, configured as the embedded installation runs it."""
    users = [tree.users["office"], tree.users["secretary"]]
    if connection.vendor != "sqlite":
        return version_race.rounds(tree.inside.pk, users, ROUNDS, with_version)
    db_file = tmp_path / "race.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(db_file)
    connection.connection.backup(copy)
    copy.close()
    command = [sys.executable, str(Path(version_race.__file__)), str(db_file), str(tree.inside.pk),
               *(str(u.pk) for u in users), str(ROUNDS), *([] if with_version else ["--no-version"])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_two_sessions_saving_at_the_same_moment_exactly_one_wins(tree, tmp_path, capsys):
    figures = _measure(tree, tmp_path, with_version=True)
    with capsys.disabled():
        print(f"\n[versions] {connection.vendor}: {figures}")
    assert {k: figures[k] for k in ("rounds", "wins", "refusals", "lost", "errors")} == {
        "rounds": ROUNDS, "wins": ROUNDS, "refusals": ROUNDS, "lost": 0, "errors": 0}, figures


@pytest.mark.django_db(transaction=True)
def test_without_the_version_the_same_race_loses_a_change(tree, tmp_path, capsys):
    """The control: the same two sessions saving without the version (as before issue 12) both
    'succeed', and one change is silently lost each round — what the test above guards against."""
    figures = _measure(tree, tmp_path, with_version=False)
    with capsys.disabled():
        print(f"\n[versions, control without version] {connection.vendor}: {figures}")
    assert (figures["wins"], figures["lost"], figures["errors"]) == (2 * ROUNDS, ROUNDS, 0), figures


# -- in a real browser, on a phone ------------------------------------------------------------------

@pytest.fixture
def phone_browser():
    import test_browser as tb

    if tb.sync_playwright is None or not tb.CHROMIUM.exists():
        pytest.skip("Playwright or /usr/bin/chromium is not installed")
    with tb.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(tb.CHROMIUM), headless=True, args=tb.CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # Playwright runs an event loop here: the ORM used inside it had a connection of its own.
            connection.close()


@pytest.mark.browser
def test_two_people_on_phones_the_second_sees_both_values_and_chooses(transactional_db, live_server, tree,
                                                                      phone_browser):
    """Both open the member's edit page on a 390 px phone; the office saves first; the secretary's
    save is refused with who and when and the two values side by side, nothing wider than the screen;
    pressing Save again writes the secretary's values knowingly."""
    import test_browser as tb

    _named(tree.users["office"], "Trần Thị Hoa")
    an = tree.inside
    url = f"{live_server.url}{reverse('registry:member_edit', args=[an.pk])}"
    office, office_page = tb._phone_login(phone_browser, live_server.url, "office")
    secretary, page = tb._phone_login(phone_browser, live_server.url, "secretary")
    office_page.goto(url)
    page.goto(url)
    long_place = "Số 12, ngõ 34, đường Trần Hưng Đạo, tổ dân phố Đồng Tâm, phường Hòa Bình, tỉnh Thử Nghiệm"
    office_page.get_by_label("Nơi cư trú").fill(long_place)
    office_page.get_by_role("button", name="Lưu").click()
    office_page.wait_for_url(re.compile(r"/dang-vien/\d+/$"))
    office_page.wait_for_load_state("networkidle")
    page.get_by_label("Điện thoại").fill("0912345678")
    page.get_by_role("button", name="Lưu").click()
    alert = page.get_by_role("alert").first
    tb.expect(alert).to_contain_text(f"Hồ sơ vừa được Trần Thị Hoa sửa lúc {_when(_fresh(an))}; hãy xem lại.")
    rows = page.locator(".stale-table tbody tr")
    tb.expect(rows).to_have_count(2)
    tb.expect(rows.nth(0)).to_contain_text(long_place)
    tb.expect(rows.nth(1)).to_contain_text("0912345678")
    tb._no_horizontal_scroll(page)
    tb._shot(page, "stale-edit-phone")
    assert _fresh(an).phone == ""  # nothing written
    page.get_by_role("button", name="Lưu").click()  # the secretary chooses their values
    page.wait_for_url(re.compile(r"/dang-vien/\d+/$"))
    tb.expect(page.get_by_role("heading", level=1)).to_contain_text("Nguyễn Văn An")
    page.wait_for_load_state("networkidle")  # no request of the live server left running at teardown
    office.close()
    secretary.close()
    stored = _fresh(an)
    assert (stored.phone, stored.residence, stored.edited_by) == ("0912345678", "", tree.users["secretary"])
