"""Congress pages: congresses and their campaign timeline, milestones and progress, delegate
apportionment, drafts and comments, elections with counting teams, the count and its minutes.

Every lookup is scoped by the user's :class:`~dangvu.accounts.access.Access`: an object whose
organization is outside the read subtree answers 404; an edit form for a read-only role 403.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dangvu.accounts.audit import log_export
from dangvu.common import ServiceError
from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import fold
from dangvu.registry.models import Member, Organization
from dangvu.web.views_util import access, require_edit, service_form

from . import documents
from . import forms as f
from . import services as s
from .models import (
    Ballot,
    Congress,
    CountingTeam,
    DelegateApportionment,
    Draft,
    DraftComment,
    Election,
    Milestone,
    Tally,
    TimelineTemplate,
)

FORM_METHODS = require_http_methods(["GET", "POST"])


def _get(acc, qs: QuerySet, pk: int, org_field: str, what: str) -> Model:
    """``qs`` object ``pk`` whose organization (``org_field``) is in the user's read scope, else 404."""
    obj = qs.filter(**{f"{org_field}__in": acc.orgs()}, pk=pk).first()
    if obj is None:
        raise Http404(f"Không tìm thấy {what}.")
    return obj


def _congress(acc, pk: int) -> Congress:
    return _get(acc, Congress.objects.select_related("organization", "campaign"), pk, "organization", "đại hội")


def _timeline(acc, pk: int) -> TimelineTemplate:
    return _get(acc, TimelineTemplate.objects.select_related("organization"), pk, "organization",
                "kế hoạch đại hội")


def _election(acc, pk: int) -> Election:
    return _get(acc, Election.objects.select_related("congress__organization"), pk, "congress__organization",
                "cuộc bầu cử")


def _file_response(content: bytes, filename: str, mime: str) -> HttpResponse:
    response = HttpResponse(content, content_type=mime)
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", fold(filename)) or "tep"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


def _congress_url(congress: Congress) -> str:
    return reverse("congress:congress_detail", args=[congress.pk])


def _election_url(election: Election) -> str:
    return reverse("congress:election_detail", args=[election.pk])


# -- congresses -------------------------------------------------------------------------------

@login_required
def congress_list(request: HttpRequest) -> HttpResponse:
    acc = access(request)
    if not acc.sees_registry:
        raise Http404("Bạn chưa được phân quyền xem tổ chức nào.")
    orgs = acc.orgs()
    today = dt.date.today()
    overdue = (Milestone.objects.filter(organization__in=orgs, deadline__lt=today).exclude(status="done")
               .select_related("organization").order_by("deadline")[:50])
    return render(request, "congress/congress_list.html", {
        "congresses": Congress.objects.filter(organization__in=orgs).select_related("organization")
        .order_by("-term", "starts_on")[:500],
        "timelines": TimelineTemplate.objects.filter(organization__in=orgs).select_related("organization")[:200],
        "overdue": overdue,
        "editable": acc.editable_orgs().order_by("path")[:300],
    })


def _campaigns(org: Organization) -> QuerySet[TimelineTemplate]:
    ancestors = [org.path[:i] for i in range(Organization.steplen, len(org.path) + 1, Organization.steplen)]
    return TimelineTemplate.objects.filter(organization__path__in=ancestors).order_by("-term", "-id")


