"""Congress reads: what the pages, the document writers and the services look up.

Scoped lookups take the reader's :class:`~dangvu.accounts.access.Access` and answer ``None`` for
an object outside the read subtree (the page answers 404). Nothing here writes; the counting
reads (team figures, comparison) may refuse with a :class:`ServiceError` when the stored ballots
cannot be counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Model, QuerySet

from dangvu.common import Code, ServiceError
from dangvu.core import clock
from dangvu.core import congress as rules
from dangvu.core.rulesets import ruleset_for
from dangvu.core.tally import Discrepancy, TallyError, TallyResult, compare_counts, tally
from dangvu.registry.indicators import count_members_by_org
from dangvu.registry.models import Member, Organization, Post, Transfer, TransferKind, TransferState

from .models import (
    AdjustmentKind,
    AppliesTo,
    ApportionmentLine,
    Ballot,
    BaseAdjustment,
    Congress,
    CongressKind,
    CountingTeam,
    DelegateApportionment,
    Draft,
    DraftComment,
    Election,
    Milestone,
    MilestoneStatus,
    MilestoneTemplate,
    Tally,
    TimelineTemplate,
)

if TYPE_CHECKING:
    from dangvu.accounts.access import Access

COMMITTEE_ROLES = ("secretary", "deputy", "committee_member")


# -- scoped lookups (None when outside the reader's scope) -------------------------------------

def _one(acc: Access, qs: QuerySet, org_field: str, pk: int) -> Model | None:
    """``qs`` object ``pk`` whose organization (``org_field``) is in the reader's scope."""
    return qs.filter(**{f"{org_field}__in": acc.orgs()}, pk=pk).first()


def congress(acc: Access, pk: int) -> Congress | None:
    return _one(acc, Congress.objects.select_related("organization", "campaign"), "organization", pk)


def timeline(acc: Access, pk: int) -> TimelineTemplate | None:
    return _one(acc, TimelineTemplate.objects.select_related("organization"), "organization", pk)


def milestone(acc: Access, pk: int) -> Milestone | None:
    return _one(acc, Milestone.objects.select_related("organization"), "organization", pk)


def apportionment(acc: Access, pk: int) -> DelegateApportionment | None:
    return _one(acc, DelegateApportionment.objects.select_related("congress__organization"), "congress__organization",
                pk)


def draft(acc: Access, pk: int) -> Draft | None:
    return _one(acc, Draft.objects.select_related("congress__organization"), "congress__organization", pk)


def comment(acc: Access, pk: int) -> DraftComment | None:
    return _one(acc, DraftComment.objects.select_related("draft__congress__organization"),
                "draft__congress__organization", pk)


def election(acc: Access, pk: int) -> Election | None:
    return _one(acc, Election.objects.select_related("congress__organization"), "congress__organization", pk)


def team(acc: Access, pk: int) -> CountingTeam | None:
    return _one(acc, CountingTeam.objects.select_related("election__congress__organization"),
                "election__congress__organization", pk)


def tally_record(acc: Access, pk: int) -> Tally | None:
    return _one(acc, Tally.objects.select_related("election__congress__organization", "source_team"),
                "election__congress__organization", pk)


def team_ballot(team: CountingTeam, pk: int | str | None) -> Ballot | None:
    """Ballot ``pk`` of ``team`` (the lookup of the delete button), or None."""
    return Ballot.objects.filter(team=team, pk=pk or 0).first()


# -- lists of the pages -------------------------------------------------------------------------

def congresses(acc: Access) -> QuerySet[Congress]:
    return Congress.objects.filter(organization__in=acc.orgs()).select_related("organization").order_by(
        "-term", "starts_on")


def timelines(acc: Access) -> QuerySet[TimelineTemplate]:
    return TimelineTemplate.objects.filter(organization__in=acc.orgs()).select_related("organization")


def overdue_milestones(acc: Access, today: dt.date) -> QuerySet[Milestone]:
    return (Milestone.objects.filter(organization__in=acc.orgs(), deadline__lt=today)
            .exclude(status=MilestoneStatus.DONE).select_related("organization").order_by("deadline"))


def campaigns(org: Organization) -> QuerySet[TimelineTemplate]:
    """Campaigns a congress of ``org`` may follow: those issued by ``org`` or an organization above it."""
    ancestors = [org.path[:i] for i in range(Organization.steplen, len(org.path) + 1, Organization.steplen)]
    return TimelineTemplate.objects.filter(organization__path__in=ancestors).order_by("-term", "-id")


def org_milestones(org: Organization) -> QuerySet[Milestone]:
    return Milestone.objects.filter(organization=org).order_by("deadline")


def applied_count(template: TimelineTemplate) -> int:
    """How many milestones the campaign has given out."""
    return Milestone.objects.filter(item__template=template).count()


def progress_orgs(acc: Access, template: TimelineTemplate) -> QuerySet[Organization]:
    """The reader's organizations under the campaign's issuer."""
    return acc.orgs().subtree(template.organization).order_by("path")


