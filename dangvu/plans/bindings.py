"""What a binding says, in words and in checks: an indicator key with parameters that scope it.

- :func:`proposals` reads the plan reader's proposals for one target, in either shape the reader
  has emitted (``"bindings": [{"indicator", "params"}]``, or the older single ``"indicator"``);
- :func:`problem` says why a binding cannot measure a target (unknown key, % against a count,
  a parameter the indicator does not take or a value it cannot use), or nothing;
- :func:`params_text` / :func:`describe` put a binding in Vietnamese for pages and reports
  ("chi bộ thôn, bản, tổ dân phố", "văn bản 21-NQ/TW", "ít nhất 4 đảng viên").

Read-only helpers: writes stay in :mod:`dangvu.plans.services`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dangvu import indicators
from dangvu.registry.models import Sector

UNIT_WORDS = {"%": "tỷ lệ (%)", "count": "số lượng"}
MAX_BINDINGS = 5  # a figure covers at most a few subjects; more is a reading error


def _sector_words(code: str) -> str:
    return dict(Sector.choices).get(code, code).lower()


def _int_in(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def _sectors(v: Any) -> bool:
    items = v if isinstance(v, list) else [v]
    return bool(items) and all(x in Sector.values for x in items)


# name → (is the value usable, how it reads in Vietnamese, what a usable value looks like)
PARAMS: dict[str, tuple[Callable[[Any], bool], Callable[[Any], str], str]] = {
    "sector": (lambda v: v in Sector.values, lambda v: f"chi bộ {_sector_words(v)}",
               "một trong: " + ", ".join(f"{k} ({label.lower()})" for k, label in Sector.choices)),
    "sectors": (_sectors, lambda v: "chi bộ " + ", ".join(_sector_words(x) for x in (v if isinstance(v, list)
                                                                                        else [v])),
                "danh sách khối, ví dụ agency, school"),
    "document": (lambda v: isinstance(v, str) and 0 < len(v.strip()) <= 60, lambda v: f"văn bản {v}",
                 "số, ký hiệu văn bản, ví dụ 21-NQ/TW"),
    "min_members": (_int_in(0, 1000), lambda v: f"ít nhất {v} đảng viên", "một số nguyên từ 0 đến 1000"),
    "months": (_int_in(1, 600), lambda v: f"ban hành, sửa đổi trong {v} tháng gần nhất",
               "một số tháng từ 1 đến 600"),
    "within_years": (_int_in(1, 50), lambda v: f"tập huấn trong {v} năm gần nhất", "một số năm từ 1 đến 50"),
}


def registry() -> dict[str, indicators.Indicator]:
    return indicators.load_all()


def label(key: str) -> str:
    """The indicator's Vietnamese label, or a plain note when no app registers the key."""
    ind = registry().get(key)
    return ind.label if ind else f"Chỉ số «{key}» chưa có trong danh mục"


def params_text(params: dict[str, Any] | None) -> str:
    """The parameters in Vietnamese, "; "-separated ("" when none)."""
    parts = []
    for name, value in (params or {}).items():
        if value is None or value == "":
            continue
        spec = PARAMS.get(name)
        parts.append(spec[1](value) if spec and spec[0](value) else f"{name} = {value}")
    return "; ".join(parts)


def describe(key: str, params: dict[str, Any] | None) -> str:
    """"Tỷ lệ chi bộ có cấp ủy (chi ủy) — chi bộ thôn, bản, tổ dân phố"."""
    words = params_text(params)
    return label(key) + (f" — {words}" if words else "")


def clean_params(params: Any) -> dict[str, Any]:
    """Parameters as stored: a dict without empty values (an empty value means the default)."""
    if not isinstance(params, dict):
        return {}
    return {str(k): v for k, v in params.items() if v is not None and v not in ("", [])}


def params_problem(key: str, params: dict[str, Any]) -> str:
    """Why these parameters do not fit the indicator ("" when they do)."""
    declared = registry()[key].params
    unknown = sorted(set(params) - set(declared))
    if unknown:
        allowed = ", ".join(sorted(declared)) or "không có tham số nào"
        return f"Chỉ số này không có tham số {', '.join(unknown)} (được dùng: {allowed})."
    for name, value in params.items():
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in items):
            return "Giá trị tham số phải là chữ, số nguyên hoặc danh sách."
        spec = PARAMS.get(name)
        if spec and not spec[0](value):
            return f"Tham số {name} = {value} không dùng được; cần {spec[2]}."
    return ""


def unit_problem(key: str, unit: str) -> str:
    """The message when the indicator's unit is not the target's (% against a count)."""
    ind = registry()[key]
    if ind.unit == unit:
        return ""
    return (f"Chỉ số «{ind.label}» tính theo {UNIT_WORDS.get(ind.unit, ind.unit)}, còn chỉ tiêu tính theo "
            f"{UNIT_WORDS.get(unit, unit)}: không dùng chỉ số này để đo chỉ tiêu được. Hãy chọn chỉ số khác "
            "hoặc sửa đơn vị của chỉ tiêu.")


def problem(key: str, params: dict[str, Any] | None, unit: str) -> str:
    """Why (key, params) cannot measure a target of ``unit`` — "" when it can."""
    if not key or key not in registry():
        return f"Chỉ số «{key}» không có trong danh mục chỉ số."
    return unit_problem(key, unit) or params_problem(key, clean_params(params))


def proposals(target: dict[str, Any]) -> list[dict[str, Any]]:
    """The reader's proposals for one parsed target: ``bindings`` when present (the current
    contract), else the single ``indicator`` (with ``params`` if any) of the older output.
    Each ``{"indicator": key, "params": {...}}``, keys stripped, duplicates dropped, order kept."""
    raw = target.get("bindings")
    if isinstance(raw, list):
        items = [b for b in raw if isinstance(b, dict)]
    elif target.get("indicator"):
        items = [{"indicator": target.get("indicator"), "params": target.get("params")}]
    else:
        items = []
    out: list[dict[str, Any]] = []
    for item in items:
        key = str(item.get("indicator") or "").strip()[:80]
        entry = {"indicator": key, "params": clean_params(item.get("params"))}
        if key and entry not in out:
            out.append(entry)
    return out[:MAX_BINDINGS]


# How often a cell must meet, by the indicators that check it: "mỗi quý chi bộ sinh hoạt chuyên đề
# ít nhất một lần" is the share of cells that met so every quarter, and its goal is every cell.
FREQUENCY_RULES = {"cells.thematic_quarterly_share": ("quarterly", "meeting.thematic_per_quarter"),
                   "cells.regular_meetings_complete_share": (None, "meeting.regular_per_month")}


def as_share_of_cells(target: dict[str, Any], proposed: list[dict[str, Any]], rules: dict[str, Any]) -> bool:
    """Whether a count target "at least N meetings a quarter/month" is exactly what a frequency
    indicator checks (N no more than the rule set asks, the same span): it is then measured as
    "100% of cells", which the indicator gives. A stricter count than the rule stays manual."""
    if target.get("unit") != "count" or target.get("op") not in (">=", "=") or not proposed:
        return False
    for p in proposed:
        rule = FREQUENCY_RULES.get(p.get("indicator"))
        if rule is None or (rule[0] and target.get("period") != rule[0]):
            return False
        value = target.get("value")
        if not isinstance(value, int | float) or not 0 < value <= rules[rule[1]]:
            return False
    return True
