"""What the congress pages share: the 404 for a lookup outside the scope, file answers, links."""

from __future__ import annotations

import re
from typing import TypeVar
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dangvu.core.text import fold

from ..models import Congress, Election

FORM_METHODS = require_http_methods(["GET", "POST"])
T = TypeVar("T")


def found(obj: T | None, what: str) -> T:
    """The object a scoped selector found, else 404 (also when it lies outside the user's scope)."""
    if obj is None:
        raise Http404(f"Không tìm thấy {what}.")
    return obj


def file_response(content: bytes, filename: str, mime: str) -> HttpResponse:
    response = HttpResponse(content, content_type=mime)
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", fold(filename)) or "tep"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


def congress_url(congress: Congress) -> str:
    return reverse("congress:congress_detail", args=[congress.pk])


def election_url(election: Election) -> str:
    return reverse("congress:election_detail", args=[election.pk])
