"""The read-only JSON API: authentication, scoping, search, paging, errors, OpenAPI schema."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import make_member_data
from django.utils import timezone
from person_names import letters

from dangvu.accounts.models import ApiToken
from dangvu.accounts.services import issue_api_token

pytestmark = pytest.mark.django_db



AUTH_FAILED = "Thiếu hoặc sai khóa truy cập."
ALL_NAMES = {"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"}


def bearer(user) -> dict:
    _, key = issue_api_token(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def get(client, url, user=None, **params):
    headers = bearer(user) if user is not None else {}
    return client.get(url, params, **headers)


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {r["full_name"] for r in response.json()["results"]}


# -- authentication ---------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/api/v1/members/", "/api/v1/organizations/", "/api/v1/stats/"])
def test_missing_token_is_401(client, tree, url):
    r = client.get(url)
    assert r.status_code == 401
    assert r.json() == {"detail": AUTH_FAILED}
    assert r["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer dv_wrong", "Bearer ", "Token abc", "Basic Zm9vOmJhcg==", "Bearer " + "x" * 300])
def test_wrong_token_is_401(client, tree, header):
    r = client.get("/api/v1/members/", HTTP_AUTHORIZATION=header)
    assert r.status_code == 401
    assert r.json() == {"detail": AUTH_FAILED}


def test_token_of_inactive_user_is_401(client, tree):
    headers = bearer(tree.users["admin"])
    tree.users["admin"].is_active = False
    tree.users["admin"].save()
    r = client.get("/api/v1/members/", **headers)
    assert r.status_code == 401


def test_last_used_at_is_touched_at_most_once_a_minute(client, tree):
    token, key = issue_api_token(tree.users["admin"])
    assert token.last_used_at is None
    assert client.get("/api/v1/stats/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and timezone.now() - first < dt.timedelta(seconds=30)
    assert client.get("/api/v1/stats/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first
    old = timezone.now() - dt.timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    assert client.get("/api/v1/stats/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > old + dt.timedelta(minutes=4)


def test_session_login_may_read(client, tree):
    client.force_login(tree.users["secretary"])
    r = client.get("/api/v1/members/")
    assert names(r) == {"Nguyễn Văn An", "Lê Văn Cường"}


# -- scoping ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", ALL_NAMES),
        ("office", {"Nguyễn Văn An", "Lê Văn Cường", "Phạm Thị Dung"}),
        ("viewer", {"Nguyễn Văn An", "Lê Văn Cường", "Phạm Thị Dung"}),
        ("secretary", {"Nguyễn Văn An", "Lê Văn Cường"}),
        ("member", {"Lê Văn Cường"}),
        ("nobody", set()),
    ],
)
def test_member_list_is_scoped(client, tree, username, expected):
    r = get(client, "/api/v1/members/", tree.users[username])
    assert names(r) == expected
    assert r.json()["count"] == len(expected)


def test_member_list_items(client, tree):
    r = get(client, "/api/v1/members/", tree.users["secretary"], q="an")
    item = next(i for i in r.json()["results"] if i["id"] == tree.inside.pk)
    assert item == {
        "id": tree.inside.pk,
        "organization": "C1A",
        "organization_name": "Chi bộ thôn Đồng Tâm",
        "full_name": "Nguyễn Văn An",
        "birth_date": "1980-03-02",
        "gender": "male",
        "ethnicity": "Kinh",
        "status": "full",
        "admitted_on": "2010-05-19",
        "full_on": "2011-05-19",
        "is_student": False,
        "resident": True,
    }
    assert "phone" not in item and "cccd" not in item and "residence" not in item


def test_member_list_query_count_is_constant(client, tree, django_assert_max_num_queries):
    from dangvu.registry import services as s

    for i in range(20):
        s.register_member(None, tree.orgs["C1B"], make_member_data(
            f"Hoàng Văn Số {letters(i)}", dt.date(1985, 1, 1 + i), admitted_on=dt.date(2010, 1, 1)))
    headers = bearer(tree.users["admin"])
    # token lookup + last_used_at update + roles + COUNT + page
    with django_assert_max_num_queries(5) as ctx:
        r = client.get("/api/v1/members/", **headers)
    sqls = [q["sql"].upper() for q in ctx.captured_queries]
    assert sum("COUNT(" in q for q in sqls) == 1
    assert sum('FROM "REGISTRY_MEMBER"' in q for q in sqls) == 2  # the COUNT and the joined page
    assert r.json()["count"] == 24
    assert len(r.json()["results"]) == 24


def test_org_filter_restricts_to_subtree(client, tree):
    assert names(get(client, "/api/v1/members/", tree.users["admin"], org="C1")) == {
        "Nguyễn Văn An", "Lê Văn Cường", "Phạm Thị Dung"}
    assert names(get(client, "/api/v1/members/", tree.users["admin"], org="C2A")) == {"Trần Thị Bình"}
    assert names(get(client, "/api/v1/members/", tree.users["office"], org="C1B")) == {"Phạm Thị Dung"}


@pytest.mark.parametrize(("username", "code"), [("secretary", "C2A"), ("secretary", "C1"), ("office", "P"),
                                                ("admin", "NOPE"), ("member", "C1A")])
def test_org_filter_outside_scope_is_404(client, tree, username, code):
    r = get(client, "/api/v1/members/", tree.users[username], org=code)
    assert r.status_code == 404
    assert r.json() == {"detail": "Không tìm thấy tổ chức đảng."}


def test_status_filter(client, tree):
    assert names(get(client, "/api/v1/members/", tree.users["admin"], status="probationary")) == {"Phạm Thị Dung"}
    assert names(get(client, "/api/v1/members/", tree.users["admin"], status="full")) == {
        "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"}
    assert names(get(client, "/api/v1/members/", tree.users["admin"], status="deceased")) == set()


# -- search -----------------------------------------------------------------------------------
@pytest.mark.parametrize("q", ["nguyen van an", "NGUYEN VAN AN", "Nguyễn Văn An", "  nguyen   van  ", "van an"])
def test_unaccented_search_finds_accented_name(client, tree, q):
    assert names(get(client, "/api/v1/members/", tree.users["admin"], q=q)) == {"Nguyễn Văn An"}


def test_search_is_still_scoped(client, tree):
    assert names(get(client, "/api/v1/members/", tree.users["secretary"], q="tran thi binh")) == set()
    assert names(get(client, "/api/v1/members/", tree.users["admin"], q="tran thi binh")) == {"Trần Thị Bình"}
    assert names(get(client, "/api/v1/members/", tree.users["admin"], q="dung")) == {"Phạm Thị Dung"}


# -- paging -----------------------------------------------------------------------------------
def test_pagination_math(client, tree):
    user = tree.users["admin"]
    # ordered by folded name: "le van cuong", "nguyen van an", "pham thi dung", "tran thi binh"
    pages = [get(client, "/api/v1/members/", user, page=p, page_size=1).json() for p in (1, 2, 3, 4, 5)]
    assert [p["count"] for p in pages] == [4] * 5
    assert [p["page"] for p in pages] == [1, 2, 3, 4, 5]
    assert [p["page_size"] for p in pages] == [1] * 5
    assert [[r["full_name"] for r in p["results"]] for p in pages] == [
        ["Lê Văn Cường"], ["Nguyễn Văn An"], ["Phạm Thị Dung"], ["Trần Thị Bình"], []]
    two = get(client, "/api/v1/members/", user, page=2, page_size=3).json()
    assert two["count"] == 4 and [r["full_name"] for r in two["results"]] == ["Trần Thị Bình"]


def test_page_far_beyond_the_end_is_empty(client, tree):
    r = get(client, "/api/v1/members/", tree.users["admin"], page=9_999_999, page_size=500)
    assert r.status_code == 200
    assert r.json() == {"count": 4, "page": 9_999_999, "page_size": 500, "results": []}


def test_default_page_size(client, tree):
    body = get(client, "/api/v1/members/", tree.users["admin"]).json()
    assert body["page"] == 1 and body["page_size"] == 50


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"page": 0}, "page"),
        ({"page": -3}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page": 10**30}, "page"),
        ({"page_size": "abc"}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 501}, "page_size"),
        ({"status": "alive"}, "status"),
        ({"q": "x" * 121}, "q"),
    ],
)
def test_bad_params_are_422(client, tree, params, param):
    r = get(client, "/api/v1/members/", tree.users["admin"], **params)
    assert r.status_code == 422
    body = r.json()
    assert [e["param"] for e in body["errors"]] == [param]
    assert f"({param})" in body["detail"]


def test_page_size_message_names_the_limit(client, tree):
    r = get(client, "/api/v1/members/", tree.users["admin"], page_size=1000)
    assert r.json()["detail"] == "Số dòng mỗi trang (page_size) phải là số nguyên từ 1 đến 500."


# -- one member -------------------------------------------------------------------------------
def test_member_outside_scope_is_404_like_absent(client, tree):
    r = get(client, f"/api/v1/members/{tree.outside.pk}", tree.users["secretary"])
    assert r.status_code == 404
    assert r.json() == {"detail": "Không tìm thấy đảng viên."}
    absent = get(client, "/api/v1/members/987654", tree.users["secretary"])
    assert (absent.status_code, absent.json()) == (404, r.json())


def test_member_detail_for_admin(client, tree):
    r = get(client, f"/api/v1/members/{tree.outside.pk}", tree.users["admin"])
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == tree.outside.pk
    assert body["organization"] == "C2A"
    assert body["full_name"] == "Trần Thị Bình"
    assert body["gender"] == "female"
    assert body["status"] == "full"
    assert body["status_label"] == tree.outside.get_status_display()
    for key in ("residence", "phone", "cccd", "card_number", "political_theory", "education", "occupation"):
        assert key in body
    assert [(h["event"], h["on"], h["from_status"], h["to_status"]) for h in body["history"]] == [
        ("admit", "2015-02-03", "", "probationary"),
        ("recognize_full", "2016-02-03", "probationary", "full"),
    ]
    assert body["history"][0]["to_org"] == "C2A"
    assert body["history"][0]["note"] == "Nhập hồ sơ đảng viên"


@pytest.mark.parametrize(("username", "status"), [("member", 200), ("secretary", 200), ("office", 200),
                                                  ("nobody", 404)])
def test_own_record(client, tree, username, status):
    r = get(client, f"/api/v1/members/{tree.own.pk}", tree.users[username])
    assert r.status_code == status
    if status == 200:
        assert r.json()["full_name"] == "Lê Văn Cường"


def test_member_role_cannot_read_colleague(client, tree):
    r = get(client, f"/api/v1/members/{tree.inside.pk}", tree.users["member"])
    assert r.status_code == 404


@pytest.mark.parametrize("bad", ["abc", "1.5", "-1", "0", str(10**30)])
def test_bad_member_id_is_not_500(client, tree, bad):
    r = get(client, f"/api/v1/members/{bad}", tree.users["admin"])
    assert r.status_code in (404, 422)
    assert "detail" in r.json()


# -- organizations ----------------------------------------------------------------------------
def test_organizations_scoped_list(client, tree):
    admin = get(client, "/api/v1/organizations/", tree.users["admin"]).json()
    assert admin["count"] == 6
    assert [o["code"] for o in admin["results"]] == ["P", "C1", "C1A", "C1B", "C2", "C2A"]
    by_code = {o["code"]: o for o in admin["results"]}
    assert by_code["P"]["parent"] is None and by_code["P"]["depth"] == 1
    assert by_code["C1A"]["parent"] == "C1" and by_code["C1A"]["depth"] == 3
    assert by_code["C1A"]["kind"] == "cell" and by_code["C1A"]["sector"] == "residential"
    assert by_code["C1A"]["member_counts"]["full"] == 2
    assert by_code["C1B"]["member_counts"]["probationary"] == 1
    assert sum(by_code["C1"]["member_counts"].values()) == 0  # members sit in cells

    office = get(client, "/api/v1/organizations/", tree.users["office"]).json()
    assert [o["code"] for o in office["results"]] == ["C1", "C1A", "C1B"]
    assert office["results"][0]["parent"] is None  # P is outside the scope: not revealed

    secretary = get(client, "/api/v1/organizations/", tree.users["secretary"]).json()
    assert [o["code"] for o in secretary["results"]] == ["C1A"]
    for username in ("member", "nobody"):
        assert get(client, "/api/v1/organizations/", tree.users[username]).json()["count"] == 0


def test_organizations_paging_and_filters(client, tree):
    user = tree.users["admin"]
    page = get(client, "/api/v1/organizations/", user, page=2, page_size=2).json()
    assert page["count"] == 6 and [o["code"] for o in page["results"]] == ["C1A", "C1B"]
    cells = get(client, "/api/v1/organizations/", user, kind="cell").json()
    assert [o["code"] for o in cells["results"]] == ["C1A", "C1B", "C2A"]
    sub = get(client, "/api/v1/organizations/", user, org="C2").json()
    assert [o["code"] for o in sub["results"]] == ["C2", "C2A"]
    assert get(client, "/api/v1/organizations/", user, page_size=9999).status_code == 422


def test_organization_detail(client, tree):
    r = get(client, "/api/v1/organizations/C1", tree.users["office"])
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == "C1" and body["name"] == "Đảng bộ xã Hòa Bình"
    assert body["children"] == ["C1A", "C1B"]
    assert body["subtree_member_counts"]["full"] == 2
    assert body["subtree_member_counts"]["probationary"] == 1


@pytest.mark.parametrize(("username", "code"), [("secretary", "C1"), ("secretary", "C2A"), ("office", "P"),
                                                ("nobody", "P"), ("admin", "NOPE")])
def test_organization_outside_scope_is_404(client, tree, username, code):
    r = get(client, f"/api/v1/organizations/{code}", tree.users[username])
    assert r.status_code == 404
    assert r.json() == {"detail": "Không tìm thấy tổ chức đảng."}


# -- stats ------------------------------------------------------------------------------------
def test_stats_by_scope(client, tree):
    admin = get(client, "/api/v1/stats/", tree.users["admin"]).json()
    assert admin["total"] == 4 and admin["active"] == 4
    assert admin["by_status"] == {"probationary": 1, "full": 3, "exempt": 0, "struck_off": 0,
                                  "expelled": 0, "deceased": 0}
    secretary = get(client, "/api/v1/stats/", tree.users["secretary"]).json()
    assert secretary["total"] == 2 and secretary["by_status"]["full"] == 2
    assert get(client, "/api/v1/stats/", tree.users["nobody"]).json()["total"] == 0
    c2 = get(client, "/api/v1/stats/", tree.users["admin"], org="C2").json()
    assert (c2["organization"], c2["total"]) == ("C2", 1)
    assert get(client, "/api/v1/stats/", tree.users["secretary"], org="C2").status_code == 404


# -- schema -----------------------------------------------------------------------------------
def test_openapi_schema(client, db):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    schema = json.loads(r.content)
    assert schema["info"]["title"] == "Đảng vụ API"
    for path in ("/api/v1/members/", "/api/v1/members/{member_id}", "/api/v1/organizations/",
                 "/api/v1/organizations/{code}", "/api/v1/stats/"):
        assert "get" in schema["paths"][path]
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    params = {p["name"] for p in schema["paths"]["/api/v1/members/"]["get"]["parameters"]}
    assert params == {"page", "page_size", "q", "org", "status"}


def test_a_reading_token_cannot_write(client, tree):
    headers = bearer(tree.users["admin"])  # issued without the write grant
    r = client.post("/api/v1/members/", {"organization": "C1A", "full_name": "Đỗ Thị Hạnh", "birth_date": "1988-06-14",
                                         "gender": "female", "admitted_on": "2015-03-02"},
                    content_type="application/json", **headers)
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    assert client.delete(f"/api/v1/members/{tree.inside.pk}", **headers).status_code == 405


def test_organization_list_query_count_is_constant(client, tree, django_assert_max_num_queries):
    headers = bearer(tree.users["admin"])
    # token lookup + last_used_at update + roles + COUNT + page + parents + one member aggregate
    with django_assert_max_num_queries(7):
        r = client.get("/api/v1/organizations/", **headers)
    assert r.json()["count"] == 6


def test_json_is_utf8_not_escaped(client, tree):
    r = get(client, "/api/v1/members/", tree.users["secretary"], q="an")
    assert r["Content-Type"] == "application/json; charset=utf-8"
    assert "Nguyễn Văn An".encode() in r.content


def test_identity_numbers_and_phones_go_only_to_editors(client, tree):
    from dangvu.registry import services as s

    s.update_member(None, tree.inside, cccd="001080012345", phone="0912345678")
    editor = get(client, f"/api/v1/members/{tree.inside.pk}", tree.users["secretary"]).json()
    assert (editor["cccd"], editor["phone"]) == ("001080012345", "0912345678")
    viewer = get(client, f"/api/v1/members/{tree.inside.pk}", tree.users["viewer"])
    assert viewer.status_code == 200
    assert (viewer.json()["cccd"], viewer.json()["phone"]) == (None, None)
    assert viewer.json()["full_name"] == "Nguyễn Văn An"
