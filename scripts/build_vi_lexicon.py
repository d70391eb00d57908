#!/usr/bin/env python3
"""Build the data files of the OCR repair (dangvu/core/planparse/repair.py).

    .venv/bin/python scripts/build_vi_lexicon.py

writes, under dangvu/core/planparse/data/ (both committed, so the runtime needs no Debian
package):

- vi_syllables.txt: the Vietnamese syllables of Debian's hunspell-vi dictionary
  (/usr/share/hunspell/vi_VN.dic, `apt-get install hunspell-vi`), lower case, one a line; the
  header records the package version it came from. Acronyms and foreign words ("UBND", "email")
  are dropped: only strings with the shape of a Vietnamese syllable are kept.
- vi_syllable_counts.txt: syllable unigram ("u") and bigram ("b") counts over the project's own
  clean sample plans of the tune half, tests/data/plans/*.txt. Numbers count as "<num>",
  punctuation starts a new run ("<s>"); words that are no lexicon syllable (names, acronyms)
  break the run too. The held-out half (tests/data/plans_heldout/) and shared/seeds are never
  read, and neither is the sample that carries OCR damage of its own.

domain_terms.txt beside them is written by hand and read at run time.
Rerun after adding sample plans or upgrading hunspell-vi.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dangvu.core.planparse.lexicon import NUM, START, count_text, words_of  # noqa: E402
from dangvu.core.planparse.syllables import canonical, is_plain_syllable, spellings, strip_marks  # noqa: E402

DIC = Path("/usr/share/hunspell/vi_VN.dic")
DATA = ROOT / "dangvu" / "core" / "planparse" / "data"
PLANS = ROOT / "tests" / "data" / "plans"
# Samples whose text is not clean Vietnamese on purpose (their own OCR damage): not counted.
NOT_CLEAN = {"kh_xa_phuoc_son_ocr_nq21"}


def package_version(name: str) -> str:
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True,
                             text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def hunspell_syllables(dic: Path) -> list[str]:
    lines = dic.read_text(encoding="utf-8").splitlines()[1:]     # first line: entry count
    out = set()
    for line in lines:
        word = unicodedata.normalize("NFC", line.split("/")[0].strip())
        if not word or (word.isupper() and len(word) > 1):
            continue                                                # acronyms
        low = word.lower()
        if is_plain_syllable(strip_marks(low)):
            out.add(low)
    return sorted(out)


def domain_syllables() -> set[str]:
    out = set()
    for line in (DATA / "domain_terms.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            for w in words_of(unicodedata.normalize("NFC", line)):
                if w not in (NUM, START) and is_plain_syllable(strip_marks(w)):
                    out.add(w)
    return out


def count_plans(paths: list[Path], lexicon: set[str]) -> tuple[Counter, Counter]:
    uni: Counter = Counter()
    bi: Counter = Counter()
    for path in paths:
        u, b = count_text(path.read_text(encoding="utf-8"), lexicon)
        uni += u
        bi += b
    return uni, bi


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dic", type=Path, default=DIC)
    args = ap.parse_args()
    version = package_version("hunspell-vi")
    syllables = hunspell_syllables(args.dic)
    (DATA / "vi_syllables.txt").write_text(
        f"# Vietnamese syllables from Debian hunspell-vi {version} ({args.dic}), lower case.\n"
        "# Rebuild: .venv/bin/python scripts/build_vi_lexicon.py\n"
        + "".join(s + "\n" for s in syllables), encoding="utf-8")

    lexicon: set[str] = set()
    for s in set(syllables) | domain_syllables():
        lexicon |= spellings(s)
        lexicon.add(canonical(s))
    plans = sorted(p for p in PLANS.glob("*.txt") if p.stem not in NOT_CLEAN)
    uni, bi = count_plans(plans, lexicon)
    lines = [
        "# Syllable counts of the clean sample plans of the tune half (tests/data/plans/*.txt),",
        f"# {len(plans)} files: {' '.join(p.stem for p in plans)}",
        "# u<TAB>syllable<TAB>count and b<TAB>previous next<TAB>count; <num> = a number, <s> = run start.",
        "# Rebuild: .venv/bin/python scripts/build_vi_lexicon.py",
    ]
    lines += [f"u\t{w}\t{c}" for w, c in sorted(uni.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines += [f"b\t{a} {b}\t{c}" for (a, b), c in sorted(bi.items(), key=lambda kv: (-kv[1], kv[0]))]
    (DATA / "vi_syllable_counts.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"hunspell-vi {version}: {len(syllables)} syllables; {len(plans)} plans: "
          f"{sum(uni.values())} tokens, {len(uni)} types, {len(bi)} bigrams")


if __name__ == "__main__":
    main()
