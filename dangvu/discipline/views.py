"""Discipline pages: the cases of an organization's subtree, one case with its steps, opening a case
for a member and the form of each step. Cases are seen only by the roles of
:mod:`dangvu.discipline.access` (others get 404, as for anything outside their scope); every read of
a case page is written to the audit log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dangvu.accounts.access import Access
from dangvu.accounts.audit import log_read
from dangvu.common import ServiceError
from dangvu.common.views import access, require_edit, service_form
from dangvu.core import clock
from dangvu.core.discipline import (
    STEP_LABELS,
    DisciplineRefused,
    Step,
    appeal_deadline,
    check_step,
    limitation_ends,
)
from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import fold
from dangvu.registry.selectors import search_members

from . import forms as f
from . import selectors as sel
from . import services as s
from .access import sees_cases_of
from .models import DisciplineCase

FORM_METHODS = require_http_methods(["GET", "POST"])
SEARCH_SHOWN = 20


def _org_or_404(acc: Access, code: str):
    org = acc.get_org(code)
    if not sees_cases_of(acc, org):
        raise Http404("Không tìm thấy tổ chức đảng.")
    return org


def _case_or_404(acc: Access, pk: int) -> DisciplineCase:
    case = sel.case_in_view(acc, pk)
    if case is None:
        raise Http404("Không tìm thấy vụ việc.")
    return case


@login_required
def org_cases(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = _org_or_404(acc, code)
    query = (request.GET.get("q") or "")[:60]
    words = fold(query).split()
    found = list(search_members(acc, scope=org, words=words)[:SEARCH_SHOWN]) if words else []
    return render(request, "discipline/org_cases.html", {
        "org": org, "cases": sel.cases_of_org(acc, org)[:200], "query": query, "found": found,
        "can_edit": acc.can_edit_org(org), "labels": STEP_LABELS})


@login_required
@FORM_METHODS
def open_case(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    member = acc.get_member(pk)
    if not sees_cases_of(acc, member.organization):
        raise Http404("Không tìm thấy đảng viên.")
    require_edit(acc, member.organization)
    return service_form(
        request, f.OpenCaseForm(request.POST or None),
        {"title": f"Mở vụ việc kỷ luật — {member.full_name}", "member": member,
         "back": reverse("discipline:org_cases", args=[member.organization.code]), "submit": "Mở vụ việc"},
        lambda d: s.open_case(member, opened_by=request.user, **d), "Đã mở vụ việc kỷ luật.",
        lambda case: reverse("discipline:case_detail", args=[case.pk]))


def _facts(case: DisciplineCase) -> dict[str, Any]:
    """What the case page shows besides the steps: limitation end per form, competent level per
    form, the appeal deadline."""
    today = clock.today()
    rs = ruleset_for(today)
    later = sel.later_violations(case)
    limits = []
    for form, label in f._forms_for(case.member.status):
        ends = limitation_ends(case.violation_on, form, rs, grave=case.grave_ground, later_violations=later)
        try:
            who = s.competent_org(case, form, today).name
        except ServiceError as exc:
            who = exc.message
        limits.append({"label": label, "ends": ends, "expired": ends is not None and ends < today, "who": who})
    received = case.received_on or case.decided_on
    return {"limits": limits, "appeal_until": appeal_deadline(received, rs) if received else None,
            "grave_label": rs["discipline.no_limitation_grounds"].get(case.grave_ground, ""),
            "source": rs.source("discipline.limitation_years")}


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    case = _case_or_404(acc, pk)
    log_read(request.user, case, "discipline-case", member=case.member_id)
    appeal = getattr(case, "appeal", None)
    can_edit = acc.can_edit_org(case.member.organization)
    steps = [(slug, step) for slug, step in STEPS.items() if _open(case, step.step)] if can_edit else []
    return render(request, "discipline/case.html", {
        "case": case, "member": case.member, "appeal": appeal, "labels": STEP_LABELS, "steps": steps,
        **_facts(case)})


# -- the step forms -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class StepPage:
    step: str
    title: str
    form: Callable[..., Any]
    action: Callable[[Any, DisciplineCase, dict[str, Any]], Any]
    done: str


def _open(case: DisciplineCase, step: str) -> bool:
    """Is ``step`` the (or a) next one for the case? Circumstances: until the decision."""
    if step == "circumstances":
        return case.state in (Step.OPENED, Step.SELF_REVIEW, Step.CELL_VOTE)
    try:
        check_step(case.state, step)
    except DisciplineRefused:
        return False
    return True


STEPS: dict[str, StepPage] = {
    "tinh-tiet": StepPage("circumstances", "Tình tiết: vi phạm không áp dụng thời hiệu, nuôi con nhỏ",
                          lambda data, case: f.CircumstancesForm(data, initial={
                              "grave_ground": case.grave_ground or f.NO_GROUND, "child_born_on": case.child_born_on}),
                          lambda by, case, d: s.set_circumstances(by, case, **d), "Đã ghi tình tiết."),
    "tu-kiem-diem": StepPage(Step.SELF_REVIEW, "Đảng viên tự kiểm điểm",
                             lambda data, case: f.SelfReviewForm(data),
                             lambda by, case, d: s.record_self_review(by, case, **d), "Đã ghi bản tự kiểm điểm."),
    "chi-bo": StepPage(Step.CELL_VOTE, "Chi bộ họp, biểu quyết",
                       lambda data, case: f.CellVoteForm(data, status=case.member.status, initial={
                           "full_members": sel.full_members_of(case.member.organization)}),
                       lambda by, case, d: s.record_cell_vote(by, case, **d), "Đã ghi kết quả biểu quyết của chi bộ."),
    "quyet-dinh": StepPage(Step.DECIDED, "Quyết định của cấp có thẩm quyền",
                           lambda data, case: f.DecisionForm(data, status=case.member.status),
                           lambda by, case, d: s.decide_case(by, case, **d), "Đã ghi quyết định."),
    "dung": StepPage(Step.CLOSED, "Dừng xem xét vụ việc", lambda data, case: f.CloseForm(data),
                     lambda by, case, d: s.close_case(by, case, **d), "Đã dừng xem xét vụ việc."),
    "khieu-nai": StepPage(Step.APPEALED, "Đảng viên khiếu nại", lambda data, case: f.AppealForm(data),
                          lambda by, case, d: s.lodge_appeal(by, case, **d), "Đã ghi đơn khiếu nại."),
    "giai-quyet": StepPage(Step.APPEAL_DECIDED, "Giải quyết khiếu nại",
                           lambda data, case: f.AppealDecisionForm(data, status=case.member.status),
                           lambda by, case, d: s.decide_appeal(by, case, **d), "Đã ghi quyết định giải quyết khiếu nại."),
}


@login_required
@FORM_METHODS
def case_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    acc = access(request)
    case = _case_or_404(acc, pk)
    page = STEPS.get(step)
    if page is None:
        raise Http404("Không có bước này.")
    require_edit(acc, case.member.organization)
    if request.method == "GET":  # the form's page names the case: a read of it
        log_read(request.user, case, f"discipline-case-{step}", member=case.member_id)
    url = reverse("discipline:case_detail", args=[case.pk])
    return service_form(
        request, page.form(request.POST or None, case),
        {"title": f"{page.title} — {case.member.full_name}", "member": case.member, "back": url, "submit": "Ghi"},
        lambda d: page.action(request.user, case, d), page.done, url)
