"""Excel pages: import (upload → preview → confirm), template downloads, member-list export.

Every query goes through :func:`access_for`; a batch of another user, like an organization
outside the scope, is a 404. Bad uploads come back to the form with a message, never a 500.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangvu.accounts.access import Access, access_for
from dangvu.accounts.audit import log_export
from dangvu.common.uploads import LimitedFileField
from dangvu.core import clock
from dangvu.core.text import fold, nfc
from dangvu.reports.xlsx import EXPORT_FIELDS, IDENTITY_FIELDS, XLSX_MIME, members_workbook, template_workbook

from . import excel, imports, services_import
from . import selectors as sel
from .models import ImportBatch, Member, Organization
from .services import ServiceError

_MAX_SCOPE_CHOICES = 500
_MAX_TEMPLATE_CODES = 3000
_MAX_PROBLEMS_SHOWN = 1000
_PREVIEW_KEYS = {
    "members": ("org", "full_name", "birth_date", "gender", "cccd", "admitted_on", "full_on"),
    "organizations": ("code", "name", "kind", "sector", "parent", "established_on"),
}
KIND_LABELS = dict(ImportBatch.Kind.choices)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "to-chuc"


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# -- import ---------------------------------------------------------------------------------

def scope_choices(access: Access) -> list[tuple[str, str]]:
    """Organizations a user may import into: their edit roots and the committees below."""
    orgs = sel.import_scopes(access, _MAX_SCOPE_CHOICES)
    top = min((o.depth for o in orgs), default=1)
    return [(o.code, f"{'— ' * (o.depth - top)}{o.name} ({o.code})") for o in orgs]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="Loại dữ liệu", choices=[(k, KIND_LABELS[k]) for k in imports.KINDS], widget=forms.RadioSelect,
                             initial=ImportBatch.Kind.MEMBERS)
    scope = forms.ChoiceField(label="Nhập vào tổ chức", error_messages={
        "invalid_choice": "Hãy chọn một tổ chức bạn được cập nhật."})
    file = LimitedFileField(
        label="Tệp Excel (.xlsx)", limit="DANGVU_MAX_UPLOAD_BYTES",
        help_text="Dùng tệp mẫu tải ở trên; tối đa 100.000 dòng.",
        error_messages={"required": "Hãy chọn tệp Excel (.xlsx) để tải lên."})

    def __init__(self, *args: Any, scopes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scopes
        self.fields["file"].widget.attrs["accept"] = (
            ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not access.can_edit_anything:
        raise PermissionDenied("Bạn không có quyền nhập dữ liệu.")
    scopes = scope_choices(access)
    initial = {"scope": request.GET.get("scope") or (scopes[0][0] if scopes else "")}
    if request.GET.get("kind") in imports.KINDS:
        initial["kind"] = request.GET["kind"]
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, scopes=scopes)
        if form.is_valid():
            scope = sel.editable_org(access, form.cleaned_data["scope"])
            if scope is None:
                form.add_error("scope", "Hãy chọn một tổ chức bạn được cập nhật.")
            else:
                try:
                    batch = services_import.stage_import(request.user, scope, form.cleaned_data["kind"],
                                                 form.cleaned_data["file"])
                except ServiceError as exc:
                    form.add_error("file", forms.ValidationError(exc.message, code=exc.code))
                else:
                    return redirect("registry:import_preview", pk=batch.pk)
    else:
        form = ImportForm(initial=initial, scopes=scopes)
    return render(request, "registry/import_start.html", {
        "form": form, "max_mb": _max_mb(), "kinds": [(k, KIND_LABELS[k]) for k in imports.KINDS],
    })


def _max_mb() -> str:
    from django.conf import settings

    return f"{settings.DANGVU_MAX_UPLOAD_BYTES / 1024 / 1024:.0f}"


@login_required
@require_GET
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in imports.KINDS:
        raise Http404("Không có mẫu này.")
    codes = sel.template_codes(access_for(request.user), kind, _MAX_TEMPLATE_CODES)
    name = "mau-nhap-dang-vien.xlsx" if kind == "members" else "mau-nhap-to-chuc-dang.xlsx"
    return _xlsx_response(template_workbook(kind, codes), name)


def _get_batch(request: HttpRequest, pk: int) -> ImportBatch:
    try:
        batch = sel.import_batch(pk)
    except (OverflowError, ValueError) as exc:
        raise Http404("Không tìm thấy lượt nhập.") from exc
    if batch is None or batch.kind not in imports.KINDS or not imports.can_see_batch(request.user, batch):
        raise Http404("Không tìm thấy lượt nhập.")
    return batch


@login_required
@require_GET
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch(request, pk)
    kind_label = KIND_LABELS.get(batch.kind, batch.kind)
    if batch.state == ImportBatch.State.DONE:
        return render(request, "registry/import_done.html", {"batch": batch, "kind_label": kind_label})
    columns = excel.COLUMNS[batch.kind]
    keys = _PREVIEW_KEYS[batch.kind]
    picks = [i for i, c in enumerate(columns) if c.key in keys]
    rows = [{"row": r["row"], "values": [r["values"][i] for i in picks]} for r in imports.preview(batch)]
    problems = sorted(batch.problems, key=lambda p: p["row"])
    return render(request, "registry/import_preview.html", {
        "batch": batch,
        "kind_label": kind_label,
        "headers": [columns[i].title for i in picks],
        "good_rows": rows,
        "good_count": batch.rows - len(problems),
        "bad_count": len(problems),
        "problems": problems[:_MAX_PROBLEMS_SHOWN],
        "problems_hidden": max(0, len(problems) - _MAX_PROBLEMS_SHOWN),
        "warnings": sorted(batch.warnings, key=lambda w: w["row"])[:_MAX_PROBLEMS_SHOWN],
        "can_confirm": batch.state == ImportBatch.State.PREVIEW and not problems
        and access_for(request.user).can_edit_org(batch.scope),
    })


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch(request, pk)
    try:
        created = services_import.confirm_import(request.user, batch)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        what = "đảng viên" if batch.kind == ImportBatch.Kind.MEMBERS else "tổ chức đảng"
        messages.success(request, f"Đã nhập {created} {what} từ tệp «{batch.file_name}».")
    return redirect("registry:import_preview", pk=batch.pk)


# -- export ---------------------------------------------------------------------------------

def filter_members(access: Access, params: QueryDict) -> tuple[QuerySet[Member], Organization | None,
                                                                dict[str, str], list[str]]:
    """The member list's own filters (``q``, ``org`` — 404 outside scope —, ``status``), via the
    list page's :func:`search_members`; also returns the filters and their Vietnamese description."""
    from .views import search_members

    form, qs, org = search_members(access, params)
    data = form.cleaned_data if form.is_valid() else {}
    filters = {k: str(data[k]) for k in ("q", "org", "status") if data.get(k)}
    described: list[str] = []
    if org is not None:
        described.append(f"tổ chức: {org.name} ({org.code})")
    if data.get("q"):
        described.append(f"tên có «{nfc(data['q'])}»")
    status_label = dict(form.fields["status"].choices).get(data.get("status") or "", "")
    if status_label:
        described.append(f"trạng thái: {status_label.lower()}")
    return qs, org, filters, described


