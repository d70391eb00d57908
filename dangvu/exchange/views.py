"""The office's upload page: upload a package → checked in full and previewed (nothing written) →
«Xác nhận nhập» applies it; and the published schema."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangvu.accounts.models import RoleKind
from dangvu.common import ServiceError
from dangvu.common.views import access, add_service_error

from . import package as pkg
from . import selectors as sel
from . import services as s
from .forms import UploadForm
from .models import ExchangeUpload


def _office(request: HttpRequest, code: str):
    """The organization, for its committee office (or an administrator) only."""
    acc = access(request)
    org = acc.get_org(code)
    if not (acc.is_admin or any(r.kind == RoleKind.OFFICE and org.path.startswith(r.organization.path)
                                for r in acc.roles)):
        raise PermissionDenied("Chỉ văn phòng cấp ủy được nhập gói dữ liệu của cấp dưới.")
    return org


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, code: str) -> HttpResponse:
    org = _office(request, code)
    posted = request.method == "POST"
    form = UploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            staged, _result = s.stage_upload(request.user, org, file.name, file.read())
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            return redirect("exchange:preview", pk=staged.pk)
    return render(request, "exchange/upload.html", {
        "org": org, "form": form, "imports": sel.recent_imports(org)}, status=400 if posted else 200)


def _upload(request: HttpRequest, pk: int) -> ExchangeUpload:
    found = sel.upload(pk)
    # Only its uploader (and an administrator) sees a staged package: it holds personal records.
    if found is None or (found.created_by_id != request.user.pk and not access(request).is_admin):
        raise Http404("Không tìm thấy gói dữ liệu.")
    return found


@login_required
@require_GET
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    staged = _upload(request, pk)
    _office(request, staged.scope.code)
    # The dry run made at upload (a big package takes a while to check): shown, not redone.
    done = staged.applied_id is not None or not staged.content
    return render(request, "exchange/preview.html", {
        "upload": staged, "org": staged.scope, "result": staged.summary or None, "done": done})


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    staged = _upload(request, pk)
    _office(request, staged.scope.code)
    try:
        result = s.apply_upload(request.user, staged)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã nhập gói của {result.org_name}: thêm {result.created}, sửa {result.updated} "
                                  "dòng.")
    return redirect("exchange:preview", pk=staged.pk)


@require_GET
def schema(request: HttpRequest) -> JsonResponse:
    """The package schema, public like the API's OpenAPI document (it holds no data)."""
    return JsonResponse(pkg.schema(), json_dumps_params={"ensure_ascii": False, "indent": 2})

