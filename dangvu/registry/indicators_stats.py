"""Indicators of the standard member statistics (báo cáo thống kê đảng viên, issue 18): the
subtree's members on a day by gender, age band, ethnicity, religion, education, political theory,
occupation, party-age band and status; its organizations by kind and sector; the changes in a
period. Each is a ``count`` indicator whose value is the total and whose breakdown maps a
Vietnamese row label to its count (every fixed category listed, zero included), so each breakdown
sums to its value.

Who is a member of the subtree on a day is read from the history, not from the rolls as they stand:
the member's status that day is the one the last history event on or before it left
(``StatusChange.to_status``; no event yet: not admitted), and the member's organization that day is
the sending organization of the first permanent transfer received after it (``Transfer``: the member
moves on the day the receiving side confirms, as :func:`dangvu.registry.services.confirm_transfer`
does), else the organization they are in now. A temporary transfer leaves the member on their own
cell's rolls. So the members of a day plus the period's admissions and transfers in, minus its
transfers out and removals, are the members of the period's last day.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from dangvu.core import stats
from dangvu.core.lifecycle import Event
from dangvu.core.rulesets import ruleset_for
from dangvu.indicators import Period, Value, indicator

from .models import (
    ACTIVE_STATUSES,
    CELL_KINDS,
    GRASSROOTS_KINDS,
    Gender,
    Member,
    MemberStatus,
    Organization,
    OrgKind,
    Sector,
    StatusChange,
    TheoryLevel,
    Transfer,
    TransferKind,
    TransferState,
    subtree_q,
)

NO_SECTOR = "Chưa ghi loại hình"


def _moves_after(member_ref: str, day_ref) -> Subquery:
    """The organization a member left by the first permanent transfer confirmed after the day."""
    return Subquery(Transfer.objects.filter(
        member=OuterRef(member_ref), kind=TransferKind.PERMANENT, state=TransferState.CONFIRMED,
        confirmed_on__gt=day_ref).order_by("confirmed_on", "id").values("from_org")[:1])


def _candidates(orgs, day: dt.date):
    """Members now in ``orgs`` or who left them by a permanent transfer confirmed after ``day``."""
    left_later = Transfer.objects.filter(kind=TransferKind.PERMANENT, state=TransferState.CONFIRMED,
                                         confirmed_on__gt=day, from_org__in=orgs).values("member_id")
    return Member.objects.filter(Q(organization__in=orgs) | Q(pk__in=left_later))


def _replayed(members, orgs, day: dt.date):
    """``members`` annotated with their status (``status_on``) and organization (``org_on``) on
    ``day`` from the history, kept when on the rolls of ``orgs`` that day."""
    status_on = Subquery(StatusChange.objects.filter(member=OuterRef("pk"), on__lte=day)
                         .order_by("-on", "-id").values("to_status")[:1])
    org_on = Coalesce(_moves_after("pk", day), F("organization_id"), output_field=BigIntegerField())
    return members.annotate(status_on=status_on, org_on=org_on).filter(status_on__in=ACTIVE_STATUSES,
                                                                       org_on__in=orgs)


def members_on(org: Organization, day: dt.date):
    """Members of ``org``'s subtree on ``day`` (probationary, full or exempt that day, in an
    organization of the subtree that day), annotated with ``status_on`` and ``org_on``, every one
    replayed from the history (see :func:`_grouped` for the fast count)."""
    orgs = Organization.objects.filter(subtree_q(org)).values("pk")
    return _replayed(_candidates(orgs, day), orgs, day)


def _grouped(org: Organization, period: Period, field: str) -> dict:
    """Members of the subtree on ``as_of`` counted by ``field`` (``status_on``: their status that
    day). A member with no history event after the day stands that day as now (status, organization:
    the last event left them so); only the members with a later event are replayed from the history,
    so a day close to today costs little more than counting the rolls."""
    day = period.as_of
    orgs = Organization.objects.filter(subtree_q(org)).values("pk")
    candidates = _candidates(orgs, day)
    # Probed member by member on the history's (member, …) index: the cost follows the subtree.
    later = Exists(StatusChange.objects.filter(member=OuterRef("pk"), on__gt=day))
    stable = Member.objects.filter(organization__in=orgs, status__in=ACTIVE_STATUSES).filter(~later).order_by()
    if field == "status_on":
        # Grouped with the organization too, so that SQLite reads the (organization, status) index of
        # the subtree and not the status index of the whole database.
        stable = [(status, n) for _, status, n in
                  stable.values_list("organization_id", "status").annotate(n=Count("id"))]
    else:
        stable = stable.values_list(field).annotate(n=Count("id"))
    replayed = (_replayed(candidates.filter(later), orgs, day)
                .order_by().values_list(field).annotate(n=Count("id")))
    counts: dict = {}
    for key, n in [*stable, *replayed]:
        counts[key] = counts.get(key, 0) + n
    return counts


def _breakdown(rows: dict[str, int]) -> Value:
    total = sum(rows.values())
    return Value(value=total, numerator=total, breakdown=rows)


def _choices(counts: dict, choices, blank: str = stats.UNRECORDED) -> Value:
    """Counts by a choice field's code → by its label, every choice listed; unknown codes and
    blanks (when blank is not a choice) under ``blank``."""
    labels = dict(choices)
    rows = {label: 0 for label in labels.values()}
    for code, n in counts.items():
        label = labels.get(code or "", blank)
        rows[label] = rows.get(label, 0) + n
    return _breakdown(rows)


def _top(period: Period) -> int:
    return ruleset_for(period.as_of)["stats.top_categories"]


@indicator("members.on_date", "Số đảng viên của đảng bộ vào ngày báo cáo (theo lịch sử biến động)", "count")
def members_on_date(org: Organization, period: Period) -> Value:
    """Members of the subtree on ``as_of`` read from the history (see the module's docstring), by
    their status that day: the total of the standard statistics every other table is checked
    against. Equal to ``members.count`` when ``as_of`` is today and the history is complete."""
    return _choices(_grouped(org, period, "status_on"),
                    [(s, MemberStatus(s).label) for s in ACTIVE_STATUSES])


@indicator("members.by_gender_on_date", "Đảng viên theo giới tính", "count")
def by_gender(org: Organization, period: Period) -> Value:
    """Members of the subtree on ``as_of`` (as ``members.on_date``) by gender."""
    return _choices(_grouped(org, period, "gender"), Gender.choices)


@indicator("members.by_age_band_on_date", "Đảng viên theo độ tuổi", "count")
def by_age_band(org: Organization, period: Period) -> Value:
    """Members of the subtree on ``as_of`` by age in full years that day, in the bands of
    ``stats.age_bands`` (unconfirmed limits; :func:`dangvu.core.stats.count_bands`)."""
    counts = _grouped(org, period, "birth_date").items()
    return _breakdown(stats.count_bands(counts, period.as_of, ruleset_for(period.as_of)["stats.age_bands"]))


@indicator("members.by_party_age_band_on_date", "Đảng viên theo tuổi đảng", "count")
def by_party_age_band(org: Organization, period: Period) -> Value:
    """Members of the subtree on ``as_of`` by party age (full years from ``admitted_on``, the
    admission decision, to ``as_of``; periods out of the Party not excluded) in the bands of
    ``stats.party_age_bands`` (unconfirmed limits)."""
    counts = _grouped(org, period, "admitted_on").items()
    bounds = ruleset_for(period.as_of)["stats.party_age_bands"]
    return _breakdown(stats.count_bands(counts, period.as_of, bounds, unit="năm"))


def _free_text(field: str, label: str):
    def compute(org: Organization, period: Period) -> Value:
        return _breakdown(stats.group_categories(_grouped(org, period, field), _top(period)))

    compute.__doc__ = (f"Members of the subtree on ``as_of`` by {label} (free text grouped by its NFC, "
                       "case-folded spelling): the ``stats.top_categories`` largest groups, then «Khác», "
                       "then «Chưa ghi» for blanks.")
    return compute


for _field, _key, _label, _en in (
    ("ethnicity", "members.by_ethnicity_on_date", "Đảng viên theo dân tộc", "ethnicity"),
    ("religion", "members.by_religion_on_date", "Đảng viên theo tôn giáo", "religion"),
    ("education", "members.by_education_on_date", "Đảng viên theo trình độ giáo dục phổ thông", "education"),
    ("occupation", "members.by_occupation_on_date", "Đảng viên theo nghề nghiệp", "occupation"),
):
    indicator(_key, _label, "count")(_free_text(_field, _en))


@indicator("members.by_theory_on_date", "Đảng viên theo trình độ lý luận chính trị", "count")
def by_theory(org: Organization, period: Period) -> Value:
    """Members of the subtree on ``as_of`` by their political-theory level (as recorded now: the
    registry keeps no dated history of it)."""
    return _choices(_grouped(org, period, "political_theory"), TheoryLevel.choices)


def _alive_on(org: Organization, day: dt.date):
    return Organization.objects.subtree(org).filter(
        Q(established_on__isnull=True) | Q(established_on__lte=day),
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))


@indicator("organizations.by_kind_on_date", "Tổ chức đảng theo loại", "count")
def orgs_by_kind(org: Organization, period: Period) -> Value:
    """Organizations of the subtree (the organization itself included) existing on ``as_of``
    (established by then when known, not dissolved by then), by kind."""
    counts = dict(_alive_on(org, period.as_of).order_by().values_list("kind").annotate(n=Count("id")))
    return _choices(counts, OrgKind.choices)


@indicator("organizations.by_sector_on_date", "Chi bộ, tổ chức cơ sở đảng theo loại hình", "count")
def orgs_by_sector(org: Organization, period: Period) -> Value:
    """Cells and grassroots organizations of the subtree existing on ``as_of``, by sector (loại
    hình: thôn/bản/tổ dân phố, cơ quan, …); none recorded under «Chưa ghi loại hình»."""
    alive = _alive_on(org, period.as_of).filter(kind__in=(*CELL_KINDS, *GRASSROOTS_KINDS))
    counts = dict(alive.order_by().values_list("sector").annotate(n=Count("id")))
    return _choices(counts, Sector.choices, blank=NO_SECTOR)


CHANGE_ROWS = {
    "admitted": "Kết nạp",
    "recognized": "Công nhận đảng viên chính thức",
    "transferred_in": "Chuyển đến (chuyển sinh hoạt chính thức)",
    "transferred_out": "Chuyển đi (chuyển sinh hoạt chính thức)",
    "struck_off": "Xóa tên",
    "expelled": "Khai trừ",
    "died": "Từ trần",
}
_EVENT_ROWS = {Event.ADMIT: "admitted", Event.RECOGNIZE_FULL: "recognized", Event.STRIKE_OFF: "struck_off",
               Event.EXPEL: "expelled", Event.DEATH: "died"}


def _event_here(event: str, span: tuple[dt.date, dt.date], orgs) -> Exists:
    """The outer member has ``event`` in ``span`` while in one of ``orgs`` (their organization that day)."""
    org_then = Coalesce(_moves_after("member_id", OuterRef("on")), OuterRef("organization_id"),
                        output_field=BigIntegerField())
    return Exists(StatusChange.objects.filter(member=OuterRef("pk"), event=event, on__range=span)
                  .annotate(org_then=org_then).filter(org_then__in=orgs))


@indicator("members.changes_in_period", "Biến động đảng viên trong kỳ báo cáo", "count")
def changes_in_period(org: Organization, period: Period) -> Value:
    """Changes of the subtree's membership from ``start`` to ``as_of``: admissions, recognitions,
    removals (struck off, expelled, died) of members who were in the subtree on the event's day
    (history events), and permanent transfers confirmed in the period between the subtree and the
    outside (a move between two organizations of the subtree is not a change of the subtree).
    The value is the number of changes; the breakdown lists every row, zero included."""
    orgs = Organization.objects.filter(subtree_q(org)).values("pk")
    span = (period.start, period.as_of)
    # Read from the members who are in the subtree now or left it by a permanent transfer, each
    # tested for the event (once in a life: admission, recognition, removal): the work follows the
    # subtree, not the events of the whole database in the period.
    # Two disjoint reads, each on an index (PostgreSQL turns "in the subtree OR moved out of it"
    # into a scan of every member of the database: 1.7 s at a commune of a 100,000-member nation).
    moved_out = Transfer.objects.filter(kind=TransferKind.PERMANENT, state=TransferState.CONFIRMED,
                                        from_org__in=orgs).values("member_id")
    tests = {row: Count("id", filter=Q(_event_here(event, span, orgs))) for event, row in _EVENT_ROWS.items()}
    here = Member.objects.filter(organization__in=orgs).aggregate(**tests)
    gone = Member.objects.filter(pk__in=moved_out).exclude(organization__in=orgs).aggregate(**tests)
    rows = dict.fromkeys(CHANGE_ROWS, 0) | {row: here[row] + gone[row] for row in tests}
    moves = Transfer.objects.filter(kind=TransferKind.PERMANENT, state=TransferState.CONFIRMED,
                                    confirmed_on__range=span)
    rows["transferred_in"] = moves.filter(to_org__in=orgs).exclude(from_org__in=orgs).count()
    rows["transferred_out"] = moves.filter(from_org__in=orgs).exclude(to_org__in=orgs).count()
    labelled = {CHANGE_ROWS[k]: n for k, n in rows.items()}
    return _breakdown(labelled)
