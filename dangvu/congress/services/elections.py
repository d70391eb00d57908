"""Elections at a congress: the base "more than half" is taken of, the list of candidates, the
counting teams and their ballots or totals, the official count from stored ballots and the
recount. One transaction per public function; refusals are :class:`ServiceError`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.db.models import Max

from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.common.versions import claim
from dangvu.core import congress as rules
from dangvu.core.names import lines_problem
from dangvu.core.tally import TallyError, parse_ballots_csv
from dangvu.core.text import nfc
from dangvu.registry.models import Member

from ..models import (
    AdjustmentKind,
    Ballot,
    BaseAdjustment,
    Candidate,
    Congress,
    CongressKind,
    CountingTeam,
    Election,
    Tally,
)
from ..selectors import (
    candidate_names,
    compare_teams,
    computed_base,
    first_team_with_ballots,
    is_counted,
    members_ceiling,
    official_tally,
    team_figures,
    team_result,
)

# One counting team reads at most the ballots of one congress: a few hundred, a few thousand at the
# largest; each is a row written one by one, so a file holds at most this many.
MAX_BALLOTS_PER_FILE = 3_000

# -- base ---------------------------------------------------------------------------------------


def _refresh_base(election: Election) -> None:
    election.base_computed = computed_base(election)
    if not election.base_reason:
        election.base = election.base_computed
    if election.base < 1:  # nobody to take "more than half" of: nobody could be elected
        raise ServiceError(f"Cơ sở tính bằng {election.base}: {election.congress.organization.name} không còn "
                           "đảng viên chính thức nào được tính, không bầu được.", Code.OUT_OF_RANGE, field="base")


def _check_delegates(base_kind: str, convened: int | None, absent: int | None) -> None:
    if base_kind != CongressKind.DELEGATES:
        return
    if not convened:
        raise ServiceError("Đại hội đại biểu: ghi số đại biểu được triệu tập.", Code.REQUIRED,
                           field="delegates_convened")
    try:
        rules.delegates_base(convened, absent)
    except rules.ElectionRuleError as exc:
        field = "delegates_convened" if convened < 1 else "delegates_absent"
        raise ServiceError(str(exc), Code.OUT_OF_RANGE, field=field) from exc


def _record_decision(election: Election, allowed: bool, note: str) -> None:
    """The congress's decision to elect from a list shorter than the seats, with where it is written."""
    note = nfc(note)
    if allowed and not note:
        raise ServiceError("Ghi căn cứ quyết định của đại hội (biên bản, nghị quyết biểu quyết, ngày).",
                           Code.REQUIRED, field="fewer_candidates_note")
    election.fewer_candidates_allowed = bool(allowed)
    election.fewer_candidates_note = note if allowed else ""


@transaction.atomic
def create_election(by, congress: Congress, *, title: str, seats: int, held_on: dt.date, base_kind: str = "",
                    delegates_convened: int | None = None, delegates_absent: int | None = None,
                    issued: int | None = None, counting_board: str = "", round: int = 1,
                    candidates: Sequence[str] | None = None, fewer_candidates_allowed: bool = False,
                    fewer_candidates_note: str = "") -> Election:
    """A new election; with ``candidates`` its list too, in the same transaction (a refused list
    leaves no election behind)."""
    ensure_can_edit(by, congress.organization)
    if not nfc(title):
        raise ServiceError("Nội dung bầu không được để trống.", Code.REQUIRED, field="title")
    if seats < 1:
        raise ServiceError("Số lượng cần bầu phải từ 1 trở lên.", Code.OUT_OF_RANGE, field="seats")
    base_kind = base_kind or congress.kind
    _check_delegates(base_kind, delegates_convened, delegates_absent)
    if issued is not None and issued < 0:
        raise ServiceError("Số phiếu phát ra không được âm.", Code.OUT_OF_RANGE, field="issued")
    election = Election(congress=congress, title=nfc(title), seats=seats, held_on=held_on, base_kind=base_kind,
                        delegates_convened=delegates_convened, delegates_absent=delegates_absent, issued=issued,
                        counting_board=_board_text(counting_board), round=round, base=0, base_computed=0)
    _record_decision(election, fewer_candidates_allowed, fewer_candidates_note)
    _refresh_base(election)
    election.save()
    if candidates is not None:
        set_candidates(by, election, candidates)
    return election


