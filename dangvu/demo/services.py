"""Demo data builder: a commune (or a whole province) with three years of party-affairs history.

This is a service-layer module: it is the only code besides :mod:`dangvu.registry.services`
that writes registry rows, and it writes them in bulk for speed. Every member's lifecycle is
simulated first and checked event by event with :func:`dangvu.core.lifecycle.check_transition`
(the rule the services apply), then written together with its history (``StatusChange``), so
the stored status is always the last status of the timeline. Rule parameters (probation length,
discipline forms, cell committee size, temporary transfer months, minimum admission age) come
from :func:`dangvu.core.rulesets.ruleset_for`.

Generation is deterministic for a given ``(seed, today)``: one ``random.Random(seed)`` drives
every choice, and dates are placed relative to ``today`` so the history always ends "now".

The build is an ordered list of steps (``STEPS``); each takes the :class:`DemoContext`. Later
features append their own demo data with :func:`register_step`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from dateutil.relativedelta import relativedelta
from django.db import transaction

from dangvu.core.cccd import PROVINCE_CODES, make_cccd
from dangvu.core.lifecycle import DISCIPLINE_LABELS, Event, check_transition, probation_ends
from dangvu.core.rulesets import ruleset_for
from dangvu.core.text import fold
from dangvu.registry.models import (
    CELL_KINDS,
    Assignment,
    Commitment,
    Discipline,
    Locality,
    Member,
    Organization,
    OrgKind,
    Post,
    ResidenceLink,
    StatusChange,
    Training,
    Transfer,
    WorkingRules,
)

from . import names as N

DEMO_PASSWORD = "dangvu-2026"
SCALES = ("commune", "province")
PROVINCE_MEMBERS = 150_000
"""Default size of the province scale (members on the rolls)."""

BATCH = 2000

# Congress terms: cells elect first (spring), grassroots committees next (summer), upper levels
# last (autumn). These are dates of the demo's history, not rule parameters.
TERMS = (("2020-2025", 2020, 2025), ("2025-2030", 2025, 2030))
_TERM_MONTHS = {"cell": (3, 5), "grassroots": (7, 8), "upper": (9, 10)}

T = TypeVar("T")


class DemoError(RuntimeError):
    """The generator produced an inconsistent history (a bug in this module)."""


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


_MISSING = object()
_PLAIN_TYPES = frozenset({
    "AutoField", "BigAutoField", "SmallAutoField", "CharField", "TextField", "SlugField", "EmailField",
    "BooleanField", "IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "PositiveBigIntegerField", "ForeignKey", "OneToOneField",
})


class BulkWriter:
    """Buffers new rows per model and inserts them with ``executemany`` in batches.

    The demo writes millions of rows; building a model instance and compiling an INSERT per
    batch through the ORM costs far more than the database itself, so rows go in as plain tuples.
    Values are adapted with the connection's own adapters (dates, datetimes), defaults and
    ``auto_now`` fields are filled as the ORM would, and unknown field names are refused.
    Models in ``explicit_ids`` get their primary keys from :meth:`new_id` (the history rows need
    the member's id before anything is written); :meth:`finish` resets their sequences.
    """

    def __init__(self, batch: int = BATCH, explicit_ids: tuple[type, ...] = (Member,)) -> None:
        self.batch = batch
        self.explicit_ids = explicit_ids
        self.rows: dict[type, list[tuple]] = {}
        self.specs: dict[type, tuple[str, list[tuple[str, Any, Any]]]] = {}
        self.counts: Counter[str] = Counter()
        self._next: dict[type, int] = {}

    def _spec(self, model: type) -> tuple[str, list[tuple[str, Any, Any]]]:
        spec = self.specs.get(model)
        if spec is None:
            from django.db import connection
            from django.utils import timezone

            ops, qn, now = connection.ops, connection.ops.quote_name, timezone.now()
            columns = []
            for f in model._meta.concrete_fields:
                if f.primary_key and model not in self.explicit_ids:
                    continue
                kind = f.get_internal_type()
                if kind in _PLAIN_TYPES:
                    adapt = None  # the driver takes the Python value as is
                elif kind == "DateField":
                    adapt = ops.adapt_datefield_value
                elif kind == "DateTimeField":
                    adapt = ops.adapt_datetimefield_value
                else:  # anything else (JSON, decimal, time…) the way the ORM prepares it
                    adapt = partial(f.get_db_prep_save, connection=connection)
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    default = now
                else:
                    default = None if f.primary_key else f.get_default()
                columns.append((f.attname, adapt, adapt(default) if adapt and default is not None else default))
            column_of = {f.attname: f.column for f in model._meta.concrete_fields}
            names = ", ".join(qn(column_of[a]) for a, _, _ in columns)
            sql = (f"INSERT INTO {qn(model._meta.db_table)} ({names}) "
                   f"VALUES ({', '.join(['%s'] * len(columns))})")
            spec = self.specs[model] = (sql, columns)
        return spec

    def new_id(self, model: type) -> int:
        if model not in self._next:
            from django.db.models import Max

            self._next[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        pk = self._next[model]
        self._next[model] = pk + 1
        return pk

    def add(self, model: type, **values: Any) -> None:
        _, columns = self._spec(model)
        row = []
        for name, adapt, default in columns:
            value = values.pop(name, _MISSING)
            if value is _MISSING:
                row.append(default)
            else:
                row.append(adapt(value) if adapt is not None and value is not None else value)
        if values:
            raise TypeError(f"{model.__name__}: unknown fields {sorted(values)}")
        buf = self.rows.setdefault(model, [])
        buf.append(tuple(row))
        if len(buf) >= self.batch:
            self._write(model)

    def add_rows(self, model: type, names: tuple[str, ...], rows: Iterable[tuple]) -> None:
        """Many rows at once, each a tuple of values for ``names`` — the model's columns in the order
        :meth:`add` writes them, every one a type the driver takes as is (ids, strings, flags). The
        fast path for the millions of attendance rows: no per-row adapting."""
        sql_columns = self._spec(model)[1]
        if tuple(a for a, _, _ in sql_columns) != names or any(adapt for _, adapt, _ in sql_columns):
            raise TypeError(f"{model.__name__}: add_rows needs plain columns {[a for a, _, _ in sql_columns]}")
        buf = self.rows.setdefault(model, [])
        buf.extend(rows)
        if len(buf) >= self.batch:
            self._write(model)

    def _write(self, model: type) -> None:
        buf = self.rows.get(model)
        if buf:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.executemany(self._spec(model)[0], buf)
            self.counts[model.__name__] += len(buf)
            self.rows[model] = []

    def flush(self) -> None:
        for model in list(self.rows):
            self._write(model)

    def finish(self) -> None:
        """Write what is left and move id sequences past the explicit ids (PostgreSQL)."""
        self.flush()
        from django.core.management.color import no_style
        from django.db import connection

        statements = connection.ops.sequence_reset_sql(no_style(), list(self._next))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def _plain_indexes(cursor, table: str, vendor: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's indexes that enforce nothing (not unique, not the key)."""
    if vendor == "sqlite":
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                       "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'", [table])
    elif vendor == "postgresql":
        cursor.execute("SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x JOIN pg_class c ON c.oid = "
                       "x.indexrelid WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary",
                       [table])
    else:
        return []
    return list(cursor.fetchall())