def may_export_identity(user: Any, access: Access, org: Organization | None) -> bool:
    """Phones and CCCD go into the export only with ``registry.export_identity`` on every
    organization it covers (the filtered one, or each root of the user's scope)."""
    orgs = [org] if org is not None else list(access.roots)
    return bool(orgs) and all(user.has_perm("registry.export_identity", o) for o in orgs)


@login_required
@require_GET
def member_export(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not access.sees_registry:
        raise PermissionDenied("Bạn không có quyền xem danh sách đảng viên.")
    qs, org, filters, described = filter_members(access, request.GET)
    scope = org or access.roots.order_by("path").first()
    if scope is None:
        raise Http404("Không tìm thấy tổ chức đảng.")
    identity = may_export_identity(request.user, access, org)
    fields = EXPORT_FIELDS if identity else tuple(f for f in EXPORT_FIELDS if f not in IDENTITY_FIELDS)
    rows = sel.export_rows(qs, fields)
    title = f"Danh sách đảng viên — {scope.name}"
    line = "Bộ lọc: " + ("; ".join(described) if described else "không (toàn bộ phạm vi được xem)")
    content, count = members_workbook(rows, title, line, identity=identity)
    log_export(request.user, scope, "members.xlsx", rows=count, filters=filters, identity=identity)
    return _xlsx_response(content, f"dang-vien-{_slug(scope.code)}-{clock.today():%Y%m%d}.xlsx")
