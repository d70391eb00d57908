"""The pages ``dangvu bench --web`` opens, with real ids from the data set, per role.

Each GET page of the site (the access matrix's table, ``tests/test_access_matrix.py``, minus file
downloads, API and POST-only URLs) is listed here by URL name with the kind of object each URL
argument names. :func:`page_urls` fills the arguments with an object of that kind found inside the
role's organization (the newest one), so the bench opens the same pages a user of that role would.
``tests/test_web_bench.py`` checks that every page the phone and query tests open
(``allowed_pages``) is listed here, so a new page cannot be left out of the bench.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from dangvu.registry.models import Member, Organization

# URL name → the kinds of its arguments ("=x" is the literal x). Order: the access matrix's.
PAGES: dict[str, tuple[str, ...]] = {
    "home": (), "audit_log": (), "accounts:password_change": (), "accounts:user_list": (),
    "accounts:reset_password": ("user",),
    "registry:org_tree": (), "registry:member_list": (), "registry:transfer_list": (),
    "registry:import_start": (),
    "registry:org_detail": ("org",), "registry:org_edit": ("org",), "registry:org_create": ("org",),
    "registry:working_rules_add": ("org",), "registry:post_add": ("org",), "registry:locality_add": ("org",),
    "registry:locality_edit": ("locality_org", "locality"), "registry:member_add": ("org", "=ket-nap"),
    "registry:post_end": ("post",),
    "registry:member_detail": ("member",), "registry:member_edit": ("member",),
    "registry:member_event": ("member", "=exempt"), "registry:member_record": ("member", "=phan-cong"),
    "registry:transfer_action": ("transfer", "transfer_action"), "registry:import_preview": ("batch",),
    "meetings:home": (), "meetings:frameworks": (), "meetings:org_meetings": ("org",),
    "meetings:meeting_create": ("cell",), "meetings:meeting_detail": ("meeting",),
    "meetings:meeting_edit": ("meeting",), "meetings:meeting_delete": ("meeting",),
    "meetings:meeting_attendance": ("meeting",), "meetings:meeting_score": ("meeting",),
    "meetings:study_list": ("org",), "meetings:study_create": ("org",), "meetings:study_detail": ("study",),
    "meetings:study_attendance": ("study",),
    "congress:congress_list": (), "congress:congress_add": ("org",), "congress:congress_detail": ("congress",),
    "congress:congress_edit": ("congress",), "congress:timeline_add": ("org",),
    "congress:timeline_detail": ("timeline",), "congress:phase_add": ("timeline",),
    "congress:item_add": ("timeline",), "congress:timeline_apply": ("timeline",), "congress:progress": ("timeline",),
    "congress:milestone_edit": ("milestone",), "congress:apportion": ("congress",),
    "congress:apportionment_detail": ("apportionment",), "congress:draft_add": ("congress",),
    "congress:draft_detail": ("draft",), "congress:comment_add": ("draft",), "congress:comment_answer": ("comment",),
    "congress:election_add": ("congress",), "congress:election_detail": ("election",),
    "congress:election_base": ("election",), "congress:adjustment_add": ("election",),
    "congress:team_add": ("election",), "congress:team_entry": ("team",), "congress:election_lists": ("election",),
    "congress:total_correct": ("team", "=valid"), "congress:totals_clear": ("team",),
    "congress:ballot_delete": ("ballot_team", "ballot"), "congress:tally_run": ("election",),
    "congress:tally_detail": ("tally",),
    "evaluation:home": (), "evaluation:org_rounds": ("org",), "evaluation:round_open": ("org",),
    "evaluation:round_detail": ("round",), "evaluation:round_finalise": ("open_round",),
    "evaluation:round_publish": ("finalised_round",), "evaluation:round_published": ("published_round",),
    "evaluation:evaluation_self": ("evaluation",), "evaluation:evaluation_proposal": ("evaluation",),
    "evaluation:cell_proposals": ("open_round", "round_cell"), "evaluation:evaluation_decision": ("evaluation",),
    "admission:home": (), "admission:pipeline": ("org",), "admission:prospect_create": ("cell",),
    "admission:quota_edit": ("org",), "admission:prospect_detail": ("prospect",),
    "admission:prospect_edit": ("prospect",), "admission:prospect_step": ("prospect", "prospect_step"),
    "plans:plan_list": (), "plans:plan_upload": ("org",), "plans:plan_dashboard": ("plan",),
    "plans:plan_review": ("draft_plan",), "plans:plan_edit": ("plan",), "plans:plan_tasks": ("plan",),
    "plans:plan_cascade": ("plan",), "plans:target_edit": ("target",), "plans:target_detail": ("target",),
    "plans:measurement_add": ("target",), "plans:task_edit": ("task",), "plans:task_update": ("task",),
    "plans:plan_discard": ("draft_plan",), "plans:target_add": ("draft_plan",), "plans:target_delete": ("target",),
    "plans:task_add": ("draft_plan",), "plans:task_delete": ("task",),
    "alerts:list": (), "alerts:org": ("org",),
    "registry:org_stats": ("org",),
    "fees:book": ("cell", "fee_year", "fee_month"), "fees:correct": ("payment",), "fees:member_fees": ("member",),
    "fees:basis_set": ("member",), "fees:import_start": ("cell",), "fees:import_preview": ("fee_batch",),
    "fees:import_confirm": ("fee_batch",), "fees:remittances": ("org",),
    "honours:badges": ("org",), "honours:badge_decide": ("org",), "honours:org_commendations": ("org",),
    "honours:org_commendation_add": ("org",), "honours:member_commendations": ("member",),
    "honours:member_commendation_add": ("member",),
    "inspection:org_programmes": ("org",), "inspection:programme_add": ("org",),
    "inspection:programme_detail": ("insp_programme",), "inspection:item_add": ("insp_programme",),
    "inspection:programme_load": ("insp_programme",), "inspection:item_detail": ("insp_item",),
    "inspection:item_start": ("insp_item",), "inspection:item_report": ("insp_item",),
    "inspection:item_conclude": ("insp_item",), "inspection:recommendation_add": ("insp_item",),
    "inspection:recommendation_done": ("insp_rec",),
    "periodic_report": ("org",),
    "registry:special_add": ("member", "=lam-an-xa"), "registry:special_end": ("special",),
    "meetings:group_meetings": ("group",), "meetings:group_meeting_create": ("group",),
    "classification:overview": ("org",), "classification:cell": ("cell",),
    "honours:exemplary": ("org",),
    "letters:list": ("org",), "letters:add": ("org",), "letters:detail": ("letter",), "letters:close": ("letter",),
    "discipline:org_cases": ("org",), "discipline:open_case": ("member",), "discipline:case_detail": ("case",),
    "discipline:case_step": ("case", "=tu-kiem-diem"),
    "channel:home": (), "channel:cell": (), "channel:email": (), "channel:feeds": (),
    "channel:self_assess": ("own_evaluation",), "channel:notice_list": (), "channel:notice_detail": ("notice",),
    "channel:notice_create": ("org",),
    "exchange:upload": ("org",), "exchange:preview": ("exchange_upload",),
}
# The step a prospect at each stage takes next (the admission step page's variant).
NEXT_STEP = {"source": "hoc-lop", "course": "tham-tra", "vetted": "nghi-quyet", "cell_resolved": "quyet-dinh",
             "decided": "ket-nap"}


@dataclass
class Scope:
    """Where a role looks: its organization, and for the member role its own record."""

    user: User
    org: Organization
    member: Member | None = None  # the member role's own record
    other_user: User | None = None  # a login the admin's account pages may open


def _first(qs: Any) -> Any:
    return qs.order_by("-pk").first()


def _finders(scope: Scope) -> dict[str, Callable[[], Any]]:
    """Kind → a function giving (the newest) object of that kind inside the scope, or None."""
    from dangvu.admission.models import OPEN_STAGES, Prospect
    from dangvu.congress import models as cm
    from dangvu.evaluation.models import Evaluation, EvaluationRound
    from dangvu.fees.models import FeePayment, PaymentKind
    from dangvu.meetings.models import Meeting, StudySession
    from dangvu.plans.models import Plan, Target, Task
    from dangvu.registry.models import CELL_KINDS, ImportBatch, Locality, Member, Organization, Post, Transfer

    org, path = scope.org, scope.org.path
    inside = {"organization__path__startswith": path}
    rnd = lambda state=None: _first(EvaluationRound.objects.filter(  # noqa: E731
        **inside, **({"state": state} if state else {})))
    cell = lambda: org if org.kind in CELL_KINDS else _first(  # noqa: E731
        Organization.objects.filter(path__startswith=path, kind__in=CELL_KINDS))
    return {
        "org": lambda: org,
        "cell": cell,
        "user": lambda: scope.other_user,
        "member": lambda: scope.member or _first(Member.objects.in_subtree(org).active()),
        "locality": lambda: _first(Locality.objects.filter(**inside)),
        "post": lambda: _first(Post.objects.filter(**inside, ended_on__isnull=True)),
        "transfer": lambda: _first(Transfer.objects.filter(from_org__path__startswith=path, state="pending")),
        "batch": lambda: _first(ImportBatch.objects.filter(scope__path__startswith=path).exclude(kind="fee_book")),
        "fee_batch": lambda: _first(ImportBatch.objects.filter(scope__path__startswith=path, kind="fee_book")),
        "payment": lambda: _first(FeePayment.objects.filter(book__organization__path__startswith=path,
                                                            kind=PaymentKind.PAYMENT)),
        "meeting": lambda: _first(Meeting.objects.filter(**inside)),
        "study": lambda: _first(StudySession.objects.filter(**inside)),
        "congress": lambda: _first(cm.Congress.objects.filter(**inside)),
        "timeline": lambda: _first(cm.TimelineTemplate.objects.filter(**inside)),
        "milestone": lambda: _first(cm.Milestone.objects.filter(**inside)),
        "apportionment": lambda: _first(cm.DelegateApportionment.objects.filter(congress__organization__path__startswith=path)),
        "draft": lambda: _first(cm.Draft.objects.filter(congress__organization__path__startswith=path)),
        "comment": lambda: _first(cm.DraftComment.objects.filter(draft__congress__organization__path__startswith=path)),
        "election": lambda: _first(cm.Election.objects.filter(congress__organization__path__startswith=path)),
        "team": lambda: _first(cm.CountingTeam.objects.filter(election__congress__organization__path__startswith=path)),
        "ballot": lambda: _first(cm.Ballot.objects.filter(team__election__congress__organization__path__startswith=path)),
        "tally": lambda: _first(cm.Tally.objects.filter(election__congress__organization__path__startswith=path)),
        "round": rnd,
        "open_round": lambda: rnd("open"),
        "finalised_round": lambda: rnd("finalised"),
        "published_round": lambda: rnd("published"),
        "evaluation": lambda: _first(Evaluation.objects.filter(round__organization__path__startswith=path,
                                                               round__state="open", unit__path__startswith=path)),
        "prospect": lambda: _first(Prospect.objects.filter(**inside, stage__in=OPEN_STAGES)),
        "plan": lambda: _first(Plan.objects.filter(issuer__path__startswith=path, state="active")),
        "draft_plan": lambda: _first(Plan.objects.filter(issuer__path__startswith=path, state="draft")),
        "target": lambda: _first(Target.objects.filter(plan__issuer__path__startswith=path, plan__state="active")),
        "task": lambda: _first(Task.objects.filter(plan__issuer__path__startswith=path, plan__state="active")),
    } | _later_finders(scope)


def _later_finders(scope: Scope) -> dict[str, Callable[[], Any]]:
    """The kinds of the apps added with issues 16–18 (inspection, letters, discipline, the channel,
    the exchange), special statuses and party groups."""
    from dangvu.channel.models import Notice
    from dangvu.discipline.models import DisciplineCase
    from dangvu.evaluation.models import Evaluation
    from dangvu.exchange.models import ExchangeUpload
    from dangvu.inspection.models import Inspection, Programme, Recommendation
    from dangvu.letters.models import Letter
    from dangvu.registry.models import Organization, SpecialStatus

    path = scope.org.path
    inside = {"organization__path__startswith": path}
    return {
        "insp_programme": lambda: _first(Programme.objects.filter(**inside)),
        "insp_item": lambda: _first(Inspection.objects.filter(programme__organization__path__startswith=path)),
        "insp_rec": lambda: _first(Recommendation.objects.filter(
            inspection__programme__organization__path__startswith=path)),
        "special": lambda: _first(SpecialStatus.objects.filter(member__organization__path__startswith=path)),
        "group": lambda: _first(Organization.objects.filter(path__startswith=path, kind="group")),
        "letter": lambda: _first(Letter.objects.filter(**inside)),
        "case": lambda: _first(DisciplineCase.objects.filter(member__organization__path__startswith=path)),
        "notice": lambda: _first(Notice.objects.filter(**inside)),
        "exchange_upload": lambda: _first(ExchangeUpload.objects.filter(scope__path__startswith=path)),
        "own_evaluation": lambda: scope.member and _first(Evaluation.objects.filter(
            member=scope.member, round__state="open")),
    }


def _arg(kind: str, obj: Any) -> Any:
    """The URL argument an object stands for: organizations by code, everything else by pk."""
    from dangvu.registry.models import Organization

    return obj.code if isinstance(obj, Organization) else obj.pk


def _round_cell(rnd: Any, path: str) -> str | None:
    """The code of a unit (cell) of ``rnd`` inside the scope: the round's one-cell proposals page."""
    evaluation = rnd and _first(rnd.evaluations.filter(unit__path__startswith=path).select_related("unit"))
    return evaluation.unit.code if evaluation else None


