"""Malformed input never gives a 500: every form, query string, id and API parameter answers with a
status and a Vietnamese message (a form re-rendered with its errors, a 404 page, a JSON detail).

The edit URLs come from the access matrix's table (``EXPECTED``), so a new form is covered here as
soon as it is listed there. Every client is ``Client(raise_request_exception=False)``: a crash is
observed as status 500 and reported with the URL and the payload.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from test_access_matrix import EXPECTED, World, build_world, url_for

from dangvu.accounts.services import issue_api_token
from dangvu.core.safefiles import has_controls
from dangvu.registry.models import ImportBatch, Member

pytestmark = pytest.mark.django_db

LONG = "x" * 10_000
GARBAGE = (
    "",
    "abc",
    "2025-13-45",
    "9999-12-31",
    LONG,
    "-1",
    "99999999999999999999",
    "999999999",
    "NaN",
    "khong-co-lua-chon",
    "1' OR '1'='1; DROP TABLE registry_member; --",
    "\x00",
    "abc\x00def",
    "🙂\u0301\u200b",
    "²",  # a digit to str.isdigit, not to int: selects and number fields gave 500s (issue 12)
    "a\x01b",  # a control character: refused in text fields too (it breaks exports and .docx)
)
# One field at a time multiplies by the number of fields: the values that reach different code paths
# (a bad date, an overflowing number or id, a too-long text); the rest is covered above.
FIELD_GARBAGE = ("2025-13-45", LONG, "99999999999999999999")
# Django's English defaults must not leak through: every message is the Vietnamese translation.
ENGLISH = re.compile(r"\b(Enter a|Ensure this|Select a|This field|Null characters|is not one of|is not a valid)\b")
BAD_TRANSLATION = "số tổng thể"  # Django's vi for "Enter a whole number."; the forms say "số nguyên"
VIETNAMESE = re.compile(r"[\u0300-\u036fđĐ]")  # a tone or vowel mark (after NFD), or đ


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(tree, settings, tmp_path, request) -> World:
    return build_world(tree, settings, tmp_path, request)


def admin_client(w: World) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(w.tree.users["admin"])
    return client


def show(payload: Any) -> str:
    """A payload for a failure message: long values shortened."""
    if isinstance(payload, dict):
        return repr({k: (v[:20] + f"…({len(v)})" if isinstance(v, str) and len(v) > 40 else v)
                     for k, v in payload.items()})
    return repr(payload)[:200]


def form_errors(response) -> list[str]:
    """The errors of the page's ``form``; for pages without one, the error messages it shows."""
    form = response.context.get("form") if response.context is not None else None
    errors = [str(e) for errs in form.errors.values() for e in errs] if form is not None else []
    if not errors:
        shown = re.findall(r'<li class="msg-error">(.*?)</li>', response.content.decode(), re.S)
        errors = [html.unescape(e) for e in shown]
    return errors


def check_rejected(response, url: str, payload: Any) -> str | None:
    """None when the answer is a re-rendered form with Vietnamese errors, else what is wrong."""
    where = f"POST {url} {show(payload)}"
    if response.status_code == 500:
        return f"{where}: 500"
    if response.status_code not in (200, 400):
        return f"{where}: status {response.status_code}, expected 200/400"
    errors = form_errors(response)
    if not errors:
        return f"{where}: {response.status_code} without a form error"
    page = response.content.decode()
    for msg in errors:
        if ENGLISH.search(msg) or not VIETNAMESE.search(unicodedata.normalize("NFD", msg)):
            return f"{where}: error message not in Vietnamese: {msg!r}"
    if any(BAD_TRANSLATION in msg for msg in errors):
        return f"{where}: Django's poor Vietnamese default in {errors}"
    if html.escape(errors[0]).replace("&#x27;", "'") not in page.replace("&#x27;", "'"):
        return f"{where}: the error {errors[0]!r} is not shown on the page"
    return None


def _field_names(response, w: World, name: str, variant: str) -> list[str]:
    """The fields of the page's form, or of the URL's valid payload when the page has no ``form``."""
    form = response.context.get("form") if response.context is not None else None
    if form is not None:
        return list(form.fields)
    spec = EXPECTED[name]
    return list(spec.post(w, "in", variant)) if spec.post else []


EDIT_CASES = [
    pytest.param(name, variant, id=f"{name}{'[' + variant + ']' if variant else ''}")
    for name, spec in EXPECTED.items() if spec.kind == "edit" and spec.get_allowed
    for variant in spec.variants
]


