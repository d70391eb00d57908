"""Demo step "honours": Party badges and commendations, through :mod:`dangvu.honours.services`.

For each grassroots organization (at most ``MAX_COMMITTEES``, so the province build stays
bounded): the badges members had reached by last year's final occasion are recorded as awarded
then; every member who reaches a badge by one of this year's occasions that have passed is
proposed and the committee's decision recorded a few days before the occasion; the next occasion's list is proposed
and left pending (the page then shows both states); one member and the organization itself get a
commendation. Deterministic for a given seed and day.
"""

from __future__ import annotations

import datetime as dt
import random

from dangvu.core.badges import occasions
from dangvu.core.rulesets import ruleset_for
from dangvu.honours import services as hs
from dangvu.honours.selectors import badge_rows
from dangvu.registry.models import Member, Organization, OrgKind

from ..context import DemoContext

MAX_COMMITTEES = 12
_GRASSROOTS = (OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL)


def _propose_reached_since(org: Organization, occasion: dt.date, since: dt.date) -> int:
    """Propose the members who reach their badge after ``since``: those who reached one earlier
    are taken to have received it before the data begins (no record of earlier awards)."""
    rows = [r for r in badge_rows(org, occasion) if r.proposal is None and r.due.reached_on > since]
    for row in rows:
        hs.propose_badge(None, row.member, occasion, org=org)
    return len(rows)


def honours(ctx: DemoContext) -> None:
    today, rng = ctx.today, random.Random(f"honours-{ctx.seed}-{ctx.today.isoformat()}")
    rs = ruleset_for(today)
    days = occasions(today.year, rs) + occasions(today.year + 1, rs)
    past = [d for d in days if d.year == today.year and d - dt.timedelta(days=5) <= today]
    upcoming = next((d for d in days if d > today), None)
    orgs = list(Organization.objects.subtree(ctx.root_org).filter(kind__in=_GRASSROOTS).order_by("path"))
    for n, org in enumerate(orgs[:MAX_COMMITTEES]):
        number = 100 + n * 10
        # Earlier badges: everyone due by last year's final occasion received theirs then.
        previous = occasions(today.year - 1, rs)[-1]
        if _propose_reached_since(org, previous, dt.date.min):
            hs.decide_badges(None, org, previous, previous - dt.timedelta(days=5), f"{number}-QĐ/ĐU")
        for occasion in past:
            if _propose_reached_since(org, occasion, previous):
                number += 1
                hs.decide_badges(None, org, occasion, occasion - dt.timedelta(days=5), f"{number}-QĐ/ĐU")
            previous = occasion
        if upcoming is not None:
            _propose_reached_since(org, upcoming, previous)  # left pending: the page shows both states
        members = list(Member.objects.active().filter(organization__path__startswith=org.path)
                       .order_by("pk")[:40])
        if members:
            decided = dt.date(today.year - 1, 12, 20)
            hs.add_commendation(None, member=rng.choice(members), kind="certificate", level="grassroots",
                                decision_number=f"{number + 5}-QĐ/ĐU", decided_on=decided,
                                note="Đảng viên hoàn thành xuất sắc nhiệm vụ năm " + str(decided.year))
            hs.add_commendation(None, organization=org, kind="merit", level="commune" if "xã" in org.name.lower()
                                else "province", decision_number=f"{number + 6}-QĐ/HU", decided_on=decided,
                                note="Tổ chức đảng hoàn thành xuất sắc nhiệm vụ năm " + str(decided.year))
