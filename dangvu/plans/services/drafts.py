"""A plan from the reader's output to an active plan: the draft, its header, save, discard, archive."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.core import clock
from dangvu.core.plan_status import OPS, UNITS
from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import fold
from dangvu.registry.models import Organization

from .. import bindings as B
from .. import selectors as sel
from ..models import (
    Binding,
    BindingSource,
    Period,
    Plan,
    PlanState,
    Reference,
    Target,
    Task,
    TimingKind,
)
from .base import MAX_TEXT, UnconfirmedBindings, as_date, as_number, binding_code, clean_text
from .review import resolve_bindings

_YEARS = re.compile(r"(?:giai đoạn|nhiệm kỳ|giai doan|nhiem ky)\s*(20\d\d)\s*[-–—]\s*(20\d\d)", re.I)
_ANY_YEARS = re.compile(r"\b(20\d\d)\s*[-–—]\s*(20\d\d)\b")


def plan_years(parsed: dict[str, Any], today: dt.date | None = None) -> tuple[int, int]:
    """The plan's span: "giai đoạn 2025-2030" / "nhiệm kỳ …" in the title, else any "2025-2030",
    else the targets' due years, else the issue year (or this year) and four more."""
    title = parsed.get("title") or ""
    for rx in (_YEARS, _ANY_YEARS):
        m = rx.search(title)
        if m and int(m.group(1)) <= int(m.group(2)):
            return int(m.group(1)), int(m.group(2))
    issued = as_date(parsed.get("date"))
    start = (issued or today or clock.today()).year
    dues = [t["by"] for t in parsed.get("targets") or [] if isinstance(t.get("by"), int)]
    end = max([start + 4, *dues]) if dues else start + 4
    return start, end


def _check_years(start: int, end: int) -> None:
    if not (2000 <= start <= 2100 and 2000 <= end <= 2100):
        raise ServiceError("Năm bắt đầu và năm kết thúc phải trong khoảng 2000–2100.", Code.OUT_OF_RANGE)
    if end < start:
        raise ServiceError("Năm kết thúc không thể trước năm bắt đầu.", Code.DATE_ORDER, field="end_year")
    if end - start > 15:
        raise ServiceError("Một kế hoạch không kéo dài quá 15 năm.", Code.OUT_OF_RANGE, field="end_year")


def _match_org(issuer: Organization, names: list[str]) -> Organization | None:
    """The organization of the issuer's subtree a lead name designates (exact name, folded)."""
    wanted = {fold(n) for n in names if n}
    return sel.organization_named(issuer, wanted) if wanted else None


def _find_parent(issuer: Organization, references: list[dict[str, Any]]) -> Plan | None:
    """A cited plan issued by an organization above (or at) the issuer: the plan this one implements."""
    numbers = {re.sub(r"\s+", "", fold(r.get("number") or "")).upper() for r in references if r.get("number")}
    if not numbers:
        return None
    for plan in sel.plans_cited_from(issuer):
        if re.sub(r"\s+", "", fold(plan.number)).upper() in numbers:
            return plan
    return None


# -- drafts from the parser ------------------------------------------------------------------------

