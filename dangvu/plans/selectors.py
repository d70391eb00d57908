"""Plans reads shared by the pages, the progress figures, the report and the CLI.

Every function takes the scope it reads within (an :class:`~dangvu.accounts.access.Access`, a plan
or an organization) and returns a queryset or plain data; none writes. The pages look objects up
here (a plan outside the user's subtree is simply not found); writes stay in
:mod:`dangvu.plans.services`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from dangvu.core.text import fold
from dangvu.registry.models import Organization, Post, PostRole
from dangvu.registry.selectors import deepest_fitting

from .models import Binding, Measurement, Plan, PlanState, Reference, Target, Task, TaskUpdate

if TYPE_CHECKING:
    from dangvu.accounts.access import Access

# -- lookups within the user's scope ---------------------------------------------------------------


def plans_for(acc: Access) -> QuerySet[Plan]:
    """The plans issued inside the user's read scope."""
    return Plan.objects.filter(issuer__in=acc.orgs()).select_related("issuer")


def plan_for(acc: Access, pk: int) -> Plan | None:
    """One plan of the user's scope (with its parent and the plan it replaces), or None."""
    return plans_for(acc).select_related("parent", "parent__issuer", "replaces").filter(pk=pk).first()


def plan_list(acc: Access, limit: int = 300) -> list[Plan]:
    """The plan list page: by issuer, newest span first."""
    return list(plans_for(acc).order_by("issuer__path", "-start_year", "-id")[:limit])


def child_plans(acc: Access, plan: Plan) -> QuerySet[Plan]:
    """The plans of the user's scope that implement ``plan``."""
    return plans_for(acc).filter(parent=plan)


def target_for(acc: Access, pk: int) -> Target | None:
    return (Target.objects.filter(plan__issuer__in=acc.orgs(), pk=pk)
            .select_related("plan", "plan__issuer", "scope").first())


def task_for(acc: Access, pk: int) -> Task | None:
    return Task.objects.filter(plan__issuer__in=acc.orgs(), pk=pk).select_related("plan", "plan__issuer").first()


def task_update_for(acc: Access, pk: int) -> TaskUpdate | None:
    return TaskUpdate.objects.filter(task__plan__issuer__in=acc.orgs(), pk=pk).select_related("task__plan").first()


def parent_visible(acc: Access, plan: Plan) -> bool:
    """The parent plan's text reaches the lower level; its figures and page only within the scope."""
    return plan.parent_id is not None and acc.orgs().filter(pk=plan.parent.issuer_id).exists()


def plan_by_id(pk: int) -> Plan | None:
    """Any plan by its id (the CLI, which runs as the system)."""
    return Plan.objects.select_related("issuer").filter(pk=pk).first()


# -- the edit forms' choices -----------------------------------------------------------------------

def parent_choices(acc: Access, plan: Plan) -> QuerySet[Plan]:
    """Plans ``plan`` may implement: saved plans of the issuer's ancestors or of the user's scope."""
    ancestors = [o.pk for o in Organization.objects.get_ancestors(plan.issuer)]
    return (Plan.objects.filter(Q(issuer_id__in=ancestors) | Q(issuer__in=acc.orgs()))
            .exclude(pk=plan.pk).exclude(state=PlanState.DRAFT).select_related("issuer"))


def replaceable_plans(plan: Plan) -> QuerySet[Plan]:
    """Other plans of the same issuer, which ``plan`` may replace."""
    return Plan.objects.filter(issuer=plan.issuer).exclude(pk=plan.pk).select_related("issuer")


def scope_orgs(plan: Plan, keep: Organization | None = None) -> QuerySet[Organization]:
    """The organizations a target may be measured over, or a task led by: the issuer's subtree, as
    many whole levels as fit in a choice list (:func:`dangvu.registry.selectors.deepest_fitting`:
    a commune's cells, a province's districts and communes, not its 3,700 cells), and ``keep`` (the
    one already chosen) wherever it is."""
    deepest = deepest_fitting(Organization.objects.all(), plan.issuer)
    shown = Q(depth__lte=deepest) | Q(pk=keep.pk) if keep is not None else Q(depth__lte=deepest)
    return Organization.objects.subtree(plan.issuer).filter(shown).order_by("path")


# -- review ------------------------------------------------------------------------------------------

def unconfirmed_bindings(plan: Plan) -> list[Binding]:
    """The plan's bindings awaiting a person's decision, in target order."""
    return list(Binding.objects.filter(target__plan=plan, confirmed=False).select_related("target")
                .order_by("target__position", "target_id", "position", "id"))


def plan_binding(plan: Plan, pk: int | None) -> Binding | None:
    """One binding of the plan (None for another plan's, or no id)."""
    return Binding.objects.filter(target__plan=plan, pk=pk).select_related("target__plan__issuer").first()


