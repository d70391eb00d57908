"""The signer of a downloaded party document: a choice among the organization's secretary and
deputies (:func:`dangvu.registry.selectors.document_signers`), the secretary preselected."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from .forms import Form


class SignerForm(Form):
    """``?ky=<post id>`` on a document's download; a choice outside the list (a stale page, an
    edited address) falls back to the secretary rather than failing the download."""

    ky = forms.TypedChoiceField(label="Người ký", coerce=int, required=False, empty_value=None)

    def __init__(self, data: Mapping[str, Any] | None = None, *, signers: Sequence[Any]) -> None:
        super().__init__(data if data and "ky" in data else None)
        self.signers = list(signers)
        self.fields["ky"].choices = [(p.pk, f"{p.member.full_name} ({p.get_role_display().lower()})")
                                     for p in self.signers]
        if self.signers:
            self.fields["ky"].initial = self.signers[0].pk

    @property
    def post_id(self) -> int | None:
        """The chosen post's id, or None (the default signer) when nothing valid was chosen."""
        if not self.is_bound or not self.is_valid():
            return None
        return self.cleaned_data["ky"]
