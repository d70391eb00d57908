"""Fee objects for the access matrix, phone and page-query worlds (issue 15): in each cell a fee
basis for its member, this month's book with a payment and a correction; a staged fee-book import
per location like the registry's batches ("in": the office's on C1A; "out": the admin's on C2A);
and (``remittance_objects``) last month's books of C1A and C1B with C1A's remittance not yet
confirmed, so the remittance page shows lines and forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dangvu.core import clock
from dangvu.core.fees import month_start
from dangvu.fees import services as fs
from dangvu.registry.models import ImportBatch


def this_month() -> dt.date:
    return month_start(clock.today())


def fees_objects(orgs: dict, members: dict, users: dict) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    month = this_month()
    for loc in ("in", "side", "out"):
        member = members[loc]
        fs.set_basis(None, member, category="salaried", base=7_350_000, starts_on=dt.date(month.year, 1, 1))
        book = fs.record_book(None, orgs[loc], month, all_paid=True)
        payment = book.payments.get(member=member)
        fs.correct_payment(None, payment, amount=70_000, reason="Ghi nhầm")
        out[loc] = {"book": book, "payment": payment}
    out["in"]["batch"] = ImportBatch.objects.create(kind="fee_book", scope=orgs["in"], file_name="so-thu.xlsx",
                                                    content=b"", created_by=users["office"], state="invalid")
    out["out"]["batch"] = ImportBatch.objects.create(kind="fee_book", scope=orgs["out"], file_name="so-thu.xlsx",
                                                     content=b"", created_by=users["admin"], state="invalid")
    return out


def grow_fees(cell, members: list) -> None:
    """More rows on the fee pages: a basis and this month's payment for each new member."""
    for member in members:
        fs.set_basis(None, member, category="pensioner", base=5_000_000, starts_on=dt.date(2020, 1, 1))
    fs.record_book(None, cell, this_month(), all_paid=True)


def remittance_objects(tree) -> dict:
    from dangvu.core.fees import add_months, month_start
    from dangvu.fees import services as s

    today = dt.date.today()
    month = add_months(month_start(today), -1)
    m = tree.members
    s.set_basis(None, m["an"], category="salaried", base=7_350_000, starts_on=month)
    s.set_basis(None, m["dung"], category="salaried", base=4_000_000, starts_on=month)
    for code in ("C1A", "C1B"):
        s.record_book(None, tree.orgs[code], month, all_paid=True)
    sent = s.record_remittance(None, tree.orgs["C1A"], month, amount=51_450, sent_on=today)
    return {"month": month, "remittance": sent}
