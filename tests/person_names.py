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


def register_people(org, count: int, stem: str) -> None:
    """``count`` full members of ``org`` named "<stem> A", "<stem> B", …, all of age at admission."""
    import datetime as dt

    from conftest import make_member_data

    from dangvu.registry import services as rs

    for i in range(count):
        rs.register_member(None, org, make_member_data(
            f"{stem} {letters(i)}", dt.date(1950 + i % 30, 1 + i % 12, 1 + i % 28),
            admitted_on=dt.date(2005, 1, 5), full_on=dt.date(2006, 1, 5)))
