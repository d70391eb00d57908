"""Token-by-token repair of OCR-damaged Vietnamese text.

Tesseract without its Vietnamese model prints "Nghi quyét s6 21-NQ/TW ... ciia Pang uy xa" for
"Nghị quyết số 21-NQ/TW ... của Đảng ủy xã": marks lost or wrong, Đ read as P/B/D, "ủ" as "ii",
"ố" as "6". ``repair_text`` puts the syllables back:

1. The document is measured (share of words that are valid syllables, share carrying marks).
   Clean Vietnamese is returned as it is; only damaged text is decoded.
2. Each word gets candidate syllables from the lexicon (``data/vi_syllables.txt`` from Debian's
   hunspell-vi, plus ``data/domain_terms.txt``): syllables whose unmarked form equals the
   token's, or is reached through an OCR confusion (6→ô, ii→ủ, P→Đ at a word start, one edit).
3. A Viterbi decode over each run of words picks the sequence maximising a syllable bigram
   language model (``data/vi_syllable_counts.txt``, counted on the project's clean sample plans,
   Witten-Bell interpolated with unigrams) plus a channel score: printed marks are trusted in
   proportion to how many marks the document kept, so stripped text is free to gain marks and
   lightly garbled text keeps the marks it has unless the context argues well against them.
4. Case (ALL CAPS headings, Title Case names), numbers, codes, punctuation and line breaks are
   kept; Đ is restored in party document codes ("26-KH/PU" → "26-KH/ĐU") and OCR'd Roman
   numerals at the start of a heading line ("IL." → "II.") are fixed here.

Rebuild the data files with ``python scripts/build_vi_lexicon.py``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .lexicon import _TOKEN, _WORD, NUM, START, Model, model
from .syllables import Marks, canonical, is_plain_syllable, marks_of, strip_marks

# --- tokens -------------------------------------------------------------------------------

# Party document codes: "21-NQ/TW", "26 - KH/PU", "123/QĐ-UBND", "QP/TW": a number before, or a
# slash inside ("KINH TE - XA HOI" is a damaged heading, not a code).
_G = r"[A-ZĐÐ][A-Za-zĐđÐð]{0,9}"
_CODE = re.compile(
    rf"(?<![\w/])(?:(?:\d+[a-z]?\s?-\s?|\d+/){_G}(?:\s?[/-]\s?{_G})*|{_G}\s?/\s?{_G}(?:\s?[/-]\s?{_G})*)(?![\w/])")
_CODE_GROUP = re.compile(r"[A-Za-zĐđÐð]+")
# Codes of document kinds and issuers as printed ("Đ" is the letter OCR turns into P/B/D).
_KNOWN_CODES = frozenset(["NQ", "CT", "KL", "QĐ", "QĐi", "QC", "QyĐ", "HD", "KH", "TB", "BC", "CTr", "TTr", "CV", "TT", "NĐ", "ĐA", "BB", "TTg", "TW", "TU", "HU", "QU", "TX", "TP", "ĐU", "ĐUK", "ĐUCQ", "ĐUQS", "ĐUCA", "ĐTN", "CB", "BTV", "BTG", "BTC", "BDV", "UBKT", "UBKTTW", "UBKTTU", "UBKTHU", "UBND", "HĐND", "VPTU", "VPTW", "VPHU", "BCĐ", "MTTQ", "BTGTW", "BTCTW", "BTGTU", "BTCTU", "BTGHU", "BTCHU", "BDVTU", "BDVHU", "BCSĐ", "ĐĐ", "ĐBQH", "BCH", "CĐ", "HĐ", "ĐH", "BNC", "DQ", "DA", "BQP", "BCA", "LĐLĐ", "CĐCS", "HLHPN", "HND", "HCCB", "ĐCSVN", "TWĐ", "BCĐTW", "ĐUKCCQ", "ĐUKDN", "ĐUK-CCQ", "ĐUK-DN", "BTVTU", "BTVHU", "PA"])
_ROMAN_TOKEN = re.compile(r"^[IVXLC]+$")
_VOWEL_IN = re.compile(r"[aăâeêioôơuưyáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ]")
# Upper-case abbreviations that look like syllables and stay as printed outside headings.
_ACRONYMS = frozenset(["UBND", "HĐND", "MTTQ", "THCS", "THPT", "CNH", "HĐH", "KT", "XH", "CT", "BCH", "BTV", "UBKT", "ĐTN", "CCB", "LHPN", "CAND", "QĐND"])
_ROMAN_LINE = re.compile(r"(?m)^([ \t]*)([IVXLlvx1|!]{1,5})([.)])(?=[ \t]+\S)")
_ROMAN = re.compile(r"^(?:X{0,3})(?:IX|IV|V?I{0,3})$")
_ARABIC_HEADING = re.compile(r"(?m)^[ \t]*([12l])\.[ \t]+(.*)$")
_DIGIT_LETTERS = str.maketrans({"6": "o", "4": "a", "0": "o", "1": "l"})


def fix_code(code: str, misread: str = "PBD") -> str:
    """Đ restored in the letter groups of a document code ("KH/PU" → "KH/ĐU", "QP/TW" → "QĐ/TW"):
    a group that is no known code but becomes one when some of its ``misread`` letters are Đ."""
    def group(m: re.Match) -> str:
        g = m.group()
        if g in _KNOWN_CODES:
            return g
        spots = [i for i, c in enumerate(g) if c in misread]
        if not spots or len(spots) > 3:
            return g
        for mask in range(1, 1 << len(spots)):
            trial = list(g)
            for bit, i in enumerate(spots):
                if mask >> bit & 1:
                    trial[i] = "Đ"
            trial = "".join(trial)
            if trial in _KNOWN_CODES:
                return trial
        return g
    return _CODE_GROUP.sub(group, code)


def fix_roman_headings(text: str) -> str:
    """OCR'd Roman numerals of heading lines: "IL." "Il." "1I." → "II."; "1." and valid numerals stay."""
    def sub(m: re.Match) -> str:
        raw = m.group(2)
        if not set(raw) & set("IVX") or _ROMAN.match(raw):
            return m.group()
        fixed = re.sub(r"[Ll1|!]", "I", raw).upper()
        if _ROMAN.match(fixed) and fixed:
            return m.group(1) + fixed + m.group(3)
        return m.group()
    text = _ROMAN_LINE.sub(sub, text)
    # "I." read as "1." or "l.": only where the headings are Roman ("II." follows) and no
    # "2. HEADING" shows that the capital headings are numbered in Arabic figures.
    if re.search(r"(?m)^[ \t]*II\.[ \t]", text) and not any(
            _is_caps_text(m.group(2)) for m in _ARABIC_HEADING.finditer(text) if m.group(1) == "2"):
        text = _ARABIC_HEADING.sub(
            lambda m: m.group(0).replace(m.group(1) + ".", "I.", 1)
            if m.group(1) in "1l" and _is_caps_text(m.group(2)) else m.group(0), text)
    return text


