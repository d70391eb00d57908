"""The badge page's lists, bounded: at most :data:`BADGE_ROWS` members in each, in name order,
whatever the subtree holds (a province's root has 40,000 members due on an occasion; the page
listed them all in 40 s).

Each list is a stream of candidates in name order read from SQL — for the members whose party age
is the days since admission, the SQL already says who is due (:func:`selectors.reached_members`);
the others (a break in their party age, an early proposal) are in the stream too — and
:func:`dangvu.core.badges.badge_due` decides chunk by chunk until the page is full. The counts come
from the ``badges.due_count`` indicator (SQL), not from the lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet

from dangvu import indicators
from dangvu.core.badges import BadgeDue, badge_years, early_months
from dangvu.core.periods import Period
from dangvu.core.rulesets import RuleSet
from dangvu.plans.snapshots import stored
from dangvu.registry.models import ACTIVE_STATUSES, Member, MemberStatus, Organization

from .models import BadgeAward
from .selectors import (
    BadgeRow,
    badge_break_members,
    badge_rows,
    decided_by_rule,
    early_rows,
    reached_before,
    reached_members,
)

BADGE_ROWS = 200
SLACK = dt.timedelta(days=2)  # the SQL window is a superset; the rule decides at the edges


def _first(stream: QuerySet[Member], decide: Callable[[QuerySet[Member]], list[BadgeRow]],
           limit: int | None) -> tuple[list[BadgeRow], bool]:
    """The first ``limit`` rows ``decide`` keeps of ``stream`` (name order), read in chunks; and
    whether more may follow."""
    limit = BADGE_ROWS if limit is None else limit
    out: list[BadgeRow] = []
    chunk, offset = limit * 2, 0
    while len(out) <= limit:
        ids = list(stream.order_by("name_folded", "id").values_list("pk", flat=True)[offset:offset + chunk])
        if not ids:
            return out, False
        out += decide(Member.objects.filter(pk__in=ids))
        offset += chunk
    return out[:limit], True


def living_due(org: Organization, occasion: dt.date, rs: RuleSet, limit: int | None = None) -> tuple[list[BadgeRow], bool]:
    """The first ``limit`` living members due a badge on ``occasion`` (as :func:`badge_rows`)."""
    by_rule = decided_by_rule(org, occasion, rs)
    # Scoped to the subtree outside the OR too: PostgreSQL then reads the subtree's members on the
    # organization index instead of testing both subqueries against every member of the nation.
    stream = Member.objects.in_subtree(org).filter(Q(pk__in=reached_members(org, occasion, rs).values("pk"))
                                                   | Q(pk__in=by_rule.values("pk")))
    return _first(stream, lambda chunk: badge_rows(org, occasion, rs=rs, only=chunk), limit)


def posthumous_due(org: Organization, occasion: dt.date, rs: RuleSet, limit: int | None = None) -> tuple[list[BadgeRow], bool]:
    """The first ``limit`` deceased members due a posthumous badge on ``occasion``."""
    stream = Member.objects.in_subtree(org).filter(status=MemberStatus.DECEASED)
    return _first(stream, lambda chunk: [r for r in badge_rows(org, occasion, posthumous=True, rs=rs, only=chunk)
                                         if r.due.posthumous], limit)


def early_candidates(org: Organization, occasion: dt.date, rs: RuleSet) -> QuerySet[Member]:
    """Living members who could reach a badge after ``occasion`` but inside its early window (a
    superset: the rule decides), and those the SQL cannot decide."""
    near = Q(pk__in=[])
    for years in badge_years(rs):
        late = occasion + relativedelta(months=early_months(years, rs))
        near |= Q(admitted_on__gt=reached_before(occasion, years) - SLACK,
                  admitted_on__lte=reached_before(late, years) + SLACK)
    return Member.objects.in_subtree(org).filter(status__in=ACTIVE_STATUSES).filter(
        near | Q(pk__in=badge_break_members(org, rs).values("pk")))


def early_possible(org: Organization, occasion: dt.date, rs: RuleSet, limit: int | None = None) -> tuple[list[BadgeRow], bool]:
    """The first ``limit`` living members not due on ``occasion`` who would be if seriously ill."""
    return _first(early_candidates(org, occasion, rs),
                  lambda chunk: early_rows(org, occasion, rs, only=chunk), limit)


@dataclass
class BadgeLists:
    """What the badge page shows of an occasion: the two bounded lists, whether more follow, and
    the ``badges.due_count`` indicator's count."""
    living: list[BadgeRow]
    more_living: bool
    posthumous: list[BadgeRow]
    more_posthumous: bool
    due: int


def badge_lists(org: Organization, occasion: dt.date, rs: RuleSet) -> BadgeLists:
    """The page's lists and count, kept per subtree and occasion and read back while nothing in the
    subtree has changed (:func:`dangvu.plans.snapshots.stored`): at a province's root they take a
    second to find."""
    def compute() -> BadgeLists:
        living, more_living = living_due(org, occasion, rs)
        posthumous, more_posthumous = posthumous_due(org, occasion, rs)
        due = indicators.compute("badges.due_count", org, Period(occasion, occasion), occasion=occasion).value
        return BadgeLists(living, more_living, posthumous, more_posthumous, int(due or 0))
    return stored("badges", org, f"{occasion}", compute, _dump, _load)


def _rows_json(rows: list[BadgeRow]) -> list[list]:
    return [[r.member.pk, r.due.badge, r.due.party_age_days, r.due.reached_on.isoformat(), r.due.early,
             r.due.posthumous, r.proposal.pk if r.proposal else None] for r in rows]


def _dump(lists: BadgeLists) -> dict:
    return {"living": _rows_json(lists.living), "more_living": lists.more_living,
            "posthumous": _rows_json(lists.posthumous), "more_posthumous": lists.more_posthumous, "due": lists.due}


def _load(value: dict) -> BadgeLists:
    rows = [*value["living"], *value["posthumous"]]
    members = Member.objects.select_related("organization").in_bulk([r[0] for r in rows])
    awards = BadgeAward.objects.in_bulk([r[6] for r in rows if r[6] is not None])

    def back(stored_rows: list[list]) -> list[BadgeRow]:
        return [BadgeRow(members[pk], BadgeDue(badge, age, dt.date.fromisoformat(on), early, posthumous),
                         awards.get(award) if award else None)
                for pk, badge, age, on, early, posthumous, award in stored_rows if pk in members]
    return BadgeLists(back(value["living"]), value["more_living"], back(value["posthumous"]),
                      value["more_posthumous"], value["due"])
