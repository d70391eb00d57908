"""The benchmarks behind ``dangvu bench``.

- :mod:`.suite`: the classic benches (XLSX import through the services), each a JSON section;
- :mod:`.dataset`: the province demo data set, built once and reused;
- :mod:`.province`: the indicator part of ``--scale province``; :mod:`.compare` computes three
  indicators three ways (ours, naive, DuckDB); :mod:`.province_cli` runs the province bench.

DuckDB is an optional extra (``pip install 'dangvu[bench]'``): without it the bench says so in one
line and skips the DuckDB comparison.
"""

from __future__ import annotations

from .suite import BENCHES, SCALES, Scale, bench, free_indices, members_workbook, run_bench, synthetic_member

__all__ = ["BENCHES", "SCALES", "Scale", "bench", "free_indices", "members_workbook", "run_bench", "synthetic_member"]
