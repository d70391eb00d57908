"""Inspection pages: an organization's programmes, a programme's progress (planned, under way,
concluded, late), loading a programme document through a preview, and one inspection or
supervision from decision to conclusion with its recommendations. Outside the scope → 404;
read-only roles see the pages without the buttons (a POST answers 403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dangvu.common import ServiceError
from dangvu.common.views import access, require_edit, service_form
from dangvu.core import clock
from dangvu.core.inspection import RECOMMENDATION_STATES, STATES
from dangvu.core.inspection_programme import read_programme

from . import forms as f
from . import selectors as sel
from . import services as s

FORM_METHODS = require_http_methods(["GET", "POST"])
STATE_SLUGS = {"chua-trien-khai": "planned", "dang-tien-hanh": "under_way", "da-ket-luan": "concluded",
               "cham": "late"}


def _programme(request: HttpRequest, pk: int):
    programme = sel.programme_in_scope(access(request), pk)
    if programme is None:
        raise Http404("Không tìm thấy chương trình.")
    return programme


def _item(request: HttpRequest, pk: int):
    item = sel.inspection_in_scope(access(request), pk)
    if item is None:
        raise Http404("Không tìm thấy cuộc kiểm tra, giám sát.")
    return item


def _item_url(item) -> str:
    return reverse("inspection:item_detail", args=[item.pk])


# -- programmes --------------------------------------------------------------------------------

@login_required
def org_programmes(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    today = clock.today()
    rows = [(p, sel.state_counts(sel.item_rows(p, today))) for p in sel.programmes_of(org)]
    return render(request, "inspection/org_programmes.html", {
        "org": org, "rows": rows, "states": STATES, "can_edit": acc.can_edit_org(org)})


@login_required
@FORM_METHODS
def programme_add(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    return service_form(
        request, f.ProgrammeForm(request.POST or None),
        {"title": f"Lập chương trình kiểm tra, giám sát — {org.name}", "org": org,
         "back": reverse("inspection:org_programmes", args=[org.code])},
        lambda d: s.create_programme(request.user, org, d["year"], issuer=d["issuer"], number=d["number"],
                                     issued_on=d["issued_on"], title=d["title"]),
        "Đã lập chương trình.", lambda p: reverse("inspection:programme_detail", args=[p.pk]))


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    programme = _programme(request, pk)
    rows = sel.item_rows(programme)
    counts = sel.state_counts(rows)
    wanted = STATE_SLUGS.get(request.GET.get("tinh-trang", ""))
    shown = [r for r in rows if wanted is None or r.state == wanted]
    slugs = {v: k for k, v in STATE_SLUGS.items()}
    return render(request, "inspection/programme.html", {
        "programme": programme, "org": programme.organization, "rows": shown, "total": len(rows),
        "tiles": [(slugs[k], label, counts[k], k == wanted) for k, label in STATES.items()],
        "can_edit": acc.can_edit_org(programme.organization)})


@login_required
@FORM_METHODS
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    programme = _programme(request, pk)
    require_edit(acc, programme.organization)
    url = reverse("inspection:programme_detail", args=[programme.pk])
    return service_form(
        request, f.ItemForm(request.POST or None, orgs=sel.subject_org_choices(programme.organization),
                   members=sel.subject_member_choices(programme.organization)),
        {"title": "Thêm cuộc kiểm tra, giám sát", "org": programme.organization, "back": url},
        lambda d: s.add_item(request.user, programme, **d), "Đã thêm vào chương trình.", _item_url)


@login_required
@FORM_METHODS
def programme_load(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 1: upload or paste the document → step 2: the entries it holds, to tick → saved."""
    acc = access(request)
    programme = _programme(request, pk)
    require_edit(acc, programme.organization)
    back = reverse("inspection:programme_detail", args=[programme.pk])
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _confirm_load(request, programme, back)
    posted = request.method == "POST"  # an empty POST is bound too: it answers with what is missing
    form = f.ProgrammeUploadForm(request.POST if posted else None, request.FILES if posted else None,
                                 year=programme.year)
    if request.method == "POST" and form.is_valid():
        return render(request, "inspection/load_preview.html", {
            "programme": programme, "org": programme.organization, "entries": form.entries,
            "text": form.source_text, "back": back})
    return render(request, "web/form.html", {
        "form": form, "title": f"Nạp chương trình từ văn bản — năm {programme.year}", "org": programme.organization,
        "multipart": True, "submit": "Đọc văn bản", "back": back,
        "intro": "Mỗi mục kiểm tra, giám sát trong văn bản (với tháng thực hiện) sẽ được liệt kê để bạn kiểm tra "
                 "trước khi lưu."}, status=400 if request.method == "POST" else 200)


