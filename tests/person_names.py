"""Distinct person names for test worlds: names hold no digits (issue 13), so a counter is spelled in letters."""

from __future__ import annotations


def letters(n: int) -> str:
    """0 → "A", 25 → "Z", 26 → "BA": a counter as capital letters, for unique test names."""
    text = ""
    while True:
        n, r = divmod(n, 26)
        text = chr(65 + r) + text
        if n == 0:
            return text
