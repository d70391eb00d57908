"""Admission pages: the pipeline of an organization's subtree (stacked stage sections with each
prospect's next statutory deadline, quota progress), a prospect's page, and the step forms.

Every lookup goes through the user's Access: outside the subtree → 404, read-only → 403 on edits.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dangvu.common.member_search import offer_members
from dangvu.common.views import access, require_edit, service_form
from dangvu.core import clock
from dangvu.core.rulesets import ruleset_for
from dangvu.registry.models import CELL_KINDS

from . import forms as f
from . import selectors as sel
from . import services as s
from .models import OPEN_STAGES, Prospect, Stage

FORM_METHODS = require_http_methods(["GET", "POST"])
INTRODUCERS = ("introducer_1", "introducer_2")
PER_PAGE = 50
"""Prospects shown on one pipeline page; the counts per stage cover them all."""


def _year(request: HttpRequest) -> int:
    today = clock.today()
    try:
        year = int(request.GET.get("nam", ""))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _get_prospect(acc, pk: int) -> Prospect:
    prospect = sel.prospect_in_scope(acc, pk)
    if prospect is None:
        raise Http404("Không tìm thấy quần chúng ưu tú.")
    return prospect


def _url(prospect: Prospect) -> str:
    return reverse("admission:prospect_detail", args=[prospect.pk])


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The pipeline of the user's top organization; a list when they see several."""
    acc = access(request)
    if not acc.sees_registry:
        raise Http404("Bạn chưa được phân quyền xem tổ chức nào.")
    roots = list(acc.roots[:2])
    if len(roots) == 1:
        return pipeline(request, roots[0].code)
    return render(request, "admission/roots.html", {"roots": acc.roots.order_by("path")})


