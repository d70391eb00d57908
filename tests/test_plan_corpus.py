"""The sample-plan corpus and the reader's scores on it, as ../shared/tools/score-plan counts them.

Two halves: ``plans/`` is what the reader was tuned on, ``plans_heldout/`` was written apart and
only scored. Each plan has its clean text, its OCR twin (``ocr/``: rendered and read back by
Tesseract without the Vietnamese model) and its gold with bindings. The floors sit a little below
the scores measured when they were set (README: "Plan reader accuracy"), so a regression fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_planparse_ocr import load_scorer

from dangvu.core.planparse import parse_file

DATA = Path(__file__).parent / "data"
HALVES = {"tune": DATA / "plans", "heldout": DATA / "plans_heldout"}

# (half, variant) → floors for F1 of targets, references, deadlines, and binding accuracy.
FLOORS = {
    ("tune", "clean"): (0.97, 0.98, 0.98, 0.93),
    ("tune", "ocr"): (0.92, 0.95, 0.96, 0.86),
    ("heldout", "clean"): (0.92, 0.98, 0.93, 0.88),
    ("heldout", "ocr"): (0.83, 0.96, 0.92, 0.84),
}


def golds(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json"))


def test_corpus_has_thirty_plans_with_bindings_and_ocr_twins():
    plans = [g for folder in HALVES.values() for g in golds(folder)]
    assert len(plans) >= 30
    for gold_path in plans:
        gold = json.loads(gold_path.read_text())
        assert all("bindings" in t for t in gold["targets"]), gold_path.name
        assert gold_path.with_suffix(".txt").is_file()
        assert (gold_path.parent / "ocr" / f"{gold_path.stem}.txt").is_file(), f"no OCR twin: {gold_path.stem}"
    assert min(len(golds(f)) for f in HALVES.values()) >= 15


def _totals(scorer, folder: Path, variant: str) -> dict[str, float]:
    total: dict[str, list[int]] = {}
    for gold_path in golds(folder):
        doc = gold_path.with_suffix(".txt") if variant == "clean" else folder / "ocr" / f"{gold_path.stem}.txt"
        result = scorer.score(parse_file(doc), json.loads(gold_path.read_text()))
        for key, counts in result.items():
            t = total.setdefault(key, [0, 0, 0])
            for i in range(3):
                t[i] += counts[i]
    return {k: scorer.prf(*v)[2] for k, v in total.items()}


@pytest.mark.slow
@pytest.mark.parametrize(("half", "variant"), sorted(FLOORS))
def test_reader_scores_on_the_corpus(shared_dir, half, variant):
    scorer = load_scorer(shared_dir)
    f1 = _totals(scorer, HALVES[half], variant)
    floors = dict(zip(("targets", "references", "deadlines", "bindings"), FLOORS[(half, variant)], strict=True))
    low = {k: round(f1[k], 3) for k, floor in floors.items() if f1[k] < floor}
    assert not low, f"{half}/{variant} below the floor: {low} (all: { {k: round(v, 3) for k, v in f1.items()} })"
