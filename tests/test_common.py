"""The shared kernel of issue 11: one error model, the read layer's recurring reads, the clock."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms

from dangvu.common import Code, ServiceError, acting_user, ensure_can_edit
from dangvu.common.views import add_service_error
from dangvu.core import clock


def test_a_service_error_carries_message_code_and_field():
    exc = ServiceError("Ngày sinh không hợp lệ.", Code.INVALID, field="birth_date")
    assert (str(exc), exc.message, exc.code, exc.field) == (
        "Ngày sinh không hợp lệ.", "Ngày sinh không hợp lệ.", Code.INVALID, "birth_date")
    assert exc.as_dict() == {"message": "Ngày sinh không hợp lệ.", "code": "invalid", "field": "birth_date"}
    assert ServiceError("x", "duplicate").code is Code.DUPLICATE
    with pytest.raises(ValueError):
        ServiceError("x", "no-such-code")


class _NameForm(forms.Form):
    full_name = forms.CharField()
    note = forms.CharField(required=False)


def test_a_refusal_goes_beside_its_field_or_above_the_form():
    form = _NameForm({"full_name": "An"})
    assert form.is_valid()
    add_service_error(form, ServiceError("Họ tên đã có trong chi bộ.", Code.DUPLICATE, field="full_name"))
    assert form.errors["full_name"] == ["Họ tên đã có trong chi bộ."]
    other = _NameForm({"full_name": "An"})
    assert other.is_valid()
    add_service_error(other, ServiceError("Không ghi được.", Code.STATE, field="not_on_this_form"))
    assert other.non_field_errors() == ["Không ghi được."]


def test_the_actor_helpers(tree):
    cell, other_commune = tree.orgs["C1A"], tree.orgs["C2"]
    ensure_can_edit(None, other_commune)  # the system acts everywhere
    ensure_can_edit(tree.users["secretary"], cell)
    with pytest.raises(ServiceError) as exc:
        ensure_can_edit(tree.users["secretary"], other_commune)
    assert exc.value.code == Code.FORBIDDEN
    with pytest.raises(ServiceError) as exc:
        ensure_can_edit(tree.users["viewer"], cell)
    assert exc.value.code == Code.FORBIDDEN
    assert acting_user(tree.users["office"]) == tree.users["office"]
    assert acting_user(None) is None


def test_subtree_and_active_members(tree):
    from dangvu.registry import services as s
    from dangvu.registry.models import Member, Organization

    assert set(Organization.objects.subtree(tree.orgs["C1"]).values_list("code", flat=True)) == {"C1", "C1A", "C1B"}
    assert set(Organization.objects.subtree(tree.orgs["C2"].path).values_list("code", flat=True)) == {"C2", "C2A"}
    names = set(Member.objects.in_subtree(tree.orgs["C1"]).values_list("full_name", flat=True))
    assert names == {"Nguyễn Văn An", "Lê Văn Cường", "Phạm Thị Dung"}
    s.record_death(None, tree.inside, dt.date(2026, 5, 1))
    active = set(Member.objects.in_subtree(tree.orgs["C1"]).active().values_list("full_name", flat=True))
    assert active == {"Lê Văn Cường", "Phạm Thị Dung"}


def test_on_a_handover_day_only_the_successor_holds_the_post(tree):
    from dangvu.registry import services as s
    from dangvu.registry.models import Post

    cell = tree.orgs["C1A"]
    old = s.add_post(None, cell, tree.inside, "secretary", dt.date(2020, 10, 1))
    s.end_post(None, old, dt.date(2025, 9, 15))
    s.add_post(None, cell, tree.own, "secretary", dt.date(2025, 9, 15))

    def holders(day):
        return sorted(Post.objects.filter(organization=cell, role="secretary").held_on(day)
                      .values_list("member__full_name", flat=True))

    assert holders(dt.date(2025, 9, 14)) == ["Nguyễn Văn An"]
    assert holders(dt.date(2025, 9, 15)) == ["Lê Văn Cường"]
    assert holders(dt.date(2020, 9, 30)) == []
    assert sorted(Post.objects.filter(organization=cell).current().values_list("member__full_name", flat=True)) \
        == ["Lê Văn Cường"]


def test_the_clock_can_be_fixed_and_released():
    real = clock.today()
    with clock.frozen(dt.date(2027, 2, 28)) as day:
        assert clock.today() == day == dt.date(2027, 2, 28)
        with clock.frozen(dt.date(2030, 1, 1)):
            assert clock.today() == dt.date(2030, 1, 1)
        assert clock.today() == dt.date(2027, 2, 28)
    assert clock.today() == real == dt.date.today()


def test_rules_in_force_follow_the_clock():
    from dangvu.core.rulesets import ruleset_for

    with clock.frozen(dt.date(2027, 6, 1)):
        assert ruleset_for() == ruleset_for(dt.date(2027, 6, 1))
