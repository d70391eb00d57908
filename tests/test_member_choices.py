"""Issue 14 point 4: the forms that choose members (study session, study attendance, post holder,
a prospect's introducers, a congress base adjustment) offer a bounded list whatever the size of the subtree: the same member choices and the same
queries for a commune of 30 members and of 300."""

from __future__ import annotations

import datetime as dt
import re

from conftest import logged_in
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from person_names import register_people

from dangvu.common.forms import MEMBER_CHOICES_SHOWN
from dangvu.meetings import services as ms
from dangvu.meetings.models import StudyAttendance

_BOX = re.compile(r'<input type="checkbox" name="members"')
_OPTION = re.compile(r'<option value="(\d+)"')


def _measure(client, url: str, params: dict | None = None) -> tuple[int, int, str]:
    """(queries, member choices, page) of a GET, after one warming GET (caches, session)."""
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params or {})
    assert r.status_code == 200
    page = r.content.decode()
    field = next((n for n in ('name="member"', 'name="introducer_1"') if n in page), None)
    member_select = page.split(field, 1)[1].split("</select>", 1)[0] if field else ""
    return len(ctx.captured_queries), len(_BOX.findall(page)) + len(_OPTION.findall(member_select)), page


def _pages(tree, session, election) -> dict[str, tuple[int, int, str]]:
    office = logged_in(tree.users["office"])
    study_create = reverse("meetings:study_create", args=["C1"])
    prospect_create = reverse("admission:prospect_create", args=["C1"])
    adjustment = reverse("congress:adjustment_add", args=[election.pk])
    return {
        "prospect_create committee": _measure(office, prospect_create),
        "prospect_create search": _measure(office, prospect_create, {"tim": "hoang van"}),
        "prospect_create cell": _measure(office, reverse("admission:prospect_create", args=["C1A"])),
        "adjustment_add committee": _measure(office, adjustment),
        "adjustment_add search": _measure(office, adjustment, {"tim": "hoang van"}),
        "study_create committee": _measure(office, study_create),
        "study_create cell chosen": _measure(office, study_create, {"chi-bo": "C1A"}),
        "study_attendance cell chosen": _measure(office, reverse("meetings:study_attendance", args=[session.pk]),
                                                 {"chi-bo": "C1A"}),
        "study_create cell": _measure(office, reverse("meetings:study_create", args=["C1A"])),
        "post_add committee": _measure(office, reverse("registry:post_add", args=["C1"])),
        "post_add search": _measure(office, reverse("registry:post_add", args=["C1"]), {"tim": "hoang van"}),
        "post_add cell": _measure(office, reverse("registry:post_add", args=["C1A"])),
    }


def test_member_choices_do_not_grow_with_the_subtree(tree) -> None:
    session = ms.record_study_session(None, tree.orgs["C1"], document_title="Nghị quyết 21",
                                      document_number="21-NQ/TW", held_on=dt.date(2026, 5, 12),
                                      member_ids=[tree.inside.pk])
    from dangvu.congress import services as cs

    on = dt.date(2031, 3, 10)
    congress = cs.save_congress(None, tree.orgs["C1"], term="2030-2035", kind="members", starts_on=on, ends_on=on)
    election = cs.create_election(None, congress, title="Bầu ban chấp hành", seats=9, held_on=on,
                                  counting_board="Nguyễn Văn Trưởng")
    register_people(tree.orgs["C1B"], 30, "Hoàng Văn")
    small = _pages(tree, session, election)
    register_people(tree.orgs["C1B"], 270, "Hoàng Văn Tư")
    large = _pages(tree, session, election)
    searches = ("post_add search", "prospect_create search", "adjustment_add search")
    for name in small:
        assert large[name][0] == small[name][0], name  # the same queries
        if name not in searches:  # a search shows what it finds, at most MEMBER_CHOICES_SHOWN
            assert large[name][1] == small[name][1], name
    # The counts are the bounded lists, not empty pages: C1A's own members, a capped search.
    c1a = tree.orgs["C1A"].members.filter(status__in=("full", "probationary", "exempt")).count()
    assert small["study_create cell"][1] == small["study_create cell chosen"][1] == c1a >= 2
    assert small["study_create committee"][1] == 0 and "Chi bộ Văn phòng xã" in small["study_create committee"][2]
    assert (small["post_add search"][1], large["post_add search"][1]) == (30, MEMBER_CHOICES_SHOWN)
    assert f"Chỉ hiện {MEMBER_CHOICES_SHOWN} người đầu tiên" in large["post_add search"][2]
    assert small["post_add cell"][1] == c1a
    for name in ("prospect_create search", "adjustment_add search"):
        assert (small[name][1], large[name][1]) == (30, MEMBER_CHOICES_SHOWN), name
    # Nobody belongs to the commune itself: unsearched, the select is empty and says how to search.
    assert small["prospect_create committee"][1] == small["adjustment_add committee"][1] == 0
    assert "Gõ họ tên hoặc số thẻ đảng viên để tìm" in small["adjustment_add committee"][2]
    c1a_full = tree.orgs["C1A"].members.filter(status="full").count()
    assert small["prospect_create cell"][1] == c1a_full >= 2


