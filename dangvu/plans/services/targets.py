"""Targets as a person reviews them: the goal's fields, the scope, and the bindings that measure it
(each confirmed by the person who sets it). A binding of another unit is never stored."""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction
from django.utils import timezone

from dangvu import indicators
from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.common.versions import claim
from dangvu.core import clock
from dangvu.core.plan_status import OPS, UNITS
from dangvu.registry.models import Organization

from .. import bindings as B
from .. import selectors as sel
from ..models import Binding, BindingSource, Period, Plan, Target
from .base import MAX_TEXT, clean_text, next_position, registered

TARGET_FIELDS = ("text", "op", "value", "value_max", "unit", "by_year", "period", "section", "baseline")
"""Fields a person may set on a target; ``by_year`` is the model's ``by`` (``by`` names the actor)."""

BindingSpec = tuple[str, dict[str, Any] | None]
"""(indicator key, params) as a person sets it."""


def _set_target_fields(target: Target, fields: dict[str, Any]) -> None:
    for key, given in fields.items():
        if key not in TARGET_FIELDS:
            raise ServiceError(f"Không sửa được trường {key}.", Code.INVALID)
        value = given
        if isinstance(given, str) and key != "period":
            value = clean_text(given, 40 if key == "section" else MAX_TEXT)
        setattr(target, "by" if key == "by_year" else key, value)
    target.period = target.period or ""


def _check_goal(t: Target) -> None:
    """The comparison, unit, period and numbers of a target's goal."""
    if t.op not in OPS:
        raise ServiceError("Phép so sánh không hợp lệ.", Code.INVALID, field="op")
    if t.unit not in UNITS:
        raise ServiceError("Đơn vị không hợp lệ.", Code.INVALID, field="unit")
    if t.period and t.period not in Period.values:
        raise ServiceError("Chu kỳ không hợp lệ.", Code.INVALID, field="period")
    for name in ("value", "value_max", "baseline"):
        x = getattr(t, name)
        if x is not None and not (math.isfinite(x) and 0 <= x <= 1_000_000):
            raise ServiceError("Giá trị phải là số từ 0 đến 1.000.000.", Code.OUT_OF_RANGE, field=name)
    if t.unit == "%" and (t.value > 100 or (t.value_max or 0) > 100):
        raise ServiceError("Tỷ lệ không thể vượt quá 100%.", Code.OUT_OF_RANGE,
                           field="value" if t.value > 100 else "value_max")
    if t.op == "range":
        if t.value_max is None or t.value_max < t.value:
            raise ServiceError("Chỉ tiêu dạng khoảng cần cận trên lớn hơn hoặc bằng cận dưới.",
                               Code.REQUIRED if t.value_max is None else Code.OUT_OF_RANGE, field="value_max")
    else:
        t.value_max = None


def _check_target(t: Target, *, keep_bindings: bool = True) -> None:
    _check_goal(t)
    if t.by is not None and not 2000 <= t.by <= 2100:
        raise ServiceError("Năm phải trong khoảng 2000–2100.", Code.OUT_OF_RANGE, field="by_year")
    if not t.text.strip():
        raise ServiceError("Nội dung chỉ tiêu không được để trống.", Code.REQUIRED, field="text")
    if t.pk and keep_bindings:  # a unit change must not leave a binding of the other unit behind
        for key in sel.bound_keys(t):
            if key in indicators.load_all() and (why := B.unit_problem(key, t.unit)):
                raise ServiceError(why, Code.UNIT_MISMATCH, field="unit")


def _stored_target(t: Target) -> dict[str, Any]:
    """A target's stored values under the names of its edit form (for a refused stale save)."""
    values = {k: getattr(t, "by" if k == "by_year" else k) for k in TARGET_FIELDS}
    values["scope"] = t.scope or t.plan.issuer
    values["bindings"] = [B.describe(b.indicator, b.params) for b in sel.target_bindings(t)]
    return values


def _claim_target(by, target: Target, version: int | None, fields: dict[str, Any],
                  bindings: list[BindingSpec] | None = None, scope: Organization | None = None) -> None:
    """The optimistic-concurrency check of a target's edit (:mod:`dangvu.common.versions`)."""
    typed = dict(fields)
    if bindings is not None:
        typed["scope"] = scope or target.plan.issuer
        typed["bindings"] = [B.describe((key or "").strip(), B.clean_params(params))
                             for key, params in bindings if (key or "").strip()]
    claim(target, version, by, typed, stored=_stored_target, labels={"bindings": "Cách đo"})


@transaction.atomic
def update_target(by, target: Target, *, version: int | None = None, **fields: Any) -> Target:
    """Correct a target's goal; ``version``: the one the edit form read (a newer one is refused)."""
    ensure_can_edit(by, target.plan.issuer)
    _claim_target(by, target, version, fields)
    _set_target_fields(target, fields)
    _check_target(target)
    target.save()
    return target


