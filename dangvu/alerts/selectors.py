"""Alerts of an organization's subtree, gathered from the registry, meetings and admission data.

Read only (the alerts app writes nothing; ``dangvu.alerts.services`` re-exports these names). Each kind is gathered by a fixed number of set-based queries (aggregates, ``Exists``,
filtered ``Count``) whatever the size of the subtree; Python then only walks the rows those
queries return (cells, probationary members near the end of probation, open prospects), never
issuing a query per row. The decisions are the pure rules of :mod:`dangvu.core.alerts`; the
deadlines are those of :mod:`dangvu.core.deadlines` and :func:`dangvu.admission.selectors.deadlines_for`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.db.models import Case, Count, Exists, F, OuterRef, Q, When
from django.db.models.functions import Length, Substr

from dangvu.admission import selectors as admission
from dangvu.admission.models import Prospect, Stage
from dangvu.core import clock
from dangvu.core.alerts import (
    Alert,
    absence_window_start,
    assignment_cutoff,
    cell_needs_committee,
    cell_too_small,
    deadline_alert_severity,
    deadline_state,
    meetings_short,
    month_span,
    previous_month_span,
    previous_quarter_span,
    probation_alert,
    quarter_of,
    quarter_span,
    removal_alert,
    sort_key,
)
from dangvu.core.deadlines import add_months, deadlines_for
from dangvu.core.lifecycle import probation_ends
from dangvu.core.rulesets import RuleSet, ruleset_for
from dangvu.fees import arrears as fees_arrears
from dangvu.fees.selectors import late_remittance_alerts
from dangvu.honours.selectors import badge_alerts
from dangvu.inspection.selectors import overdue_alerts as inspection_overdue_alerts
from dangvu.letters.selectors import letter_alerts
from dangvu.meetings import selectors as meetings
from dangvu.registry.models import CELL_KINDS, Assignment, Member, Organization, OrgKind, Post, PostRole

Gatherer = Callable[[Organization, dt.date, RuleSet], list[Alert]]

CLAMP_SLACK = dt.timedelta(days=3)
"""Month arithmetic clamps to the month's last day (29/2 + 12 months = 28/2), so an end of probation
can fall up to 3 days before the naive bound: the SQL pre-filter is widened by that much and the
exact rule is applied to the rows."""


def _d(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def _cells(org: Organization, today: dt.date):
    """Cells (chi bộ trực thuộc, chi bộ cơ sở) of the subtree existing on ``today``."""
    return Organization.objects.subtree(org).filter(kind__in=CELL_KINDS).filter(
        Q(established_on__isnull=True) | Q(established_on__lte=today),
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today),
    )


def _subtree(org: Organization):
    """Ids of the subtree's organizations, as a subquery: filtering rows by ``organization_id IN
    (…)`` lets the database use the rows' organization index instead of scanning every member."""
    return Organization.objects.subtree(org).values("pk")


def organizations_at(paths: Iterable[str]) -> list[Organization]:
    """The organizations at these materialized paths, in tree order."""
    return list(Organization.objects.filter(path__in=list(paths)).order_by("path"))


def organizations_above_cells() -> list[Organization]:
    """Every organization that has cells under it (whose alerts are worth storing each night), in tree order."""
    return list(Organization.objects.exclude(kind__in=CELL_KINDS).exclude(kind=OrgKind.GROUP).order_by("path"))


def subtree_members_over(org: Organization, limit: int) -> bool:
    """Whether the subtree holds more than ``limit`` members (counts no further than that)."""
    return _subtree_members(org)[:limit + 1].count() > limit


def _subtree_members(org: Organization):
    return Member.objects.filter(organization__in=_subtree(org))


# -- meetings -------------------------------------------------------------------------------------

