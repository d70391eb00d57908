"""Bands and free-text categories of the standard member statistics (dangvu.core.stats)."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangvu.core.rulesets import ruleset_for
from dangvu.core.stats import (
    OTHER,
    UNRECORDED,
    band_index,
    band_labels,
    count_bands,
    full_years,
    group_categories,
    normalise,
)

BOUNDS = [30, 40, 50, 60, 70]


@pytest.mark.parametrize(("born", "on", "years"), [
    (dt.date(1996, 5, 10), dt.date(2026, 5, 9), 29),   # the day before the birthday
    (dt.date(1996, 5, 10), dt.date(2026, 5, 10), 30),  # the birthday
    (dt.date(2000, 2, 29), dt.date(2026, 2, 28), 25),  # a leap-day birth in a common year
    (dt.date(2000, 2, 29), dt.date(2026, 3, 1), 26),
    (dt.date(2027, 1, 1), dt.date(2026, 1, 1), -1),
])
def test_full_years_counts_the_birthday(born, on, years):
    assert full_years(born, on) == years


def test_band_labels_and_edges():
    assert band_labels(BOUNDS) == ["Dưới 30 tuổi", "Từ 30 đến 39 tuổi", "Từ 40 đến 49 tuổi", "Từ 50 đến 59 tuổi",
                                   "Từ 60 đến 69 tuổi", "Từ 70 tuổi trở lên"]
    assert [band_index(v, BOUNDS) for v in (29, 30, 39, 40, 69, 70, 99)] == [0, 1, 1, 2, 4, 5, 5]
    with pytest.raises(ValueError):
        band_labels([40, 30])


def test_count_bands_on_a_day():
    on = dt.date(2026, 6, 30)
    counts = [(dt.date(1996, 6, 30), 2),   # 30 that day → 30–39
              (dt.date(1996, 7, 1), 3),    # 29 → under 30
              (dt.date(1950, 1, 1), 1),    # 76 → 70 and over
              (None, 4)]
    got = count_bands(counts, on, BOUNDS)
    assert list(got)[:6] == band_labels(BOUNDS)
    assert got["Dưới 30 tuổi"] == 3 and got["Từ 30 đến 39 tuổi"] == 2 and got["Từ 70 tuổi trở lên"] == 1
    assert got[UNRECORDED] == 4 and sum(got.values()) == 10


@given(st.lists(st.tuples(st.dates(dt.date(1920, 1, 1), dt.date(2026, 1, 1)), st.integers(0, 50)), max_size=30))
def test_count_bands_keeps_the_total(pairs):
    got = count_bands(pairs, dt.date(2026, 1, 1), BOUNDS)
    assert sum(got.values()) == sum(n for _, n in pairs)


def test_normalise_groups_case_space_and_composition():
    decomposed = unicodedata.normalize("NFD", "Mường")
    assert normalise(" MƯỜNG ") == normalise(decomposed) == normalise("mường")
    assert normalise("Mường") != normalise("Muong")


def test_group_categories_top_other_and_blank():
    counts = {"Kinh": 7, "kinh ": 2, "Tày": 3, "Mường": 3, "Thái": 1, "Khác": 1, "": 2, None: 1}
    got = group_categories(counts, top=2)
    # "Kinh" (9) first under its common spelling; the tie Mường/Tày (3 each) goes by the label.
    assert list(got.items()) == [("Kinh", 9), ("Mường", 3), (OTHER, 5), (UNRECORDED, 3)]
    every = group_categories(counts, top=10)
    assert every[OTHER] == 1  # a value spelled "Khác" lands in that row, not over it
    assert sum(every.values()) == sum(counts.values())


@given(st.dictionaries(st.text(max_size=6), st.integers(0, 20), max_size=15), st.integers(0, 8))
def test_group_categories_keeps_the_total(counts, top):
    assert sum(group_categories(counts, top).values()) == sum(counts.values())


def test_bands_are_rule_parameters_marked_unconfirmed():
    rs = ruleset_for(dt.date(2026, 1, 1))
    assert rs["stats.age_bands"] == sorted(rs["stats.age_bands"])
    assert rs["stats.party_age_bands"] == sorted(rs["stats.party_age_bands"])
    assert "chưa xác nhận" in rs.source("stats.age_bands")
    assert rs["stats.top_categories"] > 0
