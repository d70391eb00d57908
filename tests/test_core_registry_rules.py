"""CCCD structure, rule sets and lifecycle transitions (pure core, no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangvu.core.cccd import make_cccd, validate_cccd
from dangvu.core.lifecycle import TransitionRefused, check_transition, probation_ends
from dangvu.core.rulesets import UnknownRule, ruleset_for

D = dt.date


def test_cccd_examples() -> None:
    assert validate_cccd("001080000123", "male", D(1980, 3, 2)) == []
    assert validate_cccd("001380000123", "male", D(1980, 3, 2))  # digit 3 = female, 2000s
    assert validate_cccd("12345") == ["Số CCCD phải gồm đúng 12 chữ số."]
    assert any("Mã tỉnh" in p for p in validate_cccd("003080000123", "male", D(1980, 1, 1)))  # 003 unused
    assert any("năm sinh" in p for p in validate_cccd("001081000123", "male", D(1980, 1, 1)))


@given(st.sampled_from(["male", "female"]), st.dates(D(1900, 1, 1), D(2099, 12, 31)), st.integers(0, 999_999))
def test_made_cccd_always_validates(gender: str, birth: dt.date, serial: int) -> None:
    number = make_cccd("079", gender, birth.year, serial)
    assert validate_cccd(number, gender, birth) == []
    other = "female" if gender == "male" else "male"
    assert validate_cccd(number, other, birth) != []


def test_ruleset_is_dated_and_overridable() -> None:
    old, new = ruleset_for(D(2020, 1, 1)), ruleset_for(D(2025, 6, 1))
    assert old.effective < new.effective
    assert "232-QĐ/TW" in new.source("admission.decision_working_days")
    assert "232-QĐ/TW" not in old.source("admission.decision_working_days")
    local = new.with_overrides({"meeting.min_minutes": 60}, by="Tỉnh ủy X")
    assert local["meeting.min_minutes"] == 60 and new["meeting.min_minutes"] == 90
    assert "Tỉnh ủy X" in local.source("meeting.min_minutes")
    with pytest.raises(UnknownRule):
        new.with_overrides({"meeting.min_minute": 60})


def test_probation_and_transitions() -> None:
    assert probation_ends(D(2024, 2, 29)) == D(2025, 2, 28)
    assert probation_ends(D(2025, 5, 19)) == D(2026, 5, 19)
    with pytest.raises(TransitionRefused, match="12 tháng"):
        check_transition("recognize_full", "probationary", D(2026, 5, 18), admitted_on=D(2025, 5, 19))
    assert check_transition("recognize_full", "probationary", D(2026, 5, 19), admitted_on=D(2025, 5, 19)) == "full"
    with pytest.raises(TransitionRefused):
        check_transition("expel", "probationary", D(2026, 1, 1))
    assert check_transition("discipline", "full", D(2026, 1, 1), discipline_form="expulsion") == "expelled"
    with pytest.raises(TransitionRefused, match="từ trần"):
        check_transition("exempt", "deceased", D(2026, 1, 1))
