"""Permission predicates (django-rules) over the subtree scope, for ``user.has_perm``."""

from __future__ import annotations

import rules

from .access import access_for


@rules.predicate
def reads_org(user, org) -> bool:
    return org is not None and access_for(user).can_read_org(org)


@rules.predicate
def edits_org(user, org) -> bool:
    return org is not None and access_for(user).can_edit_org(org)


@rules.predicate
def reads_member(user, member) -> bool:
    return member is not None and access_for(user).can_read_member(member)


@rules.predicate
def edits_member(user, member) -> bool:
    return member is not None and access_for(user).can_edit_member(member)


@rules.predicate
def exports_identity(user, org) -> bool:
    """Identity numbers (CCCD) and phones leave the system only with someone who may edit the
    organization (administrator, committee office, cell secretary): the viewer role may not."""
    return org is not None and access_for(user).can_edit_org(org)


@rules.predicate
def is_admin(user) -> bool:
    return access_for(user).is_admin


rules.add_perm("registry.view_organization", reads_org)
rules.add_perm("registry.change_organization", edits_org)
rules.add_perm("registry.view_member", reads_member)
rules.add_perm("registry.change_member", edits_member)
rules.add_perm("registry.export_identity", exports_identity)
rules.add_perm("accounts.view_audit", is_admin)
rules.add_perm("accounts.manage_users", is_admin)
