"""The managers' forms for programme events: when (a date and a local time in the
manager's timezone, and a duration), what, for whom, where; and the recording link."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from openmentor.events.models import ProgrammeEvent
from openmentor.meetings import times
from openmentor.meetings.forms import date_within_bounds
from openmentor.mentorships.models import Mentorship

MAX_EVENT_MINUTES = 8 * 60
MAX_CAPACITY = 10_000


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of event",
        choices=ProgrammeEvent.Kind.choices,
        error_messages={"invalid_choice": "Choose one of the kinds of event listed."},
    )
    title = forms.CharField(
        label="Title",
        max_length=150,
        error_messages={
            "required": "Give the event a title.",
            "max_length": "Keep the title to 150 characters.",
        },
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Keep the description to 5,000 characters."},
    )
    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date of the event.",
            "invalid": "Enter a date like 2025-03-04.",
        },
    )
    time = forms.TimeField(
        label="Start time",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": "Enter the start time.", "invalid": "Enter a time like 09:30."},
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        min_value=15,
        max_value=MAX_EVENT_MINUTES,
        initial=60,
        error_messages={
            "required": "Say how long the event lasts, in minutes.",
            "invalid": "Enter the duration as a whole number of minutes.",
            "min_value": "An event lasts at least 15 minutes.",
            "max_value": "An event can last at most 8 hours (480 minutes).",
        },
    )
    audience = forms.ChoiceField(
        label="Who is it for",
        choices=ProgrammeEvent.Audience.choices,
        error_messages={"invalid_choice": "Choose who the event is for from the list."},
    )
    circle = forms.ChoiceField(
        label="Which circle",
        required=False,
        help_text="Only for a circle: its current members are invited.",
        error_messages={"invalid_choice": "Choose one of this programme's circles."},
    )
    capacity = forms.IntegerField(
        label="Places",
        required=False,
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text="Leave empty for no limit.",
        error_messages={
            "invalid": "Enter the number of places as a whole number, or leave it empty.",
            "min_value": "Leave capacity empty for no limit, or give at least 1.",
            "max_value": "At most 10,000 places; leave it empty for no limit.",
        },
    )
    venue = forms.ChoiceField(
        label="Where",
        choices=ProgrammeEvent.Venue.choices,
        widget=forms.RadioSelect,
        initial=ProgrammeEvent.Venue.ROOM,
        error_messages={"invalid_choice": "Choose the group room or an external link."},
    )
    external_url = forms.CharField(
        label="External link",
        required=False,
        max_length=500,
        help_text="Only for an external link: the https:// address people join at.",
        error_messages={"max_length": "Keep the link to 500 characters."},
    )

    def __init__(
        self,
        *args: Any,
        tz_name: str,
        circles: list[Mentorship],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.tz_name = times.zone(tz_name).key
        # Only the programme's own circles are choices: any other id (another programme's
        # or organisation's circle in a forged POST) is an invalid choice at the field.
        self.circles = {str(c.pk): c for c in circles}
        circle, audience = self.fields["circle"], self.fields["audience"]
        assert isinstance(circle, forms.ChoiceField) and isinstance(audience, forms.ChoiceField)
        if circles:
            circle.choices = [("", "Choose a circle")] + [
                (key, f"{c.topic} (led by {c.mentor.name})") for key, c in self.circles.items()
            ]
        else:  # a programme without circles has no circle to offer
            del self.fields["circle"]
            audience.choices = [
                choice
                for choice in ProgrammeEvent.Audience.choices
                if choice[0] != ProgrammeEvent.Audience.CIRCLE
            ]
        self.fields["time"].help_text = f"Your local time ({self.tz_name})."
        if editing:
            # Where an event is held is chosen once: the room and its members, or the
            # link people already have in their calendars.
            del self.fields["venue"]
            del self.fields["external_url"]

    def clean_date(self) -> dt.date | None:
        return date_within_bounds(self.cleaned_data.get("date"))

    def clean_circle(self) -> Mentorship | None:
        return self.circles.get(self.cleaned_data.get("circle") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("audience") != ProgrammeEvent.Audience.CIRCLE:
            data["circle"] = None
        elif data.get("circle") is None and "circle" not in self.errors:
            self.add_error("circle", "Choose the circle the event is for.")
        date, time, minutes = data.get("date"), data.get("time"), data.get("duration_minutes")
        if date is None or time is None or minutes is None:
            return data
        try:
            resolved = times.local_to_utc(date, time, self.tz_name)
        except times.NonExistentLocalTime as error:
            self.add_error("time", str(error))
            return data
        data["starts_at"] = resolved.utc
        data["ends_at"] = resolved.utc + dt.timedelta(minutes=minutes)
        return data

    def values(self) -> dict[str, Any]:
        """The cleaned values as the services take them."""
        data = self.cleaned_data
        names = ("kind", "title", "description", "starts_at", "ends_at", "audience", "capacity")
        out = {name: data[name] for name in names}
        out["circle"] = data.get("circle")
        if "venue" in self.fields:
            out["venue"] = data["venue"]
            out["external_url"] = (data.get("external_url") or "").strip()
        return out

    @staticmethod
    def initial_for(event: ProgrammeEvent, tz_name: str) -> dict[str, Any]:
        local = event.starts_at.astimezone(times.zone(tz_name))
        return {
            "kind": event.kind,
            "title": event.title,
            "description": event.description,
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": int((event.ends_at - event.starts_at).total_seconds() // 60),
            "audience": event.audience,
            "circle": str(event.circle_id or ""),
            "capacity": event.capacity,
        }


class RecordingForm(forms.Form):
    recording_url = forms.CharField(
        label="Recording link",
        required=False,
        max_length=500,
        help_text="The https:// address of the recording; leave empty to remove it.",
        error_messages={"max_length": "Keep the link to 500 characters."},
    )