@login_required
@FORM_METHODS
def congress_add(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    kind = "members" if org.kind in ("cell", "grassroots_cell", "group") else "delegates"
    form = f.CongressForm(request.POST or None, campaigns=_campaigns(org), initial={"kind": kind})
    return service_form(request, form, {"title": f"Đại hội — {org.name}", "org": org},
                        lambda d: s.save_congress(request.user, org, **d), "Đã ghi kế hoạch đại hội.", _congress_url)


@login_required
@FORM_METHODS
def congress_edit(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    congress = _congress(acc, pk)
    org = congress.organization
    require_edit(acc, org)
    initial = {k: getattr(congress, k) for k in ("term", "kind", "pilot", "campaign", "starts_on", "ends_on",
                                                  "place", "note")}
    form = f.CongressForm(request.POST or None, campaigns=_campaigns(org), initial=initial)
    return service_form(request, form, {"title": f"Sửa kế hoạch đại hội — {org.name}", "org": org},
                        lambda d: s.save_congress(request.user, org, congress=congress, **d), "Đã lưu.",
                        _congress_url)


@login_required
def congress_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    congress = _congress(acc, pk)
    org = congress.organization
    rs = ruleset_for(congress.starts_on)
    return render(request, "congress/congress_detail.html", {
        "congress": congress, "org": org, "can_edit": acc.can_edit_org(org),
        "problems": s.congress_problems(org, term=congress.term, pilot=congress.pilot,
                                        starts_on=congress.starts_on, ends_on=congress.ends_on,
                                        campaign=congress.campaign, exclude_pk=congress.pk),
        "freeze_from": s.rules.freeze_starts(congress.starts_on, rs),
        "freeze_months": rs["congress.committee_freeze_months"],
        "apportionments": congress.apportionments.all(),
        "drafts": congress.drafts.all(),
        "elections": congress.elections.all(),
        "milestones": Milestone.objects.filter(organization=org).order_by("deadline"),
        "today": dt.date.today(),
    })


# -- timeline ---------------------------------------------------------------------------------

@login_required
@FORM_METHODS
def timeline_add(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    form = f.TimelineForm(request.POST or None, request.FILES or None)

    def act(d):
        plan = d.pop("plan")
        if plan is not None:
            return s.timeline_from_plan(request.user, org, plan, term=d.get("term") or "")
        return s.create_timeline(request.user, org, **d)

    return service_form(request, form, {"title": f"Kế hoạch đại hội — {org.name}", "org": org, "multipart": True},
                        act, "Đã lưu kế hoạch đại hội.",
                        lambda t: reverse("congress:timeline_detail", args=[t.pk]), template="congress/form.html")


@login_required
def timeline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    template = _timeline(acc, pk)
    return render(request, "congress/timeline_detail.html", {
        "template": template, "org": template.organization, "can_edit": acc.can_edit_org(template.organization),
        "phases": template.phases.all(), "items": template.items.select_related("phase"),
        "applied": Milestone.objects.filter(item__template=template).count(),
    })


@login_required
@FORM_METHODS
def phase_add(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    template = _timeline(acc, pk)
    require_edit(acc, template.organization)
    form = f.PhaseForm(request.POST or None)
    url = reverse("congress:timeline_detail", args=[template.pk])
    return service_form(request, form, {"title": f"Thêm giai đoạn — {template.title}", "org": template.organization},
                        lambda d: s.add_phase(request.user, template, **d), "Đã thêm giai đoạn.", url)


@login_required
@FORM_METHODS
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    template = _timeline(acc, pk)
    require_edit(acc, template.organization)
    form = f.MilestoneTemplateForm(request.POST or None, phases=template.phases.all())
    url = reverse("congress:timeline_detail", args=[template.pk])
    return service_form(request, form, {"title": f"Thêm mốc thời gian — {template.title}",
                                        "org": template.organization},
                        lambda d: s.add_milestone_template(request.user, template, **d), "Đã thêm mốc thời gian.", url)


@login_required
@FORM_METHODS
def timeline_apply(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    template = _timeline(acc, pk)
    require_edit(acc, template.organization)
    if request.method == "POST":
        try:
            created = s.apply_timeline(request.user, template)
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Đã giao {created} mốc thời gian cho {template.organization.name} "
                                      "và các tổ chức trực thuộc.")
        return redirect("congress:progress", pk=template.pk)
    return render(request, "congress/confirm.html", {
        "title": f"Giao các mốc thời gian của “{template.title}”", "org": template.organization,
        "text": f"Tạo mốc thời gian cho {template.organization.name} và mọi tổ chức trực thuộc theo phạm vi áp dụng "
                "của từng mốc. Chạy lại chỉ thêm những mốc còn thiếu.",
        "button": "Giao mốc thời gian"})


@login_required
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    template = _timeline(acc, pk)
    orgs = acc.orgs().filter(path__startswith=template.organization.path).order_by("path")
    today = dt.date.today()
    return render(request, "congress/progress.html", {
        "template": template, "org": template.organization, "progress": s.progress(template, orgs, today),
        "today": today, "can_edit": acc.can_edit_org(template.organization),
    })


@login_required
@FORM_METHODS
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    milestone = _get(acc, Milestone.objects.select_related("organization"), pk, "organization", "mốc thời gian")
    require_edit(acc, milestone.organization)
    initial = {"status": milestone.status, "done_on": milestone.done_on, "evidence": milestone.evidence}
    form = f.MilestoneForm(request.POST or None, request.FILES or None, initial=initial)

    def act(d):
        upload = d.pop("evidence_file")
        extra = {"evidence_name": upload[0], "evidence_content": upload[1]} if upload else {}
        return s.update_milestone(request.user, milestone, **d, **extra)

    url = (reverse("congress:progress", args=[milestone.item.template_id]) if milestone.item_id
           else reverse("congress:congress_list"))
    return service_form(request, form, {"title": f"{milestone.title[:120]} — {milestone.organization.name}",
                                        "org": milestone.organization, "multipart": True,
                                        "intro": f"Thời hạn: {milestone.deadline:%d/%m/%Y}"},
                        act, "Đã cập nhật mốc thời gian.", url, template="congress/form.html")


@login_required
def milestone_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    milestone = _get(acc, Milestone.objects.select_related("organization"), pk, "organization", "mốc thời gian")
    if not milestone.evidence_content:
        raise Http404("Mốc thời gian này chưa có tệp minh chứng.")
    log_export(request.user, milestone, milestone.evidence_name, rows=1)
    return _file_response(bytes(milestone.evidence_content), milestone.evidence_name, "application/octet-stream")


# -- apportionment ----------------------------------------------------------------------------

@login_required
@FORM_METHODS
def apportion(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    congress = _congress(acc, pk)
    org = congress.organization
    require_edit(acc, org)
    candidates = Organization.objects.filter(path__startswith=org.path, depth__gt=org.depth,
                                             dissolved_on__isnull=True).order_by("path")
    children = [o for o in candidates if o.depth == org.depth + 1]
    initial = {"orgs": children, "minimum": ruleset_for(congress.starts_on)["congress.default_min_delegates"]}
    form = f.ApportionForm(request.POST if request.method == "POST" else None, orgs=candidates, initial=initial)
    counts = s.member_counts(list(candidates))
    preview = None
    if request.method == "POST" and form.is_valid() and request.POST.get("action") == "preview":
        d = form.cleaned_data
        chosen = list(d["orgs"])
        try:
            preview = s.apportion_detail([(o.code, counts.get(o.pk, 0)) for o in chosen], d["seats"], d["minimum"])
        except s.ApportionError as exc:
            form.add_error(None, str(exc))
        names = {o.code: o.name for o in chosen}
        preview = [(names[line.code], line) for line in preview] if preview else None
        return render(request, "congress/apportion.html", {
            "congress": congress, "org": org, "form": form, "preview": preview, "counts": counts,
            "ex_officio": s.ex_officio(org)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            record = s.save_apportionment(request.user, congress, list(d["orgs"]), seats=d["seats"],
                                          minimum=d["minimum"], note=d["note"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Đã lưu phương án phân bổ đại biểu.")
            return redirect("congress:apportionment_detail", pk=record.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "congress/apportion.html", {
        "congress": congress, "org": org, "form": form, "counts": counts, "ex_officio": s.ex_officio(org),
        "rows": [(o, counts.get(o.pk, 0)) for o in candidates]}, status=status)


def _apportionment(acc, pk: int) -> DelegateApportionment:
    return _get(acc, DelegateApportionment.objects.select_related("congress__organization"), pk,
                "congress__organization", "phương án phân bổ đại biểu")


@login_required
def apportionment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    record = _apportionment(acc, pk)
    lines = list(record.lines.select_related("organization"))
    return render(request, "congress/apportionment_detail.html", {
        "record": record, "congress": record.congress, "org": record.congress.organization, "lines": lines,
        "total_members": sum(ln.members for ln in lines), "total_seats": sum(ln.seats for ln in lines)})


@login_required
def apportionment_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    record = _apportionment(acc, pk)
    name = f"phan-bo-dai-bieu-{record.congress.organization.code}-{record.pk}.xlsx"
    log_export(request.user, record, name, rows=record.lines.count())
    return _file_response(documents.apportionment_xlsx(record), name, documents.XLSX_MIME)


# -- drafts -----------------------------------------------------------------------------------

def _draft(acc, pk: int) -> Draft:
    return _get(acc, Draft.objects.select_related("congress__organization"), pk, "congress__organization", "dự thảo")


@login_required
@FORM_METHODS
def draft_add(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    congress = _congress(acc, pk)
    require_edit(acc, congress.organization)
    form = f.DraftForm(request.POST or None, request.FILES or None)

    def act(d):
        upload = d.pop("file")
        extra = {"file_name": upload[0], "content": upload[1]} if upload else {}
        return s.add_draft(request.user, congress, **d, **extra)

    return service_form(request, form, {"title": f"Dự thảo văn kiện — {congress}", "org": congress.organization,
                                        "multipart": True},
                        act, "Đã ghi dự thảo.", lambda dr: reverse("congress:draft_detail", args=[dr.pk]),
                        template="congress/form.html")


@login_required
def draft_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    draft = _draft(acc, pk)
    return render(request, "congress/draft_detail.html", {
        "draft": draft, "congress": draft.congress, "org": draft.congress.organization,
        "comments": draft.comments.select_related("source_org"),
        "can_edit": acc.can_edit_org(draft.congress.organization)})


@login_required
def draft_file(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    draft = _draft(acc, pk)
    if not draft.content:
        raise Http404("Dự thảo này chưa có tệp.")
    log_export(request.user, draft, draft.file_name, rows=1)
    return _file_response(bytes(draft.content), draft.file_name, "application/octet-stream")


@login_required
@FORM_METHODS
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    draft = _draft(acc, pk)
    require_edit(acc, draft.congress.organization)
    form = f.CommentForm(request.POST or None, orgs=acc.orgs().order_by("path")[:1000])
    url = reverse("congress:draft_detail", args=[draft.pk])
    return service_form(request, form, {"title": f"Ghi góp ý — {draft}", "org": draft.congress.organization},
                        lambda d: s.add_comment(request.user, draft, **d), "Đã ghi góp ý.", url)


@login_required
@FORM_METHODS
def comment_answer(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    comment = _get(acc, DraftComment.objects.select_related("draft__congress__organization"), pk,
                   "draft__congress__organization", "góp ý")
    org = comment.draft.congress.organization
    require_edit(acc, org)
    form = f.AnswerForm(request.POST or None, initial={"state": comment.state, "response": comment.response})
    url = reverse("congress:draft_detail", args=[comment.draft_id])
    return service_form(request, form, {"title": "Tiếp thu, giải trình góp ý", "org": org,
                                        "intro": f"{comment.source}: {comment.text}"},
                        lambda d: s.answer_comment(request.user, comment, **d), "Đã lưu.", url,
                        template="congress/form.html")


@login_required
def comments_docx(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    congress = _congress(acc, pk)
    drafts = list(congress.drafts.order_by("kind", "version"))
    name = f"tong-hop-gop-y-{congress.organization.code}-{congress.term}.docx"
    log_export(request.user, congress, name, rows=DraftComment.objects.filter(draft__congress=congress).count())
    return _file_response(documents.comments_docx(congress, drafts), name, documents.DOCX_MIME)


# -- elections --------------------------------------------------------------------------------

@login_required
@FORM_METHODS
def election_add(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    congress = _congress(acc, pk)
    require_edit(acc, congress.organization)
    form = f.ElectionForm(request.POST or None, initial={"base_kind": congress.kind, "held_on": congress.starts_on})

    def act(d):
        names = d.pop("candidates").splitlines()
        election = s.create_election(request.user, congress, **d)
        s.set_candidates(request.user, election, names)
        return election

    return service_form(request, form, {"title": f"Bầu cử — {congress}", "org": congress.organization},
                        act, "Đã tạo cuộc bầu cử.", _election_url)


@login_required
def election_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    election = _election(acc, pk)
    org = election.congress.organization
    figures, discrepancies = s.compare_teams(election)
    breakdown = None
    if election.base_kind == "members":
        breakdown = s.members_base(org, election.adjustments.select_related("member__organization"))
    names = s.candidate_names(election)
    surplus_max = ruleset_for(election.held_on)["election.surplus_max_share"]
    return render(request, "congress/election_detail.html", {
        "election": election, "congress": election.congress, "org": org, "can_edit": acc.can_edit_org(org),
        "candidates": election.candidates.all(), "teams": election.teams.all(),
        "figures": figures, "discrepancies": discrepancies, "breakdown": breakdown,
        "adjustments": election.adjustments.select_related("member"),
        "rows": [(key, [figures[t].get(key) for t in figures]) for key in ["ballots", "valid", "invalid", *names]],
        "labels": {"ballots": "Số phiếu thu về", "valid": "Số phiếu hợp lệ", "invalid": "Số phiếu không hợp lệ"},
        "tallies": election.tallies.all(),
        "surplus_warning": len(names) - election.seats > surplus_max * election.seats,
        "surplus_max": surplus_max,
    })


@login_required
@FORM_METHODS
def election_base(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    election = _election(acc, pk)
    require_edit(acc, election.congress.organization)
    form = f.BaseForm(request.POST or None, initial={"base": election.base, "reason": election.base_reason})
    return service_form(request, form, {"title": f"Cơ sở tính — {election.title}",
                                        "org": election.congress.organization,
                                        "intro": f"Theo dữ liệu: {s.computed_base(election)}."},
                        lambda d: s.set_base(request.user, election, d["base"], d["reason"]), "Đã lưu cơ sở tính.",
                        _election_url(election), template="congress/form.html")


@login_required
@FORM_METHODS
def adjustment_add(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    election = _election(acc, pk)
    org = election.congress.organization
    require_edit(acc, org)
    members = Member.objects.filter(organization__path__startswith=org.path,
                                    status__in=("full", "exempt")).order_by("name_folded")
    form = f.AdjustmentForm(request.POST or None, members=members)
    return service_form(request, form, {"title": f"Điều chỉnh cơ sở tính — {election.title}", "org": org},
                        lambda d: s.add_adjustment(request.user, election, **d), "Đã ghi.", _election_url(election))


@login_required
@FORM_METHODS
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    election = _election(acc, pk)
    require_edit(acc, election.congress.organization)
    form = f.TeamForm(request.POST or None, initial={"name": f"Tổ {election.teams.count() + 1}"})
    return service_form(request, form, {"title": f"Thêm tổ kiểm phiếu — {election.title}",
                                        "org": election.congress.organization},
                        lambda d: s.add_team(request.user, election, d["name"]), "Đã thêm tổ kiểm phiếu.",
                        lambda t: reverse("congress:team_entry", args=[t.pk]))


GRID_ROWS = 10
GRID_ROWS_MAX = 1000  # no form can post more ticked rows (DATA_UPLOAD_MAX_NUMBER_FIELDS)


def _grid_ballots(post, size: int) -> list[list[bool]]:
    """Rows of the checkbox grid: row ``i`` counts when its "Phiếu" box is ticked; box ``r{i}c{j}``
    ticked means the j-th name was struck out."""
    ballots = []
    try:  # the row count comes from the browser: bound it (a huge number would loop for ever)
        rows = min(max(int(post.get("rows") or GRID_ROWS), 0), GRID_ROWS_MAX)
    except ValueError:
        rows = GRID_ROWS
    for i in range(rows):
        if post.get(f"r{i}"):
            ballots.append([not post.get(f"r{i}c{j}") for j in range(size)])
    return ballots


@login_required
@FORM_METHODS
def team_entry(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    team = _get(acc, CountingTeam.objects.select_related("election__congress__organization"), pk,
                "election__congress__organization", "tổ kiểm phiếu")
    election = team.election
    org = election.congress.organization
    require_edit(acc, org)
    names = s.candidate_names(election)
    csv_form = f.CsvForm()
    totals_form = f.TotalsForm(candidates=names, initial=_totals_initial(team, names))
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "grid")
        try:
            if action == "grid":
                made = s.enter_ballots(request.user, team, _grid_ballots(request.POST, len(names)))
                messages.success(request, f"Đã nhập {len(made)} phiếu.")
                return redirect("congress:team_entry", pk=team.pk)
            if action == "csv":
                csv_form = f.CsvForm(request.POST, request.FILES)
                if csv_form.is_valid():
                    made = s.import_ballots_csv(request.user, team, csv_form.cleaned_data["file"])
                    messages.success(request, f"Đã nhập {len(made)} phiếu từ tệp CSV.")
                    return redirect("congress:team_entry", pk=team.pk)
            elif action == "totals":
                totals_form = f.TotalsForm(request.POST, candidates=names)
                if totals_form.is_valid():
                    s.set_team_totals(request.user, team, totals_form.figures())
                    messages.success(request, "Đã lưu số tổng hợp của tổ.")
                    return redirect(_election_url(election))
            elif action == "clear_totals":
                s.set_team_totals(request.user, team, None)
                messages.success(request, "Đã xóa số tổng hợp của tổ.")
                return redirect("congress:team_entry", pk=team.pk)
            elif action == "delete":
                ballot = Ballot.objects.filter(team=team, pk=request.POST.get("ballot") or 0).first()
                if ballot is None:
                    raise Http404("Không tìm thấy phiếu.")
                s.delete_ballot(request.user, ballot)
                messages.success(request, f"Đã xóa phiếu số {ballot.number}.")
                return redirect("congress:team_entry", pk=team.pk)
            else:
                messages.error(request, "Thao tác không hợp lệ.")
        except ServiceError as exc:
            messages.error(request, str(exc))
        status = 400
    ballots = list(team.ballots.all())
    result = s.team_result(team) if ballots else None
    return render(request, "congress/team_entry.html", {
        "team": team, "election": election, "org": org, "names": names, "ballots": ballots,
        "ballot_rows": [(b, [(k, n) for k, n in zip(b.kept, names, strict=False)]) for b in ballots],
        "result": result, "grid": range(GRID_ROWS), "grid_rows": GRID_ROWS,
        "csv_form": csv_form, "totals_form": totals_form, "locked": election.tallies.exists()}, status=status)


def _totals_initial(team: CountingTeam, names: list[str]) -> dict:
    if not team.totals:
        return {}
    t = team.totals
    return {"ballots": t.get("ballots"), "valid": t.get("valid"), "invalid": t.get("invalid")} | {
        f"c{i}": t.get(n) for i, n in enumerate(names)}


@login_required
@FORM_METHODS
def tally_run(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    election = _election(acc, pk)
    require_edit(acc, election.congress.organization)
    first = s.official_tally(election)
    if request.method == "POST":
        try:
            record = s.recount(request.user, election) if first else s.count_election(request.user, election)
        except ServiceError as exc:
            messages.error(request, str(exc))
            return redirect(_election_url(election))
        if record.is_recount:
            if record.matches_previous:
                messages.success(request, "Kiểm lại từ phiếu đã lưu: kết quả trùng khớp với lần kiểm phiếu đầu.")
            else:
                messages.error(request, "Kiểm lại từ phiếu đã lưu cho kết quả KHÁC lần kiểm phiếu đầu!")
        else:
            messages.success(request, "Đã kiểm phiếu và lưu kết quả chính thức.")
        return redirect("congress:tally_detail", pk=record.pk)
    title = "Kiểm lại từ phiếu đã lưu" if first else "Kiểm phiếu chính thức"
    text = ("Đếm lại toàn bộ phiếu đã lưu và đối chiếu với kết quả lần đầu." if first else
            "Đối chiếu số liệu các tổ; khi khớp, tính kết quả chính thức từ phiếu đã lưu. Sau đó không sửa phiếu được nữa.")
    return render(request, "congress/confirm.html", {"title": f"{title} — {election.title}",
                                                     "org": election.congress.organization, "text": text,
                                                     "button": title})


def _tally(acc, pk: int) -> Tally:
    return _get(acc, Tally.objects.select_related("election__congress__organization", "source_team"), pk,
                "election__congress__organization", "kết quả kiểm phiếu")


@login_required
def tally_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    record = _tally(acc, pk)
    election = record.election
    result = record.result
    return render(request, "congress/tally_detail.html", {
        "tally": record, "election": election, "org": election.congress.organization, "result": result,
        "votes": [(n, result["votes"][n], documents.percent(result["votes"][n], record.base), n in result["elected"])
                  for n in record.candidates],
        "can_edit": acc.can_edit_org(election.congress.organization)})


@login_required
def tally_docx(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    record = _tally(acc, pk)
    name = f"bien-ban-kiem-phieu-{record.election.pk}-{record.number}.docx"
    log_export(request.user, record, name, rows=record.result["ballots"])
    return _file_response(documents.tally_report_docx(record), name, documents.DOCX_MIME)

