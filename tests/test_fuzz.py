"""Property-based fuzzing of every edit form and every API parameter (issue 12, point 1).

The forms come from the access matrix's table (``EXPECTED``), its objects from its world builder:
a new form is fuzzed as soon as it is listed there. Hypothesis draws a form, a field and a hostile
value (unicode digits, text past the field's limit, NUL and control characters, emoji, impossible
dates, huge numbers, several values, a missing field, an id from another subtree) and the test asserts:

- never a 500;
- a value the field cannot hold is refused: the form comes back (200/400) with a Vietnamese message
  on the page, and no row is written (row counts of every model and the audit log's length);
- anything else is saved (302) or refused the same way.

Every request runs in a savepoint that is rolled back, so each example sees the same world. The
number of examples is bounded (``FUZZ_EXAMPLES``); ``dangvu bench --fuzz`` runs 100,000 requests.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from auditlog.models import LogEntry
from django import forms
from django.apps import apps
from django.db import transaction
from django.db.models import CharField
from django.db.models.functions import Length
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_access_matrix import EXPECTED, World, build_world, url_for
from test_bad_input import VIETNAMESE, admin_client, check_rejected, show

from dangvu.accounts.services import issue_api_token
from dangvu.bench.fuzz import CONTROLS, DATES, EMOJI, HOSTILE, NUMBERS, UNICODE_DIGITS
from dangvu.core.safefiles import has_controls

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = 25  # per app; with the sweep below the file runs in about a minute on one core
APPS = ("registry:", "meetings:", "congress:", "evaluation:", "admission:", "plans:", "inspection:")
# Values no date field may accept, no integer field may read.
BAD_DATES = frozenset({"31/12/1899", "31/02/2025", "2025-02-30", "29/02/2023", "99999-01-01", "01/01/99999",
                       "0000-00-00", "1/1/1", "2025-13-45", "32/01/2025", "0001-01-01", "9999-12-31"})
BAD_NUMBERS = frozenset({"99999999999999999999", "9223372036854775808", "1e309", "NaN", "inf", "-inf", "0x10",
                         "1,5", "²", "①", "³⁴", "¹²³", *EMOJI})


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(tree, settings, tmp_path, request) -> World:
    return build_world(tree, settings, tmp_path, request)  # builds the objects of the app in ``name``


# Figures kept when a page is read (issue 14: alert counts, statistics, badge lists, dashboard
# figures): a cache of what the pages compute, written by reading, so not counted as a write here.
KEPT_FIGURES = frozenset({"alerts.AlertSnapshot", "plans.StoredResult", "plans.IndicatorSnapshot"})


def rows() -> dict[str, int]:
    """Row counts of every model of the project (kept figures aside), and the audit log's length."""
    counts = {m._meta.label: m.objects.count() for m in apps.get_models()
              if m.__module__.startswith("dangvu.") and m._meta.label not in KEPT_FIGURES}
    counts["log"] = LogEntry.objects.count()
    return counts


# -- what a field must refuse ------------------------------------------------------------------
def must_refuse(field: forms.Field | None, value: Any, form_ids: set[str]) -> bool:
    """True when ``value`` is one ``field`` cannot hold (Django keeps the last of several values)."""
    if field is None:
        return False
    if value is None:
        return field.required
    text = str(value[-1] if isinstance(value, list) else value)
    stripped = text.strip()
    if isinstance(field, forms.MultipleChoiceField | forms.BooleanField | forms.FileField):
        return False  # any text means "ticked" / "no file": nothing the field keeps
    if has_controls(stripped) or "\x00" in stripped:
        return True
    if isinstance(field, forms.CharField):
        return field.max_length is not None and len(stripped) > field.max_length
    if not stripped:
        return field.required
    if isinstance(field, forms.ModelChoiceField):
        return stripped not in form_ids
    if isinstance(field, forms.DateField):
        return stripped in BAD_DATES
    if isinstance(field, forms.IntegerField):
        return stripped in BAD_NUMBERS or any(not c.isascii() and not c.isdecimal() for c in stripped)
    if isinstance(field, forms.ChoiceField):
        return stripped not in {str(k) for k, _ in field.choices}
    return False


