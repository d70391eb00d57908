"""Shared state and small helpers of the demo build: the plan of the tree (:class:`OrgSpec`), one
simulated member (:class:`Sim`), the build's context (:class:`DemoContext`) and result.

Generation is deterministic for a given ``(seed, today)``: one ``random.Random(seed)`` drives
every choice, and dates are placed relative to ``today`` so the history always ends "now".
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dateutil.relativedelta import relativedelta

from dangvu.registry.models import CELL_KINDS, Organization

from . import names as N
from .bulk import BulkWriter, DemoError

__all__ = ["DEMO_PASSWORD", "PROVINCE_MEMBERS", "SCALES", "TERMS", "TERM_MONTHS", "DemoContext", "DemoError",
           "DemoResult", "DemoStep", "DemoUser", "OrgSpec", "Sim", "age_on", "between", "pick", "years_after"]

DEMO_PASSWORD = "dangvu-2026"
SCALES = ("commune", "province")
PROVINCE_MEMBERS = 150_000
"""Default size of the province scale (members on the rolls)."""

# Congress terms: cells elect first (spring), grassroots committees next (summer), upper levels
# last (autumn). These are dates of the demo's history, not rule parameters.
TERMS = (("2020-2025", 2020, 2025), ("2025-2030", 2025, 2030))
TERM_MONTHS = {"cell": (3, 5), "grassroots": (7, 8), "upper": (9, 10)}

T = TypeVar("T")

# -- the plan of the tree ---------------------------------------------------------------------

@dataclass(eq=False)
class OrgSpec:
    """One organization to create, with what the generator needs to know about it."""

    code: str
    name: str
    kind: str
    sector: str = ""
    established_on: dt.date | None = None
    address: str = ""
    children: list[OrgSpec] = field(default_factory=list)
    size: int = 0  # members to generate (cells only)
    flags: frozenset[str] = frozenset()
    locality: tuple[str, str] | None = None  # (name, LocalityKind) of a residential cell
    upland: bool = False  # residential unit where an ethnic minority group lives
    region: N.Region | None = None  # units: whose people live there
    place: str = ""  # units: "xã Yên Khê"
    parent: OrgSpec | None = field(default=None, repr=False)
    unit: OrgSpec | None = field(default=None, repr=False)
    obj: Organization | None = field(default=None, repr=False)

    def add(self, child: OrgSpec) -> OrgSpec:
        child.parent = self
        self.children.append(child)
        return child

    @property
    def pk(self) -> int:
        assert self.obj is not None
        return self.obj.pk

    @property
    def is_cell(self) -> bool:
        return self.kind in CELL_KINDS

    def walk(self) -> Iterator[OrgSpec]:
        yield self
        for child in self.children:
            yield from child.walk()

    def cells(self) -> list[OrgSpec]:
        return [o for o in self.walk() if o.is_cell]


class Sim:
    """One member while the generator works on them (kept light: 150,000 of them at once)."""

    __slots__ = (
        "pk", "cell", "origin", "unit", "data", "name", "gender", "birth", "admitted_on", "full_on",
        "recog_on", "new", "status", "events", "exempt_on", "end_on", "moved_on", "pending", "away",
        "theory", "resident", "residence_org", "is_student", "locked", "posts", "ethnicity",
    )

    def __init__(self) -> None:
        self.pk: int | None = None
        self.events: list[tuple[dt.date, int, str, dict[str, Any]]] = []
        self.exempt_on = self.end_on = self.moved_on = self.recog_on = self.full_on = None
        self.pending = self.away = self.locked = self.is_student = False
        self.residence_org: OrgSpec | None = None
        self.posts: list[str] = []
        self.status = ""

    def is_full_on(self, day: dt.date) -> bool:
        return self.recog_on is not None and self.recog_on <= day


@dataclass
class DemoUser:
    username: str
    role: str
    organization: str
    password: str


@dataclass
class DemoResult:
    """What ``build_demo`` made: the root organization, the users and row counts."""

    root: Organization
    users: list[DemoUser]
    counts: dict[str, int]
    organizations: dict[str, int]
    members: dict[str, int]
    seconds: float
    scale: str
    seed: int

    @property
    def active_members(self) -> int:
        return sum(self.members.get(s, 0) for s in ("probationary", "full", "exempt"))



@dataclass
class DemoContext:
    """Shared state of one build; steps read and extend it."""

    scale: str
    seed: int
    today: dt.date
    progress: bool = False
    members_target: int | None = None
    rng: random.Random = field(init=False)
    window_start: dt.date = field(init=False)
    province: str = ""
    province_code: str = ""  # CCCD code of birth registration used for most locals
    root: OrgSpec | None = None
    units: list[OrgSpec] = field(default_factory=list)
    sims: list[Sim] = field(default_factory=list)
    cell_members: dict[str, list[Sim]] = field(default_factory=dict)
    writer: BulkWriter = field(default_factory=BulkWriter)
    users: list[DemoUser] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    cccd_serial: int = 0
    card_serial: int = 0
    decision_serial: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.window_start = self.today - relativedelta(years=3)

    @property
    def root_org(self) -> Organization:
        assert self.root is not None and self.root.obj is not None
        return self.root.obj

    def track(self, items: Iterable[T], desc: str, total: int | None = None, unit: str = " tổ chức") -> Iterable[T]:
        """``items`` with a tqdm progress bar on stderr when progress is on."""
        if not self.progress:
            return items
        from tqdm import tqdm

        return tqdm(items, desc=desc, total=total, file=sys.stderr, unit=unit, leave=True)

    def decision(self, unit: OrgSpec, suffix: str = "QĐ/ĐU") -> str:
        self.decision_serial[unit.code] += 1
        return f"{self.decision_serial[unit.code]}-{suffix}"


DemoStep = Callable[[DemoContext], None]


# -- small helpers -------------------------------------------------------------------------

def between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def years_after(day: dt.date, years: float) -> dt.date:
    whole = int(years)
    return day + relativedelta(years=whole) + dt.timedelta(days=int((years - whole) * 365))


def pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return N.weighted(rng, table)