def _is_caps_text(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


# --- document measure ---------------------------------------------------------------------

CLEAN_VALID = 0.94     # clean sample plans and seeds: ≥ 0.996 (names, English words make the rest)
CLEAN_MARKED = 0.6     # clean sample plans and seeds: ≥ 0.83; stripped text: 0
CLEAN_TEXT_MARKED = 0.88
SHORT_TEXT = 12        # fewer words than this: judged word by word   # marked share of clean text, to estimate how many marks OCR kept


@dataclass(frozen=True)
class Health:
    """How Vietnamese a text looks: shares over its words of two letters or more."""

    words: int
    valid: float       # spelled exactly as a lexicon syllable
    marked: float      # carrying a diacritic or đ

    @property
    def damaged(self) -> bool:
        if self.words < SHORT_TEXT:
            # Too few words for shares: a short text is repaired when a word is no syllable
            # ("nim 2025") or none carries a mark.
            return self.valid < 1.0 or self.marked == 0.0
        return self.valid < CLEAN_VALID or self.marked < CLEAN_MARKED


def health(text: str, m: Model | None = None) -> Health:
    """Valid and marked shares of the words of a text (acronyms left out)."""
    m = m or model()
    words = [w for w in _WORD.findall(text) if len(w) > 1 and not _is_acronym(w)]
    if not words:
        return Health(0, 1.0, 1.0)
    valid = sum(w.lower() in m.lexicon for w in words)
    marked = sum(strip_marks(w) != w for w in words)
    return Health(len(words), valid / len(words), marked / len(words))


def _is_acronym(tok: str, caps_line: bool = False) -> bool:
    """An upper-case abbreviation or Roman numeral, left as printed. In an ALL CAPS heading only
    the known ones count: there "NUGC" is a damaged word (NƯỚC), not an abbreviation."""
    if not (tok.isupper() and len(tok) > 1):
        return False
    if tok in _ACRONYMS or _ROMAN_TOKEN.match(tok) or not _VOWEL_IN.search(tok.lower().translate(_DIGIT_LETTERS)):
        return True
    return not caps_line and not is_plain_syllable(strip_marks(tok.lower().translate(_DIGIT_LETTERS)))


def _looks_upper(tok: str) -> bool:
    """All capitals, allowing one small letter OCR makes of a marked capital ("CHi" for CHỈ)."""
    letters = [c for c in tok if c.isalpha()]
    small = sum(c.islower() for c in letters)
    return len(letters) > 1 and (small == 0 or small == 1 and len(letters) >= 3 and letters[0].isupper())


# --- channel ------------------------------------------------------------------------------

KEY_EDIT = 5.0         # cost (nats) of one letter edit between a printed non-word and a syllable
KEY_EDIT_VALID = 7.0   # the same when the printed word is itself a syllable
MAX_CANDIDATES = 8
UNI_PRUNE = 0.5        # weight of the unigram when pruning candidates before the decode

# OCR letter confusions, printed → meant (unmarked), with a cost in nats.
_REWRITES: tuple[tuple[str, str, float], ...] = (
    ("ii", "u", 1.0), ("ti", "u", 1.5), ("tr", "u", 2.0), ("it", "u", 2.0), ("ir", "u", 2.0),
    ("ud", "uo", 1.5), ("ug", "uo", 2.0), ("rn", "m", 1.5), ("cl", "d", 2.0), ("li", "h", 2.5),
    ("y", "ay", 2.5), ("ty", "uy", 1.5), ("tt", "u", 2.0), ("tl", "u", 2.0), ("w", "u", 1.5),
    ("d", "a", 1.5), ("d", "o", 2.0), ("e", "o", 2.0), ("e$", "c", 2.0), ("ite$", "uc", 1.5),
)
_NOT_AT_START = ("tr", "it", "y", "tt", "d")
# Numbers OCR makes of a short word ("6" ở, "16" lệ, "14" là), and what trying them as a word costs.
_WORDLIKE_NUMBERS = frozenset({"6", "16", "14", "1a"})
NUM_AS_WORD = 3.0     # a leading "tr" is a real onset


class Channel:
    """log P(printed | meant) for the marks, with the mark-keeping rate of the document."""

    def __init__(self, keep: float, spurious: float = 0.08, swap: float = 0.15) -> None:
        self.l_keep = math.log(keep)
        self.l_drop = math.log(1 - keep)
        self.l_spur = math.log(spurious)
        self.l_swap = math.log(swap)
        self._cache: dict[tuple[Marks, Marks, bool], float] = {}

    def marks(self, printed: Marks, cand: Marks, free: int = 0) -> float:
        """``free``: letters printed as digits ("6" for ô, ơ, ố, ở ...; "4" for ã, ấ ...): their
        tone and that many shape marks are unknown, so a candidate pays nothing for them."""
        hit = self._cache.get((printed, cand, free))
        if hit is None:
            hit = self._cache[printed, cand, free] = self._marks(printed, cand, free)
        return hit

    def _marks(self, printed: Marks, cand: Marks, free: int) -> float:
        s = 0.0
        if free:
            pass
        elif cand.tone:
            if printed.tone == cand.tone:
                s += self.l_keep
            elif printed.tone is None:
                s += self.l_drop
            else:
                s += self.l_swap
        elif printed.tone:
            s += self.l_spur
        pc = Counter(printed.shapes)
        cc = Counter(cand.shapes)
        kept = sum((pc & cc).values())
        missing = max(0, sum((cc - pc).values()) - free)
        s += kept * self.l_keep + missing * self.l_drop + sum((pc - cc).values()) * self.l_spur
        if cand.dbar:
            s += self.l_keep if printed.dbar else self.l_drop
        elif printed.dbar:
            s += self.l_spur
        return s + printed.other * self.l_spur


@lru_cache(maxsize=65536)
def _rewrite_keys(key: str) -> tuple[tuple[str, float], ...]:
    """Unmarked forms the printed word may stand for, with their costs (two rewrites at most)."""
    out = {key: 0.0}
    frontier = [(key, 0.0)]
    for _round in range(2):
        nxt = []
        for k, cost in frontier:
            for src, dst, c in _REWRITES:
                if src.endswith("$"):                  # at the end of the word only
                    if k.endswith(src[:-1]) and len(k) > len(src):
                        new = k[:len(k) - len(src) + 1] + dst
                        if cost + c < out.get(new, 99):
                            out[new] = cost + c
                            nxt.append((new, cost + c))
                    continue
                i = k.find(src, 1 if src in _NOT_AT_START else 0)
                while i >= 0:
                    new = k[:i] + dst + k[i + len(src):]
                    if cost + c < out.get(new, 99):
                        out[new] = cost + c
                        nxt.append((new, cost + c))
                    i = k.find(src, i + 1)
        frontier = nxt
    return tuple(out.items())


class Repairer:
    """Candidates and decode for one document."""

    def __init__(self, m: Model, keep: float) -> None:
        self.m = m
        self.channel = Channel(keep)
        self.cache: dict[str, list[tuple[str, float]]] = {}

    def candidates(self, token: str) -> list[tuple[str, float]]:
        """[(canonical syllable, channel log-score)], best first; [] when nothing fits."""
        hit = self.cache.get(token)
        if hit is None:
            hit = self.cache[token] = self._candidates(token)
        return hit

    def _candidates(self, token: str) -> list[tuple[str, float]]:
        m = self.m
        low = token.lower()
        free = sum(low.count(d) for d in "46")
        mapped = low.translate(_DIGIT_LETTERS)
        printed = marks_of(mapped)
        key = strip_marks(mapped)
        valid = low in m.lexicon
        keys: dict[str, float] = dict(_rewrite_keys(key))
        if "6" in low:                       # "6" is also what OCR makes of ệ, ề ("16" lệ)
            keys.setdefault(strip_marks(low.replace("6", "e").translate(_DIGIT_LETTERS)), 1.0)
        first = token[0]
        if first in "Pp" and low[1:2] != "h" or first in "Bb":
            # P/B at a word start is an OCR'd Đ ("Pang uy" → "Đảng ủy"); the candidate must have đ.
            dkey = "d" + key[1:]
            keys[dkey] = min(keys.get(dkey, 99), 1.0 if first in "Pp" else 3.0)
        if len(key) >= 2:
            edit = KEY_EDIT_VALID if valid else KEY_EDIT
            limit = 1 if len(key) < 5 or valid else 2
            for k, dist, _i in process.extract(key, m.keys, scorer=Levenshtein.distance,
                                               score_cutoff=limit, limit=None):
                if k not in keys:
                    keys[k] = dist * edit
        scored: dict[str, float] = {}
        for k, kc in keys.items():
            for cand in m.by_key.get(k, ()):
                if first in "PpBb" and k[:1] == "d" and key[:1] != "d" and not cand.startswith("đ"):
                    continue
                s = -kc + self.channel.marks(printed, marks_of(cand), free)
                if s > scored.get(cand, -99):
                    scored[cand] = s
        if valid:
            can = canonical(low)
            scored[can] = max(scored.get(can, -99), self.channel.marks(printed, printed))
        best = sorted(scored.items(), key=lambda kv: -(kv[1] + UNI_PRUNE * m.log_uni(kv[0])))
        return best[:MAX_CANDIDATES]

    def decode(self, tokens: list[str]) -> list[str]:
        """Viterbi over one run of words. NUM passes as itself; a number OCR may have made of a
        word between two words ("tỷ 16 đảng viên": lệ) is tried as both."""
        log_bi = self.m.log_bi
        prev: dict[str, tuple[float, list[str]]] = {START: (0.0, [])}
        for tok in tokens:
            if tok == NUM:
                cands = [(NUM, 0.0)]
            elif tok.isascii() and tok.isdigit():
                cands = [(NUM, 0.0)] + [(c, s - NUM_AS_WORD) for c, s in self.candidates(tok)]
            else:
                cands = self.candidates(tok) or [(tok.lower(), 0.0)]
            cur: dict[str, tuple[float, list[str]]] = {}
            for cand, ch in cands:
                best_s, best_path = -1e18, None
                for p, (score, path) in prev.items():
                    s = score + log_bi(p, cand)
                    if s > best_s:
                        best_s, best_path = s, path
                cur[cand] = (best_s + ch, best_path + [cand])
            prev = cur
        return max(prev.values(), key=lambda v: v[0])[1]


# --- text ---------------------------------------------------------------------------------

def repair_text(text: str, m: Model | None = None) -> str:
    """Repaired text; clean Vietnamese comes back unchanged."""
    m = m or model()
    given = text
    text = unicodedata.normalize("NFC", text)
    # Numerals and codes that cannot be right ("IL.", "KH/PU") are fixed in any text; a code
    # with D ("KH/DUK") only in damaged text, since people type D for Đ too.
    text = fix_roman_headings(text)
    h = health(text, m)
    if not h.damaged:
        fixed = _CODE.sub(lambda mm: fix_code(mm.group(), "PB"), text)
        return given if fixed == unicodedata.normalize("NFC", given) else fixed
    # Icelandic eth is what OCR prints for Đ; codes first, then the words.
    text = text.replace("Ð", "Đ").replace("ð", "đ")
    text = _CODE.sub(lambda mm: fix_code(mm.group()), text)
    keep = min(0.97, max(0.03, h.marked / CLEAN_TEXT_MARKED))
    rep = Repairer(m, keep)
    # A line that reads as clean Vietnamese (valid, marked words) is kept as printed, even in a
    # damaged document: its marks are more likely right than the model's guess.
    return "\n".join(line if _clean_line(line, m) else _repair_line(line, rep) for line in text.split("\n"))


def _clean_line(line: str, m: Model) -> bool:
    """Every word a syllable and most of them marked: a line OCR read right."""
    h = health(line, m)
    return h.words >= 3 and h.valid == 1.0 and h.marked >= CLEAN_LINE_MARKED


CLEAN_LINE_MARKED = 0.75
_DIGITISH = re.compile(r"(?<![^\W\d_])[0-9OoIl]*\d[0-9OoIl]*(?![^\W\d_])")


def _repair_line(line: str, rep: Repairer) -> str:
    """One line: each run of words between punctuation is decoded as a whole."""
    protected = [(mm.start(), mm.end()) for mm in _CODE.finditer(line)]
    # "1O0%", "l00%", "2O23": a number with OCR look-alikes stays as printed for the parser to read.
    protected += [(mm.start(), mm.end()) for mm in _DIGITISH.finditer(line)
                  if mm.group() not in _WORDLIKE_NUMBERS]  # "tỷ 16 đảng viên": "lệ" read as 16
    tokens: list[tuple[int, int, str, str]] = []     # start, end, text, kind
    for mm in _TOKEN.finditer(line):
        s, e, tok = mm.start(), mm.end(), mm.group()
        if any(a <= s < b for a, b in protected):
            kind = "fixed"
        elif mm.group("word") and not (len(tok) == 1 and line[e:e + 1].isdigit()):
            kind = "word"
        elif mm.group("num"):
            kind = "num"
        else:
            kind = "punct"
        tokens.append((s, e, tok, kind))
    letters = [t for _s, _e, t, k in tokens if k == "word" and len(t) > 1 and not _is_acronym(t, True)]
    caps_line = len(letters) >= 2 and sum(_looks_upper(t) for t in letters) >= 0.5 * len(letters)
    replace: dict[int, str] = {}
    run: list[int] = []

    def flush() -> None:
        if any(tokens[i][3] == "word" for i in run):
            seq = []
            for n, i in enumerate(run):
                tok, kind = tokens[i][2], tokens[i][3]
                if kind == "num" and not (tok in _WORDLIKE_NUMBERS and 0 < n < len(run) - 1
                                          and tokens[run[n - 1]][3] == tokens[run[n + 1]][3] == "word"
                                          and tokens[run[n + 1]][2].islower()):
                    tok = NUM
                seq.append(tok)
            best = rep.decode(seq)
            for i, cand in zip(run, best, strict=True):
                if tokens[i][3] == "word" or cand != NUM:
                    replace[i] = _render(tokens[i][2], cand, rep.m, caps_line)
        run.clear()

    for i, (_s, _e, tok, kind) in enumerate(tokens):
        if kind == "word" and not _is_acronym(tok, caps_line) and not _is_marker(tokens, i) \
                and (not tok.isupper() or _VOWEL_IN.search(tok.lower().translate(_DIGIT_LETTERS))) or kind == "num":
            run.append(i)
        else:
            flush()
    flush()
    parts = []
    pos = 0
    for i, new in sorted(replace.items()):
        s, e = tokens[i][0], tokens[i][1]
        parts.append(line[pos:s])
        parts.append(new)
        pos = e
    parts.append(line[pos:])
    return "".join(parts)


def _is_marker(tokens: list[tuple[int, int, str, str]], i: int) -> bool:
    """A one-letter list marker ("a)", "b.") is left alone."""
    if len(tokens[i][2]) != 1:
        return False
    nxt = tokens[i + 1][2] if i + 1 < len(tokens) else ""
    return nxt in (")", ".") and (i == 0 or tokens[i - 1][2] in "(-+")


def _render(printed: str, cand: str, m: Model, caps_line: bool) -> str:
    """The chosen syllable in the printed word's case; the printed spelling when it was right."""
    low = printed.lower()
    if low in m.lexicon and canonical(low) == cand:
        return printed
    word = m.surface.get(cand, cand)
    letters = [c for c in printed if c.isalpha()]
    if caps_line and len(letters) > 1 or _looks_upper(printed):
        return word.upper()
    if printed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
