"""Congress pages that change or remove what was entered for an election: the list and the
counting board, one number of a team's totals, a ballot, a team's totals. Every removal asks
first: a GET shows what will be removed, only the POST of that page removes it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dangvu.common import Code, ServiceError
from dangvu.common.versions import OLD_PAGE, read_version
from dangvu.common.views import access, require_edit, service_form

from .. import forms as f
from .. import selectors as sel
from .. import services as s
from ..models import CountingTeam
from .base import FORM_METHODS, election_url, found

FIGURE_LABELS = {"valid": "Số phiếu hợp lệ", "invalid": "Số phiếu không hợp lệ"}


def _team(request: HttpRequest, pk: int) -> CountingTeam:
    acc = access(request)
    team = found(sel.team(acc, pk), "tổ kiểm phiếu")
    require_edit(acc, team.election.congress.organization)
    return team


def _confirm(request: HttpRequest, page: dict, *, status: int = 200) -> HttpResponse:
    """The page that says what will be removed (``page``: title, lines, button, back, org, hidden);
    only its button, posting ``confirm=1``, removes."""
    return render(request, "congress/confirm_remove.html", {**page, "hidden": sorted(page["hidden"].items())},
                  status=status)


def _posted_version(request: HttpRequest) -> int:
    if request.POST.get("confirm") != "1":
        raise ServiceError("Hãy bấm nút xóa trên trang này để xác nhận.", Code.REQUIRED, field="confirm")
    version = read_version(request.POST.get("version"))
    if version is None:
        raise ServiceError(OLD_PAGE, Code.STALE)
    return version


def _removal(request: HttpRequest, team: CountingTeam, page: dict, action, done: str) -> HttpResponse:
    """POST of a confirmation page: remove and go back to the team's page; a refusal shows the
    same page again with the reason (nothing removed)."""
    try:
        action(_posted_version(request))
    except ServiceError as exc:
        messages.error(request, str(exc))
        return _confirm(request, page, status=400)
    messages.success(request, done)
    return redirect("congress:team_entry", pk=team.pk)


@login_required
@FORM_METHODS
def ballot_delete(request: HttpRequest, pk: int, ballot: int) -> HttpResponse:
    team = _team(request, pk)
    record = sel.team_ballot(team, ballot)
    if record is None:
        raise Http404("Không tìm thấy phiếu.")
    names = sel.candidate_names(team.election)
    kept = [n for k, n in zip(record.kept, names, strict=False) if k]
    struck = [n for k, n in zip(record.kept, names, strict=False) if not k]
    page = {"title": f"Xóa phiếu số {record.number} của {team.name}?", "org": team.election.congress.organization,
            "lines": [f"Phiếu số {record.number} của {team.name} sẽ bị xóa khỏi các phiếu đã nhập.",
                      f"Tên giữ lại: {', '.join(kept) or 'không có'}; tên bị gạch: {', '.join(struck) or 'không có'}.",
                      "Số liệu của tổ sẽ được tính lại; muốn sửa phiếu thì nhập lại phiếu đúng sau khi xóa."],
            "button": f"Xóa phiếu số {record.number}", "back": _entry_url(team), "hidden": {"version": team.version}}
    if request.method == "POST":
        return _removal(request, team, page, lambda v: s.delete_ballot(request.user, record, v),
                        f"Đã xóa phiếu số {record.number}.")
    return _confirm(request, page)


@login_required
@FORM_METHODS
def totals_clear(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    if team.totals is None:
        messages.error(request, "Tổ này chưa nhập số tổng hợp.")
        return redirect("congress:team_entry", pk=team.pk)
    t = team.totals
    page = {"title": f"Xóa số tổng hợp của {team.name}?", "org": team.election.congress.organization,
            "lines": [f"Toàn bộ số tổng hợp của {team.name} sẽ bị xóa: {t.get('ballots')} phiếu thu về, "
                      f"{t.get('valid')} hợp lệ, {t.get('invalid')} không hợp lệ và số phiếu của từng người.",
                      "Muốn sửa một số sai, hãy dùng “Sửa” ở từng ô trên trang bầu cử thay vì xóa hết."],
            "button": f"Xóa số tổng hợp của {team.name}", "back": _entry_url(team), "hidden": {"version": team.version}}
    if request.method == "POST":
        return _removal(request, team, page, lambda v: s.set_team_totals(request.user, team, None, v),
                        "Đã xóa số tổng hợp của tổ.")
    return _confirm(request, page)


def _entry_url(team: CountingTeam) -> str:
    return reverse("congress:team_entry", args=[team.pk])


@login_required
@FORM_METHODS
def total_correct(request: HttpRequest, pk: int, item: str) -> HttpResponse:
    """One number of a team's totals: ``item`` valid, invalid or c<i> (the i-th name on the ballot)."""
    team = _team(request, pk)
    election = team.election
    if team.totals is None:
        raise Http404("Tổ này không nhập số tổng hợp.")
    names = sel.candidate_names(election)
    key = item
    if key in FIGURE_LABELS:
        item, label = key, FIGURE_LABELS[key]
    elif key.startswith("c") and key[1:].isdigit() and int(key[1:]) < len(names):
        item = names[int(key[1:])]
        label = f"Số phiếu của {item}"
    else:
        raise Http404("Không có mục này.")
    form = f.TotalCorrectionForm(request.POST or None, initial={"value": team.totals.get(item),
                                                                "version": team.version})
    form.fields["value"].label = f"{label} ({team.name})"
    return service_form(request, form, {
        "title": f"Sửa số liệu của {team.name} — {election.title}", "org": election.congress.organization,
        "intro": f"Đang lưu: {team.totals.get(item)}. Chỉ sửa số này; các số khác của tổ giữ nguyên"
                 + ("; số phiếu thu về = hợp lệ + không hợp lệ." if item in FIGURE_LABELS else "."),
        "submit": "Lưu số đã sửa", "back": election_url(election)},
        lambda d: s.correct_team_total(request.user, team, item, d["value"], d["version"]),
        f"Đã sửa {label.lower()} của {team.name}.", election_url(election), template="congress/form.html")


