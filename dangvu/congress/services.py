"""Congress use cases: the only code that writes congresses, timelines, apportionments, drafts
and elections. Each public function is one transaction, checks the actor's scope with the
registry's rule, and raises :class:`ServiceError` (Vietnamese) with nothing written on refusal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Q

from dangvu.common import ServiceError, acting_user, ensure_can_edit
from dangvu.core import congress as rules
from dangvu.core.apportion import ApportionError, apportion_detail
from dangvu.core.rulesets import ruleset_for
from dangvu.core.tally import Discrepancy, TallyError, TallyResult, compare_counts, parse_ballots_csv, tally
from dangvu.core.text import nfc
from dangvu.registry.indicators import count_members_by_org
from dangvu.registry.models import Member, Organization, Post, Transfer, TransferKind, TransferState

from .models import (
    AdjustmentKind,
    AppliesTo,
    ApportionmentLine,
    Ballot,
    BaseAdjustment,
    Candidate,
    CommentState,
    Congress,
    CongressKind,
    CountingTeam,
    DelegateApportionment,
    Draft,
    DraftComment,
    DraftKind,
    Election,
    Milestone,
    MilestoneStatus,
    MilestoneTemplate,
    Phase,
    Tally,
    TimelineTemplate,
)

COMMITTEE_ROLES = ("secretary", "deputy", "committee_member")


def _parent(org: Organization) -> Organization | None:
    return Organization.objects.get_parent(org)


def _subtree(org: Organization):
    return Organization.objects.filter(path__startswith=org.path)


# -- congress ---------------------------------------------------------------------------------

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
    parent = _parent(org)
    if parent is not None:
        siblings = (Congress.objects.filter(term=term, organization__path__startswith=parent.path,
                                            organization__depth=org.depth)
                    .exclude(organization=org).select_related("organization"))
        if exclude_pk:
            siblings = siblings.exclude(pk=exclude_pk)
        problems += rules.check_pilot_order(starts_on, ends_on, pilot, [
            rules.Sibling(s.organization.name, s.starts_on, s.ends_on, s.pilot) for s in siblings])
    return problems


@transaction.atomic
def save_congress(by, org: Organization, *, term: str, kind: str, starts_on: dt.date, ends_on: dt.date,
                  pilot: bool = False, campaign: TimelineTemplate | None = None, place: str = "",
                  note: str = "", congress: Congress | None = None) -> Congress:
    """Plan (or re-plan) the congress of ``org`` for ``term``."""
    ensure_can_edit(by, org)
    term = nfc(term).replace(" ", "")
    if not term:
        raise ServiceError("Nhiệm kỳ không được để trống (ví dụ 2025-2030).")
    if kind not in CongressKind.values:
        raise ServiceError("Hình thức đại hội không hợp lệ.")
    other = Congress.objects.filter(organization=org, term=term)
    if congress is not None:
        other = other.exclude(pk=congress.pk)
    if other.exists():
        raise ServiceError(f"{org.name} đã có đại hội nhiệm kỳ {term}.")
    problems = congress_problems(org, term=term, pilot=pilot, starts_on=starts_on, ends_on=ends_on,
                                 campaign=campaign, exclude_pk=congress.pk if congress else None)
    if problems:
        raise ServiceError(" ".join(problems))
    congress = congress or Congress(organization=org)
    for key, value in {"term": term, "kind": kind, "pilot": pilot, "starts_on": starts_on, "ends_on": ends_on,
                       "campaign": campaign, "place": nfc(place), "note": note}.items():
        setattr(congress, key, value)
    congress.save()
    return congress


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
                f"({rs.source('congress.committee_freeze_months')}).")


# -- timeline ---------------------------------------------------------------------------------

@transaction.atomic
def create_timeline(by, org: Organization, *, title: str, term: str, document_number: str = "",
                    issued_on: dt.date | None = None, window_start: dt.date | None = None,
                    window_end: dt.date | None = None, pilot_end: dt.date | None = None) -> TimelineTemplate:
    ensure_can_edit(by, org)
    if not nfc(title):
        raise ServiceError("Tên kế hoạch không được để trống.")
    if window_start and window_end and window_end < window_start:
        raise ServiceError("Ngày kết thúc đợt đại hội không thể trước ngày bắt đầu.")
    return TimelineTemplate.objects.create(
        organization=org, title=nfc(title), term=nfc(term).replace(" ", ""), document_number=nfc(document_number),
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
        raise ServiceError("Ngày kết thúc giai đoạn không thể trước ngày bắt đầu.")
    position = (template.phases.aggregate(m=Max("position"))["m"] or 0) + 1
    return Phase.objects.create(template=template, title=nfc(title), starts_on=starts_on, ends_on=ends_on,
                                position=position)


@transaction.atomic
def add_milestone_template(by, template: TimelineTemplate, *, title: str, deadline: dt.date,
                           applies_to: str = AppliesTo.ALL, kinds: Sequence[str] = (),
                           phase: Phase | None = None) -> MilestoneTemplate:
    ensure_can_edit(by, template.organization)
    if not nfc(title):
        raise ServiceError("Nội dung mốc thời gian không được để trống.")
    if applies_to not in AppliesTo.values:
        raise ServiceError("Phạm vi áp dụng không hợp lệ.")
    if phase is not None and phase.template_id != template.pk:
        raise ServiceError("Giai đoạn không thuộc kế hoạch này.")
    return MilestoneTemplate.objects.create(template=template, title=nfc(title), deadline=deadline,
                                            applies_to=applies_to, kinds=",".join(kinds), phase=phase)


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


@transaction.atomic
def apply_timeline(by, template: TimelineTemplate) -> int:
    """Create the milestones of the issuer and every live organization under it; run again after
    adding items or organizations, it only adds what is missing. Returns how many were created."""
    ensure_can_edit(by, template.organization)
    orgs = list(_subtree(template.organization).filter(dissolved_on__isnull=True).order_by("path"))
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
        raise ServiceError("Tình trạng không hợp lệ.")
    if status == MilestoneStatus.DONE and not done_on:
        raise ServiceError("Đã hoàn thành thì phải ghi ngày hoàn thành.")
    if status != MilestoneStatus.DONE:
        done_on = None
    if done_on and done_on > dt.date.today():
        raise ServiceError("Ngày hoàn thành không thể ở tương lai.")
    milestone.status, milestone.done_on, milestone.evidence = status, done_on, evidence
    if evidence_content is not None:
        milestone.evidence_name, milestone.evidence_content = evidence_name, evidence_content
    milestone.save()
    return milestone


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


def progress(template: TimelineTemplate, orgs: Iterable[Organization], today: dt.date | None = None) -> Progress:
    """Matrix organization × milestone of the campaign, over ``orgs`` (already scoped by the caller).
    Overdue: the deadline has passed and the milestone is not done."""
    today = today or dt.date.today()
    items = list(template.items.all())
    orgs = list(orgs)
    by_key = {(m.item_id, m.organization_id): m for m in
              Milestone.objects.filter(item__template=template, organization__in=orgs)}
    rows = []
    for org in orgs:
        cells, late = [], 0
        for item in items:
            m = by_key.get((item.pk, org.pk))
            if m is None:
                state = "na"
            elif m.status == MilestoneStatus.DONE:
                state = "late_done" if m.done_on and m.done_on > m.deadline else "done"
            elif m.deadline < today:
                state = "overdue"
                late += 1
            else:
                state = m.status
            cells.append(ProgressCell(m, state))
        if any(c.milestone for c in cells):
            rows.append((org, cells, late))
    return Progress(items, rows)


# -- apportionment ----------------------------------------------------------------------------

def ex_officio(org: Organization, on: dt.date | None = None) -> list[Post]:
    """Delegates by right: the convening committee's current members (secretary, deputies, members)."""
    on = on or dt.date.today()
    return list(Post.objects.filter(organization=org, role__in=COMMITTEE_ROLES, started_on__lte=on)
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
                .select_related("member").order_by("role", "member__name_folded"))


