"""The remittance page (nộp đảng phí lên cấp trên) of one organization for a month, quarter or year.

A line per organization directly under it: what it should have sent by its books and the rule,
what it recorded as sent, what this level confirmed receiving, the difference and whether it was
on time; below, its own line: what it kept and what it should send up. In the month view the
sender records a remittance (amount prefilled with what is due) and the receiver confirms each
line in one tap; a đảng bộ cơ sở sets its cells' share. Outside the scope → 404; a read-only role
→ 403 on every POST.
"""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dangvu.common import ServiceError
from dangvu.common.views import access, require_edit
from dangvu.core import clock
from dangvu.core.fee_shares import FlowRole
from dangvu.core.fees import add_months, dong, month_start, months_between
from dangvu.core.rulesets import ruleset_for
from dangvu.registry.selectors import parent_of

from . import flows, services
from .forms_remit import ConfirmForm, RemitForm, ShareForm

ROLE_TEXT = {
    FlowRole.CELL: "Chi bộ trực thuộc đảng bộ cơ sở: để lại {kept}% số thu (đảng ủy quyết định), nộp phần còn lại.",
    FlowRole.GRASSROOTS: "Tổ chức cơ sở đảng: cả tổ chức (kể cả phần các chi bộ để lại) được để lại {kept}% tổng số thu "
                         "trong tổ chức; của các tổ chức cơ sở đảng trực thuộc, để lại 50% số nhận được.",
    FlowRole.UPPER: "Cấp trên cơ sở: để lại {kept}% số nhận được, nộp phần còn lại lên cấp trên.",
    FlowRole.PASS: "Đảng bộ bộ phận, tổ đảng: chuyển toàn bộ số nhận được lên đảng ủy cơ sở.",
}


def _period(request: HttpRequest, today: dt.date) -> tuple[list[dt.date], str, str, str]:
    """(months, label, query string, error) from ``?thang=YYYY-MM``, ``?quy=YYYY-Q`` or ``?nam=YYYY``;
    default the previous month (the one being sent up now). Months after the current one are left out."""
    current = month_start(today)
    default = add_months(current, -1)
    low = month_start(dt.date.fromisoformat(str(ruleset_for(today)["dates.earliest"])))
    thang, quy, nam = (request.GET.get(k, "").strip() for k in ("thang", "quy", "nam"))
    months: list[dt.date] = []
    label = query = ""
    try:
        if thang:
            m = re.fullmatch(r"(\d{4})-(\d{1,2})", thang)
            months = [dt.date(int(m.group(1)), int(m.group(2)), 1)] if m else []
            label, query = (f"tháng {months[0]:%m/%Y}", f"thang={months[0]:%Y-%m}") if months else ("", "")
        elif quy:
            m = re.fullmatch(r"(\d{4})-[Qq]?([1-4])", quy)
            if m:
                first = dt.date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1)
                months = months_between(first, add_months(first, 2))
                label, query = f"quý {m.group(2)}/{m.group(1)}", f"quy={m.group(1)}-{m.group(2)}"
        elif nam:
            if re.fullmatch(r"\d{4}", nam):
                months = months_between(dt.date(int(nam), 1, 1), dt.date(int(nam), 12, 1))
                label, query = f"năm {nam}", f"nam={nam}"
    except ValueError:
        months = []
    months = [m for m in months if low <= m <= current]
    if (thang or quy or nam) and not months:
        error = "Kỳ này không có hoặc chưa đến; đang hiện tháng trước."
    else:
        error = ""
    if not months:
        months, label, query = [default], f"tháng {default:%m/%Y}", f"thang={default:%Y-%m}"
    return months, label, query, error


def _nav(months: list[dt.date], today: dt.date) -> dict[str, str]:
    """Links to the neighbouring month and to the month's quarter and year."""
    first = months[0]
    q = (first.month - 1) // 3 + 1
    out = {"quarter": f"quy={first.year}-{q}", "year": f"nam={first.year}"}
    if len(months) == 1:
        out["prev"] = f"thang={add_months(first, -1):%Y-%m}"
        if add_months(first, 1) <= month_start(today):
            out["next"] = f"thang={add_months(first, 1):%Y-%m}"
        out["month"] = ""
    else:
        out["month"] = f"thang={months[-1]:%Y-%m}"
    return out


