"""Demo data builder: a commune (or a whole province) with three years of party-affairs history.

:func:`build_demo` runs the steps of :data:`dangvu.demo.steps.STEPS` in one transaction. The
pieces: :mod:`dangvu.demo.context` (the build's state and result), :mod:`dangvu.demo.life` (the
members' simulated lifecycles), :mod:`dangvu.demo.bulk` (the bulk loader, and why it exists) and
one module per step under :mod:`dangvu.demo.steps`. Steps call the apps' services where a service
exists for what they make (users and roles, plans, the scoring framework) and the bulk loader for
the millions of history rows.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.db.models import Count

from dangvu.core import clock
from dangvu.registry.models import Member, Organization

from .bulk import large_cache, refresh_statistics
from .context import DEMO_PASSWORD, PROVINCE_MEMBERS, SCALES, DemoContext, DemoResult, DemoUser
from .steps import STEPS

__all__ = ["DEMO_PASSWORD", "DEMO_USERNAMES", "PROVINCE_MEMBERS", "SCALES", "STEPS", "DatabaseContents", "DemoResult",
           "DemoUser", "build_demo", "database_contents"]

# The logins the demo makes (dangvu.demo.steps.users): a database with any other login is in use.
DEMO_USERNAMES = frozenset({"admin", "vanphong", "bithu", "xem", "kiemtra"})


@dataclass(frozen=True)
class DatabaseContents:
    """What ``dangvu demo`` would delete, and whether it is only a previous demo."""

    organizations: int
    members: int
    users: int
    audit_entries: int
    is_demo: bool  # empty, or built by the demo (its summary audit entry) with only the demo's logins
    readable: bool = True  # False: no schema yet / not a Đảng vụ database

    @property
    def empty(self) -> bool:
        return self.readable and not (self.organizations or self.members or self.users or self.audit_entries)

    def describe(self) -> str:
        n = lambda x: f"{x:,}".replace(",", ".")  # noqa: E731
        return (f"{n(self.organizations)} tổ chức đảng, {n(self.members)} đảng viên, {n(self.users)} tài khoản, "
                f"{n(self.audit_entries)} mục nhật ký")


def database_contents() -> DatabaseContents:
    """Count what the configured database holds (read only)."""
    try:
        users = set(get_user_model().objects.values_list("username", flat=True))
        counts = (Organization.objects.count(), Member.objects.count(), len(users), LogEntry.objects.count())
        marked = LogEntry.objects.filter(additional_data__import="demo").exists()
    except DatabaseError:
        return DatabaseContents(0, 0, 0, 0, is_demo=False, readable=False)
    empty = not any(counts)
    return DatabaseContents(*counts, is_demo=empty or (marked and users <= DEMO_USERNAMES))


def build_demo(scale: str = "commune", seed: int = 2026, progress: bool = False, *,
               members_target: int | None = None, today: dt.date | None = None) -> DemoResult:
    """Build the demo data set into the (empty) database and return what was made.

    ``members_target`` sizes the build (commune: about that many members; province: the total,
    default :data:`PROVINCE_MEMBERS`); ``today`` pins the end of the history (default: today).
    """
    if scale not in SCALES:
        raise ValueError(f"Quy mô không hợp lệ: {scale} (chọn {', '.join(SCALES)}).")
    started = time.perf_counter()
    ctx = DemoContext(scale=scale, seed=seed, today=today or clock.today(), progress=progress,
                      members_target=members_target)
    with large_cache(), transaction.atomic():
        for _, step in STEPS:
            step(ctx)
            refresh_statistics(ctx.writer)
        ctx.writer.finish()
    orgs = dict(Organization.objects.values_list("kind").annotate(n=Count("id")).order_by("kind"))
    statuses = dict(Member.objects.values_list("status").annotate(n=Count("id")).order_by("status"))
    return DemoResult(root=ctx.root_org, users=ctx.users, counts=dict(ctx.writer.counts), organizations=orgs,
                      members=statuses, seconds=time.perf_counter() - started, scale=scale, seed=seed)