def member_counts(orgs: Sequence[Organization]) -> dict[int, int]:
    """Active members (probationary, full, exempt) under each organization, from the registry."""
    return count_members_by_org(orgs)


@transaction.atomic
def save_apportionment(by, congress: Congress, orgs: Sequence[Organization], *, seats: int, minimum: int,
                       note: str = "") -> DelegateApportionment:
    """Apportion ``seats`` delegates among ``orgs`` (each under the congress's organization) with at
    least ``minimum`` each, by largest remainder on active members (core.apportion)."""
    ensure_can_edit(by, congress.organization)
    root = congress.organization
    for org in orgs:
        if org.pk == root.pk or not org.path.startswith(root.path):
            raise ServiceError(f"{org.name} không trực thuộc {root.name}.")
        if any(o.pk != org.pk and org.path.startswith(o.path) for o in orgs):
            raise ServiceError(f"{org.name} nằm trong một tổ chức khác đã chọn; không tính hai lần.")
    counts = member_counts(orgs)
    try:
        lines = apportion_detail([(o.code, counts.get(o.pk, 0)) for o in orgs], seats, minimum)
    except ApportionError as exc:
        raise ServiceError(str(exc)) from exc
    posts = ex_officio(root)
    record = DelegateApportionment.objects.create(
        congress=congress, seats=seats, minimum=minimum, counted_on=dt.date.today(), note=note,
        created_by=acting_user(by),
        ex_officio=[{"member_id": p.member_id, "name": p.member.full_name, "role": p.get_role_display()}
                    for p in posts])
    by_code = {o.code: o for o in orgs}
    for position, line in enumerate(lines):
        ApportionmentLine.objects.create(
            apportionment=record, organization=by_code[line.code], members=line.members, minimum=line.minimum,
            base=line.base, extra=line.extra, remainder=line.remainder, seats=line.seats, position=position)
    return record