def _require_open(election: Election) -> None:
    if is_counted(election):
        raise ServiceError("Đã có kết quả kiểm phiếu chính thức; không sửa dữ liệu bầu cử được nữa.", Code.STATE)


def _check_adjustment(election: Election, member: Member, kind: str) -> None:
    if election.base_kind != CongressKind.MEMBERS:
        raise ServiceError("Chỉ đại hội đảng viên mới tính cơ sở theo danh sách đảng viên.", Code.STATE)
    if not member.organization.path.startswith(election.congress.organization.path):
        raise ServiceError("Đảng viên không thuộc đảng bộ, chi bộ tổ chức đại hội.", Code.OUT_OF_SUBTREE,
                           field="member")
    if kind not in AdjustmentKind.values:
        raise ServiceError("Trường hợp không hợp lệ.", Code.INVALID, field="kind")
    if kind == AdjustmentKind.EXEMPT_PRESENT and member.status != "exempt":
        raise ServiceError(f"{member.full_name} không thuộc diện miễn sinh hoạt.", Code.STATE, field="member")
    if kind != AdjustmentKind.EXEMPT_PRESENT and member.status != "full":
        raise ServiceError(f"{member.full_name} không phải đảng viên chính thức nên vốn không được tính.",
                           Code.STATE, field="member")
    if election.adjustments.filter(member=member).exists():
        raise ServiceError(f"{member.full_name} đã có trong danh sách điều chỉnh.", Code.DUPLICATE, field="member")


@transaction.atomic
def add_adjustment(by, election: Election, member: Member, kind: str, note: str = "") -> BaseAdjustment:
    """Exclude a member from the base (suspended, prosecuted, absent with reason), or count an
    exempt member who is present."""
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    _check_adjustment(election, member, kind)
    adj = BaseAdjustment.objects.create(election=election, member=member, kind=kind, note=note)
    _refresh_base(election)
    election.save()
    return adj


@transaction.atomic
def set_base(by, election: Election, base: int, reason: str = "") -> Election:
    """Set the base by hand; a figure other than the computed one needs a recorded reason."""
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    election.base_computed = computed_base(election)
    if base < 1:
        raise ServiceError("Cơ sở tính phải từ 1 trở lên.", Code.OUT_OF_RANGE, field="base")
    _check_ceiling(election, base)
    if base != election.base_computed and not nfc(reason):
        raise ServiceError(f"Cơ sở tính theo dữ liệu là {election.base_computed}; muốn dùng {base} phải ghi lý do.",
                           Code.REQUIRED, field="reason")
    election.base = base
    election.base_reason = nfc(reason) if base != election.base_computed else ""
    election.save()
    return election


def _check_ceiling(election: Election, base: int) -> None:
    """A base above everyone who could be counted is a typing error (20 for 10 convened)."""
    if election.base_kind == CongressKind.DELEGATES:
        ceiling, who = election.delegates_convened or 0, "số đại biểu được triệu tập"
    else:
        ceiling = members_ceiling(election.congress.organization)
        who = f"số đảng viên chính thức và miễn sinh hoạt của {election.congress.organization.name}"
    if base > ceiling:
        raise ServiceError(f"Cơ sở tính ({base}) không thể lớn hơn {who} ({ceiling}).", Code.OUT_OF_RANGE,
                           field="base")


# -- candidates, counting board ------------------------------------------------------------------

def _board_text(board: str) -> str:
    lines = [nfc(line) for line in (board or "").splitlines() if nfc(line)]
    if why := lines_problem(lines):
        raise ServiceError(f"Ban kiểm phiếu, {why[0].lower()}{why[1:]}", Code.INVALID, field="counting_board")
    return "\n".join(lines)


def _check_list(election: Election, names: Sequence[str], field: str = "candidates") -> None:
    """The counting board is not on the list; the list is not shorter than the seats unless the
    congress decided so (core.congress, Quyết định 190-QĐ/TW)."""
    clash = rules.board_candidates(election.board, names)
    if clash and field == "candidates":
        raise ServiceError(f"{', '.join(clash)} đang ở Ban kiểm phiếu nên không thể có tên trong danh sách bầu cử "
                           "(Quyết định 190-QĐ/TW); hãy bỏ tên khỏi danh sách hoặc chọn người khác vào Ban kiểm "
                           "phiếu.", Code.RULE, field=field)
    if clash:
        raise ServiceError(f"{', '.join(clash)} có tên trong danh sách bầu cử nên không thể ở Ban kiểm phiếu "
                           "(Quyết định 190-QĐ/TW).", Code.RULE, field=field)
    if rules.too_few_candidates(election.seats, len(names)) and not election.fewer_candidates_allowed:
        raise ServiceError(f"Danh sách bầu cử có {len(names)} người, ít hơn số lượng cần bầu ({election.seats}). "
                           "Chỉ bầu như vậy khi đại hội đã biểu quyết đồng ý: đánh dấu ô quyết định của đại hội "
                           "và ghi căn cứ.", Code.RULE, field="candidates")


