"""Recomputing a plan's stored figures on demand (the "Tính lại" button, ``dangvu indicators
--refresh``): every past year's figure of its bound targets is computed afresh and stored,
whatever the change log says. The stored figures are a cache of the indicators, not records:
they are not audited; the request that asked for them is (an audit entry per refresh)."""

from __future__ import annotations

from django.db import transaction

from dangvu.accounts.audit import log_bulk
from dangvu.common import ensure_can_edit
from dangvu.core import clock

from ..models import Plan
from ..progress import plan_progress
from ..snapshots import Figures


@transaction.atomic
def refresh_figures(by, plan: Plan) -> int:
    """Recompute and store the plan's past figures; returns how many figures were computed."""
    ensure_can_edit(by, plan.issuer)
    figures = Figures(clock.today(), force=True)
    plan_progress(plan, figures=figures)
    log_bulk(by, plan, "plan-figures-refresh", created=figures.computed)
    return figures.computed
