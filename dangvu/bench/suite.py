"""The classic performance suite behind ``dangvu bench``: named bench functions, each a JSON section.

Each bench builds its own synthetic organizations (codes ``BENCH<n>…``) in the configured
database, times one use case through its real service functions, and reports seconds.
Other parts add sections by decorating a function with :func:`bench`.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dangvu.core import clock
from dangvu.core.cccd import PROVINCE_CODES, make_cccd


@dataclass(frozen=True)
class Scale:
    committees: int  # grassroots committees (commune: the root itself)
    cells: int  # cells per committee
    rows: int  # rows of the members workbook


# The largest members workbook the product accepts as an upload (issue 14): a sheet may inflate to
# safefiles.MAX_MEMBER (100 MiB) and hold excel.MAX_ROWS (100,000) data rows. A synthetic row
# inflates to ~1,065 bytes, so ~98,000 rows fit; 90,000 leaves room for longer names and values.
# The safety limits stay as they are: the bench measures what a real import file can be.
UPLOAD_ROWS = 90_000

SCALES: dict[str, Scale] = {
    "commune": Scale(committees=1, cells=40, rows=20_000),
    "province": Scale(committees=10, cells=40, rows=UPLOAD_ROWS),
    "nation": Scale(committees=25, cells=40, rows=UPLOAD_ROWS),
}

BenchFn = Callable[..., dict[str, Any]]
BENCHES: dict[str, BenchFn] = {}


def bench(name: str) -> Callable[[BenchFn], BenchFn]:
    def register(fn: BenchFn) -> BenchFn:
        BENCHES[name] = fn
        return fn
    return register


def run_bench(scale: str = "commune", rows: int | None = None, only: list[str] | None = None,
              keep: bool = True) -> dict[str, Any]:
    """Run the named benches (all by default); ``keep=False`` deletes what they created."""
    if scale not in SCALES:
        raise ValueError(f"Quy mô không hợp lệ: {scale}")
    unknown = set(only or ()) - set(BENCHES)
    if unknown:
        raise ValueError(f"Không có phần đo: {', '.join(sorted(unknown))}")
    return {name: fn(SCALES[scale], rows=rows, keep=keep) for name, fn in BENCHES.items()
            if not only or name in only}


# -- synthetic data -------------------------------------------------------------------------

_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
             "Hồ", "Ngô"]
_MIDDLE = {"male": ["Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân", "Ngọc", "Anh"],
           "female": ["Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Xuân", "Phương", "Mai"]}
_GIVEN = {"male": ["An", "Bình", "Cường", "Dũng", "Đạt", "Giang", "Hải", "Hùng", "Khang", "Lâm", "Long",
                   "Mạnh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thắng"],
          "female": ["Anh", "Bích", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh",
                     "Mai", "Nga", "Ngọc", "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Yến"]}
_PROVINCES = sorted(PROVINCE_CODES)
_BASE_BIRTH = dt.date(1945, 1, 1)


def synthetic_member(idx: int, cell: str) -> list[Any]:
    """Row ``idx`` of the bench workbook: deterministic, valid, and unique in (name, birth) and
    CCCD for every idx below 252,000 (5,600 names × 18,000 birth days, coprime steps)."""
    gender = "female" if idx % 2 else "male"
    name_idx = idx // 2
    name = (f"{_SURNAMES[name_idx % 14]} {_MIDDLE[gender][(name_idx // 14) % 10]} "
            f"{_GIVEN[gender][(name_idx // 140) % 20]}")
    birth = _BASE_BIRTH + dt.timedelta(days=(idx * 37) % 18_000)
    admitted = birth + dt.timedelta(days=365 * 20 + (idx * 13) % 3_000)
    full = admitted + dt.timedelta(days=400) if idx % 5 else None
    today = clock.today()
    if full and full > today:
        full = None
    if admitted > today:
        admitted = today - dt.timedelta(days=1 + idx % 300)
    cccd = make_cccd(_PROVINCES[idx % len(_PROVINCES)], gender, birth.year, idx)
    return [cell, name, birth, "Nữ" if gender == "female" else "Nam", "Kinh", "Không",
            f"Xã Thử Nghiệm {idx % 50}", f"Thôn {idx % 40}", f"09{idx % 100_000_000:08d}", cccd, "12/12",
            ["", "Sơ cấp", "Trung cấp", "Cao cấp"][idx % 4], "Nông dân", "Không", admitted, full,
            f"{idx:08d}", "Có", "Không"]


def free_indices(rows: int) -> list[int]:
    """The first ``rows`` row numbers whose synthetic person is not in the database yet (same
    CCCD, or same name and birth day), so the workbook imports cleanly into a database that
    already holds people, e.g. the province demo under ``DATABASE_URL``."""
    from dangvu.core.text import fold
    from dangvu.registry.models import Member

    if not Member.objects.exists():
        return list(range(rows))
    people = {i: synthetic_member(i, "") for i in range(min(252_000, 2 * rows + 1_000))}
    cccds, names = sorted({p[9] for p in people.values()}), sorted({fold(p[1]) for p in people.values()})
    taken_cccd: set[str] = set()
    taken_people: set[tuple[str, dt.date]] = set()
    for i in range(0, len(cccds), 500):
        taken_cccd.update(Member.objects.filter(cccd__in=cccds[i:i + 500]).values_list("cccd", flat=True))
    for i in range(0, len(names), 500):
        taken_people.update(Member.objects.filter(name_folded__in=names[i:i + 500])
                            .values_list("name_folded", "birth_date"))
    free = [i for i, p in people.items() if p[9] not in taken_cccd and (fold(p[1]), p[2]) not in taken_people]
    return free[:rows]


def members_workbook(cells: list[str], rows: int, offset: int = 0, indices: list[int] | None = None) -> bytes:
    """``rows`` synthetic members spread over ``cells``: rows ``offset``… or the given ``indices``."""
    from openpyxl import Workbook

    from dangvu.registry.excel import MEMBER_COLUMNS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Đảng viên")
    ws.append([c.title for c in MEMBER_COLUMNS])
    for i, idx in enumerate(indices if indices is not None else range(offset, offset + rows)):
        ws.append(synthetic_member(idx, cells[i % len(cells)]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _bench_tree(scale: Scale) -> tuple[Any, list[str], int]:
    """A root with its cells; codes carry a run number so repeated runs never collide."""
    from dangvu.registry.models import Organization
    from dangvu.registry.services import create_organization

    run = Organization.objects.filter(code__startswith="BENCH", depth=1).count()
    while Organization.objects.filter(code=f"BENCH{run}").exists():
        run += 1
    prefix = f"BENCH{run}"
    cells: list[str] = []
    if scale.committees == 1:
        root = create_organization(None, None, code=prefix, name="Đảng bộ xã Đo Hiệu Năng",
                                   kind="grassroots_committee")
        committees = [root]
    else:
        root = create_organization(None, None, code=prefix, name="Đảng bộ tỉnh Đo Hiệu Năng", kind="province")
        committees = [create_organization(None, Organization.objects.get(pk=root.pk), code=f"{prefix}-X{c:03d}",
                                          name=f"Đảng bộ xã số {c}", kind="grassroots_committee")
                      for c in range(scale.committees)]
    for committee in committees:
        for c in range(scale.cells):
            code = f"{committee.code}-CB{c:03d}"
            parent = Organization.objects.get(pk=committee.pk)
            create_organization(None, parent, code=code, name=f"Chi bộ số {c}", kind="cell", sector="residential")
            cells.append(code)
    return Organization.objects.get(pk=root.pk), cells, run


BENCH_USER = "dangvu-bench"


def _bench_user(root: Any) -> Any:
    """The bench's login, made by the accounts services: created once (a random password nobody
    knows), given the admin role on this run's root so that it may import there."""
    import secrets

    from django.contrib.auth.models import User

    from dangvu.accounts import services as accounts
    from dangvu.accounts.models import RoleKind

    user = User.objects.filter(username=BENCH_USER).first()
    if user is None:
        user = accounts.create_user(BENCH_USER, secrets.token_urlsafe(24), full_name="Đo hiệu năng")
    accounts.grant_role(user, RoleKind.ADMIN, root)
    return user


