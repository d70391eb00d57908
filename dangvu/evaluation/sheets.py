"""The scoring sheets (phiếu chấm điểm): criteria groups with their maximum points, read from YAML
files in ``sheets/`` and checked against the rule set's group totals. Reads files only."""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

from dangvu.common import Code, ServiceError
from dangvu.core.evaluation import sheet_total
from dangvu.core.rulesets import RuleSet
from dangvu.core.safefiles import load_yaml

SHEETS_DIR = Path(__file__).parent / "sheets"
DEFAULT_SHEET = SHEETS_DIR / "default-2025.yaml"


@lru_cache(maxsize=16)
def _read_sheet_file(path: str, mtime: float) -> Any:
    # The safe loader of uploads: a sheet file may come from a province; no aliases, bounded nesting.
    return load_yaml(Path(path).read_text(encoding="utf-8"))


def load_sheet(subject_kind: str, path: Path | str = DEFAULT_SHEET, rs: RuleSet | None = None) -> dict[str, Any]:
    """The sheet for ``subject_kind`` from a sheet file, checked against the rule set's group totals
    (common criteria ``evaluation.common_points``, task results ``evaluation.task_points``)."""
    try:
        raw = copy.deepcopy(_read_sheet_file(str(path), Path(path).stat().st_mtime))
        sheet = raw["sheets"][subject_kind]
        groups = [{"code": str(g["code"]), "label": str(g["label"]),
                   "criteria": [{"code": str(c["code"]), "label": str(c["label"]), "max": float(c["max"])}
                                for c in g["criteria"]]}
                  for g in sheet["groups"]]
    except (OSError, KeyError, TypeError, ValueError) as exc:  # UnsafeFile and UnicodeDecodeError are ValueErrors
        raise ServiceError(f"Không đọc được phiếu chấm điểm cho đối tượng «{subject_kind}»: {exc}",
                           Code.FILE) from exc
    maxima = {g["code"]: {c["code"]: c["max"] for c in g["criteria"]} for g in groups}
    try:
        sheet_total({c["code"]: 0 for g in groups for c in g["criteria"]}, maxima, rs)
    except ValueError as exc:
        raise ServiceError(f"Phiếu chấm điểm không hợp lệ: {exc}", Code.FILE) from exc
    return {"name": str(raw.get("name", "")), "version": str(raw.get("version", "")),
            "source": str(raw.get("source", "")), "groups": groups}
