"""Secure defaults (issue 12, point 6): deploy checks, HTTPS behind a proxy, the Content-Security-
Policy, one-line 403/404 logs, no-store on pages, the idle session timeout, audited reads."""

from __future__ import annotations

import logging
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from conftest import PASSWORD
from django.core import checks
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dangvu.settings import https_settings
from dangvu.web.middleware import LAST_SEEN, SIGNED_IN

ROOT = Path(__file__).resolve().parent.parent
HOST = "dangvu.example.vn"
PLAIN_HTTP_WARNINGS = {"security.W004", "security.W008", "security.W012", "security.W016"}


# -- check --deploy ------------------------------------------------------------------------------

def _deploy_warnings(env: dict[str, str]) -> set[str]:
    with override_settings(DEBUG=False, SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS=[HOST],
                           **https_settings(env)):
        found = checks.run_checks(include_deployment_checks=True)
        # async.E001 is the test run's own DJANGO_ALLOW_ASYNC_UNSAFE (conftest, for Playwright); the
        # subprocess test below runs the real command without it.
        return {m.id for m in found if m.level >= checks.WARNING and not m.is_silenced() and m.id != "async.E001"}


def test_deploy_checks_clean_over_https():
    assert _deploy_warnings({"DANGVU_HTTPS": "1", "DANGVU_ALLOWED_HOSTS": HOST}) == set()


