"""Account reads for the pages and the CLI: users, and the audit log."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.db.models import QuerySet


def user_by_username(username: str) -> Any:
    return get_user_model().objects.filter(username=username).first()


def audit_entries(username: str | None = None) -> QuerySet[LogEntry]:
    """The audit log, newest first, optionally one user's entries."""
    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    return qs.filter(actor__username=username) if username else qs
