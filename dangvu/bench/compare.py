"""Three ways to compute the same indicators, for ``dangvu bench --scale province``.

- *ours*: the indicator registry (:mod:`dangvu.indicators`), SQL aggregation in the database;
- *naive*: a deliberately beginner-style version looping in Python over ORM objects, one query per
  object (the yardstick the registry must beat by far);
- *duckdb* (optional: ``pip install dangvu[bench]``): the rows the indicator needs, read once through Django's ``values_list`` into an
  in-memory DuckDB database, then one SQL query per indicator (the yardstick of a columnar
  analytics engine; loading is timed apart from the queries).

Each comparison returns ``(numerator, denominator)`` so the three can be checked to agree.
The naive and DuckDB versions restate each indicator's definition from its docstring; they are
bench code only and never feed a page or a report.
"""

from __future__ import annotations

import importlib.util
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Django models are imported lazily: this module loads before Django is set up
    from dangvu.indicators import Period
    from dangvu.registry.models import Organization

Pair = tuple[int, int]

DUCKDB_MISSING = ("Không có DuckDB (cài bằng: pip install 'dangvu[bench]'): bỏ qua phần so sánh với DuckDB.")
"""The one line the bench prints when the optional DuckDB is not installed."""


def duckdb_available() -> bool:
    """DuckDB is an optional extra of the bench (``dangvu[bench]``), never a runtime dependency."""
    return importlib.util.find_spec("duckdb") is not None


@dataclass(frozen=True)
class Comparison:
    key: str  # the registry's indicator key
    naive: Callable[[Any, Any], Pair]
    duck: Callable[[Any, Any, Any], Pair]  # (duckdb connection, org, period)
    tables: tuple[str, ...]  # DuckDB tables the query reads


# -- naive versions: loops over objects, a query per object -----------------------------------

def naive_good_or_better(org: Organization, period: Period) -> Pair:
    """members.rated_good_or_better_share, unit by unit, evaluation by evaluation."""
    from dangvu.evaluation.models import CLOSED_STATES, GOOD_OR_BETTER, Evaluation
    from dangvu.registry.models import Organization

    year = period.end.year
    graded = good = 0
    for unit in Organization.objects.subtree(org):
        for ev in Evaluation.objects.filter(unit=unit, round__subject_kind="member", round__year=year,
                                            round__quarter__isnull=True, round__state__in=CLOSED_STATES):
            if not ev.final_grade:
                continue
            graded += 1
            if ev.final_grade in GOOD_OR_BETTER:
                good += 1
    return good, graded


def naive_attendance(org: Organization, period: Period) -> Pair:
    """meetings.attendance_rate, meeting by meeting, attendance row by attendance row."""
    from dangvu.meetings.models import AttendanceStatus, Meeting
    from dangvu.registry.models import Organization

    present = expected = 0
    for unit in Organization.objects.subtree(org):
        for meeting in Meeting.objects.filter(organization=unit, held_on__range=(period.start, period.end)):
            for a in meeting.attendances.all():
                if a.status == AttendanceStatus.PRESENT:
                    present += 1
                if a.status != AttendanceStatus.EXEMPT:
                    expected += 1
    return present, expected


def naive_regular_meetings(org: Organization, period: Period) -> Pair:
    """cells.regular_meetings_complete_share, cell by cell, counting each cell's meetings by month."""
    from dangvu.core.rulesets import ruleset_for
    from dangvu.meetings.indicators import complete_months
    from dangvu.meetings.models import Meeting
    from dangvu.registry.models import CELL_KINDS, Organization

    months = complete_months(period)
    if not months:
        return 0, 0
    needed = ruleset_for(period.as_of)["meeting.regular_per_month"]
    done = cells = 0
    for cell in Organization.objects.subtree(org).filter(kind__in=CELL_KINDS):
        if cell.dissolved_on is not None and cell.dissolved_on <= period.as_of:
            continue
        cells += 1
        per_month: Counter[tuple[int, int]] = Counter()
        for meeting in Meeting.objects.filter(organization=cell, held_on__range=(period.start, period.end)):
            if meeting.is_regular:
                per_month[(meeting.held_on.year, meeting.held_on.month)] += 1
        if all(per_month[(first.year, first.month)] >= needed for first, _last in months):
            done += 1
    return done, cells


def naive_assignment(org: Organization, period: Period) -> Pair:
    """members.with_assignment_share, member by member."""
    from dangvu.registry.models import Assignment, Member

    year = reading_year(period)
    with_one = obliged = 0
    for member in Member.objects.in_subtree(org):
        if member.status not in ("full", "probationary") or not member.admitted_on \
                or member.admitted_on > period.as_of:
            continue
        obliged += 1
        if Assignment.objects.filter(member=member, year=year).exists():
            with_one += 1
    return with_one, obliged


# -- DuckDB: tables loaded through values_list, one query per indicator ------------------------

