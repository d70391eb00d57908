"""``dangvu stats`` (what the database holds) and ``dangvu token`` (issue an API token).

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


def _token(args: argparse.Namespace) -> int:
    setup_django()
    from dangvu.accounts.selectors import user_by_username
    from dangvu.accounts.services import issue_api_token

    user = user_by_username(args.username)
    if user is None:
        raise CommandError(f"Không có người dùng «{args.username}».", code=2)
    if not user.is_active:
        raise CommandError(f"Người dùng «{args.username}» đang bị khóa.", code=2)
    _, key = issue_api_token(user)
    sys.stdout.write(key + "\n")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    stats = sub.add_parser("stats", help="số tổ chức đảng và đảng viên trong cơ sở dữ liệu")
    stats.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    stats.set_defaults(func=_stats)

    token = sub.add_parser("token", help="cấp khóa truy cập API mới cho một người dùng")
    token.add_argument("username", metavar="USERNAME")
    token.set_defaults(func=_token)
