"""Evaluation pages: rounds of an organization, a round's table with the three steps, closing and
publishing, the published list and its Excel export.

Every lookup goes through the user's Access: outside the subtree → 404, read-only → 403 on edits.
A round run above the user's scope (a commune's round seen by a cell secretary) shows only the
rows of the user's subtree.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from dangvu.accounts.audit import log_export
from dangvu.common.views import access, require_edit, service_form
from dangvu.core.evaluation import Grade
from dangvu.core.rulesets import ruleset_for
from dangvu.reports.evaluation import XLSX_MIME, published_workbook

from . import forms as f
from . import selectors as sel
from . import services as s
from .models import Evaluation, EvaluationRound, RoundState, SubjectKind

FORM_METHODS = require_http_methods(["GET", "POST"])
ROUNDS_PER_PAGE = ROWS_PER_PAGE = UNITS_PER_PAGE = 50
GRADES = [(g.value, g.label) for g in Grade]


def _get_round(acc, pk: int) -> tuple[EvaluationRound, bool]:
    """The round and whether the user reads all of it (else only the rows of their subtree)."""
    found = sel.round_in_scope(acc, pk)
    if found is None:
        raise Http404("Không tìm thấy đợt đánh giá.")
    return found


def _get_evaluation(acc, pk: int) -> Evaluation:
    ev = sel.evaluation_in_scope(acc, pk)
    if ev is None:
        raise Http404("Không tìm thấy phiếu đánh giá.")
    return ev


def _round_url(rnd: EvaluationRound) -> str:
    return reverse("evaluation:round_detail", args=[rnd.pk])


def _bars(dist: dict[str, int]) -> list[dict]:
    total = sum(dist.values())
    return [{"grade": g, "label": label, "n": dist.get(g, 0),
             "pct": round(100 * dist.get(g, 0) / total, 1) if total else 0} for g, label in GRADES]


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Rounds run in the user's scope or above it that grade someone of it, with the user's own
    forms counted by state (a cell secretary sees the commune's round and her cell's forms)."""
    acc = access(request)
    if not acc.sees_registry:
        raise Http404("Bạn chưa được phân quyền xem tổ chức nào.")
    page = Paginator(sel.rounds_visible(acc), ROUNDS_PER_PAGE).get_page(request.GET.get("trang") or 1)
    mine, cells = sel.my_counts(acc, page), sel.my_cells(acc, page)
    rounds = [(r, [(key, label, mine.get(r.pk, {}).get(key, 0)) for key, label in sel.ROW_STATES.items()],
               cells.get(r.pk, [])) for r in page]
    return render(request, "evaluation/rounds.html", {"org": None, "page": page, "roots": list(acc.roots[:20]),
                                                      "can_edit": False, "rounds": rounds})


@login_required
@require_GET
def org_rounds(request: HttpRequest, code: str) -> HttpResponse:
    """Rounds run by this organization or below it, and rounds above that include it."""
    acc = access(request)
    org = acc.get_org(code)
    page = Paginator(sel.rounds_of(org), ROUNDS_PER_PAGE).get_page(request.GET.get("trang") or 1)
    return render(request, "evaluation/rounds.html", {"org": org, "page": page, "roots": [],
                                                      "rounds": [(r, [], []) for r in page],
                                                      "can_edit": acc.can_edit_org(org)})


