"""Registry services: every status change writes state and history together, or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import make_member_data

from dangvu.common import Code
from dangvu.core.text import fold
from dangvu.registry import services as s
from dangvu.registry.models import Discipline, Member, Post, StatusChange, Transfer

D = dt.date


def events(member: Member) -> list[tuple[str, str]]:
    return list(member.history.order_by("on", "id").values_list("event", "to_status"))


def test_fold_ignores_diacritics_and_case() -> None:
    assert fold("Nguyễn Văn  An") == "nguyen van an"
    assert fold("ĐẶNG THỊ Ơn") == "dang thi on"


def test_admit_then_full_membership_only_after_probation(tree) -> None:
    dung = tree.members["dung"]  # admitted 2026-03-01
    assert dung.status == "probationary"
    with pytest.raises(s.ServiceError) as exc:
        s.recognize_full(tree.users["office"], dung, D(2027, 2, 28))
    assert exc.value.code == Code.TRANSITION and "01/03/2027" in exc.value.message
    dung.refresh_from_db()
    assert dung.status == "probationary" and dung.full_on is None
    assert events(dung) == [("admit", "probationary")]


def test_recognition_takes_effect_on_the_exact_date(tree) -> None:
    m = s.admit_member(None, tree.orgs["C1A"], make_member_data("Hoàng Minh Tú", D(2000, 1, 1)),
                       admitted_on=D(2024, 2, 29))
    s.recognize_full(tree.users["secretary"], m, D(2025, 4, 10), "12-QĐ/ĐU")
    m.refresh_from_db()
    assert m.status == "full"
    assert m.full_on == D(2025, 2, 28)  # 29/2 + 12 months has no 29/2: the month's last day
    assert events(m) == [("admit", "probationary"), ("recognize_full", "full")]
    assert m.history.last().decision_number == "12-QĐ/ĐU"


def test_probationary_member_only_reprimand_or_warning(tree) -> None:
    dung = tree.members["dung"]
    with pytest.raises(s.ServiceError) as exc:
        s.discipline_member(tree.users["office"], dung, "dismissal", D(2026, 6, 1))
    assert exc.value.code == Code.TRANSITION
    assert not Discipline.objects.filter(member=dung).exists()
    s.discipline_member(tree.users["office"], dung, "warning", D(2026, 6, 1), reason="Vắng họp")
    assert Discipline.objects.get(member=dung).form == "warning"
    assert events(dung)[-1] == ("discipline", "probationary")


def test_expulsion_removes_from_rolls(tree) -> None:
    an = tree.inside
    s.discipline_member(tree.users["secretary"], an, "expulsion", D(2026, 6, 1), "5-QĐ/UBKT")
    an.refresh_from_db()
    assert an.status == "expelled"
    assert events(an)[-1] == ("expel", "expelled")
    with pytest.raises(s.ServiceError) as exc:
        s.exempt(tree.users["secretary"], an, D(2026, 7, 1))
    assert exc.value.code == Code.TRANSITION


def test_exemption_cycle_and_illegal_repeat(tree) -> None:
    an = tree.inside
    s.exempt(tree.users["secretary"], an, D(2026, 1, 5), "Tuổi cao, sức yếu")
    with pytest.raises(s.ServiceError) as exc:
        s.exempt(tree.users["secretary"], an, D(2026, 2, 5))
    assert exc.value.code == Code.TRANSITION
    s.end_exemption(tree.users["secretary"], an, D(2026, 9, 1))
    an.refresh_from_db()
    assert an.status == "full"
    assert [e for e, _ in events(an)][-2:] == ["exempt", "end_exemption"]


def test_permanent_transfer_needs_receiving_side(tree) -> None:
    an = tree.inside
    t = s.start_transfer(tree.users["secretary"], an, "permanent", tree.orgs["C2A"], D(2026, 4, 1),
                         cause_on=D(2026, 3, 15), reason="Chuyển nơi cư trú")
    an.refresh_from_db()
    assert an.organization.code == "C1A"  # not moved until confirmed
    with pytest.raises(s.ServiceError) as exc:
        s.confirm_transfer(tree.users["secretary"], t, D(2026, 4, 10))  # C2A is outside their subtree
    assert exc.value.code == Code.FORBIDDEN
    s.confirm_transfer(tree.users["admin"], t, D(2026, 4, 10))
    an.refresh_from_db()
    assert an.organization.code == "C2A"
    assert [e for e, _ in events(an)][-2:] == ["transfer_out", "transfer_in"]
    assert Transfer.objects.get(pk=t.pk).state == "confirmed"


def test_temporary_transfer_keeps_home_cell(tree) -> None:
    an = tree.inside
    with pytest.raises(s.ServiceError) as exc:
        s.start_transfer(tree.users["office"], an, "temporary", tree.orgs["C1B"], D(2026, 4, 1))
    assert exc.value.code == Code.REQUIRED and exc.value.field == "ends_on"
    t = s.start_transfer(tree.users["office"], an, "temporary", tree.orgs["C1B"], D(2026, 4, 1),
                         ends_on=D(2026, 10, 1))
    s.confirm_transfer(tree.users["office"], t, D(2026, 4, 3))
    an.refresh_from_db()
    assert an.organization.code == "C1A"
    s.end_temporary_transfer(tree.users["office"], t, D(2026, 9, 20))
    assert [e for e, _ in events(an)][-3:] == ["temporary_out", "transfer_in", "temporary_return"]


def _client(user):
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _transfer_out(client, member, to_org_pk, **extra):
    from django.urls import reverse

    data = {"kind": "permanent", "to_org": to_org_pk, "letter_on": "2026-06-01", "reason": "Chuyển nơi cư trú",
            "confirm": "1", **extra}  # as posted by the confirmation page
    return client.post(reverse("registry:member_event", args=[member.pk, "transfer_out"]), data)


def test_secretary_transfers_a_member_out_of_their_scope_and_the_receiver_confirms(tree) -> None:
    """The destination list holds the whole tree's cells and grassroots committees (name and code),
    not only the sender's scope; the receiving side confirms."""
    from django.urls import reverse

    an = tree.inside
    secretary = _client(tree.users["secretary"])
    page = secretary.get(reverse("registry:member_event", args=[an.pk, "transfer_out"])).content.decode()
    assert "Chi bộ thôn Bến Đò (C2A)" in page and "Đảng bộ xã Yên Lạc (C2)" in page
    assert "Chi bộ thôn Đồng Tâm (C1A)" not in page  # the member's own cell
    assert "Đảng bộ tỉnh Thử Nghiệm (P)" not in page  # a province does not receive members
    assert "Trần Thị Bình" not in page  # names and codes of organizations only, no people
    r = _transfer_out(secretary, an, tree.orgs["C2A"].pk)
    assert r.status_code == 302, r.content.decode()[-1500:]
    transfer = Transfer.objects.get(member=an)
    assert (transfer.to_org.code, transfer.state, transfer.letter_on) == ("C2A", "pending", D(2026, 6, 1))
    an.refresh_from_db()
    assert an.organization.code == "C1A"  # not moved before the receiving side confirms

    # The sender cannot confirm on the receiver's behalf; the receiver (admin of P) can.
    url = reverse("registry:transfer_action", args=[transfer.pk, "tiep-nhan"])
    assert secretary.post(url, {"on": "2026-06-10"}).status_code == 404
    r = _client(tree.users["admin"]).post(url, {"on": "2026-06-10"})
    assert r.status_code == 302, r.content.decode()[-1500:]
    an.refresh_from_db()
    assert an.organization.code == "C2A"
    assert [e for e, _ in events(an)][-2:] == ["transfer_out", "transfer_in"]
    assert Transfer.objects.get(pk=transfer.pk).confirmed_on == D(2026, 6, 10)


