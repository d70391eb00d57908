"""Inspection rules (Quy định 22-QĐ/TW; Hướng dẫn 02-HD/TW): a programme item's state from its dates,
a recommendation on time, the months of a period, and a programme document read into entries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangvu.core.inspection import (
    STATES,
    item_state,
    month_end,
    months_between,
    recommendation_on_time,
    recommendation_state,
)
from dangvu.core.inspection_programme import classify, read_programme
from dangvu.core.rulesets import ruleset_for

D = dt.date
DATA = Path(__file__).parent / "data" / "inspection"
days = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31))


def test_late_after_days_is_a_rule_parameter_marked_unconfirmed():
    rs = ruleset_for(D(2026, 5, 1))
    assert rs["inspection.late_after_days"] == 0
    assert "chưa xác nhận" in rs.source("inspection.late_after_days")


def test_item_state_at_the_boundaries():
    end = D(2026, 4, 30)
    assert item_state(end, None, None, D(2026, 4, 30)) == "planned"
    assert item_state(end, None, None, D(2026, 5, 1)) == "late"
    assert item_state(end, D(2026, 4, 2), None, D(2026, 4, 30)) == "under_way"
    assert item_state(end, D(2026, 4, 2), None, D(2026, 5, 1)) == "late"
    assert item_state(end, D(2026, 4, 2), D(2026, 5, 20), D(2026, 5, 20)) == "concluded"
    assert item_state(end, D(2026, 4, 2), D(2026, 5, 20), D(2026, 5, 19)) == "late"  # not concluded yet that day
    assert item_state(end, None, None, D(2026, 5, 5), late_after_days=5) == "planned"
    assert item_state(end, None, None, D(2026, 5, 6), late_after_days=5) == "late"
    with pytest.raises(ValueError):
        item_state(end, None, None, end, late_after_days=-1)


@given(end=days, started=st.none() | days, concluded=st.none() | days, today=days, grace=st.integers(0, 60))
def test_item_state_properties(end, started, concluded, today, grace):
    state = item_state(end, started, concluded, today, grace)
    assert state in STATES
    if concluded is not None and concluded <= today:
        assert state == "concluded"
    elif today > end + dt.timedelta(days=grace):
        assert state == "late"
    else:
        assert state in ("planned", "under_way")
        assert (state == "under_way") == (started is not None and started <= today)
    # a later day never turns a late item back into planned or under way
    if state == "late":
        assert item_state(end, started, concluded if concluded and concluded <= today else None,
                          today + dt.timedelta(days=1), grace) == "late"


@given(due=days, done=st.none() | days, today=days)
def test_recommendation_state_properties(due, done, today):
    state = recommendation_state(due, done, today)
    assert recommendation_on_time(due, done) == (done is not None and done <= due)
    if done is not None and done <= today:
        assert state == ("done_on_time" if done <= due else "done_late")
    else:
        assert state == ("overdue" if today > due else "open")


def test_recommendation_due_day_itself_is_on_time():
    assert recommendation_state(D(2026, 6, 30), D(2026, 6, 30), D(2026, 7, 2)) == "done_on_time"
    assert recommendation_state(D(2026, 6, 30), D(2026, 7, 1), D(2026, 7, 2)) == "done_late"
    assert recommendation_state(D(2026, 6, 30), None, D(2026, 6, 30)) == "open"
    assert recommendation_state(D(2026, 6, 30), None, D(2026, 7, 1)) == "overdue"


@given(a=days, b=days)
def test_months_between_counts_every_month_once(a, b):
    start, end = min(a, b), max(a, b)
    months = months_between(start, end)
    assert months[0] == (start.year, start.month) and months[-1] == (end.year, end.month)
    assert len(months) == (end.year - start.year) * 12 + end.month - start.month + 1
    assert len(set(months)) == len(months) and months == sorted(months)
    assert month_end(start) >= start and month_end(start).month == start.month


def test_classify_reads_kind_form_and_subject():
    assert classify("Kiểm tra khi có dấu hiệu vi phạm đối với đồng chí Bí thư chi bộ") == (
        "inspection", "violation", "member")
    assert classify("Giám sát chuyên đề Chi bộ Văn phòng xã về chuyển đổi số") == ("supervision", "thematic",
                                                                                   "organization")
    assert classify("Giám sát thường xuyên các chi bộ trực thuộc") == ("supervision", "regular", "organization")
    assert classify("Đối với chi bộ thôn", section="III. NỘI DUNG GIÁM SÁT")[0] == "supervision"


def test_programme_document_items_and_months():
    text = (DATA / "chuong_trinh_kiem_tra_giam_sat_xa_hoa_binh_2026.txt").read_text(encoding="utf-8")
    header, entries = read_programme(text)
    assert header["number"] == "05-CTr/ĐU" and header["year"] == 2026
    got = {e.ref: (e.activity, e.form, e.subject_kind, e.months) for e in entries}
    assert got == {
        "II.1": ("inspection", "thematic", "organization", [(2026, 4)]),
        "II.2": ("inspection", "regular", "organization", [(2026, 6), (2026, 7)]),
        "II.3": ("inspection", "regular", "member", [(2026, 9)]),
        "III.1": ("supervision", "regular", "organization", [(2026, m) for m in range(1, 13)]),
        "III.2": ("supervision", "thematic", "organization", [(2026, 5)]),
        "III.3": ("supervision", "thematic", "member", [(2026, 7), (2026, 8), (2026, 9)]),
    }
    first = entries[0]
    assert first.subject_text == "Chi bộ thôn Đồng Tâm"
    assert first.leader == "Đồng chí Phó Bí thư Thường trực"
    assert "Thời gian" not in first.content and first.content.startswith("Kiểm tra chuyên đề Chi bộ thôn Đồng Tâm")
    assert entries[1].leader == "Ủy ban Kiểm tra Đảng ủy"
    assert (first.planned_start, first.planned_end) == (D(2026, 4, 1), D(2026, 4, 30))


def test_commission_programme_in_a_table():
    text = (DATA / "chuong_trinh_ubkt_dang_uy_xa_yen_lac_2026.txt").read_text(encoding="utf-8")
    header, entries = read_programme(text)
    assert header["year"] == 2026
    got = [(e.activity, e.form, e.subject_kind, e.months[0], e.months[-1], len(e.months)) for e in entries]
    assert got == [
        ("inspection", "regular", "organization", (2026, 3), (2026, 3), 1),
        ("supervision", "thematic", "organization", (2026, 4), (2026, 6), 3),
        ("inspection", "violation", "member", (2026, 1), (2026, 12), 12),
        ("inspection", "regular", "organization", (2026, 10), (2026, 11), 2),
    ]
    assert entries[0].subject_text == "Chi bộ thôn Bến Đò"


def test_commission_programme_as_a_word_table(tmp_path):
    """The same programme typed as a Word table (.docx): the plan reader's document reading gives
    the same entries."""
    from docx import Document

    from dangvu.core.planparse.extract import read_text

    doc, table = Document(), None
    for line in (DATA / "chuong_trinh_ubkt_dang_uy_xa_yen_lac_2026.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            table = table or doc.add_table(rows=0, cols=len(cells))
            for cell, text in zip(table.add_row().cells, cells, strict=True):
                cell.text = text
        else:
            table = None
            doc.add_paragraph(line)
    path = tmp_path / "chuong-trinh.docx"
    doc.save(path)
    _header, entries = read_programme(read_text(path))
    assert [(e.ref, e.activity, e.form, e.months[0], len(e.months)) for e in entries] == [
        ("II.1", "inspection", "regular", (2026, 3), 1), ("II.2", "supervision", "thematic", (2026, 4), 3),
        ("II.3", "inspection", "violation", (2026, 1), 12), ("II.4", "inspection", "regular", (2026, 10), 2)]
