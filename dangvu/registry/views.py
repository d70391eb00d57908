"""Registry pages: organization tree and page, member list and page, lifecycle forms.

Every lookup goes through the user's :class:`~dangvu.accounts.access.Access`: an object outside
the subtree answers 404, a read-only role on an edit form answers 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dangvu import indicators
from dangvu.accounts.audit import log_read
from dangvu.common.member_search import offer_members
from dangvu.common.views import access, require_edit, service_form
from dangvu.core import clock
from dangvu.core.text import fold
from dangvu.reports.fees import report_periods

from . import forms as f
from . import selectors as sel
from . import services as s
from .indicators import count_members_by_org
from .models import ACTIVE_STATUSES, CELL_KINDS, Member, MemberStatus, Organization
from .views_events import MEMBER_EVENTS, member_actions, member_event  # noqa: F401  (urls, tests)
from .views_special import special_context

PAGE_SIZE = 50
FORM_METHODS = require_http_methods(["GET", "POST"])


def _period() -> indicators.Period:
    return indicators.Period.year(clock.today().year)


def _org_url(org: Organization) -> str:
    return reverse("registry:org_detail", args=[org.code])


def _member_url(member: Member) -> str:
    return reverse("registry:member_detail", args=[member.pk])


# -- organizations ------------------------------------------------------------------------

TREE_TOP_PARAM = "tu"  # ?tu=<code>: the tree page rooted at that organization


@login_required
def org_tree(request: HttpRequest) -> HttpResponse:
    acc = access(request)
    code = request.GET.get(TREE_TOP_PARAM)
    top = acc.get_org(code) if code else None  # 404 outside the user's scope
    orgs = sel.org_tree(acc, top)
    if not orgs:
        raise Http404("Bạn chưa được phân quyền xem tổ chức nào.")
    counts = count_members_by_org(orgs)
    # Nest by materialized path: one query, no recursion in SQL. A node whose children lie below
    # the levels shown keeps its number of children (treebeard's numchild) for the link that opens them.
    nodes = {o.path: {"org": o, "count": counts.get(o.pk, 0), "children": []} for o in orgs}
    roots = []
    for o in orgs:
        parent = nodes.get(o.path[: -Organization.steplen])
        (parent["children"] if parent else roots).append(nodes[o.path])
    for node in nodes.values():
        node["hidden"] = node["org"].numchild if not node["children"] else 0
    return render(request, "registry/org_tree.html", {"roots": roots, "top": top, "param": TREE_TOP_PARAM})


@login_required
def org_detail(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    page = sel.org_page(acc, org)
    child_counts = count_members_by_org(page["children"])
    by_status = indicators.compute("members.by_status", org, _period())
    ctx = {
        **page,
        "org": org,
        "children": [(c, child_counts.get(c.pk, 0)) for c in page["children"]],
        "by_status": [(MemberStatus(k).label, k, v) for k, v in by_status.breakdown.items() if v],
        "active_total": by_status.value,
        "can_edit": acc.can_edit_org(org),
        "may_read_letters": acc.may_read_letters(org),
        "is_cell": org.kind in sel.MEMBER_ORG_KINDS,
        "this_month": clock.today() if org.kind in CELL_KINDS else None,  # the fee book's link
        "fee_periods": report_periods(clock.today()),  # the fee report's download form (office roles)
    }
    if ctx["is_cell"]:  # the roll says who is temporarily exempt, away or abroad today
        ctx["members"] = list(page["members"])
        specials = sel.special_statuses_on([m.pk for m in ctx["members"]], clock.today())
        for m in ctx["members"]:
            m.special_now = specials.get(m.pk)
    return render(request, "registry/org_detail.html", ctx)


@login_required
@FORM_METHODS
def org_create(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    parent = acc.get_org(code)
    require_edit(acc, parent)
    form = f.OrganizationForm(request.POST or None)
    return service_form(request, form, {"title": f"Thêm tổ chức trực thuộc {parent.name}", "org": parent},
                        lambda d: s.create_organization(request.user, parent, **d), "Đã thêm tổ chức.", _org_url)


@login_required
@FORM_METHODS
def org_edit(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    initial = {k: getattr(org, k) for k in ("name", "kind", "sector", "established_on", "address", "version")}
    form = f.OrganizationEditForm(request.POST or None, initial=initial)
    return service_form(request, form, {"title": f"Sửa thông tin {org.name}", "org": org},
                        lambda d: s.update_organization(request.user, org, **d), "Đã lưu.", _org_url)


@login_required
@FORM_METHODS
def working_rules_add(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    form = f.WorkingRulesForm(request.POST or None)
    return service_form(request, form, {"title": f"Quy chế làm việc — {org.name}", "org": org},
                        lambda d: s.record_working_rules(request.user, org, **d), "Đã ghi quy chế làm việc.",
                        _org_url(org))


@login_required
@FORM_METHODS
def post_add(request: HttpRequest, code: str) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    candidates = sel.post_candidates(acc, org)
    form = f.PostForm(request.POST or None, members=candidates)
    search = offer_members(request, form, ["member"], candidates, org)
    return service_form(request, form, {"title": f"Thêm chức vụ — {org.name}", "org": org, "search": search},
                        lambda d: s.add_post(request.user, org, **d), "Đã ghi chức vụ.", _org_url(org))


@login_required
@FORM_METHODS
def post_end(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    post = sel.post_in_scope(acc, pk)
    if post is None:
        raise Http404("Không tìm thấy chức vụ.")
    require_edit(acc, post.organization)
    form = f.EndPostForm(request.POST or None)
    title = f"Thôi giữ chức {post.get_role_display().lower()} — {post.member.full_name}"
    return service_form(request, form, {"title": title, "org": post.organization},
                        lambda d: s.end_post(request.user, post, d["ended_on"]), "Đã ghi.",
                        _org_url(post.organization))


@login_required
@FORM_METHODS
def locality_edit(request: HttpRequest, code: str, pk: int | None = None) -> HttpResponse:
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    locality = None
    initial = {}
    if pk is not None:
        locality = sel.locality_of(org, pk)
        if locality is None:
            raise Http404("Không tìm thấy địa bàn.")
        initial = {k: getattr(locality, k) for k in ("name", "kind", "head_member", "head_name",
                                                     "front_head_member", "front_head_name", "households",
                                                     "version")}
    form_class = f.LocalityForm if locality is None else f.LocalityEditForm
    form = form_class(request.POST or None, members=sel.active_members_of(org), initial=initial)
    return service_form(request, form, {"title": f"Thôn, bản, tổ dân phố — {org.name}", "org": org},
                        lambda d: s.save_locality(request.user, org, locality, **d), "Đã lưu địa bàn.",
                        _org_url(org))


# -- members ------------------------------------------------------------------------------

def search_members(acc, params) -> tuple:
    """The member list of the user's scope filtered by ``q``/``org``/``status`` (shared by export)."""
    form = f.MemberSearchForm(params)
    if not form.is_valid():
        return form, sel.search_members(acc), None
    d = form.cleaned_data
    scope = acc.get_org(d["org"]) if d.get("org") else None
    status = d.get("status")
    statuses = None if status == "all" else (status,) if status else ACTIVE_STATUSES
    qs = sel.search_members(acc, scope=scope, words=fold(d.get("q") or "").split(), statuses=statuses)
    return form, qs, scope


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    acc = access(request)
    if not acc.sees_registry and not acc.own_member_ids:
        raise Http404("Bạn chưa được phân quyền xem đảng viên.")
    form, qs, scope = search_members(acc, request.GET)
    page_number = form.cleaned_data.get("page") if form.is_valid() else 1
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(page_number or 1)
    query = request.GET.copy()
    query.pop("page", None)
    group_query = query.copy()  # a group's link: the same search within one organization
    group_query.pop("org", None)
    groups = sel.counts_by_organization(qs) if acc.sees_registry else []
    specials = sel.special_statuses_on([m.pk for m in page], clock.today())
    for m in page:  # the roll says who is temporarily exempt, away or abroad today
        m.special_now = specials.get(m.pk)
    from .views_excel import may_export_identity  # (views_excel imports this module)

    return render(request, "registry/member_list.html", {
        "form": form, "page": page, "scope": scope, "query": query.urlencode(),
        "identity_export": may_export_identity(request.user, acc, scope),
        "total": paginator.count, "orgs": sel.org_choices(acc),
        "statuses": form.fields["status"].choices,
        "groups": groups if len(groups) > 1 else [], "group_query": group_query.urlencode(),
    })


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    member = acc.get_member(pk)
    log_read(request.user, member, "member_record")
    can_edit = acc.can_edit_member(member)
    routine, rare = member_actions(member) if can_edit else ([], [])
    return render(request, "registry/member_detail.html", {
        "member": member,
        **sel.member_record(member),
        "can_edit": can_edit,
        "events": routine,
        "rare_events": rare,
        **special_context(member, can_edit),
    })


