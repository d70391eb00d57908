"""Demo step "users": the demo's logins, created through :mod:`dangvu.accounts.services`."""

from __future__ import annotations

from django.contrib.auth.models import User

from dangvu.accounts import services as accounts
from dangvu.accounts.models import RoleKind
from dangvu.registry.models import Member, Organization

from ..context import DEMO_PASSWORD, DemoContext, DemoUser, OrgSpec, Sim


def _village_secretary(ctx: DemoContext) -> tuple[OrgSpec, Sim] | None:
    """The first village cell (in tree order) with a secretary in office, and that secretary."""
    assert ctx.root is not None
    for cell in ctx.root.walk():
        if cell.sector == "residential":
            sec = next((s for s in ctx.cell_members.get(cell.code, []) if "secretary" in s.posts), None)
            if sec is not None:
                return cell, sec
    return None


def _login(username: str) -> User:
    """The demo login ``username``: created by the accounts service (an empty database has none)."""
    user = User.objects.filter(username=username).first()
    return user if user is not None else accounts.create_user(username, DEMO_PASSWORD)


def users(ctx: DemoContext) -> None:
    """admin (whole tree), vanphong (office of the root), bithu (secretary of a village cell,
    linked to the member who holds that post), xem (viewer of the root), kiemtra (the inspection
    commission of the root: letters)."""
    root = ctx.root_org
    village = _village_secretary(ctx)
    plan: list[tuple[str, str, Organization, int | None]] = [
        ("admin", RoleKind.ADMIN, root, None),
        ("vanphong", RoleKind.OFFICE, root, None),
    ]
    if village is not None:
        plan.append(("bithu", RoleKind.SECRETARY, village[0].obj, village[1].pk))  # type: ignore[arg-type]
    plan.append(("xem", RoleKind.VIEWER, root, None))
    plan.append(("kiemtra", RoleKind.INSPECTION, root, None))  # reads and handles the letters (đơn thư)
    for username, kind, org, member_id in plan:
        user = _login(username)
        if username == "admin" and not user.is_superuser:
            # The accounts services make no superuser; the demo's admin has always been one (the
            # whole tree, new roots included, without depending on a role row).
            User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
        member = Member.objects.get(pk=member_id) if member_id else None
        accounts.grant_role(user, kind, org, member)
        ctx.users.append(DemoUser(username, RoleKind(kind).label, org.name, DEMO_PASSWORD))
