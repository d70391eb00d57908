"""The periodic report of party-building work (issue 18, point 2) for an organization: a page to
choose the period (six months, a year, the congress term in force) and the .docx draft's download.
Office roles of the subtree only (a viewer reads the pages, not the reports; outside the subtree:
404), every download audited like the other exports."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangvu.accounts.audit import log_export
from dangvu.common.signer import SignerForm
from dangvu.common.views import access, require_edit
from dangvu.core import clock
from dangvu.core.text import fold
from dangvu.registry.selectors import document_signers
from dangvu.reports.docx import DOCX_MIME
from dangvu.reports.periodic import PeriodError, build, parse_period, periodic_docx, report_periods

PARAM = "ky-bao-cao"


@login_required
@require_GET
def periodic_report(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    today = clock.today()
    wanted = request.GET.get(PARAM)
    error = ""
    if wanted is not None:
        try:
            rp = parse_period(wanted[:40], org, today)
        except PeriodError as exc:
            error = str(exc)
        else:
            return _download(request, org, rp)
    periods = report_periods(org, today)
    return render(request, "web/periodic_report.html", {
        "org": org, "periods": periods, "error": error, "param": PARAM,
        "has_term": any(value == "term" for value, _ in periods),
        "signer_form": SignerForm(None, signers=document_signers(org, today)),
    }, status=400 if error else 200)


def _download(request: HttpRequest, org, rp) -> HttpResponse:
    report = build(org, rp)
    signer = SignerForm(request.GET, signers=document_signers(org, report.today)).post_id
    content = periodic_docx(report, signer_post=signer)
    log_export(request.user, org, "periodic-report.docx", rows=len(report.sections) + 2, period=rp.key)
    slug = re.sub(r"[^a-z0-9]+", "-", fold(org.code)).strip("-") or "to-chuc"
    response = HttpResponse(content, content_type=DOCX_MIME)
    response["Content-Disposition"] = f'attachment; filename="bao-cao-xay-dung-dang-{slug}-{rp.key.lower()}.docx"'
    response["Cache-Control"] = "no-store"
    return response
