"""Creating users and roles: validated passwords, sensible role targets."""

from __future__ import annotations

import pytest

from dangvu.accounts import services
from dangvu.accounts.access import access_for
from dangvu.cli import main
from dangvu.common import Code, ServiceError


def test_weak_password_refused_and_nothing_written(tree, django_user_model) -> None:
    with pytest.raises(ServiceError) as exc:
        services.create_user("bithu2", "12345678")
    assert exc.value.code == Code.INVALID and exc.value.field == "password"
    assert not django_user_model.objects.filter(username="bithu2").exists()


def test_secretary_role_only_on_a_cell(tree) -> None:
    user = services.create_user("bithu2", "Chi-bo-dong-tam-2026")
    with pytest.raises(ServiceError) as exc:
        services.grant_role(user, "secretary", tree.orgs["C1"])
    assert exc.value.code == Code.ORG_KIND and exc.value.field == "org"
    services.grant_role(user, "secretary", tree.orgs["C1A"])
    acc = access_for(user)
    assert set(acc.members().values_list("full_name", flat=True)) == {"Nguyễn Văn An", "Lê Văn Cường"}


def test_cli_user_add(tree, capsys) -> None:
    code = main(["user", "add", "xem2", "--role", "viewer", "--org", "C2", "--password", "Xem-ca-xa-2026"])
    assert code == 0
    assert "Đã tạo tài khoản xem2" in capsys.readouterr().out
    code = main(["user", "add", "xem3", "--role", "viewer", "--org", "KHONG", "--password", "Xem-ca-xa-2026"])
    assert code == 2
    assert "Không có tổ chức" in capsys.readouterr().err


def test_the_audit_page_shows_a_change_of_a_field_named_items(tree) -> None:
    """A changed field called «items» (an exchange summary, a notice's list) once shadowed the
    template's dict.items and made the audit page answer 500."""
    from auditlog.models import LogEntry
    from conftest import logged_in
    from django.contrib.contenttypes.models import ContentType

    from dangvu.registry.models import Organization

    LogEntry.objects.create(content_type=ContentType.objects.get_for_model(Organization),
                            object_pk=str(tree.orgs["C1"].pk), object_repr="C1", action=LogEntry.Action.UPDATE,
                            changes={"items": ["1 hàng", "4 hàng"]}, actor=tree.users["admin"])
    page = logged_in(tree.users["admin"]).get("/nhat-ky/")
    assert page.status_code == 200
    assert "<b>items</b>: 1 hàng → 4 hàng" in page.content.decode()