def clean_names(names: Sequence[str]) -> list[str]:
    """The list as typed: composed, blank lines dropped."""
    return [nfc(n) for n in names if nfc(n)]


@transaction.atomic
def set_candidates(by, election: Election, names: Sequence[str]) -> list[Candidate]:
    """The list in ballot order (replaces the previous list while no ballot is entered)."""
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    names = clean_names(names)
    if not names:
        raise ServiceError("Danh sách bầu cử không có ai.", Code.REQUIRED, field="candidates")
    if why := lines_problem(names):
        raise ServiceError(f"Danh sách bầu cử, {why[0].lower()}{why[1:]}", Code.INVALID, field="candidates")
    longest = Candidate._meta.get_field("name").max_length
    if any(len(n) > longest for n in names):
        raise ServiceError(f"Mỗi tên trong danh sách bầu cử dài tối đa {longest} ký tự.", Code.TOO_LONG,
                           field="candidates")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ServiceError(f"Tên bị trùng trong danh sách: {', '.join(dupes)}.", Code.DUPLICATE, field="candidates")
    _check_list(election, names)
    if Ballot.objects.filter(team__election=election).exists() or \
            election.teams.filter(totals__isnull=False).exists():
        raise ServiceError("Các tổ đã nhập phiếu; không đổi danh sách được nữa.", Code.STATE)
    election.candidates.all().delete()
    members = {m.full_name: m for m in Member.objects.in_subtree(election.congress.organization)
               .filter(full_name__in=names)}
    return [Candidate.objects.create(election=election, name=n, position=i, member=members.get(n))
            for i, n in enumerate(names, start=1)]


@transaction.atomic
def edit_election_lists(by, election: Election, *, candidates: Sequence[str], counting_board: str,
                        fewer_candidates_allowed: bool = False, fewer_candidates_note: str = "") -> Election:
    """The list, the counting board and the congress's decision on a short list, together: a
    candidate cannot be put on the board, nor a board member on the list, in either order."""
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    _record_decision(election, fewer_candidates_allowed, fewer_candidates_note)
    election.counting_board = _board_text(counting_board)
    names = clean_names(candidates)
    if names != candidate_names(election):
        set_candidates(by, election, names)
    else:  # the list stays: a clash comes from the board just typed
        _check_list(election, names, field="counting_board")
    election.save()
    return election


# -- teams, ballots -------------------------------------------------------------------------------

@transaction.atomic
def add_team(by, election: Election, name: str) -> CountingTeam:
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    name = nfc(name)
    if not name:
        raise ServiceError("Tên tổ kiểm phiếu không được để trống.", Code.REQUIRED, field="name")
    if election.teams.filter(name=name).exists():
        raise ServiceError(f"Đã có tổ “{name}”.", Code.DUPLICATE, field="name")
    position = (election.teams.aggregate(m=Max("position"))["m"] or 0) + 1
    return CountingTeam.objects.create(election=election, name=name, position=position)


FIGURE_LABELS = {"ballots": "Số phiếu thu về", "valid": "Số phiếu hợp lệ", "invalid": "Số phiếu không hợp lệ"}


def _claim_team(by, team: CountingTeam, version: int | None, typed: Mapping[str, object] | None = None) -> None:
    """The counting team's entries follow the no-lost-update rule (:mod:`dangvu.common.versions`):
    the team's row is locked, and an entry made from a page older than the team's last change is
    refused (``Code.STALE``) with the team's figures as stored now beside the typed ones."""
    labels = FIGURE_LABELS | {n: f"Số phiếu của {n}" for n in candidate_names(team.election)}
    claim(team, version, by, typed, stored=lambda t: team_figures(t) or {}, labels=labels)


