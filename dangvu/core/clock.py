"""The one clock that services, indicators and alerts ask for "today".

``date.today()`` scattered through the code cannot be moved; asking this module instead lets tests,
the demo builder and replays set the day (``with clock.frozen(day): ...``) without patching.
Django sets the process time zone from ``TIME_ZONE``, so the system's local date is Vietnam's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

_fixed: dt.date | None = None


def today() -> dt.date:
    """Today's date, or the day a caller fixed."""
    return _fixed if _fixed is not None else dt.date.today()


def set_today(day: dt.date | None) -> None:
    """Fix today's date for the whole process (``None`` returns to the real clock)."""
    global _fixed
    _fixed = day


@contextmanager
def frozen(day: dt.date) -> Iterator[dt.date]:
    """Within the block, ``today()`` answers ``day``."""
    before = _fixed
    set_today(day)
    try:
        yield day
    finally:
        set_today(before)
