"""Numbers as Vietnamese write them: dots between thousands (73.500), a comma before decimals (8,5).

One place for it, so a message never runs ``.replace(",", ".")`` over its own words."""

from __future__ import annotations

import re


def thousands(n: int) -> str:
    """73500 → "73.500"."""
    return f"{n:,}".replace(",", ".")


def decimal(x: float) -> str:
    """8.5 → "8,5"; 92.0 → "92" (no trailing zeros)."""
    return f"{float(x):g}".replace(".", ",")


# -- reading an amount of money as people type it (issue 15) -------------------------------------
_AMOUNT_SUFFIX = re.compile(r"\s*(?:đồng|đ|vnđ|vnd)\.?$", re.IGNORECASE)
_GROUPED = re.compile(r"^\d{1,3}(?:([.,  ])\d{3})(?:\1\d{3})*$")


def parse_amount(text: str) -> int:
    """An amount of đồng typed with or without thousand separators: "7.350.000", "7 350 000",
    "7,350,000", "7350000", "73.500 đ" → int. Raises ValueError (Vietnamese message) on anything
    else, including decimals: money is whole đồng."""
    raw = str(text).strip()
    body = _AMOUNT_SUFFIX.sub("", raw).strip()
    if body.isascii() and body.isdigit():
        return int(body)
    if _GROUPED.match(body):
        return int(re.sub(r"\D", "", body))
    raise ValueError(f"«{raw}» không phải số tiền: hãy nhập số đồng, ví dụ 7.350.000 hoặc 7350000.")
