"""Honours reads: who is due a Party badge on an occasion in a subtree, the proposals and awards,
and the commendations of a member or an organization. Reads only.

The badge list applies :func:`dangvu.core.badges.badge_due` to each candidate: the members of the
subtree admitted early enough to reach the lowest badge (a SQL filter on ``admitted_on``), with
their history events that open or close a period in the Party and their badges already awarded.
A member marked seriously ill for an occasion (an early proposal) is read as ill for that occasion.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from dangvu.core.alerts import Alert
from dangvu.core.badges import (
    DEATH_EVENT,
    BadgeDue,
    badge_due,
    badge_years,
    early_months,
    in_party_spans,
    next_occasion,
    party_age_days,
)
from dangvu.core.rulesets import RuleSet, ruleset_for
from dangvu.registry.models import (
    ACTIVE_STATUSES,
    Member,
    MemberStatus,
    Organization,
    StatusChange,
    subtree_q,
)

from .models import BadgeAward, Commendation, ExemplaryMember, ExemplaryReview


def whole_years(days: int) -> int:
    """Party age in whole years for display (leap days averaged out); the rules count days."""
    return days * 4 // 1461


@dataclass(frozen=True)
class BadgeRow:
    """One member on an occasion's badge list, with the proposal already made, if any."""

    member: Member
    due: BadgeDue
    proposal: BadgeAward | None = None

    @property
    def party_age_years(self) -> int:
        return whole_years(self.due.party_age_days)

    def as_dict(self) -> dict[str, object]:
        """The ``dangvu badges --json`` record (the CLI contract: these five keys)."""
        return {"member": self.member.pk, "name": self.member.full_name, "badge": self.due.badge,
                "party_age_days": self.due.party_age_days, "early": self.due.early}


def _candidates(org: Organization, occasion: dt.date, rs: RuleSet, posthumous: bool) -> QuerySet[Member]:
    """Members of the subtree who could have reached the lowest badge by the occasion, allowing the
    longest early window: the SQL filter that keeps the Python rule off most of the rolls."""
    lowest = badge_years(rs)[0]
    window = max(early_months(y, rs) for y in badge_years(rs))
    latest = occasion + relativedelta(months=window) - relativedelta(years=lowest)
    statuses = [*ACTIVE_STATUSES, *([MemberStatus.DECEASED] if posthumous else [])]
    return (Member.objects.in_subtree(org).filter(status__in=statuses, admitted_on__lte=latest)
            .select_related("organization").order_by("name_folded", "id"))


def _events(member_ids: list[int], rs: RuleSet) -> dict[int, list[tuple[str, dt.date]]]:
    names = {*rs["badges.out_events"], *rs["badges.return_events"], DEATH_EVENT}
    out: dict[int, list[tuple[str, dt.date]]] = defaultdict(list)
    for mid, event, on in (StatusChange.objects.filter(member_id__in=member_ids, event__in=names)
                           .values_list("member_id", "event", "on")):
        out[mid].append((event, on))
    return out


def badge_rows(org: Organization, occasion: dt.date, *, posthumous: bool = False,
               rs: RuleSet | None = None, only: QuerySet[Member] | None = None) -> list[BadgeRow]:
    """Members of ``org``'s subtree due a badge on ``occasion`` (Hướng dẫn 01-HD/TW, mục 18), in
    name order: reached by that day, or early for a member with an early proposal for that day.
    Deceased members (posthumous award) only when ``posthumous`` is on; ``only`` narrows the
    candidates further."""
    rs = rs or ruleset_for(occasion)
    candidates = _candidates(org, occasion, rs, posthumous)
    members = list(candidates if only is None else candidates.filter(pk__in=only.values("pk")))
    ids = [m.pk for m in members]
    events = _events(ids, rs)
    awarded: dict[int, list[int]] = defaultdict(list)
    proposals: dict[int, BadgeAward] = {}
    for award in BadgeAward.objects.filter(member_id__in=ids):
        if award.decided_on and not award.returned_on:
            awarded[award.member_id].append(award.badge_years)
        elif not award.decided_on and award.occasion == occasion:
            proposals[award.member_id] = award
    rows = []
    for m in members:
        proposal = proposals.get(m.pk)
        died = next((on for e, on in events[m.pk] if e == DEATH_EVENT), None)
        if m.status == MemberStatus.DECEASED and died is None:
            continue  # no date of death recorded: party age cannot be counted
        due = badge_due(m.admitted_on, events[m.pk], occasion, awarded[m.pk], rs,
                        seriously_ill=bool(proposal and proposal.early), died_on=died)
        if due is not None:
            rows.append(BadgeRow(m, due, proposal))
    return rows


