"""``dangvu backup --out FILE`` and ``dangvu restore FILE`` (issue 18, point 5).

backup: a consistent copy of the database and the uploaded files while the server runs, one
``.tar.gz`` with a manifest (see :mod:`dangvu.backup`). restore: into an empty DANGVU_HOME (and an
empty PostgreSQL database when DATABASE_URL names one); the file is checked completely before
anything is written. Exit 1 when the backup cannot be made or the file is damaged, 3 when the
target is not empty.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dangvu.cli import CommandError, local_secret_key, setup_django


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB".replace(".", ",")


def _backup(args: argparse.Namespace) -> int:
    out = Path(args.out).expanduser().resolve()
    if not out.parent.is_dir():
        raise CommandError(f"Không có thư mục {out.parent} để ghi tệp sao lưu.", code=2)
    if out.is_dir():
        raise CommandError(f"{out} là một thư mục; hãy ghi tên tệp, ví dụ dangvu-2026-12-03.tar.gz.", code=2)
    setup_django(migrate=False)
    from dangvu.backup.run import BackupError, make_backup

    try:
        done = make_backup(out)
    except BackupError as exc:
        raise CommandError(str(exc), code=1) from exc
    sys.stdout.write(f"Đã sao lưu vào {out} ({_size(out.stat().st_size)}): {done.tables} bảng, {done.rows} dòng, "
                     f"{done.files} tệp tải lên, cơ sở dữ liệu {done.engine}, {done.seconds:.1f} giây.\n")
    return 0


def _restore(args: argparse.Namespace) -> int:
    path = Path(args.file).expanduser().resolve()
    # A new embedded instance gets its own secret key, as `dangvu demo` and `serve` make one.
    local_secret_key(create=not os.environ.get("DATABASE_URL"))
    setup_django(migrate=False)
    from dangvu.backup.run import BackupError, restore_backup

    try:
        done = restore_backup(path)
    except BackupError as exc:
        raise CommandError(str(exc), code=exc.code) from exc
    sys.stdout.write(f"Đã khôi phục từ {path}: {done.tables} bảng, {done.rows} dòng (số dòng và mã kiểm tra "
                     f"của từng bảng khớp bản sao lưu), {done.files} tệp tải lên, {done.seconds:.1f} giây.\n")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    backup = sub.add_parser("backup", help="sao lưu cơ sở dữ liệu và tệp tải lên (được khi máy chủ đang chạy)")
    backup.add_argument("--out", required=True, metavar="FILE", help="tệp sao lưu sẽ ghi, ví dụ dangvu.tar.gz")
    backup.set_defaults(func=_backup)
    restore = sub.add_parser("restore", help="khôi phục một bản sao lưu vào DANGVU_HOME trống")
    restore.add_argument("file", metavar="FILE", help="tệp do `dangvu backup` ghi")
    restore.set_defaults(func=_restore)
