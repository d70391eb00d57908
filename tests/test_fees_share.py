"""Issue 15, point 3: each level keeps its share and sends the rest up; expected / sent / received /
difference per organization; point 4: the late-remittance alert; ``fees.remitted_on_time_share``.

The small tree of conftest: province P → Đảng bộ xã Hòa Bình C1 (cells C1A, C1B) and Đảng bộ xã
Yên Lạc C2 (cell C2A). In May 2026: C1A collects 73.500 + 25.005 = 98.505 đ, C1B 40.000 đ,
C2A 20.000 đ. C1 has not set its cells' share: they keep the rule set's minimum, 30%.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import logged_in
from django.urls import reverse

from dangvu.alerts.queries import alert_counts_by_kind
from dangvu.alerts.selectors import alerts_for
from dangvu.common import Code, ServiceError
from dangvu.core import clock
from dangvu.core.periods import Period
from dangvu.core.rulesets import ruleset_for
from dangvu.fees import flows
from dangvu.fees import services as s
from dangvu.fees.models import FeeRemittance, FeeShare
from dangvu.indicators.runner import compute

D = dt.date
MAY = D(2026, 5, 1)


@pytest.fixture
def books(tree, monkeypatch):
    today = {"day": D(2026, 6, 20)}
    monkeypatch.setattr(clock, "today", lambda: today["day"])
    m = tree.members
    s.set_basis(None, m["an"], category="salaried", base=7_350_000, starts_on=D(2026, 1, 1))     # 73.500 đ
    s.set_basis(None, m["cuong"], category="pensioner", base=5_001_000, starts_on=D(2026, 1, 1))  # 25.005 đ
    s.set_basis(None, m["dung"], category="salaried", base=4_000_000, starts_on=D(2026, 3, 1))   # 40.000 đ
    s.set_basis(None, m["binh"], category="other", base=20_000, starts_on=D(2026, 1, 1))         # 20.000 đ
    for code in ("C1A", "C1B", "C2A"):
        s.record_book(None, tree.orgs[code], MAY, all_paid=True)
    tree.today = today
    return tree


def _flow(tree, code, root="P"):
    return flows.subtree_flows(tree.orgs[root], [MAY]).flow(tree.orgs[code].pk, MAY)


def test_flow_of_may_by_the_books(books) -> None:
    f = {code: _flow(books, code) for code in ("P", "C1", "C1A", "C1B", "C2", "C2A")}
    assert (f["C1A"].collected, f["C1A"].sent, f["C1A"].kept) == (98_505, 68_953, 29_552)  # 70% of 98.505,5 down
    assert (f["C1B"].sent, f["C1B"].kept) == (28_000, 12_000)
    # a commune committee keeps 90% of all its cells collected: it sends 10% of 138.505, rounded down
    assert (f["C1"].unit_total, f["C1"].received, f["C1"].sent, f["C1"].kept) == (138_505, 96_953, 13_850, 83_103)
    assert (f["C2"].sent, f["C2"].kept) == (2_000, 12_000)
    assert (f["P"].received, f["P"].sent, f["P"].kept) == (15_850, 7_925, 7_925)
    total = sum(x.kept for x in f.values()) + f["P"].sent
    assert total == 98_505 + 40_000 + 20_000
    # the same organization read from its own subtree (a secretary's page) gives the same numbers
    assert _flow(books, "C1A", root="C1A") == f["C1A"]
    assert _flow(books, "C1", root="C1") == f["C1"]


def test_the_committee_share_changes_what_cells_send(books) -> None:
    s.set_cell_share(books.users["office"], books.orgs["C1"], kept_percent=50, starts_on=MAY)
    assert _flow(books, "C1A").sent == 49_252   # 50% of 98.505 = 49.252,5 → 49.252; the cell keeps 49.253
    assert _flow(books, "C1").sent == 13_850    # the committee's 10% of the total does not change
    with pytest.raises(ServiceError) as err:
        s.set_cell_share(books.users["secretary"], books.orgs["C1"], kept_percent=40, starts_on=MAY)
    assert err.value.code == Code.FORBIDDEN
    with pytest.raises(ServiceError) as err:
        s.set_cell_share(books.users["office"], books.orgs["C1"], kept_percent=60, starts_on=MAY)
    assert err.value.code == Code.OUT_OF_RANGE
    with pytest.raises(ServiceError) as err:  # only a đảng bộ cơ sở has cells to set a share for
        s.set_cell_share(books.users["secretary"], books.orgs["C1A"], kept_percent=40, starts_on=MAY)
    assert err.value.code == Code.ORG_KIND
    assert FeeShare.objects.count() == 1


def test_page_of_the_commune_expected_sent_received_difference(books) -> None:
    sec, office = books.users["secretary"], books.users["office"]
    r = s.record_remittance(sec, books.orgs["C1A"], MAY, amount=68_953, sent_on=D(2026, 6, 8))
    s.confirm_remittance(office, r, amount=68_000, confirmed_on=D(2026, 6, 9))
    s.record_remittance(office, books.orgs["C1B"], MAY, amount=28_000, sent_on=D(2026, 6, 15))
    page = flows.remittance_page(books.orgs["C1"], [MAY], D(2026, 6, 20))
    a, b = page.lines
    assert (a.org.code, a.expected, a.sent, a.confirmed, a.difference, a.state) == (
        "C1A", 68_953, 68_953, 68_000, -953, "Đúng hạn")
    assert (b.org.code, b.expected, b.sent, b.confirmed, b.difference, b.state) == (
        "C1B", 28_000, 28_000, 0, -28_000, "Chậm hạn")
    assert [x.pk for x in b.unconfirmed] == [FeeRemittance.objects.get(sender=books.orgs["C1B"]).pk]
    own = page.own
    assert (own.unit_total, own.received, own.kept, own.expected, own.sent, own.state) == (
        138_505, 96_953, 83_103, 13_850, 0, "Chậm hạn")
    assert page.deadline == D(2026, 6, 10)
    t = page.totals
    assert (t.expected, t.sent, t.confirmed, t.on_time, t.due) == (96_953, 96_953, 68_000, 1, 2)


def test_quarter_sums_its_months(books) -> None:
    s.record_book(None, books.orgs["C1A"], D(2026, 4, 1), all_paid=True)
    page = flows.remittance_page(books.orgs["C1"], [D(2026, 4, 1), MAY, D(2026, 6, 1)], D(2026, 6, 20))
    a = page.lines[0]
    assert a.expected == 2 * 68_953
    assert (a.due, a.on_time, a.pending) == (2, 0, 0)  # April and May late (nothing sent), June collected nothing


def test_alert_appears_after_the_deadline_not_before_and_goes_once_sent(books) -> None:
    c1 = books.orgs["C1"]
    books.today["day"] = D(2026, 6, 10)
    assert [a for a in alerts_for(c1, D(2026, 6, 10)) if a.kind == "fees_remittance_late"] == []
    late = [a for a in alerts_for(c1, D(2026, 6, 11)) if a.kind == "fees_remittance_late"]
    assert sorted(a.org_code for a in late) == ["C1", "C1A", "C1B"]
    c1a = next(a for a in late if a.org_code == "C1A")
    assert c1a.message == "Chưa nộp đảng phí tháng 05/2026 lên cấp trên: phải nộp 68.953 đồng, hạn 10/06/2026."
    assert (c1a.severity, c1a.date) == ("passed", D(2026, 6, 10))
    assert alert_counts_by_kind(c1, D(2026, 6, 11))["fees_remittance_late"] == 3  # the alerts page's counts
    books.today["day"] = D(2026, 6, 12)
    s.record_remittance(books.users["secretary"], books.orgs["C1A"], MAY, amount=60_000, sent_on=D(2026, 6, 12))
    late = [a for a in alerts_for(c1, D(2026, 6, 12)) if a.kind == "fees_remittance_late"]
    assert sorted(a.org_code for a in late) == ["C1", "C1B"]
    # the province is the top of the tree: it sends outside the system, no alert for it
    top = [a for a in alerts_for(books.orgs["P"], D(2026, 6, 12)) if a.kind == "fees_remittance_late"]
    assert sorted(a.org_code for a in top) == ["C1", "C1B", "C2", "C2A"]


def test_alert_shows_on_the_alerts_page(books) -> None:
    books.today["day"] = D(2026, 6, 11)
    r = logged_in(books.users["office"]).get(reverse("alerts:list") + "?kind=fees_remittance_late")
    body = r.content.decode()
    assert r.status_code == 200
    assert body.count("Chưa nộp đảng phí tháng 05/2026 lên cấp trên") == 3
    assert reverse("fees:remittances", args=["C1A"]) in body


def test_indicator_remitted_on_time_share(books) -> None:
    s.record_remittance(None, books.orgs["C1A"], MAY, amount=68_953, sent_on=D(2026, 6, 8))   # on time
    s.record_remittance(None, books.orgs["C1B"], MAY, amount=28_000, sent_on=D(2026, 6, 15))  # late
    v = compute("fees.remitted_on_time_share", books.orgs["C1"], Period.year(2026))
    assert (v.numerator, v.denominator, v.value) == (1, 3, 33.33)  # C1A on time; C1B late; C1 not sent
    v = compute("fees.remitted_on_time_share", books.orgs["C1A"], Period.year(2026))
    assert (v.numerator, v.denominator, v.value) == (1, 1, 100.0)
    # a period whose deadlines all lie before May's: nothing due
    v = compute("fees.remitted_on_time_share", books.orgs["C1"], Period(D(2026, 1, 1), D(2026, 6, 9), "thử"))
    assert (v.numerator, v.denominator, v.value) == (0, 0, None)


# -- the page ------------------------------------------------------------------------------------

def _url(code: str, query: str = "thang=2026-05") -> str:
    return reverse("fees:remittances", args=[code]) + (f"?{query}" if query else "")


def test_page_prefills_and_the_sender_records_then_the_receiver_confirms(books) -> None:
    sec = logged_in(books.users["secretary"])
    r = sec.get(_url("C1A"))
    body = r.content.decode()
    assert r.status_code == 200
    assert 'name="amount" value="68953"' in body  # the amount prefilled with what is due
    r = sec.post(_url("C1A"), {"action": "gui", "thang": "2026-05", "amount": "68953", "sent_on": "2026-06-08"})
    assert r.status_code == 302
    sent = FeeRemittance.objects.get(sender=books.orgs["C1A"])
    assert (sent.amount, sent.receiver, sent.recorded_by) == (68_953, books.orgs["C1"], books.users["secretary"])
    office = logged_in(books.users["office"])
    body = office.get(_url("C1")).content.decode()
    assert f'name="remittance" value="{sent.pk}"' in body and 'value="68953"' in body
    r = office.post(_url("C1"), {"action": "xac-nhan", "thang": "2026-05", "remittance": sent.pk, "amount": "68953",
                                 "confirmed_on": "2026-06-20"})
    assert r.status_code == 302
    sent.refresh_from_db()
    assert (sent.confirmed_amount, sent.confirmed_by) == (68_953, books.users["office"])


def test_page_refusals_in_plain_vietnamese_write_nothing(books) -> None:
    sec = logged_in(books.users["secretary"])
    r = sec.post(_url("C1A"), {"action": "gui", "thang": "2026-05", "amount": "0", "sent_on": "2026-06-08"})
    assert r.status_code == 400 and "Số tiền nộp phải lớn hơn 0." in r.content.decode()
    r = sec.post(_url("C1A"), {"action": "gui", "thang": "2026-05", "amount": "-5", "sent_on": "2026-06-08"})
    assert r.status_code == 400 and "Số tiền không âm." in r.content.decode()
    office = logged_in(books.users["office"])
    r = office.post(_url("C1"), {"action": "ty-le", "thang": "2026-05", "kept_percent": "80"})
    assert r.status_code == 400 and "từ 30% đến 50%" in r.content.decode()
    assert not FeeRemittance.objects.exists() and not FeeShare.objects.exists()


def test_committee_sets_its_cells_share_from_the_page(books) -> None:
    office = logged_in(books.users["office"])
    r = office.post(_url("C1"), {"action": "ty-le", "thang": "2026-05", "kept_percent": "40"})
    assert r.status_code == 302
    assert FeeShare.objects.get(organization=books.orgs["C1"]).kept_percent == 40
    body = office.get(_url("C1")).content.decode()
    assert "<b>40%</b> (đảng ủy đã quyết định)" in body
    assert _flow(books, "C1A").sent == 59_103  # 60% of 98.505


def test_scope_a_cell_cannot_confirm_and_another_commune_cannot_see(books) -> None:
    rem = s.record_remittance(None, books.orgs["C1A"], MAY, amount=68_953, sent_on=D(2026, 6, 8))
    post = {"action": "xac-nhan", "thang": "2026-05", "remittance": rem.pk, "amount": "1", "confirmed_on": "2026-06-20"}
    assert logged_in(books.users["secretary"]).post(_url("C1"), post).status_code == 404  # C1 outside her scope
    # from her own cell's page the remittance is not one this level receives
    r = logged_in(books.users["secretary"]).post(_url("C1A"), post)
    assert r.status_code == 400 and "Không tìm thấy khoản nộp này" in r.content.decode()
    assert logged_in(books.users["viewer"]).post(_url("C1"), post).status_code == 403
    rem.refresh_from_db()
    assert rem.confirmed_on is None
    assert logged_in(books.users["office"]).get(_url("C2")).status_code == 404
    assert logged_in(books.users["office"]).get(_url("C2A")).status_code == 404
    body = logged_in(books.users["admin"]).get(_url("C2")).content.decode()
    assert "Chi bộ thôn Bến Đò" in body and "Chi bộ thôn Đồng Tâm" not in body


@pytest.mark.parametrize(("query", "heading", "error"), [
    ("thang=2026-05", "tháng 05/2026", False),
    ("quy=2026-2", "quý 2/2026", False),
    ("nam=2026", "năm 2026", False),
    ("thang=2026-13", "tháng 05/2026", True),
    ("thang=2027-01", "tháng 05/2026", True),
    ("quy=abc", "tháng 05/2026", True),
])
def test_page_periods(books, query, heading, error) -> None:
    r = logged_in(books.users["office"]).get(_url("C1", query))
    body = r.content.decode()
    assert r.status_code == 200
    assert f"Đảng phí nộp lên cấp trên — {heading}" in body
    assert ("Kỳ này không có hoặc chưa đến" in body) is error


def test_alert_and_page_queries_do_not_grow_with_cells_and_books(books) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from person_names import letters

    from dangvu.registry import services as rs

    def count() -> tuple[int, int, int]:
        with CaptureQueriesContext(connection) as a:
            alerts = flows.late_remittance_alerts(books.orgs["P"], D(2026, 6, 11), ruleset_for(D(2026, 6, 11)))
        with CaptureQueriesContext(connection) as p:
            flows.remittance_page(books.orgs["C1"], [D(2026, 1, 1), MAY], D(2026, 6, 11))
        return len(a), len(p), len(alerts)

    before = count()
    for i in range(3):
        cell = rs.create_organization(None, books.orgs["C1"], code=f"C1N{letters(i)}", name=f"Chi bộ Mới {letters(i)}",
                                      kind="cell")
        member = rs.register_member(None, cell, {"full_name": f"Đảng Viên {letters(i)}", "birth_date": D(1980, 1, 1),
                                                 "gender": "male", "ethnicity": "Kinh", "admitted_on": D(2010, 1, 1),
                                                 "full_on": D(2011, 1, 1)})
        s.set_basis(None, member, category="salaried", base=5_000_000, starts_on=MAY)
        s.record_book(None, cell, MAY, all_paid=True)
    after = count()
    assert after[:2] == before[:2]
    assert after[2] == before[2] + 3  # each new cell is late too


def test_alerts_command_json_lists_the_late_remittances(books, capsys) -> None:
    import json

    from dangvu.cli import main

    assert main(["alerts", "--org", "C1", "--date", "2026-06-11", "--kind", "fees_remittance_late", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert sorted((d["organization"]["code"], d["date"], d["severity"]) for d in data) == [
        ("C1", "2026-06-10", "passed"), ("C1A", "2026-06-10", "passed"), ("C1B", "2026-06-10", "passed")]


@pytest.mark.parametrize("data", [
    {},
    {"action": "gui"},
    {"action": "gui", "thang": "2026-13", "amount": "100", "sent_on": "2026-06-08"},
    {"action": "gui", "thang": "2026-05\x00", "amount": "100", "sent_on": "2026-06-08"},
    {"action": "gui", "thang": "2026-05", "amount": "1e9", "sent_on": "2026-06-08"},
    {"action": "gui", "thang": "2026-05", "amount": "99999999999999999999999", "sent_on": "2026-06-08"},
    {"action": "gui", "thang": "2026-05", "amount": "100", "sent_on": "31/02/2026"},
    {"action": "gui", "thang": "2026-07", "amount": "100", "sent_on": "2026-06-08"},     # a month not yet come
    {"action": "gui", "thang": "2026-05", "amount": "100", "sent_on": "2026-04-30"},     # sent before the month
    {"action": "xac-nhan", "remittance": "99999999999999999999", "amount": "1", "confirmed_on": "2026-06-20"},
    {"action": "xac-nhan", "remittance": "abc", "amount": "1", "confirmed_on": "2026-06-20"},
    {"action": "ty-le", "thang": "2026-05", "kept_percent": "\x00"},
    {"action": "xoa-het"},
])
def test_garbage_posts_are_400_in_plain_vietnamese_and_write_nothing(books, data) -> None:
    for user, code in (("secretary", "C1A"), ("office", "C1")):
        r = logged_in(books.users[user]).post(_url(code), data)
        body = r.content.decode()
        assert r.status_code == 400, (user, data)
        assert "Traceback" not in body and "/work/" not in body
        assert 'class="msg-error"' in body or 'class="errorlist' in body, (user, data)
    assert not FeeRemittance.objects.exists() and not FeeShare.objects.exists()


@pytest.mark.parametrize("query", ["thang=%00", "thang=0000-00", "quy=2026-9", "nam=99999", "nam=1800", "thang=2026-5-1"])
def test_bad_period_queries_fall_back_to_last_month(books, query) -> None:
    r = logged_in(books.users["office"]).get(_url("C1", query))
    body = r.content.decode()
    assert r.status_code == 200
    assert "Đảng phí nộp lên cấp trên — tháng 05/2026" in body and "Kỳ này không có hoặc chưa đến" in body
