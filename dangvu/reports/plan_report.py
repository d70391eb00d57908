"""Báo cáo kết quả thực hiện Kế hoạch số …: the .docx in the party-document layout and the same
tables as .xlsx. Read only: figures come from :mod:`dangvu.plans.progress` (the indicator
registry, one series per binding of a target, or a target's manual measurements), the header's
upper organization and the signing secretary from :mod:`dangvu.plans.selectors`; these functions
return bytes and write nothing.

A target measured one way is one row whose text says how ("Đo bằng: …"); a target with several
bindings is a row with its overall status (the worst) followed by one row per binding, numbered
1.1, 1.2 …, each with its own value, forecast and status."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from docx.shared import Cm
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from dangvu.core import clock
from dangvu.core.partydoc import committee_name
from dangvu.core.plan_status import Status
from dangvu.plans import selectors as sel
from dangvu.plans.charts import CHART_WIDTH_CM, targets_pngs
from dangvu.plans.progress import (
    Series,
    TargetProgress,
    TaskRow,
    plan_progress,
    status_counts,
    task_counts,
    task_rows,
)

from . import docx as D
from .xlsx import safe_append, save_workbook

if TYPE_CHECKING:
    from dangvu.plans.models import Plan
    from dangvu.registry.models import Organization

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TARGET_HEADER = ["TT", "Chỉ tiêu", "Mục tiêu", "Kết quả", "Dự báo năm đến hạn", "Đánh giá"]
XLSX_TARGET_HEADER = ["TT", "Mục", "Chỉ tiêu", "Mục tiêu", "Đến năm", "Cách đo", "Phạm vi của cách đo", "Kết quả",
                      "Năm số liệu", "Dự báo", "Năm đến hạn", "Đánh giá theo cách đo", "Đánh giá chỉ tiêu"]
TASK_HEADER = ["TT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Tình trạng"]
# Column widths (cm) over the 16.5 cm of text: "TT" narrow, the target's or task's text wide.
TARGET_WIDTHS_CM = (1.2, 5.6, 2.3, 2.5, 2.5, 2.4)
TASK_WIDTHS_CM = (1.2, 6.3, 3.5, 2.5, 3.0)


@dataclass
class PlanReport:
    plan: Plan
    today: dt.date
    targets: list[TargetProgress]
    tasks: list[TaskRow]

    @property
    def title(self) -> str:
        plan = self.plan
        parts = [f"Kết quả thực hiện {plan.name}"]
        if plan.issued_on:
            parts.append(f", ngày {plan.issued_on:%d/%m/%Y}")
        parts.append(f" của {plan.issuer.name}")
        return "".join(parts)

    @property
    def number_line(self) -> str:
        """"Số   -BC/ĐU": the report's number is given when it is signed; the suffix follows the plan's."""
        m = re.search(r"-\s*[^/\s]+/(\S+)$", self.plan.number or "")
        return f"Số      -BC/{m.group(1) if m else 'ĐU'}"

    def target_rows(self) -> list[list[str]]:
        out = []
        for i, r in enumerate(self.targets, start=1):
            goal = r.goal + (f", đến năm {r.target.by}" if r.target.by else "")
            if not r.multiple:
                x = r.series[0]
                out.append([str(i), f"{r.target.text}\n{_how(x)}", goal, *_figures(x), r.status_label])
                continue
            out.append([str(i), f"{r.target.text}\nĐo bằng {len(r.series)} cách (đánh giá theo cách kém nhất):",
                        goal, "", "", r.status_label])
            for k, x in enumerate(r.series, start=1):
                out.append([f"{i}.{k}", _how(x), goal, *_figures(x), x.status_label])
        return out

    def chart_items(self) -> list[tuple[str, Series]]:
        """(caption, series) for the chart: one panel per target, or per binding of a target measured
        several ways."""
        return [(f"{i}.{k}. {x.title}" if r.multiple else f"{i}. {x.title}", x)
                for i, r in enumerate(self.targets, start=1) for k, x in enumerate(r.series, start=1)]

    def task_rows(self) -> list[list[str]]:
        out = []
        for i, r in enumerate(self.tasks, start=1):
            status = r.status_label
            if r.task.done_on:
                status += f" ({r.task.done_on:%d/%m/%Y})"
            out.append([str(i), r.task.title, r.task.lead_name or "—", r.task.deadline_text or "—", status])
        return out


def _how(x: Series) -> str:
    if x.binding is None:
        return "Đo bằng: nhập số liệu thủ công"
    return f"Đo bằng: {x.label}" + (f" — {x.params_text}" if x.params_text else "") + (
        " (chưa xác nhận)" if not x.confirmed else "")


def _figures(x: Series) -> list[str]:
    """The result and forecast cells of one series."""
    result = f"{x.value_text} (năm {x.year})" if x.value is not None else "Chưa có số liệu"
    if x.forecast_pending:
        fc = f"{x.forecast_text} (năm {x.due_year})"
    else:  # the due year's own value is in the result column
        fc = f"Đã đến hạn (năm {x.due_year})" if x.value is not None else "—"
    return [result, fc]


def build(plan: Plan, today: dt.date | None = None) -> PlanReport:
    today = today or clock.today()
    return PlanReport(plan=plan, today=today, targets=plan_progress(plan, today), tasks=task_rows(plan, today))


def _count_sentence(pairs: list[tuple[str, str, int]], total: int, what: str) -> str:
    parts = [f"{label.lower()}: {n}" for _, label, n in pairs if n]
    return f"Tổng số {total} {what}; " + ("; ".join(parts) if parts else "chưa có đánh giá") + "."


def plan_report_docx(report: PlanReport, *, signer_post: int | None = None) -> bytes:
    """The report in the party layout, issued by the plan's issuer (its committee) at the issuer's
    own place, signed by ``signer_post`` (a post id among the issuer's signers; default the
    secretary)."""
    plan = report.plan
    issuer = plan.issuer
    upper = sel.upper_organization(issuer)
    doc = D.new_document()
    D.org_header(doc, issuer, issuer=_committee(issuer), number_line=report.number_line, on=report.today)
    D.title(doc, "BÁO CÁO", report.title)
    D.paragraph(doc, f"Thực hiện {plan.name}" + (f" ({plan.title})" if plan.title else "") + ".")
    D.paragraph(doc, f"{issuer.name} báo cáo kết quả thực hiện đến ngày {report.today:%d/%m/%Y} như sau:")

    D.heading(doc, "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU")
    D.paragraph(doc, _count_sentence(status_counts(report.targets), len(report.targets), "chỉ tiêu"))
    D.grid(doc, TARGET_HEADER, report.target_rows(), widths=TARGET_WIDTHS_CM)
    pictures = targets_pngs(report.chart_items())
    if pictures:
        D.paragraph(doc, "Biểu đồ: số liệu các năm, dự báo năm đến hạn (cột viền nét đứt) và mục tiêu (đường nét đứt).")
    for png in pictures:
        doc.add_picture(io.BytesIO(png), width=Cm(CHART_WIDTH_CM))

    D.heading(doc, "II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ")
    D.paragraph(doc, _count_sentence(task_counts(report.tasks), len(report.tasks), "nhiệm vụ"))
    D.grid(doc, TASK_HEADER, report.task_rows(), widths=TASK_WIDTHS_CM)

    D.heading(doc, "III. ĐÁNH GIÁ CHUNG")
    met = [r for r in report.targets if r.status == Status.MET]
    behind = [r for r in report.targets if r.status in (Status.AT_RISK, Status.MISSED)]
    overdue = [r for r in report.tasks if r.status == "overdue"]
    D.paragraph(doc, f"1. Ưu điểm: {len(met)}/{len(report.targets)} chỉ tiêu đã đạt"
                      + (f" ({'; '.join(r.target.text for r in met[:6])})" if met else "") + ".")
    weak = []
    if behind:
        weak.append(f"{len(behind)} chỉ tiêu chưa đạt hoặc có nguy cơ không đạt ("
                    + "; ".join(f"{r.target.text}: " + ", ".join(
                        (f"{x.how} {x.value_text}" if r.multiple else x.value_text) for x in r.series
                        if x.status in (Status.AT_RISK, Status.MISSED)) for r in behind[:6]) + ")")
    if overdue:
        weak.append(f"{len(overdue)} nhiệm vụ quá hạn chưa hoàn thành")
    D.paragraph(doc, "2. Hạn chế: " + ("; ".join(weak) if weak else "không có chỉ tiêu, nhiệm vụ chậm tiến độ") + ".")

    D.heading(doc, "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI")
    lines = [f"Tập trung lãnh đạo, chỉ đạo để đạt chỉ tiêu «{r.target.text}» (mục tiêu {r.goal})." for r in behind]
    lines += [f"Khẩn trương hoàn thành nhiệm vụ «{r.task.title}» ({r.task.lead_name or 'chưa giao chủ trì'})."
              for r in overdue]
    lines = lines or ["Tiếp tục duy trì kết quả đạt được, thực hiện các nhiệm vụ theo kế hoạch."]
    for i, line in enumerate(lines[:12], start=1):
        D.paragraph(doc, f"{i}. {line}")

    cell = issuer.is_cell
    recipients = [f"Ban Thường vụ {_committee(upper)}" if upper else "Cấp ủy cấp trên",
                  "Đảng viên trong chi bộ" if cell else "Các đồng chí cấp ủy viên"]
    if not cell:
        recipients.append("Các chi bộ trực thuộc")
    signer = D.signer_for(issuer, report.today, signer_post)
    D.recipients(doc, recipients, signer.capacity, signer.name, archive="Lưu chi bộ" if cell else "Lưu văn phòng")
    return D.save(doc)


def _committee(org: Organization) -> str:
    """The committee that issues for ``org`` (:func:`dangvu.core.partydoc.committee_name`)."""
    return committee_name(org.name, org.is_cell)


def _header(ws, row: int, titles: list[str]) -> None:
    safe_append(ws, titles)
    for cell in ws[row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="A50E0E")
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def plan_report_xlsx(report: PlanReport) -> bytes:
    """Sheet «Chỉ tiêu» — one row per way a target is measured (its indicator and parameters in
    Vietnamese, the raw value, the year, the forecast, that binding's status and the target's) —
    and sheet «Nhiệm vụ»; numbers are numbers, not text."""
    plan = report.plan
    wb = Workbook()
    ws = wb.active
    ws.title = "Chỉ tiêu"
    safe_append(ws, [f"BÁO CÁO {report.title.upper()}"])
    ws["A1"].font = Font(bold=True, size=13)
    safe_append(ws, [f"{plan.title} — số liệu đến ngày {report.today:%d/%m/%Y}"])
    safe_append(ws, [])
    _header(ws, 4, XLSX_TARGET_HEADER)
    for i, r in enumerate(report.targets, start=1):
        for k, x in enumerate(r.series, start=1):
            how = x.label if x.binding is not None else "Nhập số liệu thủ công"
            safe_append(ws, [f"{i}.{k}" if r.multiple else i, r.target.section, r.target.text, r.goal,
                             r.target.by, how, x.params_text or None, x.value, x.year, x.forecast, x.due_year,
                             x.status_label, r.status_label])
            for cell in ws[ws.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCDEFGHIJKLM", (6, 8, 60, 12, 9, 40, 30, 10, 10, 10, 10, 22, 22), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "C5"
    tasks = wb.create_sheet("Nhiệm vụ")
    _header(tasks, 1, ["TT", "Số", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Tình trạng",
                       "Ngày hoàn thành"])
    for i, r in enumerate(report.tasks, start=1):
        t = r.task
        safe_append(tasks, [i, t.label, t.title, t.lead_name, t.support, t.deadline_text, r.status_label,
                            t.done_on])
        if t.done_on:
            tasks.cell(row=tasks.max_row, column=8).number_format = "DD/MM/YYYY"
    for col, width in zip("ABCDEFGH", (5, 8, 60, 30, 30, 16, 16, 14), strict=True):
        tasks.column_dimensions[col].width = width
    return save_workbook(wb)
