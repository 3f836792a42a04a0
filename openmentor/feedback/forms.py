"""Forms for feedback; each field carries its own message."""

from __future__ import annotations

from typing import Any

from django import forms

from openmentor.mentorships.models import Mentorship

RATING_CHOICES = [
    (1, "1 — Not at all"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, "5 — Very"),
]
RATING_MESSAGE = "Choose a number from 1 (not at all) to 5 (very)."


def rating_field(*, required: bool) -> forms.TypedChoiceField:
    """The labelled 1–5 radio group, shared by the check-in and the ending form."""
    return forms.TypedChoiceField(
        label="How useful was this mentorship for you?",
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        help_text=(
            "Your partner never sees it. Programme managers see only averages over many "
            "mentorships, never yours."
        ),
        error_messages={"required": RATING_MESSAGE, "invalid_choice": RATING_MESSAGE},
    )


class CheckinForm(forms.Form):
    rating = rating_field(required=True)
    comment = forms.CharField(
        label="A private comment (optional)",
        help_text="Only you will ever see this: not your partner, not the programme managers.",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Keep your comment under 5,000 characters."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].label = "How useful is this mentorship for you so far?"


class EndForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is the main reason?",
        choices=[c for c in Mentorship.EndReason.choices if c[0] != Mentorship.EndReason.INACTIVE],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the reason that fits best.",
            "invalid_choice": "Choose the reason that fits best.",
        },
    )
    reflection = forms.CharField(
        label="A private reflection (optional)",
        help_text="Only you will ever see this: not your partner, not the programme managers.",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # Optional, and counted only in averages over many mentorships (feedback app).
    rating = rating_field(required=False)
    want_rematch = forms.BooleanField(label="Find me a new match", required=False)

    def __init__(self, *args: Any, role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        wanted = "mentee" if role == "mentor" else "mentor"
        self.fields["want_rematch"].label = f"Find me a new {wanted}"
