"""Fee objects for the access matrix, phone and page-query worlds (issue 15): in each cell a fee
basis for its member, this month's book with a payment and a correction; a staged fee-book import
per location like the registry's batches ("in": the office's on C1A; "out": the admin's on C2A)."""

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
