"""``dangvu user add|reset-password|deactivate|remove-role|revoke-token``: create a login with a
role on an organization's subtree, and administer logins (each change through
:mod:`dangvu.accounts.services`, audited)."""

from __future__ import annotations

import argparse
import getpass

from dangvu.cli import CommandError, setup_django


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("user", help="quản lý tài khoản người dùng")
    users = p.add_subparsers(dest="user_command", metavar="ACTION")
    add = users.add_parser("add", help="tạo tài khoản và gán vai trò")
    add.add_argument("username")
    add.add_argument("--role", required=True,
                     choices=["admin", "office", "secretary", "viewer", "member", "inspection"])
    add.add_argument("--org", required=True, help="mã tổ chức mà vai trò áp dụng (cả cây bên dưới)")
    add.add_argument("--member", type=int, help="mã hồ sơ đảng viên (vai trò member)")
    add.add_argument("--password", help="mật khẩu (bỏ trống để nhập ẩn)")
    add.add_argument("--name", default="", help="họ và tên hiển thị")
    add.set_defaults(func=_add)

    reset = users.add_parser("reset-password", help="đặt mật khẩu mới cho một tài khoản")
    reset.add_argument("username")
    reset.add_argument("--password", help="mật khẩu mới (bỏ trống để nhập ẩn)")
    reset.set_defaults(func=_reset_password)
    off = users.add_parser("deactivate", help="khóa tài khoản (không đăng nhập, khóa API bị thu hồi)")
    off.add_argument("username")
    off.set_defaults(func=_deactivate)
    drop = users.add_parser("remove-role", help="bỏ một vai trò của tài khoản")
    drop.add_argument("username")
    drop.add_argument("--role", required=True, choices=["admin", "office", "secretary", "viewer", "member",
                                                        "inspection"])
    drop.add_argument("--org", required=True, help="mã tổ chức của vai trò")
    drop.set_defaults(func=_remove_role)
    revoke = users.add_parser("revoke-token", help="thu hồi khóa truy cập API (theo tiền tố, hoặc mọi khóa)")
    revoke.add_argument("username")
    revoke.add_argument("--prefix", help="8 ký tự đầu của khóa sau «dv_» (như `dangvu token --list` in ra)")
    revoke.add_argument("--all", action="store_true", help="thu hồi mọi khóa còn hiệu lực của tài khoản")
    revoke.set_defaults(func=_revoke_token)


def _user(username: str):
    setup_django()
    from dangvu.accounts.selectors import user_by_username

    user = user_by_username(username)
    if user is None:
        raise CommandError(f"Không có người dùng «{username}».")
    return user


def _run(action, *args) -> None:
    from dangvu.common import ServiceError

    try:
        action(*args)
    except ServiceError as exc:
        raise CommandError(str(exc)) from exc


def _reset_password(args: argparse.Namespace) -> int:
    user = _user(args.username)
    from dangvu.accounts import services

    password = args.password or getpass.getpass("Mật khẩu mới: ")
    _run(services.reset_password, None, user, password)
    print(f"Đã đặt mật khẩu mới cho {user.username}.")
    return 0


def _deactivate(args: argparse.Namespace) -> int:
    user = _user(args.username)
    from dangvu.accounts import services

    _run(services.deactivate_user, None, user)
    print(f"Đã khóa tài khoản {user.username}; các khóa API của tài khoản đã bị thu hồi.")
    return 0


def _remove_role(args: argparse.Namespace) -> int:
    user = _user(args.username)
    from dangvu.accounts import selectors, services

    role = selectors.role_of(user, args.role, args.org)
    if role is None:
        raise CommandError(f"{user.username} không có vai trò {args.role} trên tổ chức «{args.org}».")
    _run(services.remove_role, None, role)
    print(f"Đã bỏ vai trò {args.role} của {user.username} trên {role.organization.name}.")
    return 0


def _revoke_token(args: argparse.Namespace) -> int:
    user = _user(args.username)
    from dangvu.accounts import selectors, services

    if bool(args.prefix) == bool(args.all):
        raise CommandError("Hãy chỉ rõ --prefix TIỀN_TỐ hoặc --all.")
    live = [t for t in selectors.api_tokens(user.username) if t.revoked_at is None]
    chosen = live if args.all else [t for t in live if t.prefix == args.prefix]
    if not chosen:
        raise CommandError(f"{user.username} không có khóa API nào còn hiệu lực"
                           + (f" với tiền tố «{args.prefix}»." if args.prefix else "."))
    for token in chosen:
        _run(services.revoke_token, None, token)
    print(f"Đã thu hồi {len(chosen)} khóa API của {user.username}.")
    return 0


def _add(args: argparse.Namespace) -> int:
    setup_django()
    from dangvu.accounts import services
    from dangvu.common import ServiceError
    from dangvu.registry import selectors

    org = selectors.org_by_code(args.org)
    if org is None:
        raise CommandError(f"Không có tổ chức mã «{args.org}».")
    member = selectors.member_by_pk(args.member) if args.member else None
    if args.member and member is None:
        raise CommandError(f"Không có hồ sơ đảng viên số {args.member}.")
    password = args.password or getpass.getpass("Mật khẩu: ")
    try:
        user = services.create_user_with_role(args.username, password, args.role, org, member, full_name=args.name)
    except ServiceError as exc:
        raise CommandError(str(exc)) from exc
    print(f"Đã tạo tài khoản {user.username} — vai trò {args.role} trên {org.name}.")
    return 0
