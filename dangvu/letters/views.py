"""Letters pages: the letters of an organization's subtree, one letter, recording a letter and its
outcome. Only the inspection commission and administrators of the subtree may open them: another
role inside the scope gets 403, outside it 404; every page that shows contents is audited as a read
(:func:`dangvu.accounts.audit.log_read`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dangvu.accounts.access import Access
from dangvu.accounts.audit import log_read
from dangvu.common.views import access, service_form
from dangvu.core import clock
from dangvu.core import letters as rules
from dangvu.registry.models import Organization

from . import forms as f
from . import selectors as sel
from . import services as s

FORM_METHODS = require_http_methods(["GET", "POST"])
LIST_LIMIT = 200
STATE_LABELS = {"open": "Đang giải quyết", "overdue": "Quá hạn", "on_time": "Đã giải quyết đúng hạn",
                "late": "Đã giải quyết, quá hạn", "reference": "Lưu để tham khảo"}


def _letters_org(request: HttpRequest, code: str) -> tuple[Access, Organization]:
    acc = access(request)
    org = acc.get_org(code)  # outside the read scope: 404
    if not acc.may_read_letters(org):
        raise PermissionDenied("Chỉ Ủy ban kiểm tra và quản trị hệ thống được xem đơn thư.")
    return acc, org


def _state(letter, today) -> str:
    if letter.handling == "reference":
        return "reference"
    return rules.state(today, letter.deadline, letter.closed_on)


@login_required
def letter_list(request: HttpRequest, code: str) -> HttpResponse:
    _acc, org = _letters_org(request, code)
    today = clock.today()
    letters = list(sel.letters_of(org)[:LIST_LIMIT])
    rows = [(x, st, STATE_LABELS[st]) for x in letters for st in [_state(x, today)]]
    log_read(request.user, org, "letters-list", rows=len(rows))
    return render(request, "letters/list.html", {
        "org": org, "rows": rows, "counts": sel.state_counts(org, today),
        "limit": LIST_LIMIT, "total": sel.letter_count(org)})


@login_required
@FORM_METHODS
def letter_add(request: HttpRequest, code: str) -> HttpResponse:
    _acc, org = _letters_org(request, code)
    back = reverse("letters:list", args=[org.code])
    return service_form(
        request, f.LetterForm(request.POST or None),
        {"title": f"Ghi đơn thư — {org.name}", "org": org, "back": back, "submit": "Ghi đơn thư",
         "intro": "Hạn giải quyết tính theo loại đơn và cấp giải quyết, từ ngày nhận."},
        lambda d: s.record_letter(request.user, org, **d), "Đã ghi đơn thư.",
        lambda letter: reverse("letters:detail", args=[letter.pk]))


@login_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = sel.letter_for(access(request), pk)  # not a reader of its body: 404
    log_read(request.user, letter, "letter")
    return render(request, "letters/detail.html", {
        "letter": letter, "org": letter.organization, "state": _state(letter, clock.today()),
        "state_label": STATE_LABELS[_state(letter, clock.today())]})


@login_required
@FORM_METHODS
def letter_close(request: HttpRequest, pk: int) -> HttpResponse:
    letter = sel.letter_for(access(request), pk)
    url = reverse("letters:detail", args=[letter.pk])
    return service_form(
        request, f.OutcomeForm(request.POST or None),
        {"title": f"Kết quả giải quyết — {letter}", "org": letter.organization, "back": url,
         "submit": "Ghi kết quả"},
        lambda d: s.close_letter(request.user, letter, **d), "Đã ghi kết quả giải quyết.", url)
