"""Hostile uploads (issue 12, point 2): each file is built here, posted to its real page by a user
with rights, and refused with a Vietnamese message on the file field and no row written.

Time and peak memory of each refusal are measured (printed with ``-s``), never asserted; the
figures at the issue's sizes come from ``dangvu bench --uploads``.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dangvu.bench import uploads as hostile
from dangvu.core import clock
from dangvu.core.errors import Code
from dangvu.core.planparse import extract
from dangvu.core.safefiles import UnsafeFile, load_json

pytestmark = pytest.mark.django_db

MEASURED: list[tuple[str, dict]] = []


def client_as(tree, who: str) -> Client:
    client = Client()
    client.force_login(tree.users[who])
    return client


def rows() -> int:
    return hostile.upload_rows()


def post(client: Client, url: str, field: str, name: str, content: bytes, data: dict | None = None,
         label: str = "", measured: bool = True):
    """Post, measured (time, then Python peak and resident growth over a second post); the response
    of the first post. ``measured=False``: one plain post (a slow case)."""
    if not measured:
        return client.post(url, {**(data or {}), field: SimpleUploadedFile(name, content)})
    responses = []

    def send():
        responses.append(client.post(url, {**(data or {}), field: SimpleUploadedFile(name, content)}))
        return responses[-1]

    figures = hostile.measure(send)
    MEASURED.append((label or name, figures))
    print(f"\n{label or name}: {len(content)} bytes, {figures}")
    return responses[0]


def field_errors(response, field: str = "file", form: str = "form") -> list:
    """The ValidationErrors of the form's file field (message and code)."""
    errors = response.context[form].errors.as_data().get(field, [])
    return [(str(e.message % e.params) if e.params else str(e.message), e.code) for e in errors]


def assert_refused(response, field: str, words: str, codes: tuple[str, ...] = (Code.FILE, Code.FILE_TOO_LARGE),
                   form: str = "form", status: tuple[int, ...] = (200, 400)) -> None:
    assert response.status_code in status, response.status_code
    errors = field_errors(response, field, form)
    assert errors, f"no error on {field}"
    message, code = errors[0]
    assert words in message, message
    assert code in codes, (message, code)


# -- Excel import ---------------------------------------------------------------------------------

IMPORT = {"kind": "members", "scope": "C1"}


@pytest.mark.parametrize(("ref", "label"), [("XFD1048576", "xlsx cell XFD1048576 (SIGABRT)"),
                                            ("Z1048576", "xlsx cell Z1048576 (946 MB)"),
                                            ("AZ2", "xlsx cell in column 52")])
def test_a_workbook_with_a_cell_far_out_is_refused_before_reading(tree, ref, label):
    client = client_as(tree, "office")
    content = hostile.xlsx_far_cell(ref)
    assert len(content) < 2500
    before = rows()
    response = post(client, reverse("registry:import_start"), "file", "ds.xlsx", content, IMPORT, label)
    assert_refused(response, "file", "ngoài phạm vi cho phép", (Code.FILE_TOO_LARGE,))
    assert rows() == before


def test_a_row_far_out_without_cell_references_is_refused(tree):
    """A row numbered far out whose cells carry no reference: a reader places them there anyway."""
    def write(sheet):
        sheet.write((hostile._SHEET_HEAD + hostile._header_row() + '<row r="1048576"><c t="inlineStr"><is><t>x'
                     "</t></is></c></row>" + hostile._SHEET_TAIL).encode())
    client = client_as(tree, "office")
    before = rows()
    response = post(client, reverse("registry:import_start"), "file", "ds.xlsx", hostile._xlsx(write), IMPORT,
                    "xlsx row 1048576 without references")
    assert_refused(response, "file", "ngoài phạm vi cho phép", (Code.FILE_TOO_LARGE,))
    assert rows() == before


