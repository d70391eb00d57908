"""Numbers as Vietnamese write them: dots between thousands (73.500), a comma before decimals (8,5).

One place for it, so a message never runs ``.replace(",", ".")`` over its own words."""

from __future__ import annotations


def thousands(n: int) -> str:
    """73500 → "73.500"."""
    return f"{n:,}".replace(",", ".")


def decimal(x: float) -> str:
    """8.5 → "8,5"; 92.0 → "92" (no trailing zeros)."""
    return f"{float(x):g}".replace(".", ",")