@login_required
def pipeline(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    today, year = clock.today(), _year(request)
    line = sel.pipeline(org, year, today, request.GET.get("trang"), PER_PAGE)
    return render(request, "admission/pipeline.html", {
        "org": org, "year": year, "today": today, "sections": line.sections, "dropped": line.dropped,
        "dropped_count": line.dropped_count, "open_count": line.open_count, "overdue": line.overdue,
        "table": sel.stored_quota_table(org, year), "is_cell": org.kind in CELL_KINDS, "page": line.page,
        "can_edit": acc.can_edit_org(org), "years": range(today.year, today.year - 4, -1),
        "quotas": sel.quotas_of(org),
    })


@login_required
@FORM_METHODS
def prospect_create(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    initial = {"listed_on": clock.today(), "organization": org.pk if org.kind in CELL_KINDS else None}
    introducers = sel.introducer_choices(org)
    form = f.ProspectForm(request.POST or None, cells=sel.cells_to_list_under(acc, org), members=introducers,
                          initial=initial)
    search = offer_members(request, form, INTRODUCERS, introducers, org)

    def act(d):
        d = dict(d)
        cell = d.pop("organization")
        return s.create_prospect(request.user, cell, d)

    return service_form(request, form, {"title": f"Thêm quần chúng ưu tú — {org.name}", "org": org,
                                        "search": search}, act,
                        "Đã thêm vào danh sách quần chúng ưu tú.", _url)


@login_required
@FORM_METHODS
def prospect_edit(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    prospect = _get_prospect(acc, pk)
    org = prospect.organization
    require_edit(acc, org)
    initial = {name: getattr(prospect, name) for name in s.PROSPECT_FIELDS} | {"organization": org.pk}
    introducers = sel.introducer_choices(org)
    form = f.ProspectForm(request.POST or None, cells=sel.only(org), members=introducers, initial=initial)
    search = offer_members(request, form, INTRODUCERS, introducers, org)

    def act(d):
        d = dict(d)
        d.pop("organization")
        return s.update_prospect(request.user, prospect, **d)

    return service_form(request, form, {"title": f"Sửa hồ sơ — {prospect.full_name}", "org": org,
                                        "search": search}, act,
                        "Đã lưu hồ sơ.", _url(prospect))


@login_required
def prospect_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    prospect = _get_prospect(acc, pk)
    today = clock.today()
    checks: list[str] | None = None
    if prospect.stage == Stage.VETTED:
        checks = s.resolution_problems(prospect, today, 1, 1)  # everything but the vote, as of today
    return render(request, "admission/prospect_detail.html", {
        "p": prospect, "org": prospect.organization, "deadlines": sel.deadlines_for(prospect, today),
        "warnings": sel.warnings_for(prospect, today), "checks": checks,
        "can_edit": acc.can_edit_org(prospect.organization) and prospect.is_open, "steps": _steps_for(prospect),
        "vote_share": ruleset_for(today)["admission.cell_vote_share"],
    })


# -- steps --------------------------------------------------------------------------------

STEPS: dict[str, tuple[str, type, tuple[str, ...]]] = {
    "hoc-lop": ("Ghi lớp bồi dưỡng nhận thức về Đảng", f.CourseForm, (Stage.SOURCE, Stage.COURSE, Stage.VETTED)),
    "tham-tra": ("Ghi thẩm tra lý lịch", f.VettingForm, (Stage.COURSE, Stage.VETTED)),
    "nghi-quyet": ("Ghi nghị quyết chi bộ đề nghị kết nạp", f.ResolutionForm, (Stage.VETTED,)),
    "quyet-dinh": ("Ghi quyết định kết nạp", f.DecisionForm, (Stage.CELL_RESOLVED, Stage.DECIDED)),
    "ket-nap": ("Ghi lễ kết nạp, đưa vào danh sách đảng viên", f.CompleteForm, (Stage.CELL_RESOLVED, Stage.DECIDED)),
    "dung": ("Dừng xem xét", f.DropForm, OPEN_STAGES),
}


def _steps_for(prospect: Prospect) -> list[tuple[str, str]]:
    return [(key, title) for key, (title, _form, stages) in STEPS.items() if prospect.stage in stages]


def _act(request: HttpRequest, step: str, prospect: Prospect):
    user = request.user

    def act(d):
        if step == "hoc-lop":
            return s.record_course(user, prospect, d["passed_on"], d.get("certificate", ""))
        if step == "tham-tra":
            return s.record_vetting(user, prospect, d["vetted_on"])
        if step == "nghi-quyet":
            return s.record_cell_resolution(user, prospect, d["resolved_on"], d["in_favour"], d["full_members"])
        if step == "quyet-dinh":
            return s.record_decision(user, prospect, d["decision_on"], d["decision_number"])
        if step == "ket-nap":
            return s.complete_admission(user, prospect, d["decision_on"], d["decision_number"], d["ceremony_on"],
                                        d.get("late_reason", ""))
        return s.drop_prospect(user, prospect, d["on"], d["reason"])

    return act


@login_required
@FORM_METHODS
def prospect_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One form per step of the procedure; the service decides whether the step is allowed."""
    acc = access(request)
    prospect = _get_prospect(acc, pk)
    require_edit(acc, prospect.organization)
    if step not in STEPS:
        raise Http404("Không có bước này.")
    title, form_class, _stages = STEPS[step]
    initial: dict = {}
    if step in ("quyet-dinh", "ket-nap") and prospect.decision_on:
        initial = {"decision_on": prospect.decision_on, "decision_number": prospect.decision_number}
    form = form_class(request.POST or None, initial=initial)
    done = {"ket-nap": "Đã kết nạp và đưa vào danh sách đảng viên dự bị.", "dung": "Đã dừng xem xét."}
    return service_form(request, form, {"title": f"{title} — {prospect.full_name}", "org": prospect.organization},
                        _act(request, step, prospect), done.get(step, "Đã lưu."), _url(prospect))


@login_required
@FORM_METHODS
def quota_edit(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    form = f.QuotaForm(request.POST or None, initial={"year": clock.today().year, "students_target": 0})

    def act(d):
        year = d["year"] if d["scope"] == "year" else None
        term = (d.get("term") or "") if d["scope"] == "term" else ""
        return s.set_quota(request.user, org, target=d["target"], students_target=d.get("students_target") or 0,
                           year=year, term=term, note=d.get("note", ""))

    return service_form(request, form, {"title": f"Chỉ tiêu kết nạp — {org.name}", "org": org}, act,
                        "Đã lưu chỉ tiêu kết nạp.", reverse("admission:pipeline", args=[org.code]))
