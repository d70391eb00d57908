"""Báo cáo thống kê đảng viên (issue 18): the standard statistics of a subtree on a day, in the
layout committees send up — organizations by kind and sector, members by gender, age band,
ethnicity, religion, education, political theory, occupation, party-age band and status, and the
changes in the period — as .docx (party layout) or .xlsx.

Every number is an indicator's (:mod:`dangvu.registry.indicators_stats`); :func:`build` checks each
member table's total against ``members.on_date`` and the period's changes against the members at
its start and end, and lists what does not agree (nothing, when the history is complete). Read only:
bytes out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Font

from dangvu import indicators
from dangvu.core import clock
from dangvu.core.numbers import decimal, thousands
from dangvu.core.partydoc import committee_name, number_line
from dangvu.core.periods import Period
from dangvu.plans.snapshots import stored
from dangvu.registry import selectors as registry

from . import docx as D
from .xlsx import XLSX_MIME, safe_append, save_workbook

if TYPE_CHECKING:
    from dangvu.registry.models import Organization

__all__ = ["XLSX_MIME", "StatsReport", "StatsTable", "build", "build_stored", "stats_docx", "stats_xlsx"]

TOTAL_KEY = "members.on_date"
ORG_TABLES = ("organizations.by_kind_on_date", "organizations.by_sector_on_date")
MEMBER_TABLES = (
    TOTAL_KEY,  # by status
    "members.by_gender_on_date",
    "members.by_age_band_on_date",
    "members.by_ethnicity_on_date",
    "members.by_religion_on_date",
    "members.by_education_on_date",
    "members.by_theory_on_date",
    "members.by_occupation_on_date",
    "members.by_party_age_band_on_date",
)
CHANGES_KEY = "members.changes_in_period"
# Rows of the changes table that add to the membership and that take from it.
ADDS = ("Kết nạp", "Chuyển đến (chuyển sinh hoạt chính thức)")
TAKES = ("Chuyển đi (chuyển sinh hoạt chính thức)", "Xóa tên", "Khai trừ", "Từ trần")
TITLES = {TOTAL_KEY: "Đảng viên theo trạng thái"}
HEADER = ["TT", "Chỉ tiêu", "Số lượng", "Tỷ lệ (%)"]
WIDTHS_CM = (1.2, 9.3, 3.0, 3.0)


@dataclass(frozen=True)
class StatsTable:
    key: str
    title: str
    rows: list[tuple[str, int]]
    total: int

    def share(self, n: int) -> float | None:
        """The row's share of the table's total in per cent (2 decimals); None when empty."""
        return round(100.0 * n / self.total, 2) if self.total else None


@dataclass
class StatsReport:
    org: Organization
    start: dt.date
    day: dt.date
    opening: int  # members on the day before ``start``
    org_tables: list[StatsTable]
    member_tables: list[StatsTable]
    changes: StatsTable
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.member_tables[0].total

    @property
    def title(self) -> str:
        return f"Thống kê đảng viên {self.org.name} đến ngày {self.day:%d/%m/%Y}"


def _table(key: str, org: Organization, period: Period) -> StatsTable:
    ind = indicators.get(key)
    value = ind(org, period)
    rows = [(label, int(n)) for label, n in (value.breakdown or {}).items()]
    return StatsTable(key, TITLES.get(key, ind.label), rows, int(value.value or 0))


def build(org: Organization, day: dt.date, start: dt.date | None = None) -> StatsReport:
    """The statistics of ``org``'s subtree on ``day``; changes from ``start`` (default 1 January of
    ``day``'s year) to ``day``. A day after today is read as today (nothing is recorded there yet)."""
    day = min(day, clock.today())
    start = start or dt.date(day.year, 1, 1)
    if start > day:
        raise ValueError("start after day")
    period = Period(start, day, f"{start:%d/%m/%Y}–{day:%d/%m/%Y}")
    before = start - dt.timedelta(days=1)
    opening = indicators.compute(TOTAL_KEY, org, Period(before, before)).value or 0
    report = StatsReport(
        org=org, start=start, day=day, opening=int(opening),
        org_tables=[_table(k, org, period) for k in ORG_TABLES],
        member_tables=[_table(k, org, period) for k in MEMBER_TABLES],
        changes=_table(CHANGES_KEY, org, period),
    )
    report.problems = check(report)
    return report


def build_stored(org: Organization, day: dt.date, start: dt.date | None = None) -> StatsReport:
    """:func:`build`, read back while nothing in the subtree has changed since it was built
    (:func:`dangvu.plans.snapshots.stored`): a province's tables read every member ten times over."""
    day = min(day, clock.today())
    start = start or dt.date(day.year, 1, 1)
    if start > day:
        raise ValueError("start after day")
    return stored("stats", org, f"{day}|{start}", lambda: build(org, day, start), _dump,
                  lambda value: _load(org, value))


def _dump(report: StatsReport) -> dict:
    def table(t: StatsTable) -> list:
        return [t.key, t.title, [list(r) for r in t.rows], t.total]
    return {"start": report.start.isoformat(), "day": report.day.isoformat(), "opening": report.opening,
            "org_tables": [table(t) for t in report.org_tables],
            "member_tables": [table(t) for t in report.member_tables],
            "changes": table(report.changes), "problems": report.problems}


def _load(org: Organization, value: dict) -> StatsReport:
    def table(row: list) -> StatsTable:
        key, title, rows, total = row
        return StatsTable(key, title, [(label, n) for label, n in rows], total)
    return StatsReport(org=org, start=dt.date.fromisoformat(value["start"]), day=dt.date.fromisoformat(value["day"]),
                       opening=value["opening"], org_tables=[table(t) for t in value["org_tables"]],
                       member_tables=[table(t) for t in value["member_tables"]],
                       changes=table(value["changes"]), problems=list(value["problems"]))


