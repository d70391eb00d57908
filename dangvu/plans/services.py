"""Plans use cases: the only code that writes plans, targets, their bindings, measurements, tasks
and updates.

Each public function is one transaction, checks the actor's edit scope on the plan's issuer
(``by=None`` is a system job: demo builder, CLI) and raises :class:`ServiceError` with a
Vietnamese message, nothing written, on refusal.

Bindings: the reader's proposals become unconfirmed bindings of the draft; a person confirms or
clears each one (who and when are recorded) — a draft with an unconfirmed binding is not saved
(:class:`UnconfirmedBindings`), and nothing is confirmed on the person's behalf. A binding whose
indicator's unit is not the target's (% against a count) is never stored.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangvu import indicators
from dangvu.common import ServiceError, acting_user, ensure_can_edit
from dangvu.core.plan_status import OPS, UNITS
from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import fold, nfc
from dangvu.registry.models import Organization

from . import bindings as B
from .models import (
    Binding,
    BindingSource,
    Measurement,
    Period,
    Plan,
    PlanState,
    Reference,
    Target,
    Task,
    TaskStatus,
    TaskUpdate,
    TimingKind,
)

__all__ = ["ServiceError", "UnconfirmedBindings", "draft_from_parse"]

_YEARS = re.compile(r"(?:giai đoạn|nhiệm kỳ|giai doan|nhiem ky)\s*(20\d\d)\s*[-–—]\s*(20\d\d)", re.I)
_ANY_YEARS = re.compile(r"\b(20\d\d)\s*[-–—]\s*(20\d\d)\b")
MAX_TEXT = 200_000


def registered(key: str) -> bool:
    return bool(key) and key in indicators.load_all()


def _clean(text: Any, limit: int) -> str:
    """Text as stored: NFC, no NUL, trimmed; above ``limit`` cut at a word boundary (never inside
    a word) and marked with "…". Long texts (targets, tasks, titles) get a limit they never reach."""
    text = nfc(str(text or "")).replace("\x00", "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.-–") + "…"


class UnconfirmedBindings(ServiceError):
    """A draft cannot be saved while a binding awaits a person's decision; ``bindings`` lists them."""

    def __init__(self, bindings: list[Binding]) -> None:
        self.bindings = bindings
        lines = "; ".join(f"«{_clean(b.target.text, 120)}»: {B.describe(b.indicator, b.params)}" for b in bindings)
        super().__init__(f"Chưa lưu được kế hoạch: còn {len(bindings)} cách đo máy đề xuất chưa được xác nhận. "
                         f"Hãy xác nhận (nếu đúng) hoặc bỏ (nếu sai) từng cách đo: {lines}.")


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def plan_years(parsed: dict[str, Any], today: dt.date | None = None) -> tuple[int, int]:
    """The plan's span: "giai đoạn 2025-2030" / "nhiệm kỳ …" in the title, else any "2025-2030",
    else the targets' due years, else the issue year (or this year) and four more."""
    title = parsed.get("title") or ""
    for rx in (_YEARS, _ANY_YEARS):
        m = rx.search(title)
        if m and int(m.group(1)) <= int(m.group(2)):
            return int(m.group(1)), int(m.group(2))
    issued = _date(parsed.get("date"))
    start = (issued or today or dt.date.today()).year
    dues = [t["by"] for t in parsed.get("targets") or [] if isinstance(t.get("by"), int)]
    end = max([start + 4, *dues]) if dues else start + 4
    return start, end


def _check_years(start: int, end: int) -> None:
    if not (2000 <= start <= 2100 and 2000 <= end <= 2100):
        raise ServiceError("Năm bắt đầu và năm kết thúc phải trong khoảng 2000–2100.")
    if end < start:
        raise ServiceError("Năm kết thúc không thể trước năm bắt đầu.")
    if end - start > 15:
        raise ServiceError("Một kế hoạch không kéo dài quá 15 năm.")


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _match_org(issuer: Organization, names: list[str]) -> Organization | None:
    """The organization of the issuer's subtree a lead name designates (exact name, folded)."""
    wanted = {fold(n) for n in names if n}
    if not wanted:
        return None
    for org in Organization.objects.filter(path__startswith=issuer.path).only("pk", "name", "path"):
        if fold(org.name) in wanted:
            return org
    return None


