"""Congress pages of the preparation: congresses, the campaign timeline, milestones and their
progress, delegate apportionment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dangvu.accounts.audit import log_export
from dangvu.common import ServiceError
from dangvu.common.signer import SignerForm
from dangvu.common.views import access, add_service_error, require_edit, service_form
from dangvu.core import clock
from dangvu.core.apportion import ApportionError, apportion_detail
from dangvu.core.congress import freeze_starts
from dangvu.core.rulesets import ruleset_for
from dangvu.registry.selectors import document_signers
from dangvu.reports import congress as documents

from .. import forms as f
from .. import selectors as sel
from .. import services as s
from ..models import Congress, DelegateApportionment, Milestone, TimelineTemplate
from .base import FORM_METHODS, congress_url, file_response, found


def _congress(acc, pk: int) -> Congress:
    return found(sel.congress(acc, pk), "đại hội")


def _timeline(acc, pk: int) -> TimelineTemplate:
    return found(sel.timeline(acc, pk), "kế hoạch đại hội")


def _milestone(acc, pk: int) -> Milestone:
    return found(sel.milestone(acc, pk), "mốc thời gian")


# -- congresses -------------------------------------------------------------------------------

@login_required
def congress_list(request: HttpRequest) -> HttpResponse:
    acc = access(request)
    if not acc.sees_registry:
        raise Http404("Bạn chưa được phân quyền xem tổ chức nào.")
    return render(request, "congress/congress_list.html", {
        "congresses": sel.congresses(acc)[:500],
        "timelines": sel.timelines(acc)[:200],
        "overdue": sel.overdue_milestones(acc, clock.today())[:50],
        "editable": acc.editable_orgs().order_by("path")[:300],
    })


@login_required
@FORM_METHODS
def congress_add(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    kind = "members" if org.kind in ("cell", "grassroots_cell", "group") else "delegates"
    form = f.CongressForm(request.POST or None, campaigns=sel.campaigns(org), initial={"kind": kind})
    return service_form(request, form, {"title": f"Đại hội — {org.name}", "org": org},
                        lambda d: s.save_congress(request.user, org, **d), "Đã ghi kế hoạch đại hội.", congress_url)


@login_required
@FORM_METHODS
def congress_edit(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    congress = _congress(acc, pk)
    org = congress.organization
    require_edit(acc, org)
    initial = {k: getattr(congress, k) for k in ("term", "kind", "pilot", "campaign", "starts_on", "ends_on",
                                                  "place", "note")}
    form = f.CongressForm(request.POST or None, campaigns=sel.campaigns(org), initial=initial)
    return service_form(request, form, {"title": f"Sửa kế hoạch đại hội — {org.name}", "org": org},
                        lambda d: s.save_congress(request.user, org, congress=congress, **d), "Đã lưu.",
                        congress_url)


@login_required
def congress_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    congress = _congress(acc, pk)
    org = congress.organization
    rs = ruleset_for(congress.starts_on)
    return render(request, "congress/congress_detail.html", {
        "congress": congress, "org": org, "can_edit": acc.can_edit_org(org),
        "problems": sel.congress_problems(org, term=congress.term, pilot=congress.pilot,
                                          starts_on=congress.starts_on, ends_on=congress.ends_on,
                                          campaign=congress.campaign, exclude_pk=congress.pk),
        "freeze_from": freeze_starts(congress.starts_on, rs),
        "freeze_months": rs["congress.committee_freeze_months"],
        "apportionments": congress.apportionments.all(),
        "drafts": congress.drafts.all(),
        "elections": congress.elections.all(),
        "milestones": sel.org_milestones(org),
        "today": clock.today(),
        "signer_form": SignerForm(signers=document_signers(org, clock.today())),
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
        "applied": sel.applied_count(template),
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
    today = clock.today()
    return render(request, "congress/progress.html", {
        "template": template, "org": template.organization,
        "progress": sel.progress(template, sel.progress_orgs(acc, template), today),
        "today": today, "can_edit": acc.can_edit_org(template.organization),
    })


@login_required
@FORM_METHODS
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    milestone = _milestone(acc, pk)
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
    milestone = _milestone(acc, pk)
    if not milestone.evidence_content:
        raise Http404("Mốc thời gian này chưa có tệp minh chứng.")
    log_export(request.user, milestone, milestone.evidence_name, rows=1)
    return file_response(bytes(milestone.evidence_content), milestone.evidence_name, "application/octet-stream")


# -- apportionment ----------------------------------------------------------------------------

def _preview(form: f.ApportionForm, counts: dict[int, int]) -> list | None:
    """The apportionment the form's figures would give, by organization name (nothing saved)."""
    d = form.cleaned_data
    chosen = list(d["orgs"])
    try:
        lines = apportion_detail([(o.code, counts.get(o.pk, 0)) for o in chosen], d["seats"], d["minimum"])
    except ApportionError as exc:
        form.add_error(None, str(exc))
        return None
    names = {o.code: o.name for o in chosen}
    return [(names[line.code], line) for line in lines] or None


@login_required
@FORM_METHODS
def apportion(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    congress = _congress(acc, pk)
    org = congress.organization
    require_edit(acc, org)
    candidates = sel.apportion_candidates(org)
    children = [o for o in candidates if o.depth == org.depth + 1]
    initial = {"orgs": children, "minimum": ruleset_for(congress.starts_on)["congress.default_min_delegates"]}
    form = f.ApportionForm(request.POST if request.method == "POST" else None, orgs=candidates, initial=initial)
    counts = sel.member_counts(list(candidates))
    context = {"congress": congress, "org": org, "form": form, "counts": counts, "ex_officio": sel.ex_officio(org)}
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "preview":
            return render(request, "congress/apportion.html", {**context, "preview": _preview(form, counts)})
        d = form.cleaned_data
        try:
            record = s.save_apportionment(request.user, congress, list(d["orgs"]), seats=d["seats"],
                                          minimum=d["minimum"], note=d["note"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Đã lưu phương án phân bổ đại biểu.")
            return redirect("congress:apportionment_detail", pk=record.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "congress/apportion.html", {
        **context, "rows": [(o, counts.get(o.pk, 0)) for o in candidates]}, status=status)


def _apportionment(acc, pk: int) -> DelegateApportionment:
    return found(sel.apportionment(acc, pk), "phương án phân bổ đại biểu")


@login_required
def apportionment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    record = _apportionment(acc, pk)
    lines = sel.apportionment_lines(record)
    return render(request, "congress/apportionment_detail.html", {
        "record": record, "congress": record.congress, "org": record.congress.organization, "lines": lines,
        "total_members": sum(ln.members for ln in lines), "total_seats": sum(ln.seats for ln in lines)})


@login_required
def apportionment_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    record = _apportionment(acc, pk)
    name = f"phan-bo-dai-bieu-{record.congress.organization.code}-{record.pk}.xlsx"
    log_export(request.user, record, name, rows=record.lines.count())
    return file_response(documents.apportionment_xlsx(record), name, documents.XLSX_MIME)
