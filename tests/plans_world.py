"""Plans objects for the access matrix (and the bad-input tests that share its ``world``).

Per location, a saved plan of the location's cell (a manual target, a task with an update that
carries an evidence file) and a draft plan for the review page (its proposed bindings awaiting a
decision); valid POST payloads per form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

PLAN_TEXT = """KẾ HOẠCH

Thực hiện nghị quyết của chi bộ, giai đoạn 2025-2030

II. MỤC TIÊU

1. 100% đảng viên được phân công nhiệm vụ cụ thể.

2. Mỗi năm kết nạp từ 2 đảng viên trở lên.

III. NHIỆM VỤ, GIẢI PHÁP

1. Rà soát quy chế làm việc của chi bộ

Thời gian thực hiện: hoàn thành trước ngày 30/9/2025.
"""


def plans_objects(orgs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{loc: {"plan" | "draft" | "target" | "task" | "update": object}}`` for in, side, out."""
    from dangvu.core.planparse import parse_text
    from dangvu.plans import services as s

    parsed = parse_text(PLAN_TEXT)
    out: dict[str, dict[str, Any]] = {}
    for loc in ("in", "side", "out"):
        org = orgs[loc]
        plan = s.draft_from_parse(None, org, parsed, "ke-hoach.txt", PLAN_TEXT)
        s.confirm_all(None, plan)  # the world's saved plan: its proposals confirmed by the system
        s.save_plan(None, plan)
        target = s.add_target(None, plan, text="Tỷ lệ đảng viên dự sinh hoạt", op=">=", value=90, unit="%")
        task = plan.tasks.first()
        update = s.update_task(None, task, "in_progress", "Đang rà soát", evidence_name="bien-ban.pdf",
                               evidence_content=b"%PDF-1.4 bien ban")
        draft = s.draft_from_parse(None, org, parsed, "ke-hoach.txt", PLAN_TEXT)
        out[loc] = {"plan": plan, "draft": draft, "target": target, "task": task, "update": update}
    return out


def review_decisions(draft) -> dict[str, str]:
    """The review page's save with a decision for each unconfirmed binding (all confirmed)."""
    from dangvu.plans.models import Binding

    pending = Binding.objects.filter(target__plan=draft, confirmed=False).values_list("pk", flat=True)
    return {"action": "save", **{f"b{pk}": "confirm" for pk in pending}}


PLANS_POST: dict[str, dict[str, str]] = {
    "upload": {"text": PLAN_TEXT},
    "edit": {"number": "5-KH/CB", "title": "Kế hoạch sửa", "start_year": "2025", "end_year": "2030"},
    "target": {"text": "100% đảng viên được phân công nhiệm vụ", "op": "=", "value": "100", "unit": "%",
               "period": "annual", "indicator": "__manual__"},
    "measurement": {"measured_on": (dt.date.today() - dt.timedelta(days=1)).isoformat(), "value": "75,5",
                    "note": "Báo cáo quý"},
    "task": {"label": "1", "title": "Rà soát quy chế làm việc", "timing_kind": "by", "ends_on": "2026-12-31",
             "lead": "Chi ủy"},
    "update": {"status": "in_progress", "evidence": "Đã họp chi ủy"},
    "confirm_delete": {"confirm": "xoa"},
}
