"""Forms of the discipline pages: opening a case and each step of the procedure."""

from __future__ import annotations

from django import forms

from dangvu.common.forms import Form, VNDateField, not_future
from dangvu.core.rulesets import ruleset_for
from dangvu.registry.models import DisciplineForm

from .models import AppealOutcome

NO_GROUND = "none"  # the select's explicit "no grave ground" (an empty answer is a missing one)
MEMBER_FORMS = [(v, label) for v, label in DisciplineForm.choices if v != "dissolution"]


def _forms_for(status: str, on=None) -> list[tuple[str, str]]:
    rs = ruleset_for(on)
    allowed = rs["discipline.forms_probationary" if status == "probationary" else "discipline.forms_member"]
    return [(v, label) for v, label in MEMBER_FORMS if v in allowed]


class OpenCaseForm(Form):
    violation_on = VNDateField(label="Ngày vi phạm", validators=[not_future])
    summary = forms.CharField(label="Nội dung vi phạm", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    origin = forms.CharField(label="Nguồn vụ việc (kết luận kiểm tra, đơn thư, chi bộ phát hiện…)",
                             max_length=255, required=False)
    opened_on = VNDateField(label="Ngày mở vụ việc (để trống: hôm nay)", required=False, validators=[not_future])


class CircumstancesForm(Form):
    grave_ground = forms.ChoiceField(label="Vi phạm không áp dụng thời hiệu")
    child_born_on = VNDateField(label="Đảng viên đang nuôi con nhỏ: ngày sinh của con", required=False,
                                validators=[not_future])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grounds = ruleset_for(None)["discipline.no_limitation_grounds"]
        self.fields["grave_ground"].choices = [(NO_GROUND, "Không (áp dụng thời hiệu theo hình thức)"),
                                               *grounds.items()]

    def clean_grave_ground(self) -> str:
        value = self.cleaned_data["grave_ground"]
        return "" if value == NO_GROUND else value


class SelfReviewForm(Form):
    on = VNDateField(label="Ngày tự kiểm điểm", validators=[not_future])
    text = forms.CharField(label="Nội dung bản tự kiểm điểm", widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=4000, required=False)
    refused = forms.BooleanField(label="Đảng viên không tự kiểm điểm", required=False)


class CellVoteForm(Form):
    on = VNDateField(label="Ngày chi bộ họp", validators=[not_future])
    form = forms.ChoiceField(label="Hình thức chi bộ đề nghị")
    full_members = forms.IntegerField(label="Số đảng viên chính thức của chi bộ", min_value=1, max_value=9999)
    in_favour = forms.IntegerField(label="Số tán thành", min_value=0, max_value=9999)
    against = forms.IntegerField(label="Số không tán thành", min_value=0, max_value=9999)

    def __init__(self, *args, status: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = _forms_for(status)


class DecisionForm(Form):
    on = VNDateField(label="Ngày quyết định", validators=[not_future])
    form = forms.ChoiceField(label="Hình thức kỷ luật", required=False)
    decision_number = forms.CharField(label="Số quyết định", max_length=60, required=False)
    effective_on = VNDateField(label="Ngày có hiệu lực (để trống: ngày quyết định)", required=False)
    received_on = VNDateField(label="Ngày đảng viên nhận quyết định", required=False, validators=[not_future])

    def __init__(self, *args, status: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].choices = [*_forms_for(status), ("", "Không kỷ luật")]


class CloseForm(Form):
    on = VNDateField(label="Ngày dừng xem xét", validators=[not_future])
    note = forms.CharField(label="Lý do (hết thời hiệu, không đủ căn cứ…)", max_length=255)


class AppealForm(Form):
    lodged_on = VNDateField(label="Ngày khiếu nại", validators=[not_future])
    content = forms.CharField(label="Nội dung khiếu nại", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class AppealDecisionForm(Form):
    on = VNDateField(label="Ngày giải quyết", validators=[not_future])
    outcome = forms.ChoiceField(label="Kết quả", choices=AppealOutcome.choices)
    new_form = forms.ChoiceField(label="Hình thức mới (khi thay đổi)", required=False)
    decision_number = forms.CharField(label="Số quyết định giải quyết khiếu nại", max_length=60)

    def __init__(self, *args, status: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_form"].choices = [("", "—"), *MEMBER_FORMS]