# -- the forms -----------------------------------------------------------------------------------
def edit_forms(w: World, prefix: str) -> list[tuple[str, dict[str, Any], dict[str, forms.Field], dict]]:
    """(url, valid payload, form fields, ids each select offers) of every edit form of one app."""
    client = admin_client(w)
    found = []
    for name, spec in EXPECTED.items():
        if not name.startswith(prefix) or spec.kind != "edit" or spec.post is None or not spec.get_allowed:
            continue
        for variant in spec.post_variants or spec.variants:
            url = url_for(w, name, "in", variant)
            r = client.get(url)
            assert r.status_code == 200, url
            form = r.context.get("form")
            fields = dict(form.fields) if form is not None else {}
            ids = {k: {str(pk) for pk in f.queryset.values_list("pk", flat=True)}
                   for k, f in fields.items() if isinstance(f, forms.ModelChoiceField)}
            valid = spec.post(w, "in", variant)
            if fields or valid:
                found.append((url, valid, fields, ids))
    return found


def overlong() -> list[str]:
    """Stored text longer than its column allows (SQLite keeps it; PostgreSQL would refuse with a 500)."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("dangvu."):
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, CharField) and f.max_length and not f.choices and model.objects.annotate(
                    _n=Length(f.name)).filter(_n__gt=f.max_length).exists():
                found.append(f"{model._meta.label}.{f.name}")
    return found


def post_and_check(client: Client, url: str, payload: dict[str, Any], refuse: bool,
                   check_lengths: bool = False) -> str | None:
    """POST in a rolled-back savepoint; None when the answer is right, else what is wrong."""
    with transaction.atomic():
        before = rows()
        r = client.post(url, payload)
        after = rows()
        too_long = overlong() if check_lengths and r.status_code == 302 else []
        transaction.set_rollback(True)
    where = f"POST {url} {show(payload)}"
    if r.status_code == 500:
        return f"{where}: 500"
    if too_long:
        return f"{where}: saved text longer than its column: {too_long}"
    if r.status_code == 302:
        return f"{where}: saved a value the field cannot hold" if refuse else None
    if problem := check_rejected(r, url, payload):
        return problem
    if after != before:
        changed = {k: (before.get(k), after.get(k)) for k in after if after[k] != before.get(k)}
        return f"{where}: refused but wrote {changed}"
    return None


def sweep_value(field: forms.Field | None) -> str:
    """The one value every field of the sweep gets: a unicode digit for numbers, dates and choices
    (a digit to ``str.isdigit``, not to ``int``), a control character for text."""
    return "a\x01b" if field is None or isinstance(field, forms.CharField) else "²"


hostile = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.sampled_from(sorted(set("aĐ5 -/" + "".join(UNICODE_DIGITS + CONTROLS + EMOJI)))), max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.builds(lambda n, c: c * n, st.integers(min_value=100, max_value=12_000), st.sampled_from("xĐ🙂²")),
    st.lists(st.sampled_from(DATES + NUMBERS), min_size=2, max_size=3),
    st.none(),  # the field is left out
)


@pytest.mark.parametrize("name", APPS)
def test_every_edit_form_survives_hostile_values(world, name):
    """A sweep (each field of each form once) and then Hypothesis' draws over the app's forms."""
    client = admin_client(world)
    targets = edit_forms(world, name)
    assert targets, f"no edit form found for {name}"
    problems = []
    for url, valid, fields, ids in targets:  # the sweep: every field at least once
        for field_name in fields or valid:
            value = sweep_value(fields.get(field_name))
            refuse = must_refuse(fields.get(field_name), value, ids.get(field_name, set()))
            if problem := post_and_check(client, url, {**valid, field_name: value}, refuse):
                problems.append(problem)
            field = fields.get(field_name)
            if isinstance(field, forms.CharField):  # past the field's limit, or the column's when it has none
                long = "Đ" * ((field.max_length or 2_000) + 1)
                refuse = must_refuse(field, long, set())
                if problem := post_and_check(client, url, {**valid, field_name: long}, refuse, check_lengths=True):
                    problems.append(problem)
    assert not problems, "\n".join(problems[:30]) + f"\n({len(problems)} problems)"

    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(data=st.data())
    def one(data):
        url, valid, fields, ids = data.draw(st.sampled_from(targets))
        field_name = data.draw(st.sampled_from(sorted(fields or valid)))
        value = data.draw(hostile)
        if isinstance(value, str) and value in ids.get(field_name, set()):
            return
        payload = {k: v for k, v in valid.items() if k != field_name}
        if value is not None:
            payload[field_name] = value
        refuse = must_refuse(fields.get(field_name), value, ids.get(field_name, set()))
        problem = post_and_check(client, url, payload, refuse)
        assert problem is None, problem

    one()


def test_select_given_unicode_digits_is_refused_on_the_reported_forms(world):
    """The issue's cases: "²" in a select of the meeting edit form (and the shared id check)."""
    client = admin_client(world)
    for value in ("²", "①", "³⁴"):
        url = url_for(world, "meetings:meeting_edit", "in", "")
        problem = post_and_check(client, url, {**EXPECTED["meetings:meeting_edit"].post(world, "in", ""),
                                               "kind": value}, refuse=True)
        assert problem is None, problem
    from dangvu.common.forms import parse_id

    assert [parse_id(v) for v in ("12", "²", "٣", "①", "-1", "9" * 20, " 7 ")] == [12, None, None, None, None,
                                                                                   None, 7]


