"""Fees pages: the cell's monthly book on the phone (sổ thu đảng phí), a correction beside the
entry it corrects, a member's fee basis and the member's own months.

Every lookup goes through the user's Access: outside the subtree → 404, read-only → 403 on writes.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dangvu.common.views import access, require_edit, service_form
from dangvu.core import clock
from dangvu.core.fees import CATEGORY_LABELS, MONTH_STATE_LABELS, add_months, dong, month_start, monthly_due
from dangvu.core.rulesets import ruleset_for
from dangvu.registry.models import CELL_KINDS

from . import forms as f
from . import selectors as sel
from . import services as s

FORM_METHODS = require_http_methods(["GET", "POST"])
HISTORY_MONTHS = (12, 24)


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def book_url(code: str, month: dt.date) -> str:
    return reverse("fees:book", args=[code, month.year, month.month])


def _month_or_404(year: int, month: int) -> dt.date:
    """A month of the book: from 2000 to the current month (a later one has no book yet)."""
    if not 1 <= month <= 12 or not year >= 2000:
        raise Http404("Không có tháng này.")
    day = dt.date(year, month, 1)
    if day > month_start(clock.today()):
        raise Http404("Chưa đến tháng này.")
    return day


def _book_context(acc, org, month: dt.date, rows) -> dict:
    today = month_start(clock.today())
    book = sel.book_of(org, month)
    collector = (book.collected_by if book and book.collected_by else None) or sel.default_collector(org, clock.today())
    return {
        "title": f"Sổ thu đảng phí tháng {month.month}/{month.year}", "org": org, "month": month, "book": book,
        "rows": rows, "totals": sel.month_totals(org, month, rows), "state_labels": MONTH_STATE_LABELS,
        "previous": book_url(org.code, add_months(month, -1)),
        "next": book_url(org.code, add_months(month, 1)) if month < today else None,
        "can_edit": acc.can_edit_org(org), "collector": collector,
        "no_basis": [row for row in rows if row.due is None],
    }


@login_required
@FORM_METHODS
def book(request: HttpRequest, code: str, year: int, month: int) -> HttpResponse:
    """The month's book: everyone "paid as due" in one tap, the exceptions tapped on their names."""
    acc = access(request)
    org = acc.get_org(code)
    if org.kind not in CELL_KINDS:
        raise Http404("Sổ thu đảng phí là của chi bộ.")
    day = _month_or_404(year, month)
    if request.method == "POST":
        require_edit(acc, org)
    rows = sel.book_rows(org, day)
    for row in rows:
        row.lines = sel.entry_lines(row.entries)  # originals with their corrections beside them
    context = _book_context(acc, org, day, rows)
    book_ = context["book"]
    initial = {"collected_by": context["collector"].pk if context["collector"] else None,
               "collected_on": (book_.collected_on if book_ and book_.collected_on else clock.today())}
    form = f.BookForm(_posted(request), rows=rows, members=sel.book_members(org), initial=initial)

    def act(d):
        return s.record_book(request.user, org, day, all_paid=True, lines=form.lines(),
                             collected_by=d.get("collected_by"), collected_on=d.get("collected_on"))

    return service_form(request, form, context, act, f"Đã ghi sổ thu đảng phí tháng {day.month}/{day.year}.",
                        book_url(org.code, day), template="fees/book.html")


@login_required
@FORM_METHODS
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Đính chính: the right amount and why; the book keeps the original beside it."""
    acc = access(request)
    entry = sel.payment(pk)
    if entry is None or not acc.can_read_org(entry.book.organization):
        raise Http404("Không tìm thấy khoản nộp.")
    org = entry.book.organization
    require_edit(acc, org)
    line = next(iter(sel.entry_lines([entry, *entry.corrections.all()])), None)
    if line is None:  # a correction itself: correct the original instead
        raise Http404("Hãy đính chính dòng gốc.")
    form = f.CorrectionForm(_posted(request), initial={"amount": line.current})
    context = {"title": f"Đính chính khoản nộp — {entry.member.full_name}", "org": org, "entry": entry,
               "line": line, "back": book_url(org.code, entry.book.month)}
    return service_form(request, form, context,
                        lambda d: s.correct_payment(request.user, entry, amount=d["amount"], reason=d["reason"]),
                        "Đã ghi đính chính; dòng gốc vẫn giữ nguyên trong sổ.", context["back"],
                        template="fees/correct.html")


def _history_months(request: HttpRequest) -> int:
    try:
        count = int(request.GET.get("so-thang", HISTORY_MONTHS[0]))
    except ValueError:
        return HISTORY_MONTHS[0]
    return count if count in HISTORY_MONTHS else HISTORY_MONTHS[0]


@login_required
def member_fees(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's fees month by month (the member sees their own, nobody else's), and the basis."""
    acc = access(request)
    member = acc.get_member(pk)
    count = _history_months(request)
    bases = sel.basis_history(member)
    return render(request, "fees/member.html", {
        "member": member, "months": sel.member_months(member, clock.today(), count), "count": count,
        "counts": HISTORY_MONTHS, "bases": bases, "current": next(
            (b for b in bases if b.starts_on <= clock.today()), None),
        "labels": CATEGORY_LABELS, "state_labels": MONTH_STATE_LABELS,
        "can_edit": acc.can_edit_member(member),
        "book": book_url(member.organization.code, month_start(clock.today()))
        if member.organization.kind in CELL_KINDS and acc.can_read_org(member.organization) else None,
    })


def _preview_due(form: f.BasisForm) -> str | None:
    """What the typed basis makes due, said in words (the service decides on save)."""
    if not form.is_bound or not form.is_valid():
        return None
    d = form.cleaned_data
    try:
        due = monthly_due(d["category"], d["base"], ruleset_for(d["starts_on"]),
                          past_working_age=d["past_working_age"])
    except ValueError as exc:
        return str(exc)
    return f"Mức đóng: {dong(due.due)} đồng/tháng ({due.rule})."


@login_required
@FORM_METHODS
def basis_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a member's fee basis from a month; «Xem mức đóng» shows the fee without saving."""
    acc = access(request)
    member = acc.get_member(pk)
    require_edit(acc, member.organization)
    current = next((b for b in sel.basis_history(member) if b.starts_on <= clock.today()), None)
    initial = {"starts_on": month_start(clock.today())}
    if current:
        initial |= {"category": current.category, "base": current.base, "past_working_age": current.past_working_age}
    form = f.BasisForm(_posted(request), initial=initial)
    back = reverse("fees:member_fees", args=[member.pk])
    context = {"title": f"Mức đóng đảng phí — {member.full_name}", "member": member, "current": current,
               "preview": _preview_due(form)}
    if request.method == "POST" and "xem" in request.POST:
        return render(request, "fees/basis.html", {**context, "form": form})

    def act(d):
        return s.set_basis(request.user, member, category=d["category"], base=d["base"],
                           starts_on=d["starts_on"], past_working_age=d["past_working_age"], note=d["note"])

    return service_form(request, form, context, act, "Đã ghi mức đóng đảng phí.", back, template="fees/basis.html")
