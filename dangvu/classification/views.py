"""Classification pages: the cells of an organization with their result for a year, and one
cell's criteria with the figures that decide them and the committee's entries. Outside the
scope → 404; those who may not classify see the results without the buttons (a POST answers 403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from dangvu import indicators
from dangvu.common import ServiceError
from dangvu.common.views import access, add_service_error, require_edit
from dangvu.core import clock
from dangvu.core.periods import Period

from . import forms as f
from . import selectors as sel
from . import services as s

RESULT_LABELS = {True: "Đạt", False: "Chưa đạt", None: "Chưa đủ căn cứ"}


def _year(request: HttpRequest) -> int:
    form = f.YearForm(request.GET)
    if not form.is_valid():
        raise Http404("Năm không hợp lệ.")
    return form.cleaned_data["nam"] or clock.today().year - 1


def _url(name: str, code: str, year: int) -> str:
    return f"{reverse(name, args=[code])}?nam={year}"


@login_required
def overview(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    year = _year(request)
    fw, stored = sel.framework_in_force(org, year)
    page, rows = sel.cell_rows(org, year, request.GET.get("trang"))
    share = indicators.compute("cells.classified_four_good_share", org, Period.year(year))
    today = clock.today()
    return render(request, "classification/overview.html", {
        "org": org, "year": year, "fw": fw, "stored": stored, "share": share,
        "rows": [(r, RESULT_LABELS[r.result.classified] if r.result else "Chưa phân loại") for r in rows],
        "page": page, "page_query": f"nam={year}&",
        "years": list(range(today.year, today.year - 4, -1)),
        "can_edit": acc.can_edit_org(org) and year <= today.year,
    })


@login_required
@require_POST
def assess_all(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    year = _year(request)
    try:
        counts = s.assess_cells(request.user, org, year)
        messages.success(request, f"Đã phân loại: {counts['earned']} chi bộ đạt, {counts['not_earned']} chưa đạt, "
                                  f"{counts['undecided']} chưa đủ căn cứ.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(_url("classification:overview", org.code, year))


@login_required
@require_http_methods(["GET", "POST"])
def cell(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    cell = acc.get_org(code)
    if cell.kind != "cell":
        raise Http404("Chỉ chi bộ mới được phân loại.")
    year = _year(request)
    parent = sel.parent_of(cell)
    can_edit = parent is not None and acc.can_edit_org(parent)
    form = None
    if request.method == "POST":
        if not can_edit:
            require_edit(acc, parent or cell)
        form = f.EntryForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                s.record_entry(request.user, cell, year, d["criterion"], met=d["met"], evidence=d["evidence"])
                s.assess_cell(request.user, cell, year)
                messages.success(request, "Đã ghi nhận và phân loại lại chi bộ.")
                return redirect(_url("classification:cell", cell.code, year))
            except ServiceError as exc:
                add_service_error(form, exc)
    fw, _ = sel.framework_in_force(cell, year)
    result = sel.result_for(cell, year)
    entries = sel.entry_rows(cell, year)
    findings = {x["code"]: x for x in (result.findings if result else [])}
    groups = [(g, [(c, findings.get(c.code), entries.get(c.code)) for c in g.criteria]) for g in fw.groups]
    return render(request, "classification/cell.html", {
        "cell": cell, "year": year, "fw": fw, "result": result, "groups": groups, "form": form,
        "label": RESULT_LABELS[result.classified] if result else "Chưa phân loại", "can_edit": can_edit,
        "posted": form.data.get("criterion") if form is not None else None,
        "parent": parent if parent is not None and acc.can_read_org(parent) else None,
    })


@login_required
@require_POST
def assess_one(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    cell = acc.get_org(code)
    parent = sel.parent_of(cell)
    require_edit(acc, parent or cell)
    year = _year(request)
    try:
        row = s.assess_cell(request.user, cell, year)
        messages.success(request, f"Kết quả phân loại năm {year}: {RESULT_LABELS[row.classified]}.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(_url("classification:cell", cell.code, year))
