"""Classifying cells by a province's framework («chi bộ bốn tốt», «đảng bộ bốn tốt» or the
province's equivalent).

Source: the title and its criteria are set by each provincial party committee (its guidance on
building «chi bộ bốn tốt» / «đảng bộ trong sạch, vững mạnh»), not by a central rule, so a framework
is data (:class:`Framework`, loaded from YAML like the meeting scoring frameworks of Hướng dẫn
42-HD/BTCTW). The project's own default (``classifications/default-2026.yaml``) is marked as not an
official text. Pure rules: no Django.

A criterion is either measured — an indicator of the registry compared with a threshold — or
entered by the committee with its evidence. A measured criterion with no data for the year falls
back to an entry with evidence, so no cell is classified on a missing number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Code
from .meetings import FrameworkError, parse_framework_text
from .numbers import decimal as format_number

DEFAULT_CLASSIFICATION = Path(__file__).parent / "classifications" / "default-2026.yaml"
# A province's framework has a dozen criteria; a file with hundreds is a mistake, not a framework.
MAX_CRITERIA = 100


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    indicator: str = ""  # a registry key; blank: entered with evidence only
    at_least: float | None = None
    at_most: float | None = None

    @property
    def measured(self) -> bool:
        return bool(self.indicator)

    def threshold_text(self) -> str:
        if self.at_least is not None:
            return f"≥ {format_number(self.at_least)}"
        if self.at_most is not None:
            return f"≤ {format_number(self.at_most)}"
        return ""

    def passes(self, value: float) -> bool:
        return ((self.at_least is None or value >= self.at_least)
                and (self.at_most is None or value <= self.at_most))


@dataclass(frozen=True)
class Group:
    code: str
    label: str
    criteria: tuple[Criterion, ...]
    need: int  # how many of its criteria must be met


@dataclass(frozen=True)
class Framework:
    name: str
    title: str  # the distinction, e.g. «Chi bộ bốn tốt»
    version: str
    province: str
    year: int
    groups: tuple[Group, ...]

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for g in self.groups for c in g.criteria)

    def indicator_keys(self) -> set[str]:
        return {c.indicator for c in self.criteria if c.indicator}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], known_indicators: set[str] | None = None) -> Framework:
        """The framework of a loaded mapping; refuses (:class:`FrameworkError`, Vietnamese) anything
        a classification could not be computed from. ``known_indicators``: the registry's keys."""
        def text(obj: Mapping[str, Any], key: str, where: str) -> str:
            value = obj.get(key)
            if not isinstance(value, str | int) or not str(value).strip():
                raise FrameworkError(f"{where}: thiếu mục «{key}».")
            return str(value).strip()

        try:
            year = int(data.get("year"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise FrameworkError("Khung phân loại: «year» phải là một năm (ví dụ 2026).") from None
        if not 2000 <= year <= 2100:
            raise FrameworkError("Khung phân loại: «year» phải là một năm (ví dụ 2026).", Code.OUT_OF_RANGE)
        raw_groups = data.get("groups")
        if not isinstance(raw_groups, list) or not raw_groups:
            raise FrameworkError("Khung phân loại: cần ít nhất một nhóm tiêu chí (mục «groups»).")
        groups: list[Group] = []
        seen: set[str] = set()
        for i, g in enumerate(raw_groups, 1):
            if not isinstance(g, Mapping):
                raise FrameworkError(f"Nhóm thứ {i}: phải có «code», «label» và «criteria».")
            gcode, glabel = text(g, "code", f"Nhóm thứ {i}"), text(g, "label", f"Nhóm thứ {i}")
            raw_criteria = g.get("criteria")
            if not isinstance(raw_criteria, list) or not raw_criteria:
                raise FrameworkError(f"Nhóm «{glabel}»: cần ít nhất một tiêu chí.")
            criteria = tuple(_criterion(c, glabel, j, known_indicators) for j, c in enumerate(raw_criteria, 1))
            for c in criteria:
                if c.code in seen:
                    raise FrameworkError(f"Mã tiêu chí «{c.code}» bị trùng.", Code.DUPLICATE)
                seen.add(c.code)
            need = g.get("need", len(criteria))
            if not isinstance(need, int) or isinstance(need, bool) or not 1 <= need <= len(criteria):
                raise FrameworkError(f"Nhóm «{glabel}»: «need» phải là số tiêu chí cần đạt, từ 1 đến "
                                     f"{len(criteria)}.", Code.OUT_OF_RANGE)
            groups.append(Group(gcode, glabel, criteria, need))
        if len(seen) > MAX_CRITERIA:
            raise FrameworkError(f"Khung phân loại có quá nhiều tiêu chí ({len(seen)}; tối đa {MAX_CRITERIA}).",
                                 Code.OUT_OF_RANGE)
        return cls(name=text(data, "name", "Khung phân loại"), title=text(data, "title", "Khung phân loại"),
                   version=str(data.get("version") or ""), province=str(data.get("province") or ""),
                   year=year, groups=tuple(groups))


def _criterion(c: Any, group: str, j: int, known: set[str] | None) -> Criterion:
    where = f"Nhóm «{group}», tiêu chí thứ {j}"
    if not isinstance(c, Mapping) or not str(c.get("code") or "").strip() or not str(c.get("label") or "").strip():
        raise FrameworkError(f"{where}: phải có «code» và «label».")
    code, label = str(c["code"]).strip(), str(c["label"]).strip()
    key = str(c.get("indicator") or "").strip()
    if key and c.get("evidence"):
        raise FrameworkError(f"Tiêu chí «{label}»: chọn một trong hai, «indicator» hoặc «evidence».")
    if not key and not c.get("evidence"):
        raise FrameworkError(f"Tiêu chí «{label}»: cần «indicator» (tính từ số liệu) hoặc «evidence: true» "
                             "(cấp ủy ghi nhận kèm minh chứng).")
    bounds: dict[str, float | None] = {"at_least": None, "at_most": None}
    if key:
        if known is not None and key not in known:
            raise FrameworkError(f"Tiêu chí «{label}»: không có chỉ số «{key}» trong hệ thống.", Code.INVALID)
        for name in bounds:
            if c.get(name) is not None:
                value = c[name]
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise FrameworkError(f"Tiêu chí «{label}»: «{name}» phải là một số.")
                bounds[name] = float(value)
        if bounds["at_least"] is None and bounds["at_most"] is None:
            raise FrameworkError(f"Tiêu chí «{label}»: cần ngưỡng «at_least» hoặc «at_most».")
    return Criterion(code, label, key, bounds["at_least"], bounds["at_most"])


def load_framework(raw: bytes | str, known_indicators: set[str] | None = None) -> tuple[Framework, dict[str, Any]]:
    """A framework file (YAML or JSON) → the framework and the mapping to store."""
    data = parse_framework_text(raw)
    return Framework.from_dict(data, known_indicators), data


def default_framework(known_indicators: set[str] | None = None) -> tuple[Framework, dict[str, Any]]:
    return load_framework(DEFAULT_CLASSIFICATION.read_bytes(), known_indicators)


@dataclass(frozen=True)
class Entry:
    """The committee's word on one criterion: met or not, with the evidence it rests on."""

    met: bool
    evidence: str


@dataclass(frozen=True)
class Finding:
    criterion: Criterion
    met: bool | None  # None: neither data nor an entry yet
    value: float | None  # the indicator's value, when measured and known
    source: str  # "indicator", "evidence" or "missing"
    reason: str  # Vietnamese, shown beside the criterion


@dataclass(frozen=True)
class Assessment:
    classified: bool | None  # None: some criterion still has neither data nor an entry
    findings: tuple[Finding, ...]
    reasons: tuple[str, ...]  # why not classified (or what is missing); empty when classified

    @property
    def missing(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.met is None)


def _finding(c: Criterion, value: float | None, entry: Entry | None) -> Finding:
    if c.measured and value is not None:
        met = c.passes(value)
        word = "đạt" if met else "chưa đạt"
        return Finding(c, met, value, "indicator", f"{format_number(value)} ({c.threshold_text()}): {word}")
    if entry is not None:
        word = "đạt" if entry.met else "chưa đạt"
        return Finding(c, entry.met, value, "evidence", f"Cấp ủy ghi nhận {word}: {entry.evidence}")
    why = "chưa có số liệu trong năm, cần cấp ủy ghi nhận kèm minh chứng" if c.measured else \
        "cần cấp ủy ghi nhận kèm minh chứng"
    return Finding(c, None, value, "missing", why)


def assess(framework: Framework, values: Mapping[str, float | None],
           entries: Mapping[str, Entry]) -> Assessment:
    """Classify one cell for the framework's year from the indicators' values (by key) and the
    committee's entries (by criterion code). Data wins over an entry where the indicator has a value:
    an entry cannot overrule a measured figure. The cell earns the title when every group has at
    least ``need`` criteria met; it is undecided while a criterion that could change that is missing."""
    findings = tuple(_finding(c, values.get(c.indicator) if c.indicator else None, entries.get(c.code))
                     for c in framework.criteria)
    by_code = {f.criterion.code: f for f in findings}
    failed: list[str] = []
    missing: list[str] = []
    for g in framework.groups:
        group = [by_code[c.code] for c in g.criteria]
        met = sum(1 for f in group if f.met)
        open_ = sum(1 for f in group if f.met is None)
        if met >= g.need:
            continue
        if met + open_ < g.need:  # no entry still to come can make up for it
            failed.extend(f"{g.label} — {f.criterion.label}: {f.reason}" for f in group if f.met is False)
        else:
            missing.extend(f"{g.label} — {f.criterion.label}: {f.reason}" for f in group if f.met is None)
    if failed:
        return Assessment(False, findings, tuple(failed))
    return Assessment(None if missing else True, findings, tuple(missing))
