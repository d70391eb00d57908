"""Forms of the evaluation pages. Messages are Vietnamese; the services re-check every rule."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from dangvu.common.forms import Form
from dangvu.core import clock

from .models import GradeChoice, SubjectKind

GRADE_CHOICES = [("", "— chọn mức xếp loại —")] + list(GradeChoice.choices)


class PointsField(forms.DecimalField):
    """A number between ``min_value`` and ``max_value`` with Vietnamese messages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        self.error_messages.update({
            "invalid": "Hãy nhập một số (ví dụ 7 hoặc 7,5).",
            "min_value": f"Không được nhỏ hơn {low:g}." if low is not None else "Giá trị quá nhỏ.",
            "max_value": f"Không được lớn hơn {high:g}." if high is not None else "Giá trị quá lớn.",
        })
        self.widget.attrs.update({"inputmode": "decimal", "step": "0.5"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class OpenRoundForm(Form):
    subject_kind = forms.ChoiceField(label="Đối tượng đánh giá", choices=SubjectKind.choices,
                                     initial=SubjectKind.MEMBER)
    year = forms.IntegerField(label="Năm đánh giá")
    quarter = forms.ChoiceField(label="Quý (chỉ với đảng viên giữ chức vụ)", required=False,
                                choices=[("", "— cả năm —"), ("1", "Quý 1"), ("2", "Quý 2"), ("3", "Quý 3"),
                                         ("4", "Quý 4")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = clock.today().year
        self.fields["year"].initial = this_year
        self.fields["year"].error_messages["invalid"] = "Hãy nhập năm bằng số, ví dụ 2025."

    def clean_year(self):
        year = self.cleaned_data["year"]
        this_year = clock.today().year
        if not 2000 <= year <= this_year:
            raise forms.ValidationError(f"Năm đánh giá phải từ 2000 đến {this_year}.")
        return year

    def clean_quarter(self):
        value = self.cleaned_data.get("quarter")
        return int(value) if value else None


class SelfAssessmentForm(Form):
    """One points field per criterion of the round's sheet, the self-proposed grade, task shares."""

    self_grade = forms.ChoiceField(label="Tự xếp loại", choices=GRADE_CHOICES)
    tasks_on_time_pct = PointsField(label="Tỷ lệ nhiệm vụ hoàn thành đúng hạn (%)", min_value=0, max_value=100,
                                    required=False, help_text="Để trống nếu không theo dõi.")
    tasks_exceeding_pct = PointsField(label="Tỷ lệ nhiệm vụ hoàn thành vượt mức (%)", min_value=0, max_value=100,
                                      required=False)
    targets_met_pct = PointsField(label="Tỷ lệ chỉ tiêu, nhiệm vụ đạt (%)", min_value=0, max_value=100,
                                  required=False, help_text="Dưới 50% thì không hoàn thành nhiệm vụ.")
    disunity = forms.BooleanField(label="Nội bộ mất đoàn kết", required=False)

    def __init__(self, *args, criteria: list[dict], collective: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"c_{c['code']}"] = PointsField(label=f"{c['label']} (tối đa {c['max']:g} điểm)",
                                                        min_value=Decimal(0), max_value=Decimal(str(c["max"])))
            self.fields[f"c_{c['code']}"].error_messages["required"] = "Mục này không được để trống."
        order = [f"c_{c['code']}" for c in criteria] + ["self_grade", "tasks_on_time_pct", "tasks_exceeding_pct",
                                                         "targets_met_pct", "disunity"]
        if not collective:
            order.remove("disunity")
            del self.fields["disunity"]
        self.order_fields(order)

    def points(self) -> dict[str, Decimal]:
        return {c["code"]: self.cleaned_data[f"c_{c['code']}"] for c in self.criteria}


class ProposalForm(Form):
    grade = forms.ChoiceField(label="Chi bộ đề xuất xếp loại", choices=GRADE_CHOICES)
    note = forms.CharField(label="Nhận xét của chi bộ", max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(Form):
    grade = forms.ChoiceField(label="Cấp ủy quyết định xếp loại", choices=GRADE_CHOICES)
    reason = forms.CharField(label="Lý do (bắt buộc khi chi bộ chưa đề xuất)", max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmForm(Form):
    """A confirmation button: the POST itself is the action."""


SHORT_GRADES = [("excellent", "Xuất sắc"), ("good", "Tốt"), ("fulfilled", "Hoàn thành"),
                ("unfulfilled", "Không hoàn thành")]
"""The four grades in a word or two: four fit side by side on a phone (the page spells them out once)."""


class CellProposalForm(Form):
    """The cell's proposal for every member of the cell at once: one row of four large choices per
    evaluation (``g<id>``), prefilled with the proposal made, else the self-assessed grade, else the
    grade the points give. Rows without a self-assessment cannot take a proposal yet: they are
    shown without choices."""

    def __init__(self, *args, evaluations, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for ev in evaluations:
            name = f"g{ev.pk}"
            open_row = ev.self_at is not None
            if open_row:
                self.fields[name] = forms.ChoiceField(
                    label=ev.subject_name, choices=SHORT_GRADES, required=False,
                    widget=forms.RadioSelect, initial=ev.proposed_grade or ev.self_grade or ev.computed_grade,
                    error_messages={"invalid_choice": "Lựa chọn không hợp lệ."})  # added after the base's messages
            self.rows.append((ev, self[name] if open_row else None))

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in self.fields):
            raise forms.ValidationError("Chưa chọn mức xếp loại nào: hãy chọn cho ít nhất một người.")
        return data

    def grades(self) -> dict[int, str]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items() if value}