@login_required
@FORM_METHODS
def member_add(request: HttpRequest, code: str, mode: str) -> HttpResponse:
    """``mode`` "ket-nap": admit a new probationary member; "ho-so": enter an existing record."""
    acc = access(request)
    org = acc.get_org(code)
    require_edit(acc, org)
    if mode == "ket-nap":
        form = f.AdmitForm(request.POST or None)
        title = f"Kết nạp đảng viên — {org.name}"

        def act(d):
            return s.admit_member(request.user, org, d, d["admitted_on"], d.get("decision_number", ""))
    elif mode == "ho-so":
        form = f.RegisterForm(request.POST or None)
        title = f"Nhập hồ sơ đảng viên — {org.name}"

        def act(d):
            return s.register_member(request.user, org, d)
    else:
        raise Http404("Không có biểu mẫu này.")

    return service_form(request, form, {"title": title, "org": org}, act, "Đã lưu hồ sơ đảng viên.", _member_url)


@login_required
@FORM_METHODS
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    member = acc.get_member(pk)
    require_edit(acc, member.organization)
    initial = {k: getattr(member, k) for k in s.MEMBER_FIELDS} | {"version": member.version}
    form = f.MemberEditForm(request.POST or None, initial=initial)
    return service_form(request, form, {"title": f"Sửa hồ sơ — {member.full_name}", "member": member},
                        lambda d: s.update_member(request.user, member, **d), "Đã lưu hồ sơ.",
                        _member_url(member))


