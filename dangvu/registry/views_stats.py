"""The standard statistics of an organization's subtree (issue 18): a page with the tables and a
bar per row, and the .docx/.xlsx download. Scoped like every organization page (outside the
user's subtree: 404) and every download is audited."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangvu.accounts.audit import log_export
from dangvu.common.views import access
from dangvu.core import clock
from dangvu.core.text import fold
from dangvu.reports.docx import DOCX_MIME
from dangvu.reports.stats import XLSX_MIME, build_stored, stats_docx, stats_xlsx

from .forms import StatsForm

FORMATS = {"docx": DOCX_MIME, "xlsx": XLSX_MIME}


def _dates(form: StatsForm) -> tuple[dt.date, dt.date | None]:
    """The form's day and period start; today and the default start when blank or invalid."""
    data = form.cleaned_data if form.is_valid() else {}
    return data.get("ngay") or clock.today(), data.get("tu_ngay")


@login_required
@require_GET
def org_stats(request: HttpRequest, code: str) -> HttpResponse:
    org = access(request).get_org(code)
    form = StatsForm(request.GET or None)
    day, start = _dates(form) if form.is_bound else (clock.today(), None)
    report = build_stored(org, day, start)
    query = f"ngay={report.day:%Y-%m-%d}&tu_ngay={report.start:%Y-%m-%d}"
    return render(request, "registry/org_stats.html", {
        "org": org, "form": form, "report": report, "query": query,
        "tables": [(t, [(label, n, t.share(n)) for label, n in t.rows])
                   for t in [*report.org_tables, *report.member_tables]],
    })


@login_required
@require_GET
def org_stats_file(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("Không có định dạng báo cáo này.")
    org = access(request).get_org(code)
    day, start = _dates(StatsForm(request.GET))
    report = build_stored(org, day, start)
    content = stats_docx(report) if fmt == "docx" else stats_xlsx(report)
    log_export(request.user, org, f"stats.{fmt}", rows=report.total, date=report.day.isoformat(),
               start=report.start.isoformat())
    slug = re.sub(r"[^a-z0-9]+", "-", fold(org.code)).strip("-") or "to-chuc"
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="thong-ke-{slug}-{report.day:%Y%m%d}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
