"""Demo step "trainings": political theory, new-member and party-work courses."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from dangvu.registry.models import Training

from ..context import DemoContext, between, years_after

_THEORY_TRAINING = {
    "elementary": ("theory_elementary", "Lớp Sơ cấp lý luận chính trị", "SC"),
    "intermediate": ("theory_intermediate", "Lớp Trung cấp lý luận chính trị – hành chính", "TC"),
    "advanced": ("theory_advanced", "Lớp Cao cấp lý luận chính trị", "CC"),
}


def trainings(ctx: DemoContext) -> None:
    """Political theory, new-member courses and party-work courses for committee members."""
    rng, today = ctx.rng, ctx.today
    last = today - dt.timedelta(days=20)
    serial = 0
    for s in ctx.track(ctx.sims, "Đào tạo", total=len(ctx.sims), unit=" đảng viên"):
        if s.theory:
            kind, title, suffix = _THEORY_TRAINING[s.theory]
            lo = max(s.admitted_on, years_after(s.birth, 22))
            finished = between(rng, lo, s.end_on or last) if lo < (s.end_on or last) else min(lo, last)
            serial += 1
            ctx.writer.add(Training, member_id=s.pk, kind=kind, title=title, finished_on=finished,
                                    started_on=finished - dt.timedelta(days=rng.randint(60, 300)),
                                    certificate=f"{serial:06d}/{suffix}")
        if s.new and rng.random() < 0.9:
            finished = s.admitted_on + dt.timedelta(days=rng.randint(30, 240))
            if finished <= last:
                ctx.writer.add(Training, member_id=s.pk, kind="new_member", finished_on=finished,
                                        title="Lớp bồi dưỡng lý luận chính trị cho đảng viên mới",
                                        started_on=finished - dt.timedelta(days=rng.randint(5, 10)))
        if any(r in s.posts for r in ("secretary", "deputy", "committee_member")) and rng.random() < 0.8:
            finished = between(rng, today - relativedelta(years=4), last)
            ctx.writer.add(Training, member_id=s.pk, kind="party_work", finished_on=finished,
                                    title="Bồi dưỡng nghiệp vụ công tác đảng cho cấp ủy viên cơ sở",
                                    started_on=finished - dt.timedelta(days=rng.randint(3, 7)))
    ctx.writer.flush()

