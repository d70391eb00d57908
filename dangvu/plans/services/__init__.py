"""Plans use cases: the only code that writes plans, targets, their bindings, measurements, tasks
and updates.

Each public function is one transaction, checks the actor's edit scope on the plan's issuer
(``by=None`` is a system job: demo builder, CLI) and raises :class:`ServiceError` with a
Vietnamese message and a :class:`~dangvu.core.errors.Code`, nothing written, on refusal.

Bindings: the reader's proposals become unconfirmed bindings of the draft; a person confirms or
clears each one (who and when are recorded) — a draft with an unconfirmed binding is not saved
(:class:`UnconfirmedBindings`), and nothing is confirmed on the person's behalf. A binding whose
indicator's unit is not the target's (% against a count) is never stored.

By theme: :mod:`.drafts` (reader's output → draft → saved plan), :mod:`.review` (a person's
decision on each proposed binding), :mod:`.targets` (goals and their bindings), :mod:`.tasks`
(tasks, task progress, manual measurements). Every name is importable from here.
"""

from dangvu.common import ServiceError

from ..selectors import unconfirmed_bindings
from .base import MAX_TEXT, UnconfirmedBindings, registered
from .drafts import (
    PLAN_FIELDS,
    archive_plan,
    discard_draft,
    draft_from_parse,
    plan_years,
    save_plan,
    update_plan,
)
from .figures import refresh_figures
from .review import clear_binding, confirm_all, confirm_binding, resolve_bindings
from .targets import (
    TARGET_FIELDS,
    BindingSpec,
    add_binding,
    add_target,
    bind_target,
    create_target,
    delete_target,
    revise_target,
    set_bindings,
    update_target,
)
from .tasks import TASK_FIELDS, add_task, delete_task, edit_task, record_measurement, update_task

__all__ = [
    "MAX_TEXT", "PLAN_FIELDS", "TARGET_FIELDS", "TASK_FIELDS", "BindingSpec", "ServiceError", "UnconfirmedBindings",
    "add_binding", "add_target", "add_task", "archive_plan", "bind_target", "clear_binding", "confirm_all",
    "confirm_binding", "create_target", "delete_target", "delete_task", "discard_draft", "draft_from_parse",
    "edit_task", "plan_years", "record_measurement", "refresh_figures", "registered", "resolve_bindings", "revise_target",
    "save_plan", "set_bindings", "unconfirmed_bindings", "update_plan", "update_target", "update_task",
]
