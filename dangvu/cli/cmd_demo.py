"""``dangvu demo`` (build the embedded demo and serve it) and ``dangvu serve`` (serve the database)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dangvu.cli import CommandError, local_secret_key, setup_django

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_THREADS = 4   # per worker process: requests mostly wait on the database, a few threads cover that
MAX_PROCESSES = 64
GRACEFUL_SECONDS = 10  # on SIGTERM, how long requests in progress may take to finish


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"cổng không hợp lệ: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"cổng phải từ 1 đến 65535: {port}")
    return port


def _sqlite_files() -> list[Path]:
    """The default SQLite database files (with WAL/SHM companions) under DANGVU_HOME."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangvu.settings")
    local_secret_key(create=True)
    from django.conf import settings

    home = Path(settings.DANGVU_HOME)
    return sorted(home.glob("dangvu.sqlite3*"))


def _check_may_overwrite(force: bool) -> None:
    """Refuse to wipe a database that holds anything but a previous demo, unless ``force``; say
    what will be deleted either way."""
    if not os.environ.get("DATABASE_URL") and not _sqlite_files():
        return
    setup_django(migrate=False)
    from django.db import connections

    from dangvu.demo.services import database_contents

    contents = database_contents()
    connections.close_all()
    if contents.empty:
        return
    where = "PostgreSQL/DATABASE_URL" if os.environ.get("DATABASE_URL") else "tệp SQLite trong DANGVU_HOME"
    if not contents.readable:
        what = f"Cơ sở dữ liệu ({where}) không đọc được như dữ liệu Đảng vụ"
    else:
        what = f"Cơ sở dữ liệu ({where}) đang có {contents.describe()}"
    if not force and not contents.is_demo:
        raise CommandError(f"{what} — không phải dữ liệu mẫu. `dangvu demo` sẽ XÓA toàn bộ. "
                           "Nếu thật sự muốn xóa, chạy lại với --force (nên sao lưu trước).", code=3)
    sys.stdout.write(f"{what}; sẽ xóa hết để tạo dữ liệu mẫu mới.\n")


def empty_database(force: bool = False) -> None:
    """Start from nothing: delete the default SQLite file, or flush the configured database —
    after :func:`_check_may_overwrite` (a database in use needs ``force``)."""
    _check_may_overwrite(force)
    if not os.environ.get("DATABASE_URL"):
        for path in _sqlite_files():
            path.unlink()
        setup_django()
        return
    setup_django()
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _count(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"số không hợp lệ: {text!r}") from None
    if not 1 <= number <= MAX_PROCESSES:
        raise argparse.ArgumentTypeError(f"phải từ 1 đến {MAX_PROCESSES}: {number}")
    return number


def _env_count(name: str, default: int) -> int:
    text = os.environ.get(name)
    if not text:
        return default
    try:
        return _count(text)
    except argparse.ArgumentTypeError as exc:
        raise CommandError(f"{name} {exc}") from None


def _server_options(host: str, port: int, workers: int, threads: int) -> dict:
    """gunicorn's settings: ``workers`` processes of ``threads`` threads each, forked from this
    process once Django is set up (preloaded), logging only warnings and errors (the app logs its
    own 403/404 lines); no worker is ever recycled, so a scan being read in one is not cut off."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "preload_app": True,
        "loglevel": "warning",
        "accesslog": None,
        "errorlog": "-",
        "timeout": 120,  # a worker silent this long is restarted (gthread workers report while serving)
        "graceful_timeout": GRACEFUL_SECONDS,
        "max_requests": 0,
        # Each answer closes its connection. A kept-alive connection stays with the worker that
        # accepted it, and a burst of clients (or a proxy's pooled connections) could all land on one
        # worker while the other idles: measured with 20–50 keep-alive clients, whole 10-second spans
        # at half the throughput. A new connection per request goes to whichever worker takes it
        # first (a free one); a reverse proxy in front keeps the browsers' connections alive.
        "keepalive": 0,
        "proc_name": "dangvu",
    }


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, workers: int | None = None,
          threads: int | None = None) -> None:
    """Serve the web UI with gunicorn (static files through whitenoise, no collectstatic).
    Ctrl+C (SIGINT) stops at once; SIGTERM lets requests in progress finish first."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    from dangvu.web.warm import warm
    from dangvu.wsgi import application

    workers = workers or _env_count("DANGVU_WORKERS", _cores())
    threads = threads or _env_count("DANGVU_THREADS", DEFAULT_THREADS)
    options = _server_options(host, port, workers, threads)
    warm()  # compiled templates and today's alert tables, inherited by every worker
    connections.close_all()  # the workers are forked from this process: none may share its connection

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):  # noqa: ANN202 — a WSGI callable
            return application

    sys.stdout.write(f"Đảng vụ đang chạy tại http://{host}:{port}/ ({workers} tiến trình × {threads} luồng; "
                     "Ctrl+C để dừng)\n")
    sys.stdout.flush()
    Server().run()


