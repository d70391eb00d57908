"""Demo data: three finished years of evaluation rounds (members, organizations, committee members).

Listed in :data:`dangvu.demo.steps.STEPS` after the admissions. Grades are drawn with a
realistic spread (about 12% excellent within the quota, three quarters good, some fulfilled, 1–3%
unfulfilled) and then graded by the same code as the services: members disciplined in the year
(not self-corrected) come out "unfulfilled" with the reason, whatever the committee decided.
Rows are written in bulk by the demo's writer; rounds are finalised, the oldest two published.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from dangvu.core.evaluation import Grade, excellent_quota_check
from dangvu.core.periods import Period
from dangvu.core.rulesets import RuleSet, ruleset_for
from dangvu.evaluation import services as s
from dangvu.evaluation.models import Evaluation, EvaluationRound, RoundState, SubjectKind
from dangvu.registry.models import GRASSROOTS_KINDS, Discipline, Organization, OrgKind

from ..context import DemoContext

# Shares of the drawn decisions (before discipline and the quota): demo data, not rules.
SPREAD = ((Grade.EXCELLENT, 0.12), (Grade.GOOD, 0.76), (Grade.FULFILLED, 0.10), (Grade.UNFULFILLED, 0.02))
POINTS = {Grade.EXCELLENT: (90, 98), Grade.GOOD: (72, 89), Grade.FULFILLED: (52, 69), Grade.UNFULFILLED: (35, 49)}
NOTES = {
    Grade.EXCELLENT: "Hoàn thành xuất sắc nhiệm vụ được giao, tiêu biểu trong chi bộ.",
    Grade.GOOD: "Thực hiện tốt nhiệm vụ được phân công.",
    Grade.FULFILLED: "Còn hạn chế trong thực hiện nhiệm vụ được giao.",
    Grade.UNFULFILLED: "Không hoàn thành nhiệm vụ được giao.",
}


def _draw(rng: random.Random) -> Grade:
    x, acc = rng.random(), 0.0
    for grade, share in SPREAD:
        acc += share
        if x < acc:
            return grade
    return Grade.GOOD


def _points(rng: random.Random, rnd: EvaluationRound, grade: Grade) -> tuple[dict[str, float], Decimal]:
    """Points per criterion adding up to a total in the grade's band (scaled by each maximum)."""
    low, high = POINTS[grade]
    target = rng.randint(low, high)
    criteria = rnd.criteria()
    top = sum(c["max"] for c in criteria)
    points = {c["code"]: round(c["max"] * target / top * 2) / 2 for c in criteria}
    return points, Decimal(str(sum(points.values())))


