"""Exchange with the level above (issue 18, point 3): a signed package of a commune's records, and
its import into another instance: same numbers, idempotent, refusals with nothing written."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.management import call_command

from dangvu.common import ServiceError
from dangvu.core.periods import Period
from dangvu.exchange import keys
from dangvu.exchange import services as xs
from dangvu.exchange.models import ExchangeExport, ExchangeImport, TrustedKey
from dangvu.indicators.runner import compute_all
from dangvu.registry.models import Member, Organization

YEAR = dt.date.today().year


@pytest.fixture
def home(settings, tmp_path):
    settings.DANGVU_HOME = tmp_path
    return tmp_path


def _world(tree) -> None:
    """C1's year: fee books and a remittance, a monthly meeting, an admission (Dung, in the tree)."""
    from dangvu.meetings import services as ms
    from tests.fees_world import remittance_objects

    remittance_objects(tree)
    for code in ("C1A", "C1B"):
        ms.record_month_meeting(None, tree.orgs[code], held_on=dt.date(YEAR, 1, 10), starts_at=dt.time(8),
                                ends_at=dt.time(10), topic="Sinh hoạt thường kỳ")


def _trust_self() -> None:
    xs.trust_key(None, keys.public_text(keys.sender_key()), "Xã Hòa Bình")


def _snapshot(code: str) -> dict:
    return compute_all(Organization.objects.get(code=code), Period.year(YEAR))


def _rows() -> dict[str, int]:
    from django.apps import apps

    names = ("registry.Organization", "registry.Member", "registry.StatusChange", "meetings.Meeting",
             "meetings.Attendance", "fees.FeeBook", "fees.FeePayment", "fees.FeeRemittance", "admission.Prospect")
    return {n: apps.get_model(n).objects.count() for n in names}


@pytest.mark.django_db(transaction=True)
def test_round_trip_into_an_empty_instance_gives_the_same_numbers(tree, home):
    _world(tree)
    before = _snapshot("C1")
    members_before = Member.objects.in_subtree(tree.orgs["C1"]).count()
    content = xs.export_package(None, tree.orgs["C1"], YEAR)
    assert ExchangeExport.objects.filter(org_code="C1", period=str(YEAR)).count() == 1

    call_command("flush", interactive=False, verbosity=0)  # instance B: empty, trusts the sender
    assert Organization.objects.count() == 0
    _trust_self()
    result = xs.import_package(None, content)
    assert result.sections["organizations"].created == 3  # C1 with its cells C1A and C1B, not C2
    assert sorted(Organization.objects.values_list("code", flat=True)) == ["C1", "C1A", "C1B"]
    assert Organization.objects.get(code="C1").is_root()
    assert Member.objects.count() == members_before == 3
    after = _snapshot("C1")
    assert after == before
    # The figures the level above reads first, checked by name as well.
    for key in ("members.count", "meetings.count", "fees.collected", "admission.admitted"):
        if key in before:
            assert after[key]["value"] == before[key]["value"], key
    assert before["fees.collected"]["value"] > 0 if "fees.collected" in before else True

    rows = _rows()
    again = xs.import_package(None, content)
    assert (again.created, again.updated, again.already) == (0, 0, True)
    assert _rows() == rows
    assert ExchangeImport.objects.count() == 1


@pytest.mark.django_db
def test_newer_package_updates_and_older_one_is_refused(tree, home):
    _trust_self()
    old = xs.export_package(None, tree.orgs["C1"])
    xs.import_package(None, old)  # same instance: every row maps onto itself, nothing changes
    assert ExchangeImport.objects.get().created == 0
    an = tree.members["an"]
    Member.objects.filter(pk=an.pk).update(phone="0912345678")
    newer = xs.export_package(None, tree.orgs["C1"])
    Member.objects.filter(pk=an.pk).update(phone="")
    result = xs.import_package(None, newer)
    assert result.sections["members"].updated == 1
    an.refresh_from_db()
    assert an.phone == "0912345678"
    with pytest.raises(ServiceError) as exc:
        xs.import_package(None, old)
    assert "cũ hơn" in exc.value.message
    # Every export and import is in the audit log (the member's update too, as its own entry).
    from auditlog.models import LogEntry

    assert LogEntry.objects.get_for_model(ExchangeExport).count() == 2
    assert LogEntry.objects.get_for_model(ExchangeImport).count() == 2
    assert any("0912345678" in str(e.changes) for e in LogEntry.objects.get_for_object(an))
    an.refresh_from_db()
    assert an.phone == "0912345678"


