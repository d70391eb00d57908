"""Plans use cases: the only code that writes plans, targets, measurements, tasks and updates.

Each public function is one transaction, checks the actor's edit scope on the plan's issuer
(``by=None`` is a system job: demo builder, CLI) and raises :class:`ServiceError` with a
Vietnamese message, nothing written, on refusal.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangvu import indicators
from dangvu.core.plan_status import OPS, UNITS
from dangvu.core.text import fold, nfc
from dangvu.registry.models import Organization
from dangvu.registry.services import ServiceError, _require_edit, _user

from .models import (
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

__all__ = ["ServiceError", "draft_from_parse"]

_YEARS = re.compile(r"(?:giai đoạn|nhiệm kỳ|giai doan|nhiem ky)\s*(20\d\d)\s*[-–—]\s*(20\d\d)", re.I)
_ANY_YEARS = re.compile(r"\b(20\d\d)\s*[-–—]\s*(20\d\d)\b")
MAX_TEXT = 200_000


def registered(key: str) -> bool:
    return bool(key) and key in indicators.load_all()


def _clean(text: Any, limit: int) -> str:
    text = nfc(str(text or "")).replace("\x00", "").strip()
    return text[:limit]


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
    references, targets with their proposed indicator (kept only when registered), tasks."""
    _require_edit(by, issuer)
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
        place=_clean(parsed.get("place"), 120), title=_clean(parsed.get("title"), 5000) or "(chưa có trích yếu)",
        start_year=start, end_year=end, source_name=_clean(source_name, 255),
        source_text=_clean(source_text, MAX_TEXT), state=PlanState.DRAFT, created_by=_user(by),
        parent=_find_parent(issuer, [r for r in parsed.get("references") or [] if isinstance(r, dict)]),
    )
    for ref in parsed.get("references") or []:
        if isinstance(ref, dict) and ref.get("number"):
            Reference.objects.create(plan=plan, kind=_clean(ref.get("kind"), 60), number=_clean(ref["number"], 60),
                                     issued_on=_date(ref.get("date")))
    for i, t in enumerate(targets):
        value = _number(t.get("value"))
        if value is None or t.get("op") not in OPS:
            continue
        proposed = t.get("indicator") or ""
        period = t.get("period") if t.get("period") in Period.values else ""
        Target.objects.create(
            plan=plan, position=i, section=_clean(t.get("section"), 40), text=_clean(t.get("text"), 2000) or "—",
            op=t["op"], value=value, value_max=_number(t.get("value_max")),
            unit=t.get("unit") if t.get("unit") in UNITS else "count",
            by=t["by"] if isinstance(t.get("by"), int) and 2000 <= t["by"] <= 2100 else None,
            period=period, baseline=_number(t.get("baseline")),
            indicator=proposed if registered(proposed) else "", proposed_indicator=_clean(proposed, 80),
        )
    for i, task in enumerate(tasks):
        timing = task.get("timing") if isinstance(task.get("timing"), dict) else {}
        lead = [str(x) for x in task.get("lead") or []]
        support = [str(x) for x in task.get("support") or []]
        t = Task.objects.create(
            plan=plan, position=i, label=_clean(task.get("id"), 40), title=_clean(task.get("title"), 5000) or "—",
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
    _require_edit(by, plan.issuer)
    for key, value in fields.items():
        if key not in PLAN_FIELDS:
            raise ServiceError(f"Không sửa được trường {key}.")
        if key in ("parent", "replaces") and value is not None and value.pk == plan.pk:
            raise ServiceError("Một kế hoạch không thể thực hiện hay thay thế chính nó.")
        setattr(plan, key, _clean(value, 5000) if isinstance(value, str) else value)
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


@transaction.atomic
def save_plan(by, plan: Plan) -> Plan:
    """Draft → active: bindings as they stand become confirmed (an unregistered key → manual);
    the plan it replaces is archived."""
    _require_edit(by, plan.issuer)
    if plan.state != PlanState.DRAFT:
        raise ServiceError("Kế hoạch này đã được lưu trước đây.")
    if not plan.targets.exists() and not plan.tasks.exists():
        raise ServiceError("Kế hoạch chưa có chỉ tiêu hay nhiệm vụ nào.")
    now = timezone.now()
    for target in plan.targets.filter(confirmed=False):
        if target.indicator and not registered(target.indicator):
            target.indicator = ""
        target.confirmed, target.confirmed_by, target.confirmed_at = True, _user(by), now
        target.save()
    plan.state, plan.activated_at = PlanState.ACTIVE, now
    plan.save()
    _archive_replaced(plan)
    return plan


@transaction.atomic
def discard_draft(by, plan: Plan) -> None:
    """Throw away a draft that was never saved (with its targets, tasks and references)."""
    _require_edit(by, plan.issuer)
    if plan.state != PlanState.DRAFT:
        raise ServiceError("Chỉ hủy được bản nháp; kế hoạch đã lưu thì chuyển sang «đã kết thúc».")
    plan.delete()


@transaction.atomic
def archive_plan(by, plan: Plan) -> Plan:
    _require_edit(by, plan.issuer)
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
            value = _clean(value, 2000)
        setattr(target, "by" if key == "by_year" else key, value)
    target.period = target.period or ""


def _check_target(t: Target) -> None:
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


@transaction.atomic
def update_target(by, target: Target, **fields: Any) -> Target:
    _require_edit(by, target.plan.issuer)
    _set_target_fields(target, fields)
    _check_target(target)
    target.save()
    return target


@transaction.atomic
def add_target(by, plan: Plan, **fields: Any) -> Target:
    _require_edit(by, plan.issuer)
    target = Target(plan=plan, position=_next_position(plan.targets), text="", op=">=", value=0, unit="%")
    _set_target_fields(target, fields)
    _check_target(target)
    target.save()
    return target


def _next_position(rows) -> int:
    last = rows.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


@transaction.atomic
def create_target(by, plan: Plan, *, indicator: str, scope: Organization | None = None,
                  params: dict[str, Any] | None = None, **fields: Any) -> Target:
    """A target the reader missed, added in review: its goal and its (confirmed) binding."""
    target = add_target(by, plan, **fields)
    return bind_target(by, target, indicator, params, scope)


@transaction.atomic
def delete_target(by, target: Target) -> None:
    """Remove a target (with its manual measurements): e.g. a figure the reader took for a goal."""
    _require_edit(by, target.plan.issuer)
    target.delete()


@transaction.atomic
def bind_target(by, target: Target, indicator: str, params: dict[str, Any] | None = None,
                scope: Organization | None = None) -> Target:
    """Set (and confirm) how a target is measured: a registered indicator key with its params over
    ``scope`` (inside the issuer's subtree; None = the issuer), or ``""`` for manual measurement."""
    issuer = target.plan.issuer
    _require_edit(by, issuer)
    indicator = (indicator or "").strip()
    if indicator and not registered(indicator):
        raise ServiceError("Chỉ số đo không có trong danh mục.")
    if scope is not None and not scope.path.startswith(issuer.path):
        raise ServiceError("Phạm vi đo phải là cấp ủy ban hành hoặc tổ chức trực thuộc.")
    if params is not None and not isinstance(params, dict):
        raise ServiceError("Tham số không hợp lệ.")
    if params and not indicator:
        raise ServiceError("Chỉ tiêu nhập số liệu thủ công không có tham số.")
    if params:
        _check_params(indicator, params, scope or issuer)
    target.indicator = indicator
    target.params = params or {}
    target.scope = None if scope is None or scope.pk == issuer.pk else scope
    target.confirmed, target.confirmed_by, target.confirmed_at = True, _user(by), timezone.now()
    target.save()
    return target


def _check_params(key: str, params: dict[str, Any], org: Organization) -> None:
    """Only the parameters the indicator declares, of plain values, and the indicator computes
    with them (tried once, inside a savepoint so a failed query leaves the transaction usable)."""
    declared = indicators.load_all()[key].params
    unknown = sorted(set(params) - set(declared))
    if unknown:
        allowed = ", ".join(sorted(declared)) or "không có tham số nào"
        raise ServiceError(f"Chỉ số này không có tham số {', '.join(unknown)} (được dùng: {allowed}).")
    for value in params.values():
        items = value if isinstance(value, list) else [value]
        if not all(x is None or isinstance(x, (str, int)) and not isinstance(x, bool) for x in items):
            raise ServiceError("Giá trị tham số phải là chữ, số nguyên hoặc danh sách.")
    try:
        with transaction.atomic():
            indicators.compute(key, org, indicators.Period.year(dt.date.today().year), **params)
    except Exception as exc:  # any failure of the query means the values do not fit the indicator
        raise ServiceError("Chỉ số không tính được với các tham số này; hãy kiểm tra lại giá trị.") from exc


@transaction.atomic
def confirm_binding(by, target: Target) -> Target:
    """Confirm the binding as it stands (the importer's proposal, or manual)."""
    _require_edit(by, target.plan.issuer)
    if target.indicator and not registered(target.indicator):
        target.indicator = ""
    target.confirmed, target.confirmed_by, target.confirmed_at = True, _user(by), timezone.now()
    target.save()
    return target


@transaction.atomic
def confirm_all(by, plan: Plan) -> int:
    _require_edit(by, plan.issuer)
    n = 0
    for target in plan.targets.filter(confirmed=False):
        confirm_binding(by, target)
        n += 1
    return n


@transaction.atomic
def record_measurement(by, target: Target, measured_on: dt.date, value: float, note: str = "") -> Measurement:
    """A value of a manual target (an indicator-bound target measures itself)."""
    _require_edit(by, target.plan.issuer)
    if target.indicator:
        raise ServiceError("Chỉ tiêu này được đo tự động từ dữ liệu; không nhập tay.")
    if value is None or not math.isfinite(value) or value < 0 or value > 1_000_000:
        raise ServiceError("Giá trị phải là số từ 0 đến 1.000.000.")
    if target.unit == "%" and value > 100:
        raise ServiceError("Tỷ lệ không thể vượt quá 100%.")
    if measured_on > dt.date.today():
        raise ServiceError("Ngày số liệu không thể ở tương lai.")
    return Measurement.objects.create(target=target, measured_on=measured_on, value=value,
                                      note=_clean(note, 500), entered_by=_user(by))


# -- tasks -----------------------------------------------------------------------------------------

TASK_FIELDS = ("label", "title", "timing_kind", "starts_on", "ends_on", "timing_text", "lead", "support", "lead_org")


@transaction.atomic
def edit_task(by, task: Task, **fields: Any) -> Task:
    issuer = task.plan.issuer
    _require_edit(by, issuer)
    for key, value in fields.items():
        if key not in TASK_FIELDS:
            raise ServiceError(f"Không sửa được trường {key}.")
        if key == "lead_org" and value is not None and not value.path.startswith(issuer.path):
            raise ServiceError("Tổ chức chủ trì phải thuộc cấp ủy ban hành.")
        limit = {"label": 40, "timing_text": 255, "lead": 500, "support": 500}.get(key, 5000)
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
    _require_edit(by, plan.issuer)
    task = Task(plan=plan, position=_next_position(plan.tasks), title="")
    return edit_task(by, task, **fields)


@transaction.atomic
def delete_task(by, task: Task) -> None:
    """Remove a task (with its status updates and their evidence)."""
    _require_edit(by, task.plan.issuer)
    task.delete()


@transaction.atomic
def update_task(by, task: Task, status: str, evidence: str = "", done_on: dt.date | None = None, *,
                evidence_name: str = "", evidence_content: bytes | None = None) -> TaskUpdate:
    """Report a task's progress: its new status with evidence; done needs the day it was done."""
    _require_edit(by, task.plan.issuer)
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
                                     evidence_content=evidence_content, by=_user(by))


@transaction.atomic
def revise_target(by, target: Target, *, indicator: str, scope: Organization | None = None,
                  params: dict[str, Any] | None = None, **fields: Any) -> Target:
    """The review form's one use case: the goal's fields and the binding, confirmed together."""
    same = (indicator or "") == target.indicator
    update_target(by, target, **fields)
    if params is None:
        params = target.params if same else {}
    return bind_target(by, target, indicator, params, scope)