def _find_parent(issuer: Organization, references: list[dict[str, Any]]) -> Plan | None:
    """A cited plan issued by an organization above (or at) the issuer: the plan this one implements."""
    numbers = {re.sub(r"\s+", "", fold(r.get("number") or "")).upper() for r in references if r.get("number")}
    if not numbers:
        return None
    ancestors = [o.pk for o in Organization.objects.get_ancestors(issuer)]
    for plan in Plan.objects.filter(issuer_id__in=[*ancestors, issuer.pk]).exclude(number=""):
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
        raise ServiceError("Dữ liệu kế hoạch không hợp lệ.")
    targets = [t for t in parsed.get("targets") or [] if isinstance(t, dict)]
    tasks = [t for t in parsed.get("tasks") or [] if isinstance(t, dict)]
    if not targets and not tasks:
        raise ServiceError("Không tìm thấy chỉ tiêu hay nhiệm vụ nào trong văn bản; hãy kiểm tra lại tệp.")
    start, end = plan_years(parsed)
    start, end = start_year or start, end_year or end
    _check_years(start, end)
    plan = Plan.objects.create(
        issuer=issuer, number=_clean(parsed.get("number"), 60), issued_on=_date(parsed.get("date")),
        place=_clean(parsed.get("place"), 120), title=_clean(parsed.get("title"), MAX_TEXT) or "(chưa có trích yếu)",
        start_year=start, end_year=end, source_name=_clean(source_name, 255),
        source_text=_clean(source_text, MAX_TEXT), state=PlanState.DRAFT, created_by=acting_user(by),
        parent=_find_parent(issuer, [r for r in parsed.get("references") or [] if isinstance(r, dict)]),
    )
    for ref in parsed.get("references") or []:
        if isinstance(ref, dict) and ref.get("number"):
            Reference.objects.create(plan=plan, kind=_clean(ref.get("kind"), 60), number=_clean(ref["number"], 60),
                                     issued_on=_date(ref.get("date")))
    rules = ruleset_for(dt.date.today())
    for i, t in enumerate(targets):
        if B.as_share_of_cells(t, B.proposals(t), rules):
            # "mỗi quý ... sinh hoạt chuyên đề ít nhất một lần": every cell, as a share.
            t = {**t, "op": "=", "value": 100, "value_max": None, "unit": "%"}
        value = _number(t.get("value"))
        if value is None or t.get("op") not in OPS:
            continue
        period = t.get("period") if t.get("period") in Period.values else ""
        unit = t.get("unit") if t.get("unit") in UNITS else "count"
        proposed = B.proposals(t)
        target = Target.objects.create(
            plan=plan, position=i, section=_clean(t.get("section"), 40), text=_clean(t.get("text"), MAX_TEXT) or "—",
            op=t["op"], value=value, value_max=_number(t.get("value_max")), unit=unit,
            by=t["by"] if isinstance(t.get("by"), int) and 2000 <= t["by"] <= 2100 else None,
            period=period, baseline=_number(t.get("baseline")), proposed=proposed,
        )
        usable = [p for p in proposed if not B.problem(p["indicator"], p["params"], unit)]
        Binding.objects.bulk_create([
            Binding(target=target, position=k, indicator=p["indicator"], params=p["params"],
                    source=BindingSource.READER) for k, p in enumerate(usable)])
    for i, task in enumerate(tasks):
        timing = task.get("timing") if isinstance(task.get("timing"), dict) else {}
        lead = [str(x) for x in task.get("lead") or []]
        support = [str(x) for x in task.get("support") or []]
        t = Task.objects.create(
            plan=plan, position=i, label=_clean(task.get("id"), 40), title=_clean(task.get("title"), MAX_TEXT) or "—",
            timing_kind=timing.get("kind") if timing.get("kind") in TimingKind.values else "",
            starts_on=_date(timing.get("start")), ends_on=_date(timing.get("end")),
            timing_text=_clean(timing.get("text"), 255), lead=_clean("; ".join(lead), 500),
            support=_clean("; ".join(support), 500), lead_org=_match_org(issuer, lead),
        )
        support_org = _match_org(issuer, support)
        if support_org:
            t.support_orgs.add(support_org)
    return plan


# -- the plan itself --------------------------------------------------------------------------------

PLAN_FIELDS = ("number", "issued_on", "place", "title", "start_year", "end_year", "parent", "replaces")


