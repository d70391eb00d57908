"""Registry reads shared by the pages, the API, the Excel import and export, and the CLI.

Each selector takes the reader's scope (an :class:`~dangvu.accounts.access.Access`, or an
organization) and returns a queryset or plain data; none writes. The subtree filter is
``Organization.objects.subtree`` / ``Member.objects.in_subtree``; "held on a day" is
``Post.objects.held_on``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from dangvu.core import partydoc

from .models import (
    ACTIVE_STATUSES,
    CELL_KINDS,
    TRANSFER_DESTINATION_KINDS,
    ImportBatch,
    Locality,
    Member,
    MemberStatus,
    Organization,
    OrgKind,
    Post,
    SpecialStatus,
    StatusChange,
    Transfer,
    TransferState,
    subtree_q,
)

if TYPE_CHECKING:
    from dangvu.accounts.access import Access

MEMBER_ORG_KINDS = (*CELL_KINDS, OrgKind.GROUP)  # where a member may be on the rolls
_TRANSFER_RELATED = ("member", "from_org", "to_org")


# -- organizations ------------------------------------------------------------------------

def org_by_code(code: str) -> Organization | None:
    """Any organization by its code (CLI: the system acts, no scope)."""
    return Organization.objects.filter(code=code).first()


def root_org() -> Organization | None:
    return Organization.objects.get_root_nodes().first()


def cells(acc: Access, editable: bool = False) -> QuerySet[Organization]:
    """Live cells and groups the user may read (or edit), in tree order."""
    qs = acc.editable_orgs() if editable else acc.orgs()
    return qs.filter(kind__in=MEMBER_ORG_KINDS, dissolved_on__isnull=True).order_by("path")


def receiving_cells(acc: Access, committee: Organization) -> QuerySet[Organization]:
    """Editable live cells under a grassroots committee that received a transfer letter."""
    return cells(acc, editable=True).filter(depth__gt=committee.depth) & Organization.objects.subtree(committee)


def transfer_destinations(member: Member) -> QuerySet[Organization]:
    """Every organization of the whole tree that can receive a transfer letter, not only the
    sender's scope: a member usually moves out of it. Only names and codes are shown; the
    receiving side confirms."""
    return (Organization.objects.filter(kind__in=TRANSFER_DESTINATION_KINDS, dissolved_on__isnull=True)
            .exclude(pk=member.organization_id).order_by("path"))


def transfer_destination(member: Member, code: str) -> Organization | None:
    """The destination of ``member``'s transfer letter named by its code (the API), if it may be one."""
    return transfer_destinations(member).filter(code=code).first()


def names_by_path(paths: Iterable[str]) -> dict[str, str]:
    """Organization names by materialized path (parents of a list, in one query)."""
    return dict(Organization.objects.filter(path__in=set(paths)).values_list("path", "name"))


TREE_NODES = 300
"""At most this many organizations on the tree page: as many whole levels below each top as fit
(a commune shows all its cells; a province its districts and communes, not its 3,700 cells), at
least one. A deeper level opens from a link under its node, rooted there."""


def org_tree(acc: Access, top: Organization | None = None, budget: int | None = None) -> list[Organization]:
    """The organizations of the tree page: under each of the user's tops (or under ``top`` alone),
    the levels that fit in ``budget`` (default :data:`TREE_NODES`), counted with one grouped query
    per top, so the page costs what it shows, not what the subtree holds."""
    tops = [top] if top is not None else list(acc.roots)
    q = Q(pk__in=[])
    for t in tops:
        q |= subtree_q(t) & Q(depth__lte=deepest_fitting(acc.orgs(), t, budget))
    return list(acc.orgs().filter(q).order_by("path"))


def deepest_fitting(orgs: QuerySet[Organization], top: Organization, budget: int | None = None) -> int:
    """The deepest level under ``top`` such that ``top``'s subtree within ``orgs`` down to it holds
    at most ``budget`` (default :data:`TREE_NODES`) organizations (at least the level of ``top``'s
    children); one grouped query."""
    budget = TREE_NODES if budget is None else budget
    per_level = dict(orgs.filter(subtree_q(top)).values_list("depth").annotate(n=Count("id")).order_by())
    shown, deepest = 0, top.depth + 1
    for depth in sorted(per_level):
        shown += per_level[depth]
        if shown > budget and depth > top.depth + 1:
            break
        deepest = depth
    return deepest


