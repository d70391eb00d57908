"""Báo cáo kết quả công tác xây dựng Đảng 6 tháng, năm, nhiệm kỳ (issue 18, point 2): an editable
.docx draft in the party layout (Hướng dẫn 36-HD/VPTW via :mod:`.docx`) with the numbers filled in
and the prose left to the committee.

I. Đặc điểm tình hình (organizations, members); II. Kết quả: 1. the targets and tasks of the plan
in force for the period (:mod:`dangvu.plans.progress`), then the sections of
:mod:`.periodic_sections` (meetings, grading, admission, fees, inspection, alerts), each a list of
indicator values for the organization's subtree and the period; III. Đánh giá chung and IV.
Phương hướng as italic placeholders the committee writes over. Every number comes from the
indicator registry. Read only: bytes out.

Periods: ``2026-H1`` (January–June), ``2026-H2`` (July–December), ``2026`` (the year) and ``term``
(the organization's congress term in force: from the opening of its latest congress recorded, to
the end of the term's last year; none recorded → refused)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dangvu.congress import selectors as congress
from dangvu.core import clock
from dangvu.core.numbers import thousands
from dangvu.core.partydoc import committee_name, number_line
from dangvu.core.periods import Period
from dangvu.core.rulesets import ruleset_for
from dangvu.plans import selectors as plans
from dangvu.plans.models import OVERDUE, TASK_STATUS_LABELS
from dangvu.plans.progress import TargetProgress, TaskRow, plan_progress, task_counts, task_rows
from dangvu.registry import selectors as registry

from . import docx as D
from .periodic_sections import (
    HALF,
    RESULTS,
    SECTION_EMPTY,
    SITUATION,
    TERM,
    YEAR,
    SectionResult,
    compute_section,
)

if TYPE_CHECKING:
    from dangvu.plans.models import Plan
    from dangvu.registry.models import Organization

__all__ = ["PeriodError", "PeriodicReport", "ReportPeriod", "build", "parse_period", "periodic_docx", "report_periods"]

PLACEHOLDER_ASSESSMENT = [
    ("1. Ưu điểm", "[Cấp ủy viết nhận xét về những ưu điểm, kết quả nổi bật trong kỳ…]"),
    ("2. Hạn chế, khuyết điểm", "[Cấp ủy viết nhận xét về những hạn chế, khuyết điểm…]"),
    ("3. Nguyên nhân và bài học kinh nghiệm", "[Cấp ủy viết nhận xét về nguyên nhân của hạn chế và bài học…]"),
]
PLACEHOLDER_DIRECTIONS = "[Cấp ủy viết phương hướng, nhiệm vụ và giải pháp trọng tâm của kỳ tới…]"
TARGET_HEADER = ["TT", "Chỉ tiêu", "Mục tiêu", "Kết quả", "Đánh giá"]
TARGET_WIDTHS_CM = (1.2, 7.3, 2.6, 2.7, 2.7)
OVERDUE_LISTED = 10
_PERIOD = re.compile(r"^\s*(\d{4})(?:\s*-\s*[Hh]([12]))?\s*$")
_TERM_TEXT = re.compile(r"^\s*(\d{4})\s*[-–]\s*(\d{4})\s*$")


class PeriodError(ValueError):
    """A period the report cannot be made for; the message is plain Vietnamese."""


@dataclass(frozen=True)
class ReportPeriod:
    key: str  # "2026-H1", "2026", "term"
    kind: str  # HALF, YEAR or TERM
    period: Period

    @property
    def phrase(self) -> str:
        """"6 tháng đầu năm 2026", "năm 2026", "nhiệm kỳ 2025–2030"."""
        return self.period.label


def _half(year: int, h: int) -> Period:
    start, end = (dt.date(year, 1, 1), dt.date(year, 6, 30)) if h == 1 else (dt.date(year, 7, 1),
                                                                            dt.date(year, 12, 31))
    return Period(start, end, f"6 tháng {'đầu' if h == 1 else 'cuối'} năm {year}")


def term_period(org: Organization, today: dt.date) -> Period | None:
    """``org``'s term in force on ``today``: from the opening day of its latest congress recorded
    (Điều lệ Đảng, Điều 13, 15: a term runs from one congress to the next) to 31 December of the
    term's last year; None when no congress is recorded or the recorded term has ended."""
    cg = congress.term_congress(org, today)
    m = _TERM_TEXT.match(cg.term) if cg is not None else None
    if m is None:
        return None
    first, last = int(m.group(1)), int(m.group(2))
    if last < today.year:
        return None
    return Period(cg.starts_on, dt.date(last, 12, 31), f"nhiệm kỳ {first}–{last}")


