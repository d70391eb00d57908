"""The data set of ``dangvu bench --scale nation``: a country's shape, bulk-loaded into PostgreSQL.

Shape: one root over 34 provinces (the provinces and cities since 1 July 2025), each over up to
98 communes (3,321 communes and wards ÷ 34), each over cells of about 25 members. The number of
communes per province and of cells per commune follow ``members`` (about 300 members a commune at
the CI size of one million; at 5.6 million the communes stay 98 a province and the cells grow).

Records, in a compact form that still feeds every indicator the way the product's own writes do:

- members (full; one in twenty probationary, admitted last year), spread evenly over the cells;
- a regular meeting a month in every cell for the 36 months up to today (combined with the
  quarter's thematic meeting every third month), with its head counts (``present_count``,
  ``expected_count``) — the attendance-rate indicator sums those;
- attendance rows (one per member and meeting) for the current year's meetings only: the
  full-attendance indicator reads the current year, earlier years keep their head counts;
- a closed yearly members' evaluation round per commune for each of the three finished years, with
  every member's grade.

Rows go in with PostgreSQL's COPY in batches of :data:`BATCH` inside one transaction, plain
indexes dropped while loading and built once at the end (:func:`dangvu.demo.bulk.deferred_indexes`).
This is the bench's data only: no page, command or service of the product writes this way.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dangvu.core import clock
from dangvu.demo.bulk import BulkWriter

if TYPE_CHECKING:
    from dangvu.registry.models import Organization

ROOT_CODE = "VN"
PROVINCES = 34
MAX_COMMUNES_PER_PROVINCE = 98  # 3,321 communes and wards after 1 July 2025, over 34 provinces
MEMBERS_PER_COMMUNE = 300  # at the CI size (1,000,000 members)
MEMBERS_PER_CELL = 25
BATCH = 50_000
MONTHS = 36
DEFAULT_MEMBERS = 1_000_000


class NationError(RuntimeError):
    """The configured database cannot hold the nation data set (message in Vietnamese)."""


@dataclass(frozen=True)
class Shape:
    members: int
    communes_per_province: int
    cells_per_commune: int

    @property
    def communes(self) -> int:
        return PROVINCES * self.communes_per_province

    @property
    def cells(self) -> int:
        return self.communes * self.cells_per_commune

    @property
    def organizations(self) -> int:
        return 1 + PROVINCES + self.communes + self.cells


def shape_for(members: int) -> Shape:
    """How many communes per province and cells per commune ``members`` make."""
    communes = min(MAX_COMMUNES_PER_PROVINCE, max(1, round(members / (PROVINCES * MEMBERS_PER_COMMUNE))))
    cells = max(1, round(members / (PROVINCES * communes * MEMBERS_PER_CELL)))
    return Shape(members, communes, cells)


class CopyWriter(BulkWriter):
    """The demo's bulk writer, writing each batch with PostgreSQL's COPY instead of INSERTs."""

    def _write(self, model: type) -> None:
        buf = self.rows.get(model)
        if not buf:
            return
        from django.db import connection

        _, columns = self._spec(model)
        qn = connection.ops.quote_name
        names = ", ".join(qn(model._meta.get_field(a).column) for a, _, _ in columns)
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {qn(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            for row in buf:
                copy.write_row(row)
        self.counts[model.__name__] += len(buf)
        buf.clear()  # in place: row makers hold this list

    def maker(self, model: type, names: tuple[str, ...], **fixed: Any) -> Callable[..., None]:
        """A fast ``add`` for many rows differing only in ``names``: the other columns are taken
        once from ``fixed`` and the model's defaults. Values of ``names`` go to the driver as they
        are (PostgreSQL takes Python dates, times and numbers)."""
        _, columns = self._spec(model)
        position = {name: i for i, (name, _, _) in enumerate(columns)}
        template = [default for _, _, default in columns]
        for name, value in fixed.items():
            adapt = columns[position[name]][1]
            template[position[name]] = adapt(value) if adapt is not None and value is not None else value
        slots = [position[n] for n in names]
        buf = self.rows.setdefault(model, [])
        batch = self.batch

        def add(*values: Any) -> None:
            row = template.copy()
            for i, v in zip(slots, values, strict=True):
                row[i] = v
            buf.append(row)
            if len(buf) >= batch:
                self._write(model)
        return add


@contextmanager
def deferred_foreign_keys(*models: type) -> Iterator[None]:
    """Drop the foreign keys of ``models`` while loading and add them back at the end.

    PostgreSQL checks a deferred foreign key row by row at commit (a trigger per row: minutes for
    millions of rows); adding the constraint back checks every row in one join. Inside the
    build's transaction, so a failure restores them with everything else."""
    from django.db import connection

    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
                       [[m._meta.db_table for m in models]])
        keys = cursor.fetchall()
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _months(today: dt.date) -> list[dt.date]:
    """The meeting days (the 10th) of the ``MONTHS`` months up to today's (this month's when the
    10th has passed)."""
    y, m = today.year, today.month
    if today.day < 10:
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    out = []
    for _ in range(MONTHS):
        out.append(dt.date(y, m, 10))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def _orgs(shape: Shape, writer: CopyWriter, today: dt.date) -> tuple[int, list[tuple[int, int]]]:
    """The tree, paths computed here (treebeard's ``_get_path``); returns the root's id and
    ``(cell id, commune id)`` per cell in order."""
    from dangvu.registry.models import Organization

    last = Organization.objects.get_last_root_node()
    step = Organization._str2int(last.path) + 1 if last else 1
    founded = dt.date(1975, 1, 1)
    new = lambda **kw: writer.add(Organization, established_on=founded, **kw)  # noqa: E731
    root_id = writer.new_id(Organization)
    root_path = Organization._get_path(None, 1, step)
    new(id=root_id, code=ROOT_CODE, name="Toàn quốc (dữ liệu đo hiệu năng)", kind="upper", path=root_path,
        depth=1, numchild=PROVINCES)
    cells: list[tuple[int, int]] = []
    for p in range(1, PROVINCES + 1):
        p_path, p_code = Organization._get_path(root_path, 2, p), f"{ROOT_CODE}-T{p:02d}"
        new(id=writer.new_id(Organization), code=p_code, name=f"Đảng bộ tỉnh Thử Nghiệm {p}", kind="province",
            path=p_path, depth=2, numchild=shape.communes_per_province)
        for c in range(1, shape.communes_per_province + 1):
            c_id, c_path, c_code = writer.new_id(Organization), Organization._get_path(p_path, 3, c), f"{p_code}-X{c:03d}"
            new(id=c_id, code=c_code, name=f"Đảng bộ xã Thử Nghiệm {p}.{c}", kind="grassroots_committee",
                path=c_path, depth=3, numchild=shape.cells_per_commune)
            for k in range(1, shape.cells_per_commune + 1):
                k_id = writer.new_id(Organization)
                new(id=k_id, code=f"{c_code}-C{k:03d}", name=f"Chi bộ thôn Thử Nghiệm {k}", kind="cell",
                    sector="residential", path=Organization._get_path(c_path, 4, k), depth=4, numchild=0)
                cells.append((k_id, c_id))
    writer.flush()
    return root_id, cells


_SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
_MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Thu")
_GIVEN = ("An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Long", "Mai",
          "Nam", "Nga", "Phong", "Quân", "Sơn", "Thảo", "Trang")


def _members(shape: Shape, writer: CopyWriter, cells: list[tuple[int, int]], today: dt.date) -> list[list[int]]:
    """``shape.members`` members, evenly over the cells; returns each cell's member ids."""
    from dangvu.core.text import fold
    from dangvu.registry.models import Member

    by_cell: list[list[int]] = [[] for _ in cells]
    last_year = dt.date(today.year - 1, 6, 1)
    folded: dict[str, str] = {}
    add = writer.maker(Member, ("id", "full_name", "name_folded", "birth_date", "gender", "organization_id",
                                "status", "admitted_on", "full_on"))
    for i in range(shape.members):
        pk = writer.new_id(Member)
        cell_index = i % len(cells)
        by_cell[cell_index].append(pk)
        name = f"{_SURNAMES[i % 12]} {_MIDDLE[(i // 12) % 8]} {_GIVEN[(i // 96) % 20]}"
        if name not in folded:
            folded[name] = fold(name)
        probationary = i % 20 == 0
        birth = dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
        admitted = last_year if probationary else dt.date(birth.year + 25, 1 + i % 12, 1 + (i // 12) % 28)
        add(pk, name, folded[name], birth, "female" if i % 2 else "male", cells[cell_index][0],
            "probationary" if probationary else "full", admitted,
            None if probationary else admitted + dt.timedelta(days=365))
    writer.flush()
    return by_cell


def _meetings(writer: CopyWriter, cells: list[tuple[int, int]], by_cell: list[list[int]], today: dt.date) -> None:
    """A meeting a month per cell (head counts); attendance rows for this year's meetings."""
    from dangvu.meetings.models import Attendance, Meeting

    months = _months(today)
    add = writer.maker(Meeting, ("id", "organization_id", "held_on", "combined", "materials_sent_on",
                                 "present_count", "expected_count"),
                       starts_at=dt.time(19, 30), ends_at=dt.time(21, 30), kind="regular")
    attend = writer.maker(Attendance, ("meeting_id", "member_id", "status"), reason="")
    sent = {day: day - dt.timedelta(days=3) for day in months}
    for index, (cell_id, _commune) in enumerate(cells):
        members = by_cell[index]
        for m, day in enumerate(months):
            absent = (index + m) % 3  # 0–2 members away each month, none in a third of the meetings
            meeting_id = writer.new_id(Meeting)
            add(meeting_id, cell_id, day, day.month % 3 == 0, sent[day], max(0, len(members) - absent), len(members))
            if day.year == today.year:
                for k, pk in enumerate(members):
                    attend(meeting_id, pk, "absent" if k < absent else "present")


def _grades(writer: CopyWriter, cells: list[tuple[int, int]], by_cell: list[list[int]], today: dt.date) -> None:
    """A closed members' round per commune for each of the three finished years, every member graded."""
    from django.utils import timezone

    from dangvu.core.periods import Period
    from dangvu.core.rulesets import ruleset_for
    from dangvu.evaluation.models import Evaluation, EvaluationRound
    from dangvu.evaluation.sheets import load_sheet

    grades = ("excellent", "good", "good", "good", "fulfilled", "good", "good", "fulfilled", "good", "unfulfilled")
    communes = sorted({c for _, c in cells})
    for year in range(today.year - 3, today.year):
        closed = dt.datetime(year + 1, 1, 20, 9, 0, tzinfo=timezone.get_current_timezone())
        sheet = load_sheet("member", rs=ruleset_for(Period.year(year).end))
        published = year < today.year - 1
        rounds = EvaluationRound.objects.bulk_create(
            [EvaluationRound(organization_id=c, subject_kind="member", year=year,
                             state="published" if published else "finalised", sheet=sheet,
                             opened_at=closed - dt.timedelta(days=40), finalised_at=closed,
                             published_at=closed + dt.timedelta(days=5) if published else None)
             for c in communes], batch_size=2000)
        round_of = {r.organization_id: r.pk for r in rounds}
        add = writer.maker(Evaluation, ("round_id", "member_id", "unit_id", "self_grade", "proposed_grade",
                                        "decided_grade", "final_grade"))
        for index, (cell_id, commune_id) in enumerate(cells):
            for k, pk in enumerate(by_cell[index]):
                grade = grades[(index + k + year) % 10]
                add(round_of[commune_id], pk, cell_id, grade, grade, grade, grade)
    writer.flush()


def build_nation(members: int = DEFAULT_MEMBERS, *, today: dt.date | None = None) -> dict[str, Any]:
    """Bulk-load the nation data set into the configured (PostgreSQL, empty) database; returns the
    shape, rows per table and the time of each part."""
    from django.db import connection, transaction

    from dangvu.demo.bulk import deferred_indexes
    from dangvu.evaluation.models import Evaluation
    from dangvu.meetings.models import Attendance, Meeting
    from dangvu.registry.models import Member, Organization

    if connection.vendor != "postgresql":
        raise NationError("Dữ liệu cấp toàn quốc chỉ dựng trên PostgreSQL (đặt DATABASE_URL=postgres://…).")
    if Organization.objects.exists():
        raise NationError("Cơ sở dữ liệu đã có tổ chức đảng: dữ liệu cấp toàn quốc chỉ dựng vào một cơ sở dữ liệu rỗng.")
    today = today or clock.today()
    shape = shape_for(members)
    writer = CopyWriter(batch=BATCH, explicit_ids=(Organization, Member, Meeting))
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    @contextmanager
    def part(name: str) -> Iterator[None]:
        t = time.perf_counter()
        yield
        seconds[name] = round(time.perf_counter() - t, 1)
        _say(f"  {name}: {seconds[name]} giây")

    _say(f"Đang dựng dữ liệu cấp toàn quốc: {shape.organizations:,} tổ chức, {shape.members:,} đảng viên…")
    # The plain indexes are built, and the foreign keys added back (checked), as the blocks close.
    big = (Organization, Member, Meeting, Attendance, Evaluation)
    with part("indexes_and_commit"), transaction.atomic(), deferred_foreign_keys(*big), \
            deferred_indexes(writer, *big):
        with part("organizations"):
            root_id, cells = _orgs(shape, writer, today)
        with part("members"):
            by_cell = _members(shape, writer, cells, today)
        with part("meetings"):
            _meetings(writer, cells, by_cell, today)
            writer.flush()
        with part("grades"):
            _grades(writer, cells, by_cell, today)
    seconds["indexes_and_commit"] = round(seconds["indexes_and_commit"] - sum(
        v for k, v in seconds.items() if k != "indexes_and_commit"), 1)
    writer.finish()
    with connection.cursor() as cursor:
        for model in (Organization, Member, Meeting, Attendance, Evaluation):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    total = time.perf_counter() - started
    rows = dict(writer.counts)
    return {"shape": {"provinces": PROVINCES, "communes_per_province": shape.communes_per_province,
                      "communes": shape.communes, "cells_per_commune": shape.cells_per_commune,
                      "cells": shape.cells, "organizations": shape.organizations, "members": shape.members},
            "rows": rows, "total_rows": sum(rows.values()), "seconds": seconds, "total_seconds": round(total, 1),
            "rows_per_second": round(sum(rows.values()) / total) if total else None, "root_id": root_id}


def nation_root() -> Organization | None:
    from dangvu.registry.models import Organization

    return Organization.objects.filter(code=ROOT_CODE, depth=1).first()
