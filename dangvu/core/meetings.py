"""Cell meetings: duration and materials warnings, missing meetings, and meeting scoring.

Sources: Điều lệ Đảng, Điều 24 (a regular meeting every month); Chỉ thị 50-CT/TW, 23/7/2025;
Hướng dẫn 42-HD/BTCTW, 28/10/2025 (90 minutes, 120 when combined with a thematic meeting;
materials at least 1 day before; a thematic meeting at least once a quarter). Scoring frameworks
are issued by each province, so they are data (:class:`ScoringFramework`), not code.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from .errors import Code
from .rulesets import RuleSet, ruleset_for
from .safefiles import UnsafeFile, YamlSyntax, load_json, load_yaml
from .text import nfc

KINDS = ("regular", "thematic")

MEETING_GRADE_LABELS: dict[str, str] = {"good": "Tốt", "fair": "Khá", "average": "Trung bình", "weak": "Yếu"}
_BAND_ORDER = ("good", "fair", "average")

DEFAULT_FRAMEWORK = Path(__file__).parent / "frameworks" / "default-2025.yaml"
# A province's framework has a few dozen criteria; every scoring page rebuilds it, so a file with
# thousands (or an alias bomb expanded to millions) is refused when loaded.
MAX_CRITERIA = 300


@dataclass(frozen=True)
class MeetingWarning:
    """A problem with one meeting record: ``code`` is too_short or materials_late."""

    code: str
    message: str


def _minutes(start: dt.time | dt.datetime, end: dt.time | dt.datetime, day: dt.date) -> float:
    if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
        raise ValueError("Giờ bắt đầu và giờ kết thúc phải cùng kiểu (cùng có ngày hoặc cùng chỉ có giờ).")
    if isinstance(start, dt.time):
        start, end = dt.datetime.combine(day, start), dt.datetime.combine(day, end)  # type: ignore[arg-type]
    minutes = (end - start).total_seconds() / 60  # type: ignore[operator]
    if minutes <= 0:
        raise ValueError("Giờ kết thúc phải sau giờ bắt đầu.")
    return minutes


def meeting_warnings(
    kind: str,
    combined: bool,
    start: dt.time | dt.datetime,
    end: dt.time | dt.datetime,
    held_on: dt.date,
    materials_sent_on: dt.date | None,
    rs: RuleSet | None = None,
) -> list[MeetingWarning]:
    """Warnings for a meeting of ``kind`` (regular/thematic); ``combined`` = regular and thematic together.

    - too_short: under ``meeting.min_minutes`` (90), or ``meeting.combined_min_minutes`` (120)
      when combined;
    - materials_late: materials sent fewer than ``meeting.materials_days_before`` (1) days before
      the meeting, or the sending date not recorded.
    Source: Chỉ thị 50-CT/TW, 23/7/2025; Hướng dẫn 42-HD/BTCTW, 28/10/2025.
    """
    if kind not in KINDS:
        raise ValueError(f"Loại buổi sinh hoạt không hợp lệ: {kind!r}. Chọn một trong: {', '.join(KINDS)}.")
    rs = rs or ruleset_for(held_on)
    warnings: list[MeetingWarning] = []
    minutes = _minutes(start, end, held_on)
    required = rs["meeting.combined_min_minutes"] if combined else rs["meeting.min_minutes"]
    if minutes < required:
        what = "sinh hoạt thường kỳ kết hợp chuyên đề" if combined else "buổi sinh hoạt"
        warnings.append(
            MeetingWarning(
                "too_short", f"Thời lượng {minutes:g} phút, dưới mức tối thiểu {required} phút cho {what}."
            )
        )
    days_before = rs["meeting.materials_days_before"]
    if materials_sent_on is None:
        warnings.append(MeetingWarning("materials_late", "Chưa ghi ngày gửi tài liệu cho đảng viên."))
    elif (held_on - materials_sent_on).days < days_before:
        warnings.append(
            MeetingWarning(
                "materials_late",
                f"Tài liệu gửi ngày {materials_sent_on:%d/%m/%Y}, chưa đủ {days_before} ngày trước buổi sinh hoạt"
                f" ({held_on:%d/%m/%Y}).",
            )
        )
    return warnings


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def month_end(year: int, month: int) -> dt.date:
    """The last day of ``month`` of ``year`` (month 13 is January of the next year, and so on)."""
    return _month_end(year, month)


def month_spans(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar months from ``start`` to ``end``, the first and last cut at those days."""
    out = []
    first = start
    while first <= end:
        last = min(_month_end(first.year, first.month), end)
        out.append((first, last))
        first = last + dt.timedelta(days=1)
    return out


