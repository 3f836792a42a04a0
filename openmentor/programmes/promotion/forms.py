from __future__ import annotations

from typing import Any

from django import forms

from openmentor.programmes.models import Campaign
from openmentor.programmes.promotion.addresses import MAX_PASTED_ADDRESSES, pasted_addresses_parse


class CampaignForm(forms.Form):
    subject = forms.CharField(
        label="Subject",
        max_length=200,
        error_messages={"required": "Enter a subject."},
    )
    body_markdown = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=(
            "Markdown: **bold**, *italic*, [link text](https://…), lists with “- ”. "
            "The tracked join link is added at the end."
        ),
        error_messages={"required": "Write the message."},
    )
    audience = forms.ChoiceField(
        label="Send to",
        choices=Campaign.Audience.choices,
        widget=forms.RadioSelect,
        initial=Campaign.Audience.NOT_ENROLLED,
        error_messages={
            "required": "Choose who receives the campaign.",
            "invalid_choice": "Choose one of the listed audiences.",
        },
    )
    pasted_emails = forms.CharField(
        label="E-mail addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "Only for a pasted list: one address per line, or separated by commas or "
            f"semicolons; duplicates are removed; at most {MAX_PASTED_ADDRESSES:,}."
        ),
    )

    def clean_subject(self) -> str:
        subject: str = self.cleaned_data["subject"].strip()
        if "\n" in subject or "\r" in subject:
            raise forms.ValidationError("The subject must be on one line.")
        return subject

    def clean_body_markdown(self) -> str:
        body: str = self.cleaned_data["body_markdown"]
        if not body.strip():
            raise forms.ValidationError("Write the message.")
        return body

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("audience") == Campaign.Audience.PASTED:
            parsed = pasted_addresses_parse(cleaned.get("pasted_emails", ""))
            for message in parsed.errors:
                self.add_error("pasted_emails", message)
        return cleaned


class AmbassadorForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address of a member",
        max_length=254,
        help_text="The person must already be a member of the organisation.",
        error_messages={"required": "Enter the e-mail address of a member."},
    )
