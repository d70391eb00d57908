"""Inspection objects for the access matrix, phone and page-query worlds (issue 16): in each cell a
programme of this year with an item not begun, one begun (decision, team, the subject's report) and
one concluded with a recommendation still open; ``grow_inspection`` adds items, findings and
recommendations (the pages must not query per row)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dangvu.core import clock
from dangvu.inspection import services as ins

PROGRAMME_TEXT = """ĐẢNG ỦY XÃ THỬ NGHIỆM
Số 09-CTr/CB                                   Thử Nghiệm, ngày 05 tháng 01 năm {year}

CHƯƠNG TRÌNH
kiểm tra, giám sát năm {year}

II. NỘI DUNG KIỂM TRA
1. Kiểm tra đảng viên là tổ trưởng tổ đảng về việc thực hiện nhiệm vụ được giao. Thời gian: tháng 11/{year}.
"""


def fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def inspection_objects(orgs: dict, members: dict) -> dict[str, dict[str, Any]]:
    today = clock.today()
    year = today.year
    begun = max(today - dt.timedelta(days=2), dt.date(year, 1, 1))
    out: dict[str, dict[str, Any]] = {}
    for loc in ("in", "side", "out"):
        programme = ins.create_programme(None, orgs[loc], year, number="01-CTr/CB")
        common = {"activity": "inspection", "form": "regular", "subject_kind": "member",
                  "subject_member": members[loc], "planned_start": dt.date(year, 1, 1),
                  "planned_end": dt.date(year, 12, 31)}
        new = ins.add_item(None, programme, content="Kiểm tra việc thực hiện nhiệm vụ đảng viên", **common)
        started = ins.add_item(None, programme, content="Kiểm tra việc giữ gìn phẩm chất đạo đức", **common)
        ins.start_inspection(None, started, decision_number="3-QĐ/CB", decided_on=begun, started_on=begun,
                             leader="Đồng chí Bí thư chi bộ", team="Hai đồng chí chi ủy viên")
        ins.record_subject_report(None, started, reported_on=today, summary="Đảng viên tự kiểm điểm")
        done = ins.add_item(None, programme, content="Giám sát việc đóng đảng phí",
                            **{**common, "activity": "supervision"})
        ins.start_inspection(None, done, decision_number="4-QĐ/CB", decided_on=begun, started_on=begun,
                             leader="Đồng chí Phó Bí thư chi bộ")
        ins.conclude_inspection(None, done, concluded_on=today, conclusion="Chấp hành tốt",
                                recommendations=[ins.RecommendationInput("Nộp bổ sung biên bản",
                                                                         today + dt.timedelta(days=30))])
        out[loc] = {"programme": programme, "new": new, "started": started, "concluded": done,
                    "rec": done.recommendations.get()}
    return out


def load_payload(w, loc: str, v: str) -> dict[str, str]:
    return {"step": "confirm", "text": PROGRAMME_TEXT.format(year=clock.today().year), "pick": "0"}


def item_payload(w, loc: str, v: str) -> dict[str, str]:
    year = clock.today().year
    return {"activity": "inspection", "form": "thematic", "subject_kind": "member",
            "subject_member": str(w.members[loc].pk), "content": "Kiểm tra chuyên đề việc học tập nghị quyết",
            "planned_start": f"01/03/{year}", "planned_end": f"30/04/{year}", "planned": "on"}


def grow_inspection(world, members: list, n: int) -> None:
    """``n`` more items in C1A's programme (half concluded, with a finding and a recommendation)."""
    today = clock.today()
    programme = world.inspection["in"]["programme"]
    year = programme.year
    for i in range(n):
        item = ins.add_item(None, programme, activity="inspection", form="regular", subject_kind="member",
                            subject_member=members[i % len(members)], content=f"Kiểm tra thêm số thứ {i}",
                            planned_start=dt.date(year, 1, 1), planned_end=dt.date(year, 12, 31))
        if i % 2:
            ins.start_inspection(None, item, decision_number="5-QĐ/CB", decided_on=today, started_on=today,
                                 leader="Đồng chí Bí thư")
            ins.conclude_inspection(
                None, item, concluded_on=today, conclusion="Có vi phạm",
                findings=[ins.FindingInput(members[i % len(members)], today, "Vi phạm chế độ sinh hoạt")],
                recommendations=[ins.RecommendationInput("Kiểm điểm trước chi bộ", today)])