def org_choices(acc: Access, limit: int = 500) -> QuerySet[Organization]:
    return acc.orgs().order_by("path")[:limit]


def org_page(acc: Access, org: Organization) -> dict[str, Any]:
    """What an organization's page lists besides its counts."""
    return {
        "children": list(Organization.objects.get_children(org)),
        "ancestors": [a for a in Organization.objects.get_ancestors(org) if acc.can_read_org(a)],
        "members": active_members_of(org).order_by("name_folded"),
        "posts": Post.objects.current().filter(organization=org).select_related("member"),
        "past_posts": Post.objects.filter(organization=org, ended_on__isnull=False).select_related("member")[:20],
        "localities": Locality.objects.filter(organization=org).select_related("head_member", "front_head_member"),
        "working_rules": org.working_rules.first(),
        "pending_in": Transfer.objects.filter(to_org=org, state=TransferState.PENDING).select_related(
            "member", "from_org"),
    }


def locality_of(org: Organization, pk: int) -> Locality | None:
    return Locality.objects.filter(organization=org, pk=pk).first()


def post_in_scope(acc: Access, pk: int) -> Post | None:
    return Post.objects.filter(organization__in=acc.orgs(), pk=pk).select_related("organization", "member").first()


def editable_org(acc: Access, code: str) -> Organization | None:
    return acc.editable_orgs().filter(code=code).first()


def import_scopes(acc: Access, limit: int) -> list[Organization]:
    """Organizations a user may import into: their edit roots and the committees below."""
    qs = acc.editable_orgs()
    if not acc.is_admin:
        qs = qs.filter(Q(path__in=acc.edit_paths) | ~Q(kind__in=[OrgKind.CELL, OrgKind.GROUP]))
    else:
        qs = qs.exclude(kind__in=[OrgKind.CELL, OrgKind.GROUP])
    return list(qs.order_by("path").only("code", "name", "depth")[:limit])


def template_codes(acc: Access, kind: str, limit: int) -> list[tuple[str, str]]:
    """(code, name) of the organizations an import template offers: cells for members, the rest
    for organizations."""
    qs = acc.editable_orgs() if acc.can_edit_anything else Organization.objects.none()
    qs = qs.filter(kind__in=MEMBER_ORG_KINDS) if kind == "members" else qs.exclude(kind=OrgKind.GROUP)
    return list(qs.order_by("path").values_list("code", "name")[:limit])


def org_rows_in(scope: Organization) -> list[tuple[int, str, str, str, str]]:
    """(id, code, name, kind, path) of the scope's subtree (what an import may refer to)."""
    return list(Organization.objects.subtree(scope).values_list("id", "code", "name", "kind", "path"))


def existing_org_codes(codes: Iterable[str]) -> set[str]:
    return set(Organization.objects.filter(code__in=list(codes)).values_list("code", flat=True))


def orgs_in_scope(acc: Access, scope: Organization | None = None, kind: str | None = None) -> QuerySet:
    """The API's organization list: the readable ones, optionally one subtree and one kind."""
    qs = acc.orgs()
    if scope is not None:
        qs = qs & Organization.objects.subtree(scope)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("path")


def parent_codes(acc: Access, paths: set[str]) -> dict[str, str]:
    """Codes of readable organizations by path."""
    return dict(acc.orgs().filter(path__in=paths).values_list("path", "code")) if paths else {}


def child_codes(acc: Access, org: Organization) -> list[str]:
    qs = acc.orgs().filter(depth=org.depth + 1) & Organization.objects.subtree(org)
    return list(qs.order_by("path").values_list("code", flat=True))


# -- members ------------------------------------------------------------------------------

def member_by_pk(pk: int) -> Member | None:
    return Member.objects.filter(pk=pk).first()


def active_members_of(org: Organization) -> QuerySet[Member]:
    """Active members on the rolls of ``org`` itself."""
    return Member.objects.active().filter(organization=org)


