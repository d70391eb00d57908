"""The progress page of a scanned plan being read (see :mod:`dangvu.plans.scan_jobs`).

The page asks the browser to reload it every few seconds with the standard ``Refresh`` response
header: no script at all, so it works on any phone browser, and each reload is one cheap read of a
small state file. When the reading is done the page stops reloading and offers one button: its POST
makes the draft (as the user, through the services) and opens the draft review. A GET never writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dangvu.common import ServiceError
from dangvu.common.views import access, require_edit

from . import scan_jobs
from . import services as s

REFRESH_SECONDS = 2


def start(request: HttpRequest, org, form) -> HttpResponse | None:
    """Queue the upload held by a valid UploadForm (``form.scan``) and go to its progress page; None
    (with the refusal on the form) when too many scans are waiting."""
    name, raw, suffix, pages = form.scan
    data = form.cleaned_data
    try:
        job = scan_jobs.start(request.user.pk, org.code, name, raw, suffix, pages=pages,
                              start_year=data.get("start_year"), end_year=data.get("end_year"))
    except scan_jobs.ScanBusy as exc:
        form.add_error("file", str(exc))
        return None
    return redirect("plans:plan_scan", job)


@login_required
@require_http_methods(["GET", "POST"])
def plan_scan(request: HttpRequest, job: str) -> HttpResponse:
    acc = access(request)
    found = scan_jobs.get(job, request.user.pk)
    if found is None:
        raise Http404("Không tìm thấy việc đọc bản quét này (có thể đã quá một ngày).")
    org = acc.get_org(found.meta["org"])
    require_edit(acc, org)
    if found.status == scan_jobs.DRAFTED:
        return redirect("plans:plan_review", found.state["plan"])
    if found.status == scan_jobs.PARSED and request.method == "POST":
        plan = _draft(request, org, found)
        if plan is not None:
            return redirect("plans:plan_review", plan.pk)
        found = scan_jobs.get(job, request.user.pk) or found  # another tab has it, or it failed
    return _progress_page(request, org, found)


def _draft(request: HttpRequest, org, found: scan_jobs.Job):
    """Make the draft from a finished reading (once, whichever tab asks first); None if not made."""
    result = scan_jobs.claim_result(found)
    if result is None:
        return None
    try:
        plan = s.draft_from_parse(request.user, org, result["parsed"], found.meta["name"],
                                  result["text"], start_year=found.meta.get("start_year"),
                                  end_year=found.meta.get("end_year"))
    except ServiceError as exc:
        scan_jobs.failed(found, str(exc))
        return None
    except Exception:
        # Claimed but not drafted: say so, or every later poll would wait for nothing.
        scan_jobs.failed(found, "Không tạo được bản nháp từ bản quét; hãy tải tệp lên lại.")
        raise
    scan_jobs.drafted(found, plan.pk)
    messages.success(request, "Đã đọc bản quét. Máy nhận dạng chữ có thể sai: hãy đối chiếu bản "
                              "nháp với văn bản gốc trước khi lưu.")
    return plan


def _progress_page(request: HttpRequest, org, found: scan_jobs.Job) -> HttpResponse:
    status = found.status
    done, total = int(found.state.get("done") or 0), int(found.state.get("total") or 0)
    if status == scan_jobs.QUEUED:
        line = "Đang chờ đến lượt: máy chủ đang đọc một bản quét khác."
    elif status == scan_jobs.RUNNING and done < total:
        line = f"Đang nhận dạng chữ: trang {done + 1}/{total}"
    elif status == scan_jobs.PARSED:
        line = "Đã đọc xong. Bấm «Mở bản nháp» để xem các chỉ tiêu, nhiệm vụ đọc được."
    else:
        line = "Đang tách chỉ tiêu, nhiệm vụ…"
    response = render(request, "plans/scan_progress.html", {
        "org": org, "name": found.meta.get("name") or "", "failed": status == scan_jobs.FAILED,
        "ready": status == scan_jobs.PARSED,
        "error": found.state.get("error") or "", "line": line, "done": done, "total": max(total, 1),
        "percent": round(100 * done / total) if total else 0,
        "upload": reverse("plans:plan_upload", args=[org.code]),
    })
    if status not in (scan_jobs.FAILED, scan_jobs.PARSED):
        response["Refresh"] = str(REFRESH_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
