"""A member's special statuses: temporary exemption, working far away, abroad (issue 17, point 5).

Recording one and ending it early are routine forms that save at once; the service writes the
period and its history line together. Outside the reader's scope → 404, read-only → 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dangvu.common.views import access, require_edit, service_form
from dangvu.core import clock
from dangvu.core.special_status import KIND_LABELS, describe

from . import forms as f
from . import selectors as sel
from . import services as s

FORM_METHODS = require_http_methods(["GET", "POST"])
# URL word → kind (the paths are Vietnamese, the kinds English).
KIND_SLUGS = {"tam-mien": "temporary_exemption", "lam-an-xa": "away", "nuoc-ngoai": "abroad"}
SLUG_OF = {kind: slug for slug, kind in KIND_SLUGS.items()}


def special_context(member, can_edit: bool) -> dict:
    """The member page's part: the periods (the current one marked), and the buttons to record one."""
    today = clock.today()
    periods = sel.special_statuses_of(member)
    buttons = []
    if can_edit and member.is_active:
        buttons = [(SLUG_OF[k], label) for k, label in KIND_LABELS.items()
                   if k != "temporary_exemption" or member.status != "exempt"]
    return {"special_statuses": periods, "special_buttons": buttons,
            "special_now": next((p for p in periods if p.starts_on <= today <= p.ends_on), None)}


@login_required
@FORM_METHODS
def special_add(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    acc = access(request)
    member = acc.get_member(pk)
    require_edit(acc, member.organization)
    kind = KIND_SLUGS.get(slug)
    if kind is None:
        raise Http404("Không có loại tình trạng này.")
    form = f.SpecialStatusForm(request.POST or None, kind=kind)
    back = reverse("registry:member_detail", args=[member.pk])

    def act(d):
        return s.set_special_status(request.user, member, kind, d["starts_on"], d["ends_on"],
                                    reason=d.get("reason", ""), place=d.get("place", ""),
                                    decision_number=d.get("decision_number", ""))

    intro = ("Đảng viên vẫn trong danh sách của chi bộ; trong thời gian này không tính vào số phải dự sinh hoạt "
             "(theo bộ quy định đang áp dụng). Hết ngày kết thúc, tình trạng tự hết.")
    return service_form(request, form, {"title": f"{KIND_LABELS[kind]} — {member.full_name}", "member": member,
                                        "back": back, "intro": intro, "submit": f"Ghi {KIND_LABELS[kind].lower()}"},
                        act, f"Đã ghi: {KIND_LABELS[kind].lower()}.", back)


@login_required
@FORM_METHODS
def special_end(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    record = sel.special_status_in_scope(acc, pk)
    if record is None:
        raise Http404("Không tìm thấy tình trạng này.")
    member = record.member
    require_edit(acc, member.organization)
    form = f.EndSpecialStatusForm(request.POST or None)
    back = reverse("registry:member_detail", args=[member.pk])
    words = describe(record.kind, record.ends_on, record.place)
    return service_form(request, form, {"title": f"Kết thúc sớm: {words} — {member.full_name}", "member": member,
                                        "back": back, "submit": "Ghi trở lại sinh hoạt"},
                        lambda d: s.end_special_status(request.user, record, d["on"], d.get("note", "")),
                        "Đã ghi đảng viên trở lại sinh hoạt.", back)