def _meeting_message(kind: str, first: dt.date, last: dt.date, severity: str, today: dt.date) -> str:
    if kind == "no_regular_meeting":
        period, what = f"Tháng {first.month}/{first.year}", "sinh hoạt thường kỳ"
    else:
        period, what = f"Quý {quarter_of(first)}/{first.year}", "sinh hoạt chuyên đề"
    if severity == "passed":
        return f"{period} chi bộ không {what}."
    left = (last - today).days
    return (f"{period} chi bộ chưa {what} (hạn cuối {_d(last)}, còn {left} ngày)."
            if left else f"{period} chi bộ chưa {what}: hôm nay là ngày cuối.")


MEETING_KIND = {"no_regular_meeting": "regular", "no_thematic_meeting": "thematic"}


def meeting_spans(today: dt.date) -> dict[tuple[str, str], tuple[dt.date, dt.date]]:
    """(alert kind, ``cur`` | ``prev``) → the month or quarter it looks at on ``today``."""
    return {
        ("no_regular_meeting", "cur"): month_span(today),
        ("no_regular_meeting", "prev"): previous_month_span(today),
        ("no_thematic_meeting", "cur"): quarter_span(today),
        ("no_thematic_meeting", "prev"): previous_quarter_span(today),
    }


def meetings_needed(rs: RuleSet) -> dict[str, int]:
    return {"no_regular_meeting": rs["meeting.regular_per_month"],
            "no_thematic_meeting": rs["meeting.thematic_per_quarter"]}


def meeting_message(kind: str, first: dt.date, last: dt.date, severity: str, today: dt.date) -> str:
    return _meeting_message(kind, first, last, severity, today)


def meeting_alerts(org: Organization, today: dt.date, rs: RuleSet) -> list[Alert]:
    """Cells short of regular meetings this month or last month, and of thematic meetings this
    quarter or last quarter (one query: filtered counts over the cells' meetings,
    :func:`dangvu.meetings.selectors.cells_short_of_meetings`).

    The month or quarter still running is ``near`` in its last ``alerts.deadline_near_days`` days,
    ``info`` before; the one just ended is ``passed``. A period counts only for a cell that existed
    from its first day. Same counting as the meetings pages (:func:`dangvu.core.meetings.missing_months`):
    a combined meeting counts as both kinds.
    """
    near = rs["alerts.deadline_near_days"]
    spans = meeting_spans(today)
    needed = meetings_needed(rs)
    which = MEETING_KIND
    rows = meetings.cells_short_of_meetings(
        _cells(org, today), {f"{kind}_{when}": (which[kind], first, last)
                             for (kind, when), (first, last) in spans.items()},
        {f"{kind}_{when}": needed[kind] for kind, when in spans}, today)
    out: list[Alert] = []
    for row in rows:
        for (kind, when), (first, last) in spans.items():
            if row["established_on"] and row["established_on"] > first:
                continue
            if not meetings_short(row[f"{kind}_{when}"], needed[kind]):
                continue
            severity = deadline_state(today, last, near)
            out.append(Alert(kind, row["code"], row["name"], _meeting_message(kind, first, last, severity, today),
                             severity, last, org_path=row["path"]))
    return out


def absence_alerts(org: Organization, today: dt.date, rs: RuleSet) -> list[Alert]:
    """Members on the rolls to be considered for removal (Điều lệ Đảng, Điều 8), ONE alert each
    naming every ground (:func:`dangvu.core.alerts.removal_alert`): unexcused absences in
    ``member.unexcused_absence_removal`` (3) or more calendar months of the last
    ``member.unexcused_absence_window_months`` (12) (two absences in one month are one month; one
    grouped query), and fees unpaid without reason in ``member.unpaid_fee_removal`` (3) or more of
    the last ``member.unpaid_fee_window_months`` months (:func:`dangvu.fees.arrears.unpaid_months`)."""
    members = _subtree_members(org).active()
    rows = {r["member_id"]: r for r in meetings.unexcused_absence_months(
        members, absence_window_start(today, rs), today, rs["member.unexcused_absence_removal"])}
    unpaid = fees_arrears.unpaid_months(members, today, rs)
    out = []
    for pk in rows.keys() | unpaid.keys():
        r, f = rows.get(pk), unpaid.get(pk)
        found = removal_alert(r["n"] if r else 0, r["last"] if r else None, f.months if f else (), rs)
        if found is None:
            continue
        kind, message, date = found
        who = ((r["member__organization__code"], r["member__organization__name"], r["member__full_name"],
                r["member__organization__path"]) if r else (f.org_code, f.org_name, f.name, f.org_path))
        out.append(Alert(kind, who[0], who[1], message, "info", date, pk, who[2], org_path=who[3]))
    return out