def test_a_zip_bomb_workbook_is_refused_from_its_directory(tree):
    client = client_as(tree, "office")
    content = hostile.xlsx_zip_bomb(64 * 1024 * 1024)
    assert len(content) < 200_000
    before = rows()
    response = post(client, reverse("registry:import_start"), "file", "ds.xlsx", content, IMPORT,
                    "xlsx zip bomb 64 MB inflated")
    assert_refused(response, "file", "giải nén lớn bất thường", (Code.FILE_TOO_LARGE,))
    assert rows() == before


def test_an_oversized_workbook_is_refused_by_its_size_and_the_limit_is_stated(tree, settings):
    settings.DANGVU_MAX_UPLOAD_BYTES = 50_000
    client = client_as(tree, "office")
    assert "Tối đa 49 KB." in client.get(reverse("registry:import_start")).content.decode()
    before = rows()
    response = post(client, reverse("registry:import_start"), "file", "ds.xlsx", hostile.oversized(50_001), IMPORT,
                    "xlsx over the size limit")
    assert_refused(response, "file", "quá lớn", (Code.FILE_TOO_LARGE,))
    assert rows() == before


# -- plans ----------------------------------------------------------------------------------------

PLAN = {"start_year": "", "end_year": ""}


def plan_url() -> str:
    return reverse("plans:plan_upload", args=["C1"])


def test_a_docx_bomb_plan_is_refused_before_word_is_parsed(tree):
    client = client_as(tree, "office")
    content = hostile.docx_bomb(64 * 1024 * 1024)
    before = rows()
    response = post(client, plan_url(), "file", "ke-hoach.docx", content, PLAN, "docx bomb 64 MB document.xml")
    assert_refused(response, "file", "giải nén lớn bất thường", status=(400,))
    assert rows() == before


def test_a_docx_with_a_large_part_under_the_ratio_is_refused_by_the_part_limit(tree, monkeypatch):
    monkeypatch.setattr(extract, "DOCX_MAX_PART", 1024 * 1024)
    words = ("đảng", "viên", "chi", "bộ", "nhiệm", "vụ", "kế", "hoạch", "năm", "xã", "thôn", "tốt")
    content = hostile.docx_bomb(2 * 1024 * 1024, words)
    client = client_as(tree, "office")
    before = rows()
    response = post(client, plan_url(), "file", "ke-hoach.docx", content, PLAN, "docx 2 MB varied part")
    assert_refused(response, "file", "giải nén lớn bất thường", status=(400,))
    assert rows() == before


def test_a_text_plan_over_the_limit_is_refused_with_the_limit(tree):
    client = client_as(tree, "office")
    before = rows()
    response = post(client, plan_url(), "file", "ke-hoach.txt", hostile.text_plan(210_000), PLAN,
                    "txt plan 210,000 characters")
    assert_refused(response, "file", "tối đa 200.000", status=(400,))
    response = post(client, plan_url(), "file", "ke-hoach.txt", hostile.text_plan(), PLAN, "txt plan 5 MB")
    assert_refused(response, "file", "tối đa 200.000", (Code.FILE_TOO_LARGE,), status=(400,))
    response = client.post(plan_url(), {**PLAN, "text": "x" * (extract.MAX_TEXT_CHARS + 1)})
    assert_refused(response, "text", "tối đa 200.000", ("max_length",), status=(400,))
    assert rows() == before


def test_a_plan_with_more_items_than_any_plan_is_refused(tree, monkeypatch):
    monkeypatch.setattr(extract, "MAX_PLAN_ITEMS", 5)
    import dangvu.plans.forms as plan_forms

    monkeypatch.setattr(plan_forms, "check_items", lambda p: extract.check_items(p, 5))
    client = client_as(tree, "office")
    before = rows()
    response = post(client, plan_url(), "file", "ke-hoach.txt", hostile.text_plan(3000), PLAN, "txt plan, 30 targets")
    assert_refused(response, "file", "quá mức của một kế hoạch", status=(400,))
    assert rows() == before


