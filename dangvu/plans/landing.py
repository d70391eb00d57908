"""Where a user lands after logging in: the dashboard of their organization's current plan.

The login signal marks the session; the home page asks :func:`landing_url` once and redirects
when the user's top organization has an active plan covering this year (else its latest active
plan). Later visits to the home page show it as usual.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from dangvu.core import clock

from . import selectors as sel

SESSION_KEY = "dangvu_plans_landing"


def mark_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = True


def landing_url(request: HttpRequest) -> str | None:
    """The plan dashboard to open right after login, once; None to show the home page."""
    session = getattr(request, "session", None)
    if session is None or not session.pop(SESSION_KEY, False):
        return None
    from dangvu.accounts.access import access_for

    plan = sel.landing_plan(access_for(request.user), clock.today().year)
    return reverse("plans:plan_dashboard", args=[plan.pk]) if plan else None