def probation_alerts(org: Organization, today: dt.date, rs: RuleSet) -> list[Alert]:
    """Probationary members whose probation ends within ``alerts.probation_ending_days``, or has
    ended without recognition (deadline: 30 working days after it). Probation end from
    :func:`dangvu.core.lifecycle.probation_ends`; the recognition deadline from
    :func:`dangvu.core.deadlines.deadlines_for` (``admission_decision``). Source: Điều lệ Đảng, Điều 5;
    Hướng dẫn 06-HD/TW, 9/6/2025."""
    rows = (probation_members(org, today, rs)
            .values_list("pk", "full_name", "admitted_on", "organization__code", "organization__name",
                         "organization__path"))
    return [a for row in rows if (a := probation_alert_for(row, today, rs)) is not None]


def latest_probation_admission(today: dt.date, rs: RuleSet) -> dt.date:
    """No member admitted after this day can have a probation alert on ``today``."""
    horizon = today + dt.timedelta(days=rs["alerts.probation_ending_days"])
    return add_months(horizon, -rs["admission.probation_months"]) + CLAMP_SLACK


def probation_members(org: Organization, today: dt.date, rs: RuleSet):
    """Probationary members who may have a probation alert (a query, not evaluated)."""
    return _subtree_members(org).filter(status="probationary", admitted_on__isnull=False,
                                        admitted_on__lte=latest_probation_admission(today, rs))


def probation_tag(admitted_on: dt.date, today: dt.date, rs: RuleSet) -> tuple[str, str] | None:
    """(kind, severity) of the probation alert of a member admitted on ``admitted_on``, or None."""
    ends = probation_ends(admitted_on)
    return probation_alert(today, ends, deadlines_for("admission_decision", admitted_on)["recognition_by"], rs)


def probation_alert_for(row: tuple, today: dt.date, rs: RuleSet) -> Alert | None:
    """The alert of one probationary member ``(pk, name, admitted_on, org code, org name, org path)``."""
    pk, name, admitted_on, code, org_name, path = row
    found = probation_tag(admitted_on, today, rs)
    if found is None:
        return None
    kind, severity = found
    ends = probation_ends(admitted_on)
    recognition_by = deadlines_for("admission_decision", admitted_on)["recognition_by"]
    if kind == "probation_ending":
        message = f"Hết thời gian dự bị ngày {_d(ends)}: chi bộ chuẩn bị xét chuyển đảng viên chính thức."
        date = ends
    elif severity == "passed":
        message = (f"Đã hết thời gian dự bị từ {_d(ends)}, quá hạn xét chuyển đảng viên chính thức "
                   f"(hạn {_d(recognition_by)}).")
        date = recognition_by
    else:
        message = (f"Đã hết thời gian dự bị ngày {_d(ends)}: chi bộ xét chuyển đảng viên chính thức "
                   f"chậm nhất ngày {_d(recognition_by)}.")
        date = recognition_by
    return Alert(kind, code, org_name, message, severity, date, pk, name, org_path=path)


# -- admission ------------------------------------------------------------------------------------

