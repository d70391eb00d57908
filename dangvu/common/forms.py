"""The form glue every app shares: Vietnamese messages for Django's own, a date field, a base form.

Django has no Vietnamese for several of its validation messages (NUL characters, bad ids, integers);
every app's forms derive from :class:`Form` so a refusal always reads in plain Vietnamese.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, ProhibitNullCharactersValidator

from dangvu.core import clock, dates
from dangvu.core.names import lines_problem, name_problem
from dangvu.core.numbers import parse_amount, thousands
from dangvu.core.safefiles import has_controls

from .dates import birth_bounds, check_birth_date, date_bounds

NULL_CHARACTERS = "Không được chứa ký tự NUL (mã 0)."
CONTROL_CHARACTERS = "Không được chứa ký tự điều khiển (ký tự không in được)."


DB_INT_MAX = 2**63 - 1  # ids are 64-bit; a larger number would crash the query (OverflowError, DataError)
FORM_INT_MAX = 2**31 - 1  # an integer field without its own bound is capped at the 32-bit column size


def parse_id(value: Any) -> int | None:
    """An id typed in a form or a query string: plain ASCII digits within the database's range, else None.

    ``str.isdigit`` alone is not enough: "²" and "①" are digits to it but not to ``int``.
    """
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if number <= DB_INT_MAX else None


def _check_id(value) -> None:
    """A chosen id: no NUL character, and nothing but a number the database can compare with an id."""
    ProhibitNullCharactersValidator(message=NULL_CHARACTERS)(value)
    if isinstance(value, str) and value.strip() and parse_id(value) is None:
        raise forms.ValidationError("Lựa chọn không hợp lệ.", code="invalid_choice")


def _refuse_controls(value: Any) -> None:
    """No control character in typed text (tab and line breaks allowed): they break exports and XML."""
    if isinstance(value, str) and "\x00" not in value and has_controls(value):
        raise forms.ValidationError(CONTROL_CHARACTERS, code="control_characters")


def vietnamese_null_check(field: forms.Field) -> None:
    """Django's messages for NUL characters and bad ids have no Vietnamese translation: replace them."""
    field.validators = [ProhibitNullCharactersValidator(message=NULL_CHARACTERS)
                        if isinstance(v, ProhibitNullCharactersValidator) else v for v in field.validators]
    if isinstance(field, forms.ModelChoiceField):
        field.validate_no_null_characters = _check_id
    if isinstance(field, forms.ModelMultipleChoiceField):
        field.error_messages.update({
            "invalid_pk_value": "Giá trị «%(pk)s» không hợp lệ.",
            "invalid_choice": "Lựa chọn «%(value)s» không có trong danh sách.",
            "invalid_list": "Hãy chọn trong danh sách.",
        })


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]  # what the field reads (core.dates.parse_date)


class VNDateField(forms.DateField):
    """A date typed as 15/06/2025 or picked in the browser (2025-06-15), within :func:`date_bounds`.

    A day that does not exist says so ("Ngày 31/02/2026 không có."); other text shows the expected
    form with an example; a date out of bounds names the bound.
    """

    widget = DATE_INPUT
    default_error_messages = {"invalid": dates.FORMAT_HINT}

    def __init__(self, *args, ahead_terms: int = 0, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        super().__init__(*args, **kwargs)
        self.ahead_terms = ahead_terms  # planning dates may lie terms ahead (see date_bounds)

    def bounds(self) -> tuple[dt.date, dt.date]:
        return date_bounds(self.ahead_terms)

    def problem(self, value: dt.date) -> str | None:
        return dates.bound_problem(value, *self.bounds())

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dates.parse_date(str(value))
        except dates.DateProblem as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc

    def validate(self, value):
        super().validate(value)
        if value and (why := self.problem(value)):
            raise forms.ValidationError(why, code="out_of_range")

    def refresh_widget(self) -> None:
        """The browser's date picker offers only the days the field accepts (bounds move with today)."""
        low, high = self.bounds()
        self.widget.attrs.update(min=low.isoformat(), max=high.isoformat())


class BirthDateField(VNDateField):
    """A birth date: not in the future, not older than ``DANGVU_BIRTH_MAX_AGE_YEARS`` (people born
    before 1930 are still members, so the general lower bound does not apply)."""

    def bounds(self) -> tuple[dt.date, dt.date]:
        return birth_bounds()

    def problem(self, value: dt.date) -> str | None:
        return check_birth_date(value)


def not_future(value: dt.date | None) -> dt.date | None:
    if value and value > clock.today():
        raise forms.ValidationError("Ngày không thể ở tương lai.")
    return value


def validate_person_name(value: Any) -> None:
    """A person's name: letters, spaces, hyphen, apostrophe, dot (:func:`dangvu.core.names.name_problem`)."""
    if isinstance(value, str) and (why := name_problem(value)):
        raise forms.ValidationError(why, code="invalid_name")


def validate_name_lines(value: Any) -> None:
    """A list typed one person a line (candidates, a counting board): each line a name."""
    if isinstance(value, str) and (why := lines_problem(value.splitlines())):
        raise forms.ValidationError(why, code="invalid_name")


class PersonNameField(forms.CharField):
    """A person's full name (members, prospects, candidates, people outside the Party)."""

    default_validators = [validate_person_name]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 120)
        super().__init__(*args, **kwargs)


