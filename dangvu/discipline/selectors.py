"""Discipline reads shared by the services, views and indicators: cases in a user's view, the levels
above a member (who is competent), and the facts the rules need (later violations, posts)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from dangvu.accounts.access import Access
from dangvu.registry.models import GRASSROOTS_KINDS, Member, Organization, OrgKind, Post

from .access import cases_q
from .models import DisciplineCase

COMMITTEE_ROLES = ("secretary", "deputy", "committee_member")
"""Posts that make a member a committee member (cấp ủy viên) of the organization they are held in."""


def cases_visible(acc: Access) -> QuerySet[DisciplineCase]:
    """Cases ``acc`` may see (the single access predicate of :mod:`dangvu.discipline.access`)."""
    return (DisciplineCase.objects.filter(cases_q(acc))
            .select_related("member", "member__organization", "deciding_org"))


def case_in_view(acc: Access, pk: int) -> DisciplineCase | None:
    return cases_visible(acc).select_related("appeal").filter(pk=pk).first()


def cases_of_org(acc: Access, org: Organization) -> QuerySet[DisciplineCase]:
    """Cases of members of ``org``'s subtree that ``acc`` sees, newest first."""
    return cases_visible(acc).filter(pk__in=DisciplineCase.objects.in_subtree(org).values("pk"))


def decided_count(org: Organization, start: dt.date, end: dt.date) -> int:
    """Cases of the subtree decided by the competent level between ``start`` and ``end`` (whatever
    the decision, no discipline included)."""
    return DisciplineCase.objects.in_subtree(org).filter(decided_on__range=(start, end)).count()


def later_violations(case: DisciplineCase) -> list[dt.date]:
    """Violation dates of the member's other cases after this one's: a new violation restarts the
    limitation (Quy định 69-QĐ/TW, 2022, Điều 5)."""
    return list(DisciplineCase.objects.filter(member_id=case.member_id, violation_on__gt=case.violation_on)
                .exclude(pk=case.pk).values_list("violation_on", flat=True))


def level_chain(member: Member) -> list[Organization]:
    """The organizations able to decide on ``member``, nearest first: level 0 is the member's cell
    (a group's cell for a member of a group), level 1 the grassroots organization, then each level
    above. Sub-committees (đảng bộ bộ phận) decide no discipline and are skipped."""
    org = member.organization
    ancestors = list(Organization.objects.filter(path__in=[org.path[:i] for i in range(
        Organization.steplen, len(org.path) + 1, Organization.steplen)]).order_by("-depth"))
    chain = [o for o in ancestors if o.kind not in (OrgKind.GROUP, OrgKind.SUB_COMMITTEE)]
    if chain and chain[0].kind in GRASSROOTS_KINDS and chain[0].kind != OrgKind.GRASSROOTS_CELL:
        chain.insert(0, chain[0])  # a member placed directly in a committee: it acts as their cell too
    return chain


def post_levels(member: Member, chain: list[Organization], on: dt.date) -> list[int]:
    """The level of each committee post ``member`` holds on ``on`` in an organization above them:
    the chain index of that organization, or (a sub-committee) of the highest chain level below it."""
    levels = []
    for post in Post.objects.filter(member=member, role__in=COMMITTEE_ROLES).held_on(on).select_related(
            "organization"):
        path = post.organization.path
        below = [i for i, o in enumerate(chain) if o.path.startswith(path)]
        if below:
            levels.append(max(below))
    return levels


def full_members_of(org: Organization) -> int:
    """Full members on the rolls of ``org``'s subtree (the vote's base)."""
    return Member.objects.in_subtree(org).filter(status="full").count()