@transaction.atomic
def draft_from_parse(by, issuer: Organization, parsed: dict[str, Any], source_name: str = "",
                     source_text: str = "", *, start_year: int | None = None,
                     end_year: int | None = None) -> Plan:
    """A draft plan from the parser's output (``dangvu.core.planparse.parse_text``): header,
    references, targets, tasks. Each target keeps the reader's proposals as read (``proposed``)
    and gets an unconfirmed binding for each one that can measure it (registered key, same unit,
    parameters the indicator takes); the others stay visible as proposals only."""
    ensure_can_edit(by, issuer)
    if not isinstance(parsed, dict):
        raise ServiceError("Dữ liệu kế hoạch không hợp lệ.", Code.INVALID)
    targets = [t for t in parsed.get("targets") or [] if isinstance(t, dict)]
    tasks = [t for t in parsed.get("tasks") or [] if isinstance(t, dict)]
    if not targets and not tasks:
        raise ServiceError("Không tìm thấy chỉ tiêu hay nhiệm vụ nào trong văn bản; hãy kiểm tra lại tệp.",
                           Code.FILE)
    start, end = plan_years(parsed)
    start, end = start_year or start, end_year or end
    _check_years(start, end)
    plan = Plan.objects.create(
        issuer=issuer, number=clean_text(parsed.get("number"), 60), issued_on=as_date(parsed.get("date")),
        place=clean_text(parsed.get("place"), 120),
        title=clean_text(parsed.get("title"), MAX_TEXT) or "(chưa có trích yếu)",
        start_year=start, end_year=end, source_name=clean_text(source_name, 255),
        source_text=clean_text(source_text, MAX_TEXT), state=PlanState.DRAFT, created_by=acting_user(by),
        parent=_find_parent(issuer, [r for r in parsed.get("references") or [] if isinstance(r, dict)]),
    )
    for ref in parsed.get("references") or []:
        if isinstance(ref, dict) and ref.get("number"):
            Reference.objects.create(plan=plan, kind=clean_text(ref.get("kind"), 60),
                                     number=clean_text(ref["number"], 60), issued_on=as_date(ref.get("date")))
    rules = ruleset_for(clock.today())
    for i, t in enumerate(targets):
        _draft_target(plan, i, t, rules)
    for i, task in enumerate(tasks):
        _draft_task(plan, i, task)
    return plan


def _draft_target(plan: Plan, position: int, t: dict[str, Any], rules: dict[str, Any]) -> None:
    """One parsed target with an unconfirmed binding per usable proposal; a target without a
    number or a comparison is left out."""
    if B.as_share_of_cells(t, B.proposals(t), rules):
        # "mỗi quý ... sinh hoạt chuyên đề ít nhất một lần": every cell, as a share.
        t = {**t, "op": "=", "value": 100, "value_max": None, "unit": "%"}
    value = as_number(t.get("value"))
    if value is None or t.get("op") not in OPS:
        return
    period = t.get("period") if t.get("period") in Period.values else ""
    unit = t.get("unit") if t.get("unit") in UNITS else "count"
    proposed = B.proposals(t)
    target = Target.objects.create(
        plan=plan, position=position, section=clean_text(t.get("section"), 40),
        text=clean_text(t.get("text"), MAX_TEXT) or "—", op=t["op"], value=value,
        value_max=as_number(t.get("value_max")), unit=unit,
        by=t["by"] if isinstance(t.get("by"), int) and 2000 <= t["by"] <= 2100 else None,
        period=period, baseline=as_number(t.get("baseline")), proposed=proposed,
    )
    usable = [p for p in proposed if not B.problem(p["indicator"], p["params"], unit)]
    Binding.objects.bulk_create([
        Binding(target=target, position=k, indicator=p["indicator"], params=p["params"],
                source=BindingSource.READER) for k, p in enumerate(usable)])


def _draft_task(plan: Plan, position: int, task: dict[str, Any]) -> None:
    """One parsed task; its lead and supporting organizations matched by name in the issuer's subtree."""
    timing = task.get("timing") if isinstance(task.get("timing"), dict) else {}
    lead = [str(x) for x in task.get("lead") or []]
    support = [str(x) for x in task.get("support") or []]
    t = Task.objects.create(
        plan=plan, position=position, label=clean_text(task.get("id"), 40),
        title=clean_text(task.get("title"), MAX_TEXT) or "—",
        timing_kind=timing.get("kind") if timing.get("kind") in TimingKind.values else "",
        starts_on=as_date(timing.get("start")), ends_on=as_date(timing.get("end")),
        timing_text=clean_text(timing.get("text"), 255), lead=clean_text("; ".join(lead), 500),
        support=clean_text("; ".join(support), 500), lead_org=_match_org(plan.issuer, lead),
    )
    support_org = _match_org(plan.issuer, support)
    if support_org:
        t.support_orgs.add(support_org)


# -- the plan itself --------------------------------------------------------------------------------

PLAN_FIELDS = ("number", "issued_on", "place", "title", "start_year", "end_year", "parent", "replaces")


