"""``dangvu mail send [--json]``: send the queued e-mails that are due now (the web server sends
them in the background; this is for a cron job or after a restart). Exit status 1 when some mail
failed for good."""

from __future__ import annotations

import argparse
import sys

from dangvu.cli import CommandError, print_json, setup_django


def _send(args: argparse.Namespace) -> int:
    setup_django()
    from django.conf import settings

    from dangvu.channel.services_mail import drain_outbox

    if not settings.DANGVU_EMAIL_ENABLED:
        raise CommandError("Chưa cấu hình gửi thư: đặt DANGVU_EMAIL_URL (ví dụ smtp://user:pass@host:587/?tls=True).")
    counts = drain_outbox()
    if args.json:
        print_json(counts)
    else:
        sys.stdout.write(f"Đã gửi {counts['sent']} thư; sẽ thử lại {counts['retry']}; "
                         f"gửi không được {counts['failed']}.\n")
    return 1 if counts["failed"] else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("mail", help="Thư điện tử nhắc việc")
    mail_sub = p.add_subparsers(dest="mail_command", metavar="MAIL_COMMAND", required=True)
    send = mail_sub.add_parser("send", help="gửi các thư đang chờ đến hạn")
    send.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    send.set_defaults(func=_send)