# Django's own messages, in Vietnamese, end with " ." or are missing (StepValueValidator): every form
# of the project says these instead. A message a form sets itself is kept.
PLAIN_MESSAGES: dict[type, dict[str, str]] = {
    forms.IntegerField: {"min_value": "Số này không được nhỏ hơn %(limit_value)s.",
                         "max_value": "Số này không được lớn hơn %(limit_value)s.",
                         "step_size": "Số này phải là bội của %(limit_value)s."},
    forms.DecimalField: {"invalid": "Hãy nhập một số, ví dụ 7,5 hoặc 7.5.",
                         "max_digits": "Số quá dài (nhiều nhất %(max)s chữ số).",
                         "max_decimal_places": "Nhiều nhất %(max)s chữ số sau dấu phẩy.",
                         "max_whole_digits": "Phần nguyên nhiều nhất %(max)s chữ số."},
    forms.FloatField: {"invalid": "Hãy nhập một số, ví dụ 7,5 hoặc 7.5."},
    forms.CharField: {"max_length": "Nhiều nhất %(limit_value)d ký tự (đã nhập %(show_value)d ký tự).",
                      "min_length": "Ít nhất %(limit_value)d ký tự (đã nhập %(show_value)d ký tự)."},
    forms.TimeField: {"invalid": "Nhập giờ theo dạng giờ:phút, ví dụ 19:30."},
    forms.FileField: {"invalid": "Không nhận được tệp; hãy chọn lại tệp rồi gửi.",
                      "missing": "Không nhận được tệp; hãy chọn lại tệp rồi gửi.",
                      "empty": "Tệp tải lên rỗng (0 byte); hãy chọn đúng tệp.",
                      "max_length": "Tên tệp quá dài (nhiều nhất %(max)d ký tự); hãy đổi tên tệp.",
                      "contradiction": "Hãy tải lên một tệp hoặc đánh dấu xóa tệp, không cả hai."},
    forms.MultipleChoiceField: {"invalid_list": "Hãy chọn trong danh sách."},
}


def _plain_messages(field: forms.Field) -> None:
    """Replace Django's default messages of ``field`` (those not set by the form) with plain Vietnamese."""
    for cls, messages in PLAIN_MESSAGES.items():
        if not isinstance(field, cls):
            continue
        defaults = {k: str(v) for klass in reversed(type(field).__mro__)
                    for k, v in getattr(klass, "default_error_messages", {}).items()}
        django_defaults = {k: str(v) for klass in reversed(cls.__mro__)
                           for k, v in getattr(klass, "default_error_messages", {}).items()}
        for key, text in messages.items():
            current = field.error_messages.get(key)
            if current is None or str(current) in ("", django_defaults.get(key)) or (
                    str(current) == defaults.get(key) and type(field).__module__.startswith("django.")):
                field.error_messages[key] = text


def plain_message(text: str) -> str:
    """A message without the space Django's Vietnamese puts before the final full stop."""
    text = str(text).rstrip()
    while text.endswith(" ."):
        text = text[:-2].rstrip() + "."
    return text


class Form(forms.Form):
    """Base form: plain Vietnamese messages everywhere (required, numbers, lengths, files, dates)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.setdefault("required", "Mục này không được để trống.")
            field.error_messages["required"] = "Mục này không được để trống."
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = "Lựa chọn không hợp lệ."
            vietnamese_null_check(field)
            if isinstance(field, forms.CharField):
                field.validators.append(_refuse_controls)
            if isinstance(field, forms.IntegerField) and str(field.error_messages["invalid"]) == str(
                    forms.IntegerField.default_error_messages["invalid"]):
                field.error_messages["invalid"] = "Hãy nhập một số nguyên."  # Django's vi: "số tổng thể"
            if isinstance(field, forms.IntegerField) and field.max_value is None:
                field.validators.append(MaxValueValidator(FORM_INT_MAX, "Số quá lớn."))
            if isinstance(field, forms.IntegerField) and field.min_value is None:
                field.validators.append(MinValueValidator(-FORM_INT_MAX, "Số quá nhỏ."))
            _plain_messages(field)
            if isinstance(field, VNDateField):
                field.refresh_widget()

    def full_clean(self) -> None:
        super().full_clean()
        # A last net for any message still carrying Django's " ." (a validator's own text).
        for errors in (self._errors or {}).values():
            errors.data = [forms.ValidationError(plain_message(text), code=getattr(error, "code", None))
                           for error, text in zip(errors.as_data(), errors, strict=False)]


# At most this many members are offered as the choices of one member field: a search narrows
# them (issue 14: a select of the whole subtree grew with it, 22 s at a province's root).
MEMBER_CHOICES_SHOWN = 50


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.birth_date:%Y})"

    def show(self, members: Iterable[Any]) -> None:
        """Offer only ``members`` in the select; a posted id is still checked against the whole
        ``queryset`` (one query by id), so the list may be a search's few results."""
        empty = [("", self.empty_label)] if self.empty_label is not None else []
        self.widget.choices = empty + [(m.pk, self.label_from_instance(m)) for m in members]


# -- money (issue 15) ---------------------------------------------------------------------------
class MoneyField(forms.CharField):
    """An amount of whole đồng, typed with or without thousand separators (7.350.000, 7 350 000);
    cleaned to an ``int`` (:func:`dangvu.core.numbers.parse_amount`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)  # no max_length: its validator would measure the int
        self.widget.attrs.update(maxlength="24")
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        if len(text) > 24:
            raise forms.ValidationError("Số tiền quá dài.", code="max_length")
        try:
            amount = parse_amount(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None
        if amount > FORM_INT_MAX * 1000:
            raise forms.ValidationError("Số tiền quá lớn.", code="max_value")
        return amount

    def prepare_value(self, value):
        return thousands(value) if isinstance(value, int) and not isinstance(value, bool) else value
