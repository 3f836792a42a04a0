from __future__ import annotations

from django import forms


class CallPreferenceForm(forms.Form):
    phone = forms.CharField(
        label="Phone number for calls",
        required=False,
        max_length=40,
        help_text="Shown to your call partners only if you tick “Share my phone number”.",
    )
    share_phone = forms.BooleanField(label="Share my phone number in calls", required=False)
    auto_audio_only = forms.BooleanField(
        label="Switch to audio only by itself when the connection is poor", required=False
    )