@transaction.atomic
def update_plan(by, plan: Plan, **fields: Any) -> Plan:
    ensure_can_edit(by, plan.issuer)
    for key, value in fields.items():
        if key not in PLAN_FIELDS:
            raise ServiceError(f"Không sửa được trường {key}.")
        if key in ("parent", "replaces") and value is not None and value.pk == plan.pk:
            raise ServiceError("Một kế hoạch không thể thực hiện hay thay thế chính nó.")
        limit = {"number": 60, "place": 120}.get(key, MAX_TEXT)
        setattr(plan, key, _clean(value, limit) if isinstance(value, str) else value)
    _check_years(plan.start_year, plan.end_year)
    if not plan.title:
        raise ServiceError("Trích yếu không được để trống.")
    for link, words in (("parent", "thực hiện"), ("replaces", "thay thế")):
        if plan.pk in _chain(plan, link):
            raise ServiceError(f"Không thể chọn: kế hoạch được chọn lại {words} (trực tiếp hay gián tiếp) "
                               "chính kế hoạch này.")
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


def unconfirmed_bindings(plan: Plan) -> list[Binding]:
    """The plan's bindings awaiting a person's decision, in target order."""
    return list(Binding.objects.filter(target__plan=plan, confirmed=False).select_related("target")
                .order_by("target__position", "target_id", "position", "id"))


@transaction.atomic
def save_plan(by, plan: Plan, decisions: dict[int, str] | None = None) -> Plan:
    """Draft → active, once every binding has been confirmed or cleared by a person — here through
    ``decisions`` ({binding id: "confirm" | "clear"}, see :func:`resolve_bindings`) or before —
    else :class:`UnconfirmedBindings`, listing them, and nothing written; the plan it replaces is
    archived."""
    ensure_can_edit(by, plan.issuer)
    if plan.state != PlanState.DRAFT:
        raise ServiceError("Kế hoạch này đã được lưu trước đây.")
    if not plan.targets.exists() and not plan.tasks.exists():
        raise ServiceError("Kế hoạch chưa có chỉ tiêu hay nhiệm vụ nào.")
    if decisions:
        resolve_bindings(by, plan, decisions)
    pending = unconfirmed_bindings(plan)
    if pending:
        raise UnconfirmedBindings(pending)
    for binding in Binding.objects.filter(target__plan=plan).select_related("target"):
        if why := B.problem(binding.indicator, binding.params, binding.target.unit):
            raise ServiceError(f"Chỉ tiêu «{_clean(binding.target.text, 120)}»: {why}")
    plan.state, plan.activated_at = PlanState.ACTIVE, timezone.now()
    plan.save()
    _archive_replaced(plan)
    return plan


@transaction.atomic
def discard_draft(by, plan: Plan) -> None:
    """Throw away a draft that was never saved (with its targets, tasks and references)."""
    ensure_can_edit(by, plan.issuer)
    if plan.state != PlanState.DRAFT:
        raise ServiceError("Chỉ hủy được bản nháp; kế hoạch đã lưu thì chuyển sang «đã kết thúc».")
    plan.delete()


@transaction.atomic
def archive_plan(by, plan: Plan) -> Plan:
    ensure_can_edit(by, plan.issuer)
    plan.state = PlanState.ARCHIVED
    plan.save()
    return plan


# -- targets ---------------------------------------------------------------------------------------

TARGET_FIELDS = ("text", "op", "value", "value_max", "unit", "by_year", "period", "section", "baseline")
"""Fields a person may set on a target; ``by_year`` is the model's ``by`` (``by`` names the actor)."""


def _set_target_fields(target: Target, fields: dict[str, Any]) -> None:
    for key, value in fields.items():
        if key not in TARGET_FIELDS:
            raise ServiceError(f"Không sửa được trường {key}.")
        if isinstance(value, str) and key != "period":
            value = _clean(value, 40 if key == "section" else MAX_TEXT)
        setattr(target, "by" if key == "by_year" else key, value)
    target.period = target.period or ""


