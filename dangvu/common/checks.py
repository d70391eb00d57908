"""The checks every service makes of a typed text and of a date that has happened, with the same
plain Vietnamese refusals (a :class:`ServiceError` naming the field)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dangvu.core import clock
from dangvu.core.text import nfc

from .dates import check_date
from .errors import Code, ServiceError


def _capital(label: str) -> str:
    return f"{label[:1].upper()}{label[1:]}"


def checked_text(value: Any, limit: int | None, field: str, label: str, required: bool = False) -> str:
    """``value`` NFC-normalised and stripped; refused when required and empty, or longer than ``limit``."""
    text = nfc(value or "").strip()
    if required and not text:
        raise ServiceError(f"Cần ghi {label}.", Code.REQUIRED, field=field)
    if limit and len(text) > limit:
        raise ServiceError(f"{_capital(label)} dài quá {limit} ký tự.", Code.TOO_LONG, field=field)
    return text


def past_date(value: dt.date | None, field: str, label: str) -> dt.date:
    """A date that must be given, typed plausibly (:func:`check_date`) and not later than today."""
    if value is None:
        raise ServiceError(f"Cần ghi {label}.", Code.REQUIRED, field=field)
    if problem := check_date(value):
        raise ServiceError(problem, Code.OUT_OF_RANGE, field=field)
    if value > clock.today():
        raise ServiceError(f"{_capital(label)} chưa đến.", Code.FUTURE_DATE, field=field)
    return value