@transaction.atomic
def update_plan(by, plan: Plan, **fields: Any) -> Plan:
    ensure_can_edit(by, plan.issuer)
    for key, value in fields.items():
        if key not in PLAN_FIELDS:
            raise ServiceError(f"Không sửa được trường {key}.", Code.INVALID)
        if key in ("parent", "replaces") and value is not None and value.pk == plan.pk:
            raise ServiceError("Một kế hoạch không thể thực hiện hay thay thế chính nó.", Code.CONFLICT, field=key)
        limit = {"number": 60, "place": 120}.get(key, MAX_TEXT)
        setattr(plan, key, clean_text(value, limit) if isinstance(value, str) else value)
    _check_years(plan.start_year, plan.end_year)
    if not plan.title:
        raise ServiceError("Trích yếu không được để trống.", Code.REQUIRED, field="title")
    for link, words in (("parent", "thực hiện"), ("replaces", "thay thế")):
        if plan.pk in _chain(plan, link):
            raise ServiceError(f"Không thể chọn: kế hoạch được chọn lại {words} (trực tiếp hay gián tiếp) "
                               "chính kế hoạch này.", Code.CONFLICT, field=link)
    plan.save()
    _archive_replaced(plan)
    return plan


def _chain(plan: Plan, link: str) -> list[int]:
    """The pks reached by following ``link`` (parent / replaces) from ``plan``, itself excluded."""
    seen: list[int] = []
    current = getattr(plan, link)
    while current is not None and current.pk not in seen and len(seen) < 100:
        seen.append(current.pk)
        current = getattr(current, link)
    return seen


def _archive_replaced(plan: Plan) -> None:
    """An active plan ends the one it replaces (a draft does so when it is saved)."""
    if plan.state == PlanState.ACTIVE and plan.replaces_id and plan.replaces.state == PlanState.ACTIVE:
        old = plan.replaces
        old.state = PlanState.ARCHIVED
        old.save()


@transaction.atomic
def save_plan(by, plan: Plan, decisions: dict[int, str] | None = None) -> Plan:
    """Draft → active, once every binding has been confirmed or cleared by a person — here through
    ``decisions`` ({binding id: "confirm" | "clear"}, see :func:`resolve_bindings`) or before —
    else :class:`UnconfirmedBindings`, listing them, and nothing written; the plan it replaces is
    archived."""
    ensure_can_edit(by, plan.issuer)
    if plan.state != PlanState.DRAFT:
        raise ServiceError("Kế hoạch này đã được lưu trước đây.", Code.STATE)
    if not plan.targets.exists() and not plan.tasks.exists():
        raise ServiceError("Kế hoạch chưa có chỉ tiêu hay nhiệm vụ nào.", Code.INCOMPLETE)
    if decisions:
        resolve_bindings(by, plan, decisions)
    pending = sel.unconfirmed_bindings(plan)
    if pending:
        raise UnconfirmedBindings(pending)
    for binding in sel.plan_bindings(plan):
        if why := B.problem(binding.indicator, binding.params, binding.target.unit):
            raise ServiceError(f"Chỉ tiêu «{clean_text(binding.target.text, 120)}»: {why}",
                               binding_code(binding.indicator, binding.params, binding.target.unit))
    plan.state, plan.activated_at = PlanState.ACTIVE, timezone.now()
    plan.save()
    _archive_replaced(plan)
    return plan


@transaction.atomic
def discard_draft(by, plan: Plan) -> None:
    """Throw away a draft that was never saved (with its targets, tasks and references)."""
    ensure_can_edit(by, plan.issuer)
    if plan.state != PlanState.DRAFT:
        raise ServiceError("Chỉ hủy được bản nháp; kế hoạch đã lưu thì chuyển sang «đã kết thúc».", Code.STATE)
    plan.delete()


@transaction.atomic
def archive_plan(by, plan: Plan) -> Plan:
    ensure_can_edit(by, plan.issuer)
    plan.state = PlanState.ARCHIVED
    plan.save()
    return plan
