"""Fee books and a remittance on the access matrix's world, so the fees pages show lines and forms
(phone and page-query tests): last month's books of C1A and C1B, C1A's remittance not yet confirmed."""

from __future__ import annotations

import datetime as dt


def fees_objects(tree) -> dict:
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
