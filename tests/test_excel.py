"""Excel import (upload → preview → confirm) and member-list export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from conftest import PASSWORD
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dangvu.common import Code, ServiceError
from dangvu.core.cccd import make_cccd
from dangvu.registry import excel, services_import
from dangvu.registry.models import ImportBatch, Member, Organization, StatusChange

MEMBER_TITLES = [c.title for c in excel.MEMBER_COLUMNS]
ORG_TITLES = [c.title for c in excel.ORG_COLUMNS]


def xlsx(rows: list[dict], columns=excel.MEMBER_COLUMNS, titles: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(titles if titles is not None else [c.title for c in columns])
    for row in rows:
        ws.append([row.get(c.key) for c in columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def person(org: str, name: str, birth: dt.date, gender: str = "Nam", **extra) -> dict:
    return {"org": org, "full_name": name, "birth_date": birth, "gender": gender,
            "admitted_on": dt.date(2012, 1, 10), **extra}


def login(client, tree, who: str) -> None:
    assert client.login(username=tree.users[who].username, password=PASSWORD)


def upload(client, content: bytes, name: str = "ds.xlsx", kind: str = "members", scope: str = "C1"):
    return client.post(reverse("registry:import_start"), {
        "kind": kind, "scope": scope, "file": SimpleUploadedFile(name, content)})


def batch_of(response) -> ImportBatch:
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


GOOD = [
    person("C1A", "Hoàng Văn Em", dt.date(1985, 6, 15), cccd=make_cccd("001", "male", 1985, 1),
           full_on=dt.date(2013, 1, 10), political_theory="trung cap", resident="Có"),
    person("C1B", "Vũ Thị Hoa", dt.date(1992, 11, 3), "nữ", cccd=make_cccd("001", "female", 1992, 2),
           admitted_on="03/02/2020"),
    person("c1a", "Đỗ Minh Khang", dt.datetime(1979, 2, 1), full_on="10/01/2013", is_student="không"),
]


# -- templates ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind, titles, sheet", [("members", MEMBER_TITLES, "Đảng viên"),
                                                 ("organizations", ORG_TITLES, "Tổ chức đảng")])
def test_template_downloads(client, tree, kind, titles, sheet):
    login(client, tree, "office")
    response = client.get(reverse("registry:import_template", kwargs={"kind": kind}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:2] == [sheet, "Hướng dẫn"]
    ws = wb[sheet]
    assert [c.value for c in ws[1]] == titles
    assert ws.freeze_panes == "A2"
    assert ws.data_validations.dataValidation, "drop-down lists"
    guide = " ".join(str(c.value) for row in wb["Hướng dẫn"].iter_rows() for c in row if c.value)
    lists = [c.value for row in wb["Danh mục"].iter_rows() for c in row if c.value]
    if kind == "members":
        assert "Nam" in lists and "Nữ" in lists and "Trung cấp" in lists
        assert "C1A" in lists and "C1B" in lists and "C2A" not in lists  # only the user's own cells
    else:
        assert "Chi bộ trực thuộc" in guide and "Thôn, bản, tổ dân phố" in guide
    assert client.get("/nhap-excel/mau/other.xlsx").status_code == 404


# -- a file with errors -------------------------------------------------------------------

def test_bad_rows_are_listed_and_nothing_written(client, tree):
    dup = make_cccd("001", "male", 1970, 77)
    rows = GOOD + [
        person("C1A", "Bùi Văn Lỗi", dt.date(1980, 1, 1), cccd="123"),                         # 5 bad CCCD
        person("C1A", "", dt.date(1980, 1, 1)),                                                 # 6 no name
        person("XYZ", "Mai Văn Lạ", dt.date(1980, 1, 1)),                                       # 7 unknown code
        person("C2A", "Lý Văn Xa", dt.date(1980, 1, 1)),                                        # 8 outside scope
        person("C1A", "Tạ Văn Một", dt.date(1970, 5, 5), cccd=dup),                             # 9 dup CCCD
        person("C1B", "Tạ Văn Hai", dt.date(1970, 6, 6), cccd=dup),                             # 10 dup CCCD
        person("C1A", "nguyen van an", dt.date(1980, 3, 2)),                                    # 11 in DB
        person("C1A", "Phan Văn Vội", dt.date(1990, 1, 1), admitted_on=dt.date(2020, 1, 1),
               full_on=dt.date(2020, 6, 1)),                                                    # 12 too early
    ]
    before = Member.objects.count()
    login(client, tree, "office")
    batch = batch_of(upload(client, xlsx(rows)))
    assert batch.state == "invalid" and batch.rows == 11
    errors = {p["row"]: " ".join(p["errors"]) for p in batch.problems}
    assert sorted(errors) == [5, 6, 7, 8, 9, 10, 11, 12]
    assert "12 chữ số" in errors[5]
    assert "Họ và tên không được để trống" in errors[6]
    assert "«XYZ»" in errors[7] and "«C2A»" in errors[8] and "Yên Lạc" not in errors[8]
    assert "trùng với dòng 10" in errors[9] and "trùng với dòng 9" in errors[10]
    assert "trùng với đảng viên đã có" in errors[11]
    assert "12 tháng" in errors[12]

    page = client.get(reverse("registry:import_preview", kwargs={"pk": batch.pk}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "8 dòng lỗi" in html and "Hoàng Văn Em" in html and "Xác nhận nhập" not in html
    for number in errors:
        assert f'data-label="Dòng">{number}</td>' in html

    refused = client.post(reverse("registry:import_confirm", kwargs={"pk": batch.pk}), follow=True)
    assert "chưa nhập được" in refused.content.decode()
    assert Member.objects.count() == before
    batch.refresh_from_db()
    assert batch.state == "invalid" and batch.imported == 0


def test_duplicate_outside_scope_reveals_nothing(tree):
    """A secretary of C1A importing someone who exists in C2A learns only that a record exists."""
    outsider = tree.outside
    content = xlsx([person("C1A", "TRAN THI BINH", outsider.birth_date, "Nữ")])
    batch = services_import.stage_import(tree.users["secretary"], tree.orgs["C1A"], "members",
                                         SimpleUploadedFile("a.xlsx", content))
    [problem] = batch.problems
    assert problem["errors"] == ["Trùng với một người ngoài phạm vi của bạn — cần cấp trên kiểm tra."]
    inside = services_import.stage_import(tree.users["secretary"], tree.orgs["C1A"], "members", SimpleUploadedFile(
        "b.xlsx", xlsx([person("C1A", "Nguyễn Văn An", tree.inside.birth_date)])))
    assert "chi bộ C1A" in inside.problems[0]["errors"][0]


# -- a clean file -------------------------------------------------------------------------

def test_clean_file_is_written_once(client, tree):
    before_members, before_history = Member.objects.count(), StatusChange.objects.count()
    login(client, tree, "office")
    batch = batch_of(upload(client, xlsx(GOOD), name="dang-vien.xlsx"))
    assert batch.state == "preview" and batch.problems == []
    page = client.get(reverse("registry:import_preview", kwargs={"pk": batch.pk})).content.decode()
    assert "Xác nhận nhập 3 dòng" in page and "Đỗ Minh Khang" in page
    assert Member.objects.count() == before_members  # nothing before confirmation

    done = client.post(reverse("registry:import_confirm", kwargs={"pk": batch.pk}), follow=True)
    assert "Đã nhập 3 đảng viên" in done.content.decode()
    assert Member.objects.count() == before_members + 3
    em = Member.objects.get(cccd=make_cccd("001", "male", 1985, 1))
    assert (em.organization.code, em.status, em.political_theory, em.name_folded) == (
        "C1A", "full", "intermediate", "hoang van em")
    hoa = Member.objects.get(full_name="Vũ Thị Hoa")
    assert (hoa.gender, hoa.status, hoa.admitted_on, hoa.full_on, hoa.organization.code) == (
        "female", "probationary", dt.date(2020, 2, 3), None, "C1B")
    khang = Member.objects.get(name_folded="do minh khang")
    assert (khang.birth_date, khang.full_on, khang.cccd, khang.resident) == (
        dt.date(1979, 2, 1), dt.date(2013, 1, 10), None, True)
    history = StatusChange.objects.filter(note="Nhập từ Excel")
    assert StatusChange.objects.count() == before_history + 5 == before_history + history.count()
    assert sorted(history.values_list("member__full_name", "event")) == sorted([
        ("Hoàng Văn Em", "admit"), ("Hoàng Văn Em", "recognize_full"), ("Vũ Thị Hoa", "admit"),
        ("Đỗ Minh Khang", "admit"), ("Đỗ Minh Khang", "recognize_full")])
    assert history.get(member=hoa).on == dt.date(2020, 2, 3)
    [entry] = LogEntry.objects.filter(additional_data__import="members.xlsx")
    assert entry.action == LogEntry.Action.CREATE and entry.actor == tree.users["office"]
    assert entry.additional_data["created"] == 3 and entry.additional_data["file"] == "dang-vien.xlsx"
    batch.refresh_from_db()
    assert (batch.state, batch.imported) == ("done", 3)

    again = client.post(reverse("registry:import_confirm", kwargs={"pk": batch.pk}), follow=True)
    assert "đã được nhập rồi" in again.content.decode()
    assert Member.objects.count() == before_members + 3
    assert LogEntry.objects.filter(additional_data__import="members.xlsx").count() == 1


def test_batches_are_private_and_confirm_is_post_only(client, tree):
    batch = services_import.stage_import(tree.users["office"], tree.orgs["C1"], "members",
                                         SimpleUploadedFile("a.xlsx", xlsx(GOOD)))
    login(client, tree, "secretary")
    assert client.get(reverse("registry:import_preview", kwargs={"pk": batch.pk})).status_code == 404
    assert client.post(reverse("registry:import_confirm", kwargs={"pk": batch.pk})).status_code == 404
    assert client.get(reverse("registry:import_preview", kwargs={"pk": 987654})).status_code == 404
    assert client.get("/nhap-excel/99999999999999999999999/").status_code == 404
    login(client, tree, "office")
    assert client.get(reverse("registry:import_confirm", kwargs={"pk": batch.pk})).status_code == 405
    with pytest.raises(ServiceError) as exc:
        services_import.confirm_import(tree.users["secretary"], batch)
    assert exc.value.code == Code.FORBIDDEN
    assert Member.objects.filter(full_name="Vũ Thị Hoa").count() == 0


@pytest.mark.parametrize("change", ["revoked", "moved", "read_only"])
def test_role_lost_after_upload_ends_preview_and_confirm(client, tree, change):
    """The creator must still hold the edit scope of the batch's organization: a role revoked (or
    moved elsewhere, or made read-only) after the upload neither shows the file's rows nor imports."""
    from django.contrib.auth.models import User

    from dangvu.accounts.models import Role

    login(client, tree, "office")
    batch = batch_of(upload(client, xlsx(GOOD)))
    preview_url = reverse("registry:import_preview", kwargs={"pk": batch.pk})
    assert "Đỗ Minh Khang" in client.get(preview_url).content.decode()
    role = Role.objects.get(user=tree.users["office"])
    if change == "revoked":
        role.delete()
    elif change == "moved":
        role.organization = tree.orgs["C2"]
        role.save()
    else:
        role.kind = "viewer"
        role.save()
    assert client.get(preview_url).status_code == 404
    assert client.post(reverse("registry:import_confirm", kwargs={"pk": batch.pk})).status_code == 404
    office = User.objects.get(pk=tree.users["office"].pk)  # a fresh user: access is computed per request
    with pytest.raises(ServiceError) as exc:
        services_import.confirm_import(office, batch)
    assert exc.value.code == Code.FORBIDDEN
    assert Member.objects.filter(full_name="Vũ Thị Hoa").count() == 0
    batch.refresh_from_db()
    assert batch.state == "preview"
    # An administrator still sees the batch.
    login(client, tree, "admin")
    seen = client.get(preview_url)
    assert seen.status_code == 200 and "Đỗ Minh Khang" in seen.content.decode()


