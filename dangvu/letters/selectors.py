"""Letters reads: the letters of a subtree, one letter within a user's letter scope, the counts the
alerts and the indicators need. Reads only; auditing each read is the views' part.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404

from dangvu.accounts.access import Access
from dangvu.core import letters as rules
from dangvu.core.alerts import Alert
from dangvu.core.rulesets import RuleSet
from dangvu.registry.models import Organization

from .models import Handling, Letter


def letters_of(org: Organization) -> QuerySet[Letter]:
    """Letters whose responsible body lies in ``org``'s subtree, newest first."""
    return Letter.objects.in_subtree(org).select_related("organization")


def letter_for(acc: Access, pk: int | str) -> Letter:
    """One letter the user may read, or 404 (absent and out of reach look the same)."""
    try:
        return Letter.objects.select_related("organization").filter(organization__in=acc.letter_orgs()).get(pk=int(pk))
    except (Letter.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Không tìm thấy đơn thư.") from exc


def letter_count(org: Organization) -> int:
    """How many letters the subtree holds (a count is all a role without the right may see)."""
    return Letter.objects.in_subtree(org).count()


def state_counts(org: Organization, today: dt.date) -> dict[str, int]:
    """Letters of the subtree by state on ``today`` (open, overdue, on_time, late, reference)."""
    out = dict.fromkeys(("open", "overdue", "on_time", "late", "reference"), 0)
    for handling, deadline, closed_on in letters_of(org).values_list("handling", "deadline", "closed_on"):
        key = "reference" if handling == Handling.REFERENCE else rules.state(today, deadline, closed_on)
        out[key] += 1
    return out


def on_time_counts(org: Organization, start: dt.date, end: dt.date, as_of: dt.date) -> tuple[int, int]:
    """(settled on time, counted) for the letters to be handled whose deadline falls in [start, end]
    and whose outcome is known on ``as_of`` (:func:`dangvu.core.letters.counted_for_share`)."""
    rows = (Letter.objects.in_subtree(org).filter(handling=Handling.HANDLE, deadline__range=(start, end))
            .values_list("deadline", "closed_on"))
    counted = [(d, c) for d, c in rows if rules.counted_for_share(as_of, d, c)]
    return sum(1 for d, c in counted if c is not None and c <= as_of and rules.on_time(d, c)), len(counted)


def letter_alerts(org: Organization, today: dt.date, rs: RuleSet) -> list[Alert]:
    """Open letters of the subtree past their deadline or within ``alerts.letter_near_days`` of it.
    The message names the received day and the deadline only: alerts are read by roles that may
    not see a letter's contents."""
    near = rs["alerts.letter_near_days"]
    horizon = today + dt.timedelta(days=near)
    rows = (Letter.objects.in_subtree(org).open().filter(deadline__isnull=False, deadline__lte=horizon)
            .values_list("pk", "received_on", "deadline", "organization__code", "organization__name",
                         "organization__path"))
    out = []
    for _pk, received_on, deadline, code, name, path in rows:
        severity = rules.alert_severity(today, deadline, None, near)
        if severity is None:
            continue
        when = "đã quá hạn giải quyết" if severity == "passed" else "sắp đến hạn giải quyết"
        out.append(Alert("letter_deadline", code, name,
                         f"Đơn thư nhận ngày {received_on:%d/%m/%Y} {when} (hạn {deadline:%d/%m/%Y}).",
                         severity, deadline, org_path=path))
    return out
