"""Issue 12, point 5: passwords changed and reset, users deactivated, roles removed, tokens revoked
(UI and CLI, all audited); tokens expire and are listed; login throttling by user and address;
duplicate checks scoped to the subtree and rate-limited; ``dangvu demo`` does not wipe a database
in use."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangvu.accounts import services, throttle
from dangvu.accounts.models import ApiToken, Role
from dangvu.api.auth import TOKEN_EXPIRED
from dangvu.cli import CommandError, main
from dangvu.common import Code, ServiceError
from dangvu.core.cccd import make_cccd
from dangvu.registry import services as registry
from dangvu.registry import services_import
from dangvu.registry.excel_check import OUTSIDE_MATCH
from tests.conftest import PASSWORD, make_member_data

NEW = "mot-mat-khau-moi-2026"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _account_entries(user: User, what: str) -> list[LogEntry]:
    return [e for e in LogEntry.objects.filter(object_pk=str(user.pk), content_type__model="user")
            if (e.additional_data or {}).get("account") == what]


# -- own password ---------------------------------------------------------------------------------

def test_change_own_password_in_the_ui(client, tree):
    user = tree.users["viewer"]
    client.force_login(user)
    url = reverse("accounts:password_change")
    page = client.get(url).content.decode()
    assert "Đổi mật khẩu" in page and "Mật khẩu hiện tại" in page and "Nhập lại mật khẩu mới" in page
    assert 'name="viewport"' in page  # the phone layout of base.html

    wrong = client.post(url, {"old_password": "sai", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 200 and "Mật khẩu hiện tại không đúng" in wrong.content.decode()
    short = client.post(url, {"old_password": PASSWORD, "new_password1": "ngan", "new_password2": "ngan"})
    assert "quá ngắn (cần ít nhất 10 ký tự)" in short.content.decode()
    mismatch = client.post(url, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW + "x"})
    assert "không khớp" in mismatch.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    done = client.post(url, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert client.get(reverse("home")).status_code == 200 and client.session["_auth_user_id"] == str(user.pk)
    [entry] = _account_entries(user, "password_changed")
    assert entry.actor == user


# -- the administrator's page ---------------------------------------------------------------------

def test_admin_page_lists_and_acts(client, tree):
    admin, target = tree.users["admin"], tree.users["viewer"]
    _, key = services.issue_api_token(target)
    client.force_login(admin)
    page = client.get(reverse("accounts:user_list")).content.decode()
    assert "viewer" in page and "office" in page and "còn hiệu lực" in page

    r = client.post(reverse("accounts:reset_password", args=[target.pk]), {"password": NEW})
    assert r.status_code == 302
    target.refresh_from_db()
    assert target.check_password(NEW)
    assert _account_entries(target, "password_reset")[0].actor == admin

    role = Role.objects.get(user=target)
    client.post(reverse("accounts:remove_role", args=[target.pk, role.pk]))
    assert not Role.objects.filter(pk=role.pk).exists()
    assert LogEntry.objects.filter(content_type__model="role", object_pk=str(role.pk),
                                   action=LogEntry.Action.DELETE).count() == 1

    client.post(reverse("accounts:deactivate", args=[target.pk]))
    target.refresh_from_db()
    assert target.is_active is False
    assert ApiToken.objects.get(user=target).revoked_at is not None
    assert _account_entries(target, "deactivated")[0].additional_data["tokens_revoked"] == 1
    assert Client().get("/api/v1/members/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_revoke_one_token_in_the_ui(client, tree):
    target = tree.users["office"]
    token, key = services.issue_api_token(target)
    other, other_key = services.issue_api_token(target)
    client.force_login(tree.users["admin"])
    client.post(reverse("accounts:revoke_token", args=[target.pk, token.pk]))
    token.refresh_from_db()
    other.refresh_from_db()
    assert token.revoked_at is not None and other.revoked_at is None
    api = Client()
    assert api.get("/api/v1/members/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert api.get("/api/v1/members/", HTTP_AUTHORIZATION=f"Bearer {other_key}").status_code == 200


def test_non_admins_have_no_account_page(client, tree):
    for who in ("office", "secretary", "viewer"):
        client.force_login(tree.users[who])
        assert client.get(reverse("accounts:user_list")).status_code == 403
        assert client.post(reverse("accounts:deactivate", args=[tree.users["member"].pk])).status_code == 403
    assert tree.users["member"].is_active


def test_admin_of_a_subtree_manages_only_its_users(client, tree):
    local = User.objects.create_user("admin-c1", password=PASSWORD)
    services.grant_role(local, "admin", tree.orgs["C1"])
    outsider = User.objects.create_user("xem-c2", password=PASSWORD)
    services.grant_role(outsider, "viewer", tree.orgs["C2"])
    client.force_login(local)
    page = client.get(reverse("accounts:user_list")).content.decode()
    assert "secretary" in page and "xem-c2" not in page and ">admin<" not in page
    assert client.post(reverse("accounts:deactivate", args=[outsider.pk])).status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active
    with pytest.raises(ServiceError) as exc:
        services.deactivate_user(local, outsider)
    assert exc.value.code == Code.OUT_OF_SUBTREE
    with pytest.raises(ServiceError) as exc:
        services.reset_password(local, tree.users["admin"], NEW)  # holds a role above C1
    assert exc.value.code == Code.OUT_OF_SUBTREE


# -- the command line ---------------------------------------------------------------------------

def test_cli_account_commands(tree, capsys):
    target = tree.users["viewer"]
    services.issue_api_token(target)
    assert main(["user", "reset-password", "viewer", "--password", NEW]) == 0
    target.refresh_from_db()
    assert target.check_password(NEW) and _account_entries(target, "password_reset")[0].actor is None
    assert main(["user", "reset-password", "viewer", "--password", "12345"]) == 2
    assert "chỉ gồm chữ số" in capsys.readouterr().err

    assert main(["token", "--list"]) == 0
    assert "viewer" in capsys.readouterr().out
    assert main(["user", "revoke-token", "viewer", "--all"]) == 0
    assert "Đã thu hồi 1 khóa API" in capsys.readouterr().out
    assert main(["token", "--list", "viewer"]) == 0
    assert "đã thu hồi" in capsys.readouterr().out

    assert main(["user", "remove-role", "viewer", "--role", "viewer", "--org", "C2"]) == 2
    assert main(["user", "remove-role", "viewer", "--role", "viewer", "--org", "C1"]) == 0
    assert not Role.objects.filter(user=target).exists()
    assert main(["user", "deactivate", "viewer"]) == 0
    target.refresh_from_db()
    assert not target.is_active
    assert main(["user", "deactivate", "viewer"]) == 2
    assert "đã bị khóa từ trước" in capsys.readouterr().err


# -- token expiry -------------------------------------------------------------------------------

def test_tokens_expire(tree, settings):
    settings.DANGVU_TOKEN_DAYS = 30
    token, key = services.issue_api_token(tree.users["office"])
    assert dt.timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    api = Client()
    assert api.get("/api/v1/members/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = api.get("/api/v1/members/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 401 and r.json()["detail"] == TOKEN_EXPIRED
    with pytest.raises(ServiceError):
        services.issue_api_token(tree.users["office"], days=10_000)


# -- login throttling ---------------------------------------------------------------------------

def test_lock_policy_settings(settings):
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is False
    assert settings.AXES_COOLOFF_TIME == pytest.approx(0.25)


def test_client_ip_behind_a_proxy(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.DANGVU_PROXY_COUNT = 0
    assert throttle.client_ip(request) == "10.0.0.1"
    settings.DANGVU_PROXY_COUNT = 1
    assert throttle.client_ip(request) == "203.0.113.7"  # the forged left entry is ignored
    assert throttle.client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"


@pytest.mark.axes
def test_an_attacker_locks_only_their_own_address(tree, settings):
    settings.DANGVU_PROXY_COUNT = 1
    login = reverse("login")
    attacker, victim = Client(HTTP_X_FORWARDED_FOR="198.51.100.9"), Client(HTTP_X_FORWARDED_FOR="203.0.113.5")
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        r = attacker.post(login, {"username": "office", "password": "sai-mat-khau"})
    assert r.status_code == 429
    r = victim.post(login, {"username": "office", "password": PASSWORD})
    assert r.status_code == 302 and victim.session["_auth_user_id"] == str(tree.users["office"].pk)


# -- duplicate checks ---------------------------------------------------------------------------

def _xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    from dangvu.registry.excel import MEMBER_COLUMNS

    wb = Workbook()
    ws = wb.active
    ws.append([c.title for c in MEMBER_COLUMNS])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _person(name: str, birth: str, gender: str = "Nam", cccd: str = "") -> list:
    return ["C1A", name, birth, gender, "", "", "", "", "", cccd, "", "", "", "", "01/01/2015", "01/01/2016"]


def test_single_add_with_a_cccd_held_elsewhere_says_nothing_of_who(tree):
    held_outside, held_inside = make_cccd("001", "male", 1990, 7), make_cccd("001", "male", 1990, 8)
    type(tree.outside).objects.filter(pk=tree.outside.pk).update(cccd=held_outside)  # C2A
    type(tree.inside).objects.filter(pk=tree.inside.pk).update(cccd=held_inside)  # C1A
    data = make_member_data("Ngô Văn Mới", dt.date(1990, 1, 1), cccd=held_outside,
                            admitted_on=dt.date(2015, 1, 1), full_on=dt.date(2016, 1, 1))
    with pytest.raises(ServiceError) as exc:
        registry.register_member(tree.users["secretary"], tree.orgs["C1A"], data)
    assert exc.value.message == OUTSIDE_MATCH and "Bình" not in exc.value.message
    data["cccd"] = held_inside
    with pytest.raises(ServiceError) as exc:
        registry.register_member(tree.users["secretary"], tree.orgs["C1A"], data)
    assert "Nguyễn Văn An" in exc.value.message and "C1A" in exc.value.message


def test_import_duplicates_outside_the_subtree_are_not_named(tree):
    content = _xlsx([_person("Trần Thị Bình", "09/07/1990", "Nữ"), _person("Nguyễn Văn An", "02/03/1980")])
    batch = services_import.stage_import(tree.users["secretary"], tree.orgs["C1A"], "members",
                                         SimpleUploadedFile("a.xlsx", content))
    errors = {p["row"]: p["errors"] for p in batch.problems}
    assert errors[2] == [OUTSIDE_MATCH]
    assert errors[3] == ["Họ tên và ngày sinh trùng với đảng viên đã có (chi bộ C1A)."]


def test_duplicate_checks_are_rate_limited(tree, settings):
    settings.DANGVU_DUPLICATE_CHECKS = 3
    first = _xlsx([_person("Người Một", "01/01/1980"), _person("Người Hai", "01/01/1981")])
    services_import.stage_import(tree.users["office"], tree.orgs["C1"], "members", SimpleUploadedFile("a.xlsx", first))
    # the same file again (staging then confirming) costs nothing more
    services_import.stage_import(tree.users["office"], tree.orgs["C1"], "members", SimpleUploadedFile("a.xlsx", first))
    assert throttle.duplicate_checks_used(tree.users["office"]) == 2
    second = _xlsx([_person("Người Ba", "01/01/1982"), _person("Người Bốn", "01/01/1983")])
    before = services_import.ImportBatch.objects.count()
    with pytest.raises(ServiceError) as exc:
        services_import.stage_import(tree.users["office"], tree.orgs["C1"], "members",
                                     SimpleUploadedFile("b.xlsx", second))
    assert exc.value.code == Code.RATE_LIMITED and "quá 3 người trong 24 giờ" in exc.value.message
    assert services_import.ImportBatch.objects.count() == before
    assert throttle.duplicate_checks_used(tree.users["office"]) == 2
    # the page shows the refusal, not a 500
    client = Client()
    client.force_login(tree.users["office"])
    r = client.post(reverse("registry:import_start"), {"kind": "members", "scope": "C1",
                                                       "file": SimpleUploadedFile("b.xlsx", second)})
    assert r.status_code in (200, 400) and "quá 3 người" in r.content.decode()
    # a system administrator is not limited
    services_import.stage_import(tree.users["admin"], tree.orgs["C1"], "members", SimpleUploadedFile("b.xlsx", second))


# -- dangvu demo --------------------------------------------------------------------------------

def test_demo_refuses_a_database_in_use(tree, monkeypatch, capsys):
    import django.db

    from dangvu.cli import cmd_demo
    from dangvu.demo.services import database_contents

    contents = database_contents()
    assert not contents.is_demo and contents.organizations == 6 and contents.members == 4
    assert contents.users == 6
    monkeypatch.setenv("DATABASE_URL", "sqlite:///unused")  # take the "configured database" path
    monkeypatch.setattr(cmd_demo, "setup_django", lambda migrate=True: None)
    monkeypatch.setattr(django.db.connections, "close_all", lambda: None)
    with pytest.raises(CommandError) as exc:
        cmd_demo._check_may_overwrite(force=False)
    assert exc.value.code == 3
    assert "6 tổ chức đảng, 4 đảng viên, 6 tài khoản" in str(exc.value) and "--force" in str(exc.value)
    cmd_demo._check_may_overwrite(force=True)
    assert "sẽ xóa hết" in capsys.readouterr().out


@pytest.mark.axes
def test_failures_during_the_lock_do_not_extend_it(tree):
    from axes.models import AccessAttempt

    client, login = Client(), reverse("login")
    for _ in range(5):
        client.post(login, {"username": "office", "password": "sai-mat-khau"})
    locked_at = AccessAttempt.objects.get(username="office").attempt_time
    for _ in range(5):
        assert client.post(login, {"username": "office", "password": "sai-mat-khau"}).status_code == 429
    assert AccessAttempt.objects.get(username="office").attempt_time == locked_at
