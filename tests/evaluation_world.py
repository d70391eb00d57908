"""Evaluation objects for the access matrix (``World.evaluation``), one set per location.

Per location (a cell: C1A in, C1B side, C2A out): an open members' round of this year with every
evaluation self-assessed, proposed and decided (the finalise, self, proposal and decision URLs
use it), a finalised committee members' round of this year (publish) and a published one of last
year (published list, Excel export).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

YEAR = dt.date.today().year


def complete(rnd, grade: str = "good") -> None:
    """Every evaluation of ``rnd`` self-assessed, proposed and decided (one UPDATE: this is a
    fixture; the services' own tests go step by step), then graded by the service."""
    from django.utils import timezone

    from dangvu.evaluation import services as es

    points = self_points(rnd)
    now = timezone.now()
    rnd.evaluations.update(self_points=points, self_total=sum(points.values()), self_grade=grade,
                           tasks_on_time_pct=100, tasks_exceeding_pct=10, self_at=now, proposed_grade=grade,
                           proposal_note="Thực hiện tốt nhiệm vụ", proposed_at=now, decided_grade=grade,
                           decided_at=now)
    es.refresh_round(rnd)


def self_points(rnd, share: float = 0.8) -> dict[str, float]:
    return {c["code"]: c["max"] * share for c in rnd.criteria()}


def self_payload(rnd) -> dict[str, str]:
    return {**{f"c_{k}": f"{v:g}" for k, v in self_points(rnd).items()}, "self_grade": "good",
            "tasks_on_time_pct": "100", "tasks_exceeding_pct": "20"}


def evaluation_objects(orgs: dict, members: dict) -> dict[str, dict[str, Any]]:
    from dangvu.evaluation import services as es

    out = {}
    for loc in ("in", "side", "out"):
        org = orgs[loc]
        current = es.open_round(None, org, "member", YEAR)
        complete(current)
        finalised = es.open_round(None, org, "committee_member", YEAR)
        complete(finalised)
        es.finalise_round(None, finalised)
        published = es.open_round(None, org, "committee_member", YEAR - 1)
        complete(published)
        es.finalise_round(None, published)
        es.publish_round(None, published)
        out[loc] = {"open": current, "finalised": finalised, "published": published,
                    "evaluation": current.evaluations.get(member=members[loc])}
    return out