def early_rows(org: Organization, occasion: dt.date, rs: RuleSet | None = None,
               only: QuerySet[Member] | None = None) -> list[BadgeRow]:
    """Living members not due on ``occasion`` who would be if seriously ill (the page offers to
    mark them): their next badge falls inside its early window. ``only`` narrows the candidates
    (the page: a chunk of :func:`dangvu.honours.badge_page.early_candidates`)."""
    rs = rs or ruleset_for(occasion)
    due_ids = {r.member.pk for r in badge_rows(org, occasion, rs=rs, only=only)}
    candidates = _candidates(org, occasion, rs, False)
    if only is not None:
        candidates = candidates.filter(pk__in=only.values("pk"))
    members = [m for m in candidates if m.pk not in due_ids]
    events = _events([m.pk for m in members], rs)
    awarded: dict[int, list[int]] = defaultdict(list)
    for mid, years in (BadgeAward.objects.decided().filter(member_id__in=[m.pk for m in members],
                                                            returned_on__isnull=True)
                       .values_list("member_id", "badge_years")):
        awarded[mid].append(years)
    rows = []
    for m in members:
        due = badge_due(m.admitted_on, events[m.pk], occasion, awarded[m.pk], rs, seriously_ill=True)
        if due is not None and due.early:
            rows.append(BadgeRow(m, due))
    return rows


def badge_due_for(member: Member, occasion: dt.date, *, seriously_ill: bool = False,
                  rs: RuleSet | None = None) -> BadgeDue | None:
    """The badge one member may be proposed for on ``occasion`` (the services' check)."""
    rs = rs or ruleset_for(occasion)
    events = _events([member.pk], rs)[member.pk]
    died = next((on for e, on in events if e == DEATH_EVENT), None)
    awarded = list(BadgeAward.objects.decided().filter(member=member, returned_on__isnull=True)
                   .values_list("badge_years", flat=True))
    if member.status == MemberStatus.DECEASED and died is None:
        return None
    return badge_due(member.admitted_on, events, occasion, awarded, rs, seriously_ill=seriously_ill, died_on=died)


def proposals(org: Organization, occasion: dt.date) -> QuerySet[BadgeAward]:
    """Badge proposals and awards of an occasion in the subtree (decided or not)."""
    return (BadgeAward.objects.in_subtree(org).filter(occasion=occasion)
            .select_related("member", "member__organization").order_by("member__name_folded", "id"))


def pending_proposals(org: Organization, occasion: dt.date) -> QuerySet[BadgeAward]:
    return proposals(org, occasion).filter(decided_on__isnull=True)


def decided_awards(org: Organization, occasion: dt.date) -> QuerySet[BadgeAward]:
    return proposals(org, occasion).filter(decided_on__isnull=False)


def award_in_scope(acc, pk: int) -> BadgeAward | None:
    """A badge award of a member the user may read, or None."""
    return BadgeAward.objects.filter(pk=pk, member__in=acc.members()).select_related("member").first()


def member_badges(member: Member) -> QuerySet[BadgeAward]:
    return BadgeAward.objects.filter(member=member).order_by("badge_years")


def member_commendations(member: Member) -> QuerySet[Commendation]:
    return Commendation.objects.filter(member=member)


def org_commendations(org: Organization) -> QuerySet[Commendation]:
    return Commendation.objects.filter(organization=org)


def awarded_count(org: Organization, start: dt.date, end: dt.date) -> int:
    """Badges decided between ``start`` and ``end`` (inclusive) for members of the subtree."""
    return BadgeAward.objects.in_subtree(org).filter(decided_on__range=(start, end)).count()


def party_ages(members: list[Member], on: dt.date, rs: RuleSet | None = None) -> dict[int, int]:
    """Each member's party age in days on ``on`` (death ends it), for the documents' lists."""
    rs = rs or ruleset_for(on)
    events = _events([m.pk for m in members], rs)
    return {m.pk: party_age_days(in_party_spans(m.admitted_on, events[m.pk], rs), on) if m.admitted_on else 0
            for m in members}


