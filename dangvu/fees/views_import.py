"""Fee book import pages: the template, upload → whole-file check → preview → confirm, on the
registry's import machinery (staged batch, same reader, same preview page shape)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangvu.common import ServiceError
from dangvu.common.views import access, add_service_error, require_edit
from dangvu.core import clock
from dangvu.core.fees import month_start
from dangvu.registry.excel import WorkbookError
from dangvu.registry.imports import can_see_batch
from dangvu.registry.models import CELL_KINDS, ImportBatch
from dangvu.registry.selectors import import_batch
from dangvu.reports.fee_import import fee_book_template
from dangvu.reports.xlsx import XLSX_MIME

from . import forms as f
from . import imports
from . import selectors as sel
from . import services_import as si


def _cell(request: HttpRequest, code: str):
    acc = access(request)
    org = acc.get_org(code)
    if org.kind not in CELL_KINDS:
        raise Http404("Sổ thu đảng phí là của chi bộ.")
    return acc, org


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest, code: str) -> HttpResponse:
    acc, org = _cell(request, code)
    require_edit(acc, org)
    posted = request.method == "POST"  # an empty POST still binds: the answer names the missing file
    form = f.FeeImportForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = si.stage_fee_import(request.user, org, form.cleaned_data["file"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            return redirect("fees:import_preview", pk=batch.pk)
    return render(request, "fees/import_start.html", {"org": org, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def import_template(request: HttpRequest, code: str) -> HttpResponse:
    _acc, org = _cell(request, code)
    response = HttpResponse(fee_book_template(list(sel.book_members(org)), month_start(clock.today())),
                            content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="so-thu-dang-phi-{org.code.lower()}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    batch = import_batch(pk)
    if batch is None or batch.kind != ImportBatch.Kind.FEE_BOOK or not can_see_batch(request.user, batch):
        raise Http404("Không tìm thấy lượt nhập.")
    return batch


@login_required
@require_GET
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    good = []
    if batch.state == ImportBatch.State.PREVIEW:
        try:
            good = imports.preview_rows(imports.validate(batch.scope, bytes(batch.content)))
        except WorkbookError:
            good = []
    problems = sorted(batch.problems, key=lambda p: p["row"])
    return render(request, "fees/import_preview.html", {
        "batch": batch, "org": batch.scope, "problems": problems, "bad_count": len(problems),
        "good_count": batch.rows - len(problems), "good_rows": good, "headers": imports.PREVIEW_HEADERS,
        "warnings": sorted(batch.warnings, key=lambda w: w["row"]),
        "can_confirm": batch.state == ImportBatch.State.PREVIEW and not problems,
    })


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        created = si.confirm_fee_import(request.user, batch)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("fees:import_preview", pk=batch.pk)
    messages.success(request, f"Đã nhập {created} dòng sổ thu đảng phí từ tệp «{batch.file_name}».")
    return redirect("fees:import_preview", pk=batch.pk)
