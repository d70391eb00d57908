"""Forms of the letters pages: a letter received, its outcome."""

from __future__ import annotations

from django import forms

from dangvu.common.forms import Form, VNDateField, not_future

from .models import LetterKind


class LetterForm(Form):
    received_on = VNDateField(label="Ngày nhận đơn", validators=[not_future])
    kind = forms.ChoiceField(label="Loại đơn", choices=LetterKind.choices)
    anonymous = forms.BooleanField(
        label="Đơn giấu tên, mạo tên hoặc không rõ địa chỉ", required=False,
        help_text="Đơn khiếu nại, tố cáo giấu tên vẫn được ghi lại nhưng không giải quyết như đơn khiếu nại, "
                  "tố cáo: lưu để tham khảo.")
    sender_name = forms.CharField(label="Người gửi", max_length=120, required=False,
                                  help_text="Bỏ trống nếu đơn giấu tên.")
    sender_address = forms.CharField(label="Địa chỉ người gửi", max_length=255, required=False)
    subject = forms.CharField(label="Trích yếu nội dung", max_length=255)
    content = forms.CharField(label="Nội dung", max_length=20000, required=False,
                              widget=forms.Textarea(attrs={"rows": 5}))


class OutcomeForm(Form):
    closed_on = VNDateField(label="Ngày có kết quả", validators=[not_future])
    outcome = forms.CharField(label="Kết quả giải quyết", max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))