# -- exemplary members (đảng viên tiêu biểu) ------------------------------------------------------

def exemplary_review(org: Organization, year: int) -> ExemplaryReview | None:
    """The committee's record of ``year`` for ``org`` itself, if it made one."""
    return ExemplaryReview.objects.filter(organization=org, year=year).first()


def exemplary_member_ids(org: Organization, year: int) -> set[int]:
    """Members named exemplary for ``year`` in ``org``'s own record."""
    return set(ExemplaryMember.objects.filter(review__organization=org, review__year=year)
               .values_list("member_id", flat=True))


def exemplary_named(org: Organization, year: int) -> list[Member]:
    """The members ``org``'s own record of ``year`` names, in name order."""
    return list(Member.objects.filter(exemplary_entries__review__organization=org, exemplary_entries__review__year=year)
                .select_related("organization").order_by("name_folded", "id"))


def exemplary_candidates(org: Organization) -> QuerySet[Member]:
    """Members on the rolls in ``org``'s subtree, in name order: whom the record may name."""
    return (Member.objects.in_subtree(org).filter(status__in=ACTIVE_STATUSES).select_related("organization")
            .order_by("name_folded", "id"))


def own_members(candidates: QuerySet[Member], org: Organization) -> QuerySet[Member]:
    """Of ``candidates``, those whose cell is ``org`` itself (what a member list offers unsearched)."""
    return candidates.filter(organization=org)


def _ancestor_paths(org: Organization) -> list[str]:
    step = org.steplen
    return [org.path[:i] for i in range(step, len(org.path), step)]


def exemplary_counts(org: Organization, year: int) -> tuple[int, int] | None:
    """(members named exemplary, members on the rolls) of ``org``'s subtree for ``year``, counting
    only the parts of the subtree a committee recorded that year (its own record, a record of an
    organization inside it, or of one above it); None when nothing was recorded."""
    reviews = list(ExemplaryReview.objects.filter(year=year).filter(
        Q(organization__path__startswith=org.path) | Q(organization__path__in=_ancestor_paths(org)))
        .values_list("pk", "organization__path"))
    if not reviews:
        return None
    paths = [path for _pk, path in reviews]
    if any(org.path.startswith(p) for p in paths):
        paths = [org.path]  # a record at or above the organization covers its whole subtree
    members = (Member.objects.in_subtree(org).filter(status__in=ACTIVE_STATUSES)
               .filter(subtree_q(*paths, via="organization__")))
    named = members.filter(pk__in=ExemplaryMember.objects.filter(review__in=[pk for pk, _path in reviews])
                           .values("member_id"))
    return named.count(), members.count()


def badge_alert_occasion(today: dt.date, rs: RuleSet) -> dt.date | None:
    """The occasion the badge alerts look at: the next one, once within ``alerts.badge_due_days``."""
    occasion = next_occasion(today, rs)
    return None if (occasion - today).days > rs["alerts.badge_due_days"] else occasion


def badge_alert(member_id: int, name: str, badge: int, occasion: dt.date, cell: tuple[str, str, str]) -> Alert:
    """The alert of a member due ``badge`` on ``occasion`` and not proposed; ``cell``: code, name, path."""
    code, cell_name, path = cell
    return Alert("badge_due", code, cell_name,
                 f"Đủ tuổi đảng nhận Huy hiệu {badge} năm vào dịp {occasion:%d/%m/%Y}, "
                 "chưa có trong danh sách đề nghị.", "near", occasion, member_id=member_id,
                 member_name=name, org_path=path)


def badge_alerts(org: Organization, today: dt.date, rs: RuleSet,
                 only: QuerySet[Member] | None = None) -> list[Alert]:
    """Living members of the subtree due a badge at the next occasion and not yet proposed, once
    that occasion is within ``alerts.badge_due_days``: one alert each (Hướng dẫn 01-HD/TW, mục 18).
    ``only`` narrows the members looked at (the alerts page: those with a break in their party age)."""
    occasion = badge_alert_occasion(today, rs)
    if occasion is None:
        return []
    out = []
    for row in badge_rows(org, occasion, rs=ruleset_for(occasion), only=only):
        if row.proposal is not None or row.due.posthumous:
            continue
        cell = row.member.organization
        out.append(badge_alert(row.member.pk, row.member.full_name, row.due.badge, occasion,
                               (cell.code, cell.name, cell.path)))
    return out


