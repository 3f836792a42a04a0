from __future__ import annotations

from django import forms

from openmentor.webhooks.constants import EVENT_TYPES

_EVENTS = list(EVENT_TYPES.items())


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="Receiver URL",
        max_length=2000,
        help_text="An https:// address on the internet that accepts POST requests.",
    )
    description = forms.CharField(max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label="Events",
        choices=_EVENTS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
    )


class EndpointUpdateForm(forms.Form):
    event_types = forms.MultipleChoiceField(
        label="Events",
        choices=_EVENTS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
    )
    active = forms.BooleanField(
        label="Active", required=False, help_text="Paused endpoints receive nothing new."
    )
