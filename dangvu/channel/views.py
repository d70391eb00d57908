"""The member home (/cua-toi/) and the notices (/thong-bao/): phone first.

A member reaches only their own record through their member role; the notice pages for senders go
through the user's Access (outside the subtree → 404, read-only → 403 on writes).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from dangvu.common import ServiceError
from dangvu.common.views import access, require_edit, service_form
from dangvu.core import clock
from dangvu.core.fees import MONTH_STATE_LABELS, MonthState
from dangvu.evaluation import forms as ef
from dangvu.evaluation import services as es
from dangvu.fees import selectors as fees_sel
from dangvu.registry.models import CELL_KINDS

from . import forms as f
from . import selectors as sel
from . import services as s
from . import services_mail as mail
from .feeds import calendar_bytes
from .models import ReplyAnswer

FORM_METHODS = require_http_methods(["GET", "POST"])
FEE_MONTHS = 12
ATTENDANCE_YEARS = 3


def _member_or_404(request: HttpRequest):
    member = sel.own_member(access(request))
    if member is None:
        raise Http404("Tài khoản này không gắn với hồ sơ đảng viên.")
    return member


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The member's own page: next meeting with the reply, documents to study, notices, records."""
    member = _member_or_404(request)
    today = clock.today()
    invitation = sel.next_invitation(member, today)
    notices = list(sel.notices_for(member)[:10])
    read = sel.read_notice_ids(member, notices)
    documents = sel.study_documents(member, today)
    acked = sel.acked_session_ids(member)
    fee_months = fees_sel.member_months(member, today, FEE_MONTHS)
    return render(request, "channel/home.html", {
        "title": "Trang của tôi", "member": member, "cell": sel.cell_of(member), "today": today,
        "invitation": invitation, "reply": sel.reply_of(invitation, member) if invitation else None,
        "reply_form": f.ReplyForm(), "answers": ReplyAnswer,
        "notices": [(n, n.pk in read) for n in notices],
        "documents": [(d, d.pk in acked) for d in documents],
        "attendance": sel.attendance_by_year(member, ATTENDANCE_YEARS, today),
        "fees": [(m, MONTH_STATE_LABELS[m.state]) for m in fee_months[:6]],
        "fees_unpaid": sum(m.state in (MonthState.UNPAID, MonthState.PARTIAL) for m in fee_months),
        "grades": sel.grades_by_year(member), "self_steps": sel.open_self_assessments(member),
        **sel.yearly_records(member, today.year),
    })


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request)
    notice = sel.notice_for_member(member, pk)
    if notice is None or not notice.is_invitation:
        raise Http404("Không có giấy mời này.")
    form = f.ReplyForm(request.POST)
    if form.is_valid():
        try:
            s.reply_to_invitation(request.user, member, notice, form.cleaned_data["answer"],
                                  form.cleaned_data.get("reason", ""))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Đã gửi trả lời tới bí thư chi bộ.")
    else:
        messages.error(request, "Hãy chọn «Tôi sẽ dự» hoặc «Tôi không dự được».")
    return redirect(reverse("channel:home") + "#hop")


@login_required
@require_POST
def study_ack(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request)
    session = sel.study_session_for(member, pk)
    if session is None:
        raise Http404("Không có tài liệu này.")
    s.acknowledge_study(request.user, member, session)
    messages.success(request, f"Đã ghi: đồng chí đã nghiên cứu «{session.document_title}».")
    return redirect(reverse("channel:home") + "#hoc-tap")


@login_required
def cell(request: HttpRequest) -> HttpResponse:
    """The member's cell: names and posts only (no other record of another member)."""
    member = _member_or_404(request)
    return render(request, "channel/cell.html", {"title": "Chi bộ của tôi", "cell": sel.cell_of(member),
                                                 "rows": sel.cell_roster(member, clock.today())})


@login_required
@FORM_METHODS
def email(request: HttpRequest) -> HttpResponse:
    member = _member_or_404(request)
    form = f.EmailForm(request.POST or None, initial={"email": sel.email_of(member)})
    return service_form(request, form, {"title": "Thư điện tử nhận nhắc việc", "back": reverse("channel:home"),
                                        "intro": "Chỉ đồng chí và hệ thống thấy địa chỉ này; dùng để gửi giấy mời "
                                                 "và thông báo."},
                        lambda d: s.set_email(request.user, member, d.get("email", "")),
                        "Đã lưu địa chỉ thư điện tử.", reverse("channel:home"))


@login_required
@FORM_METHODS
def self_assess(request: HttpRequest, pk: int) -> HttpResponse:
    """The self step of the member's own evaluation sheet (through the evaluation services)."""
    member = _member_or_404(request)
    ev = sel.own_evaluation(member, pk)
    if ev is None:
        raise Http404("Không có phiếu đánh giá này.")
    if not ev.round.is_open or ev.proposed_grade:
        raise PermissionDenied("Phiếu tự đánh giá không sửa được nữa.")
    initial = {f"c_{k}": v for k, v in (ev.self_points or {}).items()}
    initial |= {k: getattr(ev, k) for k in ("self_grade", "tasks_on_time_pct", "tasks_exceeding_pct",
                                             "targets_met_pct")}
    form = ef.SelfAssessmentForm(request.POST or None, criteria=ev.round.criteria(), initial=initial)

    def act(d):
        return es.self_assess(request.user, ev, form.points(), d["self_grade"],
                              tasks_on_time_pct=d.get("tasks_on_time_pct"),
                              tasks_exceeding_pct=d.get("tasks_exceeding_pct"),
                              targets_met_pct=d.get("targets_met_pct"))

    return service_form(request, form, {"title": f"Phiếu tự đánh giá — {ev.round.title}",
                                        "back": reverse("channel:home")},
                        act, "Đã ghi phiếu tự đánh giá. Chi bộ sẽ nhận xét và đề xuất xếp loại.",
                        reverse("channel:home"))


