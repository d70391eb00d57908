"""Registry indicators: membership counts and the plan targets the registry can measure
(village cells, localities' heads, committees, working rules, yearly records, officers' training,
new organizations, admissions), each by SQL aggregation over the subtree (``Organization.objects.subtree``)
in a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr

from dangvu.core.rulesets import ruleset_for
from dangvu.indicators import Period, Value, indicator

from .models import (
    ACTIVE_STATUSES,
    CELL_KINDS,
    GRASSROOTS_KINDS,
    Assignment,
    Commitment,
    Locality,
    Member,
    MemberStatus,
    Organization,
    OrgKind,
    Post,
    PostRole,
    Sector,
    StatusChange,
    Training,
    TrainingKind,
    WorkingRules,
    subtree_q,
)


def members_in(org: Organization):
    # ``organization__in`` (a subquery of the subtree's ids, see subtree_q), not a join on the
    # path: the database then reads a commune's members from the index on organization, not the
    # province's.
    return Member.objects.filter(subtree_q(org, via="organization__"))


@indicator("members.count", "Số đảng viên đang sinh hoạt", "count")
def members_count(org: Organization, period: Period) -> Value:
    """Active members (probationary, full, exempt) now on the rolls of the subtree."""
    return Value.count(members_in(org).filter(status__in=ACTIVE_STATUSES).count())


@indicator("members.by_status", "Đảng viên theo trạng thái", "count")
def members_by_status(org: Organization, period: Period) -> Value:
    """Members of the subtree by status (every status listed, zero included)."""
    rows = dict(members_in(org).values_list("status").annotate(n=Count("id")).order_by())
    breakdown = {s: rows.get(s, 0) for s in MemberStatus.values}
    active = sum(breakdown[s] for s in ACTIVE_STATUSES)
    return Value(value=active, numerator=active, breakdown=breakdown)


@indicator("cells.count", "Số chi bộ", "count")
def cells_count(org: Organization, period: Period) -> Value:
    """Cells (chi bộ trực thuộc and chi bộ cơ sở) in the subtree, not dissolved."""
    n = Organization.objects.subtree(org).filter(kind__in=CELL_KINDS, dissolved_on__isnull=True).count()
    return Value.count(n)


@indicator("members.events_in_period", "Biến động đảng viên trong kỳ", "count")
def events_in_period(org: Organization, period: Period) -> Value:
    """Lifecycle events recorded in the period for members now in the subtree, by event."""
    rows = dict(
        StatusChange.objects.filter(member__in=members_in(org), on__gte=period.start, on__lte=period.end)
        .values_list("event").annotate(n=Count("id")).order_by()
    )
    return Value(value=sum(rows.values()), numerator=sum(rows.values()), breakdown=rows)


def count_members_by_org(orgs) -> dict[int, int]:
    """Active members under each given organization, for tree pages: one query grouped by
    organization over the given subtrees alone (its cost follows what the user can see, not the
    database), then each count is rolled up its materialized path in Python. One column per
    organization would exceed the database's column limit on a province's tree."""
    wanted = {o.path: o.pk for o in orgs}
    if not wanted:
        return {}
    roots: list[str] = []
    for path in sorted(wanted):  # a path sorts right after its ancestors
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    rows = (Member.objects.filter(status__in=ACTIVE_STATUSES,
                                  organization__in=Organization.objects.filter(subtree_q(*roots)))
            .values_list("organization__path").annotate(n=Count("id")).order_by())
    counts = dict.fromkeys(wanted.values(), 0)
    step = Organization.steplen
    for path, n in rows:
        for end in range(step, len(path) + 1, step):
            pk = wanted.get(path[:end])
            if pk is not None:
                counts[pk] += n
    return counts


# -- shared helpers for the plan-target indicators -----------------------------------------
#
# Reading conventions (all indicators below):
# - A *state* indicator reads the registry as of ``period.as_of`` for what carries dates (posts:
#   started_on/ended_on; organizations: established_on/dissolved_on; working rules; trainings).
#   Member status, residence and the commune-official flag are read from the rolls as they stand:
#   the registry keeps a member's past statuses only as events.
# - A *flow* indicator counts events dated within the period.
# - A post is held on day D when ``started_on <= D`` and it has no end or ends after D (the end
#   date is the first day without the post: a transfer ends posts on the day it is confirmed).

REMOVAL_EVENTS = ("strike_off", "expel", "death")
OFFICER_ROLES = ("secretary", "deputy", "committee_member")
AGENCY_SECTORS = ("agency", "school", "health")


def _alive(org: Organization, day: dt.date, kinds=CELL_KINDS):
    """Organizations of these kinds in the subtree that exist on ``day`` (established by then,
    when known, and not dissolved by then)."""
    return Organization.objects.subtree(org).filter(kind__in=kinds).filter(
        Q(established_on__isnull=True) | Q(established_on__lte=day),
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day),
    )


def _secretary_exists(day: dt.date, also: Exists) -> Exists:
    """The outer organization has a secretary on ``day`` for whom ``also`` holds (``also`` may
    refer to the post's ``organization`` and ``member`` with OuterRef)."""
    return Exists(Post.objects.held_on(day).filter(organization=OuterRef("pk"), role=PostRole.SECRETARY)
                  .filter(also))


def _share_of(qs, ok: Q | Exists) -> Value:
    """Rows of ``qs`` meeting ``ok`` ÷ rows of ``qs``, in one query."""
    agg = qs.aggregate(total=Count("id"), ok=Count("id", filter=Q(ok)))
    return Value.share(agg["ok"], agg["total"])


def reading_year(period: Period) -> int:
    """The calendar year a yearly record (assignment, commitment) is looked up for."""
    return max(period.start, period.as_of).year




def _rule(period: Period, key: str) -> Any:
    return ruleset_for(period.as_of)[key]


# -- residential (village) cells -----------------------------------------------------------

@indicator("cells.village_resident_full_members_share",
           "Tỷ lệ chi bộ thôn, bản, tổ dân phố có đủ số đảng viên chính thức tại chỗ", "%", min_members=None)
def village_resident_full_members_share(org: Organization, period: Period, min_members: int | None = None) -> Value:
    """Residential cells (``sector=residential``) existing at ``as_of`` with at least
    ``min_members`` resident full members ÷ residential cells.

    A member counts when on the rolls as ``full`` with ``full_on`` by ``as_of`` (probationary and
    exempt members do not),
    ``resident=True`` (đảng viên tại chỗ) and not a commune official attending the cell
    (``commune_official=False``); members of the cell's party groups count for the cell.
    ``min_members`` defaults to ``indicators.village_cell_min_resident_full_members`` (3, unconfirmed).
    Seed targets: "chi bộ thôn … có từ N đảng viên chính thức tại chỗ trở lên".
    """
    n = min_members if min_members is not None else _rule(period, "indicators.village_cell_min_resident_full_members")
    cells = _alive(org, period.as_of).filter(sector=Sector.RESIDENTIAL)
    if n <= 0:
        return _share_of(cells, Q(pk__isnull=False))
    # The prefix lists hold at most one row per cell: small enough inside the aggregate.
    return _share_of(cells, _cells_with_members(cells, members_in(org).filter(
        Q(full_on__isnull=True) | Q(full_on__lte=period.as_of),
        status=MemberStatus.FULL, resident=True, commune_official=False), n))


def _cells_with_members(cells, members, n: int) -> Q:
    """Cells (of ``cells``) with at least ``n`` of ``members`` in them or in their groups.

    Without a correlated subquery per cell (a scan of the members for each of thousands of
    cells): for each depth the cells sit at, the members are grouped by the path prefix of that
    length and the prefixes counted at least ``n`` times are matched against the cells' paths.
    Cells never contain cells, so each member counts for at most one cell."""
    steplen = Organization.steplen
    found = Q(pk__in=[])
    for depth in cells.order_by().values_list("depth", flat=True).distinct():
        prefixes = (members.filter(organization__depth__gte=depth).order_by()
                    .values(cell_path=Substr("organization__path", 1, depth * steplen))
                    .annotate(n=Count("id")).filter(n__gte=n).values("cell_path"))
        found |= Q(depth=depth, path__in=prefixes)
    return found


@indicator("cells.village_resident_members_share",
           "Tỷ lệ chi bộ thôn, bản, tổ dân phố có đủ số đảng viên tại chỗ (kể cả dự bị)", "%", min_members=None)
def village_resident_members_share(org: Organization, period: Period, min_members: int | None = None) -> Value:
    """Residential cells (``sector=residential``) existing at ``as_of`` with at least
    ``min_members`` resident members, full **or** probationary, ÷ residential cells.

    As ``cells.village_resident_full_members_share`` but a probationary member counts too: a
    member on the rolls as ``full`` or ``probationary``, admitted by ``as_of`` (when the date is
    known), ``resident=True`` and not a commune official attending the cell; exempt members do
    not count. ``min_members`` defaults to ``indicators.village_cell_min_resident_members`` (3,
    unconfirmed; the least a cell needs, Điều lệ Đảng, Điều 21).
    Plan target: "95% chi bộ bản có ít nhất từ 4 - 5 đảng viên tại chỗ" (``min_members`` = 4)."""
    n = min_members if min_members is not None else _rule(period, "indicators.village_cell_min_resident_members")
    cells = _alive(org, period.as_of).filter(sector=Sector.RESIDENTIAL)
    if n <= 0:
        return _share_of(cells, Q(pk__isnull=False))
    return _share_of(cells, _cells_with_members(cells, members_in(org).filter(
        Q(admitted_on__isnull=True) | Q(admitted_on__lte=period.as_of),
        status__in=(MemberStatus.FULL, MemberStatus.PROBATIONARY), resident=True, commune_official=False), n))


@indicator("cells.village_secretary_is_head_share", "Tỷ lệ chi bộ thôn có bí thư kiêm trưởng thôn, tổ trưởng tổ dân phố",
           "%")
def village_secretary_is_head_share(org: Organization, period: Period) -> Value:
    """Residential cells whose secretary at ``as_of`` is the recorded head (``Locality.head_member``)
    of one of the cell's localities ÷ residential cells existing at ``as_of`` (a cell without a
    secretary or without a locality counts as not meeting it).
    Seed 003: "Bí thư chi bộ kiêm trưởng thôn đạt trên 80%"."""
    heads = Exists(Locality.objects.filter(organization=OuterRef("organization"), head_member=OuterRef("member")))
    cells = _alive(org, period.as_of).filter(sector=Sector.RESIDENTIAL)
    return _share_of(cells, _secretary_exists(period.as_of, heads))


@indicator("cells.village_secretary_is_front_head_share",
           "Tỷ lệ chi bộ thôn có bí thư kiêm trưởng ban công tác mặt trận", "%")
def village_secretary_is_front_head_share(org: Organization, period: Period) -> Value:
    """Residential cells whose secretary at ``as_of`` is the front-committee head
    (``Locality.front_head_member``) of one of the cell's localities ÷ residential cells existing
    at ``as_of``. Seed 003: "Bí thư chi bộ đồng thời là trưởng thôn hoặc trưởng ban công tác mặt trận"."""
    fronts = Exists(Locality.objects.filter(organization=OuterRef("organization"),
                                            front_head_member=OuterRef("member")))
    cells = _alive(org, period.as_of).filter(sector=Sector.RESIDENTIAL)
    return _share_of(cells, _secretary_exists(period.as_of, fronts))


@indicator("cells.village_secretary_is_head_or_front_head_share",
           "Tỷ lệ chi bộ thôn có bí thư kiêm trưởng thôn hoặc trưởng ban công tác mặt trận", "%")
def village_secretary_is_head_or_front_head_share(org: Organization, period: Period) -> Value:
    """Residential cells whose secretary at ``as_of`` is the head (``Locality.head_member``) **or**
    the front-committee head (``Locality.front_head_member``) of one of the cell's localities ÷
    residential cells existing at ``as_of``; a secretary holding both counts once, a cell without a
    secretary or a locality counts as not meeting it. The union of
    ``cells.village_secretary_is_head_share`` and ``cells.village_secretary_is_front_head_share``.
    Seed 003: "Thực hiện chủ trương Bí thư chi bộ đồng thời là trưởng thôn hoặc trưởng ban công tác
    mặt trận"; plan target: "70% bí thư chi bộ đồng thời là trưởng bản hoặc trưởng ban công tác mặt
    trận"."""
    either = Exists(Locality.objects.filter(organization=OuterRef("organization")).filter(
        Q(head_member=OuterRef("member")) | Q(front_head_member=OuterRef("member"))))
    cells = _alive(org, period.as_of).filter(sector=Sector.RESIDENTIAL)
    return _share_of(cells, _secretary_exists(period.as_of, either))


def _locality_heads(org: Organization, period: Period, who: str) -> Value:
    locs = Locality.objects.filter(subtree_q(org, via="organization__")).filter(
        Q(organization__established_on__isnull=True) | Q(organization__established_on__lte=period.as_of),
        Q(organization__dissolved_on__isnull=True) | Q(organization__dissolved_on__gt=period.as_of),
    )
    is_member = Q(**{f"{who}_member__status__in": ACTIVE_STATUSES})
    unrecorded = Q(**{f"{who}_member__isnull": True, f"{who}_name": ""})
    agg = locs.aggregate(total=Count("id"), member=Count("id", filter=is_member),
                         unrecorded=Count("id", filter=unrecorded))
    v = Value.share(agg["member"], agg["total"])
    breakdown = {"member": agg["member"], "not_member": agg["total"] - agg["member"] - agg["unrecorded"],
                 "unrecorded": agg["unrecorded"]}
    return Value(v.value, v.numerator, v.denominator, breakdown)


@indicator("localities.head_is_member_share", "Tỷ lệ trưởng thôn, bản, tổ dân phố là đảng viên", "%")
def head_is_member_share(org: Organization, period: Period) -> Value:
    """Localities (thôn, bản, tổ dân phố) of the subtree's cells whose head is a member on the rolls
    (``head_member`` set, status active) ÷ all localities of the subtree's cells existing at
    ``as_of``. A locality with no head recorded counts in the denominator (it is not a member-headed
    one); the breakdown splits member / not_member / unrecorded so missing data shows.
    Seed 003: "Duy trì 100% Trưởng thôn là đảng viên"."""
    return _locality_heads(org, period, "head")


@indicator("localities.front_head_is_member_share", "Tỷ lệ trưởng ban công tác mặt trận là đảng viên", "%")
def front_head_is_member_share(org: Organization, period: Period) -> Value:
    """As ``localities.head_is_member_share`` for the front-committee head (``front_head_member``).
    Seed 003: "Tiếp tục nâng cao tỷ lệ trưởng ban công tác mặt trận là đảng viên"."""
    return _locality_heads(org, period, "front_head")


# -- agency cells, committees, working rules ------------------------------------------------

@indicator("cells.agency_secretary_is_unit_head_share",
           "Tỷ lệ chi bộ cơ quan, đơn vị có bí thư đồng thời là thủ trưởng", "%", sectors=AGENCY_SECTORS)
def agency_secretary_is_unit_head_share(org: Organization, period: Period,
                                        sectors: tuple[str, ...] = AGENCY_SECTORS) -> Value:
    """Cells of the given sectors (default: agency, school, health — the cơ quan, đơn vị of the
    seeds; enterprises, military and police are left out) existing at ``as_of`` whose secretary at
    ``as_of`` also holds a ``unit_head`` post of the same organization on that day ÷ those cells.
    Grassroots committees (đảng ủy cơ sở) are not counted: cells only.
    Seed 003: "Bí thư cấp ủy đồng thời là thủ trưởng cơ quan, đơn vị"."""
    heads = Exists(Post.objects.held_on(period.as_of).filter(organization=OuterRef("organization"),
                                                             member=OuterRef("member"), role=PostRole.UNIT_HEAD))
    cells = _alive(org, period.as_of).filter(sector__in=list(sectors))
    return _share_of(cells, _secretary_exists(period.as_of, heads))


@indicator("cells.with_committee_share", "Tỷ lệ chi bộ có cấp ủy (chi ủy)", "%", sector=None)
def with_committee_share(org: Organization, period: Period, sector: str | None = None) -> Value:
    """Cells existing at ``as_of`` (only those of ``sector`` when given, e.g. ``residential`` for
    seed 003's "100% chi bộ thôn có cấp ủy") that have a committee (chi ủy) on that day ÷ those cells.

    A cell has a committee when at least one ``committee_member`` post is held in it on ``as_of``:
    a cell with fewer than 9 full members elects only a secretary and, if needed, a deputy, which
    is not a committee (Điều lệ Đảng, Điều 24); a committee is a secretary, a deputy and at least
    one committee member, so a deputy alone does not make one."""
    cells = _alive(org, period.as_of)
    if sector:
        cells = cells.filter(sector=sector)
    committee = Exists(Post.objects.held_on(period.as_of).filter(organization=OuterRef("pk"),
                                                                 role=PostRole.COMMITTEE_MEMBER))
    return _share_of(cells, committee)


@indicator("cells.working_rules_updated_share",
           "Tỷ lệ chi bộ, đảng bộ bộ phận có quy chế làm việc được ban hành, cập nhật", "%", months=None)
def working_rules_updated_share(org: Organization, period: Period, months: int | None = None) -> Value:
    """Cells and đảng bộ bộ phận existing at ``as_of`` whose working rules were issued or last
    amended within the ``months`` months up to ``as_of`` (a change dated after ``as_of`` does not
    count) ÷ those organizations. ``months`` defaults to ``indicators.working_rules_max_age_months``
    (60: one term; unconfirmed). Seed 000: "100% chi, đảng bộ bộ phận trực thuộc ban hành quy chế làm
    việc và cập nhật điều chỉnh, bổ sung đúng quy định"."""
    months = months if months is not None else _rule(period, "indicators.working_rules_max_age_months")
    since = period.as_of - relativedelta(months=months)
    window = (since, period.as_of)
    recent = Exists(WorkingRules.objects.filter(organization=OuterRef("pk")).filter(
        Q(issued_on__range=window) | Q(updated_on__range=window)))
    return _share_of(_alive(org, period.as_of, (*CELL_KINDS, OrgKind.SUB_COMMITTEE)), recent)


# -- members' yearly records, officers' training --------------------------------------------

def _obliged_members(org: Organization, period: Period):
    """Members who owe the yearly records: full and probationary members on the subtree's rolls
    admitted by ``as_of`` (exempt members are relieved of work and meetings, Điều lệ Đảng, Điều 7)."""
    return members_in(org).filter(status__in=(MemberStatus.FULL, MemberStatus.PROBATIONARY),
                                  admitted_on__lte=period.as_of)


@indicator("members.with_assignment_share", "Tỷ lệ đảng viên được phân công nhiệm vụ", "%")
def with_assignment_share(org: Organization, period: Period) -> Value:
    """Full and probationary members of the subtree admitted by ``as_of`` (exempt left out) with an assignment
    (phân công nhiệm vụ) for the period's year ÷ those members. The year is that of ``as_of``
    (the period's first year when ``as_of`` falls before it).
    Seed 000: "100% đảng viên đang sinh hoạt được phân công nhiệm vụ"."""
    assigned = Exists(Assignment.objects.filter(member=OuterRef("pk"), year=reading_year(period)))
    return _share_of(_obliged_members(org, period), assigned)


@indicator("members.with_commitment_share", "Tỷ lệ đảng viên ký cam kết tu dưỡng, rèn luyện", "%")
def with_commitment_share(org: Organization, period: Period) -> Value:
    """Full and probationary members of the subtree (exempt left out) with a commitment
    (cam kết tu dưỡng, rèn luyện) for the period's year ÷ those members (year as in
    ``members.with_assignment_share``). Seed targets: "100% đảng viên đăng ký cam kết…"."""
    committed = Exists(Commitment.objects.filter(member=OuterRef("pk"), year=reading_year(period)))
    return _share_of(_obliged_members(org, period), committed)


@indicator("officers.trained_share",
           "Tỷ lệ bí thư, phó bí thư, cấp ủy viên được tập huấn, bồi dưỡng nghiệp vụ công tác đảng", "%",
           within_years=None)
def officers_trained_share(org: Organization, period: Period, within_years: int | None = None) -> Value:
    """Distinct members on the rolls holding a secretary, deputy or committee-member post on
    ``as_of`` in any organization of the subtree (the subtree's root included) who finished a
    ``party_work`` training (bồi dưỡng nghiệp vụ công tác đảng) on or before ``as_of`` — within the
    last ``within_years`` years when set; default ``indicators.officer_training_within_years``
    (none: ever) — ÷ those members. A unit head who holds no committee post is not counted.
    Seed 000: "100% bí thư, phó bí thư, cấp ủy viên các cấp được tập huấn, bồi dưỡng nghiệp vụ"."""
    day = period.as_of
    if within_years is None:
        within_years = _rule(period, "indicators.officer_training_within_years")
    # The officers are read from the subtree's posts (``pk IN``), not found by testing every
    # active member of the database for a post in the subtree.
    posts = Post.objects.held_on(day).filter(subtree_q(org, via="organization__"), role__in=OFFICER_ROLES).filter(
        Q(organization__dissolved_on__isnull=True) | Q(organization__dissolved_on__gt=day))
    courses = Training.objects.filter(member=OuterRef("pk"), kind=TrainingKind.PARTY_WORK, finished_on__lte=day)
    if within_years:
        courses = courses.filter(finished_on__gt=day - relativedelta(years=within_years))
    officers = Member.objects.filter(status__in=ACTIVE_STATUSES, pk__in=posts.values("member_id"))
    return _share_of(officers, Exists(courses))


# -- new organizations, admissions ------------------------------------------------------------

@indicator("organizations.new_private_count", "Số tổ chức đảng thành lập mới trong doanh nghiệp tư nhân", "count")
def new_private_count(org: Organization, period: Period) -> Value:
    """Cells and grassroots organizations of the subtree in private enterprises
    (``sector=private``) whose ``established_on`` falls within the period (dissolved later or not).
    Seed targets: "thành lập mới N tổ chức đảng trong doanh nghiệp ngoài khu vực nhà nước"."""
    n = Organization.objects.subtree(org).filter(kind__in=(*CELL_KINDS, *GRASSROOTS_KINDS), sector=Sector.PRIVATE,
                                                 established_on__range=(period.start, period.end)).count()
    return Value.count(n)


def term_of(period: Period) -> Period:
    """The congress term a period belongs to, as the span its admissions are counted over.

    A period longer than one calendar year is taken as the term itself. A year or quarter belongs
    to the term F–(F+L) with F < year ≤ F+L, where F runs from ``indicators.term_start_year`` (2025)
    in steps of ``indicators.term_years`` (5): 2026…2030 → 2025–2030, 2021…2025 → 2020–2025. The
    congress year F is the last year of the previous term, so each year is counted in exactly one
    term and a term counts L whole years (1/1/(F+1) … 31/12/(F+L)), as the seeds' arithmetic does
    ("19 đảng viên mỗi năm … 95 đảng viên trong nhiệm kỳ").
    """
    if period.start.year != period.end.year:
        return period
    rs = ruleset_for(period.as_of)
    first, years = rs["indicators.term_start_year"], rs["indicators.term_years"]
    year = period.start.year
    f = first + years * ((year - first - 1) // years)
    return Period(dt.date(f + 1, 1, 1), dt.date(f + years, 12, 31), f"nhiệm kỳ {f}–{f + years}")


def _admitted(period: Period) -> Q:
    return Q(admitted_on__range=(period.start, period.end))


def _on_rolls_before(day: dt.date) -> Q:
    """Members on the rolls at the start of ``day``: admitted before it and not removed (struck
    off, expelled, died) before it, by the history events. A member now off the rolls whose removal
    has no event is taken as removed throughout."""
    removal = StatusChange.objects.filter(member=OuterRef("pk"), event__in=REMOVAL_EVENTS)
    return (Q(admitted_on__lt=day) & ~Exists(removal.filter(on__lt=day))
            & (Q(status__in=ACTIVE_STATUSES) | Exists(removal.filter(on__gte=day))))


def _admissions_share(org: Organization, admitted_in: Period, base_day: dt.date) -> Value:
    agg = members_in(org).aggregate(admitted=Count("id", filter=_admitted(admitted_in)),
                                    base=Count("id", filter=_on_rolls_before(base_day)))
    v = Value.share(agg["admitted"], agg["base"])
    return Value(v.value, v.numerator, v.denominator, {"base_date": base_day.isoformat()})


@indicator("admissions.count_year", "Số đảng viên kết nạp trong năm", "count")
def admissions_count_year(org: Organization, period: Period) -> Value:
    """Members now on the subtree's records (any status: later removals still count) whose
    admission date (``admitted_on``) falls within the period (the year, or a quarter of it).
    Members admitted here who later transferred out count where they are now.
    Seeds 000, 003: "Mỗi năm kết nạp từ N đảng viên trở lên"."""
    return Value.count(members_in(org).filter(_admitted(period)).count())


@indicator("admissions.count_term", "Số đảng viên kết nạp trong nhiệm kỳ", "count")
def admissions_count_term(org: Organization, period: Period) -> Value:
    """As ``admissions.count_year`` over the term the period belongs to (see :func:`term_of`):
    the whole term, including years after ``as_of`` (nothing is recorded there yet).
    Seeds 000, 003: "trong nhiệm kỳ kết nạp từ N đảng viên trở lên"."""
    term = term_of(period)
    n = members_in(org).filter(_admitted(term)).count()
    return Value(n, n, None, {"term": term.label})


@indicator("admissions.students_count_term", "Số học sinh, sinh viên được kết nạp trong nhiệm kỳ", "count")
def admissions_students_count_term(org: Organization, period: Period) -> Value:
    """As ``admissions.count_term`` for members flagged as pupils or students (``is_student``).
    The flag is the member's current one, standing in for "a student when admitted": a student
    admitted in the term is usually still one, but one who graduated and was updated drops out.
    Seed 000: "kết nạp từ 80 đảng viên là học sinh, sinh viên"."""
    term = term_of(period)
    n = members_in(org).filter(_admitted(term), is_student=True).count()
    return Value(n, n, None, {"term": term.label})


@indicator("admissions.share_of_members_year_start", "Tỷ lệ kết nạp đảng viên so với tổng số đảng viên đầu năm",
           "%")
def admissions_share_of_members_year_start(org: Organization, period: Period) -> Value:
    """Admissions in the period (as ``admissions.count_year``) ÷ members on the subtree's rolls at
    the start of 1 January of the period's first year (admitted before that day and not removed
    before it; see :func:`_on_rolls_before`). Members are those now on the subtree's records:
    transfers in and out are not replayed. Seed targets: "kết nạp đạt X% so với tổng số đảng viên
    đầu năm"."""
    return _admissions_share(org, period, dt.date(period.start.year, 1, 1))


@indicator("admissions.share_of_members_term_start",
           "Tỷ lệ kết nạp đảng viên so với tổng số đảng viên đầu nhiệm kỳ", "%")
def admissions_share_of_members_term_start(org: Organization, period: Period) -> Value:
    """Admissions in the period ÷ members on the subtree's rolls at the start of the term the
    period belongs to (first day of :func:`term_of`). Given a year this is that year's admission
    rate against the term's opening membership — seed 003: "Tỷ lệ kết nạp đảng viên mới hàng năm …
    đạt 5,2% trở lên so với tổng số đảng viên đầu nhiệm kỳ"; given a term, the whole term's."""
    return _admissions_share(org, period, term_of(period).start)


# The standard member statistics (issue 18) register from their own module.
from . import indicators_stats  # noqa: E402,F401
