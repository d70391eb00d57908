"""``dangvu stats`` (what the database holds) and ``dangvu token`` (issue an API token that expires;
``--list`` lists tokens with their state).

``stats --json`` prints ``{"root": CODE, "organizations": {kind: n}, "members": {status: n}}``:
``root`` is the code of the first root organization (null on an empty database); the counts
cover the whole database and always list every organization kind and every member status, in
the order the models declare them, with 0 where there is none.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dangvu.cli import CommandError, print_json, setup_django


def collect_stats() -> dict[str, Any]:
    from dangvu.registry import selectors
    from dangvu.registry.models import MemberStatus, OrgKind

    root = selectors.root_org()
    counts = selectors.registry_stats()
    kinds, statuses = counts["organizations"], counts["members"]
    return {
        "root": root.code if root else None,
        "organizations": {k: kinds.get(k, 0) for k in OrgKind.values},
        "members": {s: statuses.get(s, 0) for s in MemberStatus.values},
    }


def _stats(args: argparse.Namespace) -> int:
    setup_django()
    data = collect_stats()
    if args.json:
        print_json(data)
        return 0
    from dangvu.registry import selectors
    from dangvu.registry.models import ACTIVE_STATUSES, MemberStatus, OrgKind

    out = sys.stdout
    if data["root"] is None:
        out.write("Cơ sở dữ liệu chưa có tổ chức đảng nào (chạy `dangvu demo` để tạo dữ liệu mẫu).\n")
    else:
        root = selectors.org_by_code(data["root"])
        out.write(f"Tổ chức gốc: {root.name} (mã {root.code})\n")
    out.write(f"Tổ chức đảng: {sum(data['organizations'].values())}\n")
    for kind, n in data["organizations"].items():
        if n:
            out.write(f"  {OrgKind(kind).label}: {n}\n")
    active = sum(data["members"][s] for s in ACTIVE_STATUSES)
    out.write(f"Đảng viên: {sum(data['members'].values())} (đang sinh hoạt: {active})\n")
    for status, n in data["members"].items():
        out.write(f"  {MemberStatus(status).label}: {n}\n")
    return 0


def _list_tokens(username: str | None) -> int:
    from django.utils import timezone

    from dangvu.accounts.selectors import api_tokens

    now = timezone.now()
    rows = list(api_tokens(username))
    if not rows:
        sys.stdout.write("Chưa có khóa truy cập API nào.\n")
        return 0
    for t in rows:
        state = ("đã thu hồi" if t.revoked_at else "hết hạn" if t.expired(now)
                 else "đã khóa tài khoản" if not t.user.is_active else "còn hiệu lực")
        used = f"{timezone.localtime(t.last_used_at):%d/%m/%Y %H:%M}" if t.last_used_at else "chưa dùng"
        expires = f"{timezone.localtime(t.expires_at):%d/%m/%Y}" if t.expires_at else "—"
        sys.stdout.write(f"{t.prefix}  {t.user.username:<16} cấp {timezone.localtime(t.created_at):%d/%m/%Y}  "
                         f"hết hạn {expires}  dùng lần cuối {used}  {'ghi' if t.can_write else 'đọc'}  {state}\n")
    return 0


def _token(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone

    from dangvu.accounts.selectors import user_by_username
    from dangvu.accounts.services import issue_api_token
    from dangvu.common import ServiceError

    if args.list:
        return _list_tokens(args.username)
    if not args.username:
        raise CommandError("Hãy ghi tên người dùng cần cấp khóa (hoặc --list để xem các khóa).", code=2)
    user = user_by_username(args.username)
    if user is None:
        raise CommandError(f"Không có người dùng «{args.username}».", code=2)
    if not user.is_active:
        raise CommandError(f"Người dùng «{args.username}» đang bị khóa.", code=2)
    try:
        token, key = issue_api_token(user, args.days, write=args.write)
    except ServiceError as exc:
        raise CommandError(str(exc), code=2) from exc
    sys.stdout.write(key + "\n")
    sys.stderr.write(f"Khóa hết hạn ngày {timezone.localtime(token.expires_at):%d/%m/%Y}"
                     + ("; được ghi dữ liệu qua API.\n" if token.can_write else ".\n"))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    stats = sub.add_parser("stats", help="số tổ chức đảng và đảng viên trong cơ sở dữ liệu")
    stats.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    stats.set_defaults(func=_stats)

    token = sub.add_parser("token", help="cấp khóa truy cập API mới cho một người dùng; --list: xem các khóa")
    token.add_argument("username", metavar="USERNAME", nargs="?")
    token.add_argument("--list", action="store_true", help="liệt kê các khóa (của USERNAME, hoặc mọi người)")
    token.add_argument("--days", type=int, default=None, help="số ngày hiệu lực (mặc định DANGVU_TOKEN_DAYS)")
    token.add_argument("--write", action="store_true",
                       help="khóa được ghi dữ liệu qua API (trong phạm vi vai trò được sửa của người dùng)")
    token.set_defaults(func=_token)