# -- drafts -----------------------------------------------------------------------------------

@transaction.atomic
def add_draft(by, congress: Congress, *, kind: str, issued_on: dt.date, summary: str = "",
              file_name: str = "", content: bytes | None = None) -> Draft:
    """The next numbered version (lần 1, 2, 3…) of a congress document."""
    ensure_can_edit(by, congress.organization)
    if kind not in DraftKind.values:
        raise ServiceError("Loại văn kiện không hợp lệ.")
    previous = Draft.objects.filter(congress=congress, kind=kind).order_by("-version").first()
    if previous and issued_on < previous.issued_on:
        raise ServiceError(f"Dự thảo lần {previous.version + 1} không thể trước dự thảo lần {previous.version} "
                           f"({previous.issued_on:%d/%m/%Y}).")
    return Draft.objects.create(congress=congress, kind=kind, version=(previous.version + 1) if previous else 1,
                                issued_on=issued_on, summary=summary, file_name=file_name, content=content)


@transaction.atomic
def add_comment(by, draft: Draft, *, received_on: dt.date, text: str, source_org: Organization | None = None,
                source_name: str = "") -> DraftComment:
    ensure_can_edit(by, draft.congress.organization)
    if not nfc(text):
        raise ServiceError("Nội dung góp ý không được để trống.")
    if not source_org and not nfc(source_name):
        raise ServiceError("Ghi tổ chức hoặc hội nghị góp ý.")
    if received_on < draft.issued_on:
        raise ServiceError(f"Ngày nhận góp ý không thể trước ngày phát hành dự thảo ({draft.issued_on:%d/%m/%Y}).")
    return DraftComment.objects.create(draft=draft, received_on=received_on, text=nfc(text), source_org=source_org,
                                       source_name=nfc(source_name))