def live_orgs(org: Organization) -> QuerySet[Organization]:
    """``org`` and every organization under it not dissolved."""
    return Organization.objects.subtree(org).filter(dissolved_on__isnull=True).order_by("path")


def apportion_candidates(org: Organization) -> QuerySet[Organization]:
    """Live organizations under ``org`` (not ``org`` itself) that delegates may be apportioned to."""
    return live_orgs(org).filter(depth__gt=org.depth)


def adjustable_members(org: Organization) -> QuerySet[Member]:
    """Members of the subtree a members' congress base may be adjusted for (full or exempt)."""
    return Member.objects.in_subtree(org).filter(status__in=("full", "exempt")).order_by("name_folded")



def parent_of(org: Organization) -> Organization | None:
    return Organization.objects.get_parent(org)


def term_congress(org: Organization, on: dt.date) -> Congress | None:
    """The congress that opened ``org``'s term in force on ``on``: the latest one of ``org`` opened
    by then (a congress planned for later has not begun its term). Whether its term still runs on
    ``on`` is the caller's check (the term's last year)."""
    return Congress.objects.filter(organization=org, starts_on__lte=on).order_by("-starts_on", "-id").first()


def drafts_in_order(congress: Congress) -> list[Draft]:
    return list(congress.drafts.order_by("kind", "version"))


def draft_comments(draft: Draft) -> list[DraftComment]:
    return list(draft.comments.select_related("source_org"))


def comment_count(congress: Congress) -> int:
    return DraftComment.objects.filter(draft__congress=congress).count()


def apportionment_lines(record: DelegateApportionment) -> list[ApportionmentLine]:
    return list(record.lines.select_related("organization"))


def is_counted(election: Election) -> bool:
    """An official count exists: the election's data is frozen."""
    return election.tallies.exists()


def official_tally(election: Election) -> Tally | None:
    return election.tallies.order_by("number").first()


# -- congress schedule --------------------------------------------------------------------------

def congress_problems(org: Organization, *, term: str, pilot: bool, starts_on: dt.date, ends_on: dt.date,
                      campaign: TimelineTemplate | None, exclude_pk: int | None = None) -> list[str]:
    """Every scheduling rule a congress breaks (Chỉ thị 35-CT/TW; Kế hoạch 133-KH/ĐUK)."""
    rs = ruleset_for(starts_on)
    problems = rules.check_length(starts_on, ends_on, org.kind, rs)
    if problems:
        return problems
    if campaign is not None:
        if not org.path.startswith(campaign.organization.path):
            problems.append("Kế hoạch đại hội được chọn không phải của cấp trên của tổ chức này.")
        elif org.pk != campaign.organization_id:
            problems += rules.check_window(starts_on, ends_on, pilot, campaign.window_start, campaign.window_end,
                                           campaign.pilot_end)
    parent = parent_of(org)
    if parent is not None:
        siblings = (Congress.objects.in_subtree(parent).filter(term=term, organization__depth=org.depth)
                    .exclude(organization=org).select_related("organization"))
        if exclude_pk:
            siblings = siblings.exclude(pk=exclude_pk)
        problems += rules.check_pilot_order(starts_on, ends_on, pilot, [
            rules.Sibling(s.organization.name, s.starts_on, s.ends_on, s.pilot) for s in siblings])
    return problems


# -- campaign progress --------------------------------------------------------------------------

def targets_of(item: MilestoneTemplate, orgs: Iterable[Organization]) -> list[Organization]:
    """The organizations (of ``orgs``, the issuer's live subtree) a milestone applies to."""
    issuer = item.template.organization
    kinds = item.kind_list
    chosen = []
    for org in orgs:
        is_issuer = org.pk == issuer.pk
        if item.applies_to == AppliesTo.ISSUER and not is_issuer:
            continue
        if item.applies_to == AppliesTo.BELOW and is_issuer:
            continue
        if kinds and not is_issuer and org.kind not in kinds:
            continue
        chosen.append(org)
    return chosen


@dataclass
class ProgressCell:
    milestone: Milestone | None
    state: str  # done | late_done | in_progress | not_started | overdue | na


@dataclass
class Progress:
    items: list[MilestoneTemplate]
    rows: list[tuple[Organization, list[ProgressCell], int]]  # org, cells, overdue count

    @property
    def overdue(self) -> int:
        return sum(n for _, _, n in self.rows)


def _cell(m: Milestone | None, today: dt.date) -> ProgressCell:
    if m is None:
        return ProgressCell(None, "na")
    if m.status == MilestoneStatus.DONE:
        return ProgressCell(m, "late_done" if m.done_on and m.done_on > m.deadline else "done")
    if m.deadline < today:
        return ProgressCell(m, "overdue")
    return ProgressCell(m, m.status)


def progress(template: TimelineTemplate, orgs: Iterable[Organization], today: dt.date | None = None) -> Progress:
    """Matrix organization × milestone of the campaign, over ``orgs`` (already scoped by the caller).
    Overdue: the deadline has passed and the milestone is not done."""
    today = today or clock.today()
    items = list(template.items.all())
    orgs = list(orgs)
    by_key = {(m.item_id, m.organization_id): m for m in
              Milestone.objects.filter(item__template=template, organization__in=orgs)}
    rows = []
    for org in orgs:
        cells = [_cell(by_key.get((item.pk, org.pk)), today) for item in items]
        if any(c.milestone for c in cells):
            rows.append((org, cells, sum(c.state == "overdue" for c in cells)))
    return Progress(items, rows)


