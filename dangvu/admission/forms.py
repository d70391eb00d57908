"""Forms of the admission pages. Messages are Vietnamese; services re-check every rule."""

from __future__ import annotations

import datetime as dt

from django import forms

from dangvu.common.forms import BirthDateField, Form, MemberChoiceField, PersonNameField, VNDateField
from dangvu.core import clock
from dangvu.registry.models import Gender, Member, Organization

from .models import MassOrganization


def _not_future(value: dt.date | None) -> dt.date | None:
    if value and value > clock.today():
        raise forms.ValidationError("Ngày không thể ở tương lai.")
    return value


class PastDateField(VNDateField):
    def clean(self, value):
        return _not_future(super().clean(value))


class CellChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class ProspectForm(Form):
    organization = CellChoiceField(label="Chi bộ", queryset=Organization.objects.none())
    full_name = PersonNameField(label="Họ và tên", max_length=120)
    birth_date = BirthDateField(label="Ngày sinh")
    gender = forms.ChoiceField(label="Giới tính", choices=Gender.choices)
    ethnicity = forms.CharField(label="Dân tộc", max_length=40, initial="Kinh")
    religion = forms.CharField(label="Tôn giáo", max_length=40, required=False, initial="Không")
    home_town = forms.CharField(label="Quê quán", max_length=255, required=False)
    residence = forms.CharField(label="Nơi cư trú", max_length=255, required=False)
    cccd = forms.RegexField(label="Số CCCD", regex=r"^\d{12}$", required=False,
                            error_messages={"invalid": "Số CCCD phải gồm đúng 12 chữ số."})
    phone = forms.RegexField(label="Điện thoại", regex=r"^[0-9 +.]{8,15}$", required=False,
                             error_messages={"invalid": "Số điện thoại chỉ gồm 8–15 chữ số."})
    education = forms.CharField(label="Trình độ giáo dục phổ thông", max_length=20, required=False,
                                help_text="Ví dụ: 12/12")
    occupation = forms.CharField(label="Nghề nghiệp", max_length=120, required=False)
    is_student = forms.BooleanField(label="Là học sinh, sinh viên", required=False)
    nominated_by = forms.ChoiceField(label="Tổ chức giới thiệu", required=False,
                                     choices=[("", "—")] + MassOrganization.choices)
    listed_on = PastDateField(label="Ngày đưa vào danh sách tạo nguồn")
    introducer_1 = MemberChoiceField(label="Đảng viên giới thiệu thứ nhất", queryset=Member.objects.none(),
                                     required=False)
    introducer_1_since = PastDateField(label="…cùng công tác với người vào Đảng từ ngày", required=False)
    introducer_2 = MemberChoiceField(label="Đảng viên giới thiệu thứ hai", queryset=Member.objects.none(),
                                     required=False, help_text="Để trống nếu có nghị quyết giới thiệu của Đoàn.")
    introducer_2_since = PastDateField(label="…cùng công tác với người vào Đảng từ ngày", required=False)
    youth_union_resolution_on = PastDateField(label="Ngày nghị quyết giới thiệu của Đoàn Thanh niên",
                                              required=False)
    youth_union_resolution_number = forms.CharField(label="Số nghị quyết của Đoàn", max_length=60, required=False)
    dossier_on = PastDateField(label="Ngày hoàn thiện hồ sơ xin vào Đảng", required=False,
                               help_text="Đơn, lý lịch, giấy giới thiệu. Quá 12 tháng chưa xét phải bổ sung.")

    def __init__(self, *args, cells=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = cells if cells is not None else Organization.objects.none()
        self.fields["organization"].error_messages["invalid_choice"] = "Hãy chọn chi bộ trong danh sách."
        for name in ("introducer_1", "introducer_2"):
            self.fields[name].queryset = members if members is not None else Member.objects.none()
            self.fields[name].error_messages["invalid_choice"] = "Hãy chọn một đảng viên trong danh sách."

    def clean_cccd(self):
        return self.cleaned_data.get("cccd") or None


class CourseForm(Form):
    passed_on = PastDateField(label="Ngày cấp giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng")
    certificate = forms.CharField(label="Số giấy chứng nhận", max_length=60, required=False)


class VettingForm(Form):
    vetted_on = PastDateField(label="Ngày hoàn thành thẩm tra lý lịch")


SMALL = {"min_value": 0, "max_value": 10000}
NUMBER_ERRORS = {"invalid": "Hãy nhập một số nguyên.", "min_value": "Số không thể âm.",
                 "max_value": "Số quá lớn."}


class ResolutionForm(Form):
    resolved_on = PastDateField(label="Ngày chi bộ ra nghị quyết đề nghị kết nạp")
    in_favour = forms.IntegerField(label="Số đảng viên chính thức tán thành", error_messages=NUMBER_ERRORS,
                                   **SMALL)
    full_members = forms.IntegerField(label="Tổng số đảng viên chính thức của chi bộ", error_messages=NUMBER_ERRORS,
                                      min_value=1, max_value=10000)


class DecisionForm(Form):
    decision_on = PastDateField(label="Ngày quyết định kết nạp")
    decision_number = forms.CharField(label="Số quyết định", max_length=60, help_text="Ví dụ: 125-QĐ/ĐU")


class CompleteForm(DecisionForm):
    ceremony_on = PastDateField(label="Ngày tổ chức lễ kết nạp")
    late_reason = forms.CharField(label="Lý do chậm tổ chức lễ kết nạp (nếu quá hạn)", max_length=255,
                                  required=False, help_text="Quá 30 ngày làm việc phải báo cáo cấp ủy cấp trên.")


class DropForm(Form):
    on = PastDateField(label="Ngày dừng xem xét")
    reason = forms.CharField(label="Lý do", max_length=255)


class QuotaForm(Form):
    scope = forms.ChoiceField(label="Chỉ tiêu cho", choices=[("year", "Một năm"), ("term", "Cả nhiệm kỳ")],
                              widget=forms.RadioSelect, initial="year")
    year = forms.IntegerField(label="Năm", required=False, min_value=1930, max_value=2100,
                              error_messages={"invalid": "Năm phải là một số.", "min_value": "Năm không hợp lệ.",
                                              "max_value": "Năm không hợp lệ."})
    term = forms.RegexField(label="Nhiệm kỳ", regex=r"^\s*\d{4}\s*[-–]\s*\d{4}\s*$", required=False,
                            max_length=20, help_text="Ví dụ: 2025-2030",
                            error_messages={"invalid": "Nhiệm kỳ ghi dạng năm đầu-năm cuối, ví dụ 2025-2030."})
    target = forms.IntegerField(label="Chỉ tiêu kết nạp (số đảng viên)", error_messages=NUMBER_ERRORS, **SMALL)
    students_target = forms.IntegerField(label="Trong đó học sinh, sinh viên", required=False,
                                         error_messages=NUMBER_ERRORS, **SMALL)
    note = forms.CharField(label="Ghi chú", max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if data.get("scope") == "year" and not data.get("year") and "year" not in self.errors:
            self.add_error("year", "Hãy ghi năm.")
        if data.get("scope") == "term" and not data.get("term") and "term" not in self.errors:
            self.add_error("term", "Hãy ghi nhiệm kỳ.")
        return data
