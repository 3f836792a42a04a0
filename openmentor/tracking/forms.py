from __future__ import annotations

from typing import Any

from django import forms

from openmentor.tracking.models import TrackingSettings


class TrackingSettingsForm(forms.ModelForm):
    class Meta:
        model = TrackingSettings
        fields = [
            "first_nudge_factor",
            "second_nudge_factor",
            "third_nudge_factor",
            "close_after_days",
            "warning_days",
            "pulse_first_day",
            "pulse_every_days",
        ]
        labels = {
            "first_nudge_factor": "First nudge after (× the agreed cadence)",
            "second_nudge_factor": "Second nudge, and tell the programme team, after (× cadence)",
            "third_nudge_factor": "Third nudge after (× cadence)",
            "close_after_days": "Close a mentorship after this many quiet days (0: never)",
            "warning_days": "Warn this many days before closing",
            "pulse_first_day": "First pulse survey on day",
            "pulse_every_days": "Then a pulse survey every (days)",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second, third = (
            data.get("first_nudge_factor"),
            data.get("second_nudge_factor"),
            data.get("third_nudge_factor"),
        )
        if first is not None and first < 1:
            self.add_error(
                "first_nudge_factor", "The first nudge comes after one cadence at least."
            )
        if first is not None and second is not None and second <= first:
            self.add_error("second_nudge_factor", "The second nudge must come after the first.")
        if second is not None and third is not None and third <= second:
            self.add_error("third_nudge_factor", "The third nudge must come after the second.")
        if third is not None and third > 20:
            self.add_error("third_nudge_factor", "Keep the third nudge within 20 cadences.")
        close = data.get("close_after_days")
        if close is not None and close != 0 and not 14 <= close <= 730:
            self.add_error("close_after_days", "Enter 0 (never) or from 14 to 730 days.")
        warning = data.get("warning_days")
        if warning is not None and not 1 <= warning <= 30:
            self.add_error("warning_days", "Enter from 1 to 30 days.")
        if close and warning and warning >= close:
            self.add_error("warning_days", "The warning must come before the closing.")
        pulse_first = data.get("pulse_first_day")
        if pulse_first is not None and not 7 <= pulse_first <= 365:
            self.add_error("pulse_first_day", "Enter a day from 7 to 365.")
        pulse_every = data.get("pulse_every_days")
        if pulse_every is not None and not 14 <= pulse_every <= 365:
            self.add_error("pulse_every_days", "Enter from 14 to 365 days.")
        return data


class AwayForm(forms.Form):
    away_until = forms.DateField(
        label="Away until (inclusive)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty when you are back. Meanwhile nobody nudges your mentorships "
        "and matching proposes no new mentee to you.",
        error_messages={"invalid": "Enter a date like 2026-09-30."},
    )