def plan_bindings(plan: Plan, pks: list[int] | None = None) -> QuerySet[Binding]:
    """The plan's bindings (only ``pks`` when given), with their targets."""
    rows = Binding.objects.filter(target__plan=plan)
    if pks is not None:
        rows = rows.filter(pk__in=pks)
    return rows.select_related("target__plan__issuer")


def review_targets(plan: Plan) -> list[Target]:
    """The plan's targets with their bindings and who added or confirmed each."""
    bound = Prefetch("bindings", queryset=Binding.objects.select_related("confirmed_by", "added_by"))
    return list(plan.targets.select_related("scope").prefetch_related(bound))


def plan_tasks(plan: Plan) -> QuerySet[Task]:
    """The plan's tasks, each with its latest update as ``latest_updates`` (a list of at most one;
    one query for the whole list, the evidence file left out)."""
    newest = TaskUpdate.objects.filter(task=OuterRef("task")).order_by("-at", "-id").values("pk")[:1]
    latest = TaskUpdate.objects.filter(pk=Subquery(newest)).defer("evidence_content")
    return plan.tasks.select_related("lead_org").prefetch_related(
        Prefetch("updates", queryset=latest, to_attr="latest_updates"))


def plan_references(plan: Plan) -> list[Reference]:
    return list(plan.references.all())


def plan_size(plan: Plan) -> tuple[int, int]:
    """(targets, tasks) of the plan."""
    return plan.targets.count(), plan.tasks.count()


def measurement_count(target: Target) -> int:
    return target.measurements.count()


def latest_measurements(target: Target, limit: int = 10) -> list[Measurement]:
    return list(target.measurements.order_by("-measured_on", "-id")[:limit])


def update_count(task: Task) -> int:
    return task.updates.count()


def target_bindings(target: Target) -> list[Binding]:
    return list(target.bindings.all())


# -- figures -----------------------------------------------------------------------------------------

def plans_to_refresh(org: Organization | None = None) -> list[Plan]:
    """Saved plans (not drafts) whose stored figures ``dangvu indicators --refresh`` recomputes:
    every one, or those issued inside ``org``'s subtree."""
    qs = Plan.objects.exclude(state=PlanState.DRAFT).select_related("issuer").order_by("pk")
    if org is not None:
        qs = qs.filter(issuer__path__startswith=org.path)
    return list(qs)


def targets_with_figures(plan: Plan) -> QuerySet[Target]:
    """The plan's targets with what their figures read: scope, bindings, manual measurements."""
    entered = Prefetch("measurements", queryset=Measurement.objects.select_related("entered_by"))
    bound = Prefetch("bindings", queryset=Binding.objects.select_related("confirmed_by", "added_by"))
    return plan.targets.select_related("scope", "plan__issuer").prefetch_related(entered, bound)


# -- landing -------------------------------------------------------------------------------------------

def current_plan(org: Organization, year: int) -> Plan | None:
    """The organization's active plan covering ``year``, else its latest active plan."""
    active = Plan.objects.filter(issuer=org, state=PlanState.ACTIVE)
    return (active.filter(start_year__lte=year, end_year__gte=year).order_by("-start_year", "-id").first()
            or active.order_by("-end_year", "-id").first())


def landing_plan(acc: Access, year: int) -> Plan | None:
    """The current plan of the user's top organization (the first root by path), if any."""
    root = acc.roots.order_by("path").first()
    return current_plan(root, year) if root is not None else None


# -- the report's header and signature ---------------------------------------------------------------

def upper_organization(org: Organization) -> Organization | None:
    """The organization directly above ``org`` (None at the root)."""
    return Organization.objects.get_parent(org)


def secretary_name(org: Organization, on: dt.date) -> str:
    """The name of the organization's secretary on ``on`` (blank when the registry has none); on a
    handover day the successor (:meth:`~dangvu.registry.models.PostQuerySet.held_on`)."""
    post = (Post.objects.held_on(on).filter(organization=org, role=PostRole.SECRETARY)
            .select_related("member").order_by("-started_on").first())
    return post.member.full_name if post else ""


# -- what the services look up ---------------------------------------------------------------------------

def organization_named(issuer: Organization, folded_names: set[str]) -> Organization | None:
    """The organization of the issuer's subtree whose folded name is one of ``folded_names``."""
    for org in Organization.objects.subtree(issuer).only("pk", "name", "path"):
        if fold(org.name) in folded_names:
            return org
    return None


def plans_cited_from(issuer: Organization) -> QuerySet[Plan]:
    """Numbered plans a plan of ``issuer`` may implement: those of the issuer and its ancestors."""
    ancestors = [o.pk for o in Organization.objects.get_ancestors(issuer)]
    return Plan.objects.filter(issuer_id__in=[*ancestors, issuer.pk]).exclude(number="")


def last_position(rows: QuerySet) -> int | None:
    """The highest ``position`` of a plan's targets or tasks (None when empty)."""
    return rows.order_by("-position").values_list("position", flat=True).first()


def bound_keys(target: Target) -> list[str]:
    return list(target.bindings.values_list("indicator", flat=True))