_PROSPECT_KINDS = {
    "certificate_expires": ("certificate_expiring", "alerts.certificate_expiring_days"),
    "decision_by": ("admission_decision_due", "alerts.deadline_near_days"),
    "ceremony_by": ("admission_ceremony_due", "alerts.deadline_near_days"),
}


def _prospect_message(key: str, severity: str, on: dt.date, p: Prospect) -> str:
    late = severity == "passed"
    if key == "certificate_expires":
        return (f"Giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng đã hết hạn ngày {_d(on)}: phải học lại "
                "trước khi chi bộ xét kết nạp." if late else
                f"Giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng hết hạn ngày {_d(on)}: chi bộ cần xét "
                "kết nạp trước ngày này.")
    if key == "decision_by":
        since = f"nghị quyết chi bộ ngày {_d(p.resolved_on)}" if p.resolved_on else "nghị quyết chi bộ"
        return (f"Quá hạn cấp ủy quyết định kết nạp (hạn {_d(on)}, tính từ {since})." if late else
                f"Cấp ủy quyết định kết nạp chậm nhất ngày {_d(on)} (tính từ {since}).")
    since = f"quyết định kết nạp ngày {_d(p.decision_on)}" if p.decision_on else "quyết định kết nạp"
    return (f"Quá hạn tổ chức lễ kết nạp (hạn {_d(on)}, tính từ {since})." if late else
            f"Tổ chức lễ kết nạp chậm nhất ngày {_d(on)} (tính từ {since}).")


def admission_alerts(org: Organization, today: dt.date, rs: RuleSet) -> list[Alert]:
    """Open prospects whose next statutory date is near or passed: the course certificate's expiry
    (before the cell's resolution), the committee's decision (60 working days after the
    resolution), the ceremony (30 working days after the decision). One query; the dates are the
    admission app's own (:func:`dangvu.admission.selectors.deadlines_for`). Sources: Quy định
    232-QĐ/TW, 20/1/2025; Hướng dẫn 06-HD/TW, 9/6/2025."""
    prospects = open_prospects(org).select_related("organization")
    return [a for p in prospects for a in prospect_alerts_for(p, today, rs)]


ALERTED_STAGES = (Stage.COURSE, Stage.VETTED, Stage.CELL_RESOLVED, Stage.DECIDED)


def open_prospects(org: Organization):
    """Prospects of the subtree at a stage that has an alerted deadline (a query, not evaluated)."""
    return Prospect.objects.filter(organization__in=_subtree(org), stage__in=ALERTED_STAGES)


def prospect_tags(p: Prospect, today: dt.date, rs: RuleSet) -> list[tuple[str, str, object]]:
    """(kind, severity, deadline) of each alert of one open prospect."""
    out = []
    for d in admission.deadlines_for(p, today):
        if d.key not in _PROSPECT_KINDS:
            continue
        kind, window = _PROSPECT_KINDS[d.key]
        severity = deadline_alert_severity(today, d.on, rs[window])
        if severity is not None:
            out.append((kind, severity, d))
    return out


def prospect_alerts_for(p: Prospect, today: dt.date, rs: RuleSet) -> list[Alert]:
    """The alerts of one open prospect (its organization selected with it)."""
    return [Alert(kind, p.organization.code, p.organization.name, _prospect_message(d.key, severity, d.on, p),
                  severity, d.on, prospect_id=p.pk, prospect_name=p.full_name, org_path=p.organization.path)
            for kind, severity, d in prospect_tags(p, today, rs)]


# -- yearly records, organization ----------------------------------------------------------------

def assignment_alerts(org: Organization, today: dt.date, rs: RuleSet) -> list[Alert]:
    """Probationary and full members (exempt ones are excused from tasks) with no assignment for
    ``today``'s year once ``alerts.assignment_grace_days`` have passed since 1 January or their
    admission. One query with ``NOT EXISTS``. Source: Điều lệ Đảng, Điều 24."""
    cutoff = assignment_cutoff(today, rs)
    if cutoff is None:
        return []
    rows = (unassigned_members(org, today, cutoff)
            .values_list("pk", "full_name", "organization__code", "organization__name", "organization__path"))
    return [assignment_alert_for(row, today) for row in rows]


