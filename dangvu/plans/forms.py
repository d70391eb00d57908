"""Forms of the plans pages. Messages are Vietnamese; the services re-check every rule."""

from __future__ import annotations

import math
import re
import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings

from dangvu import indicators
from dangvu.common.forms import Form, VNDateField, vietnamese_null_check
from dangvu.common.uploads import LimitedFileField, megabytes
from dangvu.common.version_forms import VersionedForm
from dangvu.core import clock
from dangvu.core.errors import Code
from dangvu.core.numbers import thousands
from dangvu.core.plan_status import OP_LABELS
from dangvu.core.planparse import PlanReadError, parse_text
from dangvu.core.planparse.extract import (
    MAX_TEXT_BYTES,
    MAX_TEXT_CHARS,
    SUPPORTED_SUFFIXES,
    TEXT_SUFFIXES,
    UNREADABLE,
    check_items,
    ocr_pages,
    read_text,
    unreadable,
)
from dangvu.registry.models import Organization

from . import bindings as B
from .models import Period, Plan, TaskStatus, TimingKind, Unit

DOCUMENT_SUFFIXES = SUPPORTED_SUFFIXES  # text, Word, PDF, scanned pages (.jpg .png .tif)
OP_CHOICES = [(">=", "≥ từ … trở lên"), (">", "> trên"), ("<=", "≤ không quá"), ("<", "< dưới"),
              ("=", "= đạt đúng (100%)"), ("range", "khoảng từ … đến …")]
assert {k for k, _ in OP_CHOICES} == set(OP_LABELS)
MANUAL = "__manual__"