def test_plan_and_evidence_fields_state_their_limits(tree, settings):
    client = client_as(tree, "office")
    page = client.get(plan_url()).content.decode()
    assert "Tối đa 20 MB." in page and "Văn bản tối đa 200.000 ký tự." in page
    settings.DANGVU_MAX_UPLOAD_BYTES = 10_000
    before = rows()
    response = post(client, plan_url(), "file", "ke-hoach.pdf", b"%PDF-" + b"0" * 10_000, PLAN, "pdf over limit")
    assert_refused(response, "file", "quá lớn", (Code.FILE_TOO_LARGE,), status=(400,))
    assert rows() == before


# -- scoring frameworks ---------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "builder", "words", "label"), [
    ("khung.yaml", hostile.yaml_alias_bomb, "tham chiếu", "YAML alias bomb"),
    ("khung.yaml", hostile.nested_yaml, "lồng quá nhiều tầng", "YAML nested 10,000"),
    ("khung.json", hostile.nested_json, "lồng quá nhiều tầng", "JSON nested 100,000"),
    ("khung.yaml", hostile.non_utf8_framework, "UTF-8", "framework not UTF-8"),
])
def test_a_hostile_framework_is_refused(tree, name, builder, words, label):
    client = client_as(tree, "admin")
    content = builder()
    before = rows()
    response = post(client, reverse("meetings:frameworks"), "file", name, content, {}, label)
    assert_refused(response, "file", words, (Code.FILE,), status=(400,))
    assert rows() == before
    assert len(content) < 2_000_000


def test_a_framework_with_too_many_criteria_or_over_the_size_is_refused(tree, settings):
    client = client_as(tree, "admin")
    criteria = [{"code": f"c{i}", "label": "Tiêu chí", "max_points": 0.25} for i in range(400)]
    big = json.dumps({"name": "Nhiều", "year": 2026, "total": 100, "bands": {"good": 90, "fair": 70, "average": 50},
                      "groups": [{"code": "g", "label": "Nhóm", "criteria": criteria}]}).encode()
    before = rows()
    response = post(client, reverse("meetings:frameworks"), "file", "khung.json", big, {}, "framework 400 criteria")
    assert_refused(response, "file", "quá mức tối đa 300", (Code.OUT_OF_RANGE,), status=(400,))
    settings.DANGVU_MAX_DATA_FILE_BYTES = 10_000
    assert "Tối đa 10 KB." in client.get(reverse("meetings:frameworks")).content.decode()
    response = post(client, reverse("meetings:frameworks"), "file", "khung.json", big, {}, "framework over size")
    assert_refused(response, "file", "quá lớn", (Code.FILE_TOO_LARGE,), status=(400,))
    assert rows() == before


def test_the_framework_command_uses_the_same_safe_loader(tree, tmp_path, capsys):
    from dangvu.cli import main

    for name, content in (("bom.yaml", hostile.yaml_alias_bomb()), ("sai.yaml", hostile.non_utf8_framework())):
        path = tmp_path / name
        path.write_bytes(content)
        before = rows()
        assert main(["meetings", "load-framework", str(path)]) != 0
        assert rows() == before
    err = capsys.readouterr().err
    assert "tham chiếu" in err and "UTF-8" in err


# -- congress -------------------------------------------------------------------------------------

TIMELINE = {"title": "", "term": "2025-2030"}


@pytest.mark.parametrize(("name", "content", "words"), [
    ("kh.json", hostile.nested_json(key="tasks"), "lồng quá nhiều tầng"),
    ("kh.json", b'{"tasks": [1, 2]}', "nhiệm vụ thứ 1"),
    ("kh.json", b'{"tasks": [{"id": 5, "title": "x"}]}', "phải là chữ"),
    ("kh.json", b'{"tasks": [{"title": "x", "timing": {"end": "31/12/2026"}}]}', "không hợp lệ"),
    ("kh.json", b'{"tasks": ', "sai cú pháp"),
    ("kh.txt", hostile.text_plan(210_000), "tối đa 200.000"),
    ("kh.txt", "Kế hoạch".encode("utf-16"), "UTF-8"),
])
def test_a_hostile_congress_plan_is_refused(tree, name, content, words):
    client = client_as(tree, "office")
    before = rows()
    response = post(client, reverse("congress:timeline_add", args=["C1"]), "plan", name, content, TIMELINE,
                    f"congress plan {name} {words}")
    assert_refused(response, "plan", words, status=(400,))
    assert rows() == before