@login_required
@FORM_METHODS
def round_open(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    form = f.OpenRoundForm(request.POST or None)

    def act(d):
        return s.open_round(request.user, org, d["subject_kind"], d["year"], d["quarter"])

    return service_form(request, form, {"title": f"Mở đợt đánh giá, xếp loại — {org.name}", "org": org}, act,
                        "Đã mở đợt đánh giá. Bây giờ ghi phiếu tự đánh giá của từng người.", _round_url,
                        template="evaluation/form.html")


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The round grouped by unit: a compact table of units with their forms counted by state, each
    opening its unit; the forms themselves when one unit is chosen (or only one is visible) or a
    state is; both paginated."""
    acc = access(request)
    rnd, whole = _get_round(acc, pk)
    rows = sel.visible_evaluations(acc, rnd, whole)
    dist = sel.distribution(rows)
    units = sel.unit_counts(rows)
    unit = sel.unit_of_round(acc, rnd, request.GET.get("don-vi", ""))
    state = request.GET.get("tinh-trang", "")
    state = state if state in sel.ROW_STATES else ""
    show_rows = unit is not None or bool(state) or len(units) <= 1
    shown = sel.filter_rows(rows, unit, state) if show_rows else rows.none()
    page = Paginator(shown, ROWS_PER_PAGE).get_page(request.GET.get("trang") or 1)
    unit_page = Paginator(units, UNITS_PER_PAGE).get_page(request.GET.get("trang-dv") or 1)
    can_run = acc.can_edit_org(rnd.organization)
    editable_units = sel.editable_units(acc, rnd)
    proposed = {}
    if rnd.subject_kind == SubjectKind.ORGANIZATION:
        proposed = sel.proposed_meeting_grades(rnd, page)
    return render(request, "evaluation/round_detail.html", {
        "round": rnd, "org": rnd.organization, "whole": whole, "page": page,
        "rows": [(ev, proposed.get(ev.pk), ev.unit_id in editable_units) for ev in page],
        "dist": dist, "bars": _bars(dist), "undecided": dist[""], "total": sum(dist.values()),
        "quota": sel.quota_rows(rnd) if whole else [], "can_run": can_run and whole,
        "share": _share_pct(rnd), "not_graded": sel.not_graded_in_scope(acc, rnd),
        "units": unit_page, "unit": unit, "state": state, "states": sel.ROW_STATES, "show_rows": show_rows,
        "editable_units": editable_units, "unit_count": len(units), "all_units": units,
        "filter_query": _query(unit, state),
    })


def _query(unit, state: str) -> str:
    """The filter part of the round page's links (kept when paging)."""
    return urlencode({k: v for k, v in (("don-vi", unit.code if unit else ""), ("tinh-trang", state)) if v})


def _share_pct(rnd: EvaluationRound) -> str:
    """The excellent quota as a percentage of those graded good, from the round's rule set ("20")."""
    share = Decimal(str(ruleset_for(rnd.rule_day)["evaluation.excellent_share_of_good_max"])) * 100
    return f"{share.normalize():f}".replace(".", ",")


def _step(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    acc = access(request)
    ev = _get_evaluation(acc, pk)
    rnd = ev.round
    require_edit(acc, rnd.organization if which == "decision" else ev.unit)
    if which == "self":
        initial = {f"c_{k}": v for k, v in (ev.self_points or {}).items()}
        initial |= {k: getattr(ev, k) for k in ("self_grade", "tasks_on_time_pct", "tasks_exceeding_pct",
                                                 "targets_met_pct", "disunity")}
        form = f.SelfAssessmentForm(request.POST or None, criteria=rnd.criteria(), collective=ev.is_collective,
                                    initial=initial)
        title, done = "Phiếu tự đánh giá", "Đã ghi phiếu tự đánh giá."

        def act(d):
            return s.self_assess(request.user, ev, form.points(), d["self_grade"],
                                 tasks_on_time_pct=d.get("tasks_on_time_pct"),
                                 tasks_exceeding_pct=d.get("tasks_exceeding_pct"),
                                 targets_met_pct=d.get("targets_met_pct"), disunity=d.get("disunity", False))
    elif which == "proposal":
        form = f.ProposalForm(request.POST or None, initial={"grade": ev.proposed_grade or ev.self_grade,
                                                             "note": ev.proposal_note})
        title, done = "Chi bộ đề xuất xếp loại", "Đã ghi đề xuất của chi bộ."

        def act(d):
            return s.propose(request.user, ev, d["grade"], d.get("note", ""))
    else:
        form = f.DecisionForm(request.POST or None, initial={"grade": ev.decided_grade or ev.proposed_grade,
                                                             "reason": ev.decision_reason})
        title, done = "Cấp ủy quyết định xếp loại", "Đã ghi quyết định của cấp ủy."

        def act(d):
            return s.decide(request.user, ev, d["grade"], d.get("reason", ""))

    return service_form(request, form, {"title": f"{title} — {ev.subject_name}", "org": rnd.organization,
                                        "round": rnd, "ev": ev, "step": which,
                                        "meeting_grade": s.proposed_meeting_grade(ev)},
                        act, done, _round_url(rnd) + f"#p{ev.pk}", template="evaluation/step.html")


@login_required
@FORM_METHODS
def evaluation_self(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "self")


@login_required
@FORM_METHODS
def evaluation_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "proposal")


@login_required
@FORM_METHODS
def evaluation_decision(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "decision")


@login_required
@FORM_METHODS
def cell_proposals(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One screen per cell: the secretary proposes every member's grade at once, one save."""
    acc = access(request)
    rnd, _whole = _get_round(acc, pk)
    unit = sel.unit_of_round(acc, rnd, code)
    if unit is None:
        raise Http404("Đơn vị này không có phiếu trong đợt đánh giá.")
    require_edit(acc, unit)
    evaluations = list(sel.unit_evaluations(rnd, unit))
    form = f.CellProposalForm(request.POST or None, evaluations=evaluations)
    back = reverse("evaluation:round_detail", args=[rnd.pk]) + "?" + _query(unit, "")

    def act(_d):
        return s.propose_for_unit(request.user, rnd, unit, form.grades())

    waiting = sum(1 for ev in evaluations if ev.self_at is None)
    return service_form(request, form, {"title": f"Chi bộ đề xuất xếp loại — {unit.name}", "round": rnd,
                                        "org": rnd.organization, "unit": unit, "waiting_self": waiting,
                                        "back": back, "is_open": rnd.is_open},
                        act, "Đã ghi đề xuất xếp loại của chi bộ.", back, template="evaluation/cell_proposals.html")


def _round_action(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    acc = access(request)
    rnd, whole = _get_round(acc, pk)
    require_edit(acc, rnd.organization)
    if which == "finalise":
        title = f"Chốt kết quả — {rnd.title}"
        action, done = s.finalise_round, "Đã chốt kết quả đợt đánh giá."
    else:
        title = f"Công bố kết quả — {rnd.title}"
        action, done = s.publish_round, "Đã công bố kết quả."
    dist = sel.distribution(rnd.evaluations.all())
    return service_form(request, f.ConfirmForm(request.POST or None),
                        {"title": title, "round": rnd, "org": rnd.organization, "which": which, "dist": dist,
                         "bars": _bars(dist), "quota": sel.quota_rows(rnd), "share": _share_pct(rnd)},
                        lambda _d: action(request.user, rnd), done, _round_url(rnd),
                        template="evaluation/confirm.html")


@login_required
@FORM_METHODS
def round_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_action(request, pk, "finalise")


@login_required
@FORM_METHODS
def round_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_action(request, pk, "publish")


def _published(acc, pk: int) -> tuple[EvaluationRound, bool]:
    rnd, whole = _get_round(acc, pk)
    if rnd.state != RoundState.PUBLISHED:
        raise Http404("Không tìm thấy kết quả: đợt đánh giá chưa công bố.")
    return rnd, whole


@login_required
@require_GET
def round_published(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    rnd, whole = _published(acc, pk)
    rows = sel.visible_evaluations(acc, rnd, whole)
    dist = sel.distribution(rows)
    return render(request, "evaluation/published.html", {"round": rnd, "org": rnd.organization, "rows": rows,
                                                         "bars": _bars(dist), "total": sum(dist.values())})


@login_required
@require_GET
def round_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    rnd, whole = _published(acc, pk)
    rows = sel.published_rows_in_scope(acc, rnd, whole)
    content = published_workbook(rnd, rows)
    log_export(request.user, rnd, "evaluation_results", len(rows), round=rnd.pk)
    response = HttpResponse(content, content_type=XLSX_MIME)
    name = f"xep-loai-{rnd.subject_kind}-{rnd.year}{'-q' + str(rnd.quarter) if rnd.quarter else ''}-{rnd.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
