from __future__ import annotations

from typing import Any

from django import forms

from openmentor.notifications.models import Category, EmailChoice


class PreferencesForm(forms.Form):
    """One radio group per category: each at once, in the weekly digest, or in the app only."""

    def __init__(self, *args: Any, initial_choices: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for category in Category:
            self.fields[category.value] = forms.ChoiceField(
                label=category.label,
                choices=EmailChoice.choices,
                initial=initial_choices.get(category.value, EmailChoice.IMMEDIATE),
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose how to get these.",
                    "invalid_choice": "Choose one of the three ways.",
                },
            )