def _confirm_load(request: HttpRequest, programme, back: str) -> HttpResponse:
    text = request.POST.get("text", "")[:200_000]
    picked = set(request.POST.getlist("pick"))
    try:
        _header, entries = read_programme(text, programme.year)
    except Exception:  # the same reader read it a moment ago; a tampered text must not become a 500
        entries = []
    chosen = [e for i, e in enumerate(entries) if str(i) in picked]
    try:
        items = s.load_programme(request.user, programme, chosen)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return render(request, "inspection/load_preview.html", {
            "programme": programme, "org": programme.organization, "entries": entries, "text": text,
            "back": back}, status=400)
    messages.success(request, f"Đã thêm {len(items)} mục vào chương trình.")
    return redirect(back)


# -- one inspection or supervision ---------------------------------------------------------------

@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    item = _item(request, pk)
    state = sel.item_state_of(item)
    return render(request, "inspection/item.html", {
        "item": item, "programme": item.programme, "org": item.programme.organization,
        "state": state, "state_label": STATES[state], "findings": sel.findings_of(item),
        "recommendations": sel.recommendation_rows(item), "rec_states": RECOMMENDATION_STATES,
        "can_edit": acc.can_edit_org(item.programme.organization)})


def _item_form(request: HttpRequest, pk: int, form_class, title: str, action, success: str, **form_kwargs):
    acc = access(request)
    item = _item(request, pk)
    require_edit(acc, item.programme.organization)
    kwargs = {k: (v(item) if callable(v) else v) for k, v in form_kwargs.items()}
    return service_form(request, form_class(request.POST or None, **kwargs),
                        {"title": f"{title} — {item.get_activity_display()} {item.subject_name}",
                         "org": item.programme.organization, "back": _item_url(item)},
                        lambda d: action(item, d), success, _item_url(item))


@login_required
@FORM_METHODS
def item_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_form(request, pk, f.StartForm, "Quyết định, đoàn kiểm tra",
                      lambda item, d: s.start_inspection(request.user, item, **d), "Đã ghi quyết định và đoàn.")


@login_required
@FORM_METHODS
def item_report(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_form(request, pk, f.ReportForm, "Báo cáo của đối tượng",
                      lambda item, d: s.record_subject_report(request.user, item, **d), "Đã ghi báo cáo.")


def _conclude(request: HttpRequest, item, d: dict):
    findings = [s.FindingInput(m, d["violation_on"], d["violation"]) for m in d["members"]]
    recs = [s.RecommendationInput(d["recommendation"], d["due_on"])] if (d["recommendation"] or "").strip() else []
    return s.conclude_inspection(request.user, item, concluded_on=d["concluded_on"], conclusion=d["conclusion"],
                                 findings=findings, recommendations=recs)


@login_required
@FORM_METHODS
def item_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_form(request, pk, f.ConcludeForm, "Kết luận", lambda item, d: _conclude(request, item, d),
                      "Đã ghi kết luận.", members=sel.subject_members)


@login_required
@FORM_METHODS
def recommendation_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_form(request, pk, f.RecommendationForm, "Thêm kiến nghị",
                      lambda item, d: s.add_recommendation(request.user, item, **d), "Đã ghi kiến nghị.")


@login_required
@FORM_METHODS
def recommendation_done(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    rec = sel.recommendation_in_scope(acc, pk)
    if rec is None:
        raise Http404("Không tìm thấy kiến nghị.")
    item = rec.inspection
    require_edit(acc, item.programme.organization)
    return service_form(request, f.DoneForm(request.POST or None),
                        {"title": "Kiến nghị đã thực hiện xong", "intro": rec.content,
                         "org": item.programme.organization, "back": _item_url(item)},
                        lambda d: s.complete_recommendation(request.user, rec, **d), "Đã ghi kết quả thực hiện.",
                        _item_url(item))