def test_transfer_to_a_grassroots_committee_is_placed_in_a_cell_on_receipt(tree) -> None:
    from django.urls import reverse

    an = tree.inside
    assert _transfer_out(_client(tree.users["secretary"]), an, tree.orgs["C2"].pk).status_code == 302
    transfer = Transfer.objects.get(member=an)
    assert transfer.to_org.code == "C2"
    with pytest.raises(s.ServiceError) as exc:
        s.confirm_transfer(tree.users["admin"], transfer, D(2026, 6, 10))
    assert exc.value.code == Code.REQUIRED and exc.value.field == "cell" and "Đảng bộ xã Yên Lạc" in exc.value.message
    with pytest.raises(s.ServiceError) as exc:
        s.confirm_transfer(tree.users["admin"], transfer, D(2026, 6, 10), tree.orgs["C1B"])
    assert exc.value.code == Code.OUT_OF_SUBTREE and exc.value.field == "cell" and "Đảng bộ xã Yên Lạc" in exc.value.message
    admin = _client(tree.users["admin"])
    url = reverse("registry:transfer_action", args=[transfer.pk, "tiep-nhan"])
    page = admin.get(url).content.decode()
    assert "Chi bộ thôn Bến Đò (C2A)" in page and "(C1B)" not in page
    r = admin.post(url, {"on": "2026-06-10"})
    assert r.status_code == 400 and "Mục này không được để trống." in r.content.decode()
    r = admin.post(url, {"on": "2026-06-10", "cell": tree.orgs["C2A"].pk})
    assert r.status_code == 302, r.content.decode()[-1500:]
    an.refresh_from_db()
    transfer.refresh_from_db()
    assert (an.organization.code, transfer.to_org.code, transfer.state) == ("C2A", "C2A", "confirmed")
    last = an.history.order_by("-id").first()
    assert (last.event, last.to_org.code) == ("transfer_in", "C2A")
    assert last.note == "Tiếp nhận chính thức (giấy giới thiệu gửi Đảng bộ xã Yên Lạc)"


