"""Issue 13, point 3: no silent wrong data, plain messages.

Each finding of the issue is tested at the service (so the Excel import and any other path are
guarded too) and through a page POST: dates out of range or that do not exist, ages at admission and
at the course against the rule set, names with digits or emoji, Django's " ." messages, library and
parser errors (python-docx, YAML), internal indicator keys on the plan pages. A last test walks every
edit form with bad values and reads every message.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

import pytest
from conftest import make_member_data
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from test_access_matrix import (
    ELECTION_DATA,
    EXPECTED,
    MEETING_DATA,
    MEMBER_ADD_DATA,
    World,
    build_world,
    url_for,
)
from test_admission import prospect
from test_bad_input import admin_client, form_errors

from dangvu.admission.models import Prospect
from dangvu.common import Code, ServiceError
from dangvu.common.forms import Form, VNDateField
from dangvu.core import clock
from dangvu.core.periods import Period
from dangvu.indicators.runner import compute
from dangvu.meetings import services as ms
from dangvu.meetings.models import Meeting
from dangvu.registry import services as rs
from dangvu.registry.models import Member
from dangvu.registry.rules import validate_member_data

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = clock.today()
NEXT_YEAR_END = D(TODAY.year + 1, 12, 31)
NAME_RULE = "Họ và tên chỉ gồm chữ cái, dấu cách"


@pytest.fixture
def world(tree, settings, tmp_path, request) -> World:
    return build_world(tree, settings, tmp_path, request)


def client_for(tree, role: str = "admin") -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(tree.users[role])
    return client


def page_errors(response) -> list[str]:
    return form_errors(response)


# -- 1. dates ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("31/02/2026", "Ngày 31/02/2026 không có."),
    ("2026-02-31", "Ngày 31/02/2026 không có."),
    ("29/02/2025", "Ngày 29/02/2025 không có."),
    ("31/04/2026", "Ngày 31/04/2026 không có."),
    ("abc", "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/03/2026."),
    ("5 tháng 3", "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/03/2026."),
])
def test_a_date_that_does_not_exist_says_so(text, message):
    from dangvu.core import dates as core_dates  # new in issue 13: imported here so each test fails alone

    with pytest.raises(core_dates.DateProblem) as exc:
        core_dates.parse_date(text)
    assert str(exc.value) == message
    assert core_dates.parse_date("29/02/2024") == D(2024, 2, 29)
    assert core_dates.parse_date("2026-03-05") == core_dates.parse_date("5/3/2026") == D(2026, 3, 5)


@given(st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31)))
def test_every_real_day_reads_back_in_both_forms(day):
    from dangvu.core import dates as core_dates

    assert core_dates.parse_date(f"{day.day}/{day.month}/{day.year:04d}") == day
    assert core_dates.parse_date(day.isoformat()) == day


@given(st.integers(1, 9999), st.integers(1, 12), st.integers(29, 31))
def test_a_day_past_the_months_end_is_named(year, month, day):
    from dangvu.core import dates as core_dates

    try:
        dt.date(year, month, day)
    except ValueError:
        with pytest.raises(core_dates.DateProblem, match=f"^Ngày {day:02d}/{month:02d}/{year:04d} không có.$"):
            core_dates.parse_date(f"{day}/{month}/{year:04d}")


@given(st.text(st.characters(categories=("Lu", "Ll", "Lt", "Lo", "Mn")), min_size=1, max_size=40)
       .filter(lambda t: any(c.isalpha() for c in t)))
def test_letters_of_any_script_make_a_name(text):
    from dangvu.core.names import name_problem

    assert name_problem(text) is None
    assert name_problem(text + " 7") is not None


def test_date_field_bounds_are_named():
    class F(Form):
        on = VNDateField()
        plan_end = VNDateField(ahead_terms=1, required=False)

    bad = {"on": "01/01/1900", "plan_end": f"01/01/{TODAY.year + 7}"}
    f = F(bad)
    assert not f.is_valid()
    assert f.errors["on"] == ["Ngày 01/01/1900 quá sớm: không ghi ngày trước 01/01/1930."]
    assert "quá xa" in f.errors["plan_end"][0]
    f = F({"on": f"01/01/{TODAY.year + 2}"})
    assert f.errors["on"] == [f"Ngày 01/01/{TODAY.year + 2} quá xa: không ghi ngày sau {NEXT_YEAR_END:%d/%m/%Y}."]
    assert F({"on": "03/02/1930", "plan_end": f"31/12/{TODAY.year + 5}"}).is_valid()  # the bounds themselves
    html = str(F()["on"])
    assert 'min="1930-01-01"' in html and f'max="{NEXT_YEAR_END.isoformat()}"' in html  # the picker agrees


def test_meeting_page_says_the_day_does_not_exist(world):
    url = url_for(world, "meetings:meeting_create", "in", "")
    client = admin_client(world)
    before = Meeting.objects.count()
    r = client.post(url, {**MEETING_DATA, "held_on": "31/02/2026"})
    assert r.status_code == 400
    assert "Ngày 31/02/2026 không có." in page_errors(r)
    r = client.post(url, {**MEETING_DATA, "held_on": "hôm qua"})
    assert "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/03/2026." in page_errors(r)
    assert Meeting.objects.count() == before


def test_meeting_dated_1900_is_refused_on_the_page_and_in_the_service(world, tree):
    url = url_for(world, "meetings:meeting_create", "in", "")
    before = Meeting.objects.count()
    r = admin_client(world).post(url, {**MEETING_DATA, "held_on": "01/01/1900"})
    assert r.status_code == 400
    assert "Ngày 01/01/1900 quá sớm: không ghi ngày trước 01/01/1930." in page_errors(r)
    with pytest.raises(ServiceError) as exc:
        ms.record_meeting(None, tree.orgs["C1A"], held_on=D(1900, 1, 1), starts_at=dt.time(19, 30),
                          ends_at=dt.time(21, 30))
    assert (exc.value.code, exc.value.field) == (Code.OUT_OF_RANGE, "held_on")
    assert "01/01/1930" in exc.value.message
    assert Meeting.objects.count() == before


def test_member_event_dated_1900_is_refused_in_the_service(tree):
    with pytest.raises(ServiceError) as exc:
        rs.exempt(None, tree.inside, D(1900, 1, 1), "Tuổi cao")
    assert (exc.value.code, exc.value.field) == (Code.OUT_OF_RANGE, "on")
    tree.inside.refresh_from_db()
    assert tree.inside.status == "full"


def test_dates_after_next_year_are_refused_on_a_form(world):
    url = url_for(world, "registry:post_add", "in", "")
    payload = EXPECTED["registry:post_add"].post(world, "in", "")
    r = admin_client(world).post(url, {**payload, "started_on": f"{TODAY.year + 2}-01-01"})
    assert r.status_code == 400
    assert f"không ghi ngày sau {NEXT_YEAR_END:%d/%m/%Y}" in " ".join(page_errors(r))


def test_birth_date_in_the_future_or_implausible_is_refused(tree):
    data = make_member_data("Hoàng Văn Sau", TODAY + dt.timedelta(days=3), admitted_on=D(2020, 1, 1))
    with pytest.raises(ServiceError) as exc:
        rs.register_member(None, tree.orgs["C1A"], data)
    assert exc.value.code == Code.FUTURE_DATE
    data = make_member_data("Hoàng Văn Xưa", D(1890, 1, 1), admitted_on=D(1930, 2, 3))
    with pytest.raises(ServiceError) as exc:
        rs.register_member(None, tree.orgs["C1A"], data)
    assert (exc.value.code, exc.value.field) == (Code.OUT_OF_RANGE, "birth_date")
    # Members born before 1930 are still on the rolls (90-year badges): the birth bound is an age.
    old = rs.register_member(None, tree.orgs["C1A"], make_member_data(
        "Hoàng Văn Thọ", D(1925, 8, 19), admitted_on=D(1946, 12, 19), full_on=D(1947, 12, 19)))
    assert old.birth_date == D(1925, 8, 19)


def test_member_page_refuses_a_birth_date_in_the_future(world):
    url = url_for(world, "registry:member_add", "in", "ho-so")
    before = Member.objects.count()
    payload = {**MEMBER_ADD_DATA["ho-so"], "birth_date": (TODAY + dt.timedelta(days=30)).isoformat()}
    r = admin_client(world).post(url, payload)
    assert r.status_code == 400
    assert "Ngày sinh không thể ở tương lai." in page_errors(r)
    assert Member.objects.count() == before


# -- 2. ages against the rule set ------------------------------------------------------------------

def _admissions(org) -> float:
    return compute("admissions.count_year", org, Period.year(2026)).value


def test_member_aged_10_at_admission_is_refused_and_moves_no_indicator(tree):
    commune = tree.orgs["C1"]
    before, members = _admissions(commune), Member.objects.count()
    child = make_member_data("Trần Văn Nhỏ", D(2016, 1, 10))
    with pytest.raises(ServiceError) as exc:
        rs.admit_member(None, tree.orgs["C1A"], child, admitted_on=D(2026, 3, 1))
    assert (exc.value.code, exc.value.field) == (Code.OUT_OF_RANGE, "admitted_on")
    assert "mới 10 tuổi 1 tháng, chưa đủ 18 tuổi" in exc.value.message
    with pytest.raises(ServiceError) as exc:  # an existing member's record (the Excel import's path too)
        rs.register_member(None, tree.orgs["C1A"], {**child, "admitted_on": D(2026, 3, 1)})
    assert exc.value.code == Code.OUT_OF_RANGE
    assert any("chưa đủ 18 tuổi" in p for p in validate_member_data({**child, "admitted_on": D(2026, 3, 1)}))
    assert (_admissions(commune), Member.objects.count()) == (before, members)
    # 18 in full months on the decision day is enough.
    rs.admit_member(None, tree.orgs["C1A"], make_member_data("Trần Văn Đủ", D(2008, 3, 1)), D(2026, 3, 1))
    assert _admissions(commune) == before + 1


def test_admission_page_refuses_a_member_aged_10(world):
    url = url_for(world, "registry:member_add", "in", "ket-nap")
    before, members = _admissions(world.tree.orgs["C1"]), Member.objects.count()
    r = admin_client(world).post(url, {**MEMBER_ADD_DATA["ket-nap"], "birth_date": "2016-01-10",
                                       "admitted_on": "2026-03-01"})
    assert r.status_code == 400
    assert any("chưa đủ 18 tuổi" in e for e in page_errors(r))
    assert (_admissions(world.tree.orgs["C1"]), Member.objects.count()) == (before, members)


def test_age_at_the_course_is_checked(tree):
    young = prospect(tree.orgs["C1A"], "Lý Thị Em", D(2013, 6, 1), course=None, vetted=None,
                     listed=D(2026, 1, 5), dossier=D(2026, 1, 5))
    with pytest.raises(ServiceError) as exc:
        from dangvu.admission import services as adm
        adm.record_course(None, young, D(2026, 5, 1), "9/GCN")
    assert (exc.value.code, exc.value.field) == (Code.OUT_OF_RANGE, "passed_on")
    assert "mới 12 tuổi 11 tháng, chưa đủ 16 tuổi" in exc.value.message
    assert Prospect.objects.get(pk=young.pk).course_passed_on is None
    from dangvu.core.admission import event_age_problem

    assert event_age_problem(D(2009, 5, 1), D(2026, 5, 1), "course") is None  # a pupil of 17 may attend


def test_over_60_at_the_cells_resolution_is_refused(tree):
    from dangvu.admission import services as adm

    elder = prospect(tree.orgs["C1A"], "Đinh Văn Lão", D(1964, 1, 2), introducers=[tree.inside, tree.own])
    with pytest.raises(ServiceError) as exc:
        adm.record_cell_resolution(None, elder, D(2026, 5, 20), 2, 2)
    assert (exc.value.code, exc.value.field) == (Code.OUT_OF_RANGE, "resolved_on")
    assert exc.value.message.startswith("Quá 60 tuổi (tính theo tháng): 62 tuổi 4 tháng")


# -- 3. names --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Nguyễn Văn An", "H'Hen Niê", "Ksor Y. Blang", "Nguyễn Thị Ánh-Dương",
                                  unicodedata.normalize("NFD", "Đặng Thị Huệ"), "Lò Văn Pọm", "Hà Nhì ’Sa"])
def test_names_of_people_are_accepted(name):
    from dangvu.core.names import name_problem

    assert name_problem(name) is None


@pytest.mark.parametrize("name", ["Nguyễn Văn 🙂", "Trần Văn 2", "Lê@Văn", "Phạm_Thị", "Ngô Văn #", "---",
                                  "Vũ\u200bAn"])
def test_names_with_digits_emoji_or_symbols_are_refused(name):
    from dangvu.core.names import name_problem

    assert name_problem(name).startswith(NAME_RULE)


def test_member_name_with_an_emoji_is_refused_in_the_service_and_on_the_page(world, tree):
    with pytest.raises(ServiceError) as exc:
        rs.register_member(None, tree.orgs["C1A"], make_member_data(
            "Nguyễn Văn 🙂", D(1980, 1, 1), admitted_on=D(2010, 1, 1)))
    assert (exc.value.code, exc.value.field) == (Code.INVALID, "full_name")
    with pytest.raises(ServiceError) as exc:
        rs.update_member(None, tree.inside, full_name="Nguyễn Văn An 2")
    assert exc.value.field == "full_name"
    url = url_for(world, "registry:member_edit", "in", "")
    payload = EXPECTED["registry:member_edit"].post(world, "in", "")
    r = admin_client(world).post(url, {**payload, "full_name": "Nguyễn Văn An 🙂"})
    assert r.status_code == 400
    assert any(e.startswith(NAME_RULE) for e in page_errors(r))
    tree.inside.refresh_from_db()
    assert tree.inside.full_name == "Nguyễn Văn An"


def test_prospect_name_is_checked_in_the_service(tree):
    from dangvu.admission import services as adm

    with pytest.raises(ServiceError) as exc:
        adm.create_prospect(None, tree.orgs["C1A"], {
            "full_name": "Quần Chúng 007", "birth_date": D(2000, 1, 1), "gender": "male", "ethnicity": "Kinh",
            "listed_on": D(2026, 1, 5)})
    assert (exc.value.code, exc.value.field) == (Code.INVALID, "full_name")


@pytest.mark.parametrize("name", ["congress:election_add"])
def test_candidates_and_counting_board_take_names_only(world, name):
    url = url_for(world, name, "in", "")
    client = admin_client(world)
    r = client.post(url, {**ELECTION_DATA, "candidates": "Nguyễn Văn An\nLê Văn 🙂"})
    assert r.status_code == 400
    assert any(e.startswith("Dòng 2 («Lê Văn 🙂»): " + NAME_RULE) for e in page_errors(r))
    r = client.post(url, {**ELECTION_DATA, "counting_board": "Trần Văn Bảy 7"})
    assert r.status_code == 400
    assert any(NAME_RULE in e for e in page_errors(r))


def test_upper_attendee_names_are_checked(world):
    url = url_for(world, "meetings:meeting_create", "in", "")
    client = admin_client(world)
    before = Meeting.objects.count()
    r = client.post(url, {**MEETING_DATA, "upper_attendees": "Trần Văn Hải 🙂 — Phó Bí thư Đảng ủy xã"})
    assert r.status_code == 400
    assert any(e.startswith("Dòng 1: " + NAME_RULE) for e in page_errors(r))
    r = client.post(url, {**MEETING_DATA, "held_on": "2026-04-20",
                          "upper_attendees": "Đ/c Trần Văn Hải — Phó Bí thư Đảng ủy xã"})
    assert r.status_code == 302
    assert Meeting.objects.count() == before + 1


def test_candidate_board_and_attendee_names_are_checked_in_the_services(tree):
    """The same rule where no form stands in front (the CLI, imports, other callers)."""
    from dangvu.congress import services as cs
    from dangvu.congress.models import Election

    on = D(2026, 6, 10)
    congress = cs.save_congress(None, tree.orgs["C1"], term="2025-2030", kind="members", starts_on=on, ends_on=on)
    with pytest.raises(ServiceError) as exc:
        cs.create_election(None, congress, title="Bầu Ban Chấp hành", seats=1, held_on=on,
                           counting_board="Trần Văn Bảy 7", candidates=["Nguyễn Văn An"])
    assert (exc.value.code, exc.value.field) == (Code.INVALID, "counting_board")
    with pytest.raises(ServiceError) as exc:
        cs.create_election(None, congress, title="Bầu Ban Chấp hành", seats=1, held_on=on,
                           candidates=["Nguyễn Văn An", "Lê Văn 🙂"])
    assert (exc.value.code, exc.value.field) == (Code.INVALID, "candidates")
    assert exc.value.message.startswith("Danh sách bầu cử, dòng 2 («Lê Văn 🙂»): ")
    assert Election.objects.filter(congress=congress).count() == 0  # nothing half-written
    before = Meeting.objects.count()
    with pytest.raises(ServiceError) as exc:
        ms.record_meeting(None, tree.orgs["C1A"], held_on=D(2026, 4, 20), starts_at=dt.time(19),
                          ends_at=dt.time(21), upper_attendees=["Trần Văn Hải 2 — Phó Bí thư Đảng ủy xã"])
    assert (exc.value.code, exc.value.field) == (Code.INVALID, "upper_attendees")
    assert Meeting.objects.count() == before
    meeting = ms.record_meeting(None, tree.orgs["C1A"], held_on=D(2026, 4, 20), starts_at=dt.time(19),
                                ends_at=dt.time(21), upper_attendees=["Đ/c Trần Văn Hải — Phó Bí thư Đảng ủy xã"])
    assert [u.name for u in meeting.upper_attendees.all()] == ["Đ/c Trần Văn Hải"]


def test_locality_head_name_outside_the_party_is_checked(world, tree):
    url = url_for(world, "registry:locality_add", "in", "")
    r = admin_client(world).post(url, {"name": "Thôn Mới", "kind": "village", "head_name": "Ông Ba 3"})
    assert r.status_code == 400
    assert any(NAME_RULE in e for e in page_errors(r))
    with pytest.raises(ServiceError) as exc:
        rs.save_locality(None, tree.orgs["C1A"], name="Thôn Mới", kind="village", head_name="Ông 😀")
    assert exc.value.field == "head_name"


def test_excel_import_checks_dates_ages_and_names(client, tree):
    from test_excel import batch_of, login, person, upload, xlsx

    rows = [
        person("C1A", "Hoàng Văn Em", dt.date(1985, 6, 15)),                                   # 2 good
        person("C1A", "Lâm Văn Sai", "31/02/1980"),                                             # 3 no such day
        person("C1A", "Trần Văn Nhỏ", dt.date(2005, 1, 1), admitted_on=dt.date(2015, 1, 1)),   # 4 aged 10
        person("C1A", "Ngô Văn 🙂", dt.date(1980, 1, 1)),                                       # 5 emoji
        person("C1A", "Mạc Văn Cổ", dt.date(1980, 1, 1), admitted_on="01/01/1900"),            # 6 before 1930
    ]
    before = Member.objects.count()
    login(client, tree, "office")
    batch = batch_of(upload(client, xlsx(rows)))
    errors = {p["row"]: " ".join(p["errors"]) for p in batch.problems}
    assert sorted(errors) == [3, 4, 5, 6]
    assert "Ngày 31/02/1980 không có." in errors[3]
    assert "mới 10 tuổi 0 tháng, chưa đủ 18 tuổi" in errors[4]
    assert NAME_RULE in errors[5]
    assert "01/01/1930" in errors[6]
    assert Member.objects.count() == before


# -- 4. plain messages ------------------------------------------------------------------------------

def test_number_bounds_read_plainly(world):
    url = url_for(world, "registry:member_record", "in", "noi-cu-tru")
    r = admin_client(world).post(url, {"year": "2200", "rating": "good", "received_on": "2026-01-10"})
    assert r.status_code == 400
    assert "Số này không được lớn hơn 2100." in page_errors(r)
    assert not any(e.endswith(" .") for e in page_errors(r))
    r = admin_client(world).post(url, {"year": "1900", "rating": "good", "received_on": "2026-01-10"})
    assert "Số này không được nhỏ hơn 1930." in page_errors(r)


def test_a_broken_word_file_says_what_to_do(tree, monkeypatch):
    url = reverse("plans:plan_upload", args=["C1A"])
    client = client_for(tree)
    wanted = ("Tệp này không mở được như một tệp Word (.docx). Hãy lưu lại bằng Word rồi tải lên, hoặc tải bản "
              "PDF.")
    for content in (b"PK\x03\x04 hong" * 50, b"khong phai docx"):
        r = client.post(url, {"file": SimpleUploadedFile("ke-hoach.docx", content)})
        assert r.status_code in (200, 400)
        assert page_errors(r) == [wanted]
    # python-docx's own refusal names the server's temporary file: it never reaches the page.
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    def refuse(path, *a, **k):
        raise PackageNotFoundError(f"Package not found at '{path}'")

    monkeypatch.setattr(docx, "Document", refuse)
    buffer = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    r = client.post(url, {"file": SimpleUploadedFile("ke-hoach.docx", buffer.getvalue())})
    assert page_errors(r) == [wanted]
    assert "/tmp" not in r.content.decode() and "Package" not in r.content.decode()


def test_a_yaml_framework_with_a_syntax_error_names_the_line(tree):
    client = client_for(tree)
    body = "name: Khung thử\nyear: 2026\ngroups:\n  - code: A\n    label: Nhóm: một\n"
    r = client.post(reverse("meetings:frameworks"), {"file": SimpleUploadedFile("khung.yaml", body.encode())})
    assert r.status_code == 400
    [message] = page_errors(r)
    assert message.startswith("Tệp khung chấm điểm viết sai ở dòng 5: dấu hai chấm (:) đặt sai chỗ")
    assert "hãy sửa" in message.lower() and "mapping" not in message
    with pytest.raises(ServiceError) as exc:
        ms.load_framework(None, b"name: x\nyear: abc\nbands: {}\ngroups: []\n")
    assert "could not convert" not in exc.value.message and "phải là số" in exc.value.message


@pytest.mark.parametrize("name", ["plans:target_edit"])
def test_measure_list_shows_labels_not_internal_keys(world, name):
    r = admin_client(world).get(url_for(world, name, "in", ""))
    assert r.status_code == 200
    page = r.content.decode()
    shown = re.findall(r"<option[^>]*>([^<]*)</option>", page)
    assert any("Số đảng viên kết nạp trong năm" in s for s in shown)
    keys = [s for s in shown if re.search(r"\b[a-z_]+\.[a-z_]+\b", s)]
    assert keys == []
    assert 'value="admissions.count_year"' in page  # the key stays the option's value


# -- the walk: every edit form, bad values, every message plain -----------------------------------

BAD_VALUES = ("31/02/2026", "01/01/1900", f"01/01/{TODAY.year + 12}", "99999999999", "-99999999999", "🙂 1",
              "x" * 5000, "1,5e3", "")
# Django's English (and a poor Vietnamese) must not leak: library phrases, paths, tracebacks.
TECHNICAL = re.compile(r"/tmp|/work|/home|Traceback|\b(Enter a|Ensure this|Select a|This field|is not|Package|"
                       r"could not|not found|invalid literal|Error)\b|số tổng thể|Đảm bảo giá trị")


@pytest.mark.parametrize("name", ["registry:", "meetings:", "congress:", "evaluation:", "admission:", "plans:"])
def test_every_form_message_is_plain(world, name):
    client = admin_client(world)
    problems, seen = [], 0
    for spec_name, spec in EXPECTED.items():
        if not spec_name.startswith(name) or spec.kind != "edit" or not spec.get_allowed:
            continue
        for variant in spec.variants:
            url = url_for(world, spec_name, "in", variant)
            r = client.get(url)
            form = r.context.get("form") if r.context is not None else None
            if form is None:
                continue
            for value in BAD_VALUES:
                r = client.post(url, dict.fromkeys(form.fields, value))
                for message in page_errors(r) if r.status_code != 302 else []:
                    seen += 1
                    if message.rstrip().endswith(" .") or TECHNICAL.search(message):
                        problems.append(f"{spec_name}[{variant}] {value[:12]!r}: {message!r}")
    assert seen > 0
    assert not problems, "\n".join(problems[:30]) + f"\n({len(problems)} problems)"