@pytest.mark.parametrize("name", ["congress:"])
def test_ballot_id_garbage_on_the_counting_page_is_404(world, name):
    team = world.congress["in"]["team"]
    url = url_for(world, "congress:team_entry", "in", "")
    client = admin_client(world)
    before = rows()
    # a ballot is removed only from its own confirmation page (congress:ballot_delete)
    delete_url = url.rstrip("/") + "/phieu/{}/xoa/"
    for ballot in ("abc", "²", "9" * 30, "\x00", "-1", "", "0"):
        for r in (client.get(delete_url.format(ballot)),
                  client.post(delete_url.format(ballot), {"version": team.version, "confirm": "1"})):
            assert r.status_code == 404, (ballot, r.status_code)
        assert client.post(url, {"action": "delete", "ballot": ballot}).status_code in (400, 404)
    assert rows() == before and team.ballots.count() == 1


# -- the API -------------------------------------------------------------------------------------
API_OPS = ("/api/v1/members/", "/api/v1/organizations/", "/api/v1/stats/")


@pytest.mark.parametrize("name", ["registry:"])
def test_api_parameters_survive_hostile_values(world, name):
    _, key = issue_api_token(world.tree.users["admin"])
    client = Client(raise_request_exception=False)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    doc = client.get("/api/v1/openapi.json", **auth).json()
    # The paths that answer GET (a POST-only path such as the exchange upload answers 405 to GET).
    params = {path: [p["name"] for op in ops.values() for p in op.get("parameters", [])]
              for path, ops in doc["paths"].items() if "get" in ops}

    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(data=st.data())
    def one(data):
        path = data.draw(st.sampled_from(sorted(params)))
        value = data.draw(hostile.filter(lambda v: v is not None))
        url, query = path, {}
        for p in params[path]:
            if "{" + p + "}" in url:
                text = str(value[-1] if isinstance(value, list) else value)
                url = url.replace("{" + p + "}", "".join(f"%{b:02X}" for b in text[:300].encode()) or "0")
            elif data.draw(st.booleans()):
                query[p] = value
        r = client.get(url, query, **auth)
        assert r.status_code in (200, 404, 422), (url, show(query), r.status_code, r.content[:300])
        if r.status_code != 200 and "json" not in r["Content-Type"]:  # a path outside the API's routes
            assert r.status_code == 404 and "Không tìm thấy" in r.content.decode(), (url, r.status_code)
        elif r.status_code != 200:
            detail = r.json()["detail"]
            assert VIETNAMESE.search(unicodedata.normalize("NFD", detail)), (url, show(query), detail)

    one()


