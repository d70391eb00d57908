"""Demo step "yearly_records": assignments, commitments and residence feedback of the last three years."""

from __future__ import annotations

import datetime as dt

from dangvu.registry.models import Assignment, Commitment, ResidenceLink

from .. import names as N
from ..context import DemoContext, pick


def yearly_records(ctx: DemoContext) -> None:
    """Assignments and commitments of each of the last three years (with gaps) and the residence
    cell's feedback on members who work elsewhere."""
    rng, today = ctx.rng, ctx.today
    years = [today.year - 2, today.year - 1, today.year]
    coverage: dict[tuple[str, int], tuple[float, float]] = {}
    for s in ctx.track(ctx.sims, "Phân công, cam kết", total=len(ctx.sims), unit=" đảng viên"):
        workplace = s.cell.sector != "residential"
        for year in years:
            jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
            if s.admitted_on > dec31 or (s.end_on and s.end_on < dt.date(year, 4, 1)):
                continue
            if s.exempt_on and s.exempt_on < jan1 + dt.timedelta(days=31):
                continue
            key = (s.cell.code, year)
            if key not in coverage:
                coverage[key] = (rng.uniform(0.8, 1.0), rng.uniform(0.82, 1.0))
            rate_a, rate_c = coverage[key]
            base = s.admitted_on if s.admitted_on.year == year else jan1
            assigned = base + dt.timedelta(days=rng.randint(10, 80))
            if assigned <= today and (s.end_on is None or assigned < s.end_on) and rng.random() < rate_a:
                text = rng.choice(N.ASSIGNMENTS["workplace" if workplace else "residential"])
                ctx.writer.add(Assignment, member_id=s.pk, year=year, content=text.format(n=rng.randint(1, 12)),
                                          assigned_on=assigned)
            signed = base + dt.timedelta(days=rng.randint(5, 60))
            if signed <= today and (s.end_on is None or signed < s.end_on) and rng.random() < rate_c:
                ctx.writer.add(Commitment, member_id=s.pk, year=year, content=rng.choice(N.COMMITMENTS),
                                          signed_on=signed)
            received = dt.date(year, 11, 10) + dt.timedelta(days=rng.randint(0, 40))
            if (workplace and received <= today and s.admitted_on < received and rng.random() < 0.88
                    and (s.end_on is None or received < s.end_on)):
                rating = pick(rng, (("good", 85), ("fair", 12), ("poor", 3)))
                ctx.writer.add(ResidenceLink, member_id=s.pk, year=year, rating=rating, received_on=received,
                    residence_org_id=s.residence_org.pk if s.residence_org else None,
                    feedback=rng.choice(N.RESIDENCE_FEEDBACK[rating]))
    ctx.writer.flush()

