"""Two people entering the same month's fee book at the same moment (used by
tests/test_fees_concurrency.py), issue 15 point 7.

Each writer is a thread with its own database connection, as under the web server. In each round,
for one month: writer A taps "Tất cả đã nộp đủ" (``record_book(all_paid=True)``); writer B records
two exceptions (a partial payment, an excused month) and corrects a payment entered earlier. Both
start together (a barrier). A round counts crashes ("database is locked" and the like), lost
writes (an exception or the correction missing), duplicates (a member with two "as due" entries
from all-paid, or an all-paid entry for a member who already had one) and entries without their
audit record.

On SQLite it runs as a script against a file copy, the way the embedded installation runs (WAL,
``BEGIN IMMEDIATE``)::

    python tests/fee_race.py DB_FILE ORG_ID USER_A USER_B PARTIAL_ID EXCUSED_ID ROUNDS

and prints the figures as JSON.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import threading
from typing import Any


def race(org_pk: int, month, users: list, partial_pk: int, excused_pk: int) -> list[str]:
    from django.db import connection

    from dangvu.fees import services as s
    from dangvu.fees.models import FeePayment
    from dangvu.registry.models import Organization

    barrier = threading.Barrier(2)
    outcome = ["", ""]

    def all_paid() -> None:
        s.record_book(users[0], Organization.objects.get(pk=org_pk), month, all_paid=True)

    def exceptions() -> None:
        org = Organization.objects.get(pk=org_pk)
        earlier = FeePayment.objects.filter(book__organization=org, month=month, reason="entered earlier").first()
        s.record_book(users[1], org, month, lines={
            partial_pk: s.BookLine(s.LineKind.PARTIAL, amount=10_000),
            excused_pk: s.BookLine(s.LineKind.EXCUSED, reason="Ốm nằm viện")})
        s.correct_payment(users[1], earlier, amount=earlier.amount + 5_000, reason="Thu thêm, ghi thiếu")

    def session(i: int, work) -> None:
        try:
            barrier.wait(timeout=30)
            work()
            outcome[i] = "saved"
        except Exception as exc:  # noqa: BLE001 - a crash is what the round reports
            outcome[i] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=session, args=(0, all_paid)), threading.Thread(target=session, args=(1, exceptions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcome


def check(org_pk: int, month, users: list, partial_pk: int, excused_pk: int) -> dict[str, int]:
    """What one round left in the book: lost writes, duplicates, entries without an audit record."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from dangvu.fees.models import FeePayment, PaymentKind

    entries = list(FeePayment.objects.filter(book__organization_id=org_pk, month=month))
    by_member: dict[int, list] = {}
    for e in entries:
        by_member.setdefault(e.member_id, []).append(e)
    lost = duplicates = 0
    b_lines = [e for e in entries if e.recorded_by_id == users[1].pk]
    lost += sum(1 for pk, kind in ((partial_pk, PaymentKind.PAYMENT), (excused_pk, PaymentKind.EXCUSED))
                if sum(1 for e in b_lines if e.member_id == pk and e.kind == kind) != 1)
    lost += sum(1 for e in b_lines if e.kind == PaymentKind.CORRECTION) != 1
    from dangvu.fees.selectors import book_rows

    skipped = {partial_pk, excused_pk} | {e.member_id for e in entries if e.reason == "entered earlier"}
    due_members = {row.member.pk for row in book_rows(entries[0].book.organization, month) if row.due} if entries else set()
    lost += sum(1 for pk in due_members - skipped if not any(e.recorded_by_id == users[0].pk
                                                             for e in by_member.get(pk, [])))  # all-paid missed
    for member_entries in by_member.values():
        from_all_paid = [e for e in member_entries if e.recorded_by_id == users[0].pk]
        earlier = [e for e in member_entries if e.reason == "entered earlier"]
        duplicates += max(len(from_all_paid) - 1, 0) + (1 if earlier and from_all_paid else 0)
    kind = ContentType.objects.get_for_model(FeePayment)
    audited = set(LogEntry.objects.filter(content_type=kind, action=LogEntry.Action.CREATE,
                                          object_pk__in=[str(e.pk) for e in entries]).values_list("object_pk", flat=True))
    return {"lost": lost, "duplicates": duplicates, "unaudited": len(entries) - len(audited)}


def rounds(org_pk: int, users: list, partial_pk: int, excused_pk: int, count: int) -> dict[str, Any]:
    """``count`` rounds, each on an earlier month (months that were prepared with one earlier entry)."""
    from dangvu.core import clock
    from dangvu.core.fees import add_months, month_start

    figures: dict[str, Any] = {"rounds": 0, "saved": 0, "errors": 0, "error_texts": [], "lost": 0,
                               "duplicates": 0, "unaudited": 0}
    for n in range(count):
        month = add_months(month_start(clock.today()), -n)
        outcome = race(org_pk, month, users, partial_pk, excused_pk)
        figures["rounds"] += 1
        figures["saved"] += outcome.count("saved")
        errors = [o for o in outcome if o != "saved"]
        figures["errors"] += len(errors)
        figures["error_texts"] = (figures["error_texts"] + errors)[:3]
        for key, value in check(org_pk, month, users, partial_pk, excused_pk).items():
            if key in figures:
                figures[key] += value
    return figures


def main(argv: list[str]) -> int:
    db_file, org_pk, user_a, user_b, partial_pk, excused_pk, count = argv[:7]
    os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
    os.environ.setdefault("DANGVU_SECRET_KEY", secrets.token_urlsafe(40))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangvu.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User

    users = [User.objects.get(pk=int(user_a)), User.objects.get(pk=int(user_b))]
    figures = rounds(int(org_pk), users, int(partial_pk), int(excused_pk), int(count))
    sys.stdout.write(json.dumps(figures) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