# -- calendar feeds -----------------------------------------------------------------------------------


@login_required
@FORM_METHODS
def feeds(request: HttpRequest) -> HttpResponse:
    """The user's calendar feeds: make one (its address is shown once), revoke one."""
    acc = access(request)
    member = sel.own_member(acc)
    if member is None:
        raise Http404("Tài khoản này không gắn với hồ sơ đảng viên.")
    new_url = None
    form = f.FeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data["scope"]
        try:
            _token, key = (s.issue_feed_token(request.user, member=member) if scope == "member"
                           else s.issue_feed_token(request.user, cell=sel.cell_of(member)))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            new_url = request.build_absolute_uri(reverse("channel:feed", args=[key]))
    return render(request, "channel/feeds.html", {"title": "Lịch họp trên điện thoại", "form": form,
                                                  "tokens": sel.feed_tokens(request.user), "new_url": new_url})


@login_required
@require_POST
def feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = sel.feed_token_of(request.user, pk)
    if token is None:
        raise Http404("Không có khóa lịch này.")
    try:
        s.revoke_feed_token(request.user, token)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã thu hồi: địa chỉ lịch đó không dùng được nữa.")
    return redirect("channel:feeds")


def feed(request: HttpRequest, key: str) -> HttpResponse:
    """The .ics feed: the token is the only credential (a calendar app cannot log in)."""
    token = sel.FeedToken.lookup(key)
    if token is None:
        raise Http404("Không có lịch này.")
    name = "Lịch họp của tôi" if token.member_id else f"Lịch họp {token.organization.name}"
    response = HttpResponse(calendar_bytes(name, sel.feed_events(token, clock.today())),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="lich-hop.ics"'
    return response


# -- notices ------------------------------------------------------------------------------------------


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    """A member: the notices to them; a sender: the notices posted in their scope, and where to post."""
    acc = access(request)
    member = sel.own_member(acc)
    sent = list(sel.notices_in_scope(acc)[:50]) if acc.sees_registry else []
    mine = list(sel.notices_for(member)[:50]) if member else []
    read = sel.read_notice_ids(member, mine) if member else set()
    targets = list(acc.editable_orgs().order_by("path")[:30]) if acc.can_edit_anything else []
    return render(request, "channel/notice_list.html", {
        "title": "Thông báo", "sent": sent, "mine": [(n, n.pk in read) for n in mine], "targets": targets,
        "cell_kinds": CELL_KINDS})


def _notice_for(request: HttpRequest, pk: int):
    """The notice as its reader (a member it was sent to) or as a sender (in the read scope)."""
    acc = access(request)
    member = sel.own_member(acc)
    if member is not None and (notice := sel.notice_for_member(member, pk)) is not None:
        return acc, member, notice
    notice = sel.notice_in_scope(acc, pk) if acc.sees_registry else None
    if notice is None:
        raise Http404("Không có thông báo này.")
    return acc, None, notice


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc, member, notice = _notice_for(request, pk)
    if member is not None:
        s.mark_read(request.user, member, notice)
    sender = acc.can_read_org(notice.organization) and acc.sees_registry
    return render(request, "channel/notice_detail.html", {
        "title": notice.title, "notice": notice, "member": member,
        "receipts": sel.receipts(notice) if sender else None, "can_edit": acc.can_edit_org(notice.organization),
        "reply": sel.reply_of(notice, member) if member and notice.is_invitation else None})


@login_required
@FORM_METHODS
def notice_create(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    form = f.NoticeForm(request.POST or None)
    if not settings.DANGVU_EMAIL_ENABLED:  # nothing would leave: say so instead of offering it
        del form.fields["email"]

    def act(d):
        return s.post_notice(request.user, org, title=d["title"], body=d.get("body", ""), kind=d["kind"],
                             meets_on=d.get("meets_on"), starts_at=d.get("starts_at"), place=d.get("place", ""),
                             topic=d.get("topic", ""), materials=d.get("materials", ""), email=d.get("email", False))

    return service_form(request, form, {"title": f"Gửi thông báo tới {org.name}", "org": org, "submit": "Gửi"},
                        act, "Đã gửi thông báo.", lambda n: reverse("channel:notice_detail", args=[n.pk]))


@login_required
@require_POST
def invite_from_meeting(request: HttpRequest, code: str) -> HttpResponse:
    """The monthly invitation in one tap, from the cell's last meeting."""
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    try:
        notice = s.invite_from_last_meeting(request.user, org)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("channel:notice_list")
    messages.success(request, f"Đã gửi giấy mời họp ngày {notice.meets_on:%d/%m/%Y}.")
    return redirect("channel:notice_detail", pk=notice.pk)


@login_required
@require_POST
def mail_retry(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    notice = sel.notice_in_scope(acc, pk) if acc.sees_registry else None
    if notice is None:
        raise Http404("Không có thông báo này.")
    require_edit(acc, notice.organization)
    try:
        n = mail.retry_failed(request.user, notice)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã xếp {n} thư vào hàng gửi lại.")
    return redirect("channel:notice_detail", pk=notice.pk)
