"""Forms of the honours pages: a commendation, the decision of an occasion, the occasion chosen."""

from __future__ import annotations

from django import forms

from dangvu.common.forms import Form, VNDateField, not_future

from .models import CommendationKind, CommendationLevel


class CommendationForm(Form):
    kind = forms.ChoiceField(label="Hình thức khen thưởng", choices=CommendationKind.choices)
    level = forms.ChoiceField(label="Cấp khen thưởng", choices=CommendationLevel.choices)
    decision_number = forms.CharField(label="Số quyết định", max_length=60)
    decided_on = VNDateField(label="Ngày quyết định", validators=[not_future])
    note = forms.CharField(label="Nội dung khen thưởng", max_length=255, required=False)


class BadgeDecisionForm(Form):
    decision_number = forms.CharField(label="Số quyết định tặng Huy hiệu Đảng", max_length=60)
    decided_on = VNDateField(label="Ngày quyết định", validators=[not_future])


class OccasionForm(Form):
    """``?dip=`` on the badge page: the occasion (any date; the rule set's occasions are offered)."""

    dip = VNDateField(label="Dịp trao tặng", required=False)


class ExemplaryYearForm(Form):
    """``?nam=`` on the exemplary members page."""

    nam = forms.IntegerField(label="Năm", min_value=1930, max_value=9999, required=False)