def _check_target(t: Target, *, keep_bindings: bool = True) -> None:
    if t.op not in OPS:
        raise ServiceError("Phép so sánh không hợp lệ.")
    if t.unit not in UNITS:
        raise ServiceError("Đơn vị không hợp lệ.")
    if t.period and t.period not in Period.values:
        raise ServiceError("Chu kỳ không hợp lệ.")
    for x in (t.value, t.value_max, t.baseline):
        if x is not None and not (math.isfinite(x) and 0 <= x <= 1_000_000):
            raise ServiceError("Giá trị phải là số từ 0 đến 1.000.000.")
    if t.unit == "%" and (t.value > 100 or (t.value_max or 0) > 100):
        raise ServiceError("Tỷ lệ không thể vượt quá 100%.")
    if t.op == "range":
        if t.value_max is None or t.value_max < t.value:
            raise ServiceError("Chỉ tiêu dạng khoảng cần cận trên lớn hơn hoặc bằng cận dưới.")
    else:
        t.value_max = None
    if t.by is not None and not 2000 <= t.by <= 2100:
        raise ServiceError("Năm phải trong khoảng 2000–2100.")
    if not t.text.strip():
        raise ServiceError("Nội dung chỉ tiêu không được để trống.")
    if t.pk and keep_bindings:  # a unit change must not leave a binding of the other unit behind
        for key in t.bindings.values_list("indicator", flat=True):
            if key in indicators.load_all() and (why := B.unit_problem(key, t.unit)):
                raise ServiceError(why)


@transaction.atomic
def update_target(by, target: Target, **fields: Any) -> Target:
    ensure_can_edit(by, target.plan.issuer)
    _set_target_fields(target, fields)
    _check_target(target)
    target.save()
    return target


@transaction.atomic
def add_target(by, plan: Plan, **fields: Any) -> Target:
    ensure_can_edit(by, plan.issuer)
    target = Target(plan=plan, position=_next_position(plan.targets), text="", op=">=", value=0, unit="%")
    _set_target_fields(target, fields)
    _check_target(target)
    target.save()
    return target


def _next_position(rows) -> int:
    last = rows.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


BindingSpec = tuple[str, dict[str, Any] | None]
"""(indicator key, params) as a person sets it."""


@transaction.atomic
def create_target(by, plan: Plan, *, bindings: list[BindingSpec] = (), scope: Organization | None = None,
                  **fields: Any) -> Target:
    """A target the reader missed, added in review: its goal and its bindings (confirmed by the
    person adding them; none: measured by hand)."""
    target = add_target(by, plan, **fields)
    set_bindings(by, target, bindings, scope)
    return target


@transaction.atomic
def delete_target(by, target: Target) -> None:
    """Remove a target (with its bindings and manual measurements): e.g. a figure the reader took for a goal."""
    ensure_can_edit(by, target.plan.issuer)
    target.delete()


def _check_binding(target: Target, indicator: str, params: dict[str, Any], org: Organization) -> None:
    """Registered, of the target's unit, with parameters the indicator takes and computes with
    (tried once, inside a savepoint so a failed query leaves the transaction usable)."""
    if not registered(indicator):
        raise ServiceError("Chỉ số đo không có trong danh mục.")
    if why := B.unit_problem(indicator, target.unit):
        raise ServiceError(why)
    if why := B.params_problem(indicator, params):
        raise ServiceError(why)
    if params:
        try:
            with transaction.atomic():
                indicators.compute(indicator, org, indicators.Period.year(dt.date.today().year), **params)
        except Exception as exc:  # any failure of the query means the values do not fit the indicator
            raise ServiceError("Chỉ số không tính được với các tham số này; hãy kiểm tra lại giá trị.") from exc


def _set_scope(target: Target, scope: Organization | None) -> None:
    issuer = target.plan.issuer
    if scope is not None and not scope.path.startswith(issuer.path):
        raise ServiceError("Phạm vi đo phải là cấp ủy ban hành hoặc tổ chức trực thuộc.")
    target.scope = None if scope is None or scope.pk == issuer.pk else scope


