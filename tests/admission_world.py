"""Admission objects for the access matrix (and the bad-input tests that share its ``world``).

Per location, prospects at the stages the step forms act on, made through the services with
dates relative to today, and valid POST payloads for each form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

TODAY = dt.date.today()


def _ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


LISTED = _ago(200)


def admission_objects(orgs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{loc: {"source" | "course" | "vetted" | "resolved": Prospect}}`` for in, side, out."""
    from dangvu.admission import services as s
    from dangvu.registry import services as rs

    out: dict[str, dict[str, Any]] = {}
    for loc in ("in", "side", "out"):
        org = orgs[loc]
        tag = org.code.translate(str.maketrans("0123456789", "ABCDEFGHIJ"))  # names have no digits (issue 13)
        introducer = rs.register_member(None, org, {
            "full_name": f"Người Giới Thiệu {tag}", "birth_date": dt.date(1975, 4, 4), "gender": "male",
            "ethnicity": "Kinh", "admitted_on": dt.date(2012, 1, 5), "full_on": dt.date(2013, 1, 5)})
        made: dict[str, Any] = {}
        for i, stage in enumerate(("source", "course", "vetted", "resolved")):
            p = s.create_prospect(None, org, {
                "full_name": f"Quần Chúng {stage} {tag}", "birth_date": dt.date(1998, 1, 1 + i),
                "gender": "female", "ethnicity": "Kinh", "listed_on": LISTED, "nominated_by": "youth_union",
                "introducer_1": introducer, "youth_union_resolution_on": _ago(50), "dossier_on": _ago(60)})
            if stage != "source":
                p = s.record_course(None, p, _ago(150), "01/GCN")
            if stage in ("vetted", "resolved"):
                p = s.record_vetting(None, p, _ago(60))
            if stage == "resolved":
                p = s.record_cell_resolution(None, p, _ago(20), 2, 2)
            made[stage] = p
        out[loc] = made
    return out


STEP_PROSPECT = {"hoc-lop": "source", "tham-tra": "course", "nghi-quyet": "vetted", "quyet-dinh": "resolved",
                 "ket-nap": "resolved", "dung": "source"}
STEP_DATA = {
    "hoc-lop": {"passed_on": _ago(30).isoformat(), "certificate": "12/GCN"},
    "tham-tra": {"vetted_on": _ago(10).isoformat()},
    "nghi-quyet": {"resolved_on": _ago(5).isoformat(), "in_favour": "2", "full_members": "2"},
    "quyet-dinh": {"decision_on": _ago(2).isoformat(), "decision_number": "99-QĐ/ĐU"},
    "ket-nap": {"decision_on": _ago(2).isoformat(), "decision_number": "99-QĐ/ĐU", "ceremony_on": TODAY.isoformat()},
    "dung": {"on": TODAY.isoformat(), "reason": "Chuyển đi nơi khác"},
}
QUOTA_DATA = {"scope": "year", "year": str(TODAY.year), "target": "3", "students_target": "1"}


def prospect_data(org) -> dict[str, Any]:
    return {"organization": org.pk, "full_name": "Quần Chúng Mới", "birth_date": "1999-09-09", "gender": "male",
            "ethnicity": "Kinh", "religion": "Không", "listed_on": LISTED.isoformat(), "nominated_by": "trade_union"}