def test_confirm_revalidates(tree):
    batch = services_import.stage_import(tree.users["office"], tree.orgs["C1"], "members",
                                         SimpleUploadedFile("a.xlsx", xlsx(GOOD)))
    services_import.stage_import(tree.users["office"], tree.orgs["C1"], "members",
                                 SimpleUploadedFile("b.xlsx", xlsx(GOOD[:1])))
    other = ImportBatch.objects.latest("pk")
    assert services_import.confirm_import(tree.users["office"], other) == 1
    with pytest.raises(ServiceError) as exc:
        services_import.confirm_import(tree.users["office"], batch)
    # The message tells how many rows now fail: that number is the point.
    assert exc.value.code == Code.STALE and "nay có 1 dòng lỗi" in exc.value.message
    batch.refresh_from_db()
    assert batch.state == "invalid" and [p["row"] for p in batch.problems] == [2]
    assert Member.objects.filter(full_name="Vũ Thị Hoa").count() == 0


def test_import_is_atomic(tree, monkeypatch):
    before = (Member.objects.count(), StatusChange.objects.count(), LogEntry.objects.count())
    batch = services_import.stage_import(tree.users["office"], tree.orgs["C1"], "members",
                                         SimpleUploadedFile("a.xlsx", xlsx(GOOD)))
    before = (before[0], before[1], LogEntry.objects.count())
    real = services_import._write_member_batch
    calls = []

    def failing(user, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(user, rows)

    monkeypatch.setattr(services_import, "BATCH_SIZE", 2)
    monkeypatch.setattr(services_import, "_write_member_batch", failing)
    with pytest.raises(RuntimeError):
        services_import.confirm_import(tree.users["office"], batch)
    assert calls == [2, 1]
    assert (Member.objects.count(), StatusChange.objects.count(), LogEntry.objects.count()) == before
    batch.refresh_from_db()
    assert batch.state == "preview"
    monkeypatch.setattr(services_import, "_write_member_batch", real)
    assert services_import.confirm_import(tree.users["office"], batch) == 3
    assert Member.objects.count() == before[0] + 3


# -- bad uploads --------------------------------------------------------------------------

def test_bad_uploads_come_back_to_the_form(client, tree, settings):
    login(client, tree, "office")
    cases = [
        (b"", "x.xlsx", "rỗng"),
        (b"name,birth\nAn,1980\n", "ds.csv", "không phải tệp Excel .xlsx"),
        (b"this is not a zip file at all", "ds.xlsx", "không phải tệp Excel .xlsx hợp lệ"),
        (b"PK\x03\x04broken zip", "ds.xlsx", "không phải tệp Excel .xlsx hợp lệ"),
        (xlsx([], titles=["Họ tên", "Ngày sinh"]), "ds.xlsx", "Không tìm thấy dòng tiêu đề"),
        (xlsx([GOOD[0]], titles=MEMBER_TITLES[:3] + ["?"] + MEMBER_TITLES[4:]), "ds.xlsx", "Thiếu cột: Giới tính"),
        (xlsx([]), "ds.xlsx", "không có dòng dữ liệu"),
    ]
    for content, name, message in cases:
        response = upload(client, content, name=name)
        assert response.status_code == 200, name
        assert message in response.content.decode(), (name, message)
    settings.DANGVU_MAX_UPLOAD_BYTES = 1024 * 1024
    response = upload(client, b"PK" + b"0" * (1024 * 1024 + 10))
    assert response.status_code == 200 and "tối đa 1 MB" in response.content.decode()
    outside = upload(client, xlsx(GOOD), scope="C2")  # not a scope choice
    assert outside.status_code == 200 and "Hãy chọn một tổ chức bạn được cập nhật." in outside.content.decode()
    assert ImportBatch.objects.count() == 0


def test_too_many_rows(tree, monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 2)
    with pytest.raises(excel.WorkbookError, match="hơn 2 dòng") as exc:
        excel.read_sheet(xlsx(GOOD), excel.MEMBER_COLUMNS, max_rows=excel.MAX_ROWS)
    assert exc.value.code == Code.OUT_OF_RANGE


def test_viewer_cannot_import(client, tree):
    login(client, tree, "viewer")
    assert client.get(reverse("registry:import_start")).status_code == 403
    with pytest.raises(ServiceError) as exc:
        services_import.stage_import(tree.users["viewer"], tree.orgs["C1"], "members",
                                             SimpleUploadedFile("a.xlsx", xlsx(GOOD)))
    assert exc.value.code == Code.FORBIDDEN


def test_dates_and_labels_are_lenient():
    assert excel.parse_date("2/3/1980") == dt.date(1980, 3, 2)
    assert excel.parse_date("1980-03-02") == dt.date(1980, 3, 2)
    assert excel.parse_date(29282) == dt.date(1980, 3, 2)
    assert excel.parse_date(None) is None
    with pytest.raises(ValueError):
        excel.parse_date("31/02/1980")
    assert excel.KIND_BY_LABEL["chi bo truc thuoc"] == "cell"
    assert excel.SECTOR_BY_LABEL["thon, ban, to dan pho"] == "residential"


# -- organizations ------------------------------------------------------------------------

def test_organizations_import(client, tree):
    rows = [
        {"code": "C1C", "name": "Chi bộ thôn Mới", "kind": "chi bo truc thuoc", "sector": "Thôn, bản, tổ dân phố",
         "established_on": "01/02/2024"},
        {"code": "C1C-T1", "name": "Tổ đảng xóm 1", "kind": "Tổ đảng", "parent": "C1C"},
        {"code": "C1A", "name": "Trùng mã", "kind": "Chi bộ trực thuộc"},
        {"code": "C2X", "name": "Ngoài phạm vi", "kind": "Chi bộ trực thuộc", "parent": "C2"},
        {"code": "C1D", "name": "Sai cấp", "kind": "Đảng bộ cơ sở"},
    ]
    login(client, tree, "office")
    batch = batch_of(upload(client, xlsx(rows, excel.ORG_COLUMNS), kind="organizations"))
    errors = {p["row"]: " ".join(p["errors"]) for p in batch.problems}
    assert sorted(errors) == [4, 5, 6]
    assert "đã có" in errors[4] and "«C2»" in errors[5] and "Không thể đặt" in errors[6]

    batch = batch_of(upload(client, xlsx(rows[:2], excel.ORG_COLUMNS), kind="organizations"))
    assert batch.state == "preview"
    client.post(reverse("registry:import_confirm", kwargs={"pk": batch.pk}))
    new = Organization.objects.get(code="C1C")
    group = Organization.objects.get(code="C1C-T1")
    assert (new.kind, new.sector, new.established_on) == ("cell", "residential", dt.date(2024, 2, 1))
    assert Organization.objects.get_parent(new) == tree.orgs["C1"] and group.kind == "group"
    assert Organization.objects.get_parent(group) == new
    assert LogEntry.objects.filter(additional_data__import="organizations.xlsx").count() == 1


# -- export -------------------------------------------------------------------------------

def test_export_as_secretary(client, tree):
    login(client, tree, "secretary")
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    response = client.get(reverse("registry:member_export"))
    assert response.status_code == 200
    assert f"dang-vien-c1a-{dt.date.today():%Y%m%d}.xlsx" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header = rows.index(tuple(MEMBER_TITLES + ["Trạng thái"]))
    names = sorted(r[1] for r in rows[header + 1:])
    assert names == sorted(m.full_name for m in Member.objects.filter(organization__code="C1A"))
    assert names == ["Lê Văn Cường", "Nguyễn Văn An"]
    an = next(r for r in rows[header + 1:] if r[1] == "Nguyễn Văn An")
    assert an[0] == "C1A" and an[2].date() == dt.date(1980, 3, 2) and an[3] == "Nam"
    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    assert entries.count() == before + 1
    entry = entries.latest("pk")
    assert entry.additional_data["export"] == "members.xlsx" and entry.additional_data["rows"] == 2
    assert entry.actor == tree.users["secretary"]

    assert client.get(reverse("registry:member_export"), {"org": "C2A"}).status_code == 404
    filtered = client.get(reverse("registry:member_export"), {"q": "cuong", "status": "all"})
    ws = load_workbook(io.BytesIO(filtered.content), read_only=True).worksheets[0]
    assert [r[1] for r in ws.iter_rows(min_row=5, values_only=True)] == ["Lê Văn Cường"]


def test_export_reimports_with_duplicates_flagged(client, tree):
    login(client, tree, "office")
    exported = client.get(reverse("registry:member_export"), {"org": "C1"}).content
    batch = batch_of(upload(client, exported, name="export.xlsx"))
    assert batch.rows == 3 and batch.state == "invalid"
    assert all("trùng với đảng viên đã có" in " ".join(p["errors"]) for p in batch.problems)


def test_bench_runs_small_and_cleans_up(db):
    from dangvu.bench import run_bench, synthetic_member

    result = run_bench("commune", rows=300, keep=False)["xlsx_import"]
    assert result["rows"] == 300 and result["cells"] == 40
    assert result["total_seconds"] == pytest.approx(result["validate_seconds"] + result["write_seconds"], abs=0.01)
    assert Member.objects.count() == 0 and not Organization.objects.filter(code__startswith="BENCH").exists()
    assert synthetic_member(7, "X") == synthetic_member(7, "X")  # deterministic
