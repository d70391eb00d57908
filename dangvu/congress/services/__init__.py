"""Congress use cases: the only code that writes congresses, timelines, apportionments, drafts
and elections. Each public function is one transaction, checks the actor's scope with
:func:`dangvu.common.ensure_can_edit`, and raises :class:`ServiceError` (Vietnamese message, a
:class:`~dangvu.core.errors.Code`, the form field) with nothing written on refusal.

By theme: :mod:`.preparation` (congress, committee freeze, campaign timeline and milestones,
delegate apportionment), :mod:`.drafts` (drafts and comments), :mod:`.elections` (base,
candidates, counting teams, ballots, the official count). The reads these use and the pages share
live in :mod:`dangvu.congress.selectors`; the names below stay importable from here.
"""

from ..selectors import (
    COMMITTEE_ROLES,
    MembersBase,
    Progress,
    ProgressCell,
    candidate_names,
    compare_teams,
    computed_base,
    congress_problems,
    ex_officio,
    member_counts,
    members_base,
    official_tally,
    progress,
    targets_of,
    team_figures,
    team_result,
)
from .drafts import add_comment, add_draft, answer_comment
from .elections import (
    add_adjustment,
    add_team,
    clean_names,
    correct_team_total,
    count_election,
    create_election,
    delete_ballot,
    edit_election_lists,
    enter_ballots,
    import_ballots_csv,
    recount,
    set_base,
    set_candidates,
    set_team_totals,
)
from .preparation import (
    add_milestone_template,
    add_phase,
    apply_timeline,
    check_committee_freeze,
    create_timeline,
    save_apportionment,
    save_congress,
    timeline_from_plan,
    update_milestone,
)

__all__ = [
    "COMMITTEE_ROLES", "MembersBase", "Progress", "ProgressCell", "add_adjustment", "add_comment", "add_draft",
    "add_milestone_template", "add_phase", "add_team", "answer_comment", "apply_timeline", "candidate_names",
    "check_committee_freeze", "clean_names", "compare_teams", "computed_base", "congress_problems",
    "correct_team_total", "count_election", "create_election", "create_timeline", "delete_ballot",
    "edit_election_lists", "enter_ballots", "ex_officio", "import_ballots_csv",
    "member_counts", "members_base", "official_tally", "progress", "recount", "save_apportionment", "save_congress",
    "set_base", "set_candidates", "set_team_totals", "targets_of", "team_figures", "team_result",
    "timeline_from_plan", "update_milestone",
]