@pytest.mark.parametrize("bad", ["province", "missing", "own_cell", "dissolved"])
def test_transfer_destination_must_exist_and_receive_members(tree, bad) -> None:
    from dangvu.registry.models import Organization

    if bad == "dissolved":
        gone = s.create_organization(None, tree.orgs["C2"], code="C2Z", name="Chi bộ đã giải thể", kind="cell",
                                     dissolved_on=D(2025, 1, 1))
    pk = {"province": tree.orgs["P"].pk, "missing": Organization.objects.order_by("-pk").first().pk + 100,
          "own_cell": tree.orgs["C1A"].pk}.get(bad) or gone.pk
    r = _transfer_out(_client(tree.users["secretary"]), tree.inside, pk)
    assert r.status_code == 400
    assert r.context["form"].errors["to_org"] == ["Hãy chọn một chi bộ hoặc đảng bộ cơ sở trong danh sách."]
    assert not Transfer.objects.exists()
    with pytest.raises(s.ServiceError) as exc:
        s.start_transfer(None, tree.inside, "permanent", tree.orgs["P"], D(2026, 6, 1))
    assert exc.value.code == Code.ORG_KIND and exc.value.field == "to_org"


def test_refused_write_leaves_nothing(tree) -> None:
    before = (StatusChange.objects.count(), Member.objects.count())
    # Digit 4 = 1 says "male born 1900s" but the record is a woman born 2001.
    with pytest.raises(s.ServiceError) as err:
        s.admit_member(tree.users["secretary"], tree.orgs["C1A"],
                       make_member_data("Vũ Thị Hoa", D(2001, 5, 5), "female", cccd="001001000001"),
                       admitted_on=D(2026, 1, 1))
    assert err.value.code == Code.INVALID
    assert "năm sinh" in str(err.value)  # digits 5–6 "00" disagree with 2001 too
    ok = s.admit_member(tree.users["secretary"], tree.orgs["C1A"],
                        make_member_data("Vũ Thị Hoa", D(2001, 5, 5), "female", cccd="001301000001"),
                        admitted_on=D(2026, 1, 1))
    with pytest.raises(s.ServiceError) as exc:
        s.admit_member(tree.users["secretary"], tree.orgs["C1A"],
                       make_member_data("Vũ Văn Hải", D(2001, 6, 6), "female", cccd="001301000001"),
                       admitted_on=D(2026, 1, 1))
    assert exc.value.code == Code.DUPLICATE and exc.value.field == "cccd"
    assert (StatusChange.objects.count(), Member.objects.count()) == (before[0] + 1, before[1] + 1)
    assert ok.history.count() == 1