def _demo(args: argparse.Namespace) -> int:
    local_secret_key(create=True)  # the demo's home keeps a random key of its own (settings need one)
    empty_database(force=args.force)
    from dangvu.demo.services import build_demo

    try:
        result = build_demo(args.scale, args.seed, progress=True, members_target=args.members)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    out = sys.stdout
    total = sum(result.members.values())
    out.write(f"Đã tạo dữ liệu mẫu «{result.root.name}» (mã {result.root.code}) trong {result.seconds:.1f} giây: "
              f"{sum(result.organizations.values())} tổ chức đảng, {total} đảng viên "
              f"({result.active_members} đang sinh hoạt), hạt giống {result.seed}.\n")
    out.write(f"Đăng nhập tại http://{args.host}:{args.port}/ với một trong các tài khoản:\n")
    for user in result.users:
        out.write(f"  {user.username:<10} mật khẩu {user.password:<14} {user.role} — {user.organization}\n")
    out.flush()
    if args.no_serve:
        out.write("Chạy `dangvu serve` để mở giao diện web.\n")
        return 0
    serve(args.host, args.port, args.workers, args.threads)
    return 0


def _serve(args: argparse.Namespace) -> int:
    # The embedded SQLite database gets a key of its own; a configured server database
    # (DATABASE_URL) is a deployment, which must set DANGVU_SECRET_KEY itself.
    local_secret_key(create=not os.environ.get("DATABASE_URL"))
    setup_django()
    serve(args.host, args.port, args.workers, args.threads)
    return 0


def _server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=_count, default=None, metavar="N",
                        help="số tiến trình phục vụ (mặc định DANGVU_WORKERS, hoặc số lõi CPU)")
    parser.add_argument("--threads", type=_count, default=None, metavar="N",
                        help=f"số luồng mỗi tiến trình (mặc định DANGVU_THREADS, hoặc {DEFAULT_THREADS})")


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="tạo dữ liệu mẫu (xóa dữ liệu mẫu cũ; dữ liệu thật cần --force) rồi mở giao diện web")
    demo.add_argument("--no-serve", action="store_true", help="chỉ tạo dữ liệu, không mở máy chủ web")
    demo.add_argument("--scale", choices=("commune", "province"), default="commune",
                      help="commune: một đảng bộ xã (~750 đảng viên); province: một tỉnh (~150.000)")
    demo.add_argument("--seed", type=int, default=2026, help="hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu)")
    demo.add_argument("--members", type=int, default=None, metavar="N",
                      help="số đảng viên cần tạo (mặc định: khoảng 750 với xã, 150.000 với tỉnh)")
    demo.add_argument("--force", action="store_true",
                      help="xóa cả một cơ sở dữ liệu đang dùng thật (không chỉ dữ liệu mẫu cũ)")
    demo.add_argument("--port", type=_port, default=DEFAULT_PORT)
    demo.add_argument("--host", default=DEFAULT_HOST, help=argparse.SUPPRESS)
    _server_arguments(demo)
    demo.set_defaults(func=_demo)

    srv = sub.add_parser("serve", help="mở giao diện web trên cơ sở dữ liệu hiện có (gunicorn, nhiều tiến trình)")
    srv.add_argument("--port", type=_port, default=DEFAULT_PORT)
    srv.add_argument("--host", default=DEFAULT_HOST)
    _server_arguments(srv)
    srv.set_defaults(func=_serve)
