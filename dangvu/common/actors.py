"""Who is acting, and may they change this organization: the check every service starts with."""

from __future__ import annotations

from typing import Any

from dangvu.accounts.access import access_for
from dangvu.core.errors import Code

from .errors import ServiceError


def ensure_can_edit(by: Any, org: Any, message: str = "Bạn không có quyền cập nhật tổ chức này.") -> None:
    """Refuse unless ``by`` may edit ``org``; ``by=None`` is the system (demo builder, CLI)."""
    if by is None:
        return
    if not access_for(by).can_edit_org(org):
        raise ServiceError(message, Code.FORBIDDEN)


def acting_user(by: Any) -> Any:
    """The user to record as author: a saved user, else nobody (system jobs)."""
    return by if getattr(by, "pk", None) else None
