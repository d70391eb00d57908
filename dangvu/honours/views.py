"""Honours pages: the Party badge list of an organization for an occasion (propose, mark serious
illness for the early award, posthumous award, record the decision, the documents) and the
commendations of a member or an organization. Outside the scope → 404; read-only roles see the
lists without the buttons (a POST answers 403)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from dangvu import indicators
from dangvu.accounts.audit import log_export
from dangvu.common import ServiceError
from dangvu.common.forms import MEMBER_CHOICES_SHOWN, parse_id
from dangvu.common.member_search import SEARCH_PARAM, narrow
from dangvu.common.signer import SignerForm
from dangvu.common.views import access, require_edit, service_form
from dangvu.core import clock
from dangvu.core.badges import is_occasion, next_occasion, occasions, occasions_text
from dangvu.core.periods import Period
from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import fold
from dangvu.registry.selectors import document_signers
from dangvu.reports import docx as layout
from dangvu.reports import honours as documents

from . import badge_page
from . import forms as f
from . import selectors as sel
from . import services as s

FORM_METHODS = require_http_methods(["GET", "POST"])
DOCX_MIME = layout.DOCX_MIME


def _occasion(request: HttpRequest) -> dt.date:
    """The occasion of ``?dip=`` (or of the POST), default the next one; a bad date → 404."""
    form = f.OccasionForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        raise Http404("Ngày không hợp lệ.")
    today = clock.today()
    return form.cleaned_data["dip"] or next_occasion(today, ruleset_for(today))


def _page_url(code: str, occasion: dt.date) -> str:
    return f"{reverse('honours:badges', args=[code])}?dip={occasion:%Y-%m-%d}"


@login_required
def badges(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    occasion = _occasion(request)
    rs = ruleset_for(occasion)
    # Each list at most BADGE_ROWS long, whatever the subtree holds; the count is the indicator's.
    lists = badge_page.badge_lists(org, occasion, rs)
    # Who could be proposed early is the cell's knowledge; above a cell it is read when asked for.
    early_asked = org.is_cell or request.GET.get("som") == "1"
    early, more_early = (badge_page.early_possible(org, occasion, rs) if acc.can_edit_org(org) and early_asked
                         else ([], False))
    today = clock.today()
    choices = [d for y in (today.year - 1, today.year, today.year + 1) for d in occasions(y, rs)]
    return render(request, "honours/badges.html", {
        "org": org, "occasion": occasion, "is_occasion": is_occasion(occasion, rs),
        "occasions_text": occasions_text(rs), "choices": choices,
        "living": lists.living, "more_living": lists.more_living, "posthumous": lists.posthumous,
        "more_posthumous": lists.more_posthumous,
        "early": early, "more_early": more_early, "shown_at_most": badge_page.BADGE_ROWS,
        "early_link": acc.can_edit_org(org) and not early_asked,
        "decided": [a for a in sel.proposals(org, occasion) if a.decided_on],
        "pending": sel.pending_proposals(org, occasion).count(),
        "due": lists.due, "can_edit": acc.can_edit_org(org),
        "signer_form": SignerForm(signers=document_signers(org, today)),
        "source": rs.source("badges.years"),
    })


@login_required
@require_POST
def badge_action(request: HttpRequest, code: str) -> HttpResponse:
    """One button of the badge page: propose, propose early (seriously ill), propose all, withdraw."""
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    occasion = _occasion(request)
    action = request.POST.get("action", "")
    target = parse_id(request.POST.get("id"))
    try:
        if action in ("propose", "early"):
            member = acc.get_member(target) if target else None
            if member is None:
                raise Http404("Không tìm thấy đảng viên.")
            s.propose_badge(request.user, member, occasion, seriously_ill=action == "early", org=org)
            messages.success(request, f"Đã đưa {member.full_name} vào danh sách đề nghị.")
        elif action == "all":
            n = s.propose_all(request.user, org, occasion)
            messages.success(request, f"Đã đưa {n} đảng viên vào danh sách đề nghị.")
        elif action == "withdraw":
            award = sel.award_in_scope(acc, target) if target else None
            if award is None or not award.member.organization.path.startswith(org.path):
                raise Http404("Không tìm thấy đề nghị.")
            s.withdraw_proposal(request.user, award)
            messages.success(request, f"Đã rút {award.member.full_name} khỏi danh sách đề nghị.")
        else:
            raise Http404("Không có thao tác này.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(_page_url(org.code, occasion))


@login_required
@FORM_METHODS
def badge_decide(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    occasion = _occasion(request)
    form = f.BadgeDecisionForm(request.POST or None)
    n = sel.pending_proposals(org, occasion).count()
    return service_form(
        request, form,
        {"title": f"Quyết định tặng Huy hiệu Đảng dịp {occasion:%d/%m/%Y}", "org": org,
         "intro": f"{n} đồng chí đang trong danh sách đề nghị.", "submit": "Ghi quyết định",
         "back": _page_url(org.code, occasion)},
        lambda d: s.decide_badges(request.user, org, occasion, d["decided_on"], d["decision_number"]),
        "Đã ghi quyết định tặng Huy hiệu Đảng.", _page_url(org.code, occasion))


def _lines(awards, occasion: dt.date) -> list[documents.BadgeLine]:
    ages = sel.party_ages([a.member for a in awards], occasion)
    return [documents.BadgeLine(
        name=a.member.full_name, birth_year=a.member.birth_date.year, unit=a.member.organization.name,
        admitted_on=a.member.admitted_on, party_age_years=sel.whole_years(ages[a.member.pk]),
        badge=a.badge_years, early=a.early, posthumous=a.posthumous) for a in awards]


@login_required
def badge_document(request: HttpRequest, code: str, kind: str, fmt: str) -> HttpResponse:
    """``de-nghi`` (the pending proposal list) or ``quyet-dinh`` (the decided list), .docx or .xlsx."""
    acc = access(request)
    org = acc.get_org(code)
    occasion = _occasion(request)
    if kind not in ("de-nghi", "quyet-dinh") or fmt not in ("docx", "xlsx"):
        raise Http404("Không có văn bản này.")
    awards = list(sel.pending_proposals(org, occasion) if kind == "de-nghi" else sel.decided_awards(org, occasion))
    if not awards:
        raise Http404("Chưa có ai trong danh sách này.")
    lines = _lines(awards, occasion)
    signer = layout.signer_for(org, clock.today(), SignerForm(request.GET, signers=document_signers(
        org, clock.today())).post_id)
    if kind == "de-nghi":
        content = (documents.proposal_docx(org, occasion, lines, signer) if fmt == "docx"
                   else documents.proposal_xlsx(org, occasion, lines))
    else:
        first = awards[0]
        content = (documents.decision_docx(org, occasion, lines, first.decided_on, first.decision_number, signer)
                   if fmt == "docx" else
                   documents.decision_xlsx(org, occasion, lines, first.decided_on, first.decision_number))
    log_export(request.user, org, f"badges-{kind}.{fmt}", rows=len(lines), occasion=str(occasion))
    response = HttpResponse(content, content_type=DOCX_MIME if fmt == "docx" else documents.XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="huy-hieu-{kind}-{org.code}-{occasion:%Y-%m-%d}.{fmt}"'
    return response


# -- commendations ---------------------------------------------------------------------------------

@login_required
def member_commendations(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    member = acc.get_member(pk)
    return render(request, "honours/commendations.html", {
        "member": member, "subject": member.full_name, "rows": sel.member_commendations(member),
        "badges": sel.member_badges(member), "can_edit": acc.can_edit_member(member),
        "add_url": reverse("honours:member_commendation_add", args=[member.pk])})


@login_required
@FORM_METHODS
def member_commendation_add(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    member = acc.get_member(pk)
    require_edit(acc, member.organization)
    url = reverse("honours:member_commendations", args=[member.pk])
    return service_form(request, f.CommendationForm(request.POST or None),
                        {"title": f"Ghi khen thưởng — {member.full_name}", "member": member, "back": url},
                        lambda d: s.add_commendation(request.user, member=member, **d), "Đã ghi khen thưởng.", url)


@login_required
def org_commendations(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    return render(request, "honours/commendations.html", {
        "org": org, "subject": org.name, "rows": sel.org_commendations(org), "can_edit": acc.can_edit_org(org),
        "add_url": reverse("honours:org_commendation_add", args=[org.code])})


@login_required
@FORM_METHODS
def org_commendation_add(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    url = reverse("honours:org_commendations", args=[org.code])
    return service_form(request, f.CommendationForm(request.POST or None),
                        {"title": f"Ghi khen thưởng — {org.name}", "org": org, "back": url},
                        lambda d: s.add_commendation(request.user, organization=org, **d), "Đã ghi khen thưởng.", url)


# -- exemplary members -----------------------------------------------------------------------------

@login_required
@FORM_METHODS
def exemplary(request: HttpRequest, code: str) -> HttpResponse:
    """The committee's exemplary members of a year: read by every role of the subtree; editors tick
    the members and save (the whole list of the year at once)."""
    acc = access(request)
    org = acc.get_org(code)
    form = f.ExemplaryYearForm(request.GET)
    today = clock.today()
    year = (form.cleaned_data.get("nam") if form.is_valid() else None) or today.year
    can_edit = acc.can_edit_org(org)
    url = f"{reverse('honours:exemplary', args=[org.code])}?nam={year}"
    if request.method == "POST":
        require_edit(acc, org)
        ids = [i for i in (parse_id(x) for x in request.POST.getlist("member")) if i is not None]
        try:
            review = s.record_exemplary(request.user, org, year, ids)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Đã ghi {review.entries.count()} đảng viên tiêu biểu năm {year}.")
        return redirect(url)
    review = sel.exemplary_review(org, year)
    named = sel.exemplary_member_ids(org, year)
    search = None
    candidates: list = []
    if can_edit:
        # Never the whole subtree (a province holds 150,000 members): the members already named (so
        # saving the list keeps them unless unticked), then the organization's own members or the
        # few a search finds.
        query = (request.GET.get(SEARCH_PARAM) or "")[:60]
        pool = sel.exemplary_candidates(org)
        candidates, more = narrow(pool, sel.own_members(pool, org), fold(query).split(), MEMBER_CHOICES_SHOWN,
                                  keep=named)
        candidates.sort(key=lambda mm: (mm.pk not in named, mm.name_folded, mm.pk))
        search = {"param": SEARCH_PARAM, "query": query, "more": more, "limit": MEMBER_CHOICES_SHOWN}
    share = indicators.compute("members.exemplary_share", org, Period.year(year))
    return render(request, "honours/exemplary.html", {
        "org": org, "year": year, "years": list(range(today.year, today.year - 5, -1)), "review": review,
        "named": ([mm for mm in candidates if mm.pk in named] if can_edit
                  else sel.exemplary_named(org, year)),
        "candidates": candidates, "named_ids": named, "can_edit": can_edit, "share": share, "search": search})
