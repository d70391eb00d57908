"""Demo step "inspection": each grassroots committee's programmes of inspection and supervision for
last year and this year, through :mod:`dangvu.inspection.services`.

Every organization under the committee (at most ``MAX_SUBJECTS``) gets one item a year, inspection
and supervision in turn, spread over the months. Last year's are all past: most concluded (their
recommendations carried out on time, late, or still open and so overdue), every fourth begun and
never concluded (late). This year's items whose period is over are concluded but every fourth
(late); the one running now is under way; later ones are planned. One conclusion names a member in
violation (the finding a discipline case is opened from). Deterministic for a given day.
"""

from __future__ import annotations

import datetime as dt

from dangvu.core import clock
from dangvu.core.inspection import month_end
from dangvu.inspection import services as ins
from dangvu.registry.models import Member, Organization, OrgKind

from ..context import DemoContext

MAX_COMMITTEES = 6
MAX_SUBJECTS = 8
_CONTENTS = (
    "việc chấp hành chế độ sinh hoạt chi bộ",
    "việc thu, nộp, quản lý và sử dụng đảng phí",
    "việc lãnh đạo thực hiện nhiệm vụ chính trị của đơn vị",
    "việc thực hiện quy chế làm việc và chế độ sinh hoạt đảng",
)


def _conclude(item, today: dt.date, n: int, violator: Member | None) -> None:
    concluded = min(item.planned_end - dt.timedelta(days=3), today)
    due = concluded + dt.timedelta(days=30)
    findings = ([ins.FindingInput(violator, item.planned_start - dt.timedelta(days=40),
                                  "Không chấp hành chế độ sinh hoạt đảng, nhiều lần vắng họp không lý do")]
                if violator is not None else [])
    ins.conclude_inspection(None, item, concluded_on=concluded,
                            conclusion="Có vi phạm, yêu cầu kiểm điểm" if findings else
                            "Chấp hành tốt; còn một số thiếu sót cần khắc phục",
                            findings=findings,
                            recommendations=[ins.RecommendationInput("Khắc phục thiếu sót, báo cáo kết quả", due)])
    rec = item.recommendations.get()
    done = due - dt.timedelta(days=5) if n % 3 == 0 else due + dt.timedelta(days=10) if n % 3 == 1 else None
    if done is not None and done <= today:
        ins.complete_recommendation(None, rec, done_on=done, note="Đã khắc phục")


def _programme(committee: Organization, subjects: list[Organization], year: int, today: dt.date,
               number: int) -> None:
    programme = ins.create_programme(None, committee, year, number=f"{number:02d}-CTr/ĐU",
                                     issued_on=min(dt.date(year, 1, 15), today),
                                     title=f"Chương trình kiểm tra, giám sát năm {year}")
    for n, subject in enumerate(subjects):
        month = 2 + (n * 10) // max(1, len(subjects))  # February … November
        start = dt.date(year, month, 1)
        activity = "inspection" if n % 2 == 0 else "supervision"
        item = ins.add_item(None, programme, activity=activity, form="thematic" if n % 3 == 0 else "regular",
                            subject_kind="organization", subject_org=subject,
                            content=f"{'Kiểm tra' if activity == 'inspection' else 'Giám sát'} {_CONTENTS[n % 4]}",
                            planned_start=start, planned_end=month_end(start),
                            leader="Đồng chí Chủ nhiệm Ủy ban Kiểm tra" if n % 2 == 0 else "Đồng chí Phó Bí thư")
        begun = start + dt.timedelta(days=2)
        if begun > today:
            continue  # planned
        ins.start_inspection(None, item, decision_number=f"{number * 10 + n}-QĐ/ĐU", decided_on=start,
                             started_on=begun, leader=item.leader, team="Các đồng chí ủy viên Ủy ban Kiểm tra")
        if item.planned_end >= today or n % 4 == 3:
            continue  # under way now, or late: begun, never concluded
        ins.record_subject_report(None, item, reported_on=min(begun + dt.timedelta(days=7), today),
                                  summary="Báo cáo tự kiểm tra theo đề cương của đoàn")
        violator = None
        if n == 0 and year < today.year:
            violator = Member.objects.active().filter(organization__path__startswith=subject.path).order_by("pk").first()
        _conclude(item, today, n, violator)


def inspection(ctx: DemoContext) -> None:
    today = ctx.today
    committees = list(Organization.objects.subtree(ctx.root_org).filter(kind=OrgKind.GRASSROOTS_COMMITTEE)
                      .order_by("path")[:MAX_COMMITTEES])
    with clock.frozen(today):
        for k, committee in enumerate(committees):
            subjects = list(Organization.objects.subtree(committee).exclude(pk=committee.pk)
                            .filter(dissolved_on__isnull=True).order_by("path")[:MAX_SUBJECTS])
            if not subjects:
                continue
            _programme(committee, subjects, today.year - 1, today, 10 + k)
            _programme(committee, subjects, today.year, today, 40 + k)
