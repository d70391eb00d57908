"""The channel's forms: a notice or an invitation, a reply, the member's e-mail address."""

from __future__ import annotations

from django import forms

from dangvu.common.forms import Form, VNDateField

from .models import NoticeKind, ReplyAnswer

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class NoticeForm(Form):
    kind = forms.ChoiceField(label="Loại", choices=NoticeKind.choices, initial=NoticeKind.NOTICE)
    title = forms.CharField(label="Tiêu đề", max_length=200)
    body = forms.CharField(label="Nội dung", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 5}))
    meets_on = VNDateField(label="Ngày họp (giấy mời)", required=False)
    starts_at = forms.TimeField(label="Giờ họp (giấy mời)", required=False, widget=TIME_INPUT,
                                error_messages={"invalid": "Giờ không hợp lệ (ví dụ 19:30)."})
    place = forms.CharField(label="Địa điểm", max_length=255, required=False)
    topic = forms.CharField(label="Nội dung sinh hoạt", max_length=255, required=False)
    materials = forms.CharField(label="Tài liệu (mỗi dòng một tài liệu)", max_length=2000, required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))
    email = forms.BooleanField(label="Gửi thư điện tử tới đảng viên có địa chỉ", required=False, initial=True)


class ReplyForm(Form):
    answer = forms.ChoiceField(label="Trả lời", choices=ReplyAnswer.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label="Lý do (nếu không dự được)", max_length=200, required=False)


class EmailForm(Form):
    email = forms.CharField(label="Thư điện tử nhận nhắc việc", max_length=254, required=False,
                            help_text="Để trống nếu không muốn nhận thư.",
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class FeedForm(Form):
    scope = forms.ChoiceField(label="Lịch", choices=[("member", "Lịch họp của tôi"), ("cell", "Lịch họp của chi bộ")])
