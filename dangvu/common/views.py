"""The service-form glue every app's views share: scoped lookups, permission answers, service calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from dangvu.accounts.access import Access, access_for
from dangvu.common import ServiceError
from dangvu.common.version_forms import show_stale
from dangvu.common.versions import StaleEdit


def access(request: HttpRequest) -> Access:
    return access_for(request.user)


def require_edit(acc: Access, org) -> None:
    """Inside the read scope but not editable → 403; outside → the lookup already gave 404."""
    if not acc.can_edit_org(org):
        raise PermissionDenied("Bạn chỉ có quyền xem, không có quyền cập nhật.")


def add_service_error(form, exc: ServiceError) -> None:
    """Show a refusal beside the field it is about, or above the form when it is about no field."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, ValidationError(exc.message, code=exc.code))  # the code kept for tests and the API
    if isinstance(exc, StaleEdit):  # someone saved first: show both values of each differing field
        show_stale(form, exc)


class _DryRun(Exception):
    """Raised inside :func:`refusal_of` to roll its transaction back."""


def refusal_of(action: Callable[[dict[str, Any]], Any], data: dict[str, Any]) -> ServiceError | None:
    """The service's refusal of ``data``, if any, without keeping anything: the action runs in a
    transaction that is always rolled back. A confirmation page asks only about what will pass."""
    try:
        with transaction.atomic():
            action(data)
            raise _DryRun
    except ServiceError as exc:
        return exc
    except _DryRun:
        return None


def service_form(request: HttpRequest, form, context: dict[str, Any], action: Callable[[dict[str, Any]], Any],
                 success: str, redirect_to: str | Callable[[Any], str],
                 template: str = "web/form.html") -> HttpResponse:
    """Validate ``form`` on POST, run ``action(cleaned_data)``, show its refusal on the form.

    ``redirect_to`` is a URL, or a function of the action's result giving one.
    """
    if request.method == "POST" and not form.is_bound:
        # ``Form(request.POST or None)`` leaves the form unbound on an empty POST; bind it so the
        # answer lists the missing fields instead of a bare 400.
        form.is_bound, form.data, form.files = True, request.POST, request.FILES
    if request.method == "POST" and form.is_valid():
        try:
            result = action(form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, success)
            return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {**context, "form": form}, status=status)
