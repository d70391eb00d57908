"""``dangvu bench``: the performance suite (see :mod:`dangvu.bench`)."""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import tempfile

from dangvu.cli import CommandError, print_json, setup_django


def _bench(args: argparse.Namespace) -> int:
    if args.rows is not None and not 1 <= args.rows <= 100_000:
        raise CommandError("--rows phải từ 1 đến 100000.")
    # The bench signs nothing that outlives it (its own temporary or province data): without a
    # configured key a throwaway one will do (settings refuse to start with none; children inherit it).
    os.environ.setdefault("DANGVU_SECRET_KEY", secrets.token_urlsafe(50))
    if args.fuzz:
        return _fuzz(args)
    if args.scale == "nation" and not args.no_dataset:
        from dangvu.bench.nation_cli import nation

        return nation(args)
    if args.scale == "province" and not args.no_dataset:
        from dangvu.bench.province_cli import province

        return province(args)
    temp = None
    if not os.environ.get("DATABASE_URL") and not args.reuse:
        # Never touch the user's own database: a fresh SQLite file in a temporary home.
        temp = tempfile.mkdtemp(prefix="dangvu-bench-")
        os.environ["DANGVU_HOME"] = temp
    try:
        setup_django()
        if args.uploads:  # hostile uploads (issue 12): time and peak memory of each refusal
            from dangvu.bench.uploads import report_uploads

            return report_uploads(json_out=args.json)
        from dangvu.bench.suite import run_bench

        try:
            result = run_bench(args.scale, rows=args.rows, only=args.only or None,
                               keep=args.keep or temp is not None)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)
    if args.json:
        print_json(result)
    else:
        for name, section in result.items():
            sys.stdout.write(f"{name}:\n")
            for key, value in section.items():
                sys.stdout.write(f"  {key}: {value}\n")
    return 0


def _fuzz(args: argparse.Namespace) -> int:
    """``--fuzz``: hostile requests against a commune demo in a throwaway SQLite database."""
    if not 1 <= args.requests <= 10_000_000:
        raise CommandError("--requests phải từ 1 đến 10000000.")
    os.environ.pop("DATABASE_URL", None)  # never the user's database, whatever is configured
    temp = tempfile.mkdtemp(prefix="dangvu-fuzz-")
    os.environ["DANGVU_HOME"] = temp
    try:
        setup_django()
        from dangvu.bench.fuzz import fuzz

        result = fuzz(args.requests, seed=args.seed, progress=not args.json)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    if args.json:
        print_json(result)
        return 1 if result["5xx"] else 0
    for key in ("requests", "seconds", "per_second", "pages_crawled", "targets", "2xx", "3xx", "4xx", "5xx"):
        sys.stdout.write(f"{key}: {result[key]}\n")
    sys.stdout.write("status: " + ", ".join(f"{k}: {v}" for k, v in result["status"].items()) + "\n")
    for err in result["errors_500"]:
        sys.stdout.write(f"500 {err['method']} {err['url']} {err['fields']} {err['exception']} ({err['at']})\n")
    return 1 if result["5xx"] else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="đo hiệu năng (nhập Excel, …)")
    p.add_argument("--scale", choices=["commune", "province", "nation"], default="commune",
                   help="quy mô dữ liệu thử (mặc định: commune)")
    p.add_argument("--rows", type=int, help="số dòng của tệp Excel thử (mặc định theo quy mô; commune: 20000)")
    p.add_argument("--only", action="append", metavar="NAME", help="chỉ chạy phần đo này (lặp lại được)")
    p.add_argument("--reuse", action="store_true",
                   help="dùng cơ sở dữ liệu đang cấu hình thay cho một tệp SQLite tạm (dữ liệu thử được xóa sau)")
    p.add_argument("--keep", action="store_true", help="giữ lại dữ liệu thử sau khi đo")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.add_argument("--uploads", action="store_true", help="gửi các tệp độc hại lên trang thật; đo thời gian, bộ nhớ")
    p.add_argument("--fuzz", action="store_true",
                   help="gửi các yêu cầu có dữ liệu xấu tới mọi trang, biểu mẫu và API trên dữ liệu mẫu cấp xã "
                        "(cơ sở dữ liệu SQLite tạm); đếm mã trả lời, liệt kê mọi lỗi 500")
    p.add_argument("--requests", type=int, default=100_000, metavar="N",
                   help="số yêu cầu của --fuzz (mặc định: 100000)")
    g = p.add_argument_group("quy mô tỉnh (--scale province)")
    g.add_argument("--seed", type=int, default=2026, help="hạt giống của dữ liệu mẫu cấp tỉnh (mặc định: 2026)")
    g.add_argument("--members", type=int, metavar="N",
                   help="số đảng viên của dữ liệu mẫu cấp tỉnh (mặc định: khoảng 150.000) hoặc toàn quốc "
                        "(--scale nation, chỉ trên PostgreSQL; mặc định: 1.000.000)")
    g.add_argument("--repeat", type=int, default=3, help="số lần đo mỗi phép tính, lấy lần nhanh nhất (mặc định: 3)")
    g.add_argument("--naive-budget", type=float, default=180.0, metavar="GIÂY",
                   help="chỉ chạy cách tính thô trên cả tỉnh khi ước tính không quá chừng ấy giây (mặc định: 180)")
    g.add_argument("--rebuild", action="store_true", help="dựng lại dữ liệu mẫu cấp tỉnh dù đã có")
    w = p.add_argument_group("trang web (--web)")
    w.add_argument("--web", action="store_true",
                   help="mở máy chủ web trên dữ liệu mẫu, đo từng trang của từng vai trò và khi nhiều người dùng cùng lúc")
    w.add_argument("--web-requests", type=int, default=10, metavar="N",
                   help="số lần hỏi mỗi trang khi một người dùng (mặc định: 10)")
    w.add_argument("--web-seconds", type=float, default=20.0, metavar="GIÂY",
                   help="thời gian đo mỗi mức người dùng đồng thời (mặc định: 20)")
    w.add_argument("--web-clients", type=int, action="append", metavar="N",
                   help="số người dùng đồng thời (lặp lại được; mặc định: 20 và 50)")
    w.add_argument("--web-page", action="append", metavar="TÊN", help="chỉ đo trang có tên URL này (lặp lại được)")
    w.add_argument("--web-role", action="append", choices=["admin", "office", "secretary", "member"],
                   help="chỉ đo vai trò này (lặp lại được; mặc định: cả bốn)")
    w.add_argument("--workers", type=int, metavar="N", help="số tiến trình của máy chủ web thử")
    w.add_argument("--threads", type=int, metavar="N", help="số luồng mỗi tiến trình của máy chủ web thử")
    # The XLSX part of the province bench runs in a child process with the classic behaviour.
    p.add_argument("--no-dataset", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=_bench)