@pytest.mark.parametrize(("name", "variant"), EDIT_CASES)
def test_edit_form_rejects_empty_and_garbage(world, name, variant):
    """(a) an empty body, (b) every field set to one garbage value: a 400 form with its errors."""
    client = admin_client(world)
    url = url_for(world, name, "in", variant)
    r = client.get(url)
    assert r.status_code == 200, url
    fields = _field_names(r, world, name, variant)
    if not fields:  # a confirmation button: the POST itself is the action
        for payload in ({}, {"x": LONG}, {"confirm": "\x00"}):
            r = client.post(url, payload)
            assert r.status_code in (200, 302, 400), (url, show(payload), r.status_code)
        return
    problems = []
    r = client.post(url, {})
    problem = check_rejected(r, url, {})
    if problem:
        problems.append(problem)
    elif "Mục này không được để trống." in form_errors(r):
        assert "Mục này không được để trống." in r.content.decode(), url
    for value in GARBAGE:
        payload = dict.fromkeys(fields, value)
        r = client.post(url, payload)
        if r.status_code == 302 and not has_controls(value):
            continue  # e.g. a form of free-text fields only: any text is a valid value (NUL and controls are not)
        if problem := check_rejected(r, url, payload):
            problems.append(problem)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("name", "variant"), EDIT_CASES)
def test_edit_form_one_bad_field_at_a_time(world, name, variant):
    """A valid payload with one field replaced by garbage: never a 500; refused or saved, the
    answer is a form with a Vietnamese error (200/400) or the redirect of a save (302)."""
    spec = EXPECTED[name]
    client = admin_client(world)
    url = url_for(world, name, "in", variant)
    r = client.get(url)
    assert r.status_code == 200, url
    fields = _field_names(r, world, name, variant)
    try:
        valid = spec.post(world, "in", variant) if spec.post else {}
    except KeyError:
        valid = {}
    problems = []
    for field_name in fields:
        for value in FIELD_GARBAGE:
            payload = {**valid, field_name: value}
            r = client.post(url, payload)
            if r.status_code == 302:
                continue  # garbage in an optional free-text field may well be a valid value
            if problem := check_rejected(r, url, payload):
                problems.append(problem)
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} problems)"


def test_null_bytes_and_long_text_are_never_stored(world):
    """What does get saved from free text fields is clean: no NUL, no 10,000-character values."""
    client = admin_client(world)
    an = world.tree.inside
    url = reverse("registry:member_edit", args=[an.pk])
    base = EXPECTED["registry:member_edit"].post(world, "in", "")
    for field_name in ("full_name", "home_town", "occupation", "card_number"):
        for value in ("abc\x00def", LONG):
            r = client.post(url, {**base, field_name: value})
            assert r.status_code == 400, (field_name, show(value))
    an.refresh_from_db()
    assert an.full_name == "Nguyễn Văn An"
    assert "\x00" not in an.home_town and len(an.home_town) < 300


def test_oversized_request_bodies_are_400(world):
    client = admin_client(world)
    url = reverse("registry:member_edit", args=[world.tree.inside.pk])
    r = client.post(url, {"full_name": "x" * (6 * 1024 * 1024)})
    assert r.status_code == 400, r.status_code
    r = client.post(url, {f"f{i}": "1" for i in range(1500)})
    assert r.status_code == 400, r.status_code


# -- unknown ids and path values ----------------------------------------------------------------
HUGE = "99999999999999999999"
NOT_FOUND_PATHS = [
    "/dang-vien/999999/",
    f"/dang-vien/{HUGE}/",
    f"/dang-vien/{HUGE}/sua/",
    "/dang-vien/0/",
    "/to-chuc/KHONGCO/",
    "/to-chuc/%00/",
    "/to-chuc/C1A%00/",
    f"/to-chuc/{'A' * 5000}/",
    "/to-chuc/' OR '1'='1/",
    "/to-chuc/KHONGCO/sua/",
    "/to-chuc/C1A/dia-ban/999999/",
    f"/to-chuc/C1A/dia-ban/{HUGE}/",
    f"/chuc-vu/{HUGE}/thoi/",
    "/chuc-vu/999999/thoi/",
    f"/chuyen-sinh-hoat/{HUGE}/huy/",
    "/chuyen-sinh-hoat/999999/tiep-nhan/",
    "/nhap-excel/999999/",
    f"/nhap-excel/{HUGE}/",
    "/nhap-excel/mau/khac.xlsx",
    "/khong-co-trang-nay/",
]


