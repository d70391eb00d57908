"""``dangvu user add`` — create a login and grant it a role on an organization's subtree."""

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
                     choices=["admin", "office", "secretary", "viewer", "member"])
    add.add_argument("--org", required=True, help="mã tổ chức mà vai trò áp dụng (cả cây bên dưới)")
    add.add_argument("--member", type=int, help="mã hồ sơ đảng viên (vai trò member)")
    add.add_argument("--password", help="mật khẩu (bỏ trống để nhập ẩn)")
    add.add_argument("--name", default="", help="họ và tên hiển thị")
    add.set_defaults(func=_add)


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