def page_urls(scope: Scope, names: list[str] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """``({url name: URL}, {url name: why left out})`` for the pages of :data:`PAGES` (or ``names``)
    whose arguments have an object inside ``scope``."""
    from django.urls import reverse

    from dangvu.core import clock

    finders = _finders(scope)
    found: dict[str, Any] = {}

    def get(kind: str) -> Any:
        if kind not in found:
            found[kind] = finders[kind]()
        return found[kind]

    derived: dict[str, Callable[[], Any]] = {  # arguments taken from another argument's object
        "locality_org": lambda: get("locality") and get("locality").organization.code,
        "transfer_action": lambda: get("transfer") and "huy",
        "ballot_team": lambda: get("ballot") and get("ballot").team_id,
        "round_cell": lambda: _round_cell(get("open_round"), scope.org.path),
        "prospect_step": lambda: get("prospect") and NEXT_STEP.get(get("prospect").stage),
        "fee_year": lambda: clock.today().year,  # this month's book (a later one has none yet)
        "fee_month": lambda: clock.today().month,
    }
    urls: dict[str, str] = {}
    missing: dict[str, str] = {}
    for name in names or PAGES:
        args = []
        for kind in PAGES[name]:
            if kind.startswith("="):
                value = kind[1:]
            elif kind in derived:
                value = derived[kind]()
            else:
                obj = get(kind)
                value = _arg(kind, obj) if obj is not None else None
            if value is None:
                missing[name] = f"không có {kind} trong phạm vi"
                break
            args.append(value)
        else:
            urls[name] = reverse(name, args=args)
    return urls, missing