@contextmanager
def deferred_indexes(writer: BulkWriter, *models: type) -> Iterator[None]:
    """Drop the plain indexes of ``models`` while ``writer`` fills them, then build them again.

    A B-tree fed millions of rows in random key order (attendance by member) costs several times
    more than building the index once at the end. Unique and primary-key indexes stay, so every
    constraint is checked as rows go in. Only inside a transaction (the build is one): a failure
    rolls the dropped indexes back with everything else.
    """
    from django.db import connection

    if not connection.in_atomic_block:
        raise DemoError("deferred_indexes needs a transaction")
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        dropped = [ix for m in models for ix in _plain_indexes(cursor, m._meta.db_table, connection.vendor)]
        for name, _ in dropped:
            cursor.execute(f"DROP INDEX {qn(name)}")
    yield
    writer.flush()
    with connection.cursor() as cursor:
        if dropped and connection.vendor == "postgresql":
            # PostgreSQL builds no index on a table with deferred foreign-key checks pending: run
            # them now (every row is written), then defer again for the steps still to come.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _, sql in dropped:
            cursor.execute(sql)


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

def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _years_after(day: dt.date, years: float) -> dt.date:
    whole = int(years)
    return day + relativedelta(years=whole) + dt.timedelta(days=int((years - whole) * 365))


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return N.weighted(rng, table)


# -- step 1: the tree ------------------------------------------------------------------------

# Workplace cells of a commune: (sector, name pattern, base size, flags).
_WORKPLACE = (
    ("agency", "Chi bộ Văn phòng Đảng ủy", 12, frozenset({"party_office"})),
    ("agency", "Chi bộ Cơ quan Hội đồng nhân dân – Ủy ban nhân dân {place}", 22, frozenset()),
    ("agency", "Chi bộ Mặt trận Tổ quốc và các đoàn thể", 14, frozenset({"students"})),
    ("school", "Chi bộ Trường Mầm non {name}", 10, frozenset()),
    ("school", "Chi bộ Trường Tiểu học {name}", 12, frozenset({"sub"})),
    ("school", "Chi bộ Trường Trung học cơ sở {name}", 14, frozenset({"sub", "no_committee"})),
    ("school", "Chi bộ Trường Trung học phổ thông {name}", 18, frozenset({"students"})),
    ("health", "Chi bộ Trạm Y tế {place}", 9, frozenset()),
    ("soe", "Chi bộ Xí nghiệp Thủy lợi {name}", 10, frozenset()),
    ("private", "Chi bộ Công ty Cổ phần May {brand}", 12, frozenset()),
    ("private", "Chi bộ Công ty TNHH Chế biến Nông sản {brand}", 4, frozenset({"small"})),
    ("private", "Chi bộ Công ty TNHH Vật liệu Xây dựng {brand}", 3, frozenset({"recent"})),
    ("military", "Chi bộ Quân sự {place}", 10, frozenset()),
    ("police", "Chi bộ Công an {place}", 14, frozenset()),
)
_BASE_WORKPLACE = sum(size for _, _, size, flags in _WORKPLACE if not flags & {"small", "recent"})


def _plan_commune(ctx: DemoContext, parent: OrgSpec | None, code: str, name: str, *, ward: bool,
                  region: N.Region, n_cells: int, target: int, with_sub: bool) -> OrgSpec:
    """A commune (or ward) party committee with its cells, sized to about ``target`` members."""
    rng = ctx.rng
    place = f"{'phường' if ward else 'xã'} {name}"
    unit = OrgSpec(
        code=code, name=f"Đảng bộ {place}", kind=OrgKind.GRASSROOTS_COMMITTEE,
        established_on=dt.date(rng.randint(1946, 1985), rng.randint(1, 12), rng.randint(1, 28)),
        address=f"{place}, tỉnh {ctx.province}", region=region, place=place,
    )
    if parent is not None:
        parent.add(unit)
    unit.unit = unit
    brands = rng.sample(N.BRANDS, 3)
    scale_w = min(1.4, max(0.8, target / 750)) * rng.uniform(0.9, 1.1)
    cells: list[OrgSpec] = []
    for sector, pattern, base, flags in _WORKPLACE:
        cell_name = pattern.format(place=place, name=name, brand=brands[len(cells) % 3])
        if flags & {"small", "recent"}:
            size = base
        else:
            size = max(6, round(base * scale_w * rng.uniform(0.8, 1.2)))
        if "no_committee" in flags:
            size = max(size, 18)
        established = dt.date(rng.randint(1975, 2018), rng.randint(1, 12), rng.randint(1, 28))
        if "recent" in flags:
            established = ctx.today - dt.timedelta(days=rng.randint(150, 300))
            if ctx.today.month >= 4:  # new organizations are counted per year: this year's, once it can be
                established = max(established, dt.date(ctx.today.year, 1, 2))
        cells.append(OrgSpec(code="", name=cell_name, kind=OrgKind.CELL, sector=sector, size=size,
                             flags=flags, established_on=established, address=unit.address))
    n_res = max(1, n_cells - len(cells))
    res_total = max(12 * n_res, target - sum(c.size for c in cells))
    weights = [rng.uniform(0.35, 1.65) for _ in range(n_res)]
    cap = max(60, round(res_total / n_res * 1.6))
    taken: set[str] = set()
    no_committee = rng.randrange(n_res)
    res_cells = []
    for i, w in enumerate(weights):
        size = min(cap, max(12, round(res_total * w / sum(weights))))
        upland = rng.random() < region.upland_share
        if ward:
            loc_name, loc_kind = f"Tổ dân phố số {i + 1}", "residential_group"
        else:
            loc_name, loc_kind = N.residential_unit(rng, region, upland, taken)
        flags = frozenset({"no_committee"}) if i == no_committee else frozenset()
        if "no_committee" in flags:
            size = max(size, 18)
        res_cells.append(OrgSpec(
            code="", name=f"Chi bộ {loc_name[0].lower()}{loc_name[1:]}" if not ward else f"Chi bộ {loc_name}",
            kind=OrgKind.CELL, sector="residential", size=size, flags=flags, upland=upland,
            locality=(loc_name, loc_kind), address=f"{loc_name}, {place}, tỉnh {ctx.province}",
            established_on=dt.date(rng.randint(1955, 2005), rng.randint(1, 12), rng.randint(1, 28)),
        ))
    # Residential cells first (numbered 01..), then the workplace cells.
    ordered = res_cells + cells
    sub = None
    if with_sub:
        sub = unit.add(OrgSpec(code="", name="Đảng bộ bộ phận Khối trường học", kind=OrgKind.SUB_COMMITTEE,
                               established_on=dt.date(rng.randint(2005, 2015), 9, 1), address=unit.address))
    number = 0
    for cell in ordered:
        if sub is not None and "sub" in cell.flags:
            continue
        number += 1
        cell.code = f"{code}-{number:02d}"
        unit.add(cell)
    if sub is not None:
        number += 1
        sub.code = f"{code}-{number:02d}"
        for i, cell in enumerate(c for c in ordered if "sub" in c.flags):
            cell.code = f"{sub.code}-{i + 1}"
            sub.add(cell)
    for org in unit.walk():
        org.unit = unit
    ctx.units.append(unit)
    return unit


