"""``dangvu rules``: deadlines and the rule set in force, without Django."""

from __future__ import annotations

import datetime as dt
import json

import holidays
import pytest

from dangvu.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def brute_force(d: dt.date, n: int) -> dt.date:
    # Independent count: weekdays that are not in the package's calendar.
    cal = holidays.country_holidays("VN", years=range(d.year - 1, d.year + 3))
    day = d
    while n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in cal:
            n -= 1
    return day


def test_deadlines_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "rules", "deadlines", "--event", "cell_resolution", "--date", "2025-01-20", "--json"
    )
    assert code == 0
    assert json.loads(out) == {"decision_by": brute_force(dt.date(2025, 1, 20), 60).isoformat()}
    assert json.loads(out) == {"decision_by": "2025-04-22"}


def test_deadlines_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "deadlines", "--event", "admission_decision", "--date", "2024-02-29")
    assert code == 0
    assert "Ngày hết thời gian dự bị: 28/02/2025" in out


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--event", "ket_nap", "--date", "2025-01-20"], "Sự kiện không hợp lệ"),
        (["--event", "cell_resolution", "--date", "2025-02-30"], "Ngày không hợp lệ"),
        (["--event", "cell_resolution", "--date", "20/01/2025"], "Ngày không hợp lệ"),
    ],
)
def test_deadlines_errors(capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str) -> None:
    code, out, err = run(capsys, "rules", "deadlines", *argv, "--json")
    assert code == 2 and out == ""
    assert fragment in err


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "show", "--date", "2025-03-01", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["effective"] == "2025-01-20"
    assert data["params"]["admission.decision_working_days"]["value"] == 60
    assert data["params"]["admission.cell_vote_share"]["value"] == "2/3"
    assert "232-QĐ/TW" in data["params"]["admission.decision_working_days"]["source"]
    code, out, _ = run(capsys, "rules", "show", "--date", "2020-01-01", "--json")
    assert json.loads(out)["effective"] == "2016-01-01"
    assert run(capsys, "rules", "show", "--date", "hôm qua")[0] == 2
