"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    from dangvu.accounts.access import access_for

    return {"access": access_for(user)}