@transaction.atomic
def enter_ballots(by, team: CountingTeam, ballots: Sequence[Sequence[bool]], version: int | None = None) -> list[Ballot]:
    """Append ballots as the team reads them (kept flags in ballot order); ``version``: the team's
    version the entry page read (a newer one is refused)."""
    election = team.election
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    _claim_team(by, team, version)
    size = election.candidates.count()
    if not size:
        raise ServiceError("Chưa có danh sách bầu cử.", Code.INCOMPLETE)
    if team.totals is not None:
        raise ServiceError("Tổ này đã nhập số tổng hợp; xóa số tổng hợp trước khi nhập từng phiếu.", Code.STATE)
    if not ballots:
        raise ServiceError("Chưa nhập phiếu nào.", Code.REQUIRED)
    held = team.ballots.count()
    if election.issued is not None and held + len(ballots) > election.issued:
        raise ServiceError(f"{team.name} đã có {held} phiếu, nhập thêm {len(ballots)} thành {held + len(ballots)} "
                           f"phiếu, nhiều hơn số phiếu phát ra ({election.issued}); hãy đếm lại phiếu của tổ.",
                           Code.OUT_OF_RANGE)
    start = (team.ballots.aggregate(m=Max("number"))["m"] or 0) + 1
    made = []
    for offset, kept in enumerate(ballots):
        if len(kept) != size:
            raise ServiceError(f"Phiếu thứ {offset + 1} có {len(kept)} ô, danh sách có {size} người.", Code.INVALID)
        made.append(Ballot.objects.create(team=team, number=start + offset, kept=[bool(k) for k in kept]))
    team.save()
    return made


@transaction.atomic
def import_ballots_csv(by, team: CountingTeam, text: str, version: int | None = None) -> list[Ballot]:
    """Ballots from a CSV in the ``dangvu tally`` format (header of names, one 0/1 row per ballot)."""
    try:
        parsed = parse_ballots_csv(text, candidate_names(team.election))
    except TallyError as exc:
        raise ServiceError(str(exc), Code.INVALID, field="file") from exc
    except csv.Error as exc:  # a field over the csv module's limit, a broken quote
        raise ServiceError("Tệp CSV phiếu bầu bị hỏng hoặc có ô quá dài; hãy lưu lại tệp dạng CSV.", Code.FILE,
                           field="file") from exc
    if len(parsed) > MAX_BALLOTS_PER_FILE:
        raise ServiceError(f"Tệp có {len(parsed)} phiếu, quá mức một lần nhập ({MAX_BALLOTS_PER_FILE}); "
                           "hãy chia theo từng tổ kiểm phiếu.", Code.FILE_TOO_LARGE, field="file")
    return enter_ballots(by, team, [b.kept for b in parsed], version)


@transaction.atomic
def delete_ballot(by, ballot: Ballot, version: int | None = None) -> None:
    team = ballot.team
    election = team.election
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    _claim_team(by, team, version)
    ballot.delete()
    team.save()


def _checked_totals(election: Election, figures: Mapping[str, int]) -> dict[str, int]:
    expected = ["ballots", "valid", "invalid", *candidate_names(election)]
    missing = [k for k in expected if k not in figures]
    if missing:
        raise ServiceError(f"Thiếu số liệu: {', '.join(missing)}.", Code.REQUIRED)
    if any(int(figures[k]) < 0 for k in expected):
        raise ServiceError("Số liệu không được âm.", Code.OUT_OF_RANGE)
    if int(figures["valid"]) + int(figures["invalid"]) != int(figures["ballots"]):
        raise ServiceError("Số phiếu hợp lệ cộng không hợp lệ phải bằng số phiếu thu về.", Code.INVALID,
                           field="ballots")
    if election.issued is not None and int(figures["ballots"]) > election.issued:
        raise ServiceError(f"Số phiếu thu về ({int(figures['ballots'])}) nhiều hơn số phiếu phát ra "
                           f"({election.issued}); hãy đếm lại phiếu của tổ.", Code.OUT_OF_RANGE, field="ballots")
    over = [n for n in expected[3:] if int(figures[n]) > int(figures["valid"])]
    if over:  # each valid ballot gives a name at most one vote
        raise ServiceError(f"Số phiếu của {over[0]} ({int(figures[over[0]])}) nhiều hơn số phiếu hợp lệ "
                           f"({int(figures['valid'])}).", Code.OUT_OF_RANGE, field="valid")
    return {k: int(figures[k]) for k in expected}


