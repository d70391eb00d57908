#!/usr/bin/env python3
"""Syllable accuracy of the OCR repair, before and after, on damaged copies of the clean sample
plans of the tune half (tests/data/plans/*.txt):

- ocr: the OCR twins tests/data/plans/ocr/NAME.txt where they exist; otherwise the clean text
  is rendered with Pillow in matplotlib's DejaVu Serif and read by `tesseract -l eng` into a
  cache folder (--cache, default a temp folder);
- strip, garble: the synthetic damages of tests/test_planparse_ocr.py.

    .venv/bin/python scripts/measure_ocr_repair.py [--sources ocr strip garble] [--cache DIR]

Accuracy: the word tokens of the damaged (or repaired) text are aligned to those of the clean
text with difflib; the share of clean tokens matched by an equal token (same letters, marks and
case; the two accepted tone placements, "hoà"/"hòa", count as equal).
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dangvu.core.planparse.lexicon import Model, count_text, lexicon_syllables, model  # noqa: E402
from dangvu.core.planparse.repair import repair_text  # noqa: E402
from dangvu.core.planparse.syllables import canonical  # noqa: E402

PLANS = ROOT / "tests" / "data" / "plans"
TWINS = PLANS / "ocr"
NOT_CLEAN = {"kh_xa_phuoc_son_ocr_nq21"}
_WORD = re.compile(r"[^\W_]+")


def _tok(w: str) -> str:
    return canonical(w) if w.islower() else w.upper() if w.isupper() else canonical(w).capitalize() \
        if w[:1].isupper() and w[1:].islower() else w


def tokens(text: str) -> list[str]:
    """Word tokens, tone placement made canonical (case kept)."""
    text = unicodedata.normalize("NFC", text).replace("Ð", "Đ").replace("ð", "đ")
    return [_tok(w) for w in _WORD.findall(text)]


def syllable_accuracy(clean: str, other: str) -> tuple[int, int]:
    """(clean tokens matched by an equal token of ``other``, clean tokens)."""
    a, b = tokens(clean), tokens(other)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in sm.get_matching_blocks()), len(a)


def clean_plans() -> list[Path]:
    return sorted(p for p in PLANS.glob("*.txt") if p.stem not in NOT_CLEAN)


def _damages() -> dict[str, Callable[[str], str]]:
    spec = importlib.util.spec_from_file_location("_ocr_damage", ROOT / "tests" / "test_planparse_ocr.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return {"strip": mod.strip_marks, "garble": mod.garble}


def render_and_read(text: str, work: Path, name: str) -> str:
    """The text drawn on a page image and read back by Tesseract's English model."""
    import matplotlib
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(os.path.join(os.path.dirname(matplotlib.__file__),
                                           "mpl-data", "fonts", "ttf", "DejaVuSerif.ttf"), 38)
    width, margin = 2480, 200
    lines: list[str] = []
    for para in unicodedata.normalize("NFC", text).split("\n"):
        cur = ""
        for w in para.split(" "):
            trial = f"{cur} {w}" if cur else w
            if cur and font.getlength(trial) > width - 2 * margin:
                lines.append(cur)
                cur = w
            else:
                cur = trial
        lines.append(cur)
    step = 61
    img = Image.new("L", (width, 2 * margin + step * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * step), line, font=font, fill=0)
    png = work / f"{name}.png"
    img.save(png)
    out = subprocess.run(["tesseract", str(png), "-", "-l", "eng"], capture_output=True, text=True,
                         check=True).stdout
    png.unlink()
    return out


def ocr_twin(path: Path, cache: Path) -> str:
    twin = TWINS / path.name
    if twin.exists():
        return twin.read_text(encoding="utf-8")
    cached = cache / path.name
    if not cached.exists():
        cache.mkdir(parents=True, exist_ok=True)
        cached.write_text(render_and_read(path.read_text(encoding="utf-8"), cache, path.stem), encoding="utf-8")
    return cached.read_text(encoding="utf-8")


def leave_one_out_models(paths: list[Path]) -> dict[Path, Model]:
    """For each plan, a model whose counts leave that plan out (an honest accuracy: the
    committed counts include every tune-half plan)."""
    lexicon = model().lexicon
    counts = {p: count_text(p.read_text(encoding="utf-8"), lexicon) for p in paths}
    syllables = lexicon_syllables()
    out = {}
    for p in paths:
        uni: Counter = Counter()
        bi: Counter = Counter()
        for q, (u, b) in counts.items():
            if q != p:
                uni += u
                bi += b
        out[p] = Model(syllables, uni, bi)
    return out


def measure(sources: list[str], cache: Path, verbose: bool = False, loo: bool = False,
            ) -> dict[str, dict[str, float]]:
    damages = _damages()
    result = {}
    paths = clean_plans()
    models = leave_one_out_models(paths) if loo else {}
    for source in sources:
        before = after = total = 0
        seconds = 0.0
        for path in paths:
            clean = path.read_text(encoding="utf-8")
            damaged = ocr_twin(path, cache) if source == "ocr" else damages[source](clean)
            t0 = time.perf_counter()
            repaired = repair_text(damaged, models.get(path))
            seconds += time.perf_counter() - t0
            b, n = syllable_accuracy(clean, damaged)
            a, _n = syllable_accuracy(clean, repaired)
            before, after, total = before + b, after + a, total + n
            if verbose:
                print(f"  {source:7} {path.stem:50} {b / n:6.1%} → {a / n:6.1%}")
        result[source] = {"before": before / total, "after": after / total, "tokens": total,
                          "seconds": seconds}
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", nargs="+", default=["ocr", "strip", "garble"])
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "dangvu-ocr-twins")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--loo", action="store_true", help="leave each plan out of the counts it is repaired with")
    args = ap.parse_args()
    if "ocr" in args.sources:
        real = sum((TWINS / p.name).exists() for p in clean_plans())
        print(f"ocr twins: {real} from {TWINS.relative_to(ROOT)}, {len(clean_plans()) - real} rendered here")
    for source, r in measure(args.sources, args.cache, args.verbose, args.loo).items():
        print(f"{source:7} syllable accuracy {r['before']:.1%} → {r['after']:.1%} "
              f"({r['tokens']} tokens, repair {r['seconds']:.2f} s)")


if __name__ == "__main__":
    main()