def parse_period(text: str, org: Organization, today: dt.date | None = None) -> ReportPeriod:
    """``2026-H1``, ``2026-H2``, ``2026`` or ``term``; raises :class:`PeriodError` for anything else,
    a period not begun yet, or a term with no congress recorded."""
    today = today or clock.today()
    raw = (text or "").strip()
    if raw.lower() in ("term", "nhiem-ky", "nhiệm kỳ"):
        period = term_period(org, today)
        if period is None:
            raise PeriodError(f"Chưa ghi đại hội nhiệm kỳ hiện tại của {org.name}: chưa lập được báo cáo nhiệm kỳ. "
                              "Hãy ghi đại hội ở mục Đại hội, hoặc chọn báo cáo 6 tháng, năm.")
        return ReportPeriod("term", TERM, period)
    m = _PERIOD.match(raw)
    if m is None:
        raise PeriodError(f"Kỳ báo cáo phải là 6 tháng (2026-H1, 2026-H2), một năm (2026) hoặc nhiệm kỳ (term), "
                          f"không phải «{raw[:20]}».")
    year = int(m.group(1))
    first = int(ruleset_for(today)["congress.first_term_year"])  # nothing is recorded before the Party's founding
    if year < first:
        raise PeriodError(f"Năm báo cáo {year} quá sớm: hãy chọn từ năm {first} trở đi.")
    if m.group(2):
        rp = ReportPeriod(f"{year}-H{m.group(2)}", HALF, _half(year, int(m.group(2))))
    else:
        rp = ReportPeriod(str(year), YEAR, Period.year(year))
    if rp.period.start > today:
        raise PeriodError(f"Kỳ {rp.phrase} chưa bắt đầu: chưa có số liệu để báo cáo.")
    return rp


def report_periods(org: Organization, today: dt.date) -> list[tuple[str, str]]:
    """The periods offered on the page, latest first: this year's halves begun so far and the
    year, last year's, and the term when one is recorded — (value, label)."""
    out = []
    for year in (today.year, today.year - 1):
        if year < today.year or today.month >= 7:
            out.append((f"{year}-H2", f"6 tháng cuối năm {year}"))
        out.append((f"{year}-H1", f"6 tháng đầu năm {year}"))
        out.append((str(year), f"Năm {year}"))
    term = term_period(org, today)
    if term is not None:
        out.append(("term", term.label[0].upper() + term.label[1:]))
    return out


@dataclass
class PlanPart:
    plan: Plan | None
    targets: list[TargetProgress]
    tasks: list[TaskRow]


@dataclass
class PeriodicReport:
    org: Organization
    rp: ReportPeriod
    today: dt.date
    situation: SectionResult
    plan: PlanPart
    sections: list[SectionResult]

    @property
    def has_data(self) -> bool:
        """Whether any work of the period is recorded: a plan in force or a figure of the results
        (the organization's own make-up and the alerts exist without any)."""
        return self.plan.plan is not None or any(s.has_data for s in self.sections if s.section.activity)


def _plan_part(org: Organization, period: Period) -> PlanPart:
    """The organization's active plan covering the period's reading year, its targets as of the
    period's reading day and its tasks."""
    plan = plans.current_plan(org, period.as_of.year)
    if plan is None or plan.start_year > period.end.year or plan.end_year < period.start.year:
        return PlanPart(None, [], [])
    return PlanPart(plan, plan_progress(plan, period.as_of), [_task_on(r, period.as_of) for r in
                                                             task_rows(plan, period.as_of)])


def _task_on(row: TaskRow, day: dt.date) -> TaskRow:
    """The task as it stood on ``day``: one done later was still open then (overdue when its
    deadline had passed), so a past period's report does not count work done after it."""
    task = row.task
    if task.status != "done" or task.done_on is None or task.done_on <= day:
        return row
    late = task.ends_on is not None and task.ends_on < day
    status = OVERDUE if late else "in_progress"
    return TaskRow(task, status, TASK_STATUS_LABELS[status], (day - task.ends_on).days if late else 0)


def build(org: Organization, rp: ReportPeriod, today: dt.date | None = None) -> PeriodicReport:
    """The report's figures for ``org``'s subtree over ``rp``."""
    today = today or clock.today()
    period = rp.period
    sections = [compute_section(s, org, period) for s in RESULTS if rp.kind in s.kinds]
    return PeriodicReport(org, rp, today, compute_section(SITUATION, org, period), _plan_part(org, period), sections)


# -- the .docx ---------------------------------------------------------------------------------

def _placeholder(doc, text: str) -> None:
    """An italic "[Cấp ủy viết …]" paragraph: plain text the committee selects and writes over."""
    doc.add_paragraph().add_run(D.xml_text(text)).italic = True


def _lines(doc, result: SectionResult) -> None:
    """The section's figures, one paragraph each, the breakdown under it; or why there are none."""
    s = result.section
    if not result.lines:
        D.paragraph(doc, s.missing or SECTION_EMPTY)
        return
    for line in result.lines:
        D.paragraph(doc, f"- {line.label}: {line.text}.")
        for label, n in line.parts:
            D.paragraph(doc, f"   + {label}: {thousands(n)}.")
    if not result.has_data:
        D.paragraph(doc, SECTION_EMPTY)