def post_candidates(acc: Access, org: Organization) -> QuerySet[Member]:
    """Who may take a post in ``org``: readable active members, from its subtree unless it is a cell
    (a unit head may come from outside a cell)."""
    members = acc.members().filter(status__in=ACTIVE_STATUSES).order_by("name_folded")
    if org.kind not in CELL_KINDS:
        members = members & Member.objects.in_subtree(org)
    return members



def own_members(acc: Access) -> list[Member]:
    """The records of a user who holds a member role (their own)."""
    return list(acc.members().filter(pk__in=acc.own_member_ids)) if acc.own_member_ids else []


def search_members(acc: Access, *, scope: Organization | None = None, words: Iterable[str] = (),
                   statuses: tuple[str, ...] | None = ACTIVE_STATUSES) -> QuerySet[Member]:
    """Readable members, optionally in ``scope``'s subtree, whose folded name contains every
    word, with one of ``statuses`` (``None``: any), by name."""
    qs = acc.members().select_related("organization")
    if scope is not None:
        qs = qs & Member.objects.in_subtree(scope)
    for word in words:
        qs = qs.filter(name_folded__contains=word)
    if statuses is not None:
        qs = qs.filter(status=statuses[0]) if len(statuses) == 1 else qs.filter(status__in=statuses)
    return qs.order_by("name_folded", "id")


def counts_by_organization(members: QuerySet[Member], limit: int = 100) -> list[tuple[Organization, int]]:
    """How many of ``members`` each organization (cell) holds, in tree order (the member list's
    groups); at most ``limit`` organizations."""
    # The first ``limit`` groups in tree order straight from the grouped query: at a province's root
    # listing the thousands of organizations with members by id cost more than the counting.
    rows = list(members.order_by("organization__path").values_list("organization_id")
                .annotate(n=Count("id"))[:limit])
    orgs = Organization.objects.in_bulk([pk for pk, _n in rows])
    return [(orgs[pk], n) for pk, n in rows]


