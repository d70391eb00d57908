"""Throttles (issue 12): the login's client address behind proxies, and the per-user budget of
duplicate checks against the whole database (each one tells whether a person exists somewhere).

The budget is counted in Django's cache, not the database: a refused check rolls back its
transaction, and a count kept there would roll back with it. With several server processes,
configure a shared cache (``CACHES``) so they share the count.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

from dangvu.common import Code, ServiceError
from dangvu.core.numbers import thousands

from .access import access_for

DUPLICATE_CHECKS_EXCEEDED = ("Bạn đã kiểm tra trùng quá {limit} người trong {hours} giờ qua; hãy thử lại sau "
                             "hoặc nhờ quản trị hệ thống kiểm tra.")


def client_ip(request: Any) -> str | None:
    """The client's address for login throttling: REMOTE_ADDR, or with ``DANGVU_PROXY_COUNT`` = N
    reverse proxies in front, the N-th address from the right of X-Forwarded-For (the one the
    outermost trusted proxy saw; addresses further left are the client's to forge)."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.DANGVU_PROXY_COUNT
    if count <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return chain[-count] if len(chain) >= count else remote


def _key(user_id: int) -> str:
    window = int(time.time() // (settings.DANGVU_DUPLICATE_CHECK_HOURS * 3600))
    return f"dangvu:duplicate-checks:{user_id}:{window}"


def spend_duplicate_checks(user: Any, count: int, once: str = "") -> None:
    """Count ``count`` people checked against the database by ``user``; refuse (nothing counted)
    when that would pass ``DANGVU_DUPLICATE_CHECKS`` in the current window. Administrators of the
    whole system (who see everyone anyway) and the command line (``user`` None) are not limited.
    ``once`` (a file's digest) counts the same file's checks once per window: staging and then
    confirming an import check the same people."""
    if count <= 0 or user is None or not getattr(user, "pk", None) or access_for(user).is_admin:
        return
    timeout = settings.DANGVU_DUPLICATE_CHECK_HOURS * 3600
    if once and cache.get(f"{_key(user.pk)}:{once}"):
        return
    limit = settings.DANGVU_DUPLICATE_CHECKS
    key = _key(user.pk)
    cache.add(key, 0, timeout=timeout)
    used = cache.incr(key, count)
    if used > limit:
        cache.decr(key, count)
        raise ServiceError(DUPLICATE_CHECKS_EXCEEDED.format(limit=thousands(limit),
                                                            hours=settings.DANGVU_DUPLICATE_CHECK_HOURS),
                           Code.RATE_LIMITED, field="file")
    if once:
        cache.set(f"{key}:{once}", 1, timeout=timeout)


def duplicate_checks_used(user: Any) -> int:
    return cache.get(_key(user.pk), 0)