class VNFloatField(forms.FloatField):
    """A number typed with a decimal comma or point ("5,2" or "5.2")."""

    default_error_messages = {"invalid": "Hãy nhập một số (ví dụ 90 hoặc 5,2)."}

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace(",", ".")
        value = super().to_python(value)
        if value is not None and not math.isfinite(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return f"{'— ' * max(0, obj.depth - 1)}{obj.name} ({obj.code})"


def indicator_choices(unit: str | None = None) -> list[tuple[str, str]]:
    """Registered indicators with their Vietnamese labels (those of ``unit`` first), and manual."""
    reg = indicators.load_all()
    keys = sorted(reg, key=lambda k: (unit is not None and reg[k].unit != unit, reg[k].label))
    return [(MANUAL, "— Không có chỉ số: nhập số liệu thủ công —")] + [
        # The Vietnamese label only: the internal key (admission.admitted_count…) stays the option's value.
        (k, f"{reg[k].label} ({'%' if reg[k].unit == '%' else 'số lượng'})") for k in keys]


# -- upload ----------------------------------------------------------------------------------------

_TECHNICAL = re.compile(r"(?:^|[\s'\"(])/(?:tmp|work|home|var|usr|srv|opt)/|[A-Za-z]:\\|Traceback|\b[A-Z]\w+Error\b"
                        r"|\bnot found\b|\bPackage\b")


def _for_user(message: str, name: str) -> str:
    """The reader's refusal as shown: a message naming a server path or a library's words (never
    expected, but a net) becomes what to do with the file."""
    return unreadable(name or "x.txt").args[0] if _TECHNICAL.search(message) else message


class UploadForm(Form):
    file = LimitedFileField(label="Tệp văn bản kế hoạch (.txt, .docx, .pdf, hoặc ảnh quét .jpg, .png, .tif)",
                            required=False, limit="DANGVU_MAX_UPLOAD_BYTES",
                            help_text=f"Văn bản tối đa {thousands(MAX_TEXT_CHARS)} ký tự.")
    text = forms.CharField(label="Hoặc dán nội dung văn bản", required=False, max_length=MAX_TEXT_CHARS,
                           widget=forms.Textarea(attrs={"rows": 8}))
    start_year = forms.IntegerField(label="Từ năm (để trống: lấy theo văn bản)", required=False, min_value=2000,
                                    max_value=2100)
    end_year = forms.IntegerField(label="Đến năm (để trống: lấy theo văn bản)", required=False, min_value=2000,
                                  max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ",".join(DOCUMENT_SUFFIXES)
        self.fields["text"].error_messages["max_length"] = (
            f"Văn bản quá dài (tối đa {thousands(MAX_TEXT_CHARS)} ký tự).")
        self.parsed: dict[str, Any] | None = None
        self.source_name = ""
        self.source_text = ""
        self.scan: tuple[str, bytes, str, int] | None = None  # (name, bytes, suffix, pages) to OCR

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if not upload and not text:
            raise forms.ValidationError("Hãy chọn tệp văn bản kế hoạch hoặc dán nội dung văn bản.")
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", "Năm kết thúc không thể trước năm bắt đầu.")
            return data
        try:
            if upload:
                self._read_upload(upload)
            else:
                self.source_name, self.source_text = "", text
                self.parsed = check_items(parse_text(text))
        except PlanReadError as exc:  # the reader could not read the file
            self.add_error("file" if upload else "text", forms.ValidationError(
                _for_user(str(exc), upload.name if upload else ""), code=Code.FILE))
            return data
        except forms.ValidationError as exc:  # the upload's own checks, each with its code
            self.add_error("file", exc)
            return data
        except Exception:  # a parser slip on odd input must not become a 500
            self.add_error("file" if upload else "text", forms.ValidationError(
                "Không đọc được văn bản này; hãy kiểm tra lại tệp.", code=Code.FILE))
            return data
        if self.scan is None and not self.parsed.get("targets") and not self.parsed.get("tasks"):
            self.add_error("file" if upload else "text", forms.ValidationError(
                "Không tìm thấy chỉ tiêu hay nhiệm vụ nào trong văn bản; hãy kiểm tra lại tệp.", code=Code.FILE))
        return data

    def _read_upload(self, upload) -> None:
        name = Path(upload.name or "").name
        suffix = Path(name).suffix.lower()
        if suffix not in DOCUMENT_SUFFIXES:
            raise forms.ValidationError(f"Chưa hỗ trợ định dạng {suffix or '(không có đuôi)'} — hãy dùng .txt, "
                                        ".docx, .pdf hoặc ảnh quét .jpg, .png, .tif.", code=Code.FILE)
        # The size was checked by the field; a text file has its own, smaller bound (the reader's).
        if suffix in TEXT_SUFFIXES and upload.size > MAX_TEXT_BYTES:
            raise forms.ValidationError(
                f"Tệp văn bản quá lớn ({megabytes(upload.size)}); một kế hoạch tối đa "
                f"{thousands(MAX_TEXT_CHARS)} ký tự.", code=Code.FILE_TOO_LARGE)
        raw = upload.read()
        if suffix == ".docx" and not raw.startswith(b"PK"):
            raise forms.ValidationError(UNREADABLE[".docx"], code=Code.FILE)
        if suffix == ".pdf" and not raw.startswith(b"%PDF"):
            raise forms.ValidationError(UNREADABLE[".pdf"], code=Code.FILE)
        if suffix == ".txt" and b"\x00" in raw[:4096] and raw[:2] not in (b"\xff\xfe", b"\xfe\xff"):
            raise forms.ValidationError(f"Tệp {name} không phải văn bản thuần (.txt).", code=Code.FILE)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"ke-hoach{suffix}"
            path.write_bytes(raw)
            # A scan is checked here (limits, Tesseract present) and read in the background.
            pages = ocr_pages(path, max_pages=settings.DANGVU_SCAN_MAX_PAGES,
                              max_pixels=settings.DANGVU_SCAN_MAX_PIXELS)
            if pages:
                self.scan = (name[:255], raw, suffix, pages)
                return
            text = read_text(path)
        self.parsed = check_items(parse_text(text))
        self.source_text = text[:MAX_TEXT_CHARS]
        self.source_name = name[:255]


# -- plan header -----------------------------------------------------------------------------------

class PlanForm(Form):
    number = forms.CharField(label="Số văn bản", max_length=60, required=False, help_text="Ví dụ: 35-KH/ĐU")
    issued_on = VNDateField(label="Ngày ban hành", required=False)
    place = forms.CharField(label="Địa danh", max_length=120, required=False)
    title = forms.CharField(label="Trích yếu", max_length=MAX_TEXT_CHARS, widget=forms.Textarea(attrs={"rows": 3}))
    start_year = forms.IntegerField(label="Từ năm", min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label="Đến năm", min_value=2000, max_value=2100)
    parent = forms.ModelChoiceField(label="Thực hiện (cụ thể hóa) kế hoạch của cấp trên", required=False,
                                    queryset=Plan.objects.none())
    replaces = forms.ModelChoiceField(label="Thay thế kế hoạch", required=False, queryset=Plan.objects.none())

    def __init__(self, *args: Any, parents=None, replaceable=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents if parents is not None else Plan.objects.none()
        self.fields["replaces"].queryset = replaceable if replaceable is not None else Plan.objects.none()
        for key in ("parent", "replaces"):
            self.fields[key].label_from_instance = lambda p: f"{p.name} — {p.issuer.name} ({p.years})"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start_year") and data.get("end_year") and data["end_year"] < data["start_year"]:
            self.add_error("end_year", "Năm kết thúc không thể trước năm bắt đầu.")
        return data


# -- targets ---------------------------------------------------------------------------------------

_INT = re.compile(r"-?\d{1,9}")


def parse_params(text: str) -> dict[str, Any]:
    """"tên = giá trị" per line → a dict: whole numbers become int, "a, b" a list, the rest text.
    Raises ValidationError on a line without "=" or a name that is not an identifier."""
    out: dict[str, Any] = {}
    for raw_line in (text or "").splitlines():
        line = raw_line.strip()
        if not line:
            continue
        name, sep, raw = line.partition("=")
        name, raw = name.strip(), raw.strip()
        if not sep or not name.isidentifier() or not name.isascii():
            raise forms.ValidationError(f"Dòng «{line[:60]}» chưa đúng dạng «tên = giá trị».")
        if "," in raw:
            out[name] = [int(x) if _INT.fullmatch(x) else x for x in (p.strip() for p in raw.split(",")) if x]
        else:
            out[name] = int(raw) if _INT.fullmatch(raw) else raw
    return out


def params_text(params: dict[str, Any] | None) -> str:
    """The inverse of :func:`parse_params`, for the form's initial value."""
    lines = []
    for name, value in (params or {}).items():
        shown = ", ".join(str(x) for x in value) if isinstance(value, (list, tuple)) else value
        lines.append(f"{name} = {'' if shown is None else shown}")
    return "\n".join(lines)


def params_help() -> str:
    reg = indicators.load_all()
    with_params = [f"{k}: {', '.join(sorted(reg[k].params))}" for k in sorted(reg) if reg[k].params]
    return ("Thường để trống (mặc định). Mỗi dòng một tham số, dạng «tên = giá trị», ví dụ «sector = residential» "
            "(chi bộ thôn, bản, tổ dân phố), «document = 21-NQ/TW» (văn bản 21-NQ/TW), «min_members = 4» (ít nhất "
            "4 đảng viên). Khối (sector): residential thôn, bản, tổ dân phố; agency cơ quan; school trường học; "
            "health y tế; soe doanh nghiệp nhà nước; private doanh nghiệp tư nhân; military quân sự; police công an. "
            "Các chỉ số có tham số: " + ("; ".join(with_params) if with_params else "(không có)") + ".")


def slot_names(k: int) -> tuple[str, str]:
    """Field names of the k-th binding (1-based): "indicator"/"params", then "indicator_2"/"params_2"…"""
    return ("indicator", "params") if k == 1 else (f"indicator_{k}", f"params_{k}")


class TargetForm(Form):
    """A target's goal, its scope and its bindings (one slot each, plus an empty one to add).
    Saving is the person's review: the bindings as saved are confirmed by them."""

    section = forms.CharField(label="Mục (như trong văn bản, ví dụ II.2.1)", max_length=40, required=False)
    text = forms.CharField(label="Nội dung chỉ tiêu", max_length=MAX_TEXT_CHARS, widget=forms.Textarea(attrs={"rows": 3}))
    op = forms.ChoiceField(label="So sánh", choices=OP_CHOICES)
    value = VNFloatField(label="Mục tiêu", min_value=0, max_value=1_000_000)
    value_max = VNFloatField(label="Cận trên (chỉ với khoảng)", min_value=0, max_value=1_000_000, required=False)
    unit = forms.ChoiceField(label="Đơn vị", choices=Unit.choices)
    by_year = forms.IntegerField(label="Đến năm (để trống: cuối kế hoạch)", min_value=2000, max_value=2100,
                                 required=False)
    period = forms.ChoiceField(label="Chu kỳ", choices=[("", "— Không nêu —"), *Period.choices], required=False)
    baseline = VNFloatField(label="Hiện trạng nêu trong kế hoạch (nếu có)", min_value=0, max_value=1_000_000,
                            required=False)
    scope = OrgChoiceField(label="Phạm vi đo", queryset=Organization.objects.none(), required=False,
                           help_text="Để trống: toàn bộ cấp ủy ban hành.")

    def __init__(self, *args: Any, scopes=None, unit: str | None = None, slots: int = 2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = scopes if scopes is not None else Organization.objects.none()
        self.fields["scope"].error_messages["invalid_choice"] = "Hãy chọn một tổ chức trong danh sách."
        self.slots = max(1, min(slots, B.MAX_BINDINGS))
        choices = indicator_choices(unit)
        for k in range(1, self.slots + 1):
            key, params = slot_names(k)
            self.fields[key] = forms.ChoiceField(
                label=f"Cách đo {k}: chỉ số đo", choices=choices, required=k == 1,
                help_text=("Chọn «Không có chỉ số» nếu không dữ liệu nào đo được chỉ tiêu này." if k == 1 else
                           "Thêm cách đo khi một con số gồm hai đối tượng (ví dụ tổ chức đảng và đảng viên); "
                           "chọn «Không có chỉ số» để bỏ."))
            self.fields[params] = forms.CharField(label=f"Cách đo {k}: tham số", required=False, max_length=1000,
                                                  widget=forms.Textarea(attrs={"rows": 2}),
                                                  help_text=params_help() if k == 1 else "")
            for name in (key, params):  # the base form set Vietnamese messages before these existed
                field = self.fields[name]
                field.error_messages["required"] = "Mục này không được để trống."
                if isinstance(field, forms.ChoiceField):
                    field.error_messages["invalid_choice"] = "Lựa chọn không hợp lệ."
                vietnamese_null_check(field)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("op") == "range" and data.get("value") is not None:
            if data.get("value_max") is None:
                self.add_error("value_max", "Chỉ tiêu dạng khoảng cần cận trên.")
            elif data["value_max"] < data["value"]:
                self.add_error("value_max", "Cận trên phải lớn hơn hoặc bằng cận dưới.")
        if data.get("unit") == "%" and (data.get("value") or 0) > 100:
            self.add_error("value", "Tỷ lệ không thể vượt quá 100%.")
        chosen: list[tuple[str, dict[str, Any]]] = []
        for k in range(1, self.slots + 1):
            key_field, params_field = slot_names(k)
            if key_field in self.errors or params_field in self.errors:
                continue
            key = data.pop(key_field, "") or MANUAL
            try:
                params = parse_params(data.pop(params_field, "") or "")
            except forms.ValidationError as exc:
                self.add_error(params_field, exc)
                continue
            if key == MANUAL:
                if params:
                    self.add_error(params_field, "Chỉ tiêu nhập số liệu thủ công không có tham số.")
                continue
            if data.get("unit") and (why := B.unit_problem(key, data["unit"])):
                self.add_error(key_field, why)
            elif why := B.params_problem(key, params):
                self.add_error(params_field, why)
            elif (key, params) in chosen:
                self.add_error(key_field, "Cách đo này đã được chọn ở trên.")
            else:
                chosen.append((key, params))
        data["bindings"] = chosen
        return data


class TargetEditForm(VersionedForm, TargetForm):
    """A target's edit page: the form above and the version it was opened on."""


class DecisionForm(Form):
    """Before a draft is saved: for each binding still unconfirmed, the person's choice —
    confirm it or clear it. No choice is made for them."""

    CHOICES = [("confirm", "Xác nhận cách đo này"), ("clear", "Bỏ cách đo này")]

    def __init__(self, *args: Any, pending=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for b in pending:
            field = forms.ChoiceField(label=f"«{b.target.text}» — đo bằng: {B.describe(b.indicator, b.params)}",
                                      choices=self.CHOICES, widget=forms.RadioSelect)
            field.error_messages["required"] = "Hãy chọn «Xác nhận» hoặc «Bỏ» cho cách đo này."
            field.error_messages["invalid_choice"] = "Hãy chọn «Xác nhận» hoặc «Bỏ» cho cách đo này."
            vietnamese_null_check(field)
            field.binding = b
            self.fields[f"b{b.pk}"] = field

    def decisions(self) -> dict[int, str]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}


class ConfirmDeleteForm(Form):
    """A deletion asks for one explicit tick: a stray POST deletes nothing."""

    confirm = forms.ChoiceField(label="Xác nhận", widget=forms.RadioSelect, choices=[("xoa", "")])

    def __init__(self, *args: Any, what: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].choices = [("xoa", f"Có, xóa {what}" if what else "Có, xóa")]


class MeasurementForm(Form):
    measured_on = VNDateField(label="Ngày số liệu")
    value = VNFloatField(label="Giá trị", min_value=0, max_value=1_000_000)
    note = forms.CharField(label="Ghi chú, nguồn số liệu", max_length=500, required=False)

    def clean_measured_on(self):
        value = self.cleaned_data["measured_on"]
        if value and value > clock.today():
            raise forms.ValidationError("Ngày số liệu không thể ở tương lai.")
        return value


# -- tasks -----------------------------------------------------------------------------------------

class TaskForm(Form):
    label = forms.CharField(label="Số thứ tự", max_length=40, required=False)
    title = forms.CharField(label="Nội dung nhiệm vụ", max_length=MAX_TEXT_CHARS,
                            widget=forms.Textarea(attrs={"rows": 3}))
    timing_kind = forms.ChoiceField(label="Thời gian", choices=[("", "— Không nêu —"), *TimingKind.choices],
                                    required=False)
    starts_on = VNDateField(ahead_terms=1, label="Từ ngày", required=False)
    ends_on = VNDateField(ahead_terms=1, label="Thời hạn (hoàn thành trước ngày)", required=False)
    timing_text = forms.CharField(label="Thời gian (như trong văn bản)", max_length=255, required=False)
    lead = forms.CharField(label="Đơn vị chủ trì", max_length=500, required=False)
    support = forms.CharField(label="Đơn vị phối hợp", max_length=500, required=False)
    lead_org = OrgChoiceField(label="Tổ chức đảng chủ trì (nếu là tổ chức trực thuộc)", required=False,
                              queryset=Organization.objects.none())

    def __init__(self, *args: Any, orgs=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_org"].queryset = orgs if orgs is not None else Organization.objects.none()
        self.fields["lead_org"].error_messages["invalid_choice"] = "Hãy chọn một tổ chức trong danh sách."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "Thời hạn không thể trước ngày bắt đầu.")
        return data


class TaskEditForm(VersionedForm, TaskForm):
    """A task's edit page: the form above and the version it was opened on."""


class TaskUpdateForm(Form):
    status = forms.ChoiceField(label="Tình trạng", choices=TaskStatus.choices)
    done_on = VNDateField(label="Ngày hoàn thành", required=False)
    evidence = forms.CharField(label="Kết quả, minh chứng (số văn bản, nội dung)", required=False, max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 3}))
    evidence_file = LimitedFileField(label="Tệp minh chứng", required=False, limit="DANGVU_MAX_ATTACHMENT_BYTES",
                                     what="Tệp minh chứng")

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")  # its size checked by the field
        if not upload:
            return None
        return (Path(upload.name or "minh-chung").name[:255], upload.read())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("status") == TaskStatus.DONE and not data.get("done_on") and "done_on" not in self.errors:
            self.add_error("done_on", "Đã hoàn thành thì phải ghi ngày hoàn thành.")
        if data.get("done_on") and data["done_on"] > clock.today():
            self.add_error("done_on", "Ngày hoàn thành không thể ở tương lai.")
        return data
