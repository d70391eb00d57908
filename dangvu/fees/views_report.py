"""The fee report download (báo cáo thu, nộp đảng phí) of an organization: office roles of its
subtree only, every download audited like the other exports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from dangvu.accounts.audit import log_export
from dangvu.common.signer import SignerForm
from dangvu.common.views import access, require_edit
from dangvu.core import clock
from dangvu.registry.selectors import document_signers
from dangvu.reports.docx import DOCX_MIME
from dangvu.reports.fees import (
    XLSX_MIME,
    build,
    fee_report_docx,
    fee_report_xlsx,
    parse_period,
    report_periods,
)


@login_required
@require_GET
def fee_report(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)  # the office roles of the subtree: a viewer reads the pages, not the report
    fmt = request.GET.get("dinh-dang", "docx")
    # "ky" is the signer's choice (SignerForm); without a period, the quarter under way.
    wanted = request.GET.get("ky-bao-cao") or report_periods(clock.today())[0][0]
    period = parse_period(wanted)
    if fmt not in ("docx", "xlsx") or period is None:
        raise Http404("Không có kỳ hoặc định dạng báo cáo này.")
    report = build(org, period)
    if fmt == "docx":
        signer = SignerForm(request.GET, signers=document_signers(org, report.today)).post_id
        content = fee_report_docx(report, signer_post=signer)
    else:
        content = fee_report_xlsx(report)
    key = wanted.strip().lower()  # "2026" or "2026-q3": parse_period accepted it
    log_export(request.user, org, f"fee-report.{fmt}", rows=len(report.rows) + 1, period=key)
    response = HttpResponse(content, content_type=DOCX_MIME if fmt == "docx" else XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="bao-cao-dang-phi-{org.code.lower()}-{key}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