def test_scope_is_enforced_in_services(tree) -> None:
    with pytest.raises(s.ServiceError) as exc:
        s.exempt(tree.users["secretary"], tree.outside, D(2026, 1, 1))
    assert exc.value.code == Code.FORBIDDEN
    with pytest.raises(s.ServiceError) as exc:
        s.exempt(tree.users["viewer"], tree.inside, D(2026, 1, 1))
    assert exc.value.code == Code.FORBIDDEN
    tree.outside.refresh_from_db()
    assert tree.outside.status == "full"


def test_post_rules(tree) -> None:
    c1a, an, cuong = tree.orgs["C1A"], tree.inside, tree.own
    s.add_post(tree.users["secretary"], c1a, an, "secretary", D(2025, 6, 1), "2025-2030")
    with pytest.raises(s.ServiceError) as exc:
        s.add_post(tree.users["secretary"], c1a, cuong, "secretary", D(2025, 7, 1))
    assert exc.value.code == Code.CONFLICT and exc.value.field == "role"
    with pytest.raises(s.ServiceError) as exc:
        s.add_post(None, tree.orgs["C2A"], an, "deputy", D(2025, 7, 1))
    assert exc.value.code == Code.OUT_OF_SUBTREE and exc.value.field == "member"
    assert Post.objects.filter(organization=c1a, role="secretary").count() == 1


def test_working_rules_and_yearly_records(tree) -> None:
    wr = s.record_working_rules(tree.users["secretary"], tree.orgs["C1A"], D(2021, 3, 1), D(2025, 9, 9))
    assert wr.last_change == D(2025, 9, 9)
    with pytest.raises(s.ServiceError) as exc:
        s.record_working_rules(tree.users["secretary"], tree.orgs["C1A"], D(2021, 3, 1), D(2020, 1, 1))
    assert exc.value.code == Code.DATE_ORDER and exc.value.field == "updated_on"
    a = s.add_assignment(tree.users["secretary"], tree.inside, 2026, "Phụ trách tổ tự quản số 3", D(2026, 1, 10))
    assert a.year == 2026
    t = s.add_training(tree.users["secretary"], tree.inside, "theory_intermediate", D(2024, 12, 1))
    tree.inside.refresh_from_db()
    assert t.pk and tree.inside.political_theory == "intermediate"


def test_organization_kinds_nest_by_the_charter(tree) -> None:
    with pytest.raises(s.ServiceError) as exc:
        s.create_organization(None, tree.orgs["C1A"], code="X1", name="Sai", kind="cell")
    assert exc.value.code == Code.ORG_KIND and exc.value.field == "kind"
    grp = s.create_organization(None, tree.orgs["C1A"], code="C1A-T1", name="Tổ đảng 1", kind="group")
    assert grp.path.startswith(tree.orgs["C1A"].path) and grp.depth == 4


def test_on_a_handover_day_only_the_successor_holds_the_post(tree) -> None:
    """``ended_on`` is the first day without the post: on the handover day only the successor holds it."""
    c1a, an, cuong = tree.orgs["C1A"], tree.inside, tree.own
    old = s.add_post(None, c1a, an, "secretary", D(2020, 6, 1))
    s.end_post(None, old, D(2025, 6, 1))
    new = s.add_post(None, c1a, cuong, "secretary", D(2025, 6, 1))
    secretaries = Post.objects.filter(organization=c1a, role="secretary")
    assert list(secretaries.held_on(D(2025, 5, 31))) == [old]
    assert list(secretaries.held_on(D(2025, 6, 1))) == [new]
    assert list(secretaries.current()) == [new]
