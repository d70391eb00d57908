"""Demo step "localities": one village, hamlet or residential group per residential cell."""

from __future__ import annotations

from dangvu.registry.models import Locality

from .. import names as N
from ..context import DemoContext, age_on
from ..life import ethnicity


def localities(ctx: DemoContext) -> None:
    """One village, hamlet or residential group per residential cell; heads members or not."""
    rng = ctx.rng
    assert ctx.root is not None
    villages = [c for c in ctx.root.walk() if c.sector == "residential" and c.locality is not None]
    model = set(villages[1::6])  # where the secretary also heads the front committee
    for cell in villages:
        people = [s for s in ctx.cell_members.get(cell.code, []) if s.status in ("full", "probationary")
                  and not s.pending and s.resident and age_on(s.birth, ctx.today) < 70]
        secretary = next((s for s in people if "secretary" in s.posts), None)
        region = cell.unit.region if cell.unit and cell.unit.region else N.REGIONS["delta"]

        def outsider(region: N.Region = region, upland: bool = cell.upland) -> str:
            gender = "female" if rng.random() < 0.3 else "male"
            return N.person_name(rng, gender, ethnicity(rng, region, upland, False))

        head = front = None
        if people and rng.random() < 0.55:
            head = secretary if secretary and rng.random() < 0.6 else rng.choice(people)
        roll = rng.random() if people else 1.0
        if roll < 0.45:
            front = rng.choice([s for s in people if s is not head] or people)
        if secretary is not None and head is not secretary and (cell in model or roll < 0.2):
            front = secretary  # "bí thư chi bộ kiêm trưởng ban công tác mặt trận"
        name, kind = cell.locality
        households = rng.randint(200, 600) if kind == "residential_group" else rng.randint(90, 420)
        ctx.writer.add(Locality, organization_id=cell.pk, name=name, kind=kind, households=households,
            head_member_id=head.pk if head else None, head_name="" if head else outsider(),
            front_head_member_id=front.pk if front else None, front_head_name="" if front else outsider(),
        )
    ctx.writer.flush()

