"""The province bench on a small province demo: the three ways of computing the compared
indicators agree on generated data, the indicator section's JSON, and reusing a configured
database that holds the demo. (Tests needing the ``tree`` fixture live in test_bench.py: the
demo's users would clash with it.)"""

from __future__ import annotations

import pytest
from django.test import override_settings
from test_bench import FAST_HASHERS, LAST_YEAR, TODAY, _flush, _three_ways

from dangvu.bench import compare as bc
from dangvu.bench import dataset as benchdata
from dangvu.demo import services as demo_services

# Its module-wide data set is built once: every test of this file runs on one worker.
pytestmark = pytest.mark.xdist_group("bench-province")

SEED = 31
MEMBERS = 600


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        result = demo_services.build_demo("province", SEED, members_target=MEMBERS, today=TODAY)
        yield result
        _flush()


def test_configured_database_with_the_province_demo_is_reused(province, db, tmp_path) -> None:
    ds = benchdata.ensure_configured(SEED, MEMBERS, marker_path=tmp_path / "m.json", build=pytest.fail)
    assert ds.reused and ds.root.code == province.root.code
    assert ds.stale  # no marker was written for this database: it may be older than the code


@pytest.mark.slow
@pytest.mark.parametrize("key", list(bc.COMPARISONS))
def test_three_methods_agree_on_the_province_demo(province, db, key) -> None:
    from dangvu.bench.province import pick_commune

    root = province.root
    commune = pick_commune(root)
    assert commune.kind == "grassroots_committee" and commune.path.startswith(root.path)
    results = {}
    for org in (root, commune):
        ours, naive, duck = results[org.code] = _three_ways(key, org, LAST_YEAR)
        assert ours == naive == duck
    if key in ("members.rated_good_or_better_share", "members.with_assignment_share"):  # the demo has these
        hit, total = results[root.code][0]
        assert 0 < hit <= total and results[commune.code][0][1] <= total


@pytest.mark.slow
def test_indicator_section_has_the_headline_keys(province, db) -> None:
    from dangvu.bench.province import indicator_section

    out = indicator_section(province.root, repeat=1, naive_budget=10_000)
    assert {"root_seconds", "commune_seconds", "vs_naive", "vs_duckdb", "agree", "details"} <= set(out)
    assert out["agree"] is True
    d = out["details"]
    assert d["compared_on"] == "root" and len(d["compared"]) == 3
    assert d["compared_period"] == LAST_YEAR.label and d["period"] == f"năm {TODAY.year}"
    assert d["commune"]["active_members"] <= d["root"]["active_members"]
    assert len(d["root_runs"]) == 1 and out["root_seconds"] == d["root_runs"][0]
    for row in d["comparison"]["root"]["indicators"].values():
        assert row["ours"] == row["naive"] == row["duckdb"]
    assert set(d["duckdb_load"]["rows"]) >= {"organization"}




@pytest.mark.slow
def test_indicator_section_without_duckdb_says_so_and_skips_it(province, db, monkeypatch, capsys) -> None:
    from dangvu.bench.province import indicator_section

    monkeypatch.setattr(bc, "duckdb_available", lambda: False)
    out = indicator_section(province.root, repeat=1, naive_budget=10_000)
    err = capsys.readouterr().err
    assert err.count(bc.DUCKDB_MISSING) == 1 and "dangvu[bench]" in err
    assert out["vs_duckdb"] is None and out["agree"] is True and out["vs_naive"] is not None
    d = out["details"]
    assert d["duckdb_load"] is None and d["vs_duckdb_with_load"] is None
    for row in d["comparison"]["root"]["indicators"].values():
        assert "duckdb" not in row and row["ours"] == row["naive"]