def test_json_depth_is_checked_before_parsing():
    with pytest.raises(UnsafeFile):
        load_json("[" * 21 + "]" * 21)
    assert load_json('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[["}') == {"a": "[" * 26}


def _team(tree):
    from dangvu.congress import services as cs

    congress = cs.save_congress(None, tree.orgs["C1A"], term="2025-2027", kind="members",
                                starts_on=dt.date(2027, 5, 10), ends_on=dt.date(2027, 5, 10))
    election = cs.create_election(None, congress, title="Bầu Bí thư", seats=1, held_on=dt.date(2027, 5, 10),
                                  base_kind="members")
    cs.set_candidates(None, election, ["Nguyễn Văn An", "Lê Văn Cường"])
    return cs.add_team(None, election, "Tổ 1")


def test_hostile_ballot_files_are_refused_and_write_no_ballot(tree, settings):
    team = _team(tree)
    client = client_as(tree, "office")
    url = reverse("congress:team_entry", args=[team.pk])
    head = "Nguyễn Văn An,Lê Văn Cường\n"
    cases = [(head + "1," + "1" * 200_000 + "\n", "ô quá dài"),
             (head + "1,0\n" * 3001, "quá mức một lần nhập")]
    for text, words in cases:
        response = post(client, url, "file", "phieu.csv", text.encode(), {"action": "csv", "version": team.version}, f"ballots: {words}")
        assert response.status_code == 400 and words in response.content.decode()
        assert team.ballots.count() == 0
    settings.DANGVU_MAX_DATA_FILE_BYTES = 1000
    response = post(client, url, "file", "phieu.csv", (head + "1,0\n" * 300).encode(), {"action": "csv", "version": team.version},
                    "ballots over size")
    assert_refused(response, "file", "quá lớn", (Code.FILE_TOO_LARGE,), form="csv_form", status=(400,))
    assert team.ballots.count() == 0


# -- attachments ----------------------------------------------------------------------------------

def test_oversized_minutes_are_refused_before_reading(tree, settings):
    settings.DANGVU_MAX_ATTACHMENT_BYTES = 10_000
    client = client_as(tree, "secretary")
    url = reverse("meetings:meeting_create", args=["C1A"])
    assert "Tối đa 10 KB." in client.get(url).content.decode()
    before = rows()
    data = {"held_on": clock.today().isoformat(), "kind": "regular", "starts_at": "19:30", "ends_at": "21:30"}
    response = post(client, url, "minutes_file", "bb.pdf", b"%PDF-" + b"0" * 10_000, data, "minutes over size")
    assert_refused(response, "minutes_file", "quá lớn", (Code.FILE_TOO_LARGE,), status=(400,))
    assert rows() == before


def test_the_limits_are_settings_with_defaults():
    from django.conf import settings

    assert settings.DANGVU_MAX_UPLOAD_BYTES == 20 * 1024 * 1024
    assert settings.DANGVU_MAX_ATTACHMENT_BYTES == 10 * 1024 * 1024
    assert settings.DANGVU_MAX_DATA_FILE_BYTES == 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_a_good_workbook_still_imports(tree):
    """The bounds refuse nothing real: the template's workbook with two members is staged."""
    from openpyxl import Workbook

    from dangvu.registry import excel

    wb = Workbook()
    ws = wb.active
    ws.append([c.title for c in excel.MEMBER_COLUMNS])
    ws.append(["C1A", "Đỗ Văn Em", "02/03/1985", "Nam"] + [None] * 10 + ["19/05/2010"] + [None] * 4)
    buf = io.BytesIO()
    wb.save(buf)
    client = client_as(tree, "office")
    response = client.post(reverse("registry:import_start"), {**IMPORT, "file": SimpleUploadedFile("ds.xlsx",
                                                                                                  buf.getvalue())})
    assert response.status_code == 302