def reached_before(occasion: dt.date, years: int) -> dt.date:
    """The last admission day whose ``years``-th anniversary (as :func:`dangvu.core.badges.reached_on`
    counts it, 29 February included) falls on or before ``occasion``."""
    day = occasion - relativedelta(years=years)
    while (nxt := day + dt.timedelta(days=1)) + relativedelta(years=years) <= occasion:
        day = nxt
    return day


def badge_break_members(org: Organization, rs: RuleSet) -> QuerySet[Member]:
    """Members of the subtree with an event that ends a period in the Party (``badges.out_events``):
    their party age may not be the days since admission, so only the Python rule counts it. A
    return event alone (the admission itself) opens nothing that was not already open."""
    return Member.objects.in_subtree(org).filter(
        pk__in=StatusChange.objects.filter(event__in=rs["badges.out_events"]).values("member_id"))


def unproposed_badge_members(org: Organization, occasion: dt.date, rs: RuleSet) -> QuerySet[Member]:
    """Living members of the subtree with no break in their party age (:func:`badge_break_members`
    are left out) who reach a badge above their highest one by ``occasion`` and have no proposal
    for it: the badge alerts of those members in SQL, with ``badge`` annotated.

    For such a member :func:`dangvu.core.badges.badge_due` is exactly this: the highest badge whose
    anniversary of the admission falls by the occasion, if above every badge awarded and not
    returned (Hướng dẫn 01-HD/TW, mục 18)."""
    proposed = BadgeAward.objects.filter(member=OuterRef("pk"), decided_on__isnull=True, occasion=occasion)
    return reached_members(org, occasion, rs).filter(~Exists(proposed))


def reached_members(org: Organization, occasion: dt.date, rs: RuleSet) -> QuerySet[Member]:
    """Living members of the subtree with no break in their party age who reach a badge above
    their highest one by ``occasion`` (``badge`` annotated), proposed or not."""
    years = sorted(badge_years(rs), reverse=True)
    badge = Case(*[When(admitted_on__lte=reached_before(occasion, y), then=Value(y)) for y in years],
                 default=Value(0), output_field=IntegerField())
    held = BadgeAward.objects.filter(member=OuterRef("pk"), decided_on__isnull=False, returned_on__isnull=True,
                                     badge_years__gte=OuterRef("badge"))
    return (Member.objects.in_subtree(org)
            .filter(status__in=ACTIVE_STATUSES, admitted_on__lte=reached_before(occasion, years[-1]))
            .exclude(pk__in=badge_break_members(org, rs).values("pk"))
            .annotate(badge=badge).filter(~Exists(held)))


def decided_by_rule(org: Organization, occasion: dt.date, rs: RuleSet) -> QuerySet[Member]:
    """Members of the subtree whose badge only the Python rule can decide: a break in their party
    age, or an early proposal (seriously ill) for ``occasion``."""
    early = BadgeAward.objects.filter(decided_on__isnull=True, occasion=occasion, early=True).values("member_id")
    return Member.objects.in_subtree(org).filter(Q(pk__in=badge_break_members(org, rs).values("pk")) | Q(pk__in=early))


def badge_due_counts(org: Organization, occasion: dt.date, rs: RuleSet | None = None) -> dict[int, int]:
    """Living members of the subtree due a badge on ``occasion``, proposed or not, per badge (years
    → members): as :func:`badge_rows` counts them, in SQL for the members whose party age is the
    days since admission and who have no early proposal (nearly all), by the Python rule for the
    few others (a break in their party age, or proposed early for that day as seriously ill)."""
    rs = rs or ruleset_for(occasion)
    by_rule = decided_by_rule(org, occasion, rs)
    counts: dict[int, int] = defaultdict(int)
    for row in badge_rows(org, occasion, rs=rs, only=by_rule):
        counts[row.due.badge] += 1
    for badge, n in (reached_members(org, occasion, rs).exclude(pk__in=by_rule.values("pk")).order_by()
                     .values_list("badge").annotate(n=Count("pk"))):
        counts[badge] += n
    return dict(counts)