def parse_upper_line(line: str) -> dict[str, str]:
    """'Trần Văn Hải — Phó Bí thư Đảng ủy xã' → name and position (also ' - ' or ',')."""
    text = nfc(line)
    for sep in ("—", "–", " - ", ","):
        if sep in text:
            name, _, position = text.partition(sep)
            return {"name": name.strip(), "position": position.strip()}
    return {"name": text, "position": ""}


def normalize_document_number(text: str | None) -> str:
    """'21-nq/tw ' → '21-NQ/TW': document numbers are compared after this normalization."""
    return nfc(text).replace(" ", "").upper()


def missing_months(
    held: Iterable[dt.date], year: int, upto: dt.date, rs: RuleSet | None = None
) -> list[tuple[int, int]]:
    """Months of ``year`` that have ended by ``upto`` with fewer regular meetings than required.

    A month counts as missing only once it has ended (``upto`` after its last day); the current
    month is reported by :func:`pending_month` instead. ``held`` are dates of regular meetings.
    Source: Điều lệ Đảng, Điều 24; Chỉ thị 50-CT/TW, 23/7/2025.
    """
    rs = rs or ruleset_for(upto)
    needed = rs["meeting.regular_per_month"]
    counts: dict[int, int] = {}
    for day in held:
        if day.year == year:
            counts[day.month] = counts.get(day.month, 0) + 1
    return [(year, m) for m in range(1, 13) if _month_end(year, m) < upto and counts.get(m, 0) < needed]


def missing_quarters(
    held: Iterable[dt.date], year: int, upto: dt.date, rs: RuleSet | None = None
) -> list[tuple[int, int]]:
    """Quarters of ``year`` that have ended by ``upto`` with fewer thematic meetings than required.

    Same convention as :func:`missing_months`; ``held`` are dates of thematic meetings (a combined
    regular-and-thematic meeting counts). Source: Hướng dẫn 42-HD/BTCTW, 28/10/2025.
    """
    rs = rs or ruleset_for(upto)
    needed = rs["meeting.thematic_per_quarter"]
    counts: dict[int, int] = {}
    for day in held:
        if day.year == year:
            q = (day.month - 1) // 3 + 1
            counts[q] = counts.get(q, 0) + 1
    return [(year, q) for q in range(1, 5) if _month_end(year, 3 * q) < upto and counts.get(q, 0) < needed]


def pending_month(
    held: Iterable[dt.date], upto: dt.date, rs: RuleSet | None = None
) -> tuple[int, int] | None:
    """The current month (the one containing ``upto``) when its regular meeting is not yet held."""
    rs = rs or ruleset_for(upto)
    count = sum(1 for d in held if (d.year, d.month) == (upto.year, upto.month) and d <= upto)
    return None if count >= rs["meeting.regular_per_month"] else (upto.year, upto.month)