def export_rows(members: QuerySet[Member], fields: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The export's rows in tree order, streamed."""
    return (members.order_by("organization__path", "name_folded", "id").values(*fields)
            .iterator(chunk_size=2000))


def member_record(member: Member) -> dict[str, Any]:
    """Everything a member's page lists."""
    return {
        "history": member_history(member),
        "transfers": member.transfers.select_related("from_org", "to_org"),
        "disciplines": member.disciplines.all(),
        "posts": member.posts.select_related("organization"),
        "trainings": member.trainings.all(),
        "assignments": member.assignments.all(),
        "commitments": member.commitments.all(),
        "residence_links": member.residence_links.select_related("residence_org"),
    }


def member_history(member: Member) -> QuerySet[StatusChange]:
    return member.history.select_related("from_org", "to_org").order_by("on", "id")


def cccd_places(cccds: Iterable[str]) -> list[tuple[str, str, str]]:
    """(CCCD, cell code, cell path) of every member holding one of these CCCD numbers."""
    return list(Member.objects.filter(cccd__in=list(cccds)).values_list(
        "cccd", "organization__code", "organization__path"))


def cccd_place(cccd: str) -> tuple[str, str, str] | None:
    """(member name, cell code, cell path) of the member with this CCCD, if any."""
    return Member.objects.filter(cccd=cccd).values_list(
        "full_name", "organization__code", "organization__path").first()


def existing_cccds(cccds: Iterable[str]) -> set[str]:
    return set(Member.objects.filter(cccd__in=list(cccds)).values_list("cccd", flat=True))


def people_by_folded_names(names: Iterable[str]) -> list[tuple[str, Any, str, str]]:
    """(folded name, birth date, cell code, cell path) of every member with one of these names."""
    return list(Member.objects.filter(name_folded__in=list(names)).values_list(
        "name_folded", "birth_date", "organization__code", "organization__path"))


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(MemberStatus.values, 0)


def counts_by_status(members: QuerySet[Member]) -> dict[str, int]:
    """Members per status in one aggregate query; every status is present."""
    counts = empty_counts()
    for row in members.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def counts_by_org_and_status(orgs: list[Organization]) -> dict[int, dict[str, int]]:
    """Members on each organization's own rolls per status (one aggregate)."""
    counts: dict[int, dict[str, int]] = {o.pk: empty_counts() for o in orgs}
    if orgs:
        rows = (Member.objects.filter(organization__in=[o.pk for o in orgs]).order_by()
                .values("organization_id", "status").annotate(n=Count("id")))
        for row in rows:
            counts[row["organization_id"]][row["status"]] = row["n"]
    return counts


def subtree_counts_by_status(org: Organization) -> dict[str, int]:
    return counts_by_status(Member.objects.in_subtree(org))


def registry_stats() -> dict[str, dict[str, int]]:
    """Organizations by kind and members by status over the whole database."""
    kinds = dict(Organization.objects.values_list("kind").annotate(n=Count("id")).order_by())
    statuses = dict(Member.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {"organizations": kinds, "members": statuses}


# -- transfers ----------------------------------------------------------------------------

def transfer_lists(acc: Access) -> dict[str, QuerySet[Transfer]]:
    """Letters waiting to be received, sent out and pending, and temporary stays under way."""
    orgs = acc.orgs()
    incoming = Transfer.objects.filter(to_org__in=orgs, state=TransferState.PENDING)
    outgoing = Transfer.objects.filter(from_org__in=orgs).exclude(to_org__in=orgs).filter(
        state=TransferState.PENDING)
    temporary = Transfer.objects.filter(from_org__in=orgs, kind="temporary", state=TransferState.CONFIRMED)
    return {"incoming": incoming.select_related(*_TRANSFER_RELATED),
            "outgoing": outgoing.select_related(*_TRANSFER_RELATED),
            "temporary": temporary.select_related(*_TRANSFER_RELATED)}


def transfer_in_scope(acc: Access, pk: int) -> Transfer | None:
    """A transfer whose sending or receiving side the user reads."""
    orgs = acc.orgs()
    return (Transfer.objects.filter(pk=pk).filter(to_org__in=orgs) | Transfer.objects.filter(pk=pk).filter(
        from_org__in=orgs)).select_related(*_TRANSFER_RELATED).first()


# -- imports ------------------------------------------------------------------------------

def import_batch(pk: int) -> ImportBatch | None:
    return ImportBatch.objects.select_related("scope").filter(pk=pk).first()


# -- what a party document says about its issuer ---------------------------------------------------

def parent_of(org: Organization) -> Organization | None:
    """The organization directly above ``org`` (its superior committee line; None at the root)."""
    return Organization.objects.get_parent(org)


def issuing_place(org: Organization) -> str:
    """The place on the "place, date" line of ``org``'s documents: its own locality, else the
    nearest ancestor's (a village cell writes its commune's name); blank when none is named after
    a locality (:func:`dangvu.core.partydoc.issuing_place`)."""
    ancestors = list(Organization.objects.get_ancestors(org).only("name"))
    return partydoc.issuing_place([org.name, *(o.name for o in reversed(ancestors))])


def document_signers(org: Organization, on: dt.date) -> list[Post]:
    """Who may sign ``org``'s documents on ``on``: its secretary first, then its deputies."""
    posts = (Post.objects.held_on(on).filter(organization=org, role__in=partydoc.SIGNING_ROLES)
             .select_related("member").order_by("member__full_name", "pk"))
    return sorted(posts, key=lambda p: partydoc.SIGNING_ROLES.index(p.role))


# -- special statuses (temporary exemption, away, abroad) -----------------------------------

def special_statuses_of(member: Member) -> list[SpecialStatus]:
    """The member's periods, newest first (the member page lists them with their history)."""
    return list(SpecialStatus.objects.filter(member=member).order_by("-starts_on", "-id"))


def special_status_in_scope(acc: Access, pk: int) -> SpecialStatus | None:
    """A period of a member the reader sees, else ``None``."""
    return (SpecialStatus.objects.filter(pk=pk, member__organization__in=acc.orgs())
            .select_related("member", "member__organization").first())


def special_statuses_on(member_ids: Iterable[int], day: dt.date) -> dict[int, SpecialStatus]:
    """The period each of ``member_ids`` is in on ``day`` (members in none are left out): one
    query for a whole roll page."""
    rows = SpecialStatus.objects.filter(member_id__in=list(member_ids), starts_on__lte=day, ends_on__gte=day)
    return {r.member_id: r for r in rows}