@login_required
def remittances(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    today = clock.today()
    months, label, query, error = _period(request, today)
    can_edit = acc.can_edit_org(org)
    forms: dict = {}
    status = 200
    if request.method == "POST":
        require_edit(acc, org)
        response, forms = _post(request, org)
        if response is not None:
            return response
        status = 400
        month = month_start(forms.get("month") or months[0])
        months, label, query = [month], f"tháng {month:%m/%Y}", f"thang={month:%Y-%m}"
    page = flows.remittance_page(org, months, today)
    one_month = len(months) == 1
    remit_form = forms.get("remit") or RemitForm(initial={"amount": max(page.own.expected - page.own.sent, 0),
                                                          "sent_on": today})
    confirm_error = forms.get("confirm")
    share_form = forms.get("share") or ShareForm(initial={"kept_percent": page.share or page.share_default})
    parent = parent_of(org) if org.depth > 1 else None
    return render(request, "fees/remittances.html", {
        "org": org, "parent": parent, "page": page, "label": label, "query": query, "error": error,
        "one_month": one_month, "month": months[0], "nav": _nav(months, today), "can_edit": can_edit,
        "role_text": ROLE_TEXT[page.own.role].format(kept=page.own.kept_percent),
        "remit_form": remit_form, "confirm_error": confirm_error, "share_form": share_form,
        "is_committee": org.kind == "grassroots_committee", "today": today,
        "can_record": can_edit and page.own.has_parent and one_month,
    }, status=status)


def _posted_month(request: HttpRequest) -> dt.date | None:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", request.POST.get("thang", ""))
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), 1) if m else None
    except ValueError:
        return None


def _record(request: HttpRequest, org, month: dt.date | None, out: dict) -> str | None:
    form = out["remit"] = RemitForm(request.POST)
    if month is None:
        form.add_error(None, "Chưa chọn tháng của khoản đảng phí.")
    elif form.is_valid():
        r = services.record_remittance(request.user, org, month, amount=form.cleaned_data["amount"],
                                       sent_on=form.cleaned_data["sent_on"])
        messages.success(request, f"Đã ghi nộp {dong(r.amount)} đồng đảng phí tháng {month:%m/%Y} lên {r.receiver.name}.")
        return f"?thang={month:%Y-%m}"
    return None


def _confirm(request: HttpRequest, org, out: dict) -> str | None:
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        out["confirm"] = " ".join(e for errs in form.errors.values() for e in errs)
        return None
    r = flows.received_remittance(org, form.cleaned_data["remittance"])
    if r is None:
        out["confirm"] = "Không tìm thấy khoản nộp này ở cấp nhận là tổ chức của trang."
        return None
    out["month"] = r.month
    services.confirm_remittance(request.user, r, amount=form.cleaned_data["amount"],
                                confirmed_on=form.cleaned_data["confirmed_on"])
    messages.success(request, f"Đã xác nhận nhận {dong(form.cleaned_data['amount'])} đồng "
                              f"của {r.sender.name} (tháng {r.month:%m/%Y}).")
    return f"?thang={r.month:%Y-%m}"


def _share(request: HttpRequest, org, month: dt.date | None, out: dict) -> str | None:
    form = out["share"] = ShareForm(request.POST)
    if org.kind != "grassroots_committee":
        form.add_error(None, "Chỉ đảng bộ cơ sở quyết định tỷ lệ các chi bộ trực thuộc được để lại.")
    elif month is None:
        form.add_error(None, "Chưa chọn tháng áp dụng.")
    elif form.is_valid():
        kept = form.cleaned_data["kept_percent"]
        services.set_cell_share(request.user, org, kept_percent=kept, starts_on=month)
        messages.success(request, f"Từ tháng {month:%m/%Y}, các chi bộ được để lại {kept}% số thu.")
        return f"?thang={month:%Y-%m}"
    return None


FORM_OF_ACTION = {"gui": "remit", "ty-le": "share"}


def _post(request: HttpRequest, org):
    """Run the posted action: (redirect, {}) when done, else (None, the bound forms with errors)."""
    action = request.POST.get("action", "")
    month = _posted_month(request)
    out: dict = {"month": month}
    try:
        if action == "gui":
            done = _record(request, org, month, out)
        elif action == "xac-nhan":
            done = _confirm(request, org, out)
        elif action == "ty-le":
            done = _share(request, org, month, out)
        else:
            done, out["confirm"] = None, "Thao tác không hợp lệ."
    except ServiceError as exc:
        done, form = None, out.get(FORM_OF_ACTION.get(action, ""))
        if form is not None:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            out["confirm"] = exc.message
    if done is not None:
        return redirect(reverse("fees:remittances", args=[org.code]) + done), {}
    bound = out.get(FORM_OF_ACTION.get(action, ""))
    if bound is not None and bound.errors and not out.get("confirm"):
        # also above the page: the form may not be shown (a past quarter, the top organization)
        out["confirm"] = " ".join(dict.fromkeys(e for errs in bound.errors.values() for e in errs))
    return None, out