def test_committee_study_list_is_kept_per_cell(tree) -> None:
    """Ticking one cell's members of a committee's session leaves the other cells' part alone."""
    c1, c1a = tree.orgs["C1"], tree.orgs["C1A"]
    dung = tree.members["dung"]  # of C1B
    session = ms.record_study_session(None, c1, document_title="Nghị quyết 21", document_number="21-NQ/TW",
                                      held_on=dt.date(2026, 5, 12), member_ids=[tree.inside.pk, dung.pk])
    office = logged_in(tree.users["office"])
    url = reverse("meetings:study_attendance", args=[session.pk]) + "?chi-bo=C1A"
    page = office.get(url).content.decode()
    assert f'value="{tree.inside.pk}"' in page and f'value="{dung.pk}"' not in page
    assert office.post(url, {"members": [tree.own.pk]}).status_code == 302
    assert set(StudyAttendance.objects.filter(session=session).values_list("member_id", flat=True)) == {
        tree.own.pk, dung.pk}
    # A member of another cell posted on C1A's list is refused, nothing written.
    r = office.post(url, {"members": [dung.pk]})
    assert r.status_code == 400, r.content.decode()[-3000:]
    assert "không có trong danh sách" in r.content.decode()
    assert session.attendances.count() == 2
    assert c1a.kind == "cell"


def test_post_search_by_card_number_and_a_member_outside_the_list_still_posts(tree) -> None:
    from dangvu.registry.models import Member

    office = logged_in(tree.users["office"])
    Member.objects.filter(pk=tree.inside.pk).update(card_number="93012345")
    url = reverse("registry:post_add", args=["C1"])
    page = office.get(url, {"tim": "930123"}).content.decode()
    assert _OPTION.findall(page.split('name="member"', 1)[1].split("</select>", 1)[0]) == [str(tree.inside.pk)]
    # The select shows a search's few results; a posted id is checked against every candidate.
    r = office.post(url, {"member": tree.members["dung"].pk, "role": "deputy", "started_on": "2025-02-01"})
    assert r.status_code == 302
    r = office.post(url, {"member": tree.outside.pk, "role": "deputy", "started_on": "2025-02-01"})
    assert r.status_code == 400 and "Hãy chọn một đảng viên trong danh sách." in r.content.decode()


def test_an_introducer_found_by_search_is_kept_and_one_outside_refused(tree) -> None:
    from dangvu.admission.models import Prospect

    office = logged_in(tree.users["office"])
    url = reverse("admission:prospect_create", args=["C1"])
    data = {"organization": tree.orgs["C1A"].pk, "full_name": "Đặng Thị Hoa", "birth_date": "2000-02-02",
            "gender": "female", "ethnicity": "Kinh", "listed_on": "2026-01-05", "introducer_1": tree.inside.pk,
            "introducer_1_since": "2025-01-05", "introducer_2": tree.own.pk, "introducer_2_since": "2025-01-05"}
    r = office.post(url, data)
    assert r.status_code == 302, r.content.decode()[-2000:]
    hoa = Prospect.objects.get(full_name="Đặng Thị Hoa")
    assert (hoa.introducer_1_id, hoa.introducer_2_id) == (tree.inside.pk, tree.own.pk)
    # The edit page keeps both chosen introducers in the select, searched or not.
    page = office.get(reverse("admission:prospect_edit", args=[hoa.pk]), {"tim": "khong ai"}).content.decode()
    chosen = _OPTION.findall(page.split('name="introducer_2"', 1)[1].split("</select>", 1)[0])
    assert {str(tree.inside.pk), str(tree.own.pk)} <= set(chosen)
    r = office.post(url, data | {"full_name": "Đặng Văn Hùng", "introducer_1": tree.outside.pk})
    assert r.status_code == 400 and "Hãy chọn một đảng viên trong danh sách." in r.content.decode()
    assert not Prospect.objects.filter(full_name="Đặng Văn Hùng").exists()
