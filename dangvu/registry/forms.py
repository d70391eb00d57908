"""Forms of the registry pages. Validation messages are Vietnamese; services re-check rules."""

from __future__ import annotations

from django import forms

from dangvu.common.forms import (
    BirthDateField,
    Form,
    MemberChoiceField,
    PersonNameField,
    VNDateField,
    not_future,
)
from dangvu.common.version_forms import VersionedForm
from dangvu.core import clock
from dangvu.core.lifecycle import DISCIPLINE_LABELS, discipline_forms
from dangvu.core.rulesets import ruleset_for

from .models import (
    Gender,
    LocalityKind,
    Member,
    Organization,
    OrgKind,
    PostRole,
    ResidenceLink,
    Sector,
    TheoryLevel,
    TrainingKind,
    TransferKind,
)
from .selectors import names_by_path


class OrganizationForm(Form):
    code = forms.CharField(label="Mã tổ chức", max_length=40)
    name = forms.CharField(label="Tên tổ chức", max_length=255)
    kind = forms.ChoiceField(label="Loại tổ chức", choices=OrgKind.choices)
    sector = forms.ChoiceField(label="Loại hình", choices=[("", "—")] + Sector.choices, required=False)
    established_on = VNDateField(label="Ngày thành lập", required=False)
    address = forms.CharField(label="Địa chỉ", max_length=255, required=False)

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not code.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise forms.ValidationError("Mã chỉ gồm chữ, số và các dấu gạch ngang (-), gạch dưới (_), chấm (.).")
        return code


