"""The province bench: its data set marker (reuse / rebuild), the three ways of computing the
compared indicators (registry, naive ORM loops, DuckDB) agreeing, and the JSON it prints.
No timing is asserted: the machine running the tests is not the one being measured."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT
from django.core.management import call_command

from dangvu.bench import compare as bc
from dangvu.bench import dataset as benchdata
from dangvu.core import clock
from dangvu.demo import services as demo_services
from dangvu.indicators import Period

TODAY = clock.today()
LAST_YEAR = Period.year(TODAY.year - 1)
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _flush() -> None:
    """Empty the test database inside the test's transaction (PostgreSQL: fire deferred checks
    first, TRUNCATE refuses them; the builder relies on deferred checks again afterwards)."""
    from django.db import connection

    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# -- the marker --------------------------------------------------------------------------------

def _expected(**change) -> dict:
    return {"version": 1, "scale": "province", "seed": 7, "members_target": None, "steps": ["a", "b"],
            "sources": "abc"} | change


def test_marker_is_current_only_for_the_same_build_this_year() -> None:
    marker = _expected(built_on=f"{TODAY.year}-01-05", root="X")
    assert benchdata.is_current(marker, _expected(), TODAY)
    assert not benchdata.is_current(None, _expected(), TODAY)
    assert not benchdata.is_current(marker, _expected(steps=["a", "b", "meetings"]), TODAY)  # a step added
    assert not benchdata.is_current(marker, _expected(sources="abd"), TODAY)  # a step's code changed
    assert not benchdata.is_current(marker, _expected(seed=8), TODAY)
    assert not benchdata.is_current(marker, _expected(members_target=5000), TODAY)
    assert not benchdata.is_current(marker | {"built_on": f"{TODAY.year - 1}-12-31"}, _expected(), TODAY)


def test_fingerprint_follows_the_demo_steps(monkeypatch) -> None:
    before = benchdata.fingerprint()
    assert before["steps"] == [name for name, _ in demo_services.STEPS] and "members" in before["steps"]
    assert benchdata.fingerprint() == before
    monkeypatch.setattr(demo_services, "STEPS", [*demo_services.STEPS, ("bench_probe", test_marker_file_roundtrip)])
    after = benchdata.fingerprint()
    assert after["steps"][-1] == "bench_probe"
    assert after["sources"] != before["sources"]  # this test module joined the demo's sources


def test_marker_file_roundtrip(tmp_path) -> None:
    path = benchdata.marker_path_for(benchdata.sqlite_path(5, None, base=tmp_path))
    assert path == tmp_path / "bench" / "province-5.json"
    assert benchdata.read_marker(path) is None
    benchdata.write_marker(path, {"seed": 5, "built_on": dt.date(2026, 1, 2)})
    assert benchdata.read_marker(path) == {"seed": 5, "built_on": "2026-01-02"}
    path.write_text("{broken", encoding="utf-8")
    assert benchdata.read_marker(path) is None
    assert benchdata.sqlite_path(5, 3000, base=tmp_path).name == "province-5-3000.sqlite3"


@pytest.mark.slow
def test_sqlite_data_set_is_built_reused_and_rebuilt(db, tmp_path, monkeypatch) -> None:
    built, emptied = [], []

    def build(scale, seed, progress=False, members_target=None):
        built.append((scale, seed, members_target))
        return demo_services.build_demo(scale, seed, members_target=members_target, today=TODAY)

    def empty():
        emptied.append(1)
        _flush()

    kw = {"build": build, "migrate": lambda: None, "empty": empty}
    path = tmp_path / "province-9.sqlite3"
    first = benchdata.ensure_sqlite(path, 9, 400, **kw)
    assert not first.reused and built == [("province", 9, 400)] and len(emptied) == 1
    marker = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert marker["root"] == first.root.code and marker["steps"] == benchdata.fingerprint()["steps"]
    assert marker["built_on"] == TODAY.isoformat() and marker["members_target"] == 400

    again = benchdata.ensure_sqlite(path, 9, 400, **kw)
    assert again.reused and again.root == first.root and len(built) == 1 and len(emptied) == 1

    # Another helper adds a demo step (e.g. three years of meetings): the data set is rebuilt.
    monkeypatch.setattr(demo_services, "STEPS", [*demo_services.STEPS, ("bench_probe", lambda ctx: None)])
    rebuilt = benchdata.ensure_sqlite(path, 9, 400, **kw)
    assert not rebuilt.reused and len(built) == 2 and len(emptied) == 2
    assert json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["steps"][-1] == "bench_probe"

    forced = benchdata.ensure_sqlite(path, 9, 400, force=True, **kw)
    assert not forced.reused and len(built) == 3


@pytest.mark.slow
def test_empty_configured_database_is_built_into(db, tmp_path) -> None:
    _flush()
    marker = tmp_path / "postgresql-x.json"
    ds = benchdata.ensure_configured(4, 300, marker_path=marker, build=lambda scale, seed, progress, members_target:
                                     demo_services.build_demo(scale, seed, members_target=members_target, today=TODAY))
    assert not ds.reused and not ds.stale and ds.root.kind == "province"
    assert json.loads(marker.read_text(encoding="utf-8"))["root"] == ds.root.code
    again = benchdata.ensure_configured(4, 300, marker_path=marker, build=pytest.fail)
    assert again.reused and not again.stale and again.root == ds.root


def test_configured_database_is_refused_when_it_holds_other_data(tree, tmp_path) -> None:
    with pytest.raises(benchdata.BenchDataError, match="không phải dữ liệu mẫu cấp tỉnh"):
        benchdata.ensure_configured(1, marker_path=tmp_path / "m.json", build=pytest.fail)


# -- the three methods agree ---------------------------------------------------------------------

def _three_ways(key: str, org, period) -> tuple:
    con, load = bc.duckdb_connection([key], period)
    try:
        return bc.ours(key, org, period), bc.COMPARISONS[key].naive(org, period), bc.COMPARISONS[key].duck(con, org,
                                                                                                            period)
    finally:
        con.close()


def _meetings_of_last_year(tree) -> None:
    """C1A and C2A meet every month of last year (C2A once combined), C1B misses December."""
    from dangvu.meetings import services as ms

    year = TODAY.year - 1
    first = {}
    for code, months in (("C1A", range(1, 13)), ("C1B", range(1, 12)), ("C2A", range(1, 13))):
        for month in months:
            m = ms.record_meeting(None, tree.orgs[code], held_on=dt.date(year, month, 10), starts_at=dt.time(19),
                                  ends_at=dt.time(21), kind="thematic" if (code, month) == ("C2A", 6) else "regular",
                                  combined=(code, month) == ("C2A", 6))
            first.setdefault(code, []).append(m)
    # A thematic-only meeting does not count as a month's regular meeting.
    ms.record_meeting(None, tree.orgs["C1B"], held_on=dt.date(year, 12, 12), starts_at=dt.time(8),
                      ends_at=dt.time(10), kind="thematic")
    ms.set_attendance(None, first["C1A"][0], {tree.members["an"].pk: "absent"})
    ms.set_attendance(None, first["C1A"][1], {tree.members["cuong"].pk: "excused"})
    ms.set_attendance(None, first["C2A"][2], {tree.members["binh"].pk: "exempt"})


def test_three_methods_agree_on_known_meetings(tree) -> None:
    _meetings_of_last_year(tree)
    p, c1 = tree.orgs["P"], tree.orgs["C1"]
    # Attendance: C1A 12 meetings × 2 members, C2A 12 × 1 (C1B's only member joined this year);
    # one absent, one excused, one exempt (left out of the denominator).
    assert _three_ways("meetings.attendance_rate", p, LAST_YEAR) == ((33, 35),) * 3
    assert _three_ways("meetings.attendance_rate", c1, LAST_YEAR) == ((22, 24),) * 3
    assert _three_ways("cells.regular_meetings_complete_share", p, LAST_YEAR) == ((2, 3),) * 3
    assert _three_ways("cells.regular_meetings_complete_share", c1, LAST_YEAR) == ((1, 2),) * 3
    assert _three_ways("cells.regular_meetings_complete_share", tree.orgs["C1B"], LAST_YEAR) == ((0, 1),) * 3


def test_choose_prefers_the_compared_indicators_with_data(tree) -> None:
    _meetings_of_last_year(tree)
    # No grades in this tree (0/0): the assignment share (0 of 3 members) takes the third place.
    assert bc.choose(tree.orgs["P"], LAST_YEAR) == [
        "meetings.attendance_rate", "cells.regular_meetings_complete_share", "members.with_assignment_share"]
    assert bc.choose(tree.orgs["C2"], LAST_YEAR, n=1) == ["meetings.attendance_rate"]


# -- the section and the command -------------------------------------------------------------------

def test_xlsx_bench_skips_people_already_in_the_database(tree) -> None:
    """Run against a database holding people (the province demo under DATABASE_URL), the bench
    workbook leaves out the synthetic rows that would be flagged as duplicates."""
    from conftest import make_member_data

    from dangvu.bench import free_indices, run_bench, synthetic_member
    from dangvu.registry import services as registry

    same_person, same_cccd = synthetic_member(4, ""), synthetic_member(7, "")
    admitted = {"admitted_on": dt.date(2010, 5, 19), "full_on": dt.date(2011, 5, 19)}
    registry.register_member(None, tree.orgs["C1A"], make_member_data(same_person[1], same_person[2], **admitted))
    registry.register_member(None, tree.orgs["C1A"], make_member_data(
        "Người Khác", same_cccd[2], "female", cccd=same_cccd[9], **admitted))
    assert free_indices(10) == [0, 1, 2, 3, 5, 6, 8, 9, 10, 11]
    assert run_bench("commune", rows=30, keep=False)["xlsx_import"]["rows"] == 30
    # The bench's login comes from the accounts services: no superuser, an admin role on the run's
    # own tree only (gone with it: keep=False removed the tree).
    from django.contrib.auth.models import User

    from dangvu.accounts.models import Role

    user = User.objects.get(username="dangvu-bench")
    assert not user.is_superuser and user.has_usable_password()
    assert not Role.objects.filter(user=user).exists()
    kept = run_bench("commune", rows=5, keep=True)["xlsx_import"]
    assert kept["rows"] == 5
    role = Role.objects.get(user=user)
    assert role.kind == "admin" and role.organization.code.startswith("BENCH") and role.organization.depth == 1


def test_compare_without_duckdb_leaves_it_out(tree) -> None:
    _meetings_of_last_year(tree)
    out = bc.compare(["meetings.attendance_rate"], tree.orgs["P"], LAST_YEAR, None, repeat=1)
    row = out["indicators"]["meetings.attendance_rate"]
    assert "duckdb" not in row and row["ours"] == row["naive"] == {"numerator": 33, "denominator": 35}
    assert out["duckdb_seconds"] is None and out["agree"] is True


def test_province_command_refuses_unknown_sections(capsys) -> None:
    from dangvu.cli import main

    assert main(["bench", "--scale", "province", "--only", "nothing"]) == 2
    assert "Không có phần đo: nothing" in capsys.readouterr().err


@pytest.mark.slow
def test_province_command_end_to_end(tmp_path) -> None:
    """The real command twice in a child process on a tiny province: a SQLite file of its own under
    DANGVU_HOME/bench, reused the second time; the JSON has the headline keys."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["DANGVU_HOME"] = str(tmp_path)
    cmd = [sys.executable, "-m", "dangvu", "bench", "--scale", "province", "--members", "400", "--seed", "3",
           "--rows", "40", "--repeat", "1", "--json"]
    runs = []
    for _ in range(2):
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
        assert proc.returncode == 0, proc.stderr[-2000:]
        runs.append(json.loads(proc.stdout))
    first, second = runs
    assert list(first)[:6] == ["root_seconds", "commune_seconds", "vs_naive", "vs_duckdb", "agree",
                               "xlsx_rows_per_second"]
    assert first["agree"] is True and first["details"]["xlsx_import"]["rows"] == 40
    assert not first["details"]["dataset"]["reused"] and second["details"]["dataset"]["reused"]
    assert (tmp_path / "bench" / "province-3-400.sqlite3").exists()
    assert not (tmp_path / "dangvu.sqlite3").exists()  # the user's own database was never touched


