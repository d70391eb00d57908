"""Stored alert counts (issue 14). The alerts themselves are read in :mod:`dangvu.alerts.selectors`
and counted in :mod:`dangvu.alerts.queries`; this module keeps the counts of a subtree for the day
(:class:`~dangvu.alerts.models.AlertSnapshot`) so that a page does not count them again while
nothing in the subtree has changed.

- Fresh (no change logged in the subtree since it was counted): read back, whatever the size.
- Changed since: counted again on the page, unless the subtree holds more than
  ``settings.DANGVU_ALERTS_LIVE_MEMBERS`` members (a province takes seconds): then the stored
  counts are shown with their time and the number of changes since, and «Tính lại» (or the nightly
  ``dangvu alerts --store``) counts them again.

Kept so that ``from dangvu.alerts.services import alerts_for`` (older callers) still works.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dangvu.plans.snapshots import changes_since, data_stamp, rules_fingerprint
from dangvu.registry.models import Organization

from .models import AlertSnapshot
from .queries import SubtreeAlerts, day_snapshot
from .selectors import GATHERERS, alerts_for, subtree_members_over

__all__ = ["GATHERERS", "Counted", "alerts_for", "counted_alerts", "store_counts"]


@dataclass
class Counted:
    """A subtree's alerts for the page, and how old their counts are."""
    alerts: SubtreeAlerts
    computed_at: dt.datetime | None  # None: counted on this request
    changes: int = 0                 # changes logged in the subtree since they were counted


def store_counts(org: Organization, today: dt.date) -> SubtreeAlerts:
    """Count the subtree's alerts of ``today`` and store them (replacing the day's earlier counts)."""
    stamp = data_stamp()  # read first: a change committed while counting makes these stale
    alerts = SubtreeAlerts(org, today)
    payload = alerts.snapshot()
    _save(org, today, stamp, payload)
    return alerts


@transaction.atomic
def _save(org: Organization, today: dt.date, stamp: int, payload: dict) -> None:
    # Only the write is in the transaction: counting a province takes seconds, and on SQLite a write
    # transaction holds the database's one write lock from its start.
    AlertSnapshot.objects.update_or_create(
        organization=org, day=today,
        defaults={"rules": rules_fingerprint(), "stamp": stamp, "counts": payload["counts"],
                  "listed": payload["listed"], "first_page": payload["first_page"],
                  "computed_at": timezone.now()})


def counted_alerts(org: Organization, today: dt.date, *, refresh: bool = False) -> Counted:
    """The subtree's alerts for a page: stored counts when still right (or when the subtree is too
    large to count on a page), else counted now and stored."""
    if not refresh:
        snap = day_snapshot(org, today)
        if snap is not None:
            changes = changes_since(org, snap.stamp)
            if changes == 0 or subtree_members_over(org, settings.DANGVU_ALERTS_LIVE_MEMBERS):
                stored = SubtreeAlerts(org, today, stored={"counts": snap.counts, "listed": snap.listed,
                                                           "first_page": snap.first_page})
                return Counted(stored, snap.computed_at, changes)
    return Counted(store_counts(org, today), None)
