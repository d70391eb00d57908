"""What every write endpoint shares: who may write, the refusal's HTTP status, the audit log's
actor, and a write sent again with the same ``Idempotency-Key``.

A write goes through the same service as the web form: the same checks, the same Vietnamese
refusal (:class:`~dangvu.common.ServiceError`, answered by :func:`refusal_status`), the same
audit log entries, now with the token's user as their actor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from auditlog.context import set_actor
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from ninja import Header, Status

from dangvu.accounts.selectors import idempotent_answer
from dangvu.accounts.services import reserve_idempotency_key, store_idempotent_answer
from dangvu.common import Code, ServiceError

from .common import access

READ_ONLY_TOKEN = ("Khóa truy cập này chỉ được đọc; hãy xin quản trị hệ thống cấp khóa được ghi "
                   "(dangvu token --write).")
READ_ONLY_ROLE = "Vai trò của bạn chỉ được xem ở đây, không được ghi."
KEY_HEADER = "Idempotency-Key"
KEY_MAX = 100
KEY_PATTERN = rf"^[\x21-\x7e]{{1,{KEY_MAX}}}$"  # printable ASCII, no space: what a header carries intact
BAD_KEY = f"Idempotency-Key phải là 1–{KEY_MAX} ký tự ASCII in được, không có dấu cách."
KEY_REUSED = "Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng khóa mới cho mỗi yêu cầu."

# A refusal's code → HTTP status: the request conflicts with what is stored (409), may not be
# done by this caller (403), else the values sent are wrong (400).
STATUS_OF_CODE = {
    Code.FORBIDDEN: 403,
    Code.NOT_FOUND: 404,
    Code.DUPLICATE: 409,
    Code.CONFLICT: 409,
    Code.STATE: 409,
    Code.STALE: 409,
    Code.TRANSITION: 409,
    Code.RATE_LIMITED: 429,
}


# The header as the write operations declare it (OpenAPI); a malformed one is a 422 naming it.
IdempotencyKey = Annotated[str, Header(None, alias=KEY_HEADER, pattern=KEY_PATTERN, description=(
    "Khóa chống ghi trùng do hệ thống gửi tự đặt: gửi lại cùng khóa và cùng nội dung thì nhận lại kết quả đã ghi "
    "(header Idempotent-Replayed: true), không ghi lần hai; cùng khóa với nội dung khác: 409."))]


def refusal_status(code: Code) -> int:
    return STATUS_OF_CODE.get(code, 400)


def ensure_writer(request: HttpRequest, org: Any) -> None:
    """403 unless the token may write and its user may edit ``org`` (which the caller has already
    found in the reading scope: outside it the answer is 404, as for reading)."""
    token = getattr(request, "api_token", None)
    if token is None or not token.can_write:
        raise ServiceError(READ_ONLY_TOKEN, Code.FORBIDDEN)
    if not access(request).can_edit_org(org):
        raise ServiceError(READ_ONLY_ROLE, Code.FORBIDDEN)


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.body):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def _key(request: HttpRequest) -> str | None:
    key = request.headers.get(KEY_HEADER)
    if key is None:
        return None
    if not (1 <= len(key) <= KEY_MAX and key.isascii() and key.isprintable() and " " not in key):
        raise ServiceError(BAD_KEY, Code.INVALID, field=KEY_HEADER)
    return key


def _replay(stored: Any, fingerprint: str, response: HttpResponse) -> Status:
    if stored.fingerprint != fingerprint:
        raise ServiceError(KEY_REUSED, Code.CONFLICT, field=KEY_HEADER)
    response["Idempotent-Replayed"] = "true"
    return Status(stored.status, stored.body)


def run_write(request: HttpRequest, response: HttpResponse, status: int,
              action: Callable[[], dict[str, Any]]) -> Status:
    """Run ``action`` (one service call and the answer it builds) as the token's user.

    With an ``Idempotency-Key`` header the key, the write and its answer commit in one
    transaction; the same request sent again gets the stored answer (header
    ``Idempotent-Replayed: true``) and writes nothing; the same key with another request is a 409."""
    with set_actor(request.user, remote_addr=request.META.get("REMOTE_ADDR")):
        key = _key(request)
        if key is None:
            return Status(status, action())
        fingerprint = _fingerprint(request)
        stored = idempotent_answer(request.user, key)
        if stored is not None:
            return _replay(stored, fingerprint, response)
        try:
            with transaction.atomic():
                record = reserve_idempotency_key(request.user, key, fingerprint)
                body = json.loads(json.dumps(action(), cls=DjangoJSONEncoder))
                store_idempotent_answer(record, status, body)
        except IntegrityError:
            # A request with the same key committed first (PostgreSQL waited for it): its answer.
            stored = idempotent_answer(request.user, key)
            if stored is None:
                raise
            return _replay(stored, fingerprint, response)
        return Status(status, body)