@login_required
@FORM_METHODS
def member_record(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Yearly and training records: đào tạo, phân công nhiệm vụ, cam kết, nhận xét nơi cư trú."""
    acc = access(request)
    member = acc.get_member(pk)
    require_edit(acc, member.organization)
    user, data = request.user, request.POST or None
    year = clock.today().year
    if kind == "dao-tao":
        form, title = f.TrainingForm(data), "Thêm đào tạo, bồi dưỡng"

        def act(d):
            return s.add_training(user, member, **d)
    elif kind == "phan-cong":
        form, title = f.YearlyForm(data, initial={"year": year}), "Phân công nhiệm vụ"

        def act(d):
            return s.add_assignment(user, member, d["year"], d["content"], d["on"])
    elif kind == "cam-ket":
        form, title = f.YearlyForm(data, initial={"year": year}), "Cam kết tu dưỡng, rèn luyện"

        def act(d):
            return s.add_commitment(user, member, d["year"], d["content"], d["on"])
    elif kind == "noi-cu-tru":
        form = f.ResidenceLinkForm(data, residence_orgs=sel.cells(acc), initial={"year": year})
        title = "Nhận xét của nơi cư trú"

        def act(d):
            return s.add_residence_link(user, member, d["year"], d["rating"], d["received_on"],
                                        d["residence_org"], d["feedback"])
    else:
        raise Http404("Không có loại hồ sơ này.")
    return service_form(request, form, {"title": f"{title} — {member.full_name}", "member": member}, act,
                        "Đã lưu.", _member_url(member))


# -- transfers ------------------------------------------------------------------------------

@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    acc = access(request)
    if not acc.sees_registry:
        raise Http404("Bạn chưa được phân quyền.")
    return render(request, "registry/transfer_list.html", sel.transfer_lists(acc))


@login_required
@FORM_METHODS
def transfer_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Receiving side confirms; sending side cancels a pending letter or ends a temporary stay."""
    acc = access(request)
    transfer = sel.transfer_in_scope(acc, pk)
    if transfer is None:
        raise Http404("Không tìm thấy giấy chuyển sinh hoạt.")
    if action == "tiep-nhan":
        side, title = transfer.to_org, f"Tiếp nhận sinh hoạt đảng — {transfer.member.full_name}"
    elif action in ("tro-ve", "huy"):
        side = transfer.from_org
        title = (f"Kết thúc chuyển tạm thời — {transfer.member.full_name}" if action == "tro-ve"
                 else f"Hủy giấy chuyển — {transfer.member.full_name}")
    else:
        raise Http404("Không có thao tác này.")
    if not acc.can_read_org(side):
        raise Http404("Không tìm thấy giấy chuyển sinh hoạt.")
    require_edit(acc, side)
    cells = None
    if action == "tiep-nhan" and not transfer.to_org.is_cell:
        # A letter to a grassroots committee: the committee names the cell the member joins.
        cells = sel.receiving_cells(acc, transfer.to_org)
    form = f.ConfirmForm(request.POST or None, cells=cells, initial={"on": clock.today()})
    acts = {
        "tiep-nhan": lambda d: s.confirm_transfer(request.user, transfer, d["on"], d.get("cell")),
        "tro-ve": lambda d: s.end_temporary_transfer(request.user, transfer, d["on"]),
        "huy": lambda d: s.cancel_transfer(request.user, transfer),
    }
    return service_form(request, form, {"title": title, "transfer": transfer}, acts[action], "Đã ghi.",
                        reverse("registry:transfer_list"))
