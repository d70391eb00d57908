"""Request/response policies that hold for every page (issue 12, secure defaults).

- :class:`IdleTimeoutMiddleware`: a signed-in session ends after ``DANGVU_IDLE_MINUTES`` without a
  request, or ``DANGVU_SESSION_HOURS`` after sign-in; the login page then says why.
- :class:`NoStoreMiddleware`: nothing a view answers may be kept by a browser or proxy cache.
- :class:`AccessLogMiddleware`: each 403 and 404 is one line on the ``dangvu.access`` logger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

access_log = logging.getLogger("dangvu.access")

LAST_SEEN = "dangvu_last_seen"  # session keys: epoch seconds of the last request and of sign-in
SIGNED_IN = "dangvu_signed_in"
# The last-seen time is written at most this often (seconds), so that reading pages does not
# write the session row on every request; the idle limit is thus exact to within a minute.
TOUCH_EVERY = 60
MAX_LOGGED_PATH = 300  # characters of the path kept in one access-log line


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    @staticmethod
    def _check(request: HttpRequest) -> None:
        session = request.session
        now = int(timezone.now().timestamp())
        idle = settings.DANGVU_IDLE_MINUTES
        hours = settings.DANGVU_SESSION_HOURS
        last = session.get(LAST_SEEN)
        signed_in = session.get(SIGNED_IN)
        reason = ""
        if isinstance(last, int) and now - last > idle * 60:
            reason = f"Phiên làm việc đã hết hạn vì không thao tác quá {idle} phút. Hãy đăng nhập lại."
        elif isinstance(signed_in, int) and now - signed_in > hours * 3600:
            reason = f"Phiên làm việc đã kéo dài quá {hours} giờ. Hãy đăng nhập lại."
        if reason:
            logout(request)  # flushes the session; the message travels in the messages cookie
            if not request.path.startswith("/api/"):
                messages.info(request, reason)
            return
        if not isinstance(signed_in, int):
            session[SIGNED_IN] = now
        if not isinstance(last, int) or now - last >= TOUCH_EVERY:
            session[LAST_SEEN] = now


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (and ``Pragma: no-cache``) on every response from a view: nearly
    every page shows personal or party data. Static files are answered before this (whitenoise)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        response["Pragma"] = "no-cache"
        return response


def _printable(text: str, limit: int) -> str:
    """``text`` on one line: control and other non-printable characters escaped, cut at ``limit``."""
    out = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text[:limit])
    return out + ("…" if len(text) > limit else "")


class AccessLogMiddleware:
    """One line per 403 or 404: ``<status> <method> <path> user=<id or ->``. The query string is
    left out (it may carry names or identity numbers being searched)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in (403, 404):
            user = getattr(request, "user", None)
            uid = user.pk if user is not None and user.is_authenticated else "-"
            access_log.log(logging.WARNING if response.status_code == 403 else logging.INFO,
                           "%s %s %s user=%s", response.status_code, _printable(request.method or "", 16),
                           _printable(request.path, MAX_LOGGED_PATH), uid)
        return response
