"""Forms of the remittance page (nộp đảng phí lên cấp trên). The services re-check every rule."""

from __future__ import annotations

from django import forms

from dangvu.common.forms import Form, VNDateField

MONEY_MAX = 10**13  # đồng: far above any organization's month; the database column is 64-bit


class MoneyField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MONEY_MAX)
        super().__init__(*args, **kwargs)
        self.error_messages["min_value"] = "Số tiền không âm."
        self.error_messages["max_value"] = "Số tiền quá lớn."
        self.widget.attrs.update({"inputmode": "numeric", "step": "1"})


class RemitForm(Form):
    """The sender records what it sent up (the amount prefilled with what its books make due)."""
    amount = MoneyField(label="Số tiền nộp (đồng)")
    sent_on = VNDateField(label="Ngày nộp")


class ConfirmForm(Form):
    """The receiver confirms one remittance (the amount prefilled with what was sent)."""
    remittance = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    amount = MoneyField(label="Số tiền nhận (đồng)")
    confirmed_on = VNDateField(label="Ngày nhận")


class ShareForm(Form):
    """The committee sets the share its cells keep, from a month on."""
    kept_percent = forms.IntegerField(label="Chi bộ được để lại (%)", min_value=0, max_value=100)
