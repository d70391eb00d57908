"""A person's decision on each binding the reader proposed: confirm it (who and when are recorded)
or clear it. Nothing is confirmed on a person's behalf; only a system job (the demo) confirms all."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.common.versions import claim

from .. import bindings as B
from .. import selectors as sel
from ..models import Binding, Plan
from .base import binding_code


@transaction.atomic
def confirm_binding(by, binding: Binding) -> Binding:
    """A person confirms one proposed binding as it stands (who and when are recorded)."""
    target = binding.target
    ensure_can_edit(by, target.plan.issuer)
    if why := B.problem(binding.indicator, binding.params, target.unit):
        raise ServiceError(f"Không xác nhận được: {why} Hãy bỏ cách đo này hoặc sửa chỉ tiêu.",
                           binding_code(binding.indicator, binding.params, target.unit))
    binding.confirmed, binding.confirmed_by, binding.confirmed_at = True, acting_user(by), timezone.now()
    binding.save()
    return binding


@transaction.atomic
def clear_binding(by, binding: Binding) -> None:
    """A person rejects a binding: the target is no longer measured that way (the reader's
    proposal stays in ``Target.proposed``)."""
    target = binding.target
    ensure_can_edit(by, target.plan.issuer)
    binding.delete()
    # The bindings are part of the target's edit form: one opened before must not bring this one back.
    claim(target, None, by)
    target.save(update_fields=["version", "edited_by", "edited_at"])


@transaction.atomic
def resolve_bindings(by, plan: Plan, decisions: dict[int, str]) -> tuple[int, int]:
    """Apply a person's decision on each listed binding of the plan: ``"confirm"`` or ``"clear"``.
    Returns (confirmed, cleared)."""
    ensure_can_edit(by, plan.issuer)
    rows = {b.pk: b for b in sel.plan_bindings(plan, list(decisions))}
    if set(rows) != set(decisions):
        raise ServiceError("Có cách đo không thuộc kế hoạch này; hãy tải lại trang.", Code.NOT_FOUND)
    confirmed = cleared = 0
    for pk, decision in decisions.items():
        if decision == "confirm":
            confirm_binding(by, rows[pk])
            confirmed += 1
        elif decision == "clear":
            clear_binding(by, rows[pk])
            cleared += 1
        else:
            raise ServiceError("Với mỗi cách đo, hãy chọn «Xác nhận» hoặc «Bỏ».", Code.INVALID)
    return confirmed, cleared


@transaction.atomic
def confirm_all(by, plan: Plan) -> int:
    """Confirm every pending binding as proposed — only for system jobs that build sample data
    (``by=None``: the demo); a person decides on each binding (:func:`confirm_binding`,
    :func:`clear_binding`, the decisions of :func:`save_plan`)."""
    if by is not None:
        raise ServiceError("Cách đo được xác nhận từng cái một: hãy xác nhận hoặc bỏ từng cách đo.",
                           Code.FORBIDDEN)
    pending = sel.unconfirmed_bindings(plan)
    for binding in pending:
        confirm_binding(by, binding)
    return len(pending)