@transaction.atomic
def set_bindings(by, target: Target, bindings: list[BindingSpec], scope: Organization | None = None) -> list[Binding]:
    """Set how a target is measured, as a person reviewed it: exactly these (indicator, params)
    bindings over ``scope`` (inside the issuer's subtree; None = the issuer); ``[]`` = by hand.

    The person has seen and saved each one, so each is confirmed by them: a kept binding (same
    key and params) keeps its source and is confirmed now if it was not; a removed one is
    deleted; a new one is recorded as added and confirmed by the person."""
    issuer = target.plan.issuer
    ensure_can_edit(by, issuer)
    _set_scope(target, scope)
    target.save()
    wanted: list[tuple[str, dict[str, Any]]] = []
    for indicator, params in bindings:
        if params is not None and not isinstance(params, dict):
            raise ServiceError("Tham số không hợp lệ.")
        entry = ((indicator or "").strip(), B.clean_params(params))
        if not entry[0]:
            if entry[1]:
                raise ServiceError("Chỉ tiêu nhập số liệu thủ công không có tham số.")
            continue
        if entry in wanted:
            raise ServiceError(f"Cách đo «{B.describe(*entry)}» được chọn hai lần.")
        _check_binding(target, entry[0], entry[1], target.scope_org)
        wanted.append(entry)
    if len(wanted) > B.MAX_BINDINGS:
        raise ServiceError(f"Một chỉ tiêu có tối đa {B.MAX_BINDINGS} cách đo.")
    existing = list(target.bindings.all())
    kept: list[Binding] = []
    now, user = timezone.now(), acting_user(by)
    for position, (indicator, params) in enumerate(wanted):
        match = next((b for b in existing if b not in kept and b.indicator == indicator
                      and B.clean_params(b.params) == params), None)
        if match is None:
            match = Binding(target=target, indicator=indicator, params=params, source=BindingSource.PERSON,
                            added_by=user, added_at=now)
        if not match.confirmed:
            match.confirmed, match.confirmed_by, match.confirmed_at = True, user, now
        match.position = position
        match.save()
        kept.append(match)
    Binding.objects.filter(pk__in=[b.pk for b in existing if b not in kept]).delete()
    return kept


@transaction.atomic
def bind_target(by, target: Target, indicator: str, params: dict[str, Any] | None = None,
                scope: Organization | None = None) -> Target:
    """Measure a target by exactly one indicator (``""``: by hand), confirmed by ``by``."""
    set_bindings(by, target, [(indicator, params)] if indicator else [], scope)
    return target


@transaction.atomic
def add_binding(by, target: Target, indicator: str, params: dict[str, Any] | None = None) -> Binding:
    """One more binding, added and confirmed by the person: "90% tổ chức đảng, đảng viên …" is
    measured for the organizations and for the members."""
    current = [(b.indicator, b.params) for b in target.bindings.all()]
    kept = set_bindings(by, target, [*current, (indicator, params)], target.scope)
    return kept[-1]


@transaction.atomic
def confirm_binding(by, binding: Binding) -> Binding:
    """A person confirms one proposed binding as it stands (who and when are recorded)."""
    target = binding.target
    ensure_can_edit(by, target.plan.issuer)
    if why := B.problem(binding.indicator, binding.params, target.unit):
        raise ServiceError(f"Không xác nhận được: {why} Hãy bỏ cách đo này hoặc sửa chỉ tiêu.")
    binding.confirmed, binding.confirmed_by, binding.confirmed_at = True, acting_user(by), timezone.now()
    binding.save()
    return binding


@transaction.atomic
def clear_binding(by, binding: Binding) -> None:
    """A person rejects a binding: the target is no longer measured that way (the reader's
    proposal stays in ``Target.proposed``)."""
    ensure_can_edit(by, binding.target.plan.issuer)
    binding.delete()


@transaction.atomic
def resolve_bindings(by, plan: Plan, decisions: dict[int, str]) -> tuple[int, int]:
    """Apply a person's decision on each listed binding of the plan: ``"confirm"`` or ``"clear"``.
    Returns (confirmed, cleared)."""
    ensure_can_edit(by, plan.issuer)
    rows = {b.pk: b for b in Binding.objects.filter(target__plan=plan, pk__in=list(decisions))
            .select_related("target__plan__issuer")}
    if set(rows) != set(decisions):
        raise ServiceError("Có cách đo không thuộc kế hoạch này; hãy tải lại trang.")
    confirmed = cleared = 0
    for pk, decision in decisions.items():
        if decision == "confirm":
            confirm_binding(by, rows[pk])
            confirmed += 1
        elif decision == "clear":
            clear_binding(by, rows[pk])
            cleared += 1
        else:
            raise ServiceError("Với mỗi cách đo, hãy chọn «Xác nhận» hoặc «Bỏ».")
    return confirmed, cleared


@transaction.atomic
def confirm_all(by, plan: Plan) -> int:
    """Confirm every pending binding as proposed — only for system jobs that build sample data
    (``by=None``: the demo); a person decides on each binding (:func:`confirm_binding`,
    :func:`clear_binding`, the decisions of :func:`save_plan`)."""
    if by is not None:
        raise ServiceError("Cách đo được xác nhận từng cái một: hãy xác nhận hoặc bỏ từng cách đo.")
    pending = unconfirmed_bindings(plan)
    for binding in pending:
        confirm_binding(by, binding)
    return len(pending)


