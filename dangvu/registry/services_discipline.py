"""Registry use case of an appeal's outcome: a member's discipline changed or annulled.

Kept apart from :mod:`dangvu.registry.services` (its size); the same rules: one transaction, the
actor's scope checked, the new state and its history record written together.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from dangvu.common import Code, ServiceError, ensure_can_edit
from dangvu.common.dates import check_date
from dangvu.core.lifecycle import Event, TransitionRefused, check_transition
from dangvu.core.rulesets import ruleset_for

from .models import Discipline, Member
from .services import _history


@transaction.atomic
def revise_member_discipline(by, record: Discipline, form: str | None, on: dt.date, decision_number: str = "",
                             note: str = "") -> Discipline | None:
    """Change (``form``) or annul (``form=None``) a member's discipline when an appeal is decided
    (Quy định 22-QĐ/TW, 2021). Lifting an expulsion puts the member back in the status they had
    before it; a change to expulsion removes them from the rolls. The history keeps both."""
    member = Member.objects.select_for_update().get(pk=record.member_id)
    ensure_can_edit(by, member.organization)
    if why := check_date(on):
        raise ServiceError(why, Code.OUT_OF_RANGE, field="on")
    old = record.form
    if form == old:
        return record
    before = member.status
    after = before
    if old == "expulsion":
        expelled = member.history.filter(event=Event.EXPEL).order_by("-on", "-id").first()
        after = (expelled.from_status if expelled and expelled.from_status else "full")
    if form == "expulsion":
        try:
            after = check_transition(Event.DISCIPLINE, after, on, admitted_on=member.admitted_on,
                                     discipline_form=form, rs=ruleset_for(on))
        except TransitionRefused as exc:
            raise ServiceError(str(exc), Code.TRANSITION) from exc
    elif form is not None and form not in ruleset_for(on)[
            "discipline.forms_probationary" if after == "probationary" else "discipline.forms_member"]:
        raise ServiceError("Hình thức kỷ luật không hợp lệ với đảng viên này.", Code.RULE, field="form")
    label = dict(Discipline._meta.get_field("form").choices)
    what = (f"Giải quyết khiếu nại: {label.get(old, old)} → {label.get(form, form)}" if form
            else f"Giải quyết khiếu nại: xóa bỏ kỷ luật {label.get(old, old)}")
    if form is None:
        record.delete()
        result = None
    else:
        record.form = form
        record.save(update_fields=["form"])
        result = record
    if after != before:
        member.status = after
        member.save(update_fields=["status", "updated_at", "name_folded"])
    _history(member, Event.EXPEL if form == "expulsion" else Event.DISCIPLINE, on, by, before=before, after=after,
             decision_number=decision_number, note=f"{what}. {note}".strip())
    return result
