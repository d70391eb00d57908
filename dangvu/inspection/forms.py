"""Forms of the inspection pages. Messages are Vietnamese; the services re-check every rule."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms

from dangvu.common.forms import Form, VNDateField, not_future
from dangvu.common.uploads import LimitedFileField
from dangvu.core import clock
from dangvu.core.errors import Code
from dangvu.core.inspection import ACTIVITIES, FORMS, SUBJECTS
from dangvu.core.inspection_programme import ProgrammeEntry, read_programme
from dangvu.core.planparse import PlanReadError
from dangvu.core.planparse.extract import MAX_TEXT_CHARS, ocr_pages, read_text
from dangvu.registry.models import Member, Organization

from .models import Issuer

PROGRAMME_SUFFIXES = (".txt", ".docx", ".pdf")


class OrgField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.name


class MemberField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.full_name} — {obj.organization.name}"


class ProgrammeForm(Form):
    year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100)
    issuer = forms.ChoiceField(label="Cơ quan ban hành", choices=Issuer.choices)
    number = forms.CharField(label="Số văn bản", max_length=60, required=False, help_text="Ví dụ: 05-CTr/ĐU")
    issued_on = VNDateField(label="Ngày ban hành", required=False, validators=[not_future])
    title = forms.CharField(label="Trích yếu", max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = clock.today().year


class ItemForm(Form):
    activity = forms.ChoiceField(label="Loại", choices=list(ACTIVITIES.items()))
    form = forms.ChoiceField(label="Hình thức", choices=list(FORMS.items()))
    subject_kind = forms.ChoiceField(label="Đối tượng là", choices=list(SUBJECTS.items()))
    subject_org = OrgField(label="Tổ chức đảng", queryset=Organization.objects.none(), required=False)
    subject_member = MemberField(label="Đảng viên", queryset=Member.objects.none(), required=False)
    subject_text = forms.CharField(label="Hoặc ghi đối tượng", max_length=255, required=False)
    content = forms.CharField(label="Nội dung", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    planned_start = VNDateField(label="Từ ngày (theo chương trình)")
    planned_end = VNDateField(label="Đến ngày (theo chương trình)")
    leader = forms.CharField(label="Người chủ trì, trưởng đoàn", max_length=255, required=False)
    planned = forms.BooleanField(label="Có trong chương trình đầu năm", required=False, initial=True)

    def __init__(self, *args: Any, orgs, members, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject_org"].queryset = orgs
        self.fields["subject_member"].queryset = members


class StartForm(Form):
    decision_number = forms.CharField(label="Số quyết định (kế hoạch)", max_length=60)
    decided_on = VNDateField(label="Ngày quyết định", validators=[not_future])
    started_on = VNDateField(label="Ngày bắt đầu")
    leader = forms.CharField(label="Trưởng đoàn (tổ trưởng)", max_length=255)
    team = forms.CharField(label="Thành viên đoàn", max_length=500, required=False)


class ReportForm(Form):
    reported_on = VNDateField(label="Ngày đối tượng báo cáo", validators=[not_future])
    summary = forms.CharField(label="Tóm tắt báo cáo của đối tượng", max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 4}))


class ConcludeForm(Form):
    concluded_on = VNDateField(label="Ngày kết luận", validators=[not_future])
    conclusion = forms.CharField(label="Nội dung kết luận", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    members = forms.ModelMultipleChoiceField(label="Đảng viên có vi phạm (nếu có)", queryset=Member.objects.none(),
                                             required=False, widget=forms.CheckboxSelectMultiple)
    violation_on = VNDateField(label="Ngày vi phạm", required=False)
    violation = forms.CharField(label="Nội dung vi phạm", max_length=500, required=False)
    recommendation = forms.CharField(label="Kiến nghị (nếu có)", max_length=500, required=False)
    due_on = VNDateField(label="Hạn thực hiện kiến nghị", required=False)

    def __init__(self, *args: Any, members, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("members") and not data.get("violation_on"):
            self.add_error("violation_on", "Cần ghi ngày vi phạm của đảng viên có vi phạm.")
        if data.get("members") and not (data.get("violation") or "").strip():
            self.add_error("violation", "Cần ghi nội dung vi phạm.")
        if (data.get("recommendation") or "").strip() and not data.get("due_on"):
            self.add_error("due_on", "Cần ghi hạn thực hiện kiến nghị.")
        return data


class RecommendationForm(Form):
    content = forms.CharField(label="Nội dung kiến nghị", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    due_on = VNDateField(label="Hạn thực hiện")


class DoneForm(Form):
    done_on = VNDateField(label="Ngày thực hiện xong", validators=[not_future])
    note = forms.CharField(label="Kết quả thực hiện", max_length=500, required=False)


class ProgrammeUploadForm(Form):
    """A programme document (.txt, .docx, .pdf with text) or its pasted text, read into entries."""

    file = LimitedFileField(label="Tệp chương trình (.txt, .docx, .pdf)", required=False,
                            limit="DANGVU_MAX_UPLOAD_BYTES")
    text = forms.CharField(label="Hoặc dán nội dung chương trình", required=False, max_length=MAX_TEXT_CHARS,
                           widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        self.fields["file"].widget.attrs["accept"] = ",".join(PROGRAMME_SUFFIXES)
        self.source_text = ""
        self.entries: list[ProgrammeEntry] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if not upload and not text:
            raise forms.ValidationError("Hãy chọn tệp chương trình hoặc dán nội dung.")
        field = "file" if upload else "text"
        try:
            text = self._read(upload) if upload else text
            _header, entries = read_programme(text, self.year)
        except PlanReadError as exc:
            self.add_error(field, forms.ValidationError(str(exc), code=Code.FILE))
            return data
        except forms.ValidationError as exc:
            self.add_error(field, exc)
            return data
        except Exception:  # a reader slip on odd input must not become a 500
            self.add_error(field, forms.ValidationError("Không đọc được văn bản này; hãy kiểm tra lại tệp.",
                                                        code=Code.FILE))
            return data
        if not entries:
            self.add_error(field, forms.ValidationError(
                "Không tìm thấy mục kiểm tra, giám sát nào trong văn bản; hãy kiểm tra lại.", code=Code.FILE))
        self.source_text, self.entries = text, entries
        return data

    def _read(self, upload) -> str:
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in PROGRAMME_SUFFIXES:
            raise forms.ValidationError("Chỉ nhận tệp .txt, .docx hoặc .pdf có lớp chữ.", code=Code.FILE)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"chuong-trinh{suffix}"
            path.write_bytes(upload.read())
            if ocr_pages(path):
                raise forms.ValidationError("Tệp PDF này là ảnh quét: hãy dán nội dung văn bản vào ô bên dưới.",
                                            code=Code.FILE)
            return read_text(path)
