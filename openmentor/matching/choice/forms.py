"""Forms of mentee choice: the mentee's ranked choices, and a mentor's invitation."""

from __future__ import annotations

from typing import Any

from django import forms

from openmentor.matching.choice.selectors import Card

ORDINALS = ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th")


def ordinal(n: int) -> str:
    return ORDINALS[n - 1] if n <= len(ORDINALS) else f"{n}th"


class ChoiceForm(forms.Form):
    """One select per rank ("1st choice", "2nd choice", ...) listing the recommended mentors.

    The values are user ids checked by the service (not only against this list), so a
    tampered id gets a clear message at its field rather than a generic one.
    """

    message = forms.CharField(
        label="A message for the mentors you ask (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say what you hope to learn. Up to 1000 characters.",
        error_messages={"max_length": "Keep your message under 1000 characters."},
    )

    def __init__(self, *args: Any, cards: list[Card], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options: list[tuple[str, str]] = [("", "—")]
        options += [(str(c.user.pk), c.user.name) for c in cards]
        self.choice_names = [f"choice_{n}" for n in range(1, len(cards) + 1)]
        fields: dict[str, forms.Field] = {}
        for n, name in enumerate(self.choice_names, start=1):
            fields[name] = forms.IntegerField(
                label=f"{ordinal(n)} choice",
                required=False,
                min_value=1,
                widget=forms.Select(choices=options),
                error_messages={"invalid": "Choose a mentor from the list."},
            )
        # Choices first, then the message.
        fields["message"] = self.fields.pop("message")
        self.fields = fields

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not self.chosen():
            self.add_error(
                self.choice_names[0] if self.choice_names else None, "Choose at least one mentor."
            )
        return cleaned

    def chosen(self) -> list[tuple[str, int]]:
        """(field name, mentor id) in rank order; empty ranks are skipped."""
        return [
            (name, self.cleaned_data[name])
            for name in self.choice_names
            if self.cleaned_data.get(name) is not None
        ]


class InviteForm(forms.Form):
    mentee = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": "Choose a mentee to invite."}
    )
