from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from openmentor.messaging.attachments import (
    ACCEPT_ATTRIBUTE,
    ALLOWED_DESCRIPTION,
    MAX_ATTACHMENT_BYTES,
    InspectedAttachment,
    inspect_attachment,
)
from openmentor.messaging.models import MAX_BODY_CHARS
from openmentor.messaging.services import body_error


class MessageForm(forms.Form):
    # No max_length on the field: the message for a too-long body is ours (it says by
    # how much), and the textarea must still accept the paste so nothing typed is lost.
    body = forms.CharField(
        label="Message",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Up to {MAX_BODY_CHARS:,} characters. Only the two of you can read it.",
    )
    attachment = forms.FileField(
        label="Attach a file (optional)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=(f"{ALLOWED_DESCRIPTION}; at most {MAX_ATTACHMENT_BYTES // 1024 // 1024} MB."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inspected: InspectedAttachment | None = None
        # body_error is the one validator of a body, for this form and the websocket
        # alike, so Django's own NUL check (with its other wording) is left out.
        self.fields["body"].validators = []

    def clean_attachment(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("attachment") or None
        if upload is not None:
            self.inspected = inspect_attachment(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "attachment" in self.errors:
            return cleaned  # the file's own message is enough
        problem = body_error(
            cleaned.get("body", ""), has_attachment=cleaned.get("attachment") is not None
        )
        if problem:
            self.add_error("body", problem)
        return cleaned
