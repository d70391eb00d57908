"""Plans pages: upload a plan document → review the draft (edit, add or delete targets and tasks,
confirm each target's binding, or discard the draft) → save; the dashboard (targets with status,
trend and forecast), the task board by lead unit, the cascade beside the parent plan, the report
downloads. Deletions ask for an explicit tick (:class:`~dangvu.plans.forms.ConfirmDeleteForm`).

Every lookup goes through the user's Access: a plan whose issuer is outside the subtree → 404,
a read-only role on an edit form → 403.
"""

from __future__ import annotations

import re
from textwrap import shorten

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from dangvu.accounts.audit import log_export
from dangvu.common import Code, ServiceError
from dangvu.common.signer import SignerForm
from dangvu.common.views import access, require_edit, service_form
from dangvu.core import clock
from dangvu.core.text import fold
from dangvu.registry.selectors import document_signers

from . import bindings, scan_views
from . import forms as f
from . import selectors as sel
from . import services as s
from .charts import target_svg
from .models import Plan, PlanState, Target, Task
from .progress import (
    cascade_progress,
    plan_progress,
    status_counts,
    target_progress,
    task_board,
    task_counts,
    task_rows,
)

FORM_METHODS = require_http_methods(["GET", "POST"])
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _get_plan(acc, pk: int) -> Plan:
    plan = sel.plan_for(acc, pk)
    if plan is None:
        raise Http404("Không tìm thấy kế hoạch.")
    return plan


def _get_target(acc, pk: int) -> Target:
    target = sel.target_for(acc, pk)
    if target is None:
        raise Http404("Không tìm thấy chỉ tiêu.")
    return target


def _get_task(acc, pk: int) -> Task:
    task = sel.task_for(acc, pk)
    if task is None:
        raise Http404("Không tìm thấy nhiệm vụ.")
    return task


def _int(value) -> int | None:
    """A posted id, or None when it is not a plain positive number."""
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def _editable_plan(request: HttpRequest, pk: int) -> Plan:
    """The plan, in the user's scope (else 404) and editable by them (else 403)."""
    acc = access(request)
    plan = _get_plan(acc, pk)
    require_edit(acc, plan.issuer)
    return plan


def _editable_target(request: HttpRequest, pk: int) -> Target:
    acc = access(request)
    target = _get_target(acc, pk)
    require_edit(acc, target.plan.issuer)
    return target


def _editable_task(request: HttpRequest, pk: int) -> Task:
    acc = access(request)
    task = _get_task(acc, pk)
    require_edit(acc, task.plan.issuer)
    return task


def _dashboard_url(plan: Plan) -> str:
    return reverse("plans:plan_dashboard", args=[plan.pk])


def _review_url(plan: Plan) -> str:
    return reverse("plans:plan_review", args=[plan.pk])


def _back_url(plan: Plan) -> str:
    return _review_url(plan) if plan.state == PlanState.DRAFT else _dashboard_url(plan)


def _form(request: HttpRequest, form, context: dict, act, success: str, to, back: str | None = None):
    """The shared form page (``web/form.html`` with the plans crumbs) around a service call."""
    plan = context.get("plan")
    back = back or (_back_url(plan) if plan is not None else reverse("plans:plan_list"))
    return service_form(request, form, {"back": back, **context}, act, success, to, template="plans/form.html")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "ke-hoach"


# -- list and upload -------------------------------------------------------------------------------

@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    acc = access(request)
    if not acc.sees_registry:
        raise Http404("Bạn chưa được phân quyền xem kế hoạch.")
    plans = sel.plan_list(acc)
    uploads = [o for o in acc.roots.order_by("path") if acc.can_edit_org(o)]
    return render(request, "plans/plan_list.html", {"plans": plans, "uploads": uploads})


