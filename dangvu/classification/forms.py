"""Forms of the classification pages: the year chosen, and the committee's entry on a criterion."""

from __future__ import annotations

from django import forms

from dangvu.common.forms import Form


class YearForm(Form):
    """``?nam=`` on the classification pages; blank: last year (the one being classified)."""

    nam = forms.IntegerField(label="Năm", required=False, min_value=2000, max_value=2100)


class EntryForm(Form):
    criterion = forms.CharField(widget=forms.HiddenInput, max_length=80)
    met = forms.TypedChoiceField(label="Cấp ủy đánh giá", coerce=lambda v: v == "1",
                                 choices=[("1", "Đạt"), ("0", "Chưa đạt")], widget=forms.RadioSelect)
    evidence = forms.CharField(label="Minh chứng", max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}),
                               help_text="Văn bản, biên bản hoặc số liệu làm căn cứ.")
