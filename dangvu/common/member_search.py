"""Member fields that never list a whole subtree (issue 14): the select offers the organization's
own members, or the few a search typed in ``?tim=`` finds (by folded name, or by the first digits
of the card number), at most ``MEMBER_CHOICES_SHOWN``; a posted id is still checked against every
candidate (one query by id), so any member the search can reach may be chosen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from dangvu.core.text import fold

from .forms import MEMBER_CHOICES_SHOWN

SEARCH_PARAM = "tim"


def narrow(candidates: QuerySet, default: QuerySet, words: list[str], limit: int,
           keep: Iterable[int] = ()) -> tuple[list[Any], bool]:
    """The candidates whose folded name holds every word, or whose card number starts with the one
    number typed; without words, ``default``. At most ``limit`` by name, plus the members ``keep``
    (already chosen); and whether more matched."""
    if len(words) == 1 and words[0].isdigit():
        qs = candidates.filter(card_number__startswith=words[0])
    elif words:
        qs = candidates
        for word in words:
            qs = qs.filter(name_folded__contains=word)
    else:
        qs = default
    found = list(qs.order_by("name_folded", "id")[:limit + 1])
    more = len(found) > limit
    found = found[:limit]
    missing = {k for k in keep if k is not None} - {m.pk for m in found}
    if missing:
        found += list(candidates.filter(pk__in=missing))
    return found, more


def posted_ids(form: Any, names: Iterable[str]) -> list[int]:
    """The member ids posted in ``names`` when they are plain numbers (kept shown on an error)."""
    out = []
    for name in names:
        text = str(form.data.get(name) or "") if form.is_bound else ""
        if text.isascii() and text.isdigit() and len(text) <= 18:
            out.append(int(text))
    return out


def offer_members(request: HttpRequest, form: Any, names: Iterable[str], candidates: QuerySet,
                  org: Any) -> dict[str, str]:
    """Show the narrowed members in each field of ``names`` (unsearched: the candidates who belong
    to ``org`` itself); the search box's context for ``web/form.html``."""
    names = list(names)
    query = (request.GET.get(SEARCH_PARAM) or "")[:60]
    initial = [getattr(v, "pk", v) for v in (form.initial.get(n) for n in names)]
    keep = posted_ids(form, names) + [v for v in initial if isinstance(v, int)]
    shown, more = narrow(candidates, candidates.filter(organization=org), fold(query).split(),
                         MEMBER_CHOICES_SHOWN, keep)
    for name in names:
        form.fields[name].show(shown)
    if more:
        note = f"Chỉ hiện {MEMBER_CHOICES_SHOWN} người đầu tiên; hãy gõ thêm họ tên hoặc số thẻ để tìm đúng người."
    elif query and not shown:
        note = "Không tìm thấy đảng viên nào; hãy gõ lại họ tên hoặc số thẻ đảng viên."
    elif query:
        note = ""
    elif shown:
        note = f"Đang hiện đảng viên của {org.name}; gõ họ tên hoặc số thẻ để tìm người khác."
    else:
        note = "Gõ họ tên hoặc số thẻ đảng viên để tìm người cần chọn."
    return {"param": SEARCH_PARAM, "query": query, "note": note,
            "label": "Tìm đảng viên theo họ tên hoặc số thẻ đảng viên"}