def _plan_section(doc, part: PlanPart, period: Period, today: dt.date) -> None:
    if part.plan is None:
        D.paragraph(doc, "Trong kỳ không có kế hoạch nào của cấp ủy đang thực hiện được ghi trong hệ thống.")
        return
    plan = part.plan
    D.paragraph(doc, f"Thực hiện {plan.name}" + (f" ({plan.title})" if plan.title else "") + ":")
    # A plan's targets are yearly (or over the term): the figure is the year's so far, whatever
    # part of the year the report covers.
    year = period.as_of.year
    D.paragraph(doc, f"Kết quả các chỉ tiêu là số liệu năm {year} tính đến ngày "
                     f"{min(dt.date(year, 12, 31), today):%d/%m/%Y} (chỉ tiêu nhiệm kỳ: cộng dồn từ đầu kế hoạch).")
    if part.targets:
        rows = [[str(i), r.target.text, r.goal, r.value_text if r.value is not None else "Chưa có số liệu",
                 r.status_label] for i, r in enumerate(part.targets, start=1)]
        D.grid(doc, TARGET_HEADER, rows, widths=TARGET_WIDTHS_CM)
    else:
        D.paragraph(doc, "Kế hoạch chưa có chỉ tiêu.")
    counts = {key: n for key, _label, n in task_counts(part.tasks)}
    D.paragraph(doc, f"- Nhiệm vụ: {len(part.tasks)} nhiệm vụ; đã hoàn thành {counts.get('done', 0)}; đang thực hiện "
                     f"{counts.get('in_progress', 0)}; chưa bắt đầu {counts.get('not_started', 0)}; quá hạn chưa hoàn "
                     f"thành {counts.get(OVERDUE, 0)}.")
    late = [r for r in part.tasks if r.status == OVERDUE]
    for r in late[:OVERDUE_LISTED]:
        D.paragraph(doc, f"   + Quá hạn: {r.task.title} (thời hạn {r.task.deadline_text or '—'}).")


def _intro(doc, report: PeriodicReport, issuer: str) -> None:
    p = report.rp.period
    span = f"từ ngày {p.start:%d/%m/%Y} đến ngày {p.end:%d/%m/%Y}"
    if p.as_of < p.end:
        span += f"; số liệu tính đến ngày {p.as_of:%d/%m/%Y}"
    D.paragraph(doc, f"{issuer} báo cáo kết quả công tác xây dựng Đảng {report.rp.phrase} ({span}) như sau:")
    if not report.has_data:
        D.paragraph(doc, "Lưu ý: hệ thống chưa có số liệu nào của kỳ báo cáo này; các mục dưới đây để cấp ủy "
                         "tự điền.")


def periodic_docx(report: PeriodicReport, *, signer_post: int | None = None) -> bytes:
    """The draft in the party layout, issued by the organization's committee, signed by
    ``signer_post`` (default the secretary). Plain paragraphs and one table: nothing locked."""
    org = report.org
    issuer = committee_name(org.name, org.is_cell)
    doc = D.new_document()
    D.org_header(doc, org, issuer=issuer, number_line=number_line("BC", issuer), on=report.today)
    D.title(doc, "BÁO CÁO", f"Kết quả công tác xây dựng Đảng {report.rp.phrase}")
    _intro(doc, report, issuer)
    D.heading(doc, "I. ĐẶC ĐIỂM TÌNH HÌNH")
    _lines(doc, report.situation)
    D.heading(doc, "II. KẾT QUẢ THỰC HIỆN")
    D.heading(doc, "1. Thực hiện các chỉ tiêu, nhiệm vụ của kế hoạch")
    _plan_section(doc, report.plan, report.rp.period, report.today)
    for n, result in enumerate(report.sections, start=2):
        suffix = f" (kết quả năm {result.period.end.year})" if result.section.yearly and report.rp.kind == TERM else ""
        D.heading(doc, f"{n}. {result.section.heading}{suffix}")
        _lines(doc, result)
    D.heading(doc, "III. ĐÁNH GIÁ CHUNG")
    for heading, text in PLACEHOLDER_ASSESSMENT:
        D.paragraph(doc, heading)
        _placeholder(doc, text)
    D.heading(doc, "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI")
    _placeholder(doc, PLACEHOLDER_DIRECTIONS)
    upper = registry.parent_of(org)
    recipients = [f"Ban Thường vụ {committee_name(upper.name, upper.is_cell)}" if upper else "Cấp ủy cấp trên",
                  "Đảng viên trong chi bộ" if org.is_cell else "Các đồng chí cấp ủy viên"]
    signer = D.signer_for(org, report.today, signer_post)
    D.recipients(doc, recipients, signer.capacity, signer.name, archive="Lưu chi bộ" if org.is_cell else "Lưu văn phòng")
    return D.save(doc)
