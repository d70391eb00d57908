"""Congress pages of the elections: the election and its base, counting teams entering ballots
(grid, CSV) or totals, the official count and recount, the result and its minutes."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dangvu.accounts.audit import log_export
from dangvu.common import Code, ServiceError
from dangvu.common.member_search import offer_members
from dangvu.common.version_forms import show_stale
from dangvu.common.versions import OLD_PAGE, StaleEdit, read_version
from dangvu.common.views import access, add_service_error, require_edit, service_form
from dangvu.core.rulesets import ruleset_for
from dangvu.reports import congress as documents

from .. import forms as f
from .. import selectors as sel
from .. import services as s
from ..models import CountingTeam, Election, Tally
from .base import FORM_METHODS, election_url, file_response, found


def _election(acc, pk: int) -> Election:
    return found(sel.election(acc, pk), "cuộc bầu cử")


@login_required
@FORM_METHODS
def election_add(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    congress = found(sel.congress(acc, pk), "đại hội")
    require_edit(acc, congress.organization)
    form = f.ElectionForm(request.POST or None, initial={"base_kind": congress.kind, "held_on": congress.starts_on})

    def act(d):
        names = d.pop("candidates").splitlines()
        return s.create_election(request.user, congress, **d, candidates=names)

    return service_form(request, form, {"title": f"Bầu cử — {congress}", "org": congress.organization,
                                          "submit": "Tạo cuộc bầu cử"},
                        act, "Đã tạo cuộc bầu cử.", election_url)


@login_required
def election_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    election = _election(acc, pk)
    org = election.congress.organization
    figures, discrepancies = sel.compare_teams(election)
    names = sel.candidate_names(election)
    surplus_max = ruleset_for(election.held_on)["election.surplus_max_share"]
    can_edit = acc.can_edit_org(org)
    return render(request, "congress/election_detail.html", {
        "election": election, "congress": election.congress, "org": org, "can_edit": can_edit,
        "candidates": election.candidates.all(), "teams": election.teams.all(),
        "figures": figures, "discrepancies": discrepancies, "breakdown": sel.base_breakdown(election),
        "adjustments": sel.adjustments(election),
        "rows": _comparison_rows(election, figures, discrepancies, names, can_edit and not sel.is_counted(election)),
        "tallies": election.tallies.all(),
        "surplus_warning": len(names) - election.seats > surplus_max * election.seats,
        "surplus_max": surplus_max,
    })


ROW_LABELS = {"ballots": "Số phiếu thu về", "valid": "Số phiếu hợp lệ", "invalid": "Số phiếu không hợp lệ"}


def _comparison_rows(election: Election, figures: dict, discrepancies: list, names: list[str],
                     can_correct: bool) -> list[tuple[str, bool, list[tuple[object, bool, str]]]]:
    """(label, teams disagree, [(value, disagree, correction link)]) per item: the cells of an item
    the teams disagree on are marked; a team that entered totals gets a link to correct that one
    number ("ballots" follows from valid + invalid)."""
    apart = {d.item for d in discrepancies}
    totals_teams = {t.name: t for t in election.teams.all() if t.totals is not None} if can_correct else {}
    rows = []
    for key in ["ballots", "valid", "invalid", *names]:
        query = key if key in ("valid", "invalid") else (f"c{names.index(key)}" if key in names else "")
        cells = []
        for team_name, team_figures in figures.items():
            team = totals_teams.get(team_name)
            link = reverse("congress:total_correct", args=[team.pk, query]) if team and query else ""
            cells.append((team_figures.get(key), key in apart, link))
        rows.append((ROW_LABELS.get(key, key), key in apart, cells))
    return rows


@login_required
@FORM_METHODS
def election_base(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    election = _election(acc, pk)
    require_edit(acc, election.congress.organization)
    form = f.BaseForm(request.POST or None, initial={"base": election.base, "reason": election.base_reason})
    return service_form(request, form, {"title": f"Cơ sở tính — {election.title}",
                                        "org": election.congress.organization,
                                        "intro": f"Theo dữ liệu: {sel.computed_base(election)}.",
                                        "submit": "Lưu cơ sở tính"},
                        lambda d: s.set_base(request.user, election, d["base"], d["reason"]), "Đã lưu cơ sở tính.",
                        election_url(election), template="congress/form.html")


@login_required
@FORM_METHODS
def adjustment_add(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    election = _election(acc, pk)
    org = election.congress.organization
    require_edit(acc, org)
    candidates = sel.adjustable_members(org)
    form = f.AdjustmentForm(request.POST or None, members=candidates)
    search = offer_members(request, form, ["member"], candidates, org)
    return service_form(request, form, {"title": f"Điều chỉnh cơ sở tính — {election.title}", "org": org,
                                        "submit": "Ghi điều chỉnh cơ sở tính", "search": search},
                        lambda d: s.add_adjustment(request.user, election, **d), "Đã ghi.", election_url(election))


@login_required
@FORM_METHODS
def team_add(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    election = _election(acc, pk)
    require_edit(acc, election.congress.organization)
    form = f.TeamForm(request.POST or None, initial={"name": f"Tổ {election.teams.count() + 1}"})
    return service_form(request, form, {"title": f"Thêm tổ kiểm phiếu — {election.title}",
                                        "org": election.congress.organization, "submit": "Thêm tổ kiểm phiếu"},
                        lambda d: s.add_team(request.user, election, d["name"]), "Đã thêm tổ kiểm phiếu.",
                        lambda t: reverse("congress:team_entry", args=[t.pk]))


# -- a counting team's entry ----------------------------------------------------------------------

GRID_ROWS = 10
GRID_ROWS_MAX = 1000  # no form can post more ticked rows (DATA_UPLOAD_MAX_NUMBER_FIELDS)


def _grid_size(post) -> int:
    try:  # the row count comes from the browser: bound it (a huge number would loop for ever)
        return min(max(int(post.get("rows") or GRID_ROWS), 0), GRID_ROWS_MAX)
    except ValueError:
        return GRID_ROWS


def _grid_ballots(post, size: int) -> list[list[bool]]:
    """Rows of the checkbox grid: row ``i`` counts when its "Phiếu" box is ticked; box ``r{i}c{j}``
    ticked means the j-th name was struck out."""
    ballots = []
    rows = _grid_size(post)
    for i in range(rows):
        if post.get(f"r{i}"):
            ballots.append([not post.get(f"r{i}c{j}") for j in range(size)])
    return ballots


def _totals_initial(team: CountingTeam, names: list[str]) -> dict:
    if not team.totals:
        return {}
    t = team.totals
    return {"ballots": t.get("ballots"), "valid": t.get("valid"), "invalid": t.get("invalid")} | {
        f"c{i}": t.get(n) for i, n in enumerate(names)}


# Each action of the entry page: answers a redirect when done, or None to show the page again
# (with the bound form in ``forms`` showing its errors). A refusal is a ServiceError.
EntryAction = Callable[[HttpRequest, CountingTeam, list[str], dict], HttpResponse | None]


def _again(team: CountingTeam) -> HttpResponse:
    return redirect("congress:team_entry", pk=team.pk)


def _grid(names: list[str], post=None) -> list[tuple[int, bool, list[tuple[int, str, bool]]]]:
    """The checkbox grid's rows: (row, "Phiếu" ticked, [(column, name, struck out)]); ticked as
    posted when an entry was refused, so that nothing typed is lost."""
    post = post or {}
    rows = max(GRID_ROWS, _grid_size(post)) if post else GRID_ROWS
    return [(i, bool(post.get(f"r{i}")), [(j, n, bool(post.get(f"r{i}c{j}"))) for j, n in enumerate(names)])
            for i in range(rows)]


def _version(request: HttpRequest) -> int:
    """The team's version the entry page read (every form of the page carries it)."""
    version = read_version(request.POST.get("version"))
    if version is None:
        raise ServiceError(OLD_PAGE, Code.STALE)
    return version


