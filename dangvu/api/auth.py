"""Authentication for the API: a bearer token (required), or the web session for reading."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from dangvu.accounts.models import ApiToken

AUTH_FAILED = "Thiếu hoặc sai khóa truy cập."
TOUCH_INTERVAL = dt.timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer dv_…``; the token's user becomes ``request.user``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        found = ApiToken.lookup(token.strip())
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at >= TOUCH_INTERVAL:
            # Usage bookkeeping only (no business data): a single conditional UPDATE, so
            # concurrent requests within the same minute do not write again.
            ApiToken.objects.filter(pk=found.pk).exclude(last_used_at__gt=now - TOUCH_INTERVAL).update(
                last_used_at=now
            )
            found.last_used_at = now
        request.user = found.user
        return found.user


class ReadSessionAuth(SessionAuth):
    """The logged-in web session, for safe (read) methods only."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return None
        return super().authenticate(request, key)


auth_methods = [TokenAuth(), ReadSessionAuth()]
