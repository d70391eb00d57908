"""``{% sees_cases org as ok %}``: may the signed-in user see this organization's discipline cases?
The registry's pages ask it before showing their link (the one predicate of ``access.py``)."""

from __future__ import annotations

from django import template

from dangvu.accounts.access import access_for

from ..access import sees_cases_of

register = template.Library()


@register.simple_tag(takes_context=True)
def sees_cases(context, org) -> bool:
    request = context.get("request")
    return bool(request and org is not None and sees_cases_of(access_for(request.user), org))
