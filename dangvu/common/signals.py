"""Signals the apps send about their writes.

``data_changed(organization_id, year)``: rows were written without ``save()``/``delete()``
(``bulk_create``, ``QuerySet.update``), so the per-row signals did not fire; stored indicator
figures of that organization's subtree (``None``: anywhere) from ``year`` on (``None``: every
year) may be out of date. Send it inside the writing transaction.
"""

from django.dispatch import Signal

data_changed = Signal()