def _np_columns(rows: list[tuple], kinds: str) -> dict[str, Any]:
    """Rows → numpy columns by kind letter: i int64, n nullable integer, d date, s text, b bool."""
    import numpy as np

    cols = list(zip(*rows, strict=True)) if rows else [()] * len(kinds)
    out = {}
    for i, (kind, values) in enumerate(zip(kinds, cols, strict=True)):
        if kind == "i":
            out[f"c{i}"] = np.array(values, dtype=np.int64)
        elif kind == "d":  # DuckDB takes datetime64[s] (None → NaT → NULL), cast to DATE below
            out[f"c{i}"] = np.array(values, dtype="datetime64[D]").astype("datetime64[s]")
        elif kind == "n":  # ints with None: an object column, cast to INTEGER below
            out[f"c{i}"] = np.array(values, dtype=object)
        elif kind == "b":
            out[f"c{i}"] = np.array(values, dtype=bool)
        else:
            out[f"c{i}"] = np.array(values, dtype=object)
    return out


def _load(con, name: str, queryset, fields: list[str], kinds: str) -> int:
    rows = list(queryset.values_list(*fields).order_by())
    con.register(f"{name}_np", _np_columns(rows, kinds))
    cast = {"d": "::DATE", "n": "::INTEGER"}
    casts = ", ".join(f"c{i}{cast.get(k, '')} AS {f}" for i, (f, k) in enumerate(zip(fields, kinds, strict=True)))
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {casts} FROM {name}_np")
    con.unregister(f"{name}_np")
    return len(rows)


def _load_organization(con, period) -> int:
    from dangvu.registry.models import Organization

    return _load(con, "organization", Organization.objects.all(), ["id", "path", "kind", "dissolved_on"], "issd")


def _load_evaluation(con, period) -> int:
    from dangvu.evaluation.models import Evaluation, EvaluationRound

    n = _load(con, "evaluation_round", EvaluationRound.objects.filter(year=period.end.year),
              ["id", "subject_kind", "year", "quarter", "state"], "isins")
    return n + _load(con, "evaluation", Evaluation.objects.filter(round__year=period.end.year, member__isnull=False),
                     ["id", "round_id", "member_id", "unit_id", "final_grade"], "iiiis")


def _load_meeting(con, period) -> int:
    from dangvu.meetings.models import Attendance, Meeting

    span = (period.start, period.end)
    n = _load(con, "meeting", Meeting.objects.filter(held_on__range=span),
              ["id", "organization_id", "held_on", "kind", "combined"], "iidsb")
    return n + _load(con, "attendance", Attendance.objects.filter(meeting__held_on__range=span),
                     ["meeting_id", "status"], "is")


def _load_assignment(con, period) -> int:
    from dangvu.registry.models import Assignment, Member

    n = _load(con, "member", Member.objects.all(), ["id", "organization_id", "status", "admitted_on"], "iisd")
    return n + _load(con, "assignment", Assignment.objects.filter(year=reading_year(period)),
                     ["member_id", "year"], "ii")


LOADERS: dict[str, Callable[[Any, Any], int]] = {
    "organization": _load_organization,
    "evaluation": _load_evaluation,
    "meeting": _load_meeting,
    "assignment": _load_assignment,
}


def _one(con, sql: str, params: list[Any]) -> Pair:
    hit, total = con.execute(sql, params).fetchone()
    return int(hit or 0), int(total or 0)


def duck_good_or_better(con: Any, org: Organization, period: Period) -> Pair:
    from dangvu.evaluation.models import CLOSED_STATES, GOOD_OR_BETTER

    return _one(con, """
        SELECT count(*) FILTER (WHERE e.final_grade IN (?, ?)), count(*)
        FROM evaluation e JOIN evaluation_round r ON r.id = e.round_id JOIN organization o ON o.id = e.unit_id
        WHERE r.subject_kind = 'member' AND r.year = ? AND r.quarter IS NULL AND r.state IN (?, ?)
          AND starts_with(o.path, ?) AND e.final_grade <> ''
    """, [*GOOD_OR_BETTER, period.end.year, *map(str, CLOSED_STATES), org.path])


def duck_attendance(con: Any, org: Organization, period: Period) -> Pair:
    return _one(con, """
        SELECT count(*) FILTER (WHERE a.status = 'present'), count(*) FILTER (WHERE a.status <> 'exempt')
        FROM attendance a JOIN meeting m ON m.id = a.meeting_id JOIN organization o ON o.id = m.organization_id
        WHERE starts_with(o.path, ?) AND m.held_on BETWEEN ? AND ?
    """, [org.path, period.start, period.end])


def duck_regular_meetings(con: Any, org: Organization, period: Period) -> Pair:
    from dangvu.core.rulesets import ruleset_for
    from dangvu.meetings.indicators import complete_months
    from dangvu.registry.models import CELL_KINDS

    months = complete_months(period)
    if not months:
        return 0, 0
    needed = ruleset_for(period.as_of)["meeting.regular_per_month"]
    spans = ", ".join(f"(DATE '{a.isoformat()}', DATE '{b.isoformat()}')" for a, b in months)
    return _one(con, f"""
        WITH cells AS (
            SELECT id FROM organization
            WHERE starts_with(path, ?) AND kind IN (?, ?) AND (dissolved_on IS NULL OR dissolved_on > ?)),
        spans(first, last) AS (VALUES {spans}),
        per_month AS (
            SELECT m.organization_id, s.first, count(*) AS n
            FROM meeting m JOIN spans s ON m.held_on BETWEEN s.first AND s.last
            WHERE m.kind = 'regular' OR m.combined
            GROUP BY ALL),
        ok AS (SELECT organization_id FROM per_month WHERE n >= ? GROUP BY organization_id HAVING count(*) = ?)
        SELECT count(ok.organization_id), count(*) FROM cells LEFT JOIN ok ON ok.organization_id = cells.id
    """, [org.path, *map(str, CELL_KINDS), period.as_of, needed, len(months)])


