"""The audit log (django-auditlog) is append-only: no update, no delete, from any code path."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver


class AuditLogIsAppendOnly(PermissionError):
    pass


@receiver(pre_save, sender=LogEntry)
def _refuse_update(sender, instance: LogEntry, **kwargs: Any) -> None:
    if instance.pk is not None and LogEntry.objects.filter(pk=instance.pk).exists():
        raise AuditLogIsAppendOnly("Nhật ký không được sửa.")


@receiver(pre_delete, sender=LogEntry)
def _refuse_delete(sender, instance: LogEntry, **kwargs: Any) -> None:
    raise AuditLogIsAppendOnly("Nhật ký không được xóa.")


def log_export(user, obj, what: str, rows: int, **extra: Any) -> LogEntry:
    """Record that ``user`` exported ``what`` (``rows`` records) about ``obj``."""
    return LogEntry.objects.log_create(
        obj,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=user if getattr(user, "pk", None) else None,
        changes={"export": [None, what]},
        additional_data={"export": what, "rows": rows, **extra},
    )


def log_read(user, obj, what: str, **extra: Any) -> LogEntry:
    """Record that ``user`` read ``what`` (a personal record: a member's page or API detail) of ``obj``."""
    return LogEntry.objects.log_create(
        obj,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=user if getattr(user, "pk", None) else None,
        changes={"read": [None, what]},
        additional_data={"read": what, **extra},
    )


def log_bulk(user, obj, what: str, created: int, **extra: Any) -> LogEntry:
    """Record a bulk write (an Excel import) that bypassed per-row signals, as one entry."""
    return LogEntry.objects.log_create(
        obj,
        force_log=True,
        action=LogEntry.Action.CREATE,
        actor=user if getattr(user, "pk", None) else None,
        changes={"import": [None, f"{what}: {created}"]},
        additional_data={"import": what, "created": created, **extra},
    )


def log_account(actor, user, what: str, **extra: Any) -> LogEntry:
    """Record an account change made by ``actor`` (None: the command line) to ``user``'s login:
    password changed or reset, deactivated (the User model is not tracked field by field)."""
    return LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        actor=actor if getattr(actor, "pk", None) else None,
        changes={"account": [None, what]},
        additional_data={"account": what, **extra},
    )


MAINTENANCE = {"backup": "Sao lưu toàn bộ dữ liệu", "restore": "Khôi phục toàn bộ dữ liệu từ bản sao lưu"}


def log_maintenance(what: str, **extra: Any) -> LogEntry:
    """Record a backup or a restore of the whole instance (the command line, no user). It is about
    no single object, so it is filed under the audit log itself, named in Vietnamese."""
    from django.contrib.contenttypes.models import ContentType

    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(LogEntry),
        object_pk="",
        object_repr=MAINTENANCE[what],
        action=LogEntry.Action.ACCESS,
        changes={what: [None, extra.get("file", "")]},
        additional_data={"maintenance": what, **extra},
    )


def _register() -> None:
    from auditlog.registry import auditlog

    from .models import ApiToken, Role

    auditlog.register(Role)
    auditlog.register(ApiToken, exclude_fields=["digest", "last_used_at"])


_register()
