"""What the plans services share: text and numbers as stored, the refusal of a binding that cannot
measure a target, and the refusal of a save while bindings await a person's decision."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from dangvu import indicators
from dangvu.common import Code, ServiceError
from dangvu.core.text import nfc

from .. import bindings as B
from .. import selectors as sel
from ..models import Binding

MAX_TEXT = 200_000


def registered(key: str) -> bool:
    return bool(key) and key in indicators.load_all()


def clean_text(text: Any, limit: int) -> str:
    """Text as stored: NFC, no NUL, trimmed; above ``limit`` cut at a word boundary (never inside
    a word) and marked with "…". Long texts (targets, tasks, titles) get a limit they never reach."""
    text = nfc(str(text or "")).replace("\x00", "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.-–") + "…"


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def as_number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def next_position(rows) -> int:
    last = sel.last_position(rows)
    return 0 if last is None else last + 1


def binding_code(key: str, params: dict[str, Any] | None, unit: str) -> Code:
    """The code of :func:`dangvu.plans.bindings.problem`'s refusal: another unit, or an unusable
    key or parameter."""
    if registered(key) and B.unit_problem(key, unit):
        return Code.UNIT_MISMATCH
    return Code.INVALID


class UnconfirmedBindings(ServiceError):
    """A draft cannot be saved while a binding awaits a person's decision; ``bindings`` lists them."""

    def __init__(self, bindings: list[Binding]) -> None:
        self.bindings = bindings
        lines = "; ".join(f"«{clean_text(b.target.text, 120)}»: {B.describe(b.indicator, b.params)}"
                          for b in bindings)
        super().__init__(f"Chưa lưu được kế hoạch: còn {len(bindings)} cách đo máy đề xuất chưa được xác nhận. "
                         f"Hãy xác nhận (nếu đúng) hoặc bỏ (nếu sai) từng cách đo: {lines}.", Code.INCOMPLETE)