def _plan_agency_unit(ctx: DemoContext, parent: OrgSpec, code: str, sector: str, name: str,
                      size: int) -> None:
    """A provincial agency: a grassroots committee with cells, or a single grassroots cell."""
    rng = ctx.rng
    address = f"Thành phố {ctx.province}, tỉnh {ctx.province}"
    established = dt.date(rng.randint(1976, 2010), rng.randint(1, 12), rng.randint(1, 28))
    if size < 40:
        unit = parent.add(OrgSpec(code=code, name=f"Chi bộ {name}", kind=OrgKind.GRASSROOTS_CELL, sector=sector,
                                  size=max(size, 6), established_on=established, address=address, place=name,
                                  region=N.REGIONS["delta"]))
        unit.unit = unit
        ctx.units.append(unit)
        return
    unit = parent.add(OrgSpec(code=code, name=f"Đảng bộ {name}", kind=OrgKind.GRASSROOTS_COMMITTEE,
                              established_on=established, address=address, place=name,
                              region=N.REGIONS["delta"]))
    unit.unit = unit
    n = max(3, math.ceil(size / 30))
    depts = list(N.DEPARTMENTS.get(sector, N.DEPARTMENTS["agency"]))
    rng.shuffle(depts)
    for i in range(n):
        dept = depts[i] if i < len(depts) else f"{depts[i % len(depts)]} {i // len(depts) + 1}"
        cell = unit.add(OrgSpec(code=f"{code}-{i + 1:02d}", name=f"Chi bộ {dept}", kind=OrgKind.CELL,
                                sector=sector, size=max(5, round(size / n * rng.uniform(0.7, 1.3))),
                                established_on=established, address=address))
        cell.unit = unit
    ctx.units.append(unit)


def plan_tree(ctx: DemoContext) -> None:
    """Decide the organizations (no database yet)."""
    rng = ctx.rng
    ctx.province = rng.choice(N.PROVINCE_NAMES)
    ctx.province_code = rng.choice(sorted(PROVINCE_CODES))
    if ctx.scale == "commune":
        name = N.commune_name(rng, set())
        region = N.REGIONS[rng.choice(N.COMMUNE_REGIONS)]
        target = ctx.members_target or rng.randint(700, 800)
        code = "X-" + fold(name).upper().replace(" ", "")
        ctx.root = _plan_commune(ctx, None, code, name, ward=False, region=region, n_cells=30, target=target,
                                 with_sub=True)
        return
    total = ctx.members_target or PROVINCE_MEMBERS
    code = "".join(w[0] for w in fold(ctx.province).upper().split())
    root = OrgSpec(code=code, name=f"Đảng bộ tỉnh {ctx.province}", kind=OrgKind.PROVINCE,
                   established_on=dt.date(1930, rng.randint(3, 12), rng.randint(1, 28)),
                   address=f"Thành phố {ctx.province}, tỉnh {ctx.province}")
    root.unit = root
    ctx.root = root
    upper_target = total * 0.12
    communes_target = total - upper_target
    per_commune = 1320
    n_communes = max(2, round(communes_target / per_commune))
    per_commune = round(communes_target / n_communes)
    uppers = (("K1", "Đảng bộ các cơ quan Đảng tỉnh", N.PROVINCE_PARTY_UNITS),
              ("K2", "Đảng bộ Ủy ban nhân dân tỉnh", N.PROVINCE_STATE_UNITS))
    weight_sum = sum(w for _, _, units in uppers for _, _, w in units)
    for key, name, units in uppers:
        upper = root.add(OrgSpec(code=f"{code}-{key}", name=name, kind=OrgKind.UPPER,
                                 established_on=dt.date(rng.randint(1990, 2008), rng.randint(1, 12), 1),
                                 address=root.address))
        upper.unit = upper
        for i, (sector, unit_name, weight) in enumerate(units):
            size = round(upper_target * weight / weight_sum * rng.uniform(0.85, 1.15))
            _plan_agency_unit(ctx, upper, f"{upper.code}-{i + 1:02d}", sector, unit_name, size)
    taken: set[str] = set()
    for i in range(n_communes):
        ward = rng.random() < 0.2
        region = N.REGIONS["delta" if ward and rng.random() < 0.6 else _pick(rng, N.PROVINCE_REGIONS)]
        target = round(per_commune * rng.uniform(0.75, 1.25))
        n_cells = min(40, max(25, round(target / 45 * rng.uniform(0.9, 1.1))))
        _plan_commune(ctx, root, f"{code}-X{i + 1:03d}", N.commune_name(rng, taken), ward=ward, region=region,
                      n_cells=n_cells, target=target, with_sub=rng.random() < 0.3)


def write_tree(ctx: DemoContext) -> None:
    """Create the organizations with their materialized paths computed here (treebeard's
    ``_get_path``), depth and numchild set, siblings ordered by code (``node_order_by``)."""
    assert ctx.root is not None
    last = Organization.objects.get_last_root_node()
    index = Organization._str2int(last.path) + 1 if last else 1
    objs: list[Organization] = []

    def place(spec: OrgSpec, parent_path: str | None, depth: int, step: int) -> None:
        path = Organization._get_path(parent_path, depth, step)
        spec.children.sort(key=lambda c: c.code)
        spec.obj = Organization(
            code=spec.code, name=spec.name, kind=spec.kind, sector=spec.sector,
            established_on=spec.established_on, address=spec.address,
            path=path, depth=depth, numchild=len(spec.children),
        )
        objs.append(spec.obj)
        for i, child in enumerate(spec.children, start=1):
            place(child, path, depth + 1, i)

    place(ctx.root, None, 1, index)
    Organization.objects.bulk_create(objs, batch_size=500)
    if any(o.pk is None for o in objs):  # a backend that does not return ids from bulk inserts
        by_code = dict(Organization.objects.filter(code__in=[o.code for o in objs]).values_list("code", "pk"))
        for o in objs:
            o.pk = by_code[o.code]
    ctx.writer.counts["Organization"] += len(objs)


# -- step 2: members and their history -------------------------------------------------------

# Age bands (from, to, share), share of women and share admitted in the last three years.
_PROFILES: dict[str, tuple[tuple[tuple[int, int, float], ...], float, float]] = {
    "residential": (((24, 45, 0.35), (45, 65, 0.35), (65, 86, 0.30)), 0.35, 0.07),
    "agency": (((24, 35, 0.35), (35, 50, 0.45), (50, 60, 0.20)), 0.42, 0.08),
    "school": (((23, 35, 0.35), (35, 50, 0.45), (50, 58, 0.20)), 0.75, 0.09),
    "health": (((24, 35, 0.35), (35, 50, 0.45), (50, 58, 0.20)), 0.65, 0.08),
    "soe": (((23, 35, 0.35), (35, 50, 0.45), (50, 59, 0.20)), 0.30, 0.08),
    "private": (((22, 35, 0.55), (35, 50, 0.40), (50, 58, 0.05)), 0.45, 0.15),
    "military": (((21, 35, 0.50), (35, 50, 0.45), (50, 55, 0.05)), 0.05, 0.10),
    "police": (((22, 35, 0.55), (35, 50, 0.40), (50, 55, 0.05)), 0.12, 0.10),
}

