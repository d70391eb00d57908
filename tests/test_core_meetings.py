"""Meeting warnings, missing months/quarters, meeting grades and scoring frameworks."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from dangvu.core.errors import Code
from dangvu.core.meetings import (
    FrameworkError,
    ScoringFramework,
    default_framework,
    meeting_warnings,
    missing_months,
    missing_quarters,
    month_end,
    month_spans,
    normalize_document_number,
    parse_upper_line,
    pending_month,
    pending_quarter,
    score_grade,
)
from dangvu.core.rulesets import ruleset_for

D, T = dt.date, dt.time
RS = ruleset_for(D(2025, 11, 1))
DAY = D(2025, 11, 20)


def codes(warnings: list) -> list[str]:
    return [w.code for w in warnings]


def test_duration() -> None:
    assert codes(meeting_warnings("regular", False, T(19, 30), T(21, 0), DAY, D(2025, 11, 19), RS)) == []
    assert codes(meeting_warnings("regular", False, T(19, 30), T(20, 59), DAY, D(2025, 11, 19), RS)) == [
        "too_short"
    ]
    assert codes(meeting_warnings("regular", True, T(19, 30), T(21, 0), DAY, D(2025, 11, 19), RS)) == [
        "too_short"
    ]
    start = dt.datetime(2025, 11, 20, 14, 0)
    assert (
        codes(
            meeting_warnings("thematic", True, start, start + dt.timedelta(hours=2), DAY, D(2025, 11, 18), RS)
        )
        == []
    )
    with pytest.raises(ValueError):
        meeting_warnings("regular", False, T(21, 0), T(19, 30), DAY, None, RS)
    with pytest.raises(ValueError):
        meeting_warnings("weekly", False, T(19, 0), T(21, 0), DAY, None, RS)


def test_materials() -> None:
    late = meeting_warnings("regular", False, T(8, 0), T(10, 0), DAY, DAY, RS)
    assert codes(late) == ["materials_late"] and "20/11/2025" in late[0].message
    assert codes(meeting_warnings("regular", False, T(8, 0), T(10, 0), DAY, None, RS)) == ["materials_late"]


def test_missing_months_and_current_month() -> None:
    held = [D(2025, 1, 5), D(2025, 3, 3), D(2024, 2, 10)]
    assert missing_months(held, 2025, D(2025, 4, 15), RS) == [(2025, 2)]
    assert pending_month(held, D(2025, 4, 15), RS) == (2025, 4)
    assert missing_months(held, 2025, D(2025, 4, 30), RS) == [(2025, 2)]
    assert missing_months(held, 2025, D(2025, 5, 1), RS) == [(2025, 2), (2025, 4)]
    assert pending_month(held, D(2025, 3, 20), RS) is None
    assert len(missing_months([], 2024, D(2025, 1, 1), RS)) == 12
    assert missing_months([], 2026, D(2025, 1, 1), RS) == []


def test_missing_quarters() -> None:
    held = [D(2025, 2, 10)]
    assert missing_quarters(held, 2025, D(2025, 10, 1), RS) == [(2025, 2), (2025, 3)]
    assert pending_quarter(held, D(2025, 10, 1), RS) == (2025, 4)
    assert pending_quarter(held, D(2025, 3, 31), RS) is None


@pytest.mark.parametrize(
    "total, grade",
    [
        (100, "good"),
        (90, "good"),
        (89.9, "fair"),
        (70, "fair"),
        (69, "average"),
        (50, "average"),
        (49.9, "weak"),
    ],
)
def test_score_grade(total: float, grade: str) -> None:
    assert score_grade(total, RS["meeting.score_bands"]) == grade


def test_default_framework() -> None:
    fw = default_framework()
    assert "không phải văn bản chính thức" in fw.name
    assert sum(c.max_points for c in fw.criteria.values()) == 100
    full = {code: c.max_points for code, c in fw.criteria.items()}
    assert fw.score(full) == (100.0, "good")
    low = dict.fromkeys(full, 0) | {
        "content.review": 10,
        "content.tasks": 10,
        "attendance.rate": 10,
        "prep.agenda": 8,
    }
    assert fw.score(low) == (38.0, "weak")
    with pytest.raises(FrameworkError, match="từ 0 đến 10") as exc:  # the bound is what the user needs
        fw.score(full | {"content.review": 11})
    assert exc.value.code == Code.OUT_OF_RANGE
    with pytest.raises(FrameworkError) as exc:
        fw.score(full | {"content.review": -1})
    assert exc.value.code == Code.OUT_OF_RANGE
    with pytest.raises(FrameworkError) as exc:
        fw.score(full | {"extra": 1})
    assert exc.value.code == Code.INVALID
    with pytest.raises(FrameworkError) as exc:
        fw.score({k: v for k, v in full.items() if k != "content.review"})
    assert exc.value.code == Code.REQUIRED


def small(**changes: object) -> dict:
    data = {
        "name": "Khung thử",
        "version": "1",
        "province": "Tỉnh thử",
        "year": 2025,
        "total": 100,
        "bands": {"good": 90, "fair": 70, "average": 50},
        "groups": [
            {"code": "g1", "label": "Nhóm 1", "criteria": [{"code": "a", "label": "A", "max_points": 60}]},
            {"code": "g2", "label": "Nhóm 2", "criteria": [{"code": "b", "label": "B", "max_points": 40}]},
        ],
    }
    return data | changes


def test_framework_validation(tmp_path: Path) -> None:
    path = tmp_path / "khung.json"
    path.write_text(json.dumps(small(), ensure_ascii=False), encoding="utf-8")
    assert ScoringFramework.load(path).score({"a": 55, "b": 30}) == (85.0, "fair")
    dup = small(
        groups=[
            {
                "code": "g",
                "label": "G",
                "criteria": [
                    {"code": "a", "label": "A", "max_points": 50},
                    {"code": "a", "label": "A2", "max_points": 50},
                ],
            }
        ]
    )
    with pytest.raises(FrameworkError, match="trùng"):
        ScoringFramework.from_dict(dup)
    with pytest.raises(FrameworkError, match="phải bằng 90"):
        ScoringFramework.from_dict(small(total=90, bands={"good": 80, "fair": 60, "average": 40}))
    with pytest.raises(FrameworkError, match="giảm dần"):
        ScoringFramework.from_dict(small(bands={"good": 70, "fair": 90, "average": 50}))
    with pytest.raises(FrameworkError, match="thiếu mục «groups»"):
        ScoringFramework.from_dict({"name": "x"})


def test_month_ends_spans_and_document_numbers() -> None:
    assert [month_end(2024, 2), month_end(2025, 2), month_end(2025, 12), month_end(2025, 14)] == [
        D(2024, 2, 29), D(2025, 2, 28), D(2025, 12, 31), D(2026, 2, 28)]
    assert month_spans(D(2025, 12, 31), D(2026, 1, 1)) == [(D(2025, 12, 31), D(2025, 12, 31)),
                                                          (D(2026, 1, 1), D(2026, 1, 1))]
    assert month_spans(D(2026, 1, 2), D(2026, 1, 1)) == []
    assert normalize_document_number(" 21-nq/tw ") == "21-NQ/TW"
    assert normalize_document_number("366 - QĐ/TW") == normalize_document_number("366-qđ/tw") == "366-QĐ/TW"
    assert normalize_document_number(None) == ""
    assert parse_upper_line("Trần Văn Hải — Phó Bí thư Đảng ủy xã") == {"name": "Trần Văn Hải",
                                                                       "position": "Phó Bí thư Đảng ủy xã"}
    assert parse_upper_line("Lê Thị Hoa - Đảng ủy viên") == {"name": "Lê Thị Hoa", "position": "Đảng ủy viên"}
    assert parse_upper_line("Nguyễn Văn Nam") == {"name": "Nguyễn Văn Nam", "position": ""}


def test_core_does_not_import_django() -> None:
    code = (
        "import sys\n"
        "import dangvu.core.workdays, dangvu.core.deadlines, dangvu.core.admission\n"
        "import dangvu.core.evaluation, dangvu.core.meetings\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
