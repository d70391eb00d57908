"""Forms of the meetings pages. Messages are Vietnamese; services re-check every rule."""

from __future__ import annotations

import datetime as dt

from django import forms

from dangvu.common import ServiceError
from dangvu.common.forms import Form, MemberChoiceField, VNDateField, validate_person_name
from dangvu.common.uploads import LimitedFileField
from dangvu.common.version_forms import VersionedForm
from dangvu.core import clock
from dangvu.core.errors import Code
from dangvu.core.meetings import ScoringFramework as CoreFramework
from dangvu.core.meetings import parse_upper_line
from dangvu.core.names import without_courtesy
from dangvu.registry.models import Member

from .models import DocumentKind, MeetingKind
from .services import SECOND_REGULAR_LABEL, validate_minutes_file

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
REQUIRED = "Mục này không được để trống."


class VNTimeField(forms.TimeField):
    widget = TIME_INPUT
    default_error_messages = {"invalid": "Giờ không hợp lệ (nhập dạng giờ:phút, ví dụ 19:30)."}


class MinutesFileField(LimitedFileField):
    default_error_messages = {
        "invalid": "Tệp tải lên không hợp lệ.",
        "missing": "Không nhận được tệp.",
        "empty": "Tệp biên bản rỗng.",
        "max_length": "Tên tệp quá dài.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, limit="DANGVU_MAX_ATTACHMENT_BYTES", what="Tệp biên bản", **kwargs)

    def clean(self, data, initial=None):
        data = super().clean(data, initial)
        if data and hasattr(data, "read"):
            try:
                validate_minutes_file(data)
            except ServiceError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data


class MeetingForm(Form):
    held_on = VNDateField(label="Ngày sinh hoạt")
    kind = forms.ChoiceField(label="Loại buổi sinh hoạt", choices=MeetingKind.choices, initial=MeetingKind.REGULAR)
    combined = forms.BooleanField(label="Thường kỳ kết hợp chuyên đề (cần ít nhất 120 phút)", required=False)
    starts_at = VNTimeField(label="Giờ bắt đầu", initial=dt.time(19, 30))
    ends_at = VNTimeField(label="Giờ kết thúc", initial=dt.time(21, 30))
    topic = forms.CharField(label="Nội dung chính, chuyên đề", max_length=255, required=False)
    place = forms.CharField(label="Địa điểm", max_length=255, required=False)
    online = forms.BooleanField(label="Sinh hoạt trực tuyến", required=False)
    chair = MemberChoiceField(label="Người chủ trì", queryset=Member.objects.none(), required=False)
    materials_sent_on = VNDateField(label="Ngày gửi tài liệu cho đảng viên", required=False,
                                    help_text="Phải gửi trước buổi sinh hoạt ít nhất 1 ngày.")
    upper_attendees = forms.CharField(
        label="Cấp ủy viên cấp trên dự (mỗi dòng một người: Họ tên — chức vụ)", required=False,
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    conclusion = forms.CharField(label="Kết luận, nghị quyết", required=False, max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    minutes_file = MinutesFileField(label="Biên bản đã ký (PDF, Word .docx, ảnh JPG/PNG)", required=False)
    # Shown only after the service refused a second regular meeting in the month (asks_second).
    second_regular = forms.BooleanField(label=SECOND_REGULAR_LABEL, required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = members if members is not None else Member.objects.none()
        self.fields["chair"].error_messages["invalid_choice"] = "Hãy chọn một đảng viên trong danh sách."

    @property
    def asks_second(self) -> bool:
        """The confirmation box is shown once a second regular meeting was refused (or ticked)."""
        return self.has_error("held_on", Code.DUPLICATE) or bool(self.data.get("second_regular"))

    def clean_held_on(self):
        value = self.cleaned_data["held_on"]
        if value and value > clock.today():
            raise forms.ValidationError("Không ghi buổi sinh hoạt chưa diễn ra.")
        return value

    def clean_upper_attendees(self):
        lines = [ln for ln in self.cleaned_data.get("upper_attendees", "").splitlines() if ln.strip()]
        people = [parse_upper_line(ln) for ln in lines]
        for n, person in enumerate(people, start=1):
            try:
                # "Họ tên — chức vụ": the part before the dash, after a courtesy "Đ/c" ("đồng chí")
                validate_person_name(without_courtesy(person["name"]))
            except forms.ValidationError as exc:
                raise forms.ValidationError(f"Dòng {n}: {exc.messages[0]}", code="invalid_name") from exc
        return people

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", "Giờ kết thúc phải sau giờ bắt đầu.")
        return data


class MeetingEditForm(VersionedForm, MeetingForm):
    """A meeting's edit page: the form above and the version it was opened on."""


CYCLE = ("present", "excused", "absent")  # what one tap on a name steps through


def _points_field(c) -> forms.DecimalField:
    return forms.DecimalField(
        label=f"{c.label} (tối đa {c.max_points:g})", min_value=0, max_value=c.max_points, max_digits=6,
        decimal_places=2, required=False,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": 0, "max": f"{c.max_points:g}", "inputmode": "decimal"}),
        error_messages={"max_value": f"Tối đa {c.max_points:g} điểm.", "min_value": "Điểm không thể âm.",
                        "invalid": "Điểm phải là một con số.", "max_decimal_places": "Tối đa 2 chữ số thập phân.",
                        "max_digits": "Số quá lớn.", "max_whole_digits": "Số quá lớn."})


class RoutineForm(MeetingForm):
    """This month's meeting on one screen: the record (prefilled from the cell's habits), the
    exceptions to "everyone present" (``m<id>`` status, ``r<id>`` reason) and the score of the
    criteria a person decides (prefilled from last month; the data decides the others)."""

    def __init__(self, *args, rows=(), framework: CoreFramework | None = None, **kwargs):
        self.rows = list(rows)
        self.framework = framework
        self.manual = [c for g in framework.groups for c in g.criteria if not c.auto] if framework else []
        extra: dict[str, forms.Field] = {}
        for member, status in self.rows:
            extra[f"m{member.pk}"] = forms.ChoiceField(label=member.full_name, choices=ATTENDANCE_CHOICES,
                                                       initial=status, required=False)
            extra[f"r{member.pk}"] = forms.CharField(label="Lý do", max_length=200, required=False)
        for c in self.manual:
            extra[c.code] = _points_field(c)
        # Declared before the base form's __init__, so that it gives these fields its Vietnamese
        # messages and its checks (NUL and control characters) like the declared ones.
        self.base_fields = type(self).base_fields | extra
        super().__init__(*args, **kwargs)

    def members(self):
        """(member, status field, reason field, the status it starts with) per row; exempt last."""
        out = [(m, self[f"m{m.pk}"], self[f"r{m.pk}"], self[f"m{m.pk}"].value() or status)
               for m, status in self.rows]
        return sorted(out, key=lambda row: row[3] == "exempt")

    def score_fields(self):
        return [(c, self[c.code]) for c in self.manual]

    def preview_total(self, auto: list) -> float | None:
        """The total the prefilled points and the data-decided ones give (None: not all given)."""
        manual = [self.initial.get(c.code) for c in self.manual]
        if any(v is None for v in manual) or any(p is None for _c, p in auto):
            return None
        return round(sum(float(v) for v in manual) + sum(p for _c, p in auto), 2)

    def exceptions(self) -> dict[int, str]:
        """The statuses that differ from the row's default (present, or exempt)."""
        out = {}
        for member, status in self.rows:
            value = self.cleaned_data.get(f"m{member.pk}") or status
            if value != status:
                out[member.pk] = value
        return out

    def reasons(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data.get(f"r{m.pk}", "") for m, _s in self.rows if self.cleaned_data.get(f"r{m.pk}")}

    def points(self) -> dict[str, float] | None:
        """The person's points; ``None`` when none is given (the meeting is scored later)."""
        given = {c.code: self.cleaned_data.get(c.code) for c in self.manual}
        if all(v is None for v in given.values()):
            return None
        return {k: float(v) for k, v in given.items() if v is not None}

    def clean(self):
        data = super().clean()
        given = [c.code for c in self.manual if data.get(c.code) is not None]
        if given and len(given) < len(self.manual):
            for c in self.manual:
                if data.get(c.code) is None and c.code not in self.errors:
                    self.add_error(c.code, "Chấm đủ các tiêu chí, hoặc để trống cả phần chấm điểm để chấm sau.")
        return data

    def service_args(self) -> dict:
        """The keyword arguments of :func:`~dangvu.meetings.services.record_month_meeting`."""
        data = {k: v for k, v in self.cleaned_data.items() if k in MeetingForm.base_fields}
        return data | {"exceptions": self.exceptions(), "reasons": self.reasons(), "points": self.points()}


ATTENDANCE_CHOICES = [
    ("present", "Có mặt"),
    ("excused", "Vắng có lý do"),
    ("absent", "Vắng không lý do"),
    ("exempt", "Miễn sinh hoạt"),
]


class AttendanceForm(Form):
    """One status per member (``m<id>``) and the reason of an excused absence (``r<id>``), shown
    as the compact list of the routine page (one tap per name steps its status)."""

    def __init__(self, *args, rows=(), **kwargs):
        self.rows = list(rows)
        extra: dict[str, forms.Field] = {}
        for member, status, reason in self.rows:
            extra[f"m{member.pk}"] = forms.ChoiceField(label=member.full_name, choices=ATTENDANCE_CHOICES,
                                                       initial=status)
            extra[f"r{member.pk}"] = forms.CharField(label="Lý do", max_length=200, required=False, initial=reason)
        self.base_fields = type(self).base_fields | extra  # treated by the base form like declared fields
        super().__init__(*args, **kwargs)

    def statuses(self) -> dict[int, str]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items() if name.startswith("m")}

    def reasons(self) -> dict[int, str]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items() if name.startswith("r") and value}

    def members(self):
        """(member, status field, reason field, status shown) per row; those exempt last."""
        out = [(m, self[f"m{m.pk}"], self[f"r{m.pk}"], self[f"m{m.pk}"].value() or status)
               for m, status, _reason in self.rows]
        return sorted(out, key=lambda row: row[3] == "exempt")

    @property
    def present_count(self) -> int:
        return sum(1 for _m, _f, _r, status in self.members() if status == "present")

    @property
    def expected_count(self) -> int:
        return sum(1 for _m, _f, _r, status in self.members() if status != "exempt")


class ScoreForm(Form):
    """One number per criterion of the framework, named by the criterion code."""

    def __init__(self, *args, framework: CoreFramework, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework
        for group in framework.groups:
            for c in group.criteria:
                self.fields[c.code] = forms.DecimalField(
                    label=f"{c.label} (tối đa {c.max_points:g})", min_value=0, max_value=c.max_points,
                    max_digits=6, decimal_places=2,
                    widget=forms.NumberInput(attrs={"step": "0.5", "min": 0, "max": f"{c.max_points:g}",
                                                    "inputmode": "decimal"}),
                    error_messages={"max_value": f"Tối đa {c.max_points:g} điểm.",
                                    "min_value": "Điểm không thể âm.", "invalid": "Điểm phải là một con số.",
                                    "max_decimal_places": "Tối đa 2 chữ số thập phân.",
                                    "max_digits": "Số quá lớn.", "max_whole_digits": "Số quá lớn."})
        for field in self.fields.values():
            field.error_messages["required"] = "Mục này không được để trống."

    def groups(self):
        return [(g, [(c, self[c.code]) for c in g.criteria]) for g in self.framework.groups]

    def points(self) -> dict[str, float]:
        return {code: float(value) for code, value in self.cleaned_data.items()}


class MembersField(forms.ModelMultipleChoiceField):
    """Tick boxes of members; ids are checked to be plain numbers before any query."""

    widget = forms.CheckboxSelectMultiple
    default_error_messages = {
        "invalid_list": "Danh sách đảng viên không hợp lệ.",
        "invalid_choice": "Có người không thuộc danh sách.",
        "invalid_pk_value": "Có người không thuộc danh sách.",
    }

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not (text.isascii() and text.isdigit()) or len(text) > 18:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value")
        return super()._check_values(value)


class FrameworkUploadForm(Form):
    file = LimitedFileField(label="Tệp khung chấm điểm (YAML hoặc JSON, bảng mã UTF-8)",
                            limit="DANGVU_MAX_DATA_FILE_BYTES", what="Tệp khung chấm điểm")

    def clean_file(self):
        f = self.cleaned_data["file"]  # its size checked by the field, before anything reads it
        if not f.name.lower().endswith((".yaml", ".yml", ".json")):
            raise forms.ValidationError("Chỉ nhận tệp .yaml, .yml hoặc .json.", code=Code.FILE)
        return f


class StudySessionForm(Form):
    document_number = forms.CharField(label="Số, ký hiệu văn bản", max_length=60, help_text="Ví dụ: 21-NQ/TW")
    document_title = forms.CharField(label="Tên văn bản", max_length=255)
    document_kind = forms.ChoiceField(label="Loại văn bản", choices=DocumentKind.choices)
    held_on = VNDateField(label="Ngày học tập")
    makeup = forms.BooleanField(label="Học bù (cho đảng viên vắng buổi trước)", required=False)
    note = forms.CharField(label="Ghi chú", max_length=255, required=False)
    members = MembersField(label="Đảng viên đã học tập", queryset=Member.objects.none(), required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members if members is not None else Member.objects.none()

    def clean_held_on(self):
        value = self.cleaned_data["held_on"]
        if value and value > clock.today():
            raise forms.ValidationError("Ngày học tập không thể ở tương lai.")
        return value


class StudyAttendanceForm(Form):
    members = MembersField(label="Đảng viên đã học tập", queryset=Member.objects.none())

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members if members is not None else Member.objects.none()


class ConfirmDeleteForm(Form):
    confirm = forms.ChoiceField(label="Xác nhận", widget=forms.RadioSelect,
                                choices=[("xoa", "Có, xóa buổi sinh hoạt này cùng điểm danh, điểm chấm, biên bản")])
