"""A member's lifecycle forms. Routine ones (recognition as full member, exemption and its end)
save at once; the rare ones that change a member's standing for good (transfer, discipline,
removal from the rolls, death) show first what will change and save only on a second,
explicit tap (a POST carrying ``confirm``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dangvu.common.views import access, add_service_error, refusal_of, require_edit, service_form
from dangvu.core.lifecycle import ALLOWED_FROM, DISCIPLINE_LABELS, EVENT_LABELS, Event

from . import forms as f
from . import selectors as sel
from . import services as s
from .models import Member, TransferKind

FORM_METHODS = require_http_methods(["GET", "POST"])

ROUTINE_EVENTS = (Event.RECOGNIZE_FULL, Event.EXEMPT, Event.END_EXEMPTION)
RARE_EVENTS = (Event.TRANSFER_OUT, Event.DISCIPLINE, Event.STRIKE_OFF, Event.DEATH)
MEMBER_EVENTS = ROUTINE_EVENTS + RARE_EVENTS

# What each button does, in words (the member page and the forms' buttons).
ACTION_LABELS = {
    Event.RECOGNIZE_FULL: "Công nhận đảng viên chính thức",
    Event.EXEMPT: "Miễn công tác và sinh hoạt đảng",
    Event.END_EXEMPTION: "Thôi miễn công tác và sinh hoạt đảng",
    Event.TRANSFER_OUT: "Chuyển sinh hoạt đảng đi nơi khác",
    Event.DISCIPLINE: "Ghi quyết định kỷ luật",
    Event.STRIKE_OFF: "Xóa tên khỏi danh sách đảng viên",
    Event.DEATH: "Ghi đảng viên từ trần",
}
SAVE_LABELS = {
    Event.RECOGNIZE_FULL: "Ghi công nhận chính thức",
    Event.EXEMPT: "Ghi miễn sinh hoạt",
    Event.END_EXEMPTION: "Ghi thôi miễn sinh hoạt",
}
CONFIRM_LABELS = {
    Event.TRANSFER_OUT: "Xác nhận chuyển sinh hoạt của đồng chí {name}",
    Event.DISCIPLINE: "Xác nhận kỷ luật đồng chí {name}",
    Event.STRIKE_OFF: "Xác nhận xóa tên đồng chí {name}",
    Event.DEATH: "Xác nhận ghi đồng chí {name} từ trần",
}
NEXT_STEP = "Tiếp tục: xem những gì sẽ thay đổi"


def event_possible(event: str, member: Member) -> bool:
    return member.status in ALLOWED_FROM.get(event, ())


def member_actions(member: Member) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(routine, rare) actions possible for ``member`` now: (event, button words)."""
    routine = [(e, ACTION_LABELS[e]) for e in ROUTINE_EVENTS if event_possible(e, member)]
    rare = [(e, ACTION_LABELS[e]) for e in RARE_EVENTS if event_possible(e, member)]
    return routine, rare


