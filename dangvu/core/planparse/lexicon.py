"""The OCR repair's lexicon and syllable bigram language model, and how texts are cut into words.

Data files (``data/``) are built by ``scripts/build_vi_lexicon.py``; see :mod:`.repair` for their use.
"""


from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .syllables import canonical, is_plain_syllable, spellings, strip_marks

DATA = Path(__file__).parent / "data"
SYLLABLES_FILE = DATA / "vi_syllables.txt"
DOMAIN_FILE = DATA / "domain_terms.txt"
COUNTS_FILE = DATA / "vi_syllable_counts.txt"

NUM = "<num>"      # any number, one LM token ("năm <num>", "số <num>")
START = "<s>"      # start of a run of words


# One word: letters, and the digits OCR prints for marked letters when glued to letters ("s6").
_LETTERS = r"[^\W\d_¹²³⁴⁵⁶⁷⁸⁹⁰]+"     # superscripts are footnote marks, not letters
# Inside or after letters, or before them at a word start, "6" "4" "1" "0" are OCR'd letters
# ("s6" số, "x4" xã, "4p" ấp, "1en" lên, "b6é" bộ); "16" alone stays a number.
_WORD = re.compile(rf"(?:(?<![\w])[14](?={_LETTERS})|(?<!\d)){_LETTERS}(?:[0146]{_LETTERS})*(?:[046](?!\w))?")
# Numbers (a percent sign goes with its number: "90% trở lên" reads "<num> trở lên"), words, and
# any other single character. Letters glued after a digit ("2O25", "ngày3O") belong to the number.
_TOKEN = re.compile(rf"(?P<word>{_WORD.pattern})|(?P<num>\d+(?:[.,]\d+)*(?:\s?%)?(?:{_LETTERS}(?=\d))?)|\S")


# --- lexicon and language model -------------------------------------------------------------

def _read_lines(path: Path) -> Iterable[str]:
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield unicodedata.normalize("NFC", line)


def words_of(text: str) -> list[str]:
    """LM tokens of a text: lower-case words, NUM for numbers, START where punctuation breaks."""
    out = [START]
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if m.group("word"):
            out.append(tok.lower())
        elif m.group("num"):
            out.append(NUM)
        elif out[-1] != START:
            out.append(START)
    return out


def count_text(text: str, lexicon: set[str]) -> tuple[Counter, Counter]:
    """Unigram and bigram counts of one clean text (surface spellings, lower case); a word
    outside the lexicon (a name, an acronym) breaks the run like punctuation does."""
    uni: Counter = Counter()
    bi: Counter = Counter()
    text = unicodedata.normalize("NFC", text).replace("Ð", "Đ").replace("ð", "đ")
    prev = START
    for w in words_of(text):
        if w not in (NUM, START) and w not in lexicon:
            w = START
        if w == START:
            prev = START
            continue
        uni[w] += 1
        bi[prev, w] += 1
        prev = w
    return uni, bi


def _can(w: str) -> str:
    return w if w in (NUM, START) else canonical(w)


DOMAIN_WEIGHT = 3      # each domain-term line counts as this many occurrences of its words
UNI_FLOOR = 0.2        # pseudo-count of a lexicon syllable never seen


class Model:
    """Lexicon, candidate index and bigram LM."""

    def __init__(self, syllables: Iterable[str], uni_surface: Counter, bi_surface: Counter) -> None:
        syllables = list(syllables)
        self.uni: Counter = Counter()
        self.bi: Counter = Counter()
        for w, c in uni_surface.items():
            self.uni[_can(w)] += c
        for (a, b), c in bi_surface.items():
            self.bi[_can(a), _can(b)] += c
        for term in _read_lines(DOMAIN_FILE):
            prev = START
            for w in words_of(term)[1:]:
                if w not in (NUM, START) and not is_plain_syllable(strip_marks(w)):
                    w = START
                if w == START:
                    prev = START
                    continue
                if w != NUM:
                    syllables.append(w)
                self.uni[_can(w)] += DOMAIN_WEIGHT
                self.bi[_can(prev), _can(w)] += DOMAIN_WEIGHT
                prev = w
        syllables.extend(w for w in uni_surface if w not in (NUM, START))
        self.lexicon: set[str] = set()           # every accepted spelling, lower case
        self.by_key: dict[str, list[str]] = defaultdict(list)   # unmarked form → canonical syllables
        for syl in syllables:
            can = canonical(syl)
            self.lexicon.update(spellings(syl))
            key = strip_marks(can)
            if can not in self.by_key[key]:
                self.by_key[key].append(can)
        self.keys = list(self.by_key)
        total = sum(self.uni.values())
        vocab = len(self.by_key) + 2
        denom = total + UNI_FLOOR * vocab
        self.floor = math.log(UNI_FLOOR / denom)
        self.log_uni_of = {w: math.log((c + UNI_FLOOR) / denom) for w, c in self.uni.items()}
        ctx_count: Counter = Counter()
        ctx_types: Counter = Counter()
        for (a, _b), c in self.bi.items():
            ctx_count[a] += c
            ctx_types[a] += 1
        self.ctx = {a: (ctx_count[a], ctx_types[a]) for a in ctx_count}
        self._bi_cache: dict[tuple[str, str], float] = {}
        # The spelling to print for a canonical syllable: the one the sample plans use most.
        self.surface: dict[str, str] = {}
        best: dict[str, int] = {}
        for form, c in uni_surface.items():
            can = _can(form)
            if c > best.get(can, 0):
                best[can], self.surface[can] = c, form

    def log_uni(self, w: str) -> float:
        return self.log_uni_of.get(w, self.floor)

    def log_bi(self, a: str, b: str) -> float:
        """Witten-Bell interpolation of the bigram with the unigram."""
        hit = self._bi_cache.get((a, b))
        if hit is not None:
            return hit
        p_uni = math.exp(self.log_uni(b))
        ctx = self.ctx.get(a)
        if ctx is None:
            value = math.log(p_uni)
        else:
            n, t = ctx
            value = math.log((self.bi.get((a, b), 0) + t * p_uni) / (n + t))
        self._bi_cache[a, b] = value
        return value


def read_counts(path: Path) -> tuple[Counter, Counter]:
    """(unigrams, bigrams) of surface spellings from the counts file."""
    uni: Counter = Counter()
    bi: Counter = Counter()
    for line in _read_lines(path):
        kind, words, count = line.split("\t")
        if kind == "u":
            uni[words] += int(count)
        elif kind == "b":
            a, b = words.split(" ")
            bi[a, b] += int(count)
    return uni, bi


def lexicon_syllables() -> list[str]:
    return list(_read_lines(SYLLABLES_FILE))


@lru_cache(maxsize=1)
def model() -> Model:
    """The model of the committed data files."""
    uni, bi = read_counts(COUNTS_FILE)
    return Model(lexicon_syllables(), uni, bi)