@pytest.mark.parametrize("path", NOT_FOUND_PATHS)
def test_unknown_ids_are_404(world, path):
    r = admin_client(world).get(path)
    assert r.status_code == 404, (path, r.status_code)
    assert "Không tìm thấy" in r.content.decode()


def test_unknown_event_kind_mode_action_are_404(world):
    client = admin_client(world)
    an = world.tree.inside
    t = world.transfers[("huy", "in")]
    for path in (f"/dang-vien/{an.pk}/su-kien/khong-co/", f"/dang-vien/{an.pk}/su-kien/admit/",
                 f"/dang-vien/{an.pk}/su-kien/%00/", f"/dang-vien/{an.pk}/ho-so/khong-co/",
                 "/to-chuc/C1A/dang-vien/khong-co/", f"/chuyen-sinh-hoat/{t.pk}/khong-co/"):
        r = client.get(path)
        assert r.status_code == 404, path
        r = client.post(path, {"on": "2026-06-01"})
        assert r.status_code == 404, path


def test_wrong_methods_are_405(world):
    client = admin_client(world)
    for path in (f"/dang-vien/{world.tree.inside.pk}/sua/", "/to-chuc/C1A/sua/", "/nhap-excel/"):
        assert client.put(path).status_code == 405, path
        assert client.delete(path).status_code == 405, path
    assert client.get(reverse("registry:import_confirm", args=[world.batches["in"].pk])).status_code == 405


# -- query strings -------------------------------------------------------------------------------
LIST_QUERIES = [
    {"page": "abc"}, {"page": "-1"}, {"page": "0"}, {"page": HUGE}, {"page": "1e9"}, {"page": "999"},
    {"status": "xyz"}, {"status": "\x00"}, {"q": LONG}, {"q": "\x00"}, {"q": "%' OR 1=1 --"},
    {"q": "Nguyễn\u0301"}, {"org": "C1A\x00"}, {"org": "x" * 500}, {"q": "an", "page": "2"},
]


@pytest.mark.parametrize("params", LIST_QUERIES, ids=lambda p: show(p)[:40])
@pytest.mark.parametrize("name", ["registry:member_list", "registry:member_export"])
def test_member_list_bad_query_strings(world, name, params):
    r = admin_client(world).get(reverse(name), params)
    assert r.status_code == 200, (name, show(params), r.status_code)


@pytest.mark.parametrize("name", ["registry:member_list", "registry:member_export"])
def test_member_list_unknown_or_hidden_org_is_404(world, name):
    client = admin_client(world)
    r = client.get(reverse(name), {"org": "NOPE"})
    assert r.status_code == 404
    assert "Không tìm thấy" in r.content.decode()
    office = Client(raise_request_exception=False)
    office.force_login(world.tree.users["office"])
    assert office.get(reverse(name), {"org": "C2A"}).status_code == 404
    ok = office.get(reverse(name), {"org": "C1A"})
    assert ok.status_code == 200
    if name == "registry:member_list":
        assert ok.context["total"] == Member.objects.active().filter(organization__code="C1A").count()
    else:
        assert "dang-vien-c1a-" in ok["Content-Disposition"]


def test_member_list_bad_values_fall_back_to_the_default_list(world):
    r = admin_client(world).get(reverse("registry:member_list"), {"page": "abc", "status": "xyz"})
    assert r.status_code == 200
    shown = {m.pk for m in r.context["page"]}
    active = set(Member.objects.filter(status__in=("probationary", "full")).values_list("pk", flat=True))
    assert shown == active and world.tree.inside.pk in shown


@pytest.mark.parametrize("params", [{"page": "abc"}, {"page": "-5"}, {"page": HUGE}, {"user": LONG},
                                    {"user": "\x00"}, {"user": "' OR 1=1"}])
def test_audit_log_bad_query_strings(world, params):
    from auditlog.models import LogEntry

    r = admin_client(world).get(reverse("audit_log"), params)
    assert r.status_code == 200, (show(params), r.status_code)
    # Invalid filters fall back to the whole log; a well-formed name of nobody shows nothing.
    expected = 0 if params.get("user") == "' OR 1=1" else LogEntry.objects.count()
    assert r.context["page"].paginator.count == expected


