"""Preparing a congress: the congress itself and the committee freeze before it, the campaign
timeline (phases, milestones given out to the organizations below) and the delegate
apportionment. Each public function is one transaction, checks the actor's scope and raises a
:class:`ServiceError` with nothing written on refusal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max

from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.core import clock
from dangvu.core import congress as rules
from dangvu.core.apportion import ApportionError, apportion_detail
from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import nfc
from dangvu.registry.models import Organization

from ..models import (
    AppliesTo,
    ApportionmentLine,
    Congress,
    CongressKind,
    DelegateApportionment,
    Milestone,
    MilestoneStatus,
    MilestoneTemplate,
    Phase,
    TimelineTemplate,
)
from ..selectors import congress_problems, ex_officio, live_orgs, member_counts, targets_of

# -- congress ---------------------------------------------------------------------------------


@transaction.atomic
def save_congress(by, org: Organization, *, term: str, kind: str, starts_on: dt.date, ends_on: dt.date,
                  pilot: bool = False, campaign: TimelineTemplate | None = None, place: str = "",
                  note: str = "", congress: Congress | None = None) -> Congress:
    """Plan (or re-plan) the congress of ``org`` for ``term``."""
    ensure_can_edit(by, org)
    term = nfc(term).replace(" ", "")
    if not term:
        raise ServiceError("Nhiệm kỳ không được để trống (ví dụ 2025-2030).", Code.REQUIRED, field="term")
    try:
        term = rules.congress_term(term, org.kind, ruleset_for(starts_on))
    except rules.ElectionRuleError as exc:
        raise ServiceError(str(exc), Code.INVALID, field="term") from exc
    if kind not in CongressKind.values:
        raise ServiceError("Hình thức đại hội không hợp lệ.", Code.INVALID, field="kind")
    other = Congress.objects.filter(organization=org, term=term)
    if congress is not None:
        other = other.exclude(pk=congress.pk)
    if other.exists():
        raise ServiceError(f"{org.name} đã có đại hội nhiệm kỳ {term}.", Code.DUPLICATE, field="term")
    problems = congress_problems(org, term=term, pilot=pilot, starts_on=starts_on, ends_on=ends_on,
                                 campaign=campaign, exclude_pk=congress.pk if congress else None)
    if problems:
        raise ServiceError(" ".join(problems), Code.RULE)
    congress = congress or Congress(organization=org)
    for key, value in {"term": term, "kind": kind, "pilot": pilot, "starts_on": starts_on, "ends_on": ends_on,
                       "campaign": campaign, "place": nfc(place), "note": note}.items():
        setattr(congress, key, value)
    congress.save()
    return congress


@transaction.atomic
def check_committee_freeze(org: Organization, started_on: dt.date) -> None:
    """Hooked into :func:`dangvu.registry.services.add_post`: no new committee member within
    ``congress.committee_freeze_months`` before the organization's planned congress
    (Chỉ thị 35-CT/TW, 14/6/2024; Kế hoạch 133-KH/ĐUK)."""
    for congress in Congress.objects.filter(organization=org, starts_on__gt=started_on):
        rs = ruleset_for(congress.starts_on)
        if rules.in_freeze(started_on, congress.starts_on, rs):
            months = rs["congress.committee_freeze_months"]
            raise ServiceError(
                f"Không bổ sung cấp ủy viên trong {months} tháng trước đại hội: đại hội nhiệm kỳ {congress.term} "
                f"dự kiến khai mạc ngày {congress.starts_on:%d/%m/%Y}, nên từ ngày "
                f"{rules.freeze_starts(congress.starts_on, rs):%d/%m/%Y} không bổ sung cấp ủy viên "
                f"({rs.source('congress.committee_freeze_months')}).", Code.RULE, field="started_on")


# -- timeline ---------------------------------------------------------------------------------

@transaction.atomic
def create_timeline(by, org: Organization, *, title: str, term: str, document_number: str = "",
                    issued_on: dt.date | None = None, window_start: dt.date | None = None,
                    window_end: dt.date | None = None, pilot_end: dt.date | None = None) -> TimelineTemplate:
    ensure_can_edit(by, org)
    if not nfc(title):
        raise ServiceError("Tên kế hoạch không được để trống.", Code.REQUIRED, field="title")
    if window_start and window_end and window_end < window_start:
        raise ServiceError("Ngày kết thúc đợt đại hội không thể trước ngày bắt đầu.", Code.DATE_ORDER,
                           field="window_end")
    term = nfc(term).replace(" ", "")
    if term and term != "?":  # "?": a plan read from a file that did not state its term
        rs = ruleset_for(issued_on)
        spans = tuple(sorted(set(rules.term_spans(1, rs) + rules.term_spans(
            int(rs["congress.lower_congresses_per_term"]), rs))))
        try:
            term = rules.parse_term(term, spans, rs)
        except rules.ElectionRuleError as exc:
            raise ServiceError(str(exc), Code.INVALID, field="term") from exc
    return TimelineTemplate.objects.create(
        organization=org, title=nfc(title), term=term, document_number=nfc(document_number),
        issued_on=issued_on, window_start=window_start, window_end=window_end, pilot_end=pilot_end)


@transaction.atomic
def timeline_from_plan(by, org: Organization, plan: Mapping[str, Any], term: str = "") -> TimelineTemplate:
    """A campaign built from the JSON of ``dangvu plan parse``: phases, every task with a deadline
    as a milestone, and the congress window and pilot deadline when the plan states them."""
    parsed = rules.timeline_from_plan(plan)
    template = create_timeline(by, org, title=parsed.title, term=term or parsed.term or "?",
                               document_number=parsed.document_number, issued_on=parsed.issued_on,
                               window_start=parsed.window_start, window_end=parsed.window_end,
                               pilot_end=parsed.pilot_end)
    phases = {}
    for position, (pid, title, start, end) in enumerate(parsed.phases):
        phases[pid] = Phase.objects.create(template=template, title=title[:255], starts_on=start, ends_on=end,
                                           position=position)
    for item in parsed.items:
        MilestoneTemplate.objects.create(template=template, phase=phases.get(item.phase or ""), title=item.title,
                                         deadline=item.deadline, applies_to=item.applies_to,
                                         source_id=item.source_id)
    return template


@transaction.atomic
def add_phase(by, template: TimelineTemplate, *, title: str, starts_on: dt.date | None = None,
              ends_on: dt.date | None = None) -> Phase:
    ensure_can_edit(by, template.organization)
    if starts_on and ends_on and ends_on < starts_on:
        raise ServiceError("Ngày kết thúc giai đoạn không thể trước ngày bắt đầu.", Code.DATE_ORDER,
                           field="ends_on")
    position = (template.phases.aggregate(m=Max("position"))["m"] or 0) + 1
    return Phase.objects.create(template=template, title=nfc(title), starts_on=starts_on, ends_on=ends_on,
                                position=position)


@transaction.atomic
def add_milestone_template(by, template: TimelineTemplate, *, title: str, deadline: dt.date,
                           applies_to: str = AppliesTo.ALL, kinds: Sequence[str] = (),
                           phase: Phase | None = None) -> MilestoneTemplate:
    ensure_can_edit(by, template.organization)
    if not nfc(title):
        raise ServiceError("Nội dung mốc thời gian không được để trống.", Code.REQUIRED, field="title")
    if applies_to not in AppliesTo.values:
        raise ServiceError("Phạm vi áp dụng không hợp lệ.", Code.INVALID, field="applies_to")
    if phase is not None and phase.template_id != template.pk:
        raise ServiceError("Giai đoạn không thuộc kế hoạch này.", Code.INVALID, field="phase")
    return MilestoneTemplate.objects.create(template=template, title=nfc(title), deadline=deadline,
                                            applies_to=applies_to, kinds=",".join(kinds), phase=phase)


@transaction.atomic
def apply_timeline(by, template: TimelineTemplate) -> int:
    """Create the milestones of the issuer and every live organization under it; run again after
    adding items or organizations, it only adds what is missing. Returns how many were created."""
    ensure_can_edit(by, template.organization)
    orgs = list(live_orgs(template.organization))
    existing = set(Milestone.objects.filter(item__template=template).values_list("item_id", "organization_id"))
    new = []
    for item in template.items.select_related("template__organization"):
        for org in targets_of(item, orgs):
            if (item.pk, org.pk) not in existing:
                new.append(Milestone(item=item, organization=org, title=item.title, deadline=item.deadline))
    for milestone in new:  # one by one so the audit log records each
        milestone.save()
    return len(new)


@transaction.atomic
def update_milestone(by, milestone: Milestone, *, status: str, done_on: dt.date | None = None,
                     evidence: str = "", evidence_name: str = "", evidence_content: bytes | None = None) -> Milestone:
    ensure_can_edit(by, milestone.organization)
    if status not in MilestoneStatus.values:
        raise ServiceError("Tình trạng không hợp lệ.", Code.INVALID, field="status")
    if status == MilestoneStatus.DONE and not done_on:
        raise ServiceError("Đã hoàn thành thì phải ghi ngày hoàn thành.", Code.REQUIRED, field="done_on")
    if status != MilestoneStatus.DONE:
        done_on = None
    if done_on and done_on > clock.today():
        raise ServiceError("Ngày hoàn thành không thể ở tương lai.", Code.FUTURE_DATE, field="done_on")
    milestone.status, milestone.done_on, milestone.evidence = status, done_on, evidence
    if evidence_content is not None:
        milestone.evidence_name, milestone.evidence_content = evidence_name, evidence_content
    milestone.save()
    return milestone


# -- apportionment ----------------------------------------------------------------------------

def _check_apportioned(root: Organization, orgs: Sequence[Organization]) -> None:
    for org in orgs:
        if org.pk == root.pk or not org.path.startswith(root.path):
            raise ServiceError(f"{org.name} không trực thuộc {root.name}.", Code.OUT_OF_SUBTREE, field="orgs")
        if any(o.pk != org.pk and org.path.startswith(o.path) for o in orgs):
            raise ServiceError(f"{org.name} nằm trong một tổ chức khác đã chọn; không tính hai lần.",
                               Code.DUPLICATE, field="orgs")


@transaction.atomic
def save_apportionment(by, congress: Congress, orgs: Sequence[Organization], *, seats: int, minimum: int,
                       note: str = "") -> DelegateApportionment:
    """Apportion ``seats`` delegates among ``orgs`` (each under the congress's organization) with at
    least ``minimum`` each, by largest remainder on active members (core.apportion)."""
    ensure_can_edit(by, congress.organization)
    root = congress.organization
    _check_apportioned(root, orgs)
    counts = member_counts(orgs)
    try:
        lines = apportion_detail([(o.code, counts.get(o.pk, 0)) for o in orgs], seats, minimum)
    except ApportionError as exc:
        # the form has already checked each figure; what is left is S below K × the number of orgs
        raise ServiceError(str(exc), Code.OUT_OF_RANGE, field="seats") from exc
    posts = ex_officio(root)
    record = DelegateApportionment.objects.create(
        congress=congress, seats=seats, minimum=minimum, counted_on=clock.today(), note=note,
        created_by=acting_user(by),
        ex_officio=[{"member_id": p.member_id, "name": p.member.full_name, "role": p.get_role_display()}
                    for p in posts])
    by_code = {o.code: o for o in orgs}
    for position, line in enumerate(lines):
        ApportionmentLine.objects.create(
            apportionment=record, organization=by_code[line.code], members=line.members, minimum=line.minimum,
            base=line.base, extra=line.extra, remainder=line.remainder, seats=line.seats, position=position)
    return record
