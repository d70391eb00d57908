"""Letters (đơn thư) rules: handling of anonymous letters, the deadline by kind and level, the state
of a letter and whether it counts in the on-time share (Quy định 22-QĐ/TW; Hướng dẫn 02-HD/TW)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangvu.core import letters as r
from dangvu.core.rulesets import ruleset_for

RS = ruleset_for(dt.date(2026, 6, 1))
D = dt.date

kinds = st.sampled_from(r.KINDS)
levels = st.sampled_from(r.LEVELS)
days = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))


def test_the_rule_set_carries_the_letter_parameters_marked_unconfirmed():
    table = RS["letters.deadline_days"]
    assert set(table) == set(r.KINDS)
    assert all(set(table[k]) == set(r.LEVELS) for k in r.KINDS)
    assert "22-QĐ/TW" in RS.source("letters.deadline_days")
    assert "chưa xác nhận" in RS.labels["letters.deadline_days"]
    assert "chưa xác nhận" in RS.labels["letters.anonymous_reference_kinds"]
    assert ruleset_for(D(2020, 1, 1))["letters.deadline_days"] == table  # both rule sets


@pytest.mark.parametrize(("org_kind", "level"), [
    ("province", "province"), ("upper", "upper"), ("grassroots_committee", "grassroots"),
    ("grassroots_cell", "grassroots"), ("sub_committee", "grassroots"), ("cell", "grassroots"), ("group", "grassroots"),
])
def test_level_of_an_organization(org_kind, level):
    assert r.level_of(org_kind) == level


def test_an_anonymous_denunciation_is_kept_for_reference_without_a_deadline():
    assert r.handling("denunciation", True, RS) == r.REFERENCE
    assert r.letter_deadline(D(2026, 3, 1), "denunciation", "grassroots", True, RS) is None
    assert r.handling("denunciation", False, RS) == r.HANDLE
    assert r.handling("report", True, RS) == r.HANDLE  # a report is looked into whoever sent it


def test_a_signed_denunciation_at_the_grassroots_is_due_after_its_days():
    n = RS["letters.deadline_days"]["denunciation"]["grassroots"]
    assert r.letter_deadline(D(2026, 3, 1), "denunciation", "grassroots", False, RS) == D(2026, 3, 1) + dt.timedelta(n)


def test_overridden_days_move_the_deadline():
    table = {k: dict(v) for k, v in RS["letters.deadline_days"].items()}
    table["complaint"]["upper"] = 15
    rs = RS.with_overrides({"letters.deadline_days": table}, by="Tỉnh ủy")
    assert r.letter_deadline(D(2026, 1, 31), "complaint", "upper", False, rs) == D(2026, 2, 15)


def test_unknown_kind_or_level_is_refused():
    with pytest.raises(ValueError):
        r.handling("rumour", False, RS)
    with pytest.raises(ValueError):
        r.deadline_days("complaint", "nation", RS)


@given(received=days, kind=kinds, level=levels, anonymous=st.booleans())
def test_deadline_is_after_receipt_and_only_for_letters_handled(received, kind, level, anonymous):
    deadline = r.letter_deadline(received, kind, level, anonymous, RS)
    if r.handling(kind, anonymous, RS) == r.REFERENCE:
        assert deadline is None and anonymous
    else:
        assert deadline is not None and deadline > received
        assert (deadline - received).days == RS["letters.deadline_days"][kind][level]


@given(received=days, kind=kinds)
def test_a_higher_level_never_has_less_time(received, kind):
    found = [r.letter_deadline(received, kind, lv, False, RS) for lv in r.LEVELS]
    assert found == sorted(found)


@given(deadline=days, closed=st.one_of(st.none(), days), today=days)
def test_state_agrees_with_on_time_and_the_alert(deadline, closed, today):
    state = r.state(today, deadline, closed)
    if closed is not None:
        assert state == ("on_time" if closed <= deadline else "late")
        assert r.alert_severity(today, deadline, closed, 10) is None
    else:
        assert state == ("overdue" if today > deadline else "open")
        severity = r.alert_severity(today, deadline, None, 10)
        assert (severity == "passed") == (state == "overdue")
        assert (severity == "near") == (today <= deadline and (deadline - today).days <= 10)


@given(deadline=days, closed=st.one_of(st.none(), days), as_of=days)
def test_a_letter_counts_in_the_share_once_its_outcome_is_known(deadline, closed, as_of):
    counted = r.counted_for_share(as_of, deadline, closed)
    assert counted == ((closed is not None and closed <= as_of) or deadline < as_of)
    if counted and closed is None:
        assert r.state(as_of, deadline, None) == "overdue"


def test_the_deadline_day_itself_is_in_time():
    assert r.state(D(2026, 5, 1), D(2026, 5, 1), None) == "open"
    assert r.state(D(2026, 5, 2), D(2026, 5, 1), None) == "overdue"
    assert r.on_time(D(2026, 5, 1), D(2026, 5, 1))
    assert not r.on_time(D(2026, 5, 1), D(2026, 5, 2))
    assert r.alert_severity(D(2026, 4, 21), D(2026, 5, 1), None, 10) == "near"
    assert r.alert_severity(D(2026, 4, 20), D(2026, 5, 1), None, 10) is None
    assert r.alert_severity(D(2026, 4, 20), None, None, 10) is None
