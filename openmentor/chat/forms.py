from __future__ import annotations

from django import forms

from openmentor.chat.models import ChatKind


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(label="Service", choices=ChatKind.choices)
    name = forms.CharField(max_length=100, help_text="e.g. #mentoring-leads")
    url = forms.CharField(label="Incoming webhook URL", max_length=2000)
    at_risk = forms.BooleanField(label="Mentorships at risk", required=False, initial=True)
    weekly_summary = forms.BooleanField(
        label="Weekly summary (Mondays)", required=False, initial=True
    )


class OptInForm(forms.Form):
    kind = forms.ChoiceField(label="Service", choices=ChatKind.choices)
    url = forms.CharField(label="Your incoming webhook URL", max_length=2000)
    meeting_reminders = forms.BooleanField(required=False, initial=True)
    nudges = forms.BooleanField(label="Nudges", required=False, initial=True)