_THEORY: dict[str, tuple[tuple[str, float], ...]] = {
    "residential": (("", 45), ("elementary", 45), ("intermediate", 8), ("advanced", 2)),
    "agency": (("", 5), ("elementary", 30), ("intermediate", 50), ("advanced", 15)),
    "school": (("", 15), ("elementary", 60), ("intermediate", 22), ("advanced", 3)),
    "health": (("", 25), ("elementary", 55), ("intermediate", 18), ("advanced", 2)),
    "soe": (("", 45), ("elementary", 43), ("intermediate", 12)),
    "private": (("", 55), ("elementary", 38), ("intermediate", 7)),
    "military": (("", 5), ("elementary", 45), ("intermediate", 45), ("advanced", 5)),
    "police": (("", 5), ("elementary", 45), ("intermediate", 45), ("advanced", 5)),
}


def _ethnicity(rng: random.Random, region: N.Region, upland: bool, workplace: bool) -> str:
    if rng.random() < 0.02:  # moved here for work or marriage, from anywhere in the country
        return rng.choice(sorted(N.ETHNIC))
    minorities = tuple((e, w) for e, w in region.ethnic_mix if e != "Kinh")
    if not minorities:
        return "Kinh"
    if upland:
        return _pick(rng, minorities) if rng.random() < 0.85 else "Kinh"
    share = sum(w for _, w in minorities) / 100 * (0.5 if workplace else 0.25)
    return _pick(rng, minorities) if rng.random() < share else "Kinh"