@transaction.atomic
def add_target(by, plan: Plan, **fields: Any) -> Target:
    ensure_can_edit(by, plan.issuer)
    target = Target(plan=plan, position=next_position(plan.targets), text="", op=">=", value=0, unit="%")
    _set_target_fields(target, fields)
    _check_target(target)
    target.save()
    return target


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


@transaction.atomic
def revise_target(by, target: Target, *, bindings: list[BindingSpec], scope: Organization | None = None,
                  version: int | None = None, **fields: Any) -> Target:
    """The target form's one use case: the goal's fields, the scope and the bindings, saved (and
    the bindings confirmed by the person) together. The bindings are checked against the new unit,
    so a count target can become a percentage one with a percentage indicator in one step.
    ``version`` is the one the form read: someone else's newer save is refused (``Code.STALE``)."""
    ensure_can_edit(by, target.plan.issuer)
    _claim_target(by, target, version, fields, bindings, scope)
    _set_target_fields(target, fields)
    _check_target(target, keep_bindings=False)  # the bindings are replaced and checked just below
    target.save()
    set_bindings(by, target, bindings, scope)
    return target


# -- bindings ---------------------------------------------------------------------------------------

def _check_binding(target: Target, indicator: str, params: dict[str, Any], org: Organization) -> None:
    """Registered, of the target's unit, with parameters the indicator takes and computes with
    (tried once, inside a savepoint so a failed query leaves the transaction usable)."""
    if not registered(indicator):
        raise ServiceError("Chỉ số đo không có trong danh mục.", Code.INVALID)
    if why := B.unit_problem(indicator, target.unit):
        raise ServiceError(why, Code.UNIT_MISMATCH)
    if why := B.params_problem(indicator, params):
        raise ServiceError(why, Code.INVALID)
    if params:
        try:
            with transaction.atomic():
                indicators.compute(indicator, org, indicators.Period.year(clock.today().year), **params)
        except Exception as exc:  # any failure of the query means the values do not fit the indicator
            raise ServiceError("Chỉ số không tính được với các tham số này; hãy kiểm tra lại giá trị.",
                               Code.INVALID) from exc


def _set_scope(target: Target, scope: Organization | None) -> None:
    issuer = target.plan.issuer
    if scope is not None and not scope.path.startswith(issuer.path):
        raise ServiceError("Phạm vi đo phải là cấp ủy ban hành hoặc tổ chức trực thuộc.", Code.OUT_OF_SUBTREE,
                           field="scope")
    target.scope = None if scope is None or scope.pk == issuer.pk else scope


def _wanted_bindings(target: Target, bindings: list[BindingSpec]) -> list[tuple[str, dict[str, Any]]]:
    """The bindings asked for, cleaned and checked; manual slots dropped."""
    wanted: list[tuple[str, dict[str, Any]]] = []
    for indicator, params in bindings:
        if params is not None and not isinstance(params, dict):
            raise ServiceError("Tham số không hợp lệ.", Code.INVALID)
        entry = ((indicator or "").strip(), B.clean_params(params))
        if not entry[0]:
            if entry[1]:
                raise ServiceError("Chỉ tiêu nhập số liệu thủ công không có tham số.", Code.INVALID)
            continue
        if entry in wanted:
            raise ServiceError(f"Cách đo «{B.describe(*entry)}» được chọn hai lần.", Code.DUPLICATE)
        _check_binding(target, entry[0], entry[1], target.scope_org)
        wanted.append(entry)
    if len(wanted) > B.MAX_BINDINGS:
        raise ServiceError(f"Một chỉ tiêu có tối đa {B.MAX_BINDINGS} cách đo.", Code.OUT_OF_RANGE)
    return wanted


@transaction.atomic
def set_bindings(by, target: Target, bindings: list[BindingSpec], scope: Organization | None = None) -> list[Binding]:
    """Set how a target is measured, as a person reviewed it: exactly these (indicator, params)
    bindings over ``scope`` (inside the issuer's subtree; None = the issuer); ``[]`` = by hand.

    The person has seen and saved each one, so each is confirmed by them: a kept binding (same
    key and params) keeps its source and is confirmed now if it was not; a removed one is
    deleted; a new one is recorded as added and confirmed by the person."""
    ensure_can_edit(by, target.plan.issuer)
    _set_scope(target, scope)
    target.save()
    wanted = _wanted_bindings(target, bindings)
    existing = sel.target_bindings(target)
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
    current = [(b.indicator, b.params) for b in sel.target_bindings(target)]
    kept = set_bindings(by, target, [*current, (indicator, params)], target.scope)
    return kept[-1]
