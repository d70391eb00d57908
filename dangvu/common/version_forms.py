"""The form side of the no-lost-update rule (:mod:`dangvu.common.versions`): the hidden version
field of an edit form, and a refused stale save shown as the stored and the typed value of each
differing field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone

from .forms import Form
from .versions import OLD_PAGE, StaleEdit, read_version


class VersionedForm(Form):
    """An edit form: the version of the record it was opened on rides along in a hidden field.

    ``cleaned_data["version"]`` is that number; a missing or malformed one is refused above the
    form (a hidden field cannot show its own error)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        version = None if "version" in self._errors else read_version(data.get("version"))
        if version is None:
            self._errors.pop("version", None)
            data.pop("version", None)
            raise forms.ValidationError(OLD_PAGE, code="version")
        data["version"] = version
        return data


def _shown_time(value: dt.date | dt.time) -> str:
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime("%H:%M %d/%m/%Y")
    return value.strftime("%d/%m/%Y" if isinstance(value, dt.date) else "%H:%M")


def shown(field: forms.Field | None, value: Any) -> str:
    """A value as the person reads it: dates dd/mm/yyyy, choices by their label, empty as "(trống)"."""
    if value is None or (isinstance(value, str | list | tuple) and not value):
        text = "(trống)"
    elif isinstance(value, bool):
        text = "Có" if value else "Không"
    elif isinstance(value, dt.date | dt.time):
        text = _shown_time(value)
    elif isinstance(field, forms.ModelChoiceField) and isinstance(value, models.Model):
        text = field.label_from_instance(value)
    elif isinstance(field, forms.ChoiceField):
        text = str(dict(field.choices).get(value, value))
    elif isinstance(value, float):
        text = f"{value:g}"
    elif isinstance(value, list | tuple):
        text = "; ".join(shown(None, v) for v in value)
    else:
        text = str(value)
    return text


def show_stale(form: forms.Form, exc: StaleEdit) -> None:
    """Put the refusal on ``form``: ``form.stale_rows`` (label, stored now, typed) for each differing
    field, and the stored version in its hidden field, so that pressing Save again writes the typed
    values over the stored ones as a knowing choice."""
    rows = []
    for name, stored, typed in exc.changes:
        field = form.fields.get(name)
        label = exc.labels.get(name) or (str(field.label) if field is not None and field.label else name)
        rows.append((label, shown(field, stored), shown(field, typed)))
    form.stale = True
    form.stale_rows = rows
    if form.is_bound and "version" in form.fields:
        data = form.data.copy()
        data[form.add_prefix("version")] = str(exc.version)
        form.data = data