def _enter_grid(request, team, names, forms):
    forms["grid"] = _grid(names, request.POST)
    made = s.enter_ballots(request.user, team, _grid_ballots(request.POST, len(names)), _version(request))
    messages.success(request, f"Đã nhập {len(made)} phiếu.")
    return _again(team)


def _enter_csv(request, team, names, forms):
    forms["csv"] = f.CsvForm(request.POST, request.FILES)
    if not forms["csv"].is_valid():
        return None
    made = s.import_ballots_csv(request.user, team, forms["csv"].cleaned_data["file"], _version(request))
    messages.success(request, f"Đã nhập {len(made)} phiếu từ tệp CSV.")
    return _again(team)


def _enter_totals(request, team, names, forms):
    forms["totals"] = f.TotalsForm(request.POST, candidates=names)
    if not forms["totals"].is_valid():
        return None
    try:
        s.set_team_totals(request.user, team, forms["totals"].figures(), _version(request))
    except StaleEdit as exc:  # the stored figures beside the typed ones
        show_stale(forms["totals"], exc)
        forms["stale"] = forms["totals"]
        raise
    except ServiceError as exc:  # also beside the number it is about (e.g. more ballots than issued)
        if exc.field in forms["totals"].fields:
            add_service_error(forms["totals"], exc)
        raise
    messages.success(request, "Đã lưu số tổng hợp của tổ.")
    return redirect(election_url(team.election))


