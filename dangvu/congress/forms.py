"""Forms of the congress pages. Validation messages are Vietnamese; services re-check the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from dangvu.common.forms import Form, MemberChoiceField, VNDateField, validate_name_lines
from dangvu.common.uploads import LimitedFileField
from dangvu.common.version_forms import VersionedForm
from dangvu.core.errors import Code
from dangvu.core.planparse import PlanReadError, parse_text
from dangvu.core.planparse.extract import MAX_PLAN_ITEMS, check_items
from dangvu.core.safefiles import UnsafeFile, load_json
from dangvu.registry.models import Member, Organization, OrgKind

from .models import (
    AdjustmentKind,
    AppliesTo,
    Candidate,
    CommentState,
    CongressKind,
    DraftKind,
    MilestoneStatus,
    Phase,
    TimelineTemplate,
)


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{obj.name} ({obj.code})"


def _read_upload(upload) -> bytes:
    """The content of an upload whose size its LimitedFileField has checked."""
    return upload.read()


_PLAN_SHAPE = "Tệp JSON không đúng định dạng kế hoạch của “dangvu plan parse”"


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise forms.ValidationError(f"{_PLAN_SHAPE} ({where} phải là chữ).", code=Code.FILE)
    return value


def _iso(value: Any, where: str) -> None:
    text = _text(value, where)
    if text:
        try:
            dt.date.fromisoformat(text)
        except ValueError as exc:
            raise forms.ValidationError(f"{_PLAN_SHAPE} ({where}: ngày «{text[:20]}» không hợp lệ).",
                                        code=Code.FILE) from exc


def check_plan_json(plan: Any) -> dict[str, Any]:
    """The JSON of a plan with the shape the timeline reads: a mapping with text fields and a list
    of at most MAX_PLAN_ITEMS tasks, each a mapping of text, a list of leads and a timing mapping."""
    if not isinstance(plan, dict) or not isinstance(plan.get("tasks", []), list):
        raise forms.ValidationError("Tệp JSON không đúng định dạng kế hoạch (thiếu “tasks”).", code=Code.FILE)
    for key in ("title", "number"):
        _text(plan.get(key), key)
    _iso(plan.get("date"), "date")
    tasks = plan.get("tasks") or []
    if len(tasks) > MAX_PLAN_ITEMS:
        raise forms.ValidationError(f"Kế hoạch có {len(tasks)} nhiệm vụ, quá mức tối đa {MAX_PLAN_ITEMS}.",
                                    code=Code.FILE_TOO_LARGE)
    for n, task in enumerate(tasks, start=1):
        timing = task.get("timing") if isinstance(task, dict) else None
        if not isinstance(task, dict) or not isinstance(timing or {}, dict) \
                or not isinstance(task.get("lead") or [], list):
            raise forms.ValidationError(f"{_PLAN_SHAPE} (nhiệm vụ thứ {n}).", code=Code.FILE)
        for key in ("id", "title"):
            _text(task.get(key), f"nhiệm vụ thứ {n}, {key}")
        for lead in task.get("lead") or []:
            _text(lead, f"nhiệm vụ thứ {n}, lead")
        for key in ("kind", "start", "end"):
            (_iso if key != "kind" else _text)((timing or {}).get(key), f"nhiệm vụ thứ {n}, timing.{key}")
    return plan


class CongressForm(Form):
    term = forms.CharField(label="Nhiệm kỳ", max_length=20, help_text="Ví dụ: 2025-2030")
    kind = forms.ChoiceField(label="Hình thức đại hội", choices=CongressKind.choices)
    pilot = forms.BooleanField(label="Đại hội điểm", required=False)
    campaign = forms.ModelChoiceField(label="Theo kế hoạch của cấp trên", queryset=TimelineTemplate.objects.none(),
                                      required=False)
    starts_on = VNDateField(ahead_terms=2, label="Ngày khai mạc (dự kiến)")
    ends_on = VNDateField(ahead_terms=2, label="Ngày bế mạc (dự kiến)")
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
    window_start = VNDateField(ahead_terms=2, label="Đại hội cấp dưới từ ngày", required=False)
    window_end = VNDateField(ahead_terms=2, label="Đại hội cấp dưới hoàn thành trước ngày", required=False)
    pilot_end = VNDateField(ahead_terms=2, label="Đại hội điểm hoàn thành trước ngày", required=False)
    plan = LimitedFileField(label="Hoặc tải lên kế hoạch (.txt, hoặc .json của “dangvu plan parse”)",
                            required=False, limit="DANGVU_MAX_DATA_FILE_BYTES", what="Tệp kế hoạch",
                            help_text="Mỗi nhiệm vụ có thời hạn trở thành một mốc thời gian.")

    def clean_plan(self):
        upload = self.cleaned_data.get("plan")
        if not upload:
            return None
        raw = _read_upload(upload)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("Tệp kế hoạch phải là văn bản UTF-8 (.txt) hoặc JSON.", code=Code.FILE) from exc
        if upload.name.lower().endswith(".json"):
            try:
                return check_plan_json(load_json(text))
            except UnsafeFile as exc:
                raise forms.ValidationError(str(exc), code=Code.FILE) from exc
        try:
            return check_items(parse_text(text))
        except PlanReadError as exc:
            raise forms.ValidationError(str(exc), code=Code.FILE) from exc

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
    starts_on = VNDateField(ahead_terms=2, label="Từ ngày", required=False)
    ends_on = VNDateField(ahead_terms=2, label="Đến ngày", required=False)


class MilestoneTemplateForm(Form):
    title = forms.CharField(label="Nội dung công việc", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = VNDateField(ahead_terms=2, label="Thời hạn")
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
    evidence_file = LimitedFileField(label="Tệp minh chứng", required=False, limit="DANGVU_MAX_ATTACHMENT_BYTES",
                                     what="Tệp minh chứng")

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if not upload:
            return None
        return (upload.name[:255], _read_upload(upload))


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
    file = LimitedFileField(label="Tệp dự thảo", required=False, limit="DANGVU_MAX_ATTACHMENT_BYTES",
                            what="Tệp dự thảo")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        return (upload.name[:255], _read_upload(upload)) if upload else None


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
    held_on = VNDateField(ahead_terms=2, label="Ngày bầu")
    base_kind = forms.ChoiceField(label="Cơ sở tính theo", choices=CongressKind.choices)
    delegates_convened = forms.IntegerField(label="Đại hội đại biểu: số đại biểu được triệu tập", min_value=0,
                                            required=False)
    delegates_absent = forms.IntegerField(
        label="Đại hội đại biểu: số cấp ủy viên triệu tập vắng suốt đại hội và đại biểu vắng không có người thay",
        min_value=0, required=False)
    issued = forms.IntegerField(label="Số phiếu phát ra", min_value=0, required=False)
    counting_board = forms.CharField(label="Ban kiểm phiếu (mỗi dòng một người, trưởng ban ở dòng đầu)",
                                     required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                     validators=[validate_name_lines])
    candidates = forms.CharField(label="Danh sách bầu cử (mỗi dòng một người, theo thứ tự trên phiếu)",
                                 widget=forms.Textarea(attrs={"rows": 6}), validators=[validate_name_lines])
    fewer_candidates_allowed = forms.BooleanField(
        label="Đại hội đã biểu quyết đồng ý bầu khi danh sách ít hơn số lượng cần bầu", required=False)
    fewer_candidates_note = forms.CharField(label="Căn cứ quyết định của đại hội (biên bản, nghị quyết, ngày)",
                                            max_length=255, required=False)


class ElectionListsForm(Form):
    """The list, the counting board and the congress's decision on a short list, edited together."""

    candidates = forms.CharField(label="Danh sách bầu cử (mỗi dòng một người, theo thứ tự trên phiếu)",
                                 widget=forms.Textarea(attrs={"rows": 6}), validators=[validate_name_lines])
    counting_board = forms.CharField(label="Ban kiểm phiếu (mỗi dòng một người, trưởng ban ở dòng đầu)",
                                     required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                     validators=[validate_name_lines])
    fewer_candidates_allowed = ElectionForm.base_fields["fewer_candidates_allowed"]
    fewer_candidates_note = ElectionForm.base_fields["fewer_candidates_note"]
    drop_confirmed = forms.BooleanField(label="Đồng ý bỏ những tên không còn trong danh sách (nếu có)",
                                        required=False)

    def clean_candidates(self):
        # checked before the page that asks about dropped names, so that it never shows a bad list
        text = self.cleaned_data["candidates"]
        longest = Candidate._meta.get_field("name").max_length
        if any(len(line.strip()) > longest for line in text.splitlines()):
            raise forms.ValidationError(f"Mỗi tên trong danh sách bầu cử dài tối đa {longest} ký tự.",
                                        code=Code.TOO_LONG)
        return text


class TotalCorrectionForm(VersionedForm):
    """One number of a counting team's totals."""

    value = forms.IntegerField(label="Số đúng", min_value=0, max_value=1_000_000)


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
    file = LimitedFileField(
        label="Tệp CSV phiếu bầu (dòng 1: tên ứng cử viên; mỗi dòng sau một phiếu, 1 = giữ, 0 = gạch)",
        limit="DANGVU_MAX_DATA_FILE_BYTES", what="Tệp phiếu bầu")

    def clean_file(self):
        raw = _read_upload(self.cleaned_data["file"])
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("Tệp CSV phải là văn bản UTF-8.", code=Code.FILE) from exc


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