@transaction.atomic
def answer_comment(by, comment: DraftComment, *, state: str, response: str = "") -> DraftComment:
    ensure_can_edit(by, comment.draft.congress.organization)
    if state not in CommentState.values:
        raise ServiceError("Cách xử lý không hợp lệ.")
    if state == CommentState.EXPLAINED and not nfc(response):
        raise ServiceError("Giải trình thì phải ghi nội dung giải trình.")
    comment.state, comment.response = state, nfc(response)
    comment.save()
    return comment


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
    full = Member.objects.filter(organization__path__startswith=org.path, status="full")
    away = set(Transfer.objects.filter(kind=TransferKind.TEMPORARY, state=TransferState.CONFIRMED,
                                       member__in=full).exclude(to_org__path__startswith=org.path)
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


def computed_base(election: Election) -> int:
    if election.base_kind == CongressKind.DELEGATES:
        return max(0, (election.delegates_convened or 0) - (election.delegates_absent or 0))
    adjustments = election.adjustments.select_related("member__organization") if election.pk else []
    return members_base(election.congress.organization, adjustments).value


def _refresh_base(election: Election) -> None:
    election.base_computed = computed_base(election)
    if not election.base_reason:
        election.base = election.base_computed


@transaction.atomic
def create_election(by, congress: Congress, *, title: str, seats: int, held_on: dt.date, base_kind: str = "",
                    delegates_convened: int | None = None, delegates_absent: int | None = None,
                    issued: int | None = None, counting_board: str = "", round: int = 1) -> Election:
    ensure_can_edit(by, congress.organization)
    if not nfc(title):
        raise ServiceError("Nội dung bầu không được để trống.")
    if seats < 1:
        raise ServiceError("Số lượng cần bầu phải từ 1 trở lên.")
    base_kind = base_kind or congress.kind
    if base_kind == CongressKind.DELEGATES and not delegates_convened:
        raise ServiceError("Đại hội đại biểu: ghi số đại biểu được triệu tập.")
    election = Election(congress=congress, title=nfc(title), seats=seats, held_on=held_on, base_kind=base_kind,
                        delegates_convened=delegates_convened, delegates_absent=delegates_absent, issued=issued,
                        counting_board=counting_board, round=round, base=0, base_computed=0)
    _refresh_base(election)
    election.save()
    return election


def _require_open(election: Election) -> None:
    if election.tallies.exists():
        raise ServiceError("Đã có kết quả kiểm phiếu chính thức; không sửa dữ liệu bầu cử được nữa.")


@transaction.atomic
def add_adjustment(by, election: Election, member: Member, kind: str, note: str = "") -> BaseAdjustment:
    """Exclude a member from the base (suspended, prosecuted, absent with reason), or count an
    exempt member who is present."""
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    if election.base_kind != CongressKind.MEMBERS:
        raise ServiceError("Chỉ đại hội đảng viên mới tính cơ sở theo danh sách đảng viên.")
    if not member.organization.path.startswith(election.congress.organization.path):
        raise ServiceError("Đảng viên không thuộc đảng bộ, chi bộ tổ chức đại hội.")
    if kind not in AdjustmentKind.values:
        raise ServiceError("Trường hợp không hợp lệ.")
    if kind == AdjustmentKind.EXEMPT_PRESENT and member.status != "exempt":
        raise ServiceError(f"{member.full_name} không thuộc diện miễn sinh hoạt.")
    if kind != AdjustmentKind.EXEMPT_PRESENT and member.status != "full":
        raise ServiceError(f"{member.full_name} không phải đảng viên chính thức nên vốn không được tính.")
    if election.adjustments.filter(member=member).exists():
        raise ServiceError(f"{member.full_name} đã có trong danh sách điều chỉnh.")
    adj = BaseAdjustment.objects.create(election=election, member=member, kind=kind, note=note)
    _refresh_base(election)
    election.save()
    return adj


@transaction.atomic
def set_base(by, election: Election, base: int, reason: str = "") -> Election:
    """Set the base by hand; a figure other than the computed one needs a recorded reason."""
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    election.base_computed = computed_base(election)
    if base < 1:
        raise ServiceError("Cơ sở tính phải từ 1 trở lên.")
    if base != election.base_computed and not nfc(reason):
        raise ServiceError(f"Cơ sở tính theo dữ liệu là {election.base_computed}; muốn dùng {base} phải ghi lý do.")
    election.base = base
    election.base_reason = nfc(reason) if base != election.base_computed else ""
    election.save()
    return election


# -- elections: candidates, teams, ballots ------------------------------------------------------

@transaction.atomic
def set_candidates(by, election: Election, names: Sequence[str]) -> list[Candidate]:
    """The list in ballot order (replaces the previous list while no ballot is entered)."""
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    names = [nfc(n) for n in names if nfc(n)]
    if not names:
        raise ServiceError("Danh sách bầu cử không có ai.")
    longest = Candidate._meta.get_field("name").max_length
    if any(len(n) > longest for n in names):
        raise ServiceError(f"Mỗi tên trong danh sách bầu cử dài tối đa {longest} ký tự.")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ServiceError(f"Tên bị trùng trong danh sách: {', '.join(dupes)}.")
    if Ballot.objects.filter(team__election=election).exists() or \
            election.teams.filter(totals__isnull=False).exists():
        raise ServiceError("Các tổ đã nhập phiếu; không đổi danh sách được nữa.")
    election.candidates.all().delete()
    members = {m.full_name: m for m in Member.objects.filter(
        organization__path__startswith=election.congress.organization.path, full_name__in=names)}
    return [Candidate.objects.create(election=election, name=n, position=i, member=members.get(n))
            for i, n in enumerate(names, start=1)]


def candidate_names(election: Election) -> list[str]:
    return list(election.candidates.order_by("position").values_list("name", flat=True))


@transaction.atomic
def add_team(by, election: Election, name: str) -> CountingTeam:
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    name = nfc(name)
    if not name:
        raise ServiceError("Tên tổ kiểm phiếu không được để trống.")
    if election.teams.filter(name=name).exists():
        raise ServiceError(f"Đã có tổ “{name}”.")
    position = (election.teams.aggregate(m=Max("position"))["m"] or 0) + 1
    return CountingTeam.objects.create(election=election, name=name, position=position)


@transaction.atomic
def enter_ballots(by, team: CountingTeam, ballots: Sequence[Sequence[bool]]) -> list[Ballot]:
    """Append ballots as the team reads them (kept flags in ballot order)."""
    election = team.election
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    size = election.candidates.count()
    if not size:
        raise ServiceError("Chưa có danh sách bầu cử.")
    if team.totals is not None:
        raise ServiceError("Tổ này đã nhập số tổng hợp; xóa số tổng hợp trước khi nhập từng phiếu.")
    if not ballots:
        raise ServiceError("Chưa nhập phiếu nào.")
    start = (team.ballots.aggregate(m=Max("number"))["m"] or 0) + 1
    made = []
    for offset, kept in enumerate(ballots):
        if len(kept) != size:
            raise ServiceError(f"Phiếu thứ {offset + 1} có {len(kept)} ô, danh sách có {size} người.")
        made.append(Ballot.objects.create(team=team, number=start + offset, kept=[bool(k) for k in kept]))
    return made


@transaction.atomic
def import_ballots_csv(by, team: CountingTeam, text: str) -> list[Ballot]:
    """Ballots from a CSV in the ``dangvu tally`` format (header of names, one 0/1 row per ballot)."""
    try:
        parsed = parse_ballots_csv(text, candidate_names(team.election))
    except TallyError as exc:
        raise ServiceError(str(exc)) from exc
    return enter_ballots(by, team, [b.kept for b in parsed])


@transaction.atomic
def delete_ballot(by, ballot: Ballot) -> None:
    election = ballot.team.election
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    ballot.delete()


@transaction.atomic
def set_team_totals(by, team: CountingTeam, figures: Mapping[str, int] | None) -> CountingTeam:
    """A team's per-candidate totals (and ballots/valid/invalid) when it does not enter every ballot;
    None clears them."""
    election = team.election
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    if figures is not None:
        if team.ballots.exists():
            raise ServiceError("Tổ này đã nhập từng phiếu; số tổng hợp được tính từ các phiếu đó.")
        expected = ["ballots", "valid", "invalid", *candidate_names(election)]
        missing = [k for k in expected if k not in figures]
        if missing:
            raise ServiceError(f"Thiếu số liệu: {', '.join(missing)}.")
        if any(int(figures[k]) < 0 for k in expected):
            raise ServiceError("Số liệu không được âm.")
        if int(figures["valid"]) + int(figures["invalid"]) != int(figures["ballots"]):
            raise ServiceError("Số phiếu hợp lệ cộng không hợp lệ phải bằng số phiếu thu về.")
        figures = {k: int(figures[k]) for k in expected}
    team.totals = figures
    team.save()
    return team


def _count(election: Election, kept: Iterable[Sequence[bool]]) -> TallyResult:
    try:
        return tally(candidate_names(election), kept, election.seats, election.base, on=election.held_on,
                     issued=election.issued)
    except TallyError as exc:
        raise ServiceError(str(exc)) from exc


def team_result(team: CountingTeam) -> TallyResult | None:
    kept = [b.kept for b in team.ballots.order_by("number")]
    return _count(team.election, kept) if kept else None


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


@transaction.atomic
def count_election(by, election: Election) -> Tally:
    """The official count, from the stored ballots of the first team that entered ballots, once
    every team's figures agree. Every step is kept with the result (and in the audit log)."""
    ensure_can_edit(by, election.congress.organization)
    election = Election.objects.select_for_update().get(pk=election.pk)
    if election.tallies.exists():
        raise ServiceError("Đã kiểm phiếu chính thức; muốn đếm lại hãy dùng “Kiểm lại từ phiếu đã lưu”.")
    figures, discrepancies = compare_teams(election)
    if len(figures) < 2:
        raise ServiceError("Cần số liệu của ít nhất hai tổ kiểm phiếu để đối chiếu trước khi công bố kết quả.")
    if discrepancies:
        raise ServiceError("Số liệu các tổ chưa khớp: " + " ".join(d.message for d in discrepancies))
    source = next((t for t in election.teams.all() if t.ballots.exists()), None)
    if source is None:
        raise ServiceError("Kết quả chính thức được tính từ phiếu đã lưu: cần ít nhất một tổ nhập từng phiếu.")
    return _save_tally(by, election, source, number=1, previous=None)


@transaction.atomic
def recount(by, election: Election) -> Tally:
    """Count again from the same stored ballots; the result must equal the first count."""
    ensure_can_edit(by, election.congress.organization)
    election = Election.objects.select_for_update().get(pk=election.pk)
    first = election.tallies.order_by("number").first()
    if first is None:
        raise ServiceError("Chưa có kết quả kiểm phiếu chính thức để kiểm lại.")
    last = election.tallies.order_by("-number").first()
    return _save_tally(by, election, first.source_team, number=last.number + 1, previous=first)


def _save_tally(by, election: Election, team: CountingTeam, number: int, previous: Tally | None) -> Tally:
    result = team_result(team)
    if result is None:
        raise ServiceError(f"{team.name} không còn phiếu nào đã lưu.")
    data = result.to_dict()
    return Tally.objects.create(
        election=election, number=number, source_team=team, candidates=list(result.candidates),
        base=election.base, issued=election.issued, result=data, steps=list(result.steps),
        matches_previous=None if previous is None else data == previous.result, created_by=acting_user(by))


def official_tally(election: Election) -> Tally | None:
    return election.tallies.order_by("number").first()