# -- delegates --------------------------------------------------------------------------------

def ex_officio(org: Organization, on: dt.date | None = None) -> list[Post]:
    """Delegates by right: the convening committee's members (secretary, deputies, members) holding
    their post on ``on`` (on a handover day, the successor only)."""
    on = on or clock.today()
    return list(Post.objects.held_on(on).filter(organization=org, role__in=COMMITTEE_ROLES)
                .select_related("member").order_by("role", "member__name_folded"))


def member_counts(orgs: Sequence[Organization]) -> dict[int, int]:
    """Active members (probationary, full, exempt) under each organization, from the registry."""
    return count_members_by_org(orgs)


# -- elections: base ----------------------------------------------------------------------------

@dataclass(frozen=True)
class MembersBase:
    """Members' congress base (cơ sở tính), Quyết định 190-QĐ/TW, 10/10/2024."""

    full: int  # full members of the subtree
    exempt_present: int  # exempt members marked present (counted)
    temporary_away: int  # full members on confirmed temporary transfer outside the subtree
    excluded: int  # full members listed as suspended, prosecuted or absent with reason

    @property
    def value(self) -> int:
        return self.full + self.exempt_present - self.temporary_away - self.excluded


def members_base(org: Organization, adjustments: Iterable[BaseAdjustment] = ()) -> MembersBase:
    """Full members of ``org``'s subtree, minus those on confirmed temporary transfer elsewhere and
    those excluded by hand; exempt members count only when marked present (exempt-and-absent
    otherwise)."""
    full = Member.objects.in_subtree(org).filter(status="full")
    away = set(Transfer.objects.filter(kind=TransferKind.TEMPORARY, state=TransferState.CONFIRMED,
                                       member__in=full).exclude(to_org__in=Organization.objects.subtree(org))
               .values_list("member_id", flat=True))
    full_ids = set(full.values_list("pk", flat=True))
    excluded = exempt_present = 0
    for adj in adjustments:
        if adj.kind == AdjustmentKind.EXEMPT_PRESENT:
            exempt_present += adj.member.status == "exempt" and adj.member.organization.path.startswith(org.path)
        elif adj.member_id in full_ids and adj.member_id not in away:
            excluded += 1
    return MembersBase(full=len(full_ids), exempt_present=int(exempt_present), temporary_away=len(away),
                       excluded=excluded)


def members_ceiling(org: Organization) -> int:
    """Everyone a members' congress base could count: full and exempt members of the subtree."""
    return Member.objects.in_subtree(org).filter(status__in=("full", "exempt")).count()


def adjustments(election: Election) -> QuerySet[BaseAdjustment]:
    return election.adjustments.select_related("member__organization")


def computed_base(election: Election) -> int:
    if election.base_kind == CongressKind.DELEGATES:
        return max(0, (election.delegates_convened or 0) - (election.delegates_absent or 0))
    return members_base(election.congress.organization, adjustments(election) if election.pk else []).value


def base_breakdown(election: Election) -> MembersBase | None:
    """The members' base worked out, for a members' congress; None for a delegates' one."""
    if election.base_kind != CongressKind.MEMBERS:
        return None
    return members_base(election.congress.organization, adjustments(election))


# -- elections: counting ------------------------------------------------------------------------

def candidate_names(election: Election) -> list[str]:
    return list(election.candidates.order_by("position").values_list("name", flat=True))


def count(election: Election, kept: Iterable[Sequence[bool]]) -> TallyResult:
    """Count ``kept`` ballots of ``election`` (core.tally); a refusal of the rules → ServiceError."""
    try:
        return tally(candidate_names(election), kept, election.seats, election.base, on=election.held_on,
                     issued=election.issued)
    except TallyError as exc:
        raise ServiceError(str(exc), Code.INVALID) from exc


def team_result(team: CountingTeam) -> TallyResult | None:
    kept = [b.kept for b in team.ballots.order_by("number")]
    return count(team.election, kept) if kept else None


def team_figures(team: CountingTeam) -> dict[str, int] | None:
    result = team_result(team)
    if result is not None:
        return result.figures()
    return dict(team.totals) if team.totals is not None else None


def compare_teams(election: Election) -> tuple[dict[str, dict[str, int]], list[Discrepancy]]:
    """Each reporting team's figures and every item they disagree on (core.tally.compare_counts)."""
    figures = {t.name: f for t in election.teams.all() if (f := team_figures(t)) is not None}
    if len(figures) < 2:
        return figures, []
    return figures, compare_counts(figures)


def first_team_with_ballots(election: Election) -> CountingTeam | None:
    """The team whose stored ballots the official count is made from."""
    return next((t for t in election.teams.all() if t.ballots.exists()), None)
