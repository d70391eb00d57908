"""The write API: members' data entry and meetings by other systems, through the web's services,
scoped (404 outside, 403 read-only), audited, with Vietnamese refusals and Idempotency-Key."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from dangvu.accounts.models import ApiIdempotencyKey
from dangvu.accounts.services import issue_api_token
from dangvu.meetings.models import Attendance, Meeting
from dangvu.registry.models import Member, StatusChange, Transfer

pytestmark = pytest.mark.django_db

NEW_MEMBER = {"organization": "C1A", "full_name": "Đỗ Thị Hạnh", "birth_date": "1988-06-14", "gender": "female",
              "admitted_on": "2015-03-02", "full_on": "2016-03-02", "occupation": "Giáo viên"}


def writer(user, write: bool = True) -> dict:
    _, key = issue_api_token(user, write=write)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def send(client, method: str, url: str, body, headers: dict, **extra):
    data = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(url, data, content_type="application/json", **headers, **extra)


# -- creating a member ------------------------------------------------------------------------
def test_create_member_goes_through_the_registry_service(client, tree):
    r = send(client, "post", "/api/v1/members/", NEW_MEMBER, writer(tree.users["secretary"]))
    assert r.status_code == 201, r.content
    body = r.json()
    member = Member.objects.get(pk=body["id"])
    assert (member.full_name, member.organization.code, member.status) == ("Đỗ Thị Hạnh", "C1A", "full")
    assert (body["status"], body["full_on"], body["occupation"]) == ("full", "2016-03-02", "Giáo viên")
    # The service wrote the timeline exactly as the web's «Thêm đảng viên» does.
    assert [(h["event"], h["on"]) for h in body["history"]] == [("admit", "2015-03-02"), ("recognize_full", "2016-03-02")]
    assert body["version"] == member.version


def test_create_is_audited_with_the_token_user_as_actor(client, tree):
    r = send(client, "post", "/api/v1/members/", NEW_MEMBER, writer(tree.users["office"]), REMOTE_ADDR="10.1.2.3")
    assert r.status_code == 201
    member_type = ContentType.objects.get_for_model(Member)
    entry = LogEntry.objects.get(content_type=member_type, object_pk=str(r.json()["id"]),
                                 action=LogEntry.Action.CREATE)
    assert entry.actor == tree.users["office"]
    assert entry.remote_addr == "10.1.2.3"
    history = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(StatusChange),
                                      action=LogEntry.Action.CREATE)
    assert {e.actor_id for e in history.filter(timestamp__gte=entry.timestamp)} == {tree.users["office"].pk}


@pytest.mark.parametrize(("username", "org", "status"), [
    ("secretary", "C1B", 404),  # a sibling cell: outside the secretary's scope
    ("office", "C2A", 404),  # another commune
    ("viewer", "C1A", 403),  # inside the scope, but only to read
    ("member", "C1A", 404),  # a member sees only their own record
    ("admin", "NOPE", 404),
])
def test_create_outside_scope_is_404_and_read_only_is_403(client, tree, username, org, status):
    before = Member.objects.count()
    r = send(client, "post", "/api/v1/members/", NEW_MEMBER | {"organization": org}, writer(tree.users[username]))
    assert r.status_code == status, r.content
    assert Member.objects.count() == before
    if status == 403:
        assert r.json()["code"] == "forbidden"
        assert r.json()["detail"] == "Vai trò của bạn chỉ được xem ở đây, không được ghi."


def test_a_reading_token_may_not_write(client, tree):
    r = send(client, "post", "/api/v1/members/", NEW_MEMBER, writer(tree.users["admin"], write=False))
    assert r.status_code == 403
    assert r.json()["detail"].startswith("Khóa truy cập này chỉ được đọc")
    assert not Member.objects.filter(full_name="Đỗ Thị Hạnh").exists()


def test_the_web_session_may_not_write(client, tree):
    client.force_login(tree.users["admin"])
    r = send(client, "post", "/api/v1/members/", NEW_MEMBER, {})
    assert r.status_code == 401
    assert not Member.objects.filter(full_name="Đỗ Thị Hạnh").exists()


@pytest.mark.parametrize(("change", "status", "code", "field", "message"), [
    ({"organization": "C1"}, 400, "org_kind", None, "Đảng viên phải sinh hoạt tại một chi bộ."),
    ({"admitted_on": "2030-01-01", "full_on": None}, 400, "future_date", "admitted_on",
     "Ngày vào Đảng không thể ở tương lai."),
    ({"full_name": "Đỗ Thị 3"}, 400, "invalid", "full_name", None),
    ({"cccd": "001088012345"}, 400, "invalid", "cccd", None),  # the century/gender digit says a man
])
def test_service_refusals_are_4xx_with_the_vietnamese_message(client, tree, change, status, code, field, message):
    r = send(client, "post", "/api/v1/members/", NEW_MEMBER | change, writer(tree.users["admin"]))
    assert r.status_code == status, r.content
    body = r.json()
    assert (body["code"], body["field"]) == (code, field)
    if message:
        assert body["detail"] == message
    assert not Member.objects.filter(birth_date=dt.date(1988, 6, 14)).exists()


def test_a_cccd_already_held_is_409(client, tree):
    headers = writer(tree.users["admin"])
    first = send(client, "post", "/api/v1/members/", NEW_MEMBER | {"cccd": "001188012345"}, headers)
    assert first.status_code == 201, first.content
    again = send(client, "post", "/api/v1/members/", NEW_MEMBER | {"full_name": "Đỗ Thị Hoa", "cccd": "001188012345"},
                 headers)
    assert again.status_code == 409
    assert (again.json()["code"], again.json()["field"]) == ("duplicate", "cccd")
    assert "Đỗ Thị Hạnh" in again.json()["detail"]  # the admin sees who holds it


@pytest.mark.parametrize(("body", "field"), [
    (NEW_MEMBER | {"full_name": "Đỗ Thị\nHạnh"}, "full_name"),
    (NEW_MEMBER | {"gender": "other"}, "gender"),
    (NEW_MEMBER | {"birth_date": "14/06/1988"}, "birth_date"),
    (NEW_MEMBER | {"occupation": "x" * 121}, "occupation"),
    ({k: v for k, v in NEW_MEMBER.items() if k != "full_name"}, "full_name"),
])
def test_malformed_fields_are_422_naming_the_field(client, tree, body, field):
    r = send(client, "post", "/api/v1/members/", body, writer(tree.users["admin"]))
    assert r.status_code == 422, r.content
    assert [e["param"] for e in r.json()["errors"]] == [field]
    assert field in r.json()["detail"]


def test_a_body_that_is_not_json_is_400_in_vietnamese(client, tree):
    r = send(client, "post", "/api/v1/members/", "{not json", writer(tree.users["admin"]))
    assert r.status_code == 400
    assert r.json() == {"detail": "Nội dung yêu cầu không phải JSON hợp lệ.", "code": "invalid", "field": None}


# -- Idempotency-Key -------------------------------------------------------------------------------
def test_the_same_request_sent_again_with_its_key_writes_once(client, tree):
    headers = writer(tree.users["secretary"]) | {"HTTP_IDEMPOTENCY_KEY": "nhap-hanh-1"}
    first = send(client, "post", "/api/v1/members/", NEW_MEMBER, headers)
    again = send(client, "post", "/api/v1/members/", NEW_MEMBER, headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Member.objects.filter(full_name="Đỗ Thị Hạnh").count() == 1
    other = send(client, "post", "/api/v1/members/", NEW_MEMBER | {"full_name": "Đỗ Thị Hoa"}, headers)
    assert other.status_code == 409
    assert other.json()["field"] == "Idempotency-Key"
    assert not Member.objects.filter(full_name="Đỗ Thị Hoa").exists()


def test_a_refused_write_leaves_its_key_free(client, tree):
    headers = writer(tree.users["admin"]) | {"HTTP_IDEMPOTENCY_KEY": "k-2"}
    refused = send(client, "post", "/api/v1/members/", NEW_MEMBER | {"organization": "C1"}, headers)
    assert refused.status_code == 400
    assert not ApiIdempotencyKey.objects.filter(key="k-2").exists()
    assert send(client, "post", "/api/v1/members/", NEW_MEMBER, headers).status_code == 201
    assert ApiIdempotencyKey.objects.get(key="k-2").status == 201


def test_keys_belong_to_their_user(client, tree):
    key = {"HTTP_IDEMPOTENCY_KEY": "same"}
    a = send(client, "post", "/api/v1/members/", NEW_MEMBER, writer(tree.users["secretary"]) | key)
    b = send(client, "post", "/api/v1/members/", NEW_MEMBER | {"full_name": "Đỗ Thị Hoa"}, writer(tree.users["office"]) | key)
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]


@pytest.mark.parametrize("key", ["", "x" * 101, "khóa-có-dấu", "hai chữ"])
def test_a_malformed_key_is_422(client, tree, key):
    r = send(client, "post", "/api/v1/members/", NEW_MEMBER, writer(tree.users["admin"]) | {"HTTP_IDEMPOTENCY_KEY": key})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"param": "Idempotency-Key", "message": r.json()["detail"]}]
    assert r.json()["detail"].startswith("Idempotency-Key phải là 1–100 ký tự ASCII")
    assert not Member.objects.filter(full_name="Đỗ Thị Hạnh").exists()


# -- correcting a member ---------------------------------------------------------------------------
def test_patch_changes_only_the_fields_sent(client, tree):
    m = tree.inside
    r = send(client, "patch", f"/api/v1/members/{m.pk}", {"occupation": "Nông dân", "phone": "0912345678"},
             writer(tree.users["secretary"]))
    assert r.status_code == 200, r.content
    m.refresh_from_db()
    assert (m.occupation, m.phone, m.full_name, m.birth_date) == ("Nông dân", "0912345678", "Nguyễn Văn An",
                                                                   dt.date(1980, 3, 2))
    assert r.json()["version"] == m.version
    entry = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Member), object_pk=str(m.pk),
                                    action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.actor == tree.users["secretary"]
    assert entry.changes_dict["occupation"] == ["", "Nông dân"]


def test_patch_with_an_old_version_is_409_and_writes_nothing(client, tree):
    m = tree.inside
    headers = writer(tree.users["office"])
    read = client.get(f"/api/v1/members/{m.pk}", **headers).json()["version"]
    assert send(client, "patch", f"/api/v1/members/{m.pk}", {"version": read, "occupation": "Thợ may"},
                headers).status_code == 200
    stale = send(client, "patch", f"/api/v1/members/{m.pk}", {"version": read, "occupation": "Thợ mộc"}, headers)
    assert stale.status_code == 409
    assert (stale.json()["code"], stale.json()["version"]) == ("stale", read + 1)
    m.refresh_from_db()
    assert m.occupation == "Thợ may"


@pytest.mark.parametrize(("username", "who", "status"), [
    ("secretary", "outside", 404), ("viewer", "inside", 403), ("member", "own", 403), ("member", "inside", 404)])
def test_patch_scope(client, tree, username, who, status):
    m = getattr(tree, who)
    r = send(client, "patch", f"/api/v1/members/{m.pk}", {"occupation": "Thợ rèn"}, writer(tree.users[username]))
    assert r.status_code == status
    m.refresh_from_db()
    assert m.occupation != "Thợ rèn"


def test_patch_may_clear_the_cccd_but_not_the_name(client, tree):
    from dangvu.registry import services as s

    s.update_member(None, tree.inside, cccd="001080012345")
    headers = writer(tree.users["admin"])
    assert send(client, "patch", f"/api/v1/members/{tree.inside.pk}", {"cccd": None}, headers).status_code == 200
    tree.inside.refresh_from_db()
    assert tree.inside.cccd is None
    r = send(client, "patch", f"/api/v1/members/{tree.inside.pk}", {"full_name": None}, headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["param"] == "full_name"


# -- lifecycle events ------------------------------------------------------------------------------
def test_exemption_through_the_api_and_twice_is_409(client, tree):
    headers = writer(tree.users["secretary"])
    url = f"/api/v1/members/{tree.inside.pk}/events"
    r = send(client, "post", url, {"event": "exempt", "on": "2026-06-01", "note": "Tuổi cao, sức yếu"}, headers)
    assert r.status_code == 201, r.content
    assert (r.json()["status"], r.json()["event"]["event"], r.json()["event"]["note"]) == (
        "exempt", "exempt", "Tuổi cao, sức yếu")
    tree.inside.refresh_from_db()
    assert tree.inside.status == "exempt"
    again = send(client, "post", url, {"event": "exempt", "on": "2026-07-01"}, headers)
    assert again.status_code == 409
    assert again.json()["code"] == "transition"
    assert StatusChange.objects.filter(member=tree.inside, event="exempt").count() == 1
    listed = client.get(url, **headers).json()
    assert [e["event"] for e in listed] == ["admit", "recognize_full", "exempt"]


def test_transfer_letter_through_the_api(client, tree):
    r = send(client, "post", f"/api/v1/members/{tree.inside.pk}/events",
             {"event": "transfer_out", "on": "2026-06-01", "to_org": "C2A", "note": "Chuyển nơi cư trú"},
             writer(tree.users["secretary"]))
    assert r.status_code == 201, r.content
    transfer = Transfer.objects.get(pk=r.json()["transfer_id"])
    assert (transfer.from_org.code, transfer.to_org.code, transfer.state) == ("C1A", "C2A", "pending")
    missing = send(client, "post", f"/api/v1/members/{tree.own.pk}/events",
                   {"event": "transfer_out", "on": "2026-06-01", "to_org": "C9"}, writer(tree.users["secretary"]))
    assert (missing.status_code, missing.json()["field"]) == (400, "to_org")


def test_event_out_of_range_date_is_400_not_500(client, tree):
    r = send(client, "post", f"/api/v1/members/{tree.inside.pk}/events", {"event": "death", "on": "0001-01-01"},
             writer(tree.users["admin"]))
    assert r.status_code == 400
    assert r.json()["code"] == "out_of_range"


# -- meetings ---------------------------------------------------------------------------------------
def test_record_a_meeting_with_its_attendance(client, tree):
    body = {"organization": "C1A", "held_on": "2026-05-12", "starts_at": "19:30", "ends_at": "21:00",
            "topic": "Sinh hoạt thường kỳ tháng 5",
            "attendance": [{"member_id": tree.own.pk, "status": "excused", "reason": "Đi công tác"}]}
    headers = writer(tree.users["secretary"])
    r = send(client, "post", "/api/v1/meetings/", body, headers)
    assert r.status_code == 201, r.content
    meeting = Meeting.objects.get(pk=r.json()["id"])
    assert (meeting.present_count, meeting.expected_count) == (1, 2)
    rows = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    assert rows == {tree.inside.pk: "present", tree.own.pk: "excused"}
    assert {a["member_id"]: a["reason"] for a in r.json()["attendance"]} == {tree.inside.pk: "", tree.own.pk: "Đi công tác"}
    second = send(client, "post", "/api/v1/meetings/", body | {"held_on": "2026-05-20"}, headers)
    assert (second.status_code, second.json()["code"]) == (409, "duplicate")
    listed = client.get("/api/v1/meetings/", {"org": "C1"}, **writer(tree.users["office"])).json()
    assert [m["id"] for m in listed["results"]] == [meeting.pk]
    assert client.get(f"/api/v1/meetings/{meeting.pk}", **writer(tree.users["viewer"])).status_code == 200
    assert client.get(f"/api/v1/meetings/{meeting.pk}", **writer(tree.users["member"])).status_code == 404


def test_meeting_attendance_of_a_stranger_is_refused(client, tree):
    body = {"organization": "C1A", "held_on": "2026-05-12", "starts_at": "19:30", "ends_at": "21:00",
            "attendance": [{"member_id": tree.outside.pk, "status": "absent"}]}
    r = send(client, "post", "/api/v1/meetings/", body, writer(tree.users["admin"]))
    assert (r.status_code, r.json()["code"]) == (400, "out_of_subtree")
    assert not Meeting.objects.exists()


def test_openapi_documents_the_writes_and_their_errors(client, db):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    paths = schema["paths"]
    assert {"post"} <= set(paths["/api/v1/members/"]) and "patch" in paths["/api/v1/members/{member_id}"]
    assert "post" in paths["/api/v1/members/{member_id}/events"] and "post" in paths["/api/v1/meetings/"]
    responses = paths["/api/v1/members/"]["post"]["responses"]
    assert {"201", "400", "403", "404", "409", "422"} <= set(responses)
    headers = [p for p in paths["/api/v1/members/"]["post"]["parameters"] if p["in"] == "header"]
    assert [(h["name"], h["required"]) for h in headers] == [("Idempotency-Key", False)]
    refusal = responses["409"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][refusal]["properties"]) == {"detail", "code", "field", "version"}


def test_cli_issues_a_writing_token_only_when_asked(client, tree, capsys):
    from dangvu.cli import main

    assert main(["token", "secretary", "--write"]) == 0
    out = capsys.readouterr()
    assert "được ghi dữ liệu qua API" in out.err
    written = send(client, "post", "/api/v1/members/", NEW_MEMBER,
                   {"HTTP_AUTHORIZATION": f"Bearer {out.out.strip()}"})
    assert written.status_code == 201
    assert main(["token", "secretary"]) == 0
    reading = capsys.readouterr().out.strip()
    refused = send(client, "post", "/api/v1/members/", NEW_MEMBER | {"full_name": "Đỗ Thị Hoa"},
                   {"HTTP_AUTHORIZATION": f"Bearer {reading}"})
    assert refused.status_code == 403
    assert main(["token", "--list", "secretary"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert sorted(line.split("  ")[-2] for line in listed) == ["ghi", "đọc"]  # before "còn hiệu lực"


def test_a_key_committed_by_a_concurrent_request_is_replayed(client, tree, monkeypatch):
    """The race: a second request with the key looks it up before the first commits, then fails to
    claim it (on PostgreSQL it waits for the first); it answers with the first one's result."""
    from dangvu.api import writing

    headers = writer(tree.users["secretary"]) | {"HTTP_IDEMPOTENCY_KEY": "dua-nhau"}
    first = send(client, "post", "/api/v1/members/", NEW_MEMBER, headers)
    real = writing.idempotent_answer
    lookups = []

    def late(user, key):  # the first lookup happens "before" the other request committed
        lookups.append(key)
        return None if len(lookups) == 1 else real(user, key)

    monkeypatch.setattr(writing, "idempotent_answer", late)
    second = send(client, "post", "/api/v1/members/", NEW_MEMBER, headers)
    assert len(lookups) == 2
    assert (second.status_code, second.json(), second["Idempotent-Replayed"]) == (201, first.json(), "true")
    assert Member.objects.filter(full_name="Đỗ Thị Hạnh").count() == 1