# Removing a ballot or the totals is not an action of this page: each has a page that asks first
# (views.corrections), so that no single tap removes anything.
ENTRY_ACTIONS: dict[str, EntryAction] = {"grid": _enter_grid, "csv": _enter_csv, "totals": _enter_totals}


def _entry_post(request: HttpRequest, team: CountingTeam, names: list[str], forms: dict) -> HttpResponse | None:
    action = ENTRY_ACTIONS.get(request.POST.get("action", "grid"))
    if action is None:
        messages.error(request, "Thao tác không hợp lệ.")
        return None
    try:
        return action(request, team, names, forms)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return None


@login_required
@FORM_METHODS
def team_entry(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    team = found(sel.team(acc, pk), "tổ kiểm phiếu")
    election = team.election
    org = election.congress.organization
    require_edit(acc, org)
    names = sel.candidate_names(election)
    forms = {"csv": f.CsvForm(), "totals": f.TotalsForm(candidates=names, initial=_totals_initial(team, names))}
    status = 200
    if request.method == "POST":
        done = _entry_post(request, team, names, forms)
        if done is not None:
            return done
        status = 400
        team = found(sel.team(acc, pk), "tổ kiểm phiếu")  # as stored now (someone may have saved first)
    ballots = list(team.ballots.all())
    result = sel.team_result(team) if ballots else None
    grid = forms.get("grid") or _grid(names)
    return render(request, "congress/team_entry.html", {
        "team": team, "election": election, "org": org, "names": names, "ballots": ballots,
        "ballot_rows": [(b, [(k, n) for k, n in zip(b.kept, names, strict=False)]) for b in ballots],
        "result": result, "grid": grid, "grid_rows": len(grid),
        "csv_form": forms["csv"], "totals_form": forms["totals"], "stale_form": forms.get("stale"),
        "locked": sel.is_counted(election)},
        status=status)


# -- the count ----------------------------------------------------------------------------------

def _counted_message(request: HttpRequest, record: Tally) -> None:
    if not record.is_recount:
        messages.success(request, "Đã kiểm phiếu và lưu kết quả chính thức.")
    elif record.matches_previous:
        messages.success(request, "Kiểm lại từ phiếu đã lưu: kết quả trùng khớp với lần kiểm phiếu đầu.")
    else:
        messages.error(request, "Kiểm lại từ phiếu đã lưu cho kết quả KHÁC lần kiểm phiếu đầu!")


@login_required
@FORM_METHODS
def tally_run(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    election = _election(acc, pk)
    require_edit(acc, election.congress.organization)
    first = sel.official_tally(election)
    if request.method == "POST":
        try:
            record = s.recount(request.user, election) if first else s.count_election(request.user, election)
        except ServiceError as exc:
            messages.error(request, str(exc))
            return redirect(election_url(election))
        _counted_message(request, record)
        return redirect("congress:tally_detail", pk=record.pk)
    title = "Kiểm lại từ phiếu đã lưu" if first else "Kiểm phiếu chính thức"
    text = ("Đếm lại toàn bộ phiếu đã lưu và đối chiếu với kết quả lần đầu." if first else
            "Đối chiếu số liệu các tổ; khi khớp, tính kết quả chính thức từ phiếu đã lưu. Sau đó không sửa phiếu được nữa.")
    return render(request, "congress/confirm.html", {"title": f"{title} — {election.title}",
                                                     "org": election.congress.organization, "text": text,
                                                     "button": title})


def _tally(acc, pk: int) -> Tally:
    return found(sel.tally_record(acc, pk), "kết quả kiểm phiếu")


@login_required
def tally_detail(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    record = _tally(acc, pk)
    election = record.election
    result = record.result
    return render(request, "congress/tally_detail.html", {
        "tally": record, "election": election, "org": election.congress.organization, "result": result,
        "votes": [(n, result["votes"][n], documents.percent(result["votes"][n], record.base), n in result["elected"])
                  for n in record.candidates],
        "can_edit": acc.can_edit_org(election.congress.organization)})


@login_required
def tally_docx(request: HttpRequest, pk: int) -> HttpResponse:
    acc = access(request)
    record = _tally(acc, pk)
    name = f"bien-ban-kiem-phieu-{record.election.pk}-{record.number}.docx"
    log_export(request.user, record, name, rows=record.result["ballots"])
    return file_response(documents.tally_report_docx(record), name, documents.DOCX_MIME)