@pytest.mark.parametrize("params", [{"scope": "\x00"}, {"scope": LONG}, {"kind": "xyz"}, {"kind": "\x00"}])
def test_import_start_bad_query_strings(world, params):
    r = admin_client(world).get(reverse("registry:import_start"), params)
    assert r.status_code == 200, (show(params), r.status_code)


# -- the API ------------------------------------------------------------------------------------
API_BAD = [
    ("/api/v1/members/", {"page": "abc"}, 422),
    ("/api/v1/members/", {"page": "0"}, 422),
    ("/api/v1/members/", {"page": "-1"}, 422),
    ("/api/v1/members/", {"page": HUGE}, 422),
    ("/api/v1/members/", {"page_size": "0"}, 422),
    ("/api/v1/members/", {"page_size": "501"}, 422),
    ("/api/v1/members/", {"page_size": "1e3"}, 422),
    ("/api/v1/members/", {"status": "xyz"}, 422),
    ("/api/v1/members/", {"q": LONG}, 422),
    ("/api/v1/members/", {"q": "\x00"}, 422),
    ("/api/v1/members/", {"q": "' OR 1=1 --"}, 200),
    ("/api/v1/members/", {"org": "NOPE"}, 404),
    ("/api/v1/members/", {"org": "\x00"}, 422),
    ("/api/v1/members/", {"org": "x" * 41}, 422),
    ("/api/v1/members/abc", {}, 422),
    ("/api/v1/members/-1", {}, 404),
    ("/api/v1/members/0", {}, 404),
    (f"/api/v1/members/{HUGE}", {}, 404),
    ("/api/v1/members/999999", {}, 404),
    ("/api/v1/organizations/", {"kind": LONG}, 422),
    ("/api/v1/organizations/", {"kind": "\x00"}, 422),
    ("/api/v1/organizations/", {"org": "NOPE"}, 404),
    ("/api/v1/organizations/", {"page": "abc", "page_size": "abc"}, 422),
    ("/api/v1/organizations/NOPE", {}, 404),
    ("/api/v1/organizations/%00", {}, 404),
    (f"/api/v1/organizations/{'A' * 5000}", {}, 404),
    ("/api/v1/stats/", {"org": "NOPE"}, 404),
    ("/api/v1/stats/", {"org": "\x00"}, 422),
    ("/api/v1/stats/", {"org": LONG}, 422),
]


@pytest.mark.parametrize(("path", "params", "status"), API_BAD, ids=lambda x: show(x)[:40])
def test_api_bad_params(world, path, params, status):
    _, key = issue_api_token(world.tree.users["admin"])
    client = Client(raise_request_exception=False)
    r = client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == status, (path, show(params), r.status_code, r.content[:300])
    body = r.json()
    if status == 200:
        assert "results" in body or "total" in body
    else:
        assert body["detail"] and VIETNAMESE.search(unicodedata.normalize("NFD", body["detail"])), body
    if status == 422:
        assert body["errors"] and all(e["message"] for e in body["errors"])


def test_api_bad_auth_headers(world):
    client = Client(raise_request_exception=False)
    for header in ("Bearer \x00", "Bearer " + LONG, "Bearer", "\x00", "Bearer dv_" + "é" * 50):
        r = client.get("/api/v1/members/", HTTP_AUTHORIZATION=header)
        assert r.status_code == 401, show(header)


# -- uploads ---------------------------------------------------------------------------------
def _post_upload(client: Client, name: str, content: bytes, kind: str = "members", scope: str = "C1"):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("registry:import_start"), {"kind": kind, "scope": scope, "file": upload})


def _zip_without_workbook() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "xin chào")
    return buf.getvalue()


UPLOADS = [
    ("ds.csv", b"ho ten,ngay sinh\nAn,1980-01-01\n", "không phải tệp Excel .xlsx"),
    ("ds.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel Workbook (.xlsx)"),
    ("ds.xlsx", b"this is not a workbook", "không phải tệp Excel .xlsx hợp lệ"),
    ("ds.xlsx", _zip_without_workbook(), "Tệp"),
    ("ds.xlsx", b"", "Tệp rỗng"),
    ("../../etc/passwd.xlsx", b"PK\x03\x04garbage", "Tệp"),
    ("t\x00p.xlsx", b"PK\x03\x04garbage", "Tệp"),
]