def test_a_huge_post_keeps_at_most_the_largest_limit_on_disk(tree, settings):
    from dangvu.common.uploads import CappedTemporaryFileUploadHandler

    settings.DANGVU_MAX_UPLOAD_BYTES = settings.DANGVU_MAX_ATTACHMENT_BYTES = 100_000
    settings.DANGVU_MAX_DATA_FILE_BYTES = 10_000
    handler = CappedTemporaryFileUploadHandler()
    handler.new_file("file", "to.bin", "application/octet-stream", None)
    chunk, total = b"x" * 65536, 0
    for _ in range(50):  # 3.2 MB sent
        handler.receive_data_chunk(chunk, total)
        total += len(chunk)
    stored = handler.file_complete(total)
    assert stored.size == total and len(stored.read()) == 100_001
    stored.close()
    # Through the page: the 3 MB file (over FILE_UPLOAD_MAX_MEMORY_SIZE) is refused by its real size.
    client = client_as(tree, "admin")
    before = rows()
    response = post(client, reverse("meetings:frameworks"), "file", "khung.yaml", b"#" * (3 * 1024 * 1024), {},
                    "framework 3 MB through the capped handler")
    assert_refused(response, "file", "quá lớn (3 MB)", (Code.FILE_TOO_LARGE,), status=(400,))
    assert rows() == before


def test_a_pdf_plan_with_a_bomb_page_is_refused_before_text_extraction(tree):
    client = client_as(tree, "office")
    content = hostile.pdf_bomb(8 * 1024 * 1024)
    assert len(content) < 100_000
    before = rows()
    response = post(client, plan_url(), "file", "ke-hoach.pdf", content, PLAN, "pdf page of 8 MB operators")
    assert_refused(response, "file", "lượng dữ liệu bất thường", status=(400,))
    assert rows() == before


def test_a_workbook_over_the_row_limit_is_refused_by_the_reader(tree):
    """Within the sheet's bounds (the limit plus room for a title and blank runs) the reader's own
    count refuses the 100,001st data row."""
    client = client_as(tree, "office")
    content = hostile.xlsx_rows(100_001)
    before = rows()
    response = post(client, reverse("registry:import_start"), "file", "ds.xlsx", content, IMPORT,
                    "xlsx 100,001 data rows", measured=False)
    assert_refused(response, "file", "hơn 100.000 dòng", (Code.OUT_OF_RANGE,))
    assert rows() == before


@pytest.mark.parametrize(("form_path", "field", "data"), [
    ("dangvu.plans.forms.TaskUpdateForm", "evidence_file", {"status": "in_progress"}),
    ("dangvu.congress.forms.MilestoneForm", "evidence_file", {"status": "in_progress"}),
    ("dangvu.congress.forms.DraftForm", "file", {"kind": "political_report", "issued_on": "2026-01-05"}),
    ("dangvu.congress.forms.CsvForm", "file", {}),
    ("dangvu.congress.forms.TimelineForm", "plan", {"term": "2025-2030"}),
])
def test_every_other_upload_field_states_and_checks_its_limit(settings, form_path, field, data):
    """Evidence, drafts, ballots and congress plans: the limit in the help text, and a file over it
    refused by its size (the content is never read: a stub whose read() fails would show it)."""
    import importlib

    module, name = form_path.rsplit(".", 1)
    form_class = getattr(importlib.import_module(module), name)
    settings.DANGVU_MAX_ATTACHMENT_BYTES = settings.DANGVU_MAX_DATA_FILE_BYTES = 2048
    assert "Tối đa 2 KB." in str(form_class().fields[field].help_text)

    class Unreadable(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("read before the size check")

    form = form_class(data, {field: Unreadable("tep.csv", b"x" * 4096)})
    assert not form.is_valid()
    errors = form.errors.as_data()[field]
    assert errors[0].code == Code.FILE_TOO_LARGE and "quá lớn (4 KB); tối đa 2 KB" in errors[0].message