@transaction.atomic
def set_team_totals(by, team: CountingTeam, figures: Mapping[str, int] | None,
                    version: int | None = None) -> CountingTeam:
    """A team's per-candidate totals (and ballots/valid/invalid) when it does not enter every ballot;
    None clears them. ``version``: the team's version the entry page read (a newer one is refused,
    with the stored and the typed figures)."""
    election = team.election
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    _claim_team(by, team, version, figures)
    if figures is not None:
        if team.ballots.exists():
            raise ServiceError("Tổ này đã nhập từng phiếu; số tổng hợp được tính từ các phiếu đó.", Code.STATE)
        figures = _checked_totals(election, figures)
    team.totals = figures
    team.save()
    return team


CORRECTABLE = ("valid", "invalid")  # "ballots" follows from these two


@transaction.atomic
def correct_team_total(by, team: CountingTeam, item: str, value: int, version: int | None = None) -> CountingTeam:
    """Correct one number of a team's totals (a candidate's votes, the valid or the invalid
    ballots) and keep the others; ``version``: the team's version the page read."""
    election = team.election
    ensure_can_edit(by, election.congress.organization)
    _require_open(election)
    names = candidate_names(election)
    if item not in (*CORRECTABLE, *names):
        raise ServiceError("Mục cần sửa không có trong số tổng hợp của tổ.", Code.INVALID, field="item")
    _claim_team(by, team, version, {item: value})
    if team.totals is None:
        raise ServiceError("Tổ này nhập từng phiếu: sửa bằng cách xóa phiếu sai rồi nhập lại.", Code.STATE)
    if value is None or value < 0:
        raise ServiceError("Số phiếu không được âm.", Code.OUT_OF_RANGE, field="value")
    figures = dict(team.totals) | {item: value}
    figures["ballots"] = int(figures["valid"]) + int(figures["invalid"])
    try:
        team.totals = _checked_totals(election, figures)
    except ServiceError as exc:
        raise ServiceError(exc.message, exc.code, field="value") from exc
    team.save()
    return team


# -- the official count -------------------------------------------------------------------------

@transaction.atomic
def count_election(by, election: Election) -> Tally:
    """The official count, from the stored ballots of the first team that entered ballots, once
    every team's figures agree. Every step is kept with the result (and in the audit log)."""
    ensure_can_edit(by, election.congress.organization)
    election = Election.objects.select_for_update().get(pk=election.pk)
    if is_counted(election):
        raise ServiceError("Đã kiểm phiếu chính thức; muốn đếm lại hãy dùng “Kiểm lại từ phiếu đã lưu”.", Code.STATE)
    figures, discrepancies = compare_teams(election)
    if len(figures) < 2:
        raise ServiceError("Cần số liệu của ít nhất hai tổ kiểm phiếu để đối chiếu trước khi công bố kết quả.",
                           Code.INCOMPLETE)
    if discrepancies:
        raise ServiceError("Số liệu các tổ chưa khớp: " + " ".join(d.message for d in discrepancies), Code.CONFLICT)
    source = first_team_with_ballots(election)
    if source is None:
        raise ServiceError("Kết quả chính thức được tính từ phiếu đã lưu: cần ít nhất một tổ nhập từng phiếu.",
                           Code.INCOMPLETE)
    return _save_tally(by, election, source, number=1, previous=None)


@transaction.atomic
def recount(by, election: Election) -> Tally:
    """Count again from the same stored ballots; the result must equal the first count."""
    ensure_can_edit(by, election.congress.organization)
    election = Election.objects.select_for_update().get(pk=election.pk)
    first = official_tally(election)
    if first is None:
        raise ServiceError("Chưa có kết quả kiểm phiếu chính thức để kiểm lại.", Code.INCOMPLETE)
    last = election.tallies.order_by("-number").first()
    return _save_tally(by, election, first.source_team, number=last.number + 1, previous=first)


def _save_tally(by, election: Election, team: CountingTeam, number: int, previous: Tally | None) -> Tally:
    result = team_result(team)
    if result is None:
        raise ServiceError(f"{team.name} không còn phiếu nào đã lưu.", Code.INCOMPLETE)
    data = result.to_dict()
    return Tally.objects.create(
        election=election, number=number, source_team=team, candidates=list(result.candidates),
        base=election.base, issued=election.issued, result=data, steps=list(result.steps),
        matches_previous=None if previous is None else data == previous.result, created_by=acting_user(by))