def unassigned_members(org: Organization, today: dt.date, cutoff: dt.date):
    """Members due an assignment for ``today``'s year who have none (a query, not evaluated)."""
    assigned = Assignment.objects.filter(member=OuterRef("pk"), year=today.year)
    return (_subtree_members(org).filter(status__in=("probationary", "full"))
            .filter(Q(admitted_on__isnull=True) | Q(admitted_on__lte=cutoff))
            .filter(~Exists(assigned)))


def assignment_alert_for(row: tuple, today: dt.date) -> Alert:
    """The alert of one member ``(pk, name, org code, org name, org path)`` without an assignment."""
    pk, name, code, org_name, path = row
    return Alert("no_assignment", code, org_name, f"Chưa được phân công nhiệm vụ năm {today.year}.", "info",
                 None, pk, name, org_path=path)


def _full_members_per_cell(org: Organization, cell_paths: set[str]) -> dict[str, int]:
    """Full members of each cell, those of its groups (tổ đảng) included: one grouped query, then
    each organization's count is added to the cells above it."""
    step = Organization.steplen
    totals = dict.fromkeys(cell_paths, 0)
    rows = (_subtree_members(org).filter(status="full").values_list("organization__path")
            .annotate(n=Count("id")).order_by())
    for path, n in rows:
        for end in range(step, len(path) + 1, step):
            if path[:end] in totals:
                totals[path[:end]] += n
    return totals


def organization_alerts(org: Organization, today: dt.date, rs: RuleSet) -> list[Alert]:
    """Cells with fewer full members than ``organization.min_full_members``, and cells with at
    least ``organization.cell_committee_min_full_members`` full members and no committee member
    (chi ủy viên) in office today — a committee as the indicator ``cells.with_committee_share``
    reads it (a deputy alone is not one). Two queries. Sources: Điều lệ Đảng, Điều 21, 24; Quy định
    294-QĐ/TW, 26/5/2025."""
    committee = Exists(Post.objects.held_on(today).filter(organization=OuterRef("pk"),
                                                          role=PostRole.COMMITTEE_MEMBER))
    cells = list(_cells(org, today).annotate(has_committee=committee)
                 .values_list("code", "name", "path", "has_committee").order_by("path"))
    full = _full_members_per_cell(org, {c[2] for c in cells})
    out: list[Alert] = []
    for code, name, path, has_committee in cells:
        n = full[path]
        if cell_too_small(n, rs):
            out.append(cell_alert("cell_too_small", (code, name, path, n), rs))
        if cell_needs_committee(n, has_committee, rs):
            out.append(cell_alert("cell_needs_committee", (code, name, path, n), rs))
    return out


def cell_alert(kind: str, row: tuple, rs: RuleSet) -> Alert:
    """The ``cell_too_small`` or ``cell_needs_committee`` alert of a cell ``(code, name, path, full members)``."""
    code, name, path, n = row
    if kind == "cell_too_small":
        return Alert(kind, code, name, f"Chi bộ có {n} đảng viên chính thức, dưới mức tối thiểu "
                     f"{rs['organization.min_full_members']} ({rs.source('organization.min_full_members')}).",
                     "info", org_path=path)
    return Alert(kind, code, name,
                 f"Chi bộ có {n} đảng viên chính thức (từ {rs['organization.cell_committee_min_full_members']} trở "
                 f"lên) nhưng chưa có chi ủy: xem xét bầu chi ủy "
                 f"({rs.source('organization.cell_committee_min_full_members')}).", "info", org_path=path)


