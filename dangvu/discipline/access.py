"""Who sees discipline cases: the single predicate every case read and write goes through.

Cases are personal and sensitive: only the roles whose work needs them see them — administrators,
the committee office of the subtree, its inspection commission and the secretary of the member's
cell (the cell holds the meeting and the vote). Viewers and members (even about themselves) see nothing of them. To give a
new role (the inspection commission) access, add its kind to :data:`CASE_ROLE_KINDS`.
"""

from __future__ import annotations

from django.db.models import Q

from dangvu.accounts.access import Access
from dangvu.accounts.models import RoleKind
from dangvu.registry.models import Organization, subtree_q

CASE_ROLE_KINDS: frozenset[str] = frozenset({RoleKind.ADMIN, RoleKind.OFFICE, RoleKind.SECRETARY, RoleKind.INSPECTION})
"""Role kinds that see (and, within their edit scope, record) discipline cases of their subtree."""


def case_paths(acc: Access) -> tuple[str, ...]:
    """The subtrees whose members' cases ``acc`` sees (the administrator sees all: see ``sees_all``)."""
    return tuple(sorted({r.organization.path for r in acc.roles if r.kind in CASE_ROLE_KINDS}))


def sees_all(acc: Access) -> bool:
    return acc.is_admin


def sees_cases_of(acc: Access, org: Organization) -> bool:
    """May ``acc`` see the discipline cases of members of ``org``?"""
    return sees_all(acc) or any(org.path.startswith(p) for p in case_paths(acc))


def cases_q(acc: Access, via: str = "member__organization__") -> Q:
    """The condition on cases (through ``via``) that ``acc`` sees; nothing for other roles."""
    return Q() if sees_all(acc) else subtree_q(*case_paths(acc), via=via)