def test_bench_workbooks_stay_within_the_upload_limits() -> None:
    """Every scale's members workbook is one a real upload may be: its sheet, extrapolated from a
    sample of the same synthetic rows (with a 5 % margin), inflates within safefiles.MAX_MEMBER and
    MAX_INFLATED, and holds no more rows than the importer reads (issue 14: the province bench
    once built a workbook check_archive refused)."""
    import io
    import zipfile

    from dangvu.bench import members_workbook
    from dangvu.bench.suite import SCALES
    from dangvu.core import safefiles
    from dangvu.registry import excel

    sample = 2_000
    with zipfile.ZipFile(io.BytesIO(members_workbook([f"C{i}" for i in range(40)], sample))) as z:
        sizes = {i.filename: i.file_size for i in z.infolist()}
    sheet = max(sizes.values())
    per_row = sheet / sample
    largest = max(scale.rows for scale in SCALES.values())
    assert largest <= excel.MAX_ROWS
    assert per_row * largest * 1.05 <= safefiles.MAX_MEMBER
    assert per_row * largest * 1.05 + sum(sizes.values()) - sheet <= safefiles.MAX_INFLATED
    # The margin is real: the old 100,000-row scale would not have fitted.
    assert per_row * 100_000 > safefiles.MAX_MEMBER