def _member_cell_path():
    """A member's cell, as a path: its organization's, or the parent's for a group (tổ đảng), the
    only kind of organization under a cell."""
    path = "organization__path"
    return Case(When(organization__kind=OrgKind.GROUP,
                     then=Substr(path, 1, Length(path) - Organization.steplen)), default=F(path))


def _under(paths: Iterable[str], field: str = "organization__path") -> Q:
    """Rows of the organizations at or under these paths (a few dozen prefixes, each on the path index)."""
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def _cells_with_at_least(org: Organization, n: int, paths: list[str] | None = None):
    """Paths of the subtree's cells with at least ``n`` full members (those of their groups
    included), as a subquery: one grouped count over the subtree's members, not one per cell;
    ``paths``: only those cells' members are read (a page's cells)."""
    members = _subtree_members(org).filter(status="full")
    if paths is not None:
        members = members.filter(_under(paths))
    return (members.annotate(cell=_member_cell_path()).values("cell")
            .annotate(n=Count("pk")).filter(n__gte=n).values("cell"))


def _cells_at(org: Organization, today: dt.date, paths: list[str] | None):
    cells = _cells(org, today)
    return cells if paths is None else cells.filter(path__in=paths)


def small_cells(org: Organization, today: dt.date, rs: RuleSet, paths: list[str] | None = None):
    """Cells existing on ``today`` with fewer full members than ``organization.min_full_members``
    (a query, not evaluated); ``paths``: only the cells at these paths."""
    return _cells_at(org, today, paths).exclude(
        path__in=_cells_with_at_least(org, rs["organization.min_full_members"], paths))


def cells_without_committee(org: Organization, today: dt.date, rs: RuleSet, paths: list[str] | None = None):
    """Cells existing on ``today`` with ``organization.cell_committee_min_full_members`` full members
    or more and no committee member in office (a query, not evaluated); ``paths`` as above."""
    committee = Exists(Post.objects.held_on(today).filter(organization=OuterRef("pk"), role=PostRole.COMMITTEE_MEMBER))
    big = _cells_with_at_least(org, rs["organization.cell_committee_min_full_members"], paths)
    return (_cells_at(org, today, paths).filter(path__in=big)
            .annotate(has_committee=committee).filter(has_committee=False))


def full_members_of(org: Organization, cell_paths: set[str]) -> dict[str, int]:
    """Full members of these cells (their groups included): one grouped query over them only."""
    totals = dict.fromkeys(cell_paths, 0)
    if not cell_paths:
        return totals
    groups = _under(cell_paths, "path")
    rows = (_subtree_members(org).filter(status="full")
            .filter(organization__in=Organization.objects.filter(
                Q(path__in=list(cell_paths)) | (Q(kind=OrgKind.GROUP) & groups)))
            .annotate(cell=_member_cell_path()).values_list("cell").annotate(n=Count("pk")).order_by())
    for cell, n in rows:
        if cell in totals:
            totals[cell] += n
    return totals


# Party fees (issue 15): late remittances up the tree, computed in the fees app (one call here).
fee_alerts: Gatherer = late_remittance_alerts
inspection_alerts: Gatherer = inspection_overdue_alerts

GATHERERS: tuple[Gatherer, ...] = (meeting_alerts, absence_alerts, probation_alerts, admission_alerts,
                                   assignment_alerts, organization_alerts, fee_alerts,
                                   inspection_alerts)
# Issue 16: open letters near or past their deadline; members due a badge at the next occasion, not proposed.
GATHERERS += (letter_alerts, badge_alerts)


def alerts_for(org: Organization, today: dt.date | None = None) -> list[Alert]:
    """Every alert of ``org``'s subtree on ``today`` (default: today), most urgent first: by
    severity (passed, near, info), then kind, then organization (tree order). Parameters come
    from the rule set in force on ``today``."""
    today = today or clock.today()
    rs = ruleset_for(today)
    out: list[Alert] = []
    for gather in GATHERERS:
        out += gather(org, today, rs)
    return sorted(out, key=sort_key)
