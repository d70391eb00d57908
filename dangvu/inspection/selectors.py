"""Inspection reads: programmes and their progress, one inspection with its recommendations and
findings, the recommendations overdue (alerts) and the counts behind the indicators.

Every list is scoped: a programme belongs to an organization, and an inspection is seen by whoever
reads the programme's organization. States come from :mod:`dangvu.core.inspection`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from dangvu.core import clock
from dangvu.core.alerts import Alert
from dangvu.core.inspection import STATES, item_state, recommendation_state
from dangvu.core.rulesets import RuleSet, ruleset_for
from dangvu.core.text import fold
from dangvu.registry.models import ACTIVE_STATUSES, Member, Organization, subtree_q

from .models import Inspection, Programme, Recommendation


@dataclass(frozen=True)
class ItemRow:
    item: Inspection
    state: str

    @property
    def state_label(self) -> str:
        return STATES[self.state]


def programme_in_scope(acc, pk: int) -> Programme | None:
    return Programme.objects.filter(pk=pk, organization__in=acc.orgs()).select_related("organization").first()


def inspection_in_scope(acc, pk: int) -> Inspection | None:
    return (Inspection.objects.filter(pk=pk, programme__organization__in=acc.orgs())
            .select_related("programme__organization", "subject_org", "subject_member").first())


def recommendation_in_scope(acc, pk: int) -> Recommendation | None:
    return (Recommendation.objects.filter(pk=pk, inspection__programme__organization__in=acc.orgs())
            .select_related("inspection__programme__organization").first())


def programmes_of(org: Organization) -> QuerySet[Programme]:
    """The organization's own programmes, newest year first."""
    return Programme.objects.filter(organization=org).order_by("-year", "issuer")


def late_after_days(today: dt.date, rs: RuleSet | None = None) -> int:
    return (rs or ruleset_for(today))["inspection.late_after_days"]


def item_rows(programme: Programme, today: dt.date | None = None) -> list[ItemRow]:
    """Every item of a programme with its state on ``today`` (one query)."""
    today = today or clock.today()
    grace = late_after_days(today)
    items = programme.items.select_related("subject_org", "subject_member")
    return [ItemRow(i, item_state(i.planned_end, i.started_on, i.concluded_on, today, grace)) for i in items]


def state_counts(rows: list[ItemRow]) -> dict[str, int]:
    """Items per state, every state listed (zero included), in :data:`STATES` order."""
    counts = dict.fromkeys(STATES, 0)
    for r in rows:
        counts[r.state] += 1
    return counts


def item_state_of(item: Inspection, today: dt.date | None = None) -> str:
    today = today or clock.today()
    return item_state(item.planned_end, item.started_on, item.concluded_on, today, late_after_days(today))


@dataclass(frozen=True)
class RecommendationRow:
    rec: Recommendation
    state: str


def recommendation_rows(item: Inspection, today: dt.date | None = None) -> list[RecommendationRow]:
    today = today or clock.today()
    return [RecommendationRow(r, recommendation_state(r.due_on, r.done_on, today)) for r in item.recommendations.all()]


def findings_of(item: Inspection):
    return item.findings.select_related("member", "member__organization")


def match_subject_org(scope: Organization, text: str) -> Organization | None:
    """The organization of ``scope``'s subtree (``scope`` itself left out) whose name the text names;
    the longest name wins ("Chi bộ thôn Đồng Tâm" over "Chi bộ thôn Đồng"). None when none does."""
    low = fold(text)
    if not low:
        return None
    best: Organization | None = None
    for org in Organization.objects.subtree(scope).exclude(pk=scope.pk).only("pk", "name", "code", "path"):
        name = fold(org.name)
        if name and name in low and (best is None or len(name) > len(fold(best.name))):
            best = org
    return best


def subject_org_choices(scope: Organization) -> QuerySet[Organization]:
    """Organizations a programme of ``scope`` may inspect: those below it."""
    return Organization.objects.subtree(scope).exclude(pk=scope.pk)


def subject_member_choices(scope: Organization) -> QuerySet[Member]:
    return Member.objects.in_subtree(scope).active().select_related("organization").order_by("name_folded", "pk")


def subject_members(item: Inspection) -> QuerySet[Member]:
    """Members who may be named in the conclusion: those of the subject organization's subtree, the
    subject member, or else those of the programme's organization's subtree (active members)."""
    if item.subject_member_id:
        qs = Member.objects.filter(pk=item.subject_member_id)
    else:
        root = item.subject_org or item.programme.organization
        qs = Member.objects.filter(subtree_q(root, via="organization__"))
    return qs.filter(status__in=ACTIVE_STATUSES).order_by("name_folded", "pk")


# -- indicators and alerts ---------------------------------------------------------------------

def organizations_in(org: Organization, start: dt.date, end: dt.date) -> QuerySet[Organization]:
    """Organizations strictly below ``org`` that existed at some time in [start, end]."""
    return (Organization.objects.subtree(org).exclude(pk=org.pk)
            .filter(Q(established_on__isnull=True) | Q(established_on__lte=end))
            .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=start)))


def organizations_reached(org: Organization, activity: str, start: dt.date, end: dt.date) -> int:
    """How many organizations below ``org`` were the subject of an inspection (or supervision) carried
    out in [start, end]: begun on or before ``end`` and not concluded before ``start``."""
    carried = (Inspection.objects.filter(subtree_q(org, via="subject_org__"), activity=activity,
                                         started_on__isnull=False, started_on__lte=end)
               .filter(Q(concluded_on__isnull=True) | Q(concluded_on__gte=start)))
    return organizations_in(org, start, end).filter(pk__in=carried.values("subject_org")).count()


def recommendations_due(org: Organization, start: dt.date, end: dt.date, as_of: dt.date) -> tuple[int, int]:
    """(done on time, counted) for recommendations of inspections whose programme lies in ``org``'s
    subtree, due in [start, end]: counted once the deadline has passed by ``as_of`` or once done."""
    qs = (Recommendation.objects.filter(subtree_q(org, via="inspection__programme__organization__"))
          .filter(due_on__gte=start, due_on__lte=end)
          .filter(Q(due_on__lt=as_of) | Q(done_on__isnull=False, done_on__lte=as_of)))
    counted = qs.count()
    on_time = qs.filter(done_on__isnull=False, done_on__lte=F("due_on")).count()
    return on_time, counted


def overdue_recommendations(org: Organization, today: dt.date) -> QuerySet[Recommendation]:
    """Recommendations of programmes in the subtree past their deadline and not carried out."""
    return (Recommendation.objects.filter(subtree_q(org, via="inspection__programme__organization__"))
            .filter(due_on__lt=today).filter(Q(done_on__isnull=True) | Q(done_on__gt=today))
            .select_related("inspection__programme__organization", "inspection__subject_org",
                            "inspection__subject_member")
            .order_by("due_on", "pk"))


def overdue_alerts(org: Organization, today: dt.date, rs: RuleSet) -> list[Alert]:
    """One ``inspection_recommendation_overdue`` alert per overdue recommendation, on the
    organization whose programme made it (Quy định 22-QĐ/TW: recommendations followed up)."""
    out = []
    for rec in overdue_recommendations(org, today):
        item, owner = rec.inspection, rec.inspection.programme.organization
        out.append(Alert("inspection_recommendation_overdue", owner.code, owner.name,
                         f"Kiến nghị sau {item.get_activity_display().lower()} {item.subject_name}: "
                         f"«{rec.content[:80]}» quá hạn {rec.due_on:%d/%m/%Y}, chưa thực hiện xong.",
                         "passed", rec.due_on, org_path=owner.path))
    return out
