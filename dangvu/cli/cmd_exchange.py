"""``dangvu exchange``: the package a committee sends to the level above (issue 18, point 3).

- ``export --org CODE [--year YYYY] --out FILE``: a signed package of the subtree.
- ``import FILE [--dry-run] [--scope CODE] [--json]``: verify, show what changes, apply in one
  transaction (``--dry-run``: show only). Exit 1 when the package is refused.
- ``key``: this instance's public key (give it to the level above).
- ``trust KEY --label NAME``: accept packages signed with a sender's key.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dangvu.cli import CommandError, local_secret_key, print_json, setup_django


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or not 1930 <= int(text) <= 2200:
        raise CommandError(f"Năm không hợp lệ: {text!r} (ví dụ 2026).")
    return int(text)


def _export(args: argparse.Namespace) -> int:
    out = Path(args.out).expanduser().resolve()
    if not out.parent.is_dir():
        raise CommandError(f"Không có thư mục {out.parent} để ghi gói dữ liệu.")
    year = _year(args.year)
    setup_django()
    from dangvu.exchange.services import export_package
    from dangvu.registry.selectors import org_by_code

    org = org_by_code(args.org)
    if org is None:
        raise CommandError(f"Không có tổ chức mã {args.org}.")
    content = export_package(None, org, year)
    out.write_bytes(content)
    sys.stdout.write(f"Đã ghi gói dữ liệu của {org.name} ({'năm ' + str(year) if year else 'mọi năm'}) "
                     f"vào {out} ({len(content)} byte).\n")
    return 0


def _import(args: argparse.Namespace) -> int:
    path = Path(args.file).expanduser()
    if not path.is_file():
        raise CommandError(f"Không có tệp {path}.")
    _new_home()
    setup_django()
    from dangvu.common import ServiceError
    from dangvu.exchange.services import import_package
    from dangvu.registry.selectors import org_by_code

    scope = None
    if args.scope:
        scope = org_by_code(args.scope)
        if scope is None:
            raise CommandError(f"Không có tổ chức mã {args.scope}.")
    try:
        result = import_package(None, path.read_bytes(), scope=scope, dry_run=args.dry_run)
    except ServiceError as exc:
        raise CommandError(exc.message, code=1) from exc
    c = result.totals()
    if args.json:
        print_json({"organization": result.org_code, "period": result.period or None, "dry_run": args.dry_run,
                    "already_imported": result.already, **c,
                    "sections": {name: vars(r) for name, r in result.sections.items()},
                    "changes": result.changes})
        return 0
    verb = "Sẽ" if args.dry_run else "Đã"
    sys.stdout.write(f"Gói của {result.org_name} ({result.org_code}), "
                     f"{'năm ' + result.period if result.period else 'mọi năm'}: "
                     f"{verb.lower()} thêm {c['created']}, sửa {c['updated']}, "
                     f"giữ nguyên {c['unchanged']}, bỏ qua {c['skipped']} dòng.\n")
    for label, r in result.lines():
        if r.created or r.updated or r.skipped:
            sys.stdout.write(f"  {label}: thêm {r.created}, sửa {r.updated}, bỏ qua {r.skipped}\n")
    for line in result.changes:
        sys.stdout.write(f"  - {line}\n")
    if args.dry_run:
        sys.stdout.write("Chưa ghi gì (--dry-run).\n")
    return 0


def _new_home() -> None:
    # A new embedded instance gets its own secret key, as `dangvu demo` and `restore` make one.
    local_secret_key(create=not os.environ.get("DATABASE_URL"))


def _key(_args: argparse.Namespace) -> int:
    _new_home()
    setup_django(migrate=False)
    from dangvu.exchange.keys import fingerprint, public_text, sender_key

    pub = public_text(sender_key())
    sys.stdout.write(f"{pub}\n")
    sys.stderr.write(f"Dấu khóa: {fingerprint(pub)}. Gửi khóa công khai này cho cấp trên để họ tin cậy "
                     "(dangvu exchange trust).\n")
    return 0


def _trust(args: argparse.Namespace) -> int:
    _new_home()
    setup_django()
    from dangvu.common import ServiceError
    from dangvu.exchange.services import trust_key

    try:
        trust_key(None, args.key, args.label)
    except ServiceError as exc:
        raise CommandError(exc.message) from exc
    sys.stdout.write(f"Đã tin cậy khóa của {args.label}.\n")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    ex = sub.add_parser("exchange", help="trao đổi dữ liệu với cấp trên: xuất, nhập gói dữ liệu có ký")
    ex.set_defaults(func=lambda _args: (ex.print_help(), 2)[1])
    esub = ex.add_subparsers(dest="exchange_command", metavar="SUBCOMMAND")
    e = esub.add_parser("export", help="xuất gói dữ liệu của một tổ chức và các tổ chức trực thuộc")
    e.add_argument("--org", required=True, metavar="CODE", help="mã tổ chức")
    e.add_argument("--year", metavar="YYYY", help="chỉ số liệu theo kỳ của năm này (mặc định: mọi năm)")
    e.add_argument("--out", required=True, metavar="FILE", help="tệp gói sẽ ghi, ví dụ xa-an-binh.zip")
    e.set_defaults(func=_export)
    i = esub.add_parser("import", help="kiểm tra và nhập một gói dữ liệu")
    i.add_argument("file", metavar="FILE")
    i.add_argument("--dry-run", action="store_true", help="chỉ cho biết sẽ thay đổi gì, không ghi")
    i.add_argument("--scope", metavar="CODE", help="chỉ nhận gói của tổ chức thuộc tổ chức này")
    i.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    i.set_defaults(func=_import)
    k = esub.add_parser("key", help="in khóa công khai của máy này (để cấp trên tin cậy)")
    k.set_defaults(func=_key)
    t = esub.add_parser("trust", help="tin cậy khóa công khai của một đơn vị gửi")
    t.add_argument("key", metavar="KEY", help="khóa công khai (base64) do «dangvu exchange key» in ra")
    t.add_argument("--label", required=True, help="tên đơn vị gửi")
    t.set_defaults(func=_trust)