def _person(ctx: DemoContext, unit: OrgSpec, cell: OrgSpec, *, new: bool, student: str = "",
            forced_admission: tuple[dt.date, dt.date] | None = None) -> Sim:
    """One member: identity, admission and (when due) recognition events."""
    rng, today = ctx.rng, ctx.today
    sector = cell.sector or "agency"
    bands, female_share, _ = _PROFILES[sector]
    region = unit.region or N.REGIONS["delta"]
    rs = ruleset_for(today)
    age_min = rs["admission.age_min_years"]
    s = Sim()
    s.cell = s.origin = cell
    s.unit = unit
    s.new = new
    s.gender = "female" if rng.random() < female_share else "male"
    s.ethnicity = _ethnicity(rng, region, cell.upland, sector != "residential")
    if forced_admission is not None:
        s.admitted_on = _between(rng, *forced_admission)
        admit_age = age_min + rng.uniform(0.1, 0.9) if student == "pupil" else rng.uniform(age_min + 1, 33)
        s.birth = s.admitted_on - dt.timedelta(days=int(admit_age * 365.25))
    elif new:
        s.admitted_on = _between(rng, ctx.window_start, today - dt.timedelta(days=7))
        top = 23 if student else 36
        admit_age = rng.uniform(age_min + 0.3, top)
        s.birth = s.admitted_on - dt.timedelta(days=int(admit_age * 365.25))
    else:
        low, high, _ = rng.choices(bands, [b[2] for b in bands])[0]
        if student:
            low, high = age_min + 1, age_min + 4
        age = rng.uniform(low, high)
        s.birth = today - dt.timedelta(days=int(age * 365.25))
        latest = ctx.window_start - dt.timedelta(days=1)
        earliest = _years_after(s.birth, age_min + 0.3)
        if earliest >= latest:  # too young to have joined before the window: a new member
            s.new = True
            s.admitted_on = _between(rng, max(earliest, ctx.window_start), today - dt.timedelta(days=7))
        else:
            s.admitted_on = _between(rng, earliest, min(latest, _years_after(s.birth, 38)))
    s.name = N.person_name(rng, s.gender, s.ethnicity)
    s.is_student = bool(student)
    s.theory = "" if s.new and rng.random() < 0.8 else _pick(rng, _THEORY[sector])
    age_now = _age(s.birth, today)
    s.resident = True
    residence = f"{cell.locality[0]}, {unit.place}, tỉnh {ctx.province}" if cell.locality else ""
    if sector == "residential":
        if age_now < 50 and rng.random() < 0.1:  # works far away, still on this cell's rolls
            s.resident = False
            residence = f"xã {N.commune_name(rng, set())}, tỉnh {rng.choice(N.PROVINCE_NAMES)}"
        s.residence_org = cell
    else:
        villages = ctx.extra.get("villages", {}).get(unit.code, [])
        if villages and rng.random() < 0.65:
            s.residence_org = rng.choice(villages)
            residence = f"{s.residence_org.locality[0]}, {unit.place}, tỉnh {ctx.province}"
        else:
            s.resident = False
            residence = f"xã {N.commune_name(rng, set())}, tỉnh {ctx.province}"
    if student == "pupil":
        occupation = "Học sinh lớp 12"
    elif student:
        occupation = "Sinh viên"
    elif sector == "residential" and age_now >= 62:
        occupation = rng.choice(N.OCCUPATIONS_RETIRED + ("Hưu trí", "Nông dân"))
    else:
        occupation = rng.choice([o for o in N.OCCUPATIONS[sector] if o not in N.OCCUPATIONS_RETIRED])
    if s.birth.year < 1965:
        education = rng.choice(N.EDUCATION_OLD)
    elif s.birth.year < 1985:
        education = rng.choice(N.EDUCATION_MID)
    else:
        education = rng.choice(N.EDUCATION_YOUNG)
    if student == "pupil":
        education = "12/12"
    local = rng.random() < 0.8
    ctx.cccd_serial += 1
    cccd = make_cccd(ctx.province_code if local else rng.choice(sorted(PROVINCE_CODES)), s.gender, s.birth.year,
                     (ctx.cccd_serial * 7919 + 104_729) % 1_000_000)
    home = (f"{unit.place}, tỉnh {ctx.province}" if local and unit.kind != OrgKind.GRASSROOTS_CELL
            else f"xã {N.commune_name(rng, set())}, tỉnh {rng.choice(N.PROVINCE_NAMES)}")
    phone = ""
    if rng.random() < (0.7 if age_now >= 70 else 0.95):
        phone = rng.choice(N.PHONE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"
    s.data = {
        "gender": s.gender, "ethnicity": s.ethnicity, "religion": N.religion_for(rng, s.ethnicity),
        "home_town": home, "residence": residence, "phone": phone, "cccd": cccd, "education": education,
        "qualification": "" if student else rng.choice(N.QUALIFICATIONS[sector]), "occupation": occupation,
        "commune_official": False,
    }
    # Admission and recognition of full membership.
    s.full_on = probation_ends(s.admitted_on)
    if s.new:
        s.events.append((s.admitted_on, 0, Event.ADMIT, {"decision": ctx.decision(unit)}))
        decided = s.full_on + dt.timedelta(days=rng.randint(3, 45))
        overdue = rng.random() < 0.12
        if forced_admission is None and not overdue and decided <= today:
            s.recog_on = decided
            s.events.append((decided, 1, Event.RECOGNIZE_FULL, {"decision": ctx.decision(unit)}))
    else:
        s.events.append((s.admitted_on, 0, Event.ADMIT, {"note": "Nhập hồ sơ đảng viên"}))
        s.recog_on = s.full_on
        s.events.append((s.full_on, 1, Event.RECOGNIZE_FULL, {"register": True}))
    return s


def _cell_people(ctx: DemoContext, unit: OrgSpec, cell: OrgSpec) -> list[Sim]:
    rng, today = ctx.rng, ctx.today
    new_rate = _PROFILES[cell.sector or "agency"][2]
    out: list[Sim] = []
    if "recent" in cell.flags:
        # A new enterprise cell: two members moved in from other cells, one admitted since.
        assert cell.established_on is not None
        others = [c for c in unit.cells() if c is not cell and not c.flags & {"recent", "small"}]
        for _ in range(cell.size - 1):
            letter = cell.established_on + dt.timedelta(days=rng.randint(3, 20))
            s = _person(ctx, unit, cell, new=False)
            while s.recog_on is None or s.recog_on >= letter:  # only full members move in
                s = _person(ctx, unit, cell, new=False)
            s.origin = rng.choice(others)
            s.locked = True
            confirmed = letter + dt.timedelta(days=rng.randint(2, 10))
            _add_transfer(ctx, s, "permanent", s.origin, cell, letter, confirmed,
                          reason="Chuyển công tác về doanh nghiệp mới thành lập")
            s.moved_on = confirmed
            out.append(s)
        start = cell.established_on + dt.timedelta(days=40)
        s = _person(ctx, unit, cell, new=True, forced_admission=(start, today - dt.timedelta(days=10)))
        s.locked = True
        out.append(s)
        return out
    forced = 2 if "small" in cell.flags else 0
    span = ruleset_for(today)["admission.probation_months"]
    for i in range(forced):  # still within probation: the cell has fewer full members than required
        recent = today - relativedelta(months=span) + dt.timedelta(days=20)
        # The first one's probation ends within weeks (the "probation ending" alert).
        window = (recent - dt.timedelta(days=15), recent + dt.timedelta(days=5)) if i == 0 else (
            recent, today - dt.timedelta(days=15))
        s = _person(ctx, unit, cell, new=True, forced_admission=window)
        s.locked = True
        out.append(s)
    students = 0
    if "students" in cell.flags:
        students = rng.randint(1, 2)
        kind = "pupil" if cell.sector == "school" else "university"
        for _ in range(students):
            if kind == "pupil":
                recent = today - dt.timedelta(days=300)
                s = _person(ctx, unit, cell, new=True, student=kind,
                            forced_admission=(recent, today - dt.timedelta(days=20)))
            else:
                s = _person(ctx, unit, cell, new=True, student=kind)
            s.locked = True
            out.append(s)
    for _ in range(cell.size - forced - students):
        out.append(_person(ctx, unit, cell, new=rng.random() < new_rate))
    if cell.sector == "residential" and rng.random() < 0.4:
        candidates = [s for s in out if 28 <= _age(s.birth, today) <= 55 and s.resident]
        for s in rng.sample(candidates, min(len(candidates), rng.randint(1, 2))):
            s.data["commune_official"] = True
            s.data["occupation"] = rng.choice(("Công chức xã", "Cán bộ xã", "Công chức Văn phòng – Thống kê"))
    return out


def _add_transfer(ctx: DemoContext, s: Sim, kind: str, src: OrgSpec, dst: OrgSpec, letter: dt.date,
                  confirmed: dt.date | None, *, ends_on: dt.date | None = None, returned: dt.date | None = None,
                  reason: str = "") -> None:
    state = "pending" if confirmed is None else ("returned" if returned else "confirmed")
    plan = {"kind": kind, "from": src, "to": dst, "letter_on": letter, "confirmed_on": confirmed,
            "ends_on": returned or ends_on, "state": state, "reason": reason,
            "cause_on": letter - dt.timedelta(days=ctx.rng.randint(5, 30))}
    out_event = Event.TRANSFER_OUT if kind == "permanent" else Event.TEMPORARY_OUT
    s.events.append((letter, 2, out_event, {"transfer": plan, "from": src, "to": dst, "note": reason}))
    if confirmed is not None:
        label = "chính thức" if kind == "permanent" else "tạm thời"
        s.events.append((confirmed, 3, Event.TRANSFER_IN, {"from": src, "to": dst, "note": f"Tiếp nhận {label}"}))
    if returned is not None:
        s.events.append((returned, 4, Event.TEMPORARY_RETURN, {"from": dst, "to": src}))


def _unit_events(ctx: DemoContext, unit: OrgSpec, sims: list[Sim]) -> None:
    """Deaths, exemptions, removals, discipline and transfers over the last three years."""
    rng, today, start = ctx.rng, ctx.today, ctx.window_start
    yesterday = today - dt.timedelta(days=1)
    free = [s for s in sims if not s.locked]

    def end(s: Sim, day: dt.date, event: str, payload: dict[str, Any]) -> None:
        s.end_on = day
        s.events.append((day, 9, event, payload))
        if s.recog_on is not None and s.recog_on >= day:  # never recognized: the decision did not come
            s.recog_on = None
            s.events = [e for e in s.events if e[2] != Event.RECOGNIZE_FULL]

    def busy(s: Sim) -> bool:
        return s.end_on is not None or s.exempt_on is not None or s.moved_on is not None or s.pending or s.away

    # Deaths (mostly the elderly), removals and expulsion: each the last event of a timeline.
    for s in free:
        age = _age(s.birth, today)
        if rng.random() < (0.07 if age >= 68 else 0.002):
            end(s, _between(rng, max(start, s.admitted_on + dt.timedelta(days=30)), yesterday), Event.DEATH, {})
        elif age < 60 and rng.random() < 0.004:
            end(s, _between(rng, max(start, s.admitted_on + dt.timedelta(days=90)), yesterday), Event.STRIKE_OFF,
                {"decision": ctx.decision(unit), "note": rng.choice(N.STRIKE_OFF_REASONS)})
    expulsions = int(len(sims) / 1500 + rng.random())
    pool = [s for s in free if s.end_on is None and s.recog_on and s.recog_on < today - dt.timedelta(days=200)
            and _age(s.birth, today) < 62]
    for s in rng.sample(pool, min(expulsions, len(pool))):
        end(s, _between(rng, max(start, s.recog_on + dt.timedelta(days=30)), yesterday), Event.EXPEL, {
            "form": "expulsion", "decision": ctx.decision(unit, "QĐ/UBKT"),
            "note": "Vi phạm pháp luật, bị tòa án tuyên phạt tù"})
    # Exemption of elderly members (Điều lệ Đảng, Điều 7), before any later death.
    for s in free:
        if s.cell.sector != "residential" or s.recog_on is None:
            continue
        seventy = _years_after(s.birth, 70)
        if seventy < today - dt.timedelta(days=365) and rng.random() < 0.4:
            lo = max(seventy, s.recog_on + dt.timedelta(days=1), today - relativedelta(years=8))
            hi = (s.end_on - dt.timedelta(days=30)) if s.end_on else yesterday
            if lo < hi:
                s.exempt_on = _between(rng, lo, hi)
                s.events.append((s.exempt_on, 5, Event.EXEMPT, {"note": "Tuổi cao, sức yếu, có đơn đề nghị"}))
    # Reprimand and warning (probationary members only those; Điều lệ Đảng, Điều 35).
    cases = max(1, round(len(sims) / 180 * rng.uniform(0.6, 1.4)))
    pool = [s for s in free if not busy(s)]
    for s in rng.sample(pool, min(cases, len(pool))):
        day = _between(rng, max(start, s.admitted_on + dt.timedelta(days=60)), yesterday)
        rs = ruleset_for(day)
        probationary = not s.is_full_on(day)
        forms = [f for f in ("reprimand", "warning")
                 if f in rs["discipline.forms_probationary" if probationary else "discipline.forms_member"]]
        form = rng.choices(forms, [7, 3][: len(forms)])[0]
        s.events.append((day, 6, Event.DISCIPLINE, {
            "form": form, "decision": ctx.decision(unit, "QĐ/ĐU"), "note": rng.choice(N.DISCIPLINE_REASONS),
            "self_corrected": rng.random() < 0.2}))
    cells = [c for c in unit.cells() if not c.flags & {"recent", "small"}]  # these stay small
    if len(cells) < 2:
        return
    # Permanent transfers between cells of the unit (confirmed), a few still pending.
    def target_for(s: Sim) -> OrgSpec:
        same = [c for c in cells if c is not s.cell and (c.sector == "residential") == (s.cell.sector == "residential")]
        others = [c for c in cells if c is not s.cell]
        return rng.choice(same if same and rng.random() < 0.75 else others)

    def candidates() -> list[Sim]:
        return [s for s in free if not busy(s) and _age(s.birth, today) < 65
                and s.admitted_on < today - dt.timedelta(days=120)]

    for s in rng.sample(candidates(), min(max(2, round(len(sims) / 90)), len(candidates()))):
        dst = target_for(s)
        letter = _between(rng, max(start, s.admitted_on + dt.timedelta(days=30)), today - dt.timedelta(days=40))
        confirmed = letter + dt.timedelta(days=rng.randint(3, 25))
        kind = "residential" if s.cell.sector == "residential" else "workplace"
        _add_transfer(ctx, s, "permanent", s.cell, dst, letter, confirmed,
                      reason=rng.choice(N.TRANSFER_REASONS[kind]))
        s.moved_on = confirmed
        s.cell = dst
    for s in rng.sample(candidates(), min(max(1, round(len(sims) / 400)), len(candidates()))):
        letter = today - dt.timedelta(days=rng.randint(3, 40))
        if letter <= s.admitted_on:
            continue
        kind = "residential" if s.cell.sector == "residential" else "workplace"
        _add_transfer(ctx, s, "permanent", s.cell, target_for(s), letter, None,
                      reason=rng.choice(N.TRANSFER_REASONS[kind]))
        s.pending = True
    # Temporary transfers: some still away, some back.
    rs = ruleset_for(today)
    low, high = rs["transfer.temporary_work_min_months"], rs["transfer.temporary_work_max_months"]
    workplaces = [c for c in cells if c.sector in ("private", "soe", "agency")] or cells
    for s in rng.sample(candidates(), min(max(1, round(len(sims) / 200)), len(candidates()))):
        dst = rng.choice([c for c in workplaces if c is not s.cell] or [c for c in cells if c is not s.cell])
        letter = _between(rng, max(start, s.admitted_on + dt.timedelta(days=30)), today - dt.timedelta(days=30))
        ends = letter + relativedelta(months=rng.randint(low, max(low, high - 1)))
        confirmed = letter + dt.timedelta(days=rng.randint(3, 15))
        returned = ends if ends < today - dt.timedelta(days=5) else None
        _add_transfer(ctx, s, "temporary", s.cell, dst, letter, min(confirmed, yesterday), ends_on=ends,
                      returned=returned, reason=rng.choice(N.TRANSFER_REASONS["temporary"]))
        s.away = returned is None


def _write_unit(ctx: DemoContext, unit: OrgSpec, sims: list[Sim]) -> None:
    """Check each timeline with the lifecycle rule, then write members and their history."""
    writer = ctx.writer
    for s in sims:
        status: str | None = None
        rows = []
        for on, _, event, p in sorted(s.events, key=lambda e: (e[0], e[1])):
            check = Event.DISCIPLINE if event == Event.EXPEL else event
            try:
                after = check_transition(check, status, on, admitted_on=s.admitted_on if status else None,
                                         discipline_form=p.get("form"), rs=ruleset_for(on))
            except ValueError as exc:
                raise DemoError(f"{s.name}: {event} {on}: {exc}") from exc
            rows.append((on, event, status or "", after, p))
            status = after
        s.status = str(status)
        recognized = s.recog_on is not None
        if recognized:
            ctx.card_serial += 1
        s.pk = writer.new_id(Member)
        writer.add(
            Member, id=s.pk, organization_id=s.cell.pk, full_name=s.name, name_folded=fold(s.name),
            birth_date=s.birth, admitted_on=s.admitted_on, full_on=s.full_on if recognized else None,
            status=s.status, political_theory=s.theory, is_student=s.is_student, resident=s.resident,
            card_number=f"{ctx.province_code[1:]}.{ctx.card_serial:06d}" if recognized else "", **s.data,
        )
        s.data = None
        for on, event, before, after, p in rows:
            src, dst = p.get("from"), p.get("to")
            if event == Event.ADMIT:
                dst = s.origin
            note = p.get("note", "")
            if event == Event.RECOGNIZE_FULL and not p.get("register"):
                note = f"Quyết định ngày {on:%d/%m/%Y}"
            if p.get("form"):
                note = f"{DISCIPLINE_LABELS[p['form']]}. {note}".strip()
                writer.add(Discipline, member_id=s.pk, form=p["form"], decided_on=on,
                           decision_number=p.get("decision", ""), reason=p.get("note", ""),
                           self_corrected=p.get("self_corrected", False))
            if "transfer" in p:
                t = p["transfer"]
                writer.add(Transfer, member_id=s.pk, kind=t["kind"], from_org_id=t["from"].pk,
                           to_org_id=t["to"].pk, cause_on=t["cause_on"], letter_on=t["letter_on"],
                           ends_on=t["ends_on"], confirmed_on=t["confirmed_on"], state=t["state"],
                           reason=t["reason"])
            writer.add(StatusChange, member_id=s.pk, event=str(event), on=on, from_status=before, to_status=after,
                       from_org_id=src.pk if src else None, to_org_id=dst.pk if dst else None,
                       decision_number=p.get("decision", ""), note=note)
        s.events = []
    writer.flush()


def members(ctx: DemoContext) -> None:
    """Members of every cell with three years of lifecycle events."""
    for unit in ctx.units:  # where the workplace members of each commune live
        ctx.extra.setdefault("villages", {})[unit.code] = [c for c in unit.cells() if c.sector == "residential"]
    for unit in ctx.track(ctx.units, "Đảng viên"):
        sims: list[Sim] = []
        for cell in unit.cells():
            sims.extend(_cell_people(ctx, unit, cell))
        _unit_events(ctx, unit, sims)
        _write_unit(ctx, unit, sims)
        ctx.sims.extend(sims)
    for s in ctx.sims:
        ctx.cell_members.setdefault(s.cell.code, []).append(s)


# -- step 3: posts -----------------------------------------------------------------------------

def _term_dates(ctx: DemoContext, level: str) -> list[tuple[str, dt.date, dt.date | None]]:
    rng = ctx.rng
    lo, hi = _TERM_MONTHS[level]
    out = []
    for label, y0, _y1 in TERMS:
        start = dt.date(y0, rng.randint(lo, hi), rng.randint(1, 28))
        out.append((label, start, None))
    if out[1][1] <= ctx.today:  # the old term ends when the new one starts
        out[0] = (out[0][0], out[0][1], out[1][1])
    return [t for t in out if t[1] <= ctx.today]


def _eligible_now(s: Sim, start: dt.date) -> bool:
    return (s.status == "full" and s.is_full_on(start) and (s.moved_on is None or s.moved_on <= start)
            and not s.pending and not s.away and 24 <= _age(s.birth, start) <= 66)


def _eligible_then(s: Sim, start: dt.date, end: dt.date) -> bool:
    return (s.is_full_on(start) and s.moved_on is None and s.status != "expelled"
            and (s.exempt_on is None or s.exempt_on > end) and (s.end_on is None or s.end_on > end)
            and 25 <= _age(s.birth, start) <= 66)


def _add_post(ctx: DemoContext, org: OrgSpec, s: Sim, role: str, start: dt.date, end: dt.date | None,
              term: str) -> None:
    ctx.writer.add(Post, organization_id=org.pk, member_id=s.pk, role=role, started_on=start, ended_on=end,
                        term=term)
    if end is None:
        s.posts.append(role)


def _committee(ctx: DemoContext, org: OrgSpec, pool_now: list[Sim], pool_then: list[Sim], *,
               deputies: int, members: int, level: str, start_override: dt.date | None = None) -> dt.date:
    """Posts of both terms; returns the start of the current term."""
    rng = ctx.rng
    terms = _term_dates(ctx, level)
    if start_override is not None:
        terms = [(terms[-1][0], start_override, None)]
    current_secretary: Sim | None = None
    for label, start, end in reversed(terms):  # current term first
        if end is None:
            pool = ([s for s in pool_now if _eligible_now(s, start)] or [s for s in pool_now if s.status == "full"]
                    or [s for s in pool_now if s.status == "probationary" and not s.pending])
        else:
            pool = [s for s in pool_then if _eligible_then(s, start, end)]
        if not pool:
            continue
        pool = list(pool)
        rng.shuffle(pool)
        pool.sort(key=lambda s: -["", "elementary", "intermediate", "advanced"].index(s.theory))
        if end is not None and current_secretary in pool and rng.random() < 0.6:
            secretary = current_secretary  # re-elected
        else:
            secretary = pool[rng.randrange(min(3, len(pool)))]
        rest = [s for s in pool if s is not secretary]
        rng.shuffle(rest)
        _add_post(ctx, org, secretary, "secretary", start, end, label)
        if end is None:
            current_secretary = secretary
        for s in rest[:deputies]:
            _add_post(ctx, org, s, "deputy", start, end, label)
        for s in rest[deputies:deputies + members]:
            _add_post(ctx, org, s, "committee_member", start, end, label)
    return terms[-1][1]


def posts(ctx: DemoContext) -> None:
    """Secretaries, deputies and committee members for both terms; heads of workplaces."""
    rng, today = ctx.rng, ctx.today
    rs = ruleset_for(today)
    threshold = rs["organization.cell_committee_min_full_members"]
    max_size = rs["organization.cell_committee_max_size"]
    assert ctx.root is not None
    subtree_cache: dict[str, list[Sim]] = {}

    def subtree(org: OrgSpec) -> list[Sim]:
        if org.code not in subtree_cache:
            subtree_cache[org.code] = [s for c in org.cells() for s in ctx.cell_members.get(c.code, [])]
        return subtree_cache[org.code]

    # Cells first, then committees from the bottom up (a commune committee takes the police and
    # military secretaries on board).
    orgs = sorted(ctx.root.walk(), key=lambda o: (not o.is_cell, -len(o.code)))
    for org in ctx.track(orgs, "Chức vụ"):
        if org.is_cell:
            people = ctx.cell_members.get(org.code, [])
            full_now = sum(1 for s in people if s.status == "full")
            start_override = None
            if "recent" in org.flags:
                moved = [s.moved_on for s in people if s.moved_on]
                start_override = min(today, max(moved) + dt.timedelta(days=rng.randint(2, 10))) if moved else today
            if full_now >= threshold and "no_committee" not in org.flags:
                size = min(max_size, 3 if full_now < 30 else 5)
                _committee(ctx, org, people, people, deputies=1, members=size - 2, level="cell",
                           start_override=start_override)
            else:
                # Below the threshold a cell elects a secretary and possibly a deputy; the cells
                # flagged "no_committee" should have elected a committee and did not (an alert).
                deputy = "no_committee" not in org.flags and full_now >= 5 and rng.random() < 0.4
                _committee(ctx, org, people, people, deputies=int(deputy), members=0, level="cell",
                           start_override=start_override)
            if org.sector and org.sector != "residential":
                pool = [s for s in people if s.status == "full" and _age(s.birth, today) >= 30 and not s.pending]
                if pool:
                    sec = [s for s in pool if "secretary" in s.posts]
                    head = sec[0] if sec and rng.random() < 0.4 else rng.choice(pool)
                    lo = max(org.established_on or dt.date(2019, 1, 1), dt.date(2019, 1, 1), head.admitted_on,
                             head.moved_on or dt.date.min)
                    _add_post(ctx, org, head, "unit_head", _between(rng, lo, today - dt.timedelta(days=30)), None, "")
            continue
        pool = subtree(org)
        if org.kind == OrgKind.PROVINCE:
            uppers = [c for c in org.children if c.kind == OrgKind.UPPER]
            pool = [s for u in uppers for s in subtree(u)] or pool
            _committee(ctx, org, pool, pool, deputies=3, members=11, level="upper")
        elif org.kind == OrgKind.UPPER:
            _committee(ctx, org, pool, pool, deputies=2, members=5, level="upper")
        elif org.kind == OrgKind.SUB_COMMITTEE:
            _committee(ctx, org, pool, pool, deputies=1, members=rng.randint(1, 3), level="grassroots")
        elif org.region is not None and org.sector == "" and org.place.startswith(("xã", "phường")):
            agency = [s for s in pool if s.cell.sector == "agency"]
            forces = [s for s in pool if s.cell.sector in ("police", "military") and "secretary" in s.posts]
            start = _committee(ctx, org, agency, agency, deputies=2, members=rng.randint(6, 9),
                               level="grassroots")
            for s in forces:  # the police chief and the military commander sit on the committee
                if _eligible_now(s, start):
                    _add_post(ctx, org, s, "committee_member", start, None, TERMS[-1][0])
        else:
            _committee(ctx, org, pool, pool, deputies=1, members=rng.randint(2, 4), level="grassroots")
    ctx.writer.flush()


# -- step 4: localities ------------------------------------------------------------------------

def localities(ctx: DemoContext) -> None:
    """One village, hamlet or residential group per residential cell; heads members or not."""
    rng = ctx.rng
    assert ctx.root is not None
    villages = [c for c in ctx.root.walk() if c.sector == "residential" and c.locality is not None]
    model = set(villages[1::6])  # where the secretary also heads the front committee
    for cell in villages:
        people = [s for s in ctx.cell_members.get(cell.code, []) if s.status in ("full", "probationary")
                  and not s.pending and s.resident and _age(s.birth, ctx.today) < 70]
        secretary = next((s for s in people if "secretary" in s.posts), None)
        region = cell.unit.region if cell.unit and cell.unit.region else N.REGIONS["delta"]

        def outsider(region: N.Region = region, upland: bool = cell.upland) -> str:
            gender = "female" if rng.random() < 0.3 else "male"
            return N.person_name(rng, gender, _ethnicity(rng, region, upland, False))

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


# -- step 5: working rules -----------------------------------------------------------------------

def working_rules(ctx: DemoContext) -> None:
    """Quy chế làm việc: most re-issued after the 2025 congress, some updated, some stale."""
    rng, today = ctx.rng, ctx.today
    assert ctx.root is not None
    new_term = dt.date(TERMS[-1][1], 6, 1)
    for org in ctx.root.walk():
        roll = rng.random()
        if org.kind == OrgKind.GROUP or (org.is_cell and roll < 0.1):
            continue  # a few cells never recorded theirs
        if "recent" in org.flags and org.established_on:
            issued, updated = org.established_on + dt.timedelta(days=rng.randint(20, 60)), None
        elif roll < 0.55 or not org.is_cell:
            issued, updated = _between(rng, new_term, min(today, new_term + dt.timedelta(days=150))), None
        elif roll < 0.8:
            issued = _between(rng, dt.date(2020, 6, 1), dt.date(2022, 12, 31))
            updated = _between(rng, dt.date(2025, 1, 1), today)
        else:
            issued, updated = _between(rng, dt.date(2020, 5, 1), dt.date(2021, 12, 31)), None
        issued = min(issued, today)
        ctx.writer.add(WorkingRules, organization_id=org.pk, issued_on=issued, updated_on=updated,
                                    note="Ban hành kèm theo quyết định của cấp ủy")
    ctx.writer.flush()


# -- step 6: training --------------------------------------------------------------------------

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
            lo = max(s.admitted_on, _years_after(s.birth, 22))
            finished = _between(rng, lo, s.end_on or last) if lo < (s.end_on or last) else min(lo, last)
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
            finished = _between(rng, today - relativedelta(years=4), last)
            ctx.writer.add(Training, member_id=s.pk, kind="party_work", finished_on=finished,
                                    title="Bồi dưỡng nghiệp vụ công tác đảng cho cấp ủy viên cơ sở",
                                    started_on=finished - dt.timedelta(days=rng.randint(3, 7)))
    ctx.writer.flush()


# -- step 7: yearly records ------------------------------------------------------------------------

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
                rating = _pick(rng, (("good", 85), ("fair", 12), ("poor", 3)))
                ctx.writer.add(ResidenceLink, member_id=s.pk, year=year, rating=rating, received_on=received,
                    residence_org_id=s.residence_org.pk if s.residence_org else None,
                    feedback=rng.choice(N.RESIDENCE_FEEDBACK[rating]))
    ctx.writer.flush()


# -- step 8: users ---------------------------------------------------------------------------------

def users(ctx: DemoContext) -> None:
    """admin (whole tree), vanphong (office of the root), bithu (secretary of a village cell,
    linked to the member who holds that post), xem (viewer of the root)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from dangvu.accounts.models import Role, RoleKind

    root = ctx.root_org
    assert ctx.root is not None
    village = None
    for cell in ctx.root.walk():
        if cell.sector == "residential":
            sec = next((s for s in ctx.cell_members.get(cell.code, []) if "secretary" in s.posts), None)
            if sec is not None:
                village = (cell, sec)
                break
    plan: list[tuple[str, str, Organization, int | None, bool]] = [
        ("admin", RoleKind.ADMIN, root, None, True),
        ("vanphong", RoleKind.OFFICE, root, None, False),
    ]
    if village is not None:
        plan.append(("bithu", RoleKind.SECRETARY, village[0].obj, village[1].pk, False))  # type: ignore[arg-type]
    plan.append(("xem", RoleKind.VIEWER, root, None, False))
    hashed = make_password(DEMO_PASSWORD)  # key stretching is slow: once for the shared demo password
    for username, kind, org, member_id, superuser in plan:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.is_superuser = user.is_staff = superuser
        user.is_active = True
        user.password = hashed
        user.save()
        Role.objects.get_or_create(user=user, kind=kind, organization=org, defaults={"member_id": member_id})
        ctx.users.append(DemoUser(username, RoleKind(kind).label, org.name, DEMO_PASSWORD))


# -- step 9: audit ---------------------------------------------------------------------------------

def audit(ctx: DemoContext) -> None:
    """One summary entry for the whole bulk build (per-row signals were bypassed)."""
    from dangvu.accounts.audit import log_bulk

    ctx.writer.flush()
    total = sum(ctx.writer.counts.values())
    log_bulk(None, ctx.root_org, "demo", created=total, scale=ctx.scale, seed=ctx.seed,
             counts=dict(ctx.writer.counts))


STEPS: list[tuple[str, DemoStep]] = [
    ("plan_tree", plan_tree),
    ("write_tree", write_tree),
    ("members", members),
    ("posts", posts),
    ("localities", localities),
    ("working_rules", working_rules),
    ("trainings", trainings),
    ("yearly_records", yearly_records),
    ("users", users),
    ("audit", audit),
]
"""The build, in order. Later features insert their demo data with :func:`register_step`."""


def register_step(name: str, step: DemoStep, *, before: str | None = "users") -> None:
    """Add a demo step (e.g. meetings, evaluations, plans) before ``before`` (default: before the
    users are created, so the audit summary still comes last); ``before=None`` appends."""
    if any(n == name for n, _ in STEPS):
        STEPS[:] = [(n, step if n == name else f) for n, f in STEPS]
        return
    names = [n for n, _ in STEPS]
    STEPS.insert(names.index(before) if before in names else len(STEPS), (name, step))


@contextmanager
def _large_cache() -> Iterator[None]:
    """A large SQLite page cache while building: the province writes millions of rows in one
    transaction and would otherwise spill dirty pages to disk all along."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MiB at most, this connection only
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def build_demo(scale: str = "commune", seed: int = 2026, progress: bool = False, *,
               members_target: int | None = None, today: dt.date | None = None) -> DemoResult:
    """Build the demo data set into the (empty) database and return what was made.

    ``members_target`` sizes the build (commune: about that many members; province: the total,
    default :data:`PROVINCE_MEMBERS`); ``today`` pins the end of the history (default: today).
    """
    if scale not in SCALES:
        raise ValueError(f"Quy mô không hợp lệ: {scale} (chọn {', '.join(SCALES)}).")
    started = time.perf_counter()
    ctx = DemoContext(scale=scale, seed=seed, today=today or dt.date.today(), progress=progress,
                      members_target=members_target)
    with _large_cache(), transaction.atomic():
        for _, step in STEPS:
            step(ctx)
        ctx.writer.finish()
    from django.db.models import Count

    orgs = dict(Organization.objects.values_list("kind").annotate(n=Count("id")).order_by("kind"))
    statuses = dict(Member.objects.values_list("status").annotate(n=Count("id")).order_by("status"))
    return DemoResult(root=ctx.root_org, users=ctx.users, counts=dict(ctx.writer.counts), organizations=orgs,
                      members=statuses, seconds=time.perf_counter() - started, scale=scale, seed=seed)
