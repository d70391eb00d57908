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