@transaction.atomic
def record_measurement(by, target: Target, measured_on: dt.date, value: float, note: str = "") -> Measurement:
    """A value of a manual target (a target with bindings measures itself)."""
    ensure_can_edit(by, target.plan.issuer)
    if target.bindings.exists():
        raise ServiceError("Chỉ tiêu này được đo tự động từ dữ liệu; không nhập tay.")
    if value is None or not math.isfinite(value) or value < 0 or value > 1_000_000:
        raise ServiceError("Giá trị phải là số từ 0 đến 1.000.000.")
    if target.unit == "%" and value > 100:
        raise ServiceError("Tỷ lệ không thể vượt quá 100%.")
    if measured_on > dt.date.today():
        raise ServiceError("Ngày số liệu không thể ở tương lai.")
    return Measurement.objects.create(target=target, measured_on=measured_on, value=value,
                                      note=_clean(note, 500), entered_by=acting_user(by))


# -- tasks -----------------------------------------------------------------------------------------

TASK_FIELDS = ("label", "title", "timing_kind", "starts_on", "ends_on", "timing_text", "lead", "support", "lead_org")


@transaction.atomic
def edit_task(by, task: Task, **fields: Any) -> Task:
    issuer = task.plan.issuer
    ensure_can_edit(by, issuer)
    for key, value in fields.items():
        if key not in TASK_FIELDS:
            raise ServiceError(f"Không sửa được trường {key}.")
        if key == "lead_org" and value is not None and not value.path.startswith(issuer.path):
            raise ServiceError("Tổ chức chủ trì phải thuộc cấp ủy ban hành.")
        limit = {"label": 40, "timing_text": 255, "lead": 500, "support": 500}.get(key, MAX_TEXT)
        setattr(task, key, _clean(value, limit) if isinstance(value, str) else value)
    if task.timing_kind and task.timing_kind not in TimingKind.values:
        raise ServiceError("Loại thời gian không hợp lệ.")
    if task.starts_on and task.ends_on and task.ends_on < task.starts_on:
        raise ServiceError("Thời hạn không thể trước ngày bắt đầu.")
    if not task.title:
        raise ServiceError("Nội dung nhiệm vụ không được để trống.")
    task.save()
    return task


@transaction.atomic
def add_task(by, plan: Plan, **fields: Any) -> Task:
    ensure_can_edit(by, plan.issuer)
    task = Task(plan=plan, position=_next_position(plan.tasks), title="")
    return edit_task(by, task, **fields)


@transaction.atomic
def delete_task(by, task: Task) -> None:
    """Remove a task (with its status updates and their evidence)."""
    ensure_can_edit(by, task.plan.issuer)
    task.delete()


@transaction.atomic
def update_task(by, task: Task, status: str, evidence: str = "", done_on: dt.date | None = None, *,
                evidence_name: str = "", evidence_content: bytes | None = None) -> TaskUpdate:
    """Report a task's progress: its new status with evidence; done needs the day it was done."""
    ensure_can_edit(by, task.plan.issuer)
    if status not in TaskStatus.values:
        raise ServiceError("Tình trạng không hợp lệ.")
    if status == TaskStatus.DONE and not done_on:
        raise ServiceError("Đã hoàn thành thì phải ghi ngày hoàn thành.")
    if status != TaskStatus.DONE:
        done_on = None
    if done_on and done_on > dt.date.today():
        raise ServiceError("Ngày hoàn thành không thể ở tương lai.")
    task.status, task.done_on = status, done_on
    task.save()
    return TaskUpdate.objects.create(task=task, status=status, done_on=done_on, evidence=_clean(evidence, 5000),
                                     evidence_name=_clean(evidence_name, 255) if evidence_content else "",
                                     evidence_content=evidence_content, by=acting_user(by))


@transaction.atomic
def revise_target(by, target: Target, *, bindings: list[BindingSpec], scope: Organization | None = None,
                  **fields: Any) -> Target:
    """The target form's one use case: the goal's fields, the scope and the bindings, saved (and
    the bindings confirmed by the person) together. The bindings are checked against the new unit,
    so a count target can become a percentage one with a percentage indicator in one step."""
    ensure_can_edit(by, target.plan.issuer)
    _set_target_fields(target, fields)
    _check_target(target, keep_bindings=False)  # the bindings are replaced and checked just below
    target.save()
    set_bindings(by, target, bindings, scope)
    return target
