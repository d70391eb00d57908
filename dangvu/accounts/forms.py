"""Account forms: the user's own password change, and an administrator's password reset."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError

from dangvu.common.forms import Form

from . import services


class OwnPasswordForm(PasswordChangeForm):
    """Django's password change, in Vietnamese, saved through :func:`services.change_own_password`."""

    error_messages = {
        "password_mismatch": "Hai lần nhập mật khẩu mới không khớp nhau.",
        "password_incorrect": "Mật khẩu hiện tại không đúng; hãy nhập lại.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Mật khẩu hiện tại"
        self.fields["new_password1"].label = "Mật khẩu mới"
        self.fields["new_password1"].help_text = ("Ít nhất 10 ký tự, không chỉ gồm chữ số, không giống tên đăng "
                                                  "nhập, không phải mật khẩu phổ biến.")
        self.fields["new_password2"].label = "Nhập lại mật khẩu mới"
        self.fields["new_password2"].help_text = ""
        for field in self.fields.values():
            field.error_messages["required"] = "Ô này không được để trống."
            field.max_length = 128
            field.widget.attrs["maxlength"] = 128

    def validate_password_for_user(self, user: Any, password_field_name: str = "password2") -> None:
        password = self.cleaned_data.get(password_field_name)
        if password:
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                self.add_error(password_field_name, services.password_problems(error))

    def save(self, commit: bool = True) -> Any:
        services.change_own_password(self.user, self.cleaned_data["old_password"],
                                     self.cleaned_data["new_password1"])
        return self.user


class ResetPasswordForm(Form):
    password = forms.CharField(label="Mật khẩu mới", max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text="Ít nhất 10 ký tự; báo cho người dùng và đề nghị họ đổi ngay khi đăng nhập.")
