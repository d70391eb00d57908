"""The form glue every app shares: Vietnamese messages for Django's own, a date field, a base form.

Django has no Vietnamese for several of its validation messages (NUL characters, bad ids, integers);
every app's forms derive from :class:`Form` so a refusal always reads in plain Vietnamese.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, ProhibitNullCharactersValidator

from dangvu.core import clock
from dangvu.core.safefiles import has_controls

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
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


class VNDateField(forms.DateField):
    """A date typed as 2025-06-15 (browser date picker) or 15/06/2025."""

    widget = DATE_INPUT
    default_error_messages = {"invalid": "Ngày không hợp lệ (nhập dạng ngày/tháng/năm)."}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value and not dt.date(1900, 1, 1) <= value <= clock.today() + dt.timedelta(days=3660):
            raise forms.ValidationError("Ngày nằm ngoài khoảng cho phép.")
        return value


def not_future(value: dt.date | None) -> dt.date | None:
    if value and value > clock.today():
        raise forms.ValidationError("Ngày không thể ở tương lai.")
    return value


class Form(forms.Form):
    """Base form: Vietnamese 'required' message everywhere."""

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


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.birth_date:%Y})"