def _round(ctx: DemoContext, rng: random.Random, org: Organization, kind: str, year: int,
           disciplined: tuple[set[int], set[int]]) -> int:
    period = Period.year(year)
    subjects = s.subjects_for(org, kind, period)
    if not subjects:
        return 0
    closed = dt.datetime(year + 1, 1, 20, 9, 0, tzinfo=timezone.get_current_timezone())
    published = year < ctx.today.year - 1
    rnd = EvaluationRound.objects.create(
        organization=org, subject_kind=kind, year=year, state=RoundState.PUBLISHED if published else
        RoundState.FINALISED, sheet=s.load_sheet(kind, rs=ruleset_for(period.end)),
        opened_at=closed - dt.timedelta(days=40), finalised_at=closed,
        published_at=closed + dt.timedelta(days=5) if published else None)
    rs = ruleset_for(period.end)
    evs = []
    for sub in subjects:
        ev = Evaluation(round=rnd, member_id=sub.member_id, organization_id=sub.organization_id,
                        unit_id=sub.unit_id, position=sub.position)
        decided = _draw(rng)
        ev.self_points, ev.self_total = _points(rng, rnd, decided)
        ev.self_grade = decided.value if rng.random() < 0.85 else Grade.GOOD.value
        ev.tasks_on_time_pct = Decimal(100) if decided in (Grade.EXCELLENT, Grade.GOOD) else Decimal(rng.randint(80, 95))
        ev.tasks_exceeding_pct = Decimal(rng.randint(30, 60) if decided is Grade.EXCELLENT else rng.randint(0, 25))
        ev.proposed_grade = ev.decided_grade = decided.value
        ev.proposal_note = NOTES[decided]
        ev.self_at = closed - dt.timedelta(days=rng.randint(20, 35))
        ev.proposed_at = closed - dt.timedelta(days=rng.randint(10, 19))
        ev.decided_at = closed - dt.timedelta(days=rng.randint(1, 9))
        evs.append(ev)
    # The registry facts the services grade by (evaluation's own helper, not yet public there).
    facts = s.registry_facts(rnd, evs) if kind != SubjectKind.MEMBER else {
        "children": {}, "leaders": {}, "members": disciplined[0], "orgs": disciplined[1]}
    for ev in evs:
        s.grade_evaluation(rnd, ev, facts, rs)
    if kind == SubjectKind.MEMBER:
        _keep_quota(evs, rnd, facts, rs)
    for ev in evs:
        ctx.writer.add(Evaluation, **{f.attname: getattr(ev, f.attname) for f in Evaluation._meta.concrete_fields
                                      if not f.primary_key})
    return len(evs)


def _allowed(good: int, rs: RuleSet) -> int:
    """The excellent maximum for ``good`` members graded good, as the core computes it."""
    breach = excellent_quota_check({"": {Grade.GOOD.value: good, Grade.EXCELLENT.value: good + 1}}, rs)
    return breach[0].allowed


def _keep_quota(evs: list[Evaluation], rnd: EvaluationRound, facts, rs) -> None:
    """Lower drawn "excellent" decisions to "good" until the quota holds (one grassroots organization)."""
    while True:
        good = sum(1 for e in evs if e.final_grade == Grade.GOOD.value)
        excellent = [e for e in evs if e.final_grade == Grade.EXCELLENT.value]
        if len(excellent) <= _allowed(good, rs):
            return
        ev = excellent[-1]
        ev.decided_grade = ev.proposed_grade = Grade.GOOD.value
        ev.proposal_note = NOTES[Grade.GOOD]
        s.grade_evaluation(rnd, ev, facts, rs)


def evaluations(ctx: DemoContext) -> None:
    """Finalised yearly rounds of the last three finished years: members, organizations and committee
    members of every grassroots organization, and the grassroots organizations above them."""
    ctx.writer.flush()
    rng = random.Random(ctx.seed * 7 + 3)  # its own stream: other steps' data stay as they were
    root = ctx.root_org
    grassroots = list(Organization.objects.subtree(root).filter(kind__in=GRASSROOTS_KINDS).order_by("path"))
    uppers = list(Organization.objects.subtree(root).filter(kind__in=(OrgKind.PROVINCE, OrgKind.UPPER),
                                                            depth=root.depth).order_by("path"))
    for year in range(ctx.today.year - 3, ctx.today.year):
        rows = Discipline.objects.filter(decided_on__year=year, self_corrected=False)
        disciplined = (set(rows.filter(member__isnull=False).values_list("member_id", flat=True)),
                       set(rows.filter(organization__isnull=False).values_list("organization_id", flat=True)))
        for org in ctx.track(grassroots, f"Đánh giá, xếp loại {year}", total=len(grassroots)):
            for kind in (SubjectKind.MEMBER, SubjectKind.COMMITTEE_MEMBER):
                _round(ctx, rng, org, kind, year, disciplined)
            if org.kind == OrgKind.GRASSROOTS_COMMITTEE:
                _round(ctx, rng, org, SubjectKind.ORGANIZATION, year, disciplined)
        for org in uppers:
            _round(ctx, rng, org, SubjectKind.ORGANIZATION, year, disciplined)
    ctx.writer.flush()