def pending_quarter(
    held: Iterable[dt.date], upto: dt.date, rs: RuleSet | None = None
) -> tuple[int, int] | None:
    """The current quarter when its thematic meeting is not yet held."""
    rs = rs or ruleset_for(upto)
    q = (upto.month - 1) // 3 + 1
    count = sum(1 for d in held if d.year == upto.year and (d.month - 1) // 3 + 1 == q and d <= upto)
    return None if count >= rs["meeting.thematic_per_quarter"] else (upto.year, q)


def score_grade(total: float, bands: Mapping[str, float] | None = None) -> str:
    """Meeting grade from its score: good ≥ 90, fair ≥ 70, average ≥ 50, else weak (default bands).

    ``bands`` defaults to ``meeting.score_bands`` of the rule set in force.
    Source: Hướng dẫn 42-HD/BTCTW, 28/10/2025 (grading); bands are the project's unconfirmed
    default — provinces issue their own.
    """
    bands = bands if bands is not None else ruleset_for()["meeting.score_bands"]
    for grade in _BAND_ORDER:
        if total >= bands[grade]:
            return grade
    return "weak"


class FrameworkError(ValueError):
    """A scoring framework or a score sheet that does not fit it; the message is Vietnamese and
    ``code`` says what kind of refusal it is (a score outside its bounds, a criterion not scored…)."""

    def __init__(self, message: str, code: Code = Code.INVALID) -> None:
        super().__init__(message)
        self.code = code


def parse_framework_text(raw: bytes | str, *, json_format: bool | None = None) -> dict[str, Any]:
    """The mapping in a framework file (UTF-8 YAML or JSON; JSON when ``json_format``, or when None
    and the text starts with «{»), read with the safe loaders: no YAML aliases, bounded nesting."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FrameworkError("Tệp khung chấm điểm phải là văn bản UTF-8 (lưu lại tệp với bảng mã UTF-8).",
                                 Code.FILE) from exc
    text = raw.lstrip("\ufeff")
    if json_format is None:
        json_format = text.lstrip().startswith("{")
    try:
        data = load_json(text) if json_format else load_yaml(text)
    except YamlSyntax as exc:
        where = f" ở dòng {exc.line}" if exc.line else ""
        raise FrameworkError(f"Tệp khung chấm điểm viết sai{where}: {exc.hint}. Hãy sửa dòng đó (hoặc dòng ngay "
                             "trên nó) rồi tải lên lại.", Code.FILE) from exc
    except UnsafeFile as exc:
        raise FrameworkError(str(exc), Code.FILE) from exc
    if not isinstance(data, Mapping):
        raise FrameworkError("Tệp không chứa một khung chấm điểm (cần các mục name, year, bands, groups).")
    return dict(data)


# Criteria a framework may mark ``auto: …``: the recorded data decides their points
# (:func:`dangvu.core.meetings_routine.data_points`).
AUTO_KINDS = ("duration", "materials", "attendance")


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    max_points: float
    auto: str = ""  # one of AUTO_KINDS, or blank: scored by a person
    full_at: float | None = None  # attendance: the rate (percent) from which the points are full


def _criterion(c: Mapping[str, Any]) -> Criterion:
    auto = str(c.get("auto") or "")
    if auto and auto not in AUTO_KINDS:
        raise FrameworkError(f"Tiêu chí {c.get('code')}: «auto» phải là một trong: {', '.join(AUTO_KINDS)}.")
    full_at = c.get("full_at")
    return Criterion(str(c["code"]), str(c["label"]), float(c["max_points"]), auto,
                     float(full_at) if full_at is not None else None)


@dataclass(frozen=True)
class CriteriaGroup:
    code: str
    label: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class ScoringFramework:
    """A province's framework for scoring a cell meeting, loaded from data (YAML or JSON).

    Valid when criterion codes are unique, every maximum is positive, the maxima add up to
    ``total`` and the bands (good > fair > average > 0) lie within it.
    Source: Hướng dẫn 42-HD/BTCTW, 28/10/2025 (provinces issue the frameworks).
    """

    name: str
    version: str
    province: str
    year: int
    total: float
    groups: tuple[CriteriaGroup, ...]
    bands: Mapping[str, float]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoringFramework:
        try:
            groups = tuple(
                CriteriaGroup(
                    code=str(g["code"]),
                    label=str(g["label"]),
                    criteria=tuple(_criterion(c) for c in g["criteria"]),
                )
                for g in data["groups"]
            )
            framework = cls(
                name=str(data["name"]),
                version=str(data.get("version", "")),
                province=str(data.get("province", "")),
                year=int(data["year"]),
                total=float(data.get("total", 100)),
                groups=groups,
                bands={k: float(v) for k, v in data["bands"].items()},
            )
        except FrameworkError:
            raise  # already says what to fix (e.g. an unknown «auto»)
        except KeyError as exc:
            raise FrameworkError(f"Khung chấm điểm thiếu mục «{exc.args[0]}»; hãy thêm mục này (xem tệp khung mẫu) "
                                 "rồi tải lên lại.") from exc
        except (TypeError, ValueError, AttributeError) as exc:
            # The library's own words (English, Python types) mean nothing to the office: say what to check.
            raise FrameworkError("Khung chấm điểm ghi sai kiểu: năm, điểm tối đa (max_points), tổng điểm và các "
                                 "ngưỡng xếp loại (bands) phải là số; groups và criteria là danh sách các mục. "
                                 "Hãy sửa theo tệp khung mẫu rồi tải lên lại.") from exc
        framework.validate()
        return framework

    @classmethod
    def load(cls, path: str | Path) -> ScoringFramework:
        """Read a framework from a ``.yaml``/``.yml`` or ``.json`` file."""
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise FrameworkError(f"Không đọc được tệp {path.name}.", Code.FILE) from exc
        data = parse_framework_text(raw, json_format=path.suffix.lower() == ".json")
        return cls.from_dict(data)

    @property
    def criteria(self) -> dict[str, Criterion]:
        return {c.code: c for g in self.groups for c in g.criteria}

    @property
    def auto_criteria(self) -> list[Criterion]:
        """The criteria whose points the recorded data decides."""
        return [c for g in self.groups for c in g.criteria if c.auto]

    def validate(self) -> None:
        codes = [c.code for g in self.groups for c in g.criteria]
        if len(codes) > MAX_CRITERIA:
            raise FrameworkError(f"Khung chấm điểm có {len(codes)} tiêu chí, quá mức tối đa {MAX_CRITERIA}.",
                                 Code.OUT_OF_RANGE)
        seen: set[str] = set()
        duplicates = sorted({c for c in codes if c in seen or seen.add(c)})
        if duplicates:
            raise FrameworkError(f"Mã tiêu chí bị trùng: {', '.join(duplicates)}.")
        if not codes:
            raise FrameworkError("Khung chấm điểm chưa có tiêu chí nào.")
        for g in self.groups:
            for c in g.criteria:
                if not (math.isfinite(c.max_points) and c.max_points > 0):
                    raise FrameworkError(f"Điểm tối đa của tiêu chí {c.code} phải là số dương.")
                if c.full_at is not None and not (math.isfinite(c.full_at) and 0 < c.full_at <= 100):
                    raise FrameworkError(f"Tiêu chí {c.code}: «full_at» là tỷ lệ phần trăm, từ trên 0 đến 100.")
        maxima = sum((Fraction(str(c.max_points)) for g in self.groups for c in g.criteria), Fraction(0))
        if maxima != Fraction(str(self.total)):
            raise FrameworkError(
                f"Tổng điểm tối đa các tiêu chí là {float(maxima):g}, phải bằng {self.total:g}."
            )
        missing = [b for b in _BAND_ORDER if b not in self.bands]
        if missing:
            raise FrameworkError(f"Thiếu ngưỡng xếp loại: {', '.join(missing)}.")
        good, fair, average = (self.bands[b] for b in _BAND_ORDER)
        if not (self.total >= good > fair > average > 0):
            raise FrameworkError(
                "Ngưỡng xếp loại phải giảm dần: tốt > khá > trung bình > 0, và không quá tổng điểm."
            )

    def score(self, points: Mapping[str, float]) -> tuple[float, str]:
        """(total, grade) for a meeting's points per criterion code; every criterion must be scored.

        Points above a criterion's maximum, negative points and unknown codes are refused.
        """
        criteria = self.criteria
        unknown = sorted(set(points) - set(criteria))
        if unknown:
            raise FrameworkError(f"Tiêu chí không có trong khung: {', '.join(unknown)}.")
        missing = sorted(set(criteria) - set(points))
        if missing:
            raise FrameworkError(f"Chưa chấm điểm tiêu chí: {', '.join(missing)}.", Code.REQUIRED)
        total = Fraction(0)
        for code, value in points.items():
            top = criteria[code].max_points
            if not (isinstance(value, int | float) and math.isfinite(value) and 0 <= value <= top):
                raise FrameworkError(f"Điểm tiêu chí {code} là {value}, phải từ 0 đến {top:g}.", Code.OUT_OF_RANGE)
            total += Fraction(str(value))
        return float(total), score_grade(float(total), self.bands)


def default_framework() -> ScoringFramework:
    """The project's own default framework (not an official document); provinces load theirs."""
    return ScoringFramework.load(DEFAULT_FRAMEWORK)
