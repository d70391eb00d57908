"""Congress pages of the documents: drafts (numbered versions), comments and their answers, the
synthesis of comments."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from dangvu.accounts.audit import log_export
from dangvu.common.signer import SignerForm
from dangvu.common.views import access, require_edit, service_form
from dangvu.core import clock
from dangvu.registry.selectors import document_signers
from dangvu.reports import congress as documents

from .. import forms as f
from .. import selectors as sel
from .. import services as s
from ..models import Draft
from .base import FORM_METHODS, file_response, found


def _draft(acc, pk: int) -> Draft:
    return found(sel.draft(acc, pk), "dự thảo")


@login_required
@FORM_METHODS
def draft_add(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    congress = found(sel.congress(acc, pk), "đại hội")
    require_edit(acc, congress.organization)
    form = f.DraftForm(request.POST or None, request.FILES or None)

    def act(d):
        upload = d.pop("file")
        extra = {"file_name": upload[0], "content": upload[1]} if upload else {}
        return s.add_draft(request.user, congress, **d, **extra)

    return service_form(request, form, {"title": f"Dự thảo văn kiện — {congress}", "org": congress.organization,
                                        "multipart": True},
                        act, "Đã ghi dự thảo.", lambda dr: reverse("congress:draft_detail", args=[dr.pk]),
                        template="congress/form.html")


@login_required
def draft_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    draft = _draft(acc, pk)
    org = draft.congress.organization
    return render(request, "congress/draft_detail.html", {
        "draft": draft, "congress": draft.congress, "org": org,
        "comments": sel.draft_comments(draft), "can_edit": acc.can_edit_org(org),
        "signer_form": SignerForm(signers=document_signers(org, clock.today()))})


@login_required
def draft_file(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    draft = _draft(acc, pk)
    if not draft.content:
        raise Http404("Dự thảo này chưa có tệp.")
    log_export(request.user, draft, draft.file_name, rows=1)
    return file_response(bytes(draft.content), draft.file_name, "application/octet-stream")


@login_required
@FORM_METHODS
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    draft = _draft(acc, pk)
    require_edit(acc, draft.congress.organization)
    form = f.CommentForm(request.POST or None, orgs=acc.orgs().order_by("path")[:1000])
    url = reverse("congress:draft_detail", args=[draft.pk])
    return service_form(request, form, {"title": f"Ghi góp ý — {draft}", "org": draft.congress.organization},
                        lambda d: s.add_comment(request.user, draft, **d), "Đã ghi góp ý.", url)


@login_required
@FORM_METHODS
def comment_answer(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    comment = found(sel.comment(acc, pk), "góp ý")
    org = comment.draft.congress.organization
    require_edit(acc, org)
    form = f.AnswerForm(request.POST or None, initial={"state": comment.state, "response": comment.response})
    url = reverse("congress:draft_detail", args=[comment.draft_id])
    return service_form(request, form, {"title": "Tiếp thu, giải trình góp ý", "org": org,
                                        "intro": f"{comment.source}: {comment.text}"},
                        lambda d: s.answer_comment(request.user, comment, **d), "Đã lưu.", url,
                        template="congress/form.html")


@login_required
def comments_docx(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    congress = found(sel.congress(acc, pk), "đại hội")
    name = f"tong-hop-gop-y-{congress.organization.code}-{congress.term}.docx"
    log_export(request.user, congress, name, rows=sel.comment_count(congress))
    signer = SignerForm(request.GET, signers=document_signers(congress.organization, clock.today())).post_id
    return file_response(documents.comments_docx(congress, signer_post=signer), name, documents.DOCX_MIME)