def check(report: StatsReport) -> list[str]:
    """What does not agree: a table whose rows do not sum to its total or whose total is not the
    members' total; the opening plus additions minus removals not equal to the closing total."""
    problems = []
    for t in [*report.org_tables, *report.member_tables, report.changes]:
        if sum(n for _, n in t.rows) != t.total:
            problems.append(f"Bảng «{t.title}»: các dòng cộng lại khác tổng số {t.total}.")
    for t in report.member_tables:
        if t.total != report.total:
            problems.append(f"Bảng «{t.title}»: tổng {t.total} khác số đảng viên {report.total}.")
    flows = dict(report.changes.rows)
    closing = report.opening + sum(flows.get(k, 0) for k in ADDS) - sum(flows.get(k, 0) for k in TAKES)
    if closing != report.total:
        problems.append(f"Đầu kỳ {report.opening}, cộng biến động trong kỳ ra {closing}, "
                        f"khác số cuối kỳ {report.total}.")
    return problems


def _pct(table: StatsTable, n: int) -> str:
    share = table.share(n)
    return decimal(share) if share is not None else "—"


def doc_rows(table: StatsTable, *, shares: bool = True) -> list[list[str]]:
    rows = [[str(i), label, thousands(n), _pct(table, n) if shares else ""]
            for i, (label, n) in enumerate(table.rows, start=1)]
    rows.append(["", "Tổng số", thousands(table.total), "100" if shares and table.total else ""])
    return rows


def stats_docx(report: StatsReport, *, signer_post: int | None = None) -> bytes:
    """The report in the party layout, issued by the organization's committee, signed by
    ``signer_post`` (default the secretary)."""
    org = report.org
    issuer = committee_name(org.name, org.is_cell)
    doc = D.new_document()
    D.org_header(doc, org, issuer=issuer, number_line=number_line("BC", issuer), on=report.day)
    D.title(doc, "BÁO CÁO THỐNG KÊ ĐẢNG VIÊN", f"Số liệu đến ngày {report.day:%d/%m/%Y}")
    D.paragraph(doc, f"{org.name} báo cáo số liệu tổ chức đảng và đảng viên đến ngày {report.day:%d/%m/%Y}; "
                     f"biến động từ ngày {report.start:%d/%m/%Y} đến ngày {report.day:%d/%m/%Y}.")
    D.heading(doc, "I. TỔ CHỨC ĐẢNG")
    for i, t in enumerate(report.org_tables, start=1):
        D.paragraph(doc, f"{i}. {t.title}")
        D.grid(doc, HEADER, doc_rows(t), widths=WIDTHS_CM)
    D.heading(doc, "II. ĐẢNG VIÊN")
    D.paragraph(doc, f"Tổng số đảng viên: {thousands(report.total)}.")
    for i, t in enumerate(report.member_tables, start=1):
        D.paragraph(doc, f"{i}. {t.title}")
        D.grid(doc, HEADER, doc_rows(t), widths=WIDTHS_CM)
    D.heading(doc, "III. BIẾN ĐỘNG ĐẢNG VIÊN TRONG KỲ")
    D.paragraph(doc, f"Đầu kỳ (ngày {report.start - dt.timedelta(days=1):%d/%m/%Y}): "
                     f"{thousands(report.opening)} đảng viên; cuối kỳ: {thousands(report.total)} đảng viên.")
    D.grid(doc, HEADER, doc_rows(report.changes, shares=False), widths=WIDTHS_CM)
    for line in report.problems:
        D.paragraph(doc, f"Lưu ý: {line}")
    upper = registry.parent_of(org)
    recipients = [f"Ban Tổ chức {committee_name(upper.name, upper.is_cell)}" if upper else "Cấp ủy cấp trên"]
    signer = D.signer_for(org, report.day, signer_post)
    D.recipients(doc, recipients, signer.capacity, signer.name,
                 archive="Lưu chi bộ" if org.is_cell else "Lưu văn phòng")
    return D.save(doc)


def stats_xlsx(report: StatsReport) -> bytes:
    """One sheet «Thống kê»: each table under its title (TT, row, count, share); numbers are
    numbers. Then the opening and closing totals of the period."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Thống kê"
    safe_append(ws, [report.title.upper()])
    ws["A1"].font = Font(bold=True, size=13)
    safe_append(ws, [f"Biến động từ ngày {report.start:%d/%m/%Y} đến ngày {report.day:%d/%m/%Y}"])
    sections = [("I. TỔ CHỨC ĐẢNG", report.org_tables), ("II. ĐẢNG VIÊN", report.member_tables),
                ("III. BIẾN ĐỘNG ĐẢNG VIÊN TRONG KỲ", [report.changes])]
    for heading, tables in sections:
        safe_append(ws, [])
        safe_append(ws, [heading])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        for t in tables:
            safe_append(ws, [t.title])
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True, italic=True)
            safe_append(ws, HEADER)
            for i, (label, n) in enumerate(t.rows, start=1):
                safe_append(ws, [i, label, n, t.share(n) if t is not report.changes else None])
            safe_append(ws, [None, "Tổng số", t.total, None])
            ws.cell(row=ws.max_row, column=2).font = Font(bold=True)
    safe_append(ws, [])
    safe_append(ws, [None, f"Đầu kỳ (ngày {report.start - dt.timedelta(days=1):%d/%m/%Y})", report.opening])
    safe_append(ws, [None, "Cuối kỳ", report.total])
    for line in report.problems:
        safe_append(ws, [None, f"Lưu ý: {line}"])
    for col, width in zip("ABCD", (6, 48, 12, 12), strict=True):
        ws.column_dimensions[col].width = width
    return save_workbook(wb)