@login_required
@FORM_METHODS
def election_lists(request: HttpRequest, pk: int) -> HttpResponse:
    """The list, the counting board and the congress's decision; dropping names asks first."""
    acc = access(request)
    election = found(sel.election(acc, pk), "cuộc bầu cử")
    org = election.congress.organization
    require_edit(acc, org)
    before = sel.candidate_names(election)
    form = f.ElectionListsForm(request.POST or None, initial={
        "candidates": "\n".join(before), "counting_board": election.counting_board,
        "fewer_candidates_allowed": election.fewer_candidates_allowed,
        "fewer_candidates_note": election.fewer_candidates_note})
    if request.method == "POST" and form.is_valid() and not form.cleaned_data["drop_confirmed"]:
        dropped = [n for n in before if n not in s.clean_names(form.cleaned_data["candidates"].splitlines())]
        if dropped:  # asks first: the form comes back saying who would go, until the box is ticked
            form.add_error("drop_confirmed", f"Sẽ bỏ khỏi danh sách bầu cử: {', '.join(dropped)}. Thứ tự trên phiếu "
                                             "được đánh lại. Đánh dấu ô này rồi bấm lưu lần nữa nếu đúng như vậy.")

    def act(d):
        return s.edit_election_lists(request.user, election, candidates=d["candidates"].splitlines(),
                                     counting_board=d["counting_board"],
                                     fewer_candidates_allowed=d["fewer_candidates_allowed"],
                                     fewer_candidates_note=d["fewer_candidates_note"])

    return service_form(request, form, {"title": f"Danh sách bầu cử, Ban kiểm phiếu — {election.title}", "org": org,
                                        "submit": "Lưu danh sách và Ban kiểm phiếu", "back": election_url(election)},
                        act, "Đã lưu danh sách bầu cử và Ban kiểm phiếu.", election_url(election),
                        template="congress/form.html")
