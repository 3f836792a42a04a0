"""Forms that choose a meeting time: a suggested free time, or a date and a local time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone

from openmentor.meetings import times
from openmentor.meetings.location import TOO_LONG, location_clean
from openmentor.meetings.models import MAX_LOCATION_LENGTH, MAX_MEETING_MINUTES
from openmentor.mentorships.services.lifecycle import MAX_TEXT

OTHER = "other"
# Dates further away are surely typing mistakes, and near the ends of the calendar the
# conversion to UTC (or a long repeat) runs past what a datetime can hold.
MAX_YEARS_AWAY = 10


def date_within_bounds(value: dt.date | None) -> dt.date | None:
    """Refuses a date more than MAX_YEARS_AWAY years before or after today."""
    if value is None:
        return None
    today = timezone.now().date()
    earliest = today.replace(year=today.year - MAX_YEARS_AWAY, day=min(today.day, 28))
    latest = today.replace(year=today.year + MAX_YEARS_AWAY, day=min(today.day, 28))
    if not earliest <= value <= latest:
        raise ValidationError(
            f"Choose a date within ten years of today (from {earliest:%Y-%m-%d} "
            f"to {latest:%Y-%m-%d})."
        )
    return value


def slot_label(start: dt.datetime, tz_name: str) -> str:
    local = start.astimezone(times.zone(tz_name))
    return f"{formats.date_format(local, 'l j F')}, {local:%H:%M}"


class MeetingTimeForm(forms.Form):
    """The viewer picks one of `suggestions` or enters a date and time in `tz_name`.

    A time skipped by a clock change is refused at the field; a time that happens twice
    (clocks go back) is booked at its first occurrence and `ambiguous_note` says so.
    """

    slot = forms.ChoiceField(
        label="Times when you are both free",
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": "That time is no longer free for both of you. Choose another."
        },
    )
    date = forms.DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date like 2025-03-04."},
    )
    time = forms.TimeField(
        label="Start time",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Enter a time like 09:30."},
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        min_value=15,
        max_value=MAX_MEETING_MINUTES,
        error_messages={
            "required": "Say how long the meeting lasts, in minutes.",
            "invalid": "Enter the duration as a whole number of minutes.",
            "max_value": "A meeting can last at most 4 hours (240 minutes).",
            "min_value": "A meeting lasts at least 15 minutes.",
        },
    )

    location = forms.CharField(
        label="Where (video link or place)",
        required=False,
        max_length=MAX_LOCATION_LENGTH,
        help_text=(
            "Paste a video-call link starting with https://, or write a place or a phone "
            "number. Leave empty if you have not decided yet."
        ),
        error_messages={"max_length": TOO_LONG},
    )

    def __init__(
        self,
        *args: Any,
        suggestions: list[dt.datetime],
        tz_name: str,
        default_minutes: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.tz_name = times.zone(tz_name).key
        self.ambiguous_note = ""
        self.time_field = "time"
        slot_field = self.fields["slot"]
        assert isinstance(slot_field, forms.ChoiceField)
        slot_field.choices = [
            (s.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ"), slot_label(s, tz_name))
            for s in suggestions
        ] + [(OTHER, "Another time (enter it below)")]
        self.fields["duration_minutes"].initial = default_minutes
        self.fields["time"].help_text = f"Your local time ({self.tz_name})."

    def clean_date(self) -> dt.date | None:
        return date_within_bounds(self.cleaned_data.get("date"))

    def clean_location(self) -> str:
        try:
            return location_clean(self.cleaned_data.get("location") or "")
        except ValidationError as error:
            raise ValidationError(error.message_dict["location"]) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        slot = data.get("slot") or ""
        if slot and slot != OTHER:
            self.time_field = "slot"
            data["starts_at"] = dt.datetime.strptime(slot, "%Y-%m-%dT%H:%MZ").replace(tzinfo=dt.UTC)
            return data
        date, time = data.get("date"), data.get("time")
        if date is None and time is None:
            if "date" not in self.errors and "time" not in self.errors:
                self.add_error(
                    "slot" if not slot else "date",
                    "Choose one of the suggested times, or enter a date and a start time."
                    if not slot
                    else "Enter the date of the meeting.",
                )
            return data
        if date is None:
            if "date" not in self.errors:
                self.add_error("date", "Enter the date of the meeting.")
            return data
        if time is None:
            if "time" not in self.errors:
                self.add_error("time", "Enter the start time of the meeting.")
            return data
        try:
            resolved = times.local_to_utc(date, time, self.tz_name)
        except times.NonExistentLocalTime as error:
            self.add_error("time", str(error))
            return data
        if resolved.ambiguous:
            local = resolved.utc.astimezone(times.zone(self.tz_name))
            self.ambiguous_note = (
                f"{time:%H:%M} happens twice in {self.tz_name} on that day (clocks go back); "
                f"we used the first one, {local:%H:%M %Z} (UTC{local:%z}). "
                "Move the meeting if you meant the second."
            )
        data["starts_at"] = resolved.utc
        return data


class ProposeForm(MeetingTimeForm):
    repeat_every_weeks = forms.IntegerField(
        label="Repeat every … weeks",
        required=False,
        min_value=1,
        max_value=12,
        help_text="Leave empty for a single meeting.",
        error_messages={
            "invalid": "Enter a whole number of weeks.",
            "min_value": "Repeat at most every week (1).",
            "max_value": "Repeat at least every 12 weeks.",
        },
    )
    repeat_count = forms.IntegerField(
        label="Number of meetings in all",
        required=False,
        min_value=2,
        max_value=26,
        error_messages={
            "invalid": "Enter a whole number of meetings.",
            "min_value": "A repeating meeting happens at least 2 times.",
            "max_value": "Plan at most 26 meetings at once.",
        },
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        every, count = data.get("repeat_every_weeks"), data.get("repeat_count")
        if every is not None and count is None and "repeat_count" not in self.errors:
            self.add_error("repeat_count", "Say how many meetings to plan in all.")
        if count is not None and every is None and "repeat_every_weeks" not in self.errors:
            self.add_error("repeat_every_weeks", "Say how many weeks apart the meetings are.")
        return data


class AgendaItemForm(forms.Form):
    text = forms.CharField(
        label="Add a topic",
        max_length=300,
        error_messages={
            "required": "Write the topic you want to talk about.",
            "max_length": "Keep a topic under 300 characters.",
        },
    )


class MeetingNoteForm(forms.Form):
    body = forms.CharField(
        label="Add a shared note",
        max_length=MAX_TEXT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Your mentoring partner reads it too. Private notes go on the mentorship page.",
        error_messages={
            "required": "Write something first.",
            "max_length": "Keep a note under 5,000 characters.",
        },
    )