# -- control characters: refused on input, harmless when already stored --------------------------
@pytest.mark.parametrize("name", ["plans:"])
def test_plan_report_docx_survives_stored_control_characters(world, name):
    """A target and a task stored with \\x02 (data from before the input check): the .docx report
    is written, the characters dropped."""
    import io
    import zipfile

    from dangvu.plans.models import Target, Task

    plan = world.plans["in"]["plan"]
    Target.objects.filter(plan=plan).update(text="Chỉ tiêu\x02 kết nạp\x01")  # as an old import left it
    Task.objects.filter(plan=plan).update(title="Nhiệm vụ\x0b rà soát")
    r = admin_client(world).get(url_for(world, "plans:plan_report", "in", "docx"))
    assert r.status_code == 200, r.status_code
    xml = zipfile.ZipFile(io.BytesIO(r.content)).read("word/document.xml").decode()
    assert "Chỉ tiêu kết nạp" in xml and "Nhiệm vụ rà soát" in xml
    assert "\x02" not in xml and "\x01" not in xml


def test_control_characters_in_text_fields_are_refused_with_a_message(world):
    from dangvu.common.forms import CONTROL_CHARACTERS

    an = world.tree.inside
    url = url_for(world, "registry:member_edit", "in", "")
    base = EXPECTED["registry:member_edit"].post(world, "in", "")
    client = admin_client(world)
    for value in ("Quê\x01 quán", "\x1b[31m", "a\x7f", "b\x9c"):
        r = client.post(url, {**base, "home_town": value})
        assert r.status_code == 400, show(value)
        assert r.context["form"].errors["home_town"] == [CONTROL_CHARACTERS]
        assert CONTROL_CHARACTERS in r.content.decode()
    r = client.post(url, {**base, "home_town": "Xã An Bình\thuyện\nTỉnh"})  # tab and line breaks are text
    assert r.status_code == 302
    an.refresh_from_db()
    assert an.home_town == "Xã An Bình\thuyện\nTỉnh"


@pytest.mark.parametrize("name", ["congress:"])
@pytest.mark.parametrize("depth", [21, 5_000, 200_000])
def test_deeply_nested_json_timeline_is_refused(world, name, depth):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangvu.congress.models import TimelineTemplate
    from dangvu.core.safefiles import MAX_JSON_DEPTH

    assert depth > MAX_JSON_DEPTH
    body = ('{"tasks": ' + "[" * depth + "]" * depth + "}").encode()
    before = rows()
    r = admin_client(world).post(url_for(world, "congress:timeline_add", "in", ""),
                                 {"term": "2030-2035", "plan": SimpleUploadedFile("ke-hoach.json", body)})
    assert r.status_code in (200, 400), r.status_code
    assert "Tệp JSON lồng quá nhiều tầng; không đọc." in r.content.decode()
    assert rows() == before and TimelineTemplate.objects.filter(term="2030-2035").count() == 3


# -- the bench's fuzzer, on the test world ------------------------------------------------------------
def test_bench_fuzzer_crawls_and_counts(world):
    """``dangvu bench --fuzz`` in small: it finds forms by crawling, sends the requests it is asked
    for, counts them by status, and finds no 500 on the test world."""
    from dangvu.bench.fuzz import send_requests

    admin = admin_client(world)
    secretary = Client(raise_request_exception=False)
    secretary.force_login(world.tree.users["secretary"])
    _, key = issue_api_token(world.tree.users["admin"])
    before = rows()
    result = send_requests(admin, secretary, {"HTTP_AUTHORIZATION": f"Bearer {key}"}, 150, crawl_limit=60)
    assert result["requests"] == 150 == sum(result["status"].values())
    assert result["targets"] >= 20 and result["pages_crawled"] == 60
    assert result["4xx"] > 0 and result["5xx"] == 0, result["errors_500"]
    after = rows()
    new_entries = LogEntry.objects.filter(pk__gt=LogEntry.objects.order_by("id")[before["log"] - 1].pk)
    # every request was rolled back; what the crawl itself logs is reading (the exports it opened)
    assert {k: v for k, v in after.items() if k != "log"} == {k: v for k, v in before.items() if k != "log"}
    assert set(new_entries.values_list("action", flat=True)) <= {LogEntry.Action.ACCESS}