class OrganizationEditForm(VersionedForm, OrganizationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["code"]


class WorkingRulesForm(Form):
    issued_on = VNDateField(label="Ngày ban hành quy chế làm việc")
    updated_on = VNDateField(label="Ngày sửa đổi, bổ sung gần nhất", required=False)
    note = forms.CharField(label="Ghi chú", max_length=255, required=False)

    def clean_issued_on(self):
        return not_future(self.cleaned_data["issued_on"])

    def clean_updated_on(self):
        return not_future(self.cleaned_data.get("updated_on"))


class PostForm(Form):
    member = MemberChoiceField(label="Đảng viên", queryset=Member.objects.none())
    role = forms.ChoiceField(label="Chức vụ", choices=PostRole.choices)
    started_on = VNDateField(label="Từ ngày")
    term = forms.CharField(label="Nhiệm kỳ", max_length=20, required=False, help_text="Ví dụ: 2025-2030")

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members if members is not None else Member.objects.none()
        self.fields["member"].error_messages["invalid_choice"] = "Hãy chọn một đảng viên trong danh sách."


class EndPostForm(Form):
    ended_on = VNDateField(label="Ngày thôi giữ chức vụ")


class LocalityForm(Form):
    name = forms.CharField(label="Tên thôn, bản, tổ dân phố", max_length=120)
    kind = forms.ChoiceField(label="Loại", choices=LocalityKind.choices)
    head_member = MemberChoiceField(label="Trưởng thôn là đảng viên", queryset=Member.objects.none(), required=False)
    head_name = PersonNameField(label="…hoặc tên trưởng thôn (ngoài Đảng)", max_length=120, required=False)
    front_head_member = MemberChoiceField(label="Trưởng ban công tác mặt trận là đảng viên",
                                          queryset=Member.objects.none(), required=False)
    front_head_name = PersonNameField(label="…hoặc tên trưởng ban công tác mặt trận (ngoài Đảng)",
                                      max_length=120, required=False)
    households = forms.IntegerField(label="Số hộ", min_value=0, max_value=100000, required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("head_member", "front_head_member"):
            self.fields[name].queryset = members if members is not None else Member.objects.none()
            self.fields[name].error_messages["invalid_choice"] = "Hãy chọn một đảng viên trong danh sách."

    def clean(self):
        data = super().clean()
        for who, label in (("head", "trưởng thôn"), ("front_head", "trưởng ban công tác mặt trận")):
            if data.get(f"{who}_member") and data.get(f"{who}_name"):
                raise forms.ValidationError(f"Với {label}: chọn đảng viên hoặc ghi tên, không cả hai.")
        return data


class LocalityEditForm(VersionedForm, LocalityForm):
    """A locality's edit page: its fields and the version it was opened on."""


class MemberForm(Form):
    full_name = PersonNameField(label="Họ và tên", max_length=120)
    birth_date = BirthDateField(label="Ngày sinh")
    gender = forms.ChoiceField(label="Giới tính", choices=Gender.choices)
    ethnicity = forms.CharField(label="Dân tộc", max_length=40, initial="Kinh")
    religion = forms.CharField(label="Tôn giáo", max_length=40, required=False, initial="Không")
    home_town = forms.CharField(label="Quê quán", max_length=255, required=False)
    residence = forms.CharField(label="Nơi cư trú", max_length=255, required=False)
    phone = forms.RegexField(label="Điện thoại", regex=r"^[0-9 +.]{8,15}$", required=False,
                             error_messages={"invalid": "Số điện thoại chỉ gồm 8–15 chữ số."})
    cccd = forms.RegexField(label="Số CCCD", regex=r"^\d{12}$", required=False,
                            error_messages={"invalid": "Số CCCD phải gồm đúng 12 chữ số."})
    education = forms.CharField(label="Trình độ giáo dục phổ thông", max_length=20, required=False,
                                help_text="Ví dụ: 12/12")
    qualification = forms.CharField(label="Chuyên môn, nghiệp vụ", max_length=120, required=False)
    political_theory = forms.ChoiceField(label="Lý luận chính trị", choices=TheoryLevel.choices, required=False)
    occupation = forms.CharField(label="Nghề nghiệp", max_length=120, required=False)
    is_student = forms.BooleanField(label="Là học sinh, sinh viên", required=False)
    card_number = forms.CharField(label="Số thẻ đảng viên", max_length=20, required=False)
    resident = forms.BooleanField(label="Đảng viên tại chỗ (cư trú trên địa bàn)", required=False, initial=True)
    commune_official = forms.BooleanField(label="Cán bộ xã sinh hoạt tại chi bộ", required=False)

    def clean_birth_date(self):
        return not_future(self.cleaned_data["birth_date"])

    def clean_cccd(self):
        return self.cleaned_data.get("cccd") or None


class MemberEditForm(VersionedForm, MemberForm):
    """The member edit page: the record's fields and the version it was opened on."""


class AdmitForm(MemberForm):
    admitted_on = VNDateField(label="Ngày quyết định kết nạp")
    decision_number = forms.CharField(label="Số quyết định", max_length=60, required=False)

    def clean_admitted_on(self):
        return not_future(self.cleaned_data["admitted_on"])


class RegisterForm(MemberForm):
    admitted_on = VNDateField(label="Ngày vào Đảng")
    full_on = VNDateField(label="Ngày chính thức", required=False, help_text="Để trống nếu còn dự bị")

    def clean_admitted_on(self):
        return not_future(self.cleaned_data["admitted_on"])

    def clean_full_on(self):
        return not_future(self.cleaned_data.get("full_on"))


class EventForm(Form):
    on = VNDateField(label="Ngày")
    decision_number = forms.CharField(label="Số quyết định", max_length=60, required=False)
    note = forms.CharField(label="Ghi chú, lý do", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           max_length=2000)

    def clean_on(self):
        return not_future(self.cleaned_data["on"])


class DisciplineForm(EventForm):
    form = forms.ChoiceField(label="Hình thức kỷ luật", choices=list(DISCIPLINE_LABELS.items())[:4])
    self_corrected = forms.BooleanField(label="Tự phát hiện, tự khắc phục", required=False)

    def __init__(self, *args, member: Member | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if member is not None:
            allowed = discipline_forms(member.status, ruleset_for(clock.today()))
            self.fields["form"].choices = [(f, DISCIPLINE_LABELS[f]) for f in allowed]


class DestinationIterator(forms.models.ModelChoiceIterator):
    """Destinations grouped under their parent organization's name (one query for the parents)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        orgs = list(self.queryset)
        steplen = Organization.steplen
        parent_paths = {o.path[:-steplen] for o in orgs if o.depth > 1}
        parents = names_by_path(parent_paths)
        groups: dict[str, list] = {}
        for org in orgs:
            groups.setdefault(parents.get(org.path[:-steplen], ""), []).append(self.choice(org))
        for name, choices in groups.items():
            if name:
                yield (name, choices)
            else:
                yield from choices


class DestinationField(forms.ModelChoiceField):
    """An organization picked by name and code (organizations are not personal data)."""

    iterator = DestinationIterator

    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name} ({obj.code})"


class TransferForm(Form):
    kind = forms.ChoiceField(label="Loại chuyển", choices=TransferKind.choices)
    to_org = DestinationField(
        label="Chuyển đến (chi bộ hoặc đảng bộ cơ sở)", queryset=Organization.objects.none(),
        empty_label="— Chọn nơi chuyển đến —",
        help_text="Chưa biết chi bộ nơi đến thì chọn đảng bộ cơ sở; đảng bộ sẽ chọn chi bộ khi tiếp nhận.")
    letter_on = VNDateField(label="Ngày giấy giới thiệu")
    cause_on = VNDateField(label="Ngày chuyển công tác, nơi cư trú", required=False)
    ends_on = VNDateField(label="Đến ngày (chuyển tạm thời)", required=False)
    reason = forms.CharField(label="Lý do", max_length=255, required=False)

    def __init__(self, *args, destinations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = destinations if destinations is not None else Organization.objects.none()
        self.fields["to_org"].error_messages["invalid_choice"] = (
            "Hãy chọn một chi bộ hoặc đảng bộ cơ sở trong danh sách.")


class ConfirmForm(Form):
    on = VNDateField(label="Ngày")
    cell = DestinationField(label="Chi bộ tiếp nhận đảng viên", queryset=Organization.objects.none(),
                            empty_label="— Chọn chi bộ —")

    def __init__(self, *args, cells=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cells is None:  # the letter names the cell: nothing to choose
            del self.fields["cell"]
        else:
            self.fields["cell"].queryset = cells
            self.fields["cell"].error_messages["invalid_choice"] = "Hãy chọn một chi bộ trong danh sách."


class TrainingForm(Form):
    kind = forms.ChoiceField(label="Loại đào tạo, bồi dưỡng", choices=TrainingKind.choices)
    title = forms.CharField(label="Tên lớp", max_length=255, required=False)
    started_on = VNDateField(label="Từ ngày", required=False)
    finished_on = VNDateField(label="Ngày hoàn thành")
    certificate = forms.CharField(label="Số chứng chỉ", max_length=60, required=False)


class YearlyForm(Form):
    year = forms.IntegerField(label="Năm", min_value=1930, max_value=2100,
                              error_messages={"invalid": "Năm phải là một số."})
    content = forms.CharField(label="Nội dung", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    on = VNDateField(label="Ngày")


class ResidenceLinkForm(Form):
    year = forms.IntegerField(label="Năm", min_value=1930, max_value=2100)
    rating = forms.ChoiceField(label="Nhận xét", choices=ResidenceLink.Rating.choices)
    residence_org = forms.ModelChoiceField(label="Chi bộ nơi cư trú", queryset=Organization.objects.none(),
                                           required=False)
    feedback = forms.CharField(label="Ý kiến của chi ủy nơi cư trú", widget=forms.Textarea(attrs={"rows": 3}),
                               required=False, max_length=4000)
    received_on = VNDateField(label="Ngày nhận")

    def __init__(self, *args, residence_orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["residence_org"].queryset = residence_orgs if residence_orgs is not None else Organization.objects.none()


class MemberSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=120)
    org = forms.CharField(required=False, max_length=40)
    status = forms.ChoiceField(required=False, choices=[("", "Đang sinh hoạt"), ("all", "Tất cả")]
                               + [(k, v) for k, v in Member._meta.get_field("status").choices])
    page = forms.IntegerField(required=False, min_value=1, max_value=100000)


class StatsForm(Form):
    """The day of the standard statistics and the start of the period its changes cover (issue 18);
    blank: today, and 1 January of the day's year."""

    ngay = VNDateField(label="Số liệu đến ngày", required=False)
    tu_ngay = VNDateField(label="Biến động từ ngày", required=False,
                          help_text="Để trống: từ ngày 1 tháng 1 của năm báo cáo")

    def clean(self):
        data = super().clean()
        day, start = data.get("ngay"), data.get("tu_ngay")
        if day and start and start > day:
            self.add_error("tu_ngay", "Ngày đầu kỳ không thể sau ngày báo cáo.")
        return data


class SpecialStatusForm(Form):
    """Tạm miễn sinh hoạt / đi làm ăn xa / ra nước ngoài: the service checks the period's rules."""

    starts_on = VNDateField(label="Từ ngày")
    ends_on = VNDateField(label="Đến ngày")
    place = forms.CharField(label="Nơi đến (tỉnh, thành phố hoặc nước)", max_length=255, required=False)
    reason = forms.CharField(label="Lý do", max_length=255, required=False)
    decision_number = forms.CharField(label="Số quyết định, nghị quyết của chi bộ", max_length=60, required=False)

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if kind == "temporary_exemption":  # no place to ask; the reason is required there
            del self.fields["place"]
            self.fields["reason"].required = True


class EndSpecialStatusForm(Form):
    on = VNDateField(label="Trở lại sinh hoạt từ ngày")
    note = forms.CharField(label="Ghi chú", max_length=255, required=False)
