"""Authentication for the API: a bearer token (required), or the web session for reading."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from dangvu.accounts.models import ApiToken
from dangvu.accounts.services import touch_api_token

AUTH_FAILED = "Thiếu hoặc sai khóa truy cập."


class TokenAuth(HttpBearer):
    """``Authorization: Bearer dv_…``; the token's user becomes ``request.user``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        found = ApiToken.lookup(token.strip())
        if found is None:
            return None
        touch_api_token(found)
        request.user = found.user
        return found.user


class ReadSessionAuth(SessionAuth):
    """The logged-in web session, for safe (read) methods only."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return None
        return super().authenticate(request, key)


auth_methods = [TokenAuth(), ReadSessionAuth()]