def _tamper(content: bytes, name: str, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.namelist():
            raw = src.read(item)
            z.writestr(item, change(raw) if item == name else raw)
    return out.getvalue()


def _edit_json(fn):
    def change(raw: bytes) -> bytes:
        obj = json.loads(raw)
        fn(obj)
        return json.dumps(obj, ensure_ascii=False).encode()
    return change


@pytest.mark.django_db
def test_refusals_write_nothing(tree, home):
    content = xs.export_package(None, tree.orgs["C1"])
    with pytest.raises(ServiceError, match="chưa được tin cậy"):
        xs.import_package(None, content)
    _trust_self()

    def renamed(data):
        data["members"][0]["full_name"] = "Người Khác"

    cases = {
        "Mã kiểm tra": _tamper(content, "data.json", _edit_json(renamed)),
        "Chữ ký": _tamper(content, "manifest.json", _edit_json(lambda m: m.update(period=1999))),
        "phiên bản": _tamper(content, "manifest.json", _edit_json(lambda m: m.update(version=2))),
        "ZIP": b"not a zip file",
    }
    counts = {m: Member.objects.filter(full_name="Người Khác").count() for m in ("x",)}
    for words, bad in cases.items():
        with pytest.raises(ServiceError, match=words):
            xs.import_package(None, bad)
    assert Member.objects.filter(full_name="Người Khác").count() == counts["x"] == 0
    assert ExchangeImport.objects.count() == 0


@pytest.mark.django_db
def test_schema_violation_is_refused_even_when_signed(tree, home):
    from dangvu.exchange import package as pkg

    _trust_self()
    bad = pkg.build(organization={"code": "C1", "name": "Xã", "parent_code": "P"}, period=None,
                    made_at="2026-01-01T00:00:00+00:00", key=keys.sender_key(),
                    data={"organizations": [{"id": 1, "code": "C1", "name": "Xã", "kind": "nation", "parent": "P"}],
                          "members": []})
    with pytest.raises(ServiceError, match="lược đồ"):
        xs.import_package(None, bad)
    assert not Organization.objects.filter(kind="nation").exists()


@pytest.mark.django_db
def test_package_outside_the_importers_subtree_is_refused(tree, home):
    _trust_self()
    content = xs.export_package(None, tree.orgs["C2"])
    name = tree.orgs["C2"].name
    with pytest.raises(ServiceError) as exc:
        xs.import_package(None, content, scope=tree.orgs["C1"])
    assert exc.value.code == "out_of_subtree"
    assert Organization.objects.get(code="C2").name == name
    assert xs.import_package(None, content, scope=tree.orgs["P"], dry_run=True).changed is False


@pytest.mark.django_db
def test_dry_run_reports_changes_and_writes_nothing(tree, home):
    _trust_self()
    an = tree.members["an"]
    Member.objects.filter(pk=an.pk).update(occupation="Nông dân")
    content = xs.export_package(None, tree.orgs["C1"])
    Member.objects.filter(pk=an.pk).update(occupation="Giáo viên")
    result = xs.import_package(None, content, dry_run=True)
    assert result.sections["members"].updated == 1
    assert any("Nguyễn Văn An" in line for line in result.changes)
    an.refresh_from_db()
    assert an.occupation == "Giáo viên"
    assert ExchangeImport.objects.count() == 0


def test_published_schema(client):
    response = client.get("/api/v1/exchange-schema.json")
    assert response.status_code == 200
    body = response.json()
    assert body["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert body["x-version"] == 1
    assert "fee_payments" in body["$defs"]["data"]["properties"]


def test_trusting_a_malformed_key_is_refused(db):
    with pytest.raises(ServiceError, match="không đúng dạng"):
        xs.trust_key(None, "abc", "Xã")
    assert TrustedKey.objects.count() == 0


@pytest.mark.django_db
def test_office_uploads_previews_and_confirms(tree, home):
    from conftest import logged_in
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dangvu.exchange.models import ExchangeUpload

    _trust_self()
    an = tree.members["an"]
    Member.objects.filter(pk=an.pk).update(occupation="Nông dân")
    content = xs.export_package(None, tree.orgs["C1A"])
    Member.objects.filter(pk=an.pk).update(occupation="Giáo viên")
    client = logged_in(tree.users["office"])
    r = client.post("/trao-doi/C1/nhap-goi/", {"file": SimpleUploadedFile("c1a.zip", content)})
    assert r.status_code == 302
    staged = ExchangeUpload.objects.get()
    page = client.get(r["Location"]).content.decode()
    assert "Nguyễn Văn An" in page and "Xác nhận nhập" in page
    an.refresh_from_db()
    assert an.occupation == "Giáo viên"  # the preview wrote nothing
    r = client.post(f"/trao-doi/goi/{staged.pk}/xac-nhan/")
    assert r.status_code == 302
    an.refresh_from_db()
    assert an.occupation == "Nông dân"
    staged.refresh_from_db()
    assert staged.applied is not None and staged.applied.updated == 1 and bytes(staged.content) == b""
    # A tampered file is refused on the page, in Vietnamese, and nothing is staged.
    bad = content.replace(b"manifest", b"manifesx", 1)
    r = client.post("/trao-doi/C1/nhap-goi/", {"file": SimpleUploadedFile("bad.zip", bad)})
    assert r.status_code == 400 and "gói" in r.content.decode().lower()
    assert ExchangeUpload.objects.count() == 1
    # The secretary of a cell cannot open the office's page.
    assert logged_in(tree.users["secretary"]).get("/trao-doi/C1A/nhap-goi/").status_code == 403


@pytest.mark.django_db
def test_package_for_another_commune_is_refused_on_the_page(tree, home):
    from conftest import logged_in
    from django.core.files.uploadedfile import SimpleUploadedFile

    _trust_self()
    content = xs.export_package(None, tree.orgs["C2A"])
    r = logged_in(tree.users["office"]).post("/trao-doi/C1/nhap-goi/",
                                              {"file": SimpleUploadedFile("c2a.zip", content)})
    assert r.status_code == 400
    assert "ngoài phạm vi" in r.content.decode()


@pytest.mark.django_db
def test_rows_of_organizations_outside_the_package_are_not_written(tree, home):
    """Even a trusted sender writes only into the organizations its package carries."""
    from dangvu.exchange import package as pkg
    from dangvu.meetings.models import Meeting

    _trust_self()
    c1a = {"id": 9001, "code": "C1A", "name": tree.orgs["C1A"].name, "kind": "cell", "parent": "C1"}
    meeting = {"id": 9002, "organization": "C2A", "held_on": f"{YEAR}-02-02", "starts_at": "08:00:00",
               "ends_at": "10:00:00", "kind": "regular", "present_count": 0, "expected_count": 0}
    content = pkg.build(organization={"code": "C1A", "name": c1a["name"], "parent_code": "C1"}, period=None,
                        made_at="2026-01-01T00:00:00+00:00", key=keys.sender_key(),
                        data={"organizations": [c1a], "members": [], "meetings": [meeting]})
    result = xs.import_package(None, content, scope=tree.orgs["C1"])
    assert (result.sections["meetings"].created, result.sections["meetings"].skipped) == (0, 1)
    assert not Meeting.objects.filter(organization=tree.orgs["C2A"]).exists()


@pytest.mark.django_db
def test_the_write_api_imports_a_package_like_the_upload_page(tree, home):
    """Issue 18 point 4: the exchange through the API — dry run, apply, again (nothing changes),
    a tampered package refused (400), a reading token refused (403), outside the scope 404."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from dangvu.accounts.services import issue_api_token

    _trust_self()
    an = tree.members["an"]
    Member.objects.filter(pk=an.pk).update(occupation="Nông dân")
    content = xs.export_package(None, tree.orgs["C1A"])
    Member.objects.filter(pk=an.pk).update(occupation="Giáo viên")

    def post(user, org, data, dry_run=False, write=True):
        key = issue_api_token(tree.users[user], write=write)[1]
        return Client().post(f"/api/v1/exchange/packages?organization={org}&dry_run={str(dry_run).lower()}",
                             {"package": SimpleUploadedFile("goi.zip", data)}, HTTP_AUTHORIZATION=f"Bearer {key}")

    r = post("office", "C1", content, dry_run=True)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["dry_run"] is True and body["updated"] == 1 and body["organization"] == "C1A"
    an.refresh_from_db()
    assert an.occupation == "Giáo viên"
    r = post("office", "C1", content)
    assert r.status_code == 200 and r.json()["updated"] == 1
    an.refresh_from_db()
    assert an.occupation == "Nông dân"
    again = post("office", "C1", content).json()
    assert again["already"] is True and again["created"] == again["updated"] == 0
    bad = post("office", "C1", content.replace(b"manifest", b"manifesx", 1))
    assert bad.status_code == 400 and bad.json()["code"] == "file"
    assert post("office", "C1", content, write=False).status_code == 403
    assert post("viewer", "C1", content).status_code == 403
    assert post("office", "C2", content).status_code == 404
    assert ExchangeImport.objects.count() == 1