def test_deploy_checks_over_https_with_the_proxy_redirecting_and_subdomains():
    env = {"DANGVU_HTTPS": "1", "DANGVU_ALLOWED_HOSTS": HOST, "DANGVU_SSL_REDIRECT": "0",
           "DANGVU_HSTS_SUBDOMAINS": "1"}
    assert _deploy_warnings(env) == set()
    assert https_settings(env)["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert https_settings(env)["SECURE_SSL_REDIRECT"] is False


def test_deploy_checks_on_plain_http_name_only_the_https_settings():
    assert _deploy_warnings({}) == PLAIN_HTTP_WARNINGS


def test_https_settings_values():
    on = https_settings({"DANGVU_HTTPS": "1", "DANGVU_ALLOWED_HOSTS": f"{HOST},.tinhuy.example.vn,*"})
    assert on["SESSION_COOKIE_SECURE"] and on["CSRF_COOKIE_SECURE"] and on["SECURE_SSL_REDIRECT"]
    assert on["SECURE_HSTS_SECONDS"] == 31_536_000
    assert on["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False and on["SECURE_HSTS_PRELOAD"] is False
    assert on["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert on["CSRF_TRUSTED_ORIGINS"] == [f"https://{HOST}", "https://*.tinhuy.example.vn"]
    off = https_settings({"DANGVU_ALLOWED_HOSTS": HOST})
    assert off["SECURE_PROXY_SSL_HEADER"] is None and off["CSRF_TRUSTED_ORIGINS"] == []
    assert not off["SESSION_COOKIE_SECURE"] and off["SECURE_HSTS_SECONDS"] == 0


@pytest.mark.parametrize("https", [True, False])
def test_django_admin_check_deploy_from_the_environment(tmp_path, https):
    """The real command, with settings built from the environment as in production."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DANGVU_", "DATABASE_URL", "PYTEST", "DJANGO_"))}
    env.update(PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="dangvu.settings", DANGVU_HOME=str(tmp_path),
               DANGVU_SECRET_KEY=secrets.token_urlsafe(50), DANGVU_ALLOWED_HOSTS=HOST)
    if https:
        env["DANGVU_HTTPS"] = "1"
    run = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                         env=env, capture_output=True, text=True, timeout=120)
    found = set(re.findall(r"security\.W\d+", run.stdout + run.stderr))
    if https:
        assert run.returncode == 0, run.stderr
        assert found == set()
    else:
        assert run.returncode == 1
        assert found == PLAIN_HTTP_WARNINGS


# -- HTTPS behind a reverse proxy ----------------------------------------------------------------

PROXIED = {"HTTP_X_FORWARDED_PROTO": "https"}


@pytest.fixture
def behind_proxy(settings):
    for name, value in https_settings({"DANGVU_HTTPS": "1", "DANGVU_ALLOWED_HOSTS": HOST}).items():
        setattr(settings, name, value)
    settings.ALLOWED_HOSTS = [HOST, "127.0.0.1"]
    return settings


def _login_post(client: Client, host: str, origin: str):
    page = client.get(reverse("login"), HTTP_HOST=host, **PROXIED)
    assert page.status_code == 200
    assert page.cookies["csrftoken"]["secure"]
    token = client.cookies["csrftoken"].value
    return client.post(reverse("login"), {"username": "secretary", "password": PASSWORD,
                                          "csrfmiddlewaretoken": token, "next": ""},
                       HTTP_HOST=host, HTTP_ORIGIN=origin, **PROXIED)


def test_login_post_through_the_https_proxy(tree, behind_proxy):
    client = Client(enforce_csrf_checks=True)
    answer = _login_post(client, HOST, f"https://{HOST}")
    assert answer.status_code == 302 and answer.url == "/"
    assert answer.cookies["sessionid"]["secure"]
    assert answer.cookies["sessionid"]["max-age"] == ""  # ends with the browser
    assert answer["Strict-Transport-Security"] == "max-age=31536000"


def test_the_same_post_with_secure_true(tree, behind_proxy):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"), HTTP_HOST=HOST, secure=True, **PROXIED)
    answer = client.post(reverse("login"), {"username": "secretary", "password": PASSWORD,
                                            "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
                         HTTP_HOST=HOST, HTTP_ORIGIN=f"https://{HOST}", secure=True, **PROXIED)
    assert page.status_code == 200 and answer.status_code == 302


def test_trusted_origin_when_the_proxy_rewrites_the_host(tree, behind_proxy):
    """The proxy forwards to 127.0.0.1: only CSRF_TRUSTED_ORIGINS makes the browser's origin good."""
    assert _login_post(Client(enforce_csrf_checks=True), "127.0.0.1", f"https://{HOST}").status_code == 302
    behind_proxy.CSRF_TRUSTED_ORIGINS = []
    assert _login_post(Client(enforce_csrf_checks=True), "127.0.0.1", f"https://{HOST}").status_code == 403


def test_foreign_origin_is_refused(tree, behind_proxy):
    client = Client(enforce_csrf_checks=True)
    answer = _login_post(client, HOST, "https://ke-gian.example.com")
    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session


def test_plain_http_behind_the_https_settings_is_redirected(tree, behind_proxy):
    answer = Client().get(reverse("login"), HTTP_HOST=HOST)
    assert answer.status_code == 301 and answer.url == f"https://{HOST}/dang-nhap/"


# -- Content-Security-Policy ---------------------------------------------------------------------

TEMPLATES = sorted(ROOT.glob("dangvu/**/templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_has_inline_script_or_handler():
    assert len(TEMPLATES) > 50
    bad = [(p.relative_to(ROOT).as_posix(), what) for p in TEMPLATES for what, rx in
           (("inline <script>", INLINE_SCRIPT), ("on* handler", HANDLER), ("javascript: URL", re.compile("javascript:", re.I)))
           if rx.search(p.read_text(encoding="utf-8"))]
    assert bad == []


def test_the_static_script_is_linked_from_the_base_page():
    base = (ROOT / "dangvu/web/templates/base.html").read_text(encoding="utf-8")
    assert "{% static 'dangvu/app.js' %}" in base
    js = (ROOT / "dangvu/web/static/dangvu/app.js").read_text(encoding="utf-8")
    assert all(hook in js for hook in ("data-back", "data-action-from", "data-marks-row"))


def _plain_urls(resolver: URLResolver, prefix: str = "") -> list[str]:
    """Every URL of the web UI that takes no argument."""
    out = []
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if not route.startswith("api/"):
                out += _plain_urls(p, route)
        elif isinstance(p, URLPattern) and "<" not in route and not p.pattern.regex.groupindex:
            out.append("/" + route.lstrip("^").rstrip("$"))
    return out


def _csp_ok(response) -> bool:
    policy = response.get("Content-Security-Policy", "")
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in policy.split(";") if d.strip())
    return (directives.get("script-src") == "'self'" and directives.get("default-src") == "'self'"
            and directives.get("object-src") == "'none'")


def test_every_page_carries_the_csp(tree, client):
    urls = _plain_urls(get_resolver())
    assert len(urls) >= 10
    client.force_login(tree.users["admin"])
    urls += [reverse("registry:member_detail", args=[tree.inside.pk]), "/khong-co-trang-nay/",
             f"/api/v1/members/{tree.inside.pk}"]
    missing = [u for u in urls if not _csp_ok(client.get(u))]
    assert missing == []
    client.logout()
    assert _csp_ok(client.get(reverse("login")))
    client.force_login(tree.users["viewer"])
    forbidden = client.get(reverse("registry:member_edit", args=[tree.inside.pk]))
    assert forbidden.status_code == 403 and _csp_ok(forbidden)


# -- 403 and 404 as one line ---------------------------------------------------------------------

def test_403_and_404_are_one_line_each(tree, client, caplog):
    viewer = tree.users["viewer"]
    client.force_login(viewer)
    caplog.set_level(logging.INFO, logger="dangvu.access")
    edit = reverse("registry:member_edit", args=[tree.inside.pk])
    assert client.get(edit).status_code == 403
    assert client.get("/khong-co/%0Atrang/", {"q": "001080000001"}).status_code == 404
    assert client.get(f"/api/v1/members/{tree.outside.pk}").status_code == 404
    lines = [(r.levelno, r.getMessage(), r.exc_info) for r in caplog.records if r.name == "dangvu.access"]
    assert lines == [
        (logging.WARNING, f"403 GET {edit} user={viewer.pk}", None),
        (logging.INFO, f"404 GET /khong-co/\\ntrang/ user={viewer.pk}", None),
        (logging.INFO, f"404 GET /api/v1/members/{tree.outside.pk} user={viewer.pk}", None),
    ]
    client.logout()
    caplog.clear()
    assert client.get("/khong-co/").status_code == 404
    assert [r.getMessage() for r in caplog.records if r.name == "dangvu.access"] == ["404 GET /khong-co/ user=-"]


def test_django_request_logs_no_4xx_tracebacks():
    request_logger = logging.getLogger("django.request")
    assert not request_logger.isEnabledFor(logging.WARNING)  # 403/404 warnings (with traceback) gone
    assert request_logger.isEnabledFor(logging.ERROR)  # 500s still logged


# -- no-store ------------------------------------------------------------------------------------

def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "") and response.get("Pragma") == "no-cache"


def test_member_page_and_api_are_not_stored(tree, client):
    client.force_login(tree.users["secretary"])
    page = client.get(reverse("registry:member_detail", args=[tree.inside.pk]))
    api = client.get(f"/api/v1/members/{tree.inside.pk}")
    listing = client.get("/api/v1/members/")
    assert (page.status_code, api.status_code, listing.status_code) == (200, 200, 200)
    assert _no_store(page) and _no_store(api) and _no_store(listing)
    assert "private" in page["Cache-Control"]


def test_static_files_stay_cacheable(client):
    css = client.get("/static/dangvu/app.css")
    assert css.status_code == 200
    assert "no-store" not in css.get("Cache-Control", "")
    assert "Content-Security-Policy" not in css


# -- idle session timeout ------------------------------------------------------------------------

def _age_session(client: Client, key: str, seconds: int) -> None:
    session = client.session
    session[key] -= seconds
    session.save()


def test_idle_session_expires_with_a_message(tree, client, settings):
    assert settings.DANGVU_IDLE_MINUTES == 30
    client.force_login(tree.users["secretary"])
    members = reverse("registry:member_list")
    assert client.get(members).status_code == 200
    assert isinstance(client.session[LAST_SEEN], int)
    _age_session(client, LAST_SEEN, 29 * 60)  # 29 minutes idle: still signed in
    assert client.get(members).status_code == 200
    _age_session(client, LAST_SEEN, 31 * 60)  # 31 minutes idle: signed out
    answer = client.get(members, follow=True)
    assert answer.redirect_chain[0][0].startswith(reverse("login"))
    assert "Phiên làm việc đã hết hạn vì không thao tác quá 30 phút" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(members).status_code == 302


def test_idle_minutes_is_a_setting(tree, client, settings):
    settings.DANGVU_IDLE_MINUTES = 5
    client.force_login(tree.users["secretary"])
    members = reverse("registry:member_list")
    assert client.get(members).status_code == 200
    _age_session(client, LAST_SEEN, 6 * 60)
    assert client.get(members).status_code == 302


def test_session_has_a_maximum_age(tree, client):
    client.force_login(tree.users["secretary"])
    members = reverse("registry:member_list")
    assert client.get(members).status_code == 200
    _age_session(client, SIGNED_IN, 13 * 3600)  # active all along, but signed in 13 hours ago
    answer = client.get(members, follow=True)
    assert "Phiên làm việc đã kéo dài quá 12 giờ" in answer.content.decode()
    assert "_auth_user_id" not in client.session


def test_active_session_does_not_write_on_every_request(tree, client):
    client.force_login(tree.users["secretary"])
    members = reverse("registry:member_list")
    client.get(members)
    first = client.session[LAST_SEEN]
    client.get(members)
    assert client.session[LAST_SEEN] == first  # touched at most once a minute
    _age_session(client, LAST_SEEN, 120)
    client.get(members)
    assert client.session[LAST_SEEN] >= first


# -- reading a personal record is audited --------------------------------------------------------

def _reads(member) -> list[LogEntry]:
    return list(LogEntry.objects.filter(object_pk=str(member.pk), action=LogEntry.Action.ACCESS,
                                        content_type__model="member").order_by("pk"))


def test_member_page_read_is_audited(tree, client):
    secretary = tree.users["secretary"]
    client.force_login(secretary)
    assert _reads(tree.inside) == []
    assert client.get(reverse("registry:member_detail", args=[tree.inside.pk])).status_code == 200
    assert client.get(f"/api/v1/members/{tree.inside.pk}").status_code == 200
    reads = _reads(tree.inside)
    assert [(e.actor_id, e.additional_data) for e in reads] == [
        (secretary.pk, {"read": "member_record"}),
        (secretary.pk, {"read": "member_record", "via": "api"}),
    ]
    assert [e.changes_dict["read"][1] for e in reads] == ["member_record", "member_record"]
    # Out of scope (404) reads nothing, so nothing is logged; listing pages are not per-member reads.
    assert client.get(reverse("registry:member_detail", args=[tree.outside.pk])).status_code == 404
    assert client.get(f"/api/v1/members/{tree.outside.pk}").status_code == 404
    assert _reads(tree.outside) == []


# -- the pages still work under the policy (a real browser) --------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_pages_work_under_the_csp_in_a_browser(transactional_db, live_server, tree):
    sync_api = pytest.importorskip("playwright.sync_api")
    base = live_server.url
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = chromium.new_context(locale="vi-VN").new_page()
            page.set_default_timeout(15_000)
            violations: list[str] = []
            page.on("console", lambda msg: violations.append(msg.text)
                    if "Content Security Policy" in msg.text else None)
            page.goto(f"{base}/dang-nhap/")
            page.get_by_label("Tên đăng nhập").fill("admin")
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()
            page.wait_for_url(f"{base}/")
            member = reverse("registry:member_detail", args=[tree.inside.pk])
            for url in (reverse("registry:member_list"), reverse("meetings:home"), reverse("evaluation:home"),
                        reverse("admission:home"), reverse("alerts:list"), member):
                page.goto(base + url)
            # "Quay lại" (data-back) goes back in history, not to its fallback link.
            page.goto(base + reverse("registry:member_edit", args=[tree.inside.pk]))
            page.get_by_role("link", name="Quay lại").click()
            page.wait_for_url(base + member)
            # The congress list's "Thêm" form goes to the chosen option's page (data-action-from).
            page.goto(base + reverse("congress:congress_list"))
            target = reverse("congress:timeline_add", args=["C1"])
            page.locator("#new-what").select_option(value=target)
            page.get_by_role("button", name="Mở").click()
            page.wait_for_url(re.compile(re.escape(base + target)))
            # A crossed-name box ticks its row's "ballot" box (data-marks-row), as on the team entry page.
            page.evaluate("""() => { const t = document.createElement('table');
                t.innerHTML = '<tr><td><input type=checkbox id=row></td><td><input type=checkbox id=mark data-marks-row></td></tr>';
                document.querySelector('main').append(t); }""")
            page.locator("#mark").check()
            assert page.locator("#row").is_checked()
            assert violations == []
        finally:
            chromium.close()