def _cleanup(root) -> None:
    from django.db import transaction

    from dangvu.registry.models import ImportBatch, Member, Organization

    with transaction.atomic():
        ImportBatch.objects.filter(scope__in=Organization.objects.subtree(root)).delete()
        Member.objects.in_subtree(root).delete()
        Organization.objects.subtree(root).delete()


@bench("xlsx_import")
def xlsx_import(scale: Scale, rows: int | None = None, keep: bool = True) -> dict[str, Any]:
    """Stage (read + validate) and confirm (write) a members workbook through the services."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from dangvu.registry import services_import

    rows = rows or scale.rows
    root, cells, _run = _bench_tree(scale)
    user = _bench_user(root)
    t0 = time.perf_counter()
    content = members_workbook(cells, rows, indices=free_indices(rows))
    generated = time.perf_counter() - t0
    try:
        c1 = time.process_time()
        t1 = time.perf_counter()
        batch = services_import.stage_import(user, root, "members", SimpleUploadedFile("bench.xlsx", content))
        t2 = time.perf_counter()
        if batch.problems:
            raise RuntimeError(f"bench workbook has {len(batch.problems)} bad rows: {batch.problems[:3]}")
        written = services_import.confirm_import(user, batch)
        t3 = time.perf_counter()
        cpu = time.process_time() - c1
    finally:
        if not keep:
            _cleanup(root)
    total = t3 - t1
    return {
        "rows": written,
        "validate_seconds": round(t2 - t1, 3),
        "write_seconds": round(t3 - t2, 3),
        "total_seconds": round(total, 3),
        "rows_per_second": round(written / total, 1) if total else None,
        "cpu_seconds": round(cpu, 3),  # this process only (all of the work on SQLite)
        "generate_seconds": round(generated, 3),
        "file_bytes": len(content),
        "cells": len(cells),
        "database": connection.vendor,
    }