@login_required
@FORM_METHODS
def plan_upload(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    form = f.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and form.scan is not None:
        started = scan_views.start(request, org, form)  # OCR runs in the background
        if started is not None:
            return started

    def act(d):
        return s.draft_from_parse(request.user, org, form.parsed or {}, form.source_name, form.source_text,
                                  start_year=d.get("start_year"), end_year=d.get("end_year"))

    return _form(request, form, {
        "title": f"Tải lên kế hoạch — {org.name}", "org": org, "multipart": True, "submit": "Đọc văn bản",
        "intro": "Máy đọc văn bản, tách chỉ tiêu và nhiệm vụ thành bản nháp; bạn kiểm tra, sửa rồi mới lưu.",
    }, act, "Đã đọc văn bản. Hãy kiểm tra bản nháp trước khi lưu.", _review_url)


# -- review of a draft -----------------------------------------------------------------------------

@login_required
@FORM_METHODS
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft (or a saved plan's targets) under review: each binding confirmed or cleared one by
    one, or all at once when saving — a decision per binding, never taken for the person."""
    plan = _editable_plan(request, pk)
    pending = sel.unconfirmed_bindings(plan)
    decisions = f.DecisionForm(None, pending=pending)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action in ("confirm", "clear"):
                binding = sel.plan_binding(plan, _int(request.POST.get("binding")))
                if binding is None:
                    raise ServiceError("Không tìm thấy cách đo này trong kế hoạch.", Code.NOT_FOUND)
                what = f"«{shorten(binding.target.text, 100, placeholder=' …')}»: {bindings.describe(binding.indicator, binding.params)}"
                if action == "confirm":
                    s.confirm_binding(request.user, binding)
                    messages.success(request, f"Đã xác nhận cách đo {what}.")
                else:
                    s.clear_binding(request.user, binding)
                    messages.success(request, f"Đã bỏ cách đo {what}.")
                return redirect(_review_url(plan) + f"#t{binding.target_id}")
            decisions = f.DecisionForm(request.POST, pending=pending)
            if not decisions.is_valid():
                raise s.UnconfirmedBindings(pending)
            s.save_plan(request.user, plan, decisions.decisions())
        except ServiceError as exc:
            messages.error(request, str(exc))
            if action in ("confirm", "clear"):
                return redirect(_back_url(plan))
            return _review_page(request, plan, decisions, status=400)
        messages.success(request, "Đã lưu kế hoạch. Bảng theo dõi tính số liệu từ dữ liệu hiện có.")
        return redirect(_dashboard_url(plan))
    return _review_page(request, plan, decisions)


def _review_page(request: HttpRequest, plan: Plan, decisions, status: int = 200) -> HttpResponse:
    targets = sel.review_targets(plan)
    rows = [{"t": t, "bindings": [{"b": b, "label": bindings.label(b.indicator),
                                   "params": bindings.params_text(b.params)} for b in t.bindings.all()],
             "dropped": [bindings.describe(x.get("indicator", ""), x.get("params")) for x in t.proposed or []
                         if not any(b.indicator == x.get("indicator") and bindings.clean_params(b.params)
                                    == bindings.clean_params(x.get("params")) for b in t.bindings.all())]}
            for t in targets]
    return render(request, "plans/review.html", {
        "plan": plan, "org": plan.issuer, "rows": rows, "tasks": list(sel.plan_tasks(plan)),
        "references": sel.plan_references(plan), "form": decisions,
        "unconfirmed": sum(1 for t in targets for b in t.bindings.all() if not b.confirmed),
    }, status=status)


@login_required
@FORM_METHODS
def plan_discard(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    n_targets, n_tasks = sel.plan_size(plan)
    intro = (f"{plan.name} — {shorten(plan.title, 200, placeholder=' …')}: {n_targets} chỉ tiêu, {n_tasks} nhiệm vụ. "
             "Văn bản gốc không bị ảnh hưởng; có thể tải lên lại.")
    return _delete_page(request, plan, "Hủy bản nháp", "bản nháp này cùng mọi chỉ tiêu, nhiệm vụ của nó", intro,
                        lambda: s.discard_draft(request.user, plan), "Đã hủy bản nháp.",
                        to=reverse("plans:plan_list"), submit="Hủy bản nháp")


@login_required
@FORM_METHODS
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    plan = _get_plan(acc, pk)
    require_edit(acc, plan.issuer)
    parents = sel.parent_choices(acc, plan)
    replaceable = sel.replaceable_plans(plan)
    initial = {k: getattr(plan, k) for k in ("number", "issued_on", "place", "title", "start_year", "end_year",
                                             "parent", "replaces")}
    form = f.PlanForm(request.POST or None, initial=initial, parents=parents, replaceable=replaceable)
    return _form(request, form, {"title": f"Sửa thông tin {plan.name}", "org": plan.issuer, "plan": plan},
                 lambda d: s.update_plan(request.user, plan, **d), "Đã lưu.", _back_url(plan))


# -- targets ---------------------------------------------------------------------------------------

@login_required
@FORM_METHODS
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = _editable_target(request, pk)
    plan = target.plan
    initial = {k: getattr(target, k) for k in ("section", "text", "op", "value", "value_max", "unit", "period",
                                               "baseline")}
    initial["by_year"] = target.by
    initial["scope"] = target.scope
    initial["version"] = target.version
    current = sel.target_bindings(target)
    for k, b in enumerate(current, start=1):
        key, params = f.slot_names(k)
        initial[key], initial[params] = b.indicator, f.params_text(b.params)
    if not current:
        initial["indicator"] = f.MANUAL
    form = f.TargetEditForm(request.POST or None, initial=initial, scopes=sel.scope_orgs(plan, target.scope),
                            unit=target.unit, slots=max(2, len(current) + 1))

    def act(d):
        return s.revise_target(request.user, target, bindings=d.pop("bindings"), scope=d.pop("scope"), **d)

    intro = f"Mục {target.section}. " if target.section else ""
    if target.proposed:
        intro += "Máy đề xuất đo bằng: " + "; ".join(
            bindings.describe(x.get("indicator", ""), x.get("params")) for x in target.proposed) + ". "
    intro += ("Lưu là xác nhận các cách đo dưới đây (ghi tên bạn và thời điểm). Không có chỉ số nào: chỉ tiêu "
              "được nhập số liệu thủ công.")
    return _form(request, form, {"title": "Chỉ tiêu và cách đo", "org": plan.issuer, "plan": plan,
                                 "intro": intro, "submit": "Lưu và xác nhận cách đo"}, act, "Đã lưu chỉ tiêu.",
                 _back_url(plan))


@login_required
@FORM_METHODS
def target_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable_plan(request, pk)
    form = f.TargetForm(request.POST or None, initial={"indicator": f.MANUAL, "op": ">=", "unit": "%"},
                        scopes=sel.scope_orgs(plan))

    def act(d):
        return s.create_target(request.user, plan, bindings=d.pop("bindings"), scope=d.pop("scope"), **d)

    return _form(request, form, {"title": "Thêm chỉ tiêu", "org": plan.issuer, "plan": plan,
                                 "intro": "Chỉ tiêu máy chưa đọc ra: ghi nội dung, mục tiêu và cách đo (lưu là xác "
                                          "nhận cách đo)."},
                 act, "Đã thêm chỉ tiêu.", _back_url(plan))


@login_required
@require_GET
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One target: each binding with its own figures over the years, status and chart; the
    target's status is the worst of them. A manual target: its entered values."""
    acc = access(request)
    target = _get_target(acc, pk)
    today = clock.today()
    progress = target_progress(target, today)
    charts = [mark_safe(target_svg(x, f"t{target.pk}-{i}")) for i, x in enumerate(progress.series)]  # noqa: S308
    return render(request, "plans/target.html", {
        "plan": target.plan, "org": target.plan.issuer, "p": progress, "today": today,
        "series": list(zip(progress.series, charts, strict=True)), "can_edit": acc.can_edit_org(target.plan.issuer),
    })


@login_required
@FORM_METHODS
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = _editable_target(request, pk)
    n = sel.measurement_count(target)
    what = "chỉ tiêu này" + (f" cùng {n} lần nhập số liệu" if n else "")
    return _delete_page(request, target.plan, "Xóa chỉ tiêu", what, f"«{target.text}» — mục tiêu {target.goal}.",
                        lambda: s.delete_target(request.user, target), "Đã xóa chỉ tiêu.")


def _delete_page(request: HttpRequest, plan: Plan, title: str, what: str, intro: str, act, success: str,
                 to: str | None = None, submit: str = "Xóa") -> HttpResponse:
    """Ask for the explicit tick of :class:`ConfirmDeleteForm`, then run ``act()``."""
    form = f.ConfirmDeleteForm(request.POST or None, what=what)
    return _form(request, form, {"title": title, "org": plan.issuer, "plan": plan, "intro": intro, "submit": submit},
                 lambda _d: act(), success, to or _back_url(plan))


@login_required
@FORM_METHODS
def measurement_add(request: HttpRequest, pk: int) -> HttpResponse:
    target = _editable_target(request, pk)
    plan = target.plan
    form = f.MeasurementForm(request.POST or None, initial={"measured_on": clock.today()})
    previous = sel.latest_measurements(target)
    intro = f"Chỉ tiêu: {target.text}. " + ("Lần nhập gần nhất: " + ", ".join(
        f"{m.value:g} ({m.measured_on:%d/%m/%Y})" for m in previous[:3]) if previous else "Chưa có số liệu.")
    return _form(request, form, {"title": "Nhập số liệu chỉ tiêu", "org": plan.issuer, "plan": plan,
                                 "intro": intro},
                 lambda d: s.record_measurement(request.user, target, **d), "Đã ghi số liệu.",
                 _dashboard_url(plan), back=_dashboard_url(plan))


# -- tasks -----------------------------------------------------------------------------------------

@login_required
@FORM_METHODS
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _editable_task(request, pk)
    return _task_form(request, task.plan, task)


@login_required
@FORM_METHODS
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_form(request, _editable_plan(request, pk))


def _task_form(request: HttpRequest, plan: Plan, task: Task | None = None) -> HttpResponse:
    """Fix a task the reader got wrong, or add one it missed."""
    fields = ("label", "title", "timing_kind", "starts_on", "ends_on", "timing_text", "lead", "support", "lead_org")
    initial = {k: getattr(task, k) for k in (*fields, "version")} if task else None
    form_class = f.TaskForm if task is None else f.TaskEditForm
    orgs = sel.scope_orgs(plan, task.lead_org if task else None)
    form = form_class(request.POST or None, initial=initial, orgs=orgs)
    if task is None:
        title, success, act = "Thêm nhiệm vụ", "Đã thêm nhiệm vụ.", lambda d: s.add_task(request.user, plan, **d)
    else:
        title, success, act = "Sửa nhiệm vụ", "Đã lưu nhiệm vụ.", lambda d: s.edit_task(request.user, task, **d)
    return _form(request, form, {"title": title, "org": plan.issuer, "plan": plan}, act, success, _back_url(plan))


@login_required
@FORM_METHODS
def task_delete(request: HttpRequest, pk: int) -> HttpResponse:
    task = _editable_task(request, pk)
    n = sel.update_count(task)
    return _delete_page(request, task.plan, "Xóa nhiệm vụ",
                        "nhiệm vụ này" + (f" cùng {n} lần cập nhật tiến độ" if n else ""), f"«{task.title}»",
                        lambda: s.delete_task(request.user, task), "Đã xóa nhiệm vụ.")


@login_required
@FORM_METHODS
def task_update(request: HttpRequest, pk: int) -> HttpResponse:
    task = _editable_task(request, pk)
    plan = task.plan
    form = f.TaskUpdateForm(request.POST or None, request.FILES or None,
                            initial={"status": task.status, "done_on": task.done_on})

    def act(d):
        upload = d.pop("evidence_file")
        extra = {"evidence_name": upload[0], "evidence_content": upload[1]} if upload else {}
        return s.update_task(request.user, task, d["status"], d.get("evidence") or "", d.get("done_on"), **extra)

    intro = shorten(task.title, 300, placeholder=" …") + (f" — thời hạn: {task.deadline_text}" if task.deadline_text else "")
    tasks_url = reverse("plans:plan_tasks", args=[plan.pk])
    return _form(request, form, {"title": "Cập nhật tiến độ nhiệm vụ", "org": plan.issuer, "plan": plan,
                                 "intro": intro, "multipart": True}, act, "Đã cập nhật nhiệm vụ.", tasks_url,
                 back=tasks_url)


@login_required
@require_GET
def task_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    update = sel.task_update_for(acc, pk)
    if update is None or not update.evidence_content:
        raise Http404("Không tìm thấy tệp minh chứng.")
    log_export(request.user, update, update.evidence_name, rows=1)
    response = HttpResponse(bytes(update.evidence_content), content_type="application/octet-stream")
    name = update.evidence_name or "minh-chung"
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", fold(name)) or "minh-chung"
    response["Content-Disposition"] = f'attachment; filename="{ascii_name}"'
    response["Cache-Control"] = "no-store"
    return response


# -- dashboard, task board, cascade ----------------------------------------------------------------

@login_required
@require_GET
def plan_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    plan = _get_plan(acc, pk)
    today = clock.today()
    rows = plan_progress(plan, today)
    cards = [{"p": r, "series": [(x, mark_safe(target_svg(x, f"t{r.target.pk}-{i}")))  # noqa: S308 (escaped)
                                 for i, x in enumerate(r.series)]} for r in rows]
    tasks = task_rows(plan, today)
    return render(request, "plans/dashboard.html", {
        "plan": plan, "org": plan.issuer, "cards": cards, "counts": status_counts(rows), "today": today,
        "task_counts": task_counts(tasks), "overdue": [r for r in tasks if r.status == "overdue"],
        "can_edit": acc.can_edit_org(plan.issuer), "children": sel.child_plans(acc, plan),
        "parent_visible": sel.parent_visible(acc, plan),
        "signer_form": SignerForm(signers=document_signers(plan.issuer, today)),
    })


@login_required
@require_http_methods(["POST"])
def plan_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """"Tính lại": recompute and store every past year's figure of the plan (normally they are
    recomputed by themselves when the data of that year changes)."""
    plan = _editable_plan(request, pk)
    try:
        n = s.refresh_figures(request.user, plan)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã tính lại {n} số liệu các năm trước.")
    return redirect(_dashboard_url(plan))


@login_required
@require_GET
def plan_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    plan = _get_plan(acc, pk)
    today = clock.today()
    groups = task_board(plan, today)
    return render(request, "plans/tasks.html", {
        "plan": plan, "org": plan.issuer, "groups": groups, "today": today,
        "counts": task_counts([r for g in groups for r in g.rows]), "can_edit": acc.can_edit_org(plan.issuer),
    })


@login_required
@require_GET
def plan_cascade(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    plan = _get_plan(acc, pk)
    today = clock.today()
    parent_visible = sel.parent_visible(acc, plan)
    return render(request, "plans/cascade.html", {
        "plan": plan, "org": plan.issuer, "today": today, "parent_visible": parent_visible,
        "rows": cascade_progress(plan, today, parent_values=parent_visible),
        "children": list(sel.child_plans(acc, plan)), "can_edit": acc.can_edit_org(plan.issuer),
    })


# -- report ----------------------------------------------------------------------------------------

@login_required
@require_GET
def plan_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("docx", "xlsx"):
        raise Http404("Không có định dạng báo cáo này.")
    acc = access(request)
    plan = _get_plan(acc, pk)
    from dangvu.reports.plan_report import build, plan_report_docx, plan_report_xlsx

    report = build(plan)
    if fmt == "docx":
        signer = SignerForm(request.GET, signers=document_signers(plan.issuer, report.today)).post_id
        content = plan_report_docx(report, signer_post=signer)
    else:
        content = plan_report_xlsx(report)
    log_export(request.user, plan, f"plan-report.{fmt}", rows=len(report.targets) + len(report.tasks))
    name = f"bao-cao-{_slug(plan.number or str(plan.pk))}-{clock.today():%Y%m%d}.{fmt}"
    response = HttpResponse(content, content_type=DOCX_MIME if fmt == "docx" else XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
