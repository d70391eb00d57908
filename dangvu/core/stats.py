"""Bands and categories of the standard member statistics (báo cáo thống kê đảng viên): pure Python.

The layout follows the statistics committees send up (Mẫu biểu thống kê đảng viên, Ban Tổ chức
Trung ương): members by age band, party-age band and by free-text categories (ethnicity, religion,
occupation, education). The band limits are parameters of the rule set (``stats.age_bands``,
``stats.party_age_bands``: unconfirmed defaults); party age counts from the admission decision
(Hướng dẫn 01-HD/TW, 2021, mục 18) — periods out of the Party are not excluded here.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

OTHER = "Khác"
UNRECORDED = "Chưa ghi"


def full_years(since: dt.date, on: dt.date) -> int:
    """Whole years from ``since`` to ``on`` (an age on a day: the birthday counts; 29 February
    turns a year older on 1 March in a common year). Negative when ``since`` is after ``on``."""
    years = on.year - since.year
    if (on.month, on.day) < (since.month, since.day):
        years -= 1
    return years


def band_labels(bounds: Sequence[int], unit: str = "tuổi") -> list[str]:
    """The labels of the bands the ascending ``bounds`` cut: "Dưới 30 tuổi", "Từ 30 đến 39 tuổi",
    …, "Từ 70 tuổi trở lên" (a bound opens its band: 30 belongs to "Từ 30 đến 39")."""
    _check_bounds(bounds)
    if not bounds:
        return [f"Mọi {unit}"]
    labels = [f"Dưới {bounds[0]} {unit}"]
    labels += [f"Từ {lo} đến {hi - 1} {unit}" for lo, hi in zip(bounds, bounds[1:], strict=False)]
    labels.append(f"Từ {bounds[-1]} {unit} trở lên")
    return labels


def band_index(value: int, bounds: Sequence[int]) -> int:
    """Which band of :func:`band_labels` holds ``value`` (0: below the first bound)."""
    return sum(1 for b in bounds if value >= b)


def _check_bounds(bounds: Sequence[int]) -> None:
    if any(b >= c for b, c in zip(bounds, bounds[1:], strict=False)):
        raise ValueError(f"band bounds must rise: {list(bounds)}")


def count_bands(counts: Iterable[tuple[dt.date | None, int]], on: dt.date, bounds: Sequence[int],
                unit: str = "tuổi") -> dict[str, int]:
    """``(date, n)`` pairs (a birth or admission date and how many members share it) counted into
    the bands of the full years from the date to ``on``; every band listed, zero included, in order.
    A missing date counts under :data:`UNRECORDED` (listed only when there is one)."""
    labels = band_labels(bounds, unit)
    out = dict.fromkeys(labels, 0)
    for day, n in counts:
        if day is None:
            out[UNRECORDED] = out.get(UNRECORDED, 0) + n
            continue
        out[labels[band_index(full_years(day, on), bounds)]] += n
    return out


def normalise(text: str | None) -> str:
    """The grouping key of a free-text category: NFC, spaces squeezed, case-folded ("kinh ",
    "Kinh" and a decomposed "Kinh" are one group; diacritics are kept: "Mường" ≠ "Muong")."""
    return " ".join(unicodedata.normalize("NFC", text or "").split()).casefold()


def group_categories(counts: Mapping[str | None, int], top: int) -> dict[str, int]:
    """Free-text values with their counts grouped by :func:`normalise`, shown under the spelling
    most members have (ties: the first in sort order); the ``top`` largest groups (ties by label)
    in descending order, then the rest summed as :data:`OTHER` and blank values as
    :data:`UNRECORDED` (each only when not zero). The total is unchanged."""
    groups: dict[str, dict[str, int]] = {}
    blank = 0
    for value, n in counts.items():
        key = normalise(value)
        if not key:
            blank += n
            continue
        spelled = " ".join(unicodedata.normalize("NFC", value or "").split())
        groups.setdefault(key, {})
        groups[key][spelled] = groups[key].get(spelled, 0) + n
    named = []
    for spellings in groups.values():
        label = min(spellings, key=lambda s: (-spellings[s], s))
        named.append((label, sum(spellings.values())))
    named.sort(key=lambda item: (-item[1], item[0]))
    out: dict[str, int] = {}
    # A value spelled "Khác" or "Chưa ghi" joins that row rather than overwrite it.
    for label, n in named[:max(top, 0)]:
        out[label] = out.get(label, 0) + n
    for label, n in ((OTHER, sum(n for _, n in named[max(top, 0):])), (UNRECORDED, blank)):
        if n:
            out[label] = out.get(label, 0) + n
    return out
