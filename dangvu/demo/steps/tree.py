"""Demo steps "plan_tree" and "write_tree": decide the organizations, then write them with their
materialized paths (one bulk insert: the province has thousands of organizations)."""

from __future__ import annotations

import datetime as dt
import math

from dangvu.core.cccd import PROVINCE_CODES
from dangvu.core.text import fold
from dangvu.registry.models import Organization, OrgKind

from .. import names as N
from ..context import PROVINCE_MEMBERS, DemoContext, OrgSpec, pick

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


def _workplace_cells(ctx: DemoContext, unit: OrgSpec, name: str, target: int) -> list[OrgSpec]:
    """The commune's workplace cells (agencies, schools, enterprises, forces), sized to the commune."""
    rng, place = ctx.rng, unit.place
    brands = rng.sample(N.BRANDS, 3)
    scale_w = min(1.4, max(0.8, target / 750)) * rng.uniform(0.9, 1.1)
    cells: list[OrgSpec] = []
    for sector, pattern, base, flags in _WORKPLACE:
        cell_name = pattern.format(place=place, name=name, brand=brands[len(cells) % 3])
        size = base if flags & {"small", "recent"} else max(6, round(base * scale_w * rng.uniform(0.8, 1.2)))
        if "no_committee" in flags:
            size = max(size, 18)
        established = dt.date(rng.randint(1975, 2018), rng.randint(1, 12), rng.randint(1, 28))
        if "recent" in flags:
            established = ctx.today - dt.timedelta(days=rng.randint(150, 300))
            if ctx.today.month >= 4:  # new organizations are counted per year: this year's, once it can be
                established = max(established, dt.date(ctx.today.year, 1, 2))
        cells.append(OrgSpec(code="", name=cell_name, kind=OrgKind.CELL, sector=sector, size=size,
                             flags=flags, established_on=established, address=unit.address))
    return cells


def _residential_cells(ctx: DemoContext, unit: OrgSpec, n_res: int, res_total: int, *, ward: bool) -> list[OrgSpec]:
    """One cell per village, hamlet or residential group, one of them without the committee it needs."""
    rng, place, region = ctx.rng, unit.place, unit.region
    assert region is not None
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
    return res_cells


def _attach_cells(ctx: DemoContext, unit: OrgSpec, ordered: list[OrgSpec], with_sub: bool) -> None:
    """Number the cells under the unit (those flagged "sub" under a school sub-committee)."""
    code = unit.code
    sub = None
    if with_sub:
        sub = unit.add(OrgSpec(code="", name="Đảng bộ bộ phận Khối trường học", kind=OrgKind.SUB_COMMITTEE,
                               established_on=dt.date(ctx.rng.randint(2005, 2015), 9, 1), address=unit.address))
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
    cells = _workplace_cells(ctx, unit, name, target)
    n_res = max(1, n_cells - len(cells))
    res_total = max(12 * n_res, target - sum(c.size for c in cells))
    res_cells = _residential_cells(ctx, unit, n_res, res_total, ward=ward)
    # Residential cells first (numbered 01..), then the workplace cells.
    _attach_cells(ctx, unit, res_cells + cells, with_sub)
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
        region = N.REGIONS["delta" if ward and rng.random() < 0.6 else pick(rng, N.PROVINCE_REGIONS)]
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

