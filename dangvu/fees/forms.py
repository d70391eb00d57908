"""Fees forms: the month's book (one row per member, exceptions to "all paid as due"), a
correction, a member's fee basis, and the Excel upload.

The book form follows the monthly meeting routine: ``k<id>`` is what the collector says about a
member (a tap on the name steps through the choices, book.js; without the script, a list beside
the name), ``a<id>`` an amount, ``n<id>`` a number of months, ``r<id>`` a reason.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms

from dangvu.common.forms import Form, MoneyField, VNDateField, not_future
from dangvu.common.uploads import LimitedFileField
from dangvu.core.fees import CATEGORY_LABELS, FeeCategory

from .selectors import BookRow
from .services import BookLine, LineKind

# What a tap on a name steps through, by the row's situation (the first is the row's default).
DUE_CHOICES = [("paid", "Nộp đủ"), ("unpaid", "Chưa nộp"), ("partial", "Nộp thiếu"),
               ("ahead", "Nộp trước nhiều tháng"), ("excused", "Chưa nộp, có lý do"),
               ("more", "Nộp nhiều hơn (tự nguyện)")]
NO_BASIS_CHOICES = [("unpaid", "Chưa nộp"), ("paid", "Đã nộp (ghi số tiền)"), ("excused", "Chưa nộp, có lý do")]
RECORDED_CHOICES = [("keep", "Đã ghi"), ("add", "Nộp thêm")]
NEEDS_AMOUNT = {"partial", "more", "add"}
AHEAD_DEFAULT = 3  # a quarter: what members paying ahead usually pay (a starting value, not a rule)


def row_choices(row: BookRow) -> list[tuple[str, str]]:
    if row.entries:
        return RECORDED_CHOICES
    return DUE_CHOICES if row.due is not None else NO_BASIS_CHOICES


class BookForm(Form):
    collected_by = forms.ModelChoiceField(label="Người thu", queryset=None, required=False,
                                          empty_label="— chưa ghi —")
    collected_on = VNDateField(label="Ngày thu", required=False, validators=[not_future])

    def __init__(self, *args: Any, rows: list[BookRow] = (), members=None, **kwargs: Any) -> None:
        self.rows = list(rows)
        extra: dict[str, forms.Field] = {}
        for row in self.rows:
            pk, choices = row.member.pk, row_choices(row)
            extra[f"k{pk}"] = forms.ChoiceField(label=row.member.full_name, choices=choices, initial=choices[0][0],
                                                required=False)
            extra[f"a{pk}"] = MoneyField(label="Số tiền (đồng)", required=False)
            extra[f"n{pk}"] = forms.IntegerField(label="Số tháng", min_value=2, max_value=120, required=False,
                                                 initial=AHEAD_DEFAULT)
            extra[f"r{pk}"] = forms.CharField(label="Lý do", max_length=255, required=False)
        self.base_fields = type(self).base_fields | extra  # before __init__: the base form's messages apply
        super().__init__(*args, **kwargs)
        self.fields["collected_by"].queryset = members
        self.fields["collected_by"].label_from_instance = lambda m: m.full_name

    def members(self) -> list[tuple]:
        """(row, kind field, amount, months, reason, the kind it shows, its choices) per row."""
        out = []
        for row in self.rows:
            pk = row.member.pk
            kind = self[f"k{pk}"]
            out.append((row, kind, self[f"a{pk}"], self[f"n{pk}"], self[f"r{pk}"],
                        kind.value() or row_choices(row)[0][0], row_choices(row)))
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for row in self.rows:
            pk, name = row.member.pk, row.member.full_name
            kind = data.get(f"k{pk}") or row_choices(row)[0][0]
            needs_amount = kind in NEEDS_AMOUNT or (kind == "paid" and row.due is None)
            if needs_amount and data.get(f"a{pk}") is None and f"a{pk}" not in self.errors:
                self.add_error(f"a{pk}", f"Ghi số tiền đồng chí {name} đã nộp.")
            if kind == "ahead" and data.get(f"n{pk}") is None and f"n{pk}" not in self.errors:
                self.add_error(f"n{pk}", f"Ghi số tháng đồng chí {name} nộp trước.")
            if kind == "excused" and not data.get(f"r{pk}") and f"r{pk}" not in self.errors:
                self.add_error(f"r{pk}", f"Cần ghi lý do chưa nộp của đồng chí {name}.")
        return data

    def lines(self) -> dict[int, BookLine]:
        """The exceptions to "all paid as due", as :func:`~dangvu.fees.services.record_book` takes them."""
        out: dict[int, BookLine] = {}
        for row in self.rows:
            pk = row.member.pk
            kind = self.cleaned_data.get(f"k{pk}") or row_choices(row)[0][0]
            amount = self.cleaned_data.get(f"a{pk}")
            if kind in ("keep",) or (kind == "paid" and row.due is not None):
                continue  # "all paid" covers it, or it is already in the book
            if kind == "add":
                due = row.due.due if row.due else None
                out[pk] = BookLine(LineKind.PARTIAL if due is not None and amount < due else LineKind.PAID, amount)
            elif kind in {"more", "paid"}:
                out[pk] = BookLine(LineKind.PAID, amount)
            elif kind == "partial":
                out[pk] = BookLine(LineKind.PARTIAL, amount)
            elif kind == "ahead":
                out[pk] = BookLine(LineKind.AHEAD, months=self.cleaned_data.get(f"n{pk}") or AHEAD_DEFAULT)
            elif kind == "excused":
                out[pk] = BookLine(LineKind.EXCUSED, reason=self.cleaned_data.get(f"r{pk}", ""))
            else:
                out[pk] = BookLine(LineKind.UNPAID)
        return out


class CorrectionForm(Form):
    amount = MoneyField(label="Số tiền đúng (đồng)")
    reason = forms.CharField(label="Lý do đính chính", max_length=255)


_MONTH_FORMS = (re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})(?:-\d{1,2})?$"), re.compile(r"^(?P<m>\d{1,2})/(?P<y>\d{4})$"),
                re.compile(r"^\d{1,2}/(?P<m>\d{1,2})/(?P<y>\d{4})$"))


def month_input(value: Any) -> dt.date | None:
    """A month typed as 2026-11 (the browser's month picker), 11/2026, or a day of it."""
    text = str(value or "").strip()
    for pattern in _MONTH_FORMS:
        if (m := pattern.match(text)) and 1 <= int(m["m"]) <= 12:
            return dt.date(int(m["y"]), int(m["m"]), 1)
    return None


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"})

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        month = month_input(text)
        if month is None or not dt.date(2000, 1, 1) <= month <= dt.date(2100, 12, 1):
            raise forms.ValidationError("Ghi tháng dạng 11/2026 (tháng/năm).", code="invalid")
        return month

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, dt.date) else value


class BasisForm(Form):
    category = forms.ChoiceField(label="Đối tượng", choices=[(c.value, CATEGORY_LABELS[c]) for c in FeeCategory])
    base = MoneyField(label="Khoản tính đảng phí (đồng/tháng)",
                      help_text="Lương, phụ cấp đóng BHXH; lương hưu; tiền lương; hoặc mức chi bộ quy định "
                                "cho đảng viên khác. Gõ 7.350.000 hay 7350000 đều được.")
    past_working_age = forms.BooleanField(label="Quá tuổi lao động", required=False)
    starts_on = MonthField(label="Áp dụng từ tháng")
    note = forms.CharField(label="Ghi chú", max_length=255, required=False)


class FeeImportForm(Form):
    file = LimitedFileField(
        label="Tệp Excel (.xlsx)", limit="DANGVU_MAX_UPLOAD_BYTES",
        help_text="Dùng tệp mẫu; mỗi dòng một khoản nộp của một đảng viên trong một tháng.",
        error_messages={"required": "Hãy chọn tệp Excel (.xlsx) để tải lên."})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = (
            ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