def _d(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _card(member: Member) -> str:
    return f"Thẻ đảng viên số {member.card_number}" if member.card_number else "Thẻ đảng viên"


def _leaves_rolls(member: Member, d: dict[str, Any]) -> list[str]:
    org = member.organization.name
    return [f"{_card(member)} phải thu hồi.",
            f"Đồng chí không còn được tính vào số đảng viên, đảng phí, sinh hoạt và các chỉ tiêu của {org} "
            f"từ ngày {_d(d['on'])}; không sửa lại được trên hệ thống."]


def consequences(event: str, member: Member, d: dict[str, Any]) -> list[str]:
    """What will change, in plain words: "Đồng chí X sẽ …; thẻ đảng…; không còn tính vào…"."""
    name, org = member.full_name, member.organization.name
    decision = f" theo quyết định số {d['decision_number']}" if d.get("decision_number") else ""
    if event == Event.STRIKE_OFF:
        return [f"Đồng chí {name} sẽ bị xóa tên khỏi danh sách đảng viên của {org} từ ngày {_d(d['on'])}{decision}.",
                *_leaves_rolls(member, d)]
    if event == Event.DEATH:
        return [f"Đồng chí {name} sẽ được ghi là đã từ trần ngày {_d(d['on'])}.",
                f"{_card(member)} được xử lý theo hướng dẫn của cấp ủy (thu hồi hoặc để gia đình lưu giữ).",
                f"Đồng chí không còn được tính vào số đảng viên, đảng phí và các chỉ tiêu của {org}; "
                "không còn nhắc việc cho đồng chí; không sửa lại được trên hệ thống."]
    if event == Event.DISCIPLINE:
        form = DISCIPLINE_LABELS.get(d["form"], d["form"])
        lines = [f"Đồng chí {name} sẽ bị ghi kỷ luật bằng hình thức {form.lower()}{decision}, ngày {_d(d['on'])}."]
        if d["form"] == "expulsion":
            return lines + [f"Khai trừ: đồng chí bị đưa ra khỏi Đảng. {_card(member)} phải thu hồi.",
                            f"Đồng chí không còn được tính vào số đảng viên, đảng phí và các chỉ tiêu của {org}; "
                            "không sửa lại được trên hệ thống."]
        return lines + ["Kỷ luật được ghi vào quá trình sinh hoạt đảng và được tính khi đánh giá, xếp loại "
                        f"chất lượng năm {d['on'].year}; đồng chí vẫn là đảng viên của {org}."]
    if event == Event.TRANSFER_OUT:
        permanent = d["kind"] == TransferKind.PERMANENT
        kind = "chính thức" if permanent else f"tạm thời đến ngày {_d(d.get('ends_on'))}"
        lines = [f"Đồng chí {name} sẽ được cấp giấy chuyển sinh hoạt đảng {kind} từ {org} đến {d['to_org'].name}, "
                 f"giấy ngày {_d(d['letter_on'])}."]
        if permanent:
            return lines + [f"Khi nơi đến xác nhận tiếp nhận, đồng chí không còn được tính vào số đảng viên và các "
                            f"chỉ tiêu của {org}; {_card(member).lower()} và hồ sơ đi theo đồng chí."]
        return lines + [f"Đồng chí vẫn thuộc {org}, nhưng không tính vào cơ sở tính khi bầu cử ở đại hội của {org} "
                        "trong thời gian sinh hoạt tạm thời nơi khác."]
    return []


def _event_form(event: str, member: Member, user, data) -> tuple[Any, Callable[[dict], Any]]:
    """The form of ``event`` and the service call that records it."""
    if event == Event.DISCIPLINE:
        return f.DisciplineForm(data, member=member), lambda d: s.discipline_member(
            user, member, d["form"], d["on"], d["decision_number"], d["note"], d["self_corrected"])
    if event == Event.TRANSFER_OUT:
        return f.TransferForm(data, destinations=sel.transfer_destinations(member)), lambda d: s.start_transfer(
            user, member, d["kind"], d["to_org"], d["letter_on"], cause_on=d["cause_on"], ends_on=d["ends_on"],
            reason=d["reason"])
    actions = {
        Event.RECOGNIZE_FULL: lambda d: s.recognize_full(user, member, d["on"], d["decision_number"]),
        Event.EXEMPT: lambda d: s.exempt(user, member, d["on"], d["note"]),
        Event.END_EXEMPTION: lambda d: s.end_exemption(user, member, d["on"], d["note"]),
        Event.STRIKE_OFF: lambda d: s.strike_off(user, member, d["on"], d["decision_number"], d["note"]),
        Event.DEATH: lambda d: s.record_death(user, member, d["on"], d["note"]),
    }
    return f.EventForm(data), actions[event]


@login_required
@FORM_METHODS
def member_event(request: HttpRequest, pk: int, event: str) -> HttpResponse:
    """One form per lifecycle event; the service decides whether the event is legal. A rare
    event's valid form answers a page of what will change; only its confirm button records it."""
    acc = access(request)
    member = acc.get_member(pk)
    require_edit(acc, member.organization)
    if event not in MEMBER_EVENTS:
        raise Http404("Không có sự kiện này.")
    form, act = _event_form(event, member, request.user, request.POST or None)
    title = f"{EVENT_LABELS[event]} — {member.full_name}"
    back = reverse("registry:member_detail", args=[member.pk])
    context = {"title": title, "member": member, "back": back,
               "submit": SAVE_LABELS.get(event, NEXT_STEP)}
    rare = event in RARE_EVENTS
    if rare:
        context["intro"] = ("Việc này thay đổi lớn hồ sơ đảng viên. Sau khi điền, trang sau cho xem những gì sẽ "
                            "thay đổi; chỉ khi bấm xác nhận mới ghi.")
    if rare and request.method == "POST" and not request.POST.get("confirm") and form.is_valid():
        if request.POST.get("edit"):  # "Quay lại sửa" from the confirmation page
            return render(request, "web/form.html", {**context, "form": form})
        if refused := refusal_of(act, form.cleaned_data):  # say so now, not after the confirm tap
            add_service_error(form, refused)
            return render(request, "web/form.html", {**context, "form": form}, status=400)
        return render(request, "registry/confirm_event.html", {
            "title": f"Xác nhận: {EVENT_LABELS[event].lower()} — {member.full_name}", "member": member,
            "lines": consequences(event, member, form.cleaned_data),
            "hidden": [(k, v) for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "edit")],
            "button": CONFIRM_LABELS[event].format(name=member.full_name), "back": back})
    return service_form(request, form, context, act, f"Đã ghi: {EVENT_LABELS[event].lower()}.", back)
