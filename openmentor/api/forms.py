from __future__ import annotations

from django import forms

from openmentor.api.scopes import ALL_SCOPES, scope_label

EXPIRY_CHOICES = [("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year"), ("", "Never")]


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Where the token is used, e.g. “HR reports”.")
    scopes = forms.MultipleChoiceField(
        choices=[(s, scope_label(s)) for s in ALL_SCOPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one scope."},
    )
    expires_in_days = forms.ChoiceField(
        label="Expires", choices=EXPIRY_CHOICES, required=False, initial="90"
    )
