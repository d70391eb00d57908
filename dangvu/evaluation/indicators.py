"""Evaluation indicators: shares of subjects graded "good or better" (and others) in a subtree.

Source data: the finalised or published yearly round that graded each subject in the period's
year (one per subject, kind and year); subjects are counted where they sat when the round opened (``unit``). SQL
aggregation over the units of the subtree.
"""

from __future__ import annotations

from django.db.models import Count, Q

from dangvu.core.evaluation import Grade
from dangvu.indicators import Period, Value, indicator
from dangvu.registry.models import Organization

from .models import CLOSED_STATES, GOOD_OR_BETTER, Evaluation, EvaluationRound, SubjectKind


def graded(org: Organization, period: Period, subject_kind: str):
    """Final grades of the period's year for ``subject_kind`` in the subtree, from the closed yearly
    rounds. Each subject is in one round of a kind and period at most (``services.open_round``
    refuses a second), so a subject is counted once."""
    # Only the rounds that can hold units of this subtree (``covering``): a commune reads its own
    # rounds' rows, not the whole province's.
    rounds = EvaluationRound.objects.covering(org).filter(
        subject_kind=subject_kind, year=period.end.year, quarter__isnull=True, state__in=CLOSED_STATES)
    return Evaluation.objects.filter(round__in=rounds, unit__in=Organization.objects.subtree(org)).exclude(
        final_grade="")


def _share(org: Organization, period: Period, subject_kind: str, grades: tuple[str, ...]) -> Value:
    agg = graded(org, period, subject_kind).order_by().aggregate(
        n=Count("id"), hit=Count("id", filter=Q(final_grade__in=grades)))
    return Value.share(agg["hit"], agg["n"])


@indicator("members.rated_good_or_better_share", "Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên", "%")
def members_good_or_better(org: Organization, period: Period) -> Value:
    """Members graded excellent or good ÷ members graded, in the period's year."""
    return _share(org, period, SubjectKind.MEMBER, GOOD_OR_BETTER)


@indicator("members.rated_excellent_share", "Tỷ lệ đảng viên hoàn thành xuất sắc nhiệm vụ", "%")
def members_excellent(org: Organization, period: Period) -> Value:
    """Members graded excellent ÷ members graded, in the period's year."""
    return _share(org, period, SubjectKind.MEMBER, (Grade.EXCELLENT.value,))


@indicator("organizations.rated_good_or_better_share", "Tỷ lệ tổ chức đảng hoàn thành tốt nhiệm vụ trở lên", "%")
def organizations_good_or_better(org: Organization, period: Period) -> Value:
    """Party organizations (grassroots organizations, cells, sub-committees) of the subtree graded
    excellent or good ÷ those graded, in the period's year."""
    return _share(org, period, SubjectKind.ORGANIZATION, GOOD_OR_BETTER)


@indicator("organizations.rated_fulfilled_only_share", "Tỷ lệ tổ chức đảng chỉ hoàn thành nhiệm vụ", "%")
def organizations_fulfilled_only(org: Organization, period: Period) -> Value:
    """Party organizations graded "fulfilled" (not good or better) ÷ those graded, in the period's year."""
    return _share(org, period, SubjectKind.ORGANIZATION, (Grade.FULFILLED.value,))


@indicator("committee_members.rated_good_or_better_share", "Tỷ lệ cấp ủy viên hoàn thành tốt nhiệm vụ trở lên",
           "%")
def committee_members_good_or_better(org: Organization, period: Period) -> Value:
    """Committee members (secretaries, deputies, members of a committee) of the subtree graded
    excellent or good ÷ those graded, in the period's year."""
    return _share(org, period, SubjectKind.COMMITTEE_MEMBER, GOOD_OR_BETTER)
