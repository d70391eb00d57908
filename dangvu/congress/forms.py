"""Forms of the congress pages. Validation messages are Vietnamese; services re-check the rules."""

from __future__ import annotations

from django import forms

from dangvu.common.forms import Form, MemberChoiceField, VNDateField, load_json_bounded
from dangvu.core.planparse import PlanReadError, parse_text
from dangvu.registry.models import Member, Organization, OrgKind

from .models import (
    AdjustmentKind,
    AppliesTo,
    CommentState,
    CongressKind,
    DraftKind,
    MilestoneStatus,
    Phase,
    TimelineTemplate,
)

MAX_UPLOAD = 5 * 1024 * 1024


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name} ({obj.code})"


def _read_upload(upload, what: str) -> bytes:
    if upload.size > MAX_UPLOAD:
        raise forms.ValidationError(f"Tệp {what} quá lớn (tối đa 5 MB).")
    return upload.read()


class CongressForm(Form):
    term = forms.CharField(label="Nhiệm kỳ", max_length=20, help_text="Ví dụ: 2025-2030")
    kind = forms.ChoiceField(label="Hình thức đại hội", choices=CongressKind.choices)
    pilot = forms.BooleanField(label="Đại hội điểm", required=False)
    campaign = forms.ModelChoiceField(label="Theo kế hoạch của cấp trên", queryset=TimelineTemplate.objects.none(),
                                      required=False)
    starts_on = VNDateField(label="Ngày khai mạc (dự kiến)")
    ends_on = VNDateField(label="Ngày bế mạc (dự kiến)")
    place = forms.CharField(label="Địa điểm", max_length=255, required=False)
    note = forms.CharField(label="Ghi chú", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, campaigns=None, **kwargs):
        super().__init__(*args, **kwargs)
        if campaigns is not None:
            self.fields["campaign"].queryset = campaigns


class TimelineForm(Form):
    title = forms.CharField(label="Tên kế hoạch", max_length=500, required=False,
                            help_text="Để trống khi tải lên kế hoạch: lấy tên từ văn bản.")
    term = forms.CharField(label="Nhiệm kỳ", max_length=20, help_text="Ví dụ: 2025-2030", required=False)
    document_number = forms.CharField(label="Số văn bản", max_length=60, required=False)
    issued_on = VNDateField(label="Ngày ban hành", required=False)
    window_start = VNDateField(label="Đại hội cấp dưới từ ngày", required=False)
    window_end = VNDateField(label="Đại hội cấp dưới hoàn thành trước ngày", required=False)
    pilot_end = VNDateField(label="Đại hội điểm hoàn thành trước ngày", required=False)
    plan = forms.FileField(label="Hoặc tải lên kế hoạch (.txt, hoặc .json của “dangvu plan parse”)", required=False,
                           help_text="Mỗi nhiệm vụ có thời hạn trở thành một mốc thời gian.")

    def clean_plan(self):
        upload = self.cleaned_data.get("plan")
        if not upload:
            return None
        raw = _read_upload(upload, "kế hoạch")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("Tệp kế hoạch phải là văn bản UTF-8 (.txt) hoặc JSON.") from exc
        if upload.name.lower().endswith(".json"):
            plan = load_json_bounded(text, "JSON")
            if not isinstance(plan, dict) or not isinstance(plan.get("tasks", []), list):
                raise forms.ValidationError("Tệp JSON không đúng định dạng kế hoạch (thiếu “tasks”).")
            return plan
        try:
            return parse_text(text)
        except PlanReadError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        data = super().clean()
        if not data.get("plan"):
            if not data.get("title"):
                self.add_error("title", "Ghi tên kế hoạch hoặc tải lên văn bản kế hoạch.")
            if not data.get("term"):
                self.add_error("term", "Mục này không được để trống.")
        return data


class PhaseForm(Form):
    title = forms.CharField(label="Giai đoạn", max_length=255)
    starts_on = VNDateField(label="Từ ngày", required=False)
    ends_on = VNDateField(label="Đến ngày", required=False)