@pytest.mark.parametrize(("name", "content", "message"), UPLOADS, ids=[u[0] + str(i) for i, u in enumerate(UPLOADS)])
def test_import_refuses_non_excel_uploads(world, name, content, message):
    client = admin_client(world)
    before = ImportBatch.objects.count()
    r = _post_upload(client, name, content)
    assert r.status_code == 200, (name, r.status_code)
    page = r.content.decode()
    assert message in page, page[-3000:]
    assert ImportBatch.objects.count() == before


def test_import_refuses_oversized_upload(world, settings):
    settings.DANGVU_MAX_UPLOAD_BYTES = 50_000
    client = admin_client(world)
    r = _post_upload(client, "lon.xlsx", b"PK\x03\x04" + b"\x00" * 60_000)
    assert r.status_code == 200
    assert "Tệp quá lớn" in r.content.decode()
    assert not ImportBatch.objects.filter(file_name="lon.xlsx").exists()


def test_import_form_bad_fields(world):
    client = admin_client(world)
    r = client.post(reverse("registry:import_start"), {"kind": "members", "scope": "C1"})
    assert r.status_code == 200
    assert "Hãy chọn tệp Excel (.xlsx) để tải lên." in r.content.decode()
    for kind, scope in (("xyz", "C1"), ("members", "NOPE"), ("\x00", "\x00"), (LONG, LONG)):
        r = _post_upload(client, "ds.xlsx", b"PK\x03\x04garbage", kind=kind, scope=scope)
        assert r.status_code == 200, (show(kind), show(scope))
        page = r.content.decode()
        assert "Hãy chọn một lựa chọn hợp lệ." in page or "Hãy chọn một tổ chức bạn được cập nhật." in page


def test_import_of_a_workbook_with_bad_rows_shows_the_problems(world):
    """A real workbook with garbage in its cells: stored as an invalid batch, previewed, not importable."""
    from openpyxl import Workbook

    from dangvu.registry.excel import MEMBER_COLUMNS

    wb = Workbook()
    ws = wb.active
    ws.append([c.title for c in MEMBER_COLUMNS])
    garbage = {"org": "NOPE", "full_name": LONG, "birth_date": "2025-13-45", "gender": "khong-co",
               "cccd": "1' OR '1'='1", "admitted_on": "abc", "full_on": "-1"}
    ws.append([garbage.get(c.key, "\u200b") for c in MEMBER_COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    client = admin_client(world)
    r = _post_upload(client, "loi.xlsx", buf.getvalue(), scope="C1")
    assert r.status_code == 302, r.content.decode()[-2000:]
    batch = ImportBatch.objects.get(file_name="loi.xlsx")
    assert batch.state == ImportBatch.State.INVALID and batch.problems
    r = client.get(r["Location"])
    assert r.status_code == 200
    assert r.context["can_confirm"] is False
    members_before = Member.objects.count()
    r = client.post(reverse("registry:import_confirm", args=[batch.pk]))
    assert r.status_code == 302
    assert Member.objects.count() == members_before


# -- login form ---------------------------------------------------------------------------------
REQUIRED, NUL = "Mục này không được để trống.", "Không được chứa ký tự NUL (mã 0)."
WRONG_LOGIN = "Sai tên đăng nhập hoặc mật khẩu. Lưu ý chữ hoa, chữ thường."


@pytest.mark.parametrize("payload, errors", [
    ({}, [REQUIRED, REQUIRED]),
    ({"username": LONG, "password": LONG}, [WRONG_LOGIN]),
    ({"username": "\x00", "password": "\x00"}, [NUL, NUL]),
    ({"username": "' OR '1'='1", "password": "' OR '1'='1"}, [WRONG_LOGIN]),
], ids=["empty", "long", "nul", "sql"])
def test_login_form_bad_input(tree, payload, errors):
    r = Client(raise_request_exception=False).post("/dang-nhap/", payload)
    assert r.status_code == 200
    assert form_errors(r) == errors


@pytest.mark.parametrize("name", ["congress:team_entry"])
@pytest.mark.parametrize("rows", ["abc", "-5", "99999999999999999999", "1e9"])
def test_ballot_grid_row_count_is_bounded(world, name, rows):
    """The grid's row count comes from the browser: a huge one looped for ever, letters gave a 500."""
    payload = EXPECTED[name].post(world, "in", "")  # with the team's version, as the page posts it
    r = admin_client(world).post(url_for(world, name, "in", ""), {**payload, "rows": rows})
    assert r.status_code in (302, 400), (rows, r.status_code)
