"""Authentication for the API: a bearer token (required), or the web session for reading."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from dangvu.accounts.models import ApiToken
from dangvu.accounts.services import touch_api_token

AUTH_FAILED = "Thiếu hoặc sai khóa truy cập."
TOKEN_EXPIRED = "Khóa truy cập đã hết hạn; hãy xin quản trị hệ thống cấp khóa mới."


class TokenExpired(HttpError):
    """401 with its own Vietnamese message (not the generic one of a wrong key)."""

    def __init__(self) -> None:
        super().__init__(401, TOKEN_EXPIRED)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer dv_…``; the token's user becomes ``request.user``. A revoked
    token, or one of a deactivated user, is unknown; an expired one is told so."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        found = ApiToken.lookup(token.strip())
        if found is None:
            return None
        if found.expired(timezone.now()):
            raise TokenExpired
        touch_api_token(found)
        request.user = found.user
        request.api_token = found  # the write endpoints check its write grant
        return found.user


class ReadSessionAuth(SessionAuth):
    """The logged-in web session, for safe (read) methods only."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return None
        return super().authenticate(request, key)


auth_methods = [TokenAuth(), ReadSessionAuth()]