def duck_assignment(con: Any, org: Organization, period: Period) -> Pair:
    return _one(con, """
        SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM assignment a WHERE a.member_id = m.id)), count(*)
        FROM member m JOIN organization o ON o.id = m.organization_id
        WHERE starts_with(o.path, ?) AND m.status IN ('full', 'probationary') AND m.admitted_on <= ?
    """, [org.path, period.as_of])


COMPARISONS: dict[str, Comparison] = {c.key: c for c in (
    Comparison("members.rated_good_or_better_share", naive_good_or_better, duck_good_or_better,
               ("organization", "evaluation")),
    Comparison("meetings.attendance_rate", naive_attendance, duck_attendance, ("organization", "meeting")),
    Comparison("cells.regular_meetings_complete_share", naive_regular_meetings, duck_regular_meetings,
               ("organization", "meeting")),
    Comparison("members.with_assignment_share", naive_assignment, duck_assignment, ("organization", "assignment")),
)}
PREFERRED = tuple(COMPARISONS)
"""In order of preference; the bench compares the first three that have data."""


# -- running them --------------------------------------------------------------------------------

def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[Any, list[float]]:
    """The result and the seconds of each of ``repeat`` runs (report ``min`` as the best)."""
    runs, out = [], None
    for _ in range(max(1, repeat)):
        out, seconds = timed(fn)
        runs.append(round(seconds, 4))
    return out, runs


def ours(key: str, org: Organization, period: Period) -> Pair:
    from dangvu import indicators

    v = indicators.compute(key, org, period)
    return int(v.numerator or 0), int(v.denominator or 0)


def choose(org: Organization, period: Period, n: int = 3) -> list[str]:
    """The first ``n`` preferred comparisons whose indicator has data for ``org`` and ``period``
    (a denominator above zero), topped up with the others when fewer have data."""
    with_data = [k for k in PREFERRED if ours(k, org, period)[1] > 0]
    return (with_data + [k for k in PREFERRED if k not in with_data])[:n]


def duckdb_connection(keys: list[str], period: Period) -> tuple[Any, dict[str, Any]]:
    """An in-memory DuckDB holding the tables the comparisons read; load timings and row counts."""
    import duckdb

    con = duckdb.connect(":memory:")
    tables = sorted({t for k in keys for t in COMPARISONS[k].tables})
    load: dict[str, Any] = {"rows": {}, "seconds": {}}
    for t in tables:
        rows, seconds = timed(lambda t=t: LOADERS[t](con, period))
        load["rows"][t], load["seconds"][t] = rows, round(seconds, 3)
    load["total_seconds"] = round(sum(load["seconds"].values()), 3)
    return con, load


def reading_year(period: Period) -> int:
    """The year whose yearly records a period reads (the registry indicators' own rule)."""
    from dangvu.registry.indicators import reading_year as registry_reading_year

    return registry_reading_year(period)


def compare(keys: list[str], org: Organization, period: Period, con: Any, *, repeat: int = 3,
            naive: bool = True) -> dict[str, Any]:
    """Ours, naive (once: it is slow by design) and DuckDB for each key on one scope (no DuckDB
    when ``con`` is None: the optional extra is not installed)."""
    out: dict[str, Any] = {"indicators": {}}
    for key in keys:
        c = COMPARISONS[key]
        row: dict[str, Any] = {}
        row["ours"], row["ours_runs"] = best_of(lambda c=c: ours(c.key, org, period), repeat)
        if con is not None:
            row["duckdb"], row["duckdb_runs"] = best_of(lambda c=c: c.duck(con, org, period), repeat)
        if naive:
            row["naive"], seconds = timed(lambda c=c: c.naive(org, period))
            row["naive_seconds"] = round(seconds, 3)
        results = [row[name] for name in ("ours", "duckdb", "naive") if name in row]
        row["agree"] = all(r == results[0] for r in results)
        for name in ("ours", "duckdb", "naive"):
            if name in row:
                row[name] = {"numerator": row[name][0], "denominator": row[name][1]}
        out["indicators"][key] = row
    rows = out["indicators"].values()
    out["ours_seconds"] = round(sum(min(r["ours_runs"]) for r in rows), 4)
    out["duckdb_seconds"] = round(sum(min(r["duckdb_runs"]) for r in rows), 4) if con is not None else None
    if naive:
        out["naive_seconds"] = round(sum(r["naive_seconds"] for r in rows), 3)
    out["agree"] = all(r["agree"] for r in rows)
    return out
