"""Subtree scoping: every query of the UI, the API and the exports starts here.

A role on an organization covers it and everything below it (materialized path prefix).
Deny by default: a user without roles sees nothing; a member sees only their own record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from dangvu.registry.models import Member, Organization, subtree_q

from .models import EDIT_KINDS, Role, RoleKind


@dataclass
class Access:
    """What one user may read and change."""

    user_id: int | None
    is_admin: bool = False
    read_paths: tuple[str, ...] = ()
    edit_paths: tuple[str, ...] = ()
    own_member_ids: frozenset[int] = field(default_factory=frozenset)
    roles: tuple[Role, ...] = ()
    # Organizations whose letters (đơn thư) this user reads and handles: the inspection commission's
    # roles; administrators read every letter. Office, secretary, viewer and member roles do not.
    letter_paths: tuple[str, ...] = ()

    # -- organizations -------------------------------------------------------------------
    def _paths_q(self, paths: tuple[str, ...], via: str) -> Q:
        # Several role roots: the union of their subtrees (the path filter itself is in subtree_q).
        return Q() if self.is_admin else subtree_q(*paths, via=via)

    def orgs(self) -> QuerySet[Organization]:
        return Organization.objects.filter(self._paths_q(self.read_paths, ""))

    def editable_orgs(self) -> QuerySet[Organization]:
        return Organization.objects.filter(self._paths_q(self.edit_paths, ""))

    def can_read_org(self, org: Organization) -> bool:
        return self.is_admin or any(org.path.startswith(p) for p in self.read_paths)

    def can_edit_org(self, org: Organization) -> bool:
        return self.is_admin or any(org.path.startswith(p) for p in self.edit_paths)

    @property
    def roots(self) -> QuerySet[Organization]:
        """The top organizations this user sees (no root is inside another)."""
        if self.is_admin:
            return Organization.objects.get_root_nodes()
        tops = [p for p in self.read_paths if not any(p != o and p.startswith(o) for o in self.read_paths)]
        return Organization.objects.filter(path__in=tops)

    # -- members -------------------------------------------------------------------------
    def members(self) -> QuerySet[Member]:
        if self.is_admin:
            return Member.objects.all()
        # Filter by the subtree's organization ids (a subquery on the organizations) so the
        # members' organization index does the work, instead of joining every member to its
        # organization's path: the cost follows the subtree, not the database.
        q = Q(organization__in=self.orgs()) if self.read_paths else Q(pk__in=[])
        return Member.objects.filter(q | Q(pk__in=list(self.own_member_ids)))

    def can_read_member(self, member: Member) -> bool:
        return member.pk in self.own_member_ids or self.can_read_org(member.organization)

    def can_edit_member(self, member: Member) -> bool:
        return self.can_edit_org(member.organization)

    @property
    def can_edit_anything(self) -> bool:
        return self.is_admin or bool(self.edit_paths)

    @property
    def sees_registry(self) -> bool:
        return self.is_admin or bool(self.read_paths)

    # -- letters (đơn thư) --------------------------------------------------------------------
    def may_read_letters(self, org: Organization) -> bool:
        """Letters of ``org`` are read (and handled) by the inspection commission of a subtree
        holding it and by administrators; every other role sees at most a count."""
        return self.is_admin or any(org.path.startswith(p) for p in self.letter_paths)

    def letter_orgs(self) -> QuerySet[Organization]:
        """The organizations whose letters this user may read (none for most roles)."""
        if self.is_admin:
            return Organization.objects.all()
        if not self.letter_paths:
            return Organization.objects.none()
        return Organization.objects.filter(subtree_q(*self.letter_paths, via=""))

    def get_org(self, code: str) -> Organization:
        """An organization by code, or 404 when it is outside the scope (or absent)."""
        if "\x00" in code:  # PostgreSQL refuses NUL in a string parameter: no code can hold one
            raise Http404("Không tìm thấy tổ chức đảng.")
        try:
            return self.orgs().get(code=code)
        except Organization.DoesNotExist as exc:
            raise Http404("Không tìm thấy tổ chức đảng.") from exc

    def get_member(self, pk: int | str) -> Member:
        try:
            return self.members().select_related("organization").get(pk=int(pk))
        except (Member.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404("Không tìm thấy đảng viên.") from exc


def access_for(user) -> Access:
    """Compute (once per request) what ``user`` may do."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Access(user_id=None)
    cached = getattr(user, "_dangvu_access", None)
    if cached is not None:
        return cached
    roles = tuple(Role.objects.filter(user=user).select_related("organization"))
    is_admin = user.is_superuser or any(r.kind == RoleKind.ADMIN for r in roles)
    read = tuple(sorted({r.organization.path for r in roles if r.kind != RoleKind.MEMBER}))
    edit = tuple(sorted({r.organization.path for r in roles if r.kind in EDIT_KINDS}))
    own = frozenset(r.member_id for r in roles if r.kind == RoleKind.MEMBER and r.member_id)
    letters = tuple(sorted({r.organization.path for r in roles if r.kind == RoleKind.INSPECTION}))
    access = Access(user_id=user.pk, is_admin=is_admin, read_paths=read, edit_paths=edit,
                    own_member_ids=own, roles=roles, letter_paths=letters)
    user._dangvu_access = access
    return access