class MilestoneTemplateForm(Form):
    title = forms.CharField(label="Nội dung công việc", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = VNDateField(label="Thời hạn")
    applies_to = forms.ChoiceField(label="Áp dụng cho", choices=AppliesTo.choices, initial=AppliesTo.ALL)
    kinds = forms.MultipleChoiceField(label="Chỉ các loại tổ chức (để trống: mọi loại)", choices=OrgKind.choices,
                                      required=False, widget=forms.CheckboxSelectMultiple)
    phase = forms.ModelChoiceField(label="Giai đoạn", queryset=Phase.objects.none(), required=False)

    def __init__(self, *args, phases=None, **kwargs):
        super().__init__(*args, **kwargs)
        if phases is not None:
            self.fields["phase"].queryset = phases


class MilestoneForm(Form):
    status = forms.ChoiceField(label="Tình trạng", choices=MilestoneStatus.choices)
    done_on = VNDateField(label="Ngày hoàn thành", required=False)
    evidence = forms.CharField(label="Kết quả, minh chứng (số văn bản, nội dung)", required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    evidence_file = forms.FileField(label="Tệp minh chứng", required=False)

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if not upload:
            return None
        return (upload.name[:255], _read_upload(upload, "minh chứng"))


class ApportionForm(Form):
    seats = forms.IntegerField(label="Tổng số đại biểu được bầu (S)", min_value=1, max_value=100000)
    minimum = forms.IntegerField(label="Số đại biểu tối thiểu mỗi tổ chức (K)", min_value=0, max_value=1000)
    orgs = forms.ModelMultipleChoiceField(label="Các tổ chức được phân bổ", queryset=Organization.objects.none(),
                                          widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if orgs is not None:
            self.fields["orgs"].queryset = orgs
        self.fields["orgs"].label_from_instance = lambda o: f"{o.name} ({o.code})"
        self.fields["orgs"].error_messages["invalid_choice"] = "Hãy chọn tổ chức trong danh sách."


class DraftForm(Form):
    kind = forms.ChoiceField(label="Văn kiện", choices=DraftKind.choices)
    issued_on = VNDateField(label="Ngày phát hành dự thảo")
    summary = forms.CharField(label="Ghi chú, nội dung chính", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label="Tệp dự thảo", required=False)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        return (upload.name[:255], _read_upload(upload, "dự thảo")) if upload else None


class CommentForm(Form):
    source_org = OrgChoiceField(label="Tổ chức góp ý", queryset=Organization.objects.none(), required=False)
    source_name = forms.CharField(label="Hoặc hội nghị, cá nhân góp ý", max_length=255, required=False)
    received_on = VNDateField(label="Ngày nhận")
    text = forms.CharField(label="Nội dung góp ý", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if orgs is not None:
            self.fields["source_org"].queryset = orgs


class AnswerForm(Form):
    state = forms.ChoiceField(label="Xử lý", choices=CommentState.choices)
    response = forms.CharField(label="Tiếp thu, giải trình", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ElectionForm(Form):
    title = forms.CharField(label="Nội dung bầu", max_length=255, initial="Bầu Ban Chấp hành")
    round = forms.IntegerField(label="Lần bầu", min_value=1, max_value=20, initial=1)
    seats = forms.IntegerField(label="Số lượng cần bầu", min_value=1, max_value=500)
    held_on = VNDateField(label="Ngày bầu")
    base_kind = forms.ChoiceField(label="Cơ sở tính theo", choices=CongressKind.choices)
    delegates_convened = forms.IntegerField(label="Đại hội đại biểu: số đại biểu được triệu tập", min_value=0,
                                            required=False)
    delegates_absent = forms.IntegerField(
        label="Đại hội đại biểu: số cấp ủy viên triệu tập vắng suốt đại hội và đại biểu vắng không có người thay",
        min_value=0, required=False)
    issued = forms.IntegerField(label="Số phiếu phát ra", min_value=0, required=False)
    counting_board = forms.CharField(label="Ban kiểm phiếu (mỗi dòng một người, trưởng ban ở dòng đầu)",
                                     required=False, widget=forms.Textarea(attrs={"rows": 3}))
    candidates = forms.CharField(label="Danh sách bầu cử (mỗi dòng một người, theo thứ tự trên phiếu)",
                                 widget=forms.Textarea(attrs={"rows": 6}))


class BaseForm(Form):
    base = forms.IntegerField(label="Cơ sở tính (số người)", min_value=1)
    reason = forms.CharField(label="Lý do (bắt buộc khi khác số tính theo dữ liệu)", required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AdjustmentForm(Form):
    member = MemberChoiceField(label="Đảng viên", queryset=Member.objects.none())
    kind = forms.ChoiceField(label="Trường hợp", choices=AdjustmentKind.choices)
    note = forms.CharField(label="Ghi chú", max_length=255, required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["member"].queryset = members


class TeamForm(Form):
    name = forms.CharField(label="Tên tổ kiểm phiếu", max_length=60, initial="Tổ 1")


class CsvForm(Form):
    file = forms.FileField(label="Tệp CSV phiếu bầu (dòng 1: tên ứng cử viên; mỗi dòng sau một phiếu, 1 = giữ, 0 = gạch)")

    def clean_file(self):
        raw = _read_upload(self.cleaned_data["file"], "phiếu bầu")
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("Tệp CSV phải là văn bản UTF-8.") from exc


class TotalsForm(Form):
    ballots = forms.IntegerField(label="Số phiếu thu về", min_value=0)
    valid = forms.IntegerField(label="Số phiếu hợp lệ", min_value=0)
    invalid = forms.IntegerField(label="Số phiếu không hợp lệ", min_value=0)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate_names = list(candidates)
        for i, name in enumerate(self.candidate_names):
            self.fields[f"c{i}"] = forms.IntegerField(label=f"Số phiếu của {name}", min_value=0)
        for field in self.fields.values():
            field.error_messages["required"] = "Mục này không được để trống."

    def figures(self) -> dict[str, int]:
        d = self.cleaned_data
        return {"ballots": d["ballots"], "valid": d["valid"], "invalid": d["invalid"]} | {
            name: d[f"c{i}"] for i, name in enumerate(self.candidate_names)}
