"""Where a meeting happens: a video-call link or a place / phone number as plain text.

Only http and https links are ever turned into links; anything that looks like another
kind of address (`javascript:`, `data:`, `tel:`, `ftp://` …) is refused rather than
stored, so no page, e-mail or calendar can later render it as something to click.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from openmentor.meetings.models import MAX_LOCATION_LENGTH

# "scheme:" straight after the start, with no space after the colon: "Phone: 0123" and
# "Room 4: kitchen" stay text, "javascript:alert(1)" and "tel:+44…" are addresses.
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):(?=\S)", re.IGNORECASE)
# Browsers ignore tabs, newlines and other control characters inside a scheme.
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f]")
_WEB = URLValidator(schemes=["http", "https"])

TOO_LONG = f"Keep the place or link under {MAX_LOCATION_LENGTH} characters."
NOT_WEB = (
    "Only web links starting with https:// (or http://) can be used. "
    "For a place or a phone number, write it as plain text, like “Phone: +44 20 7946 0000”."
)
BAD_LINK = "This link is not a valid web address. Copy the whole link from your video-call app."


def location_clean(value: str) -> str:
    """The location as it is stored: one line, trimmed; raises ValidationError (on the
    `location` field) for over-long text and for links that are not http(s)."""
    text = " ".join(value.split())
    if len(text) > MAX_LOCATION_LENGTH:
        raise ValidationError({"location": [TOO_LONG]})
    compact = _INVISIBLE.sub("", value).strip()
    match = _SCHEME.match(compact)
    if match is None:
        return text
    if match.group(1).lower() not in ("http", "https"):
        raise ValidationError({"location": [NOT_WEB]})
    if " " in text:
        raise ValidationError({"location": [BAD_LINK]})
    try:
        _WEB(text)
    except ValidationError:
        raise ValidationError({"location": [BAD_LINK]}) from None
    return text


def location_link(value: str) -> str:
    """The location if it is a web link that may be opened, else ""."""
    lowered = value.lower()
    if not (lowered.startswith("https://") or lowered.startswith("http://")) or " " in value:
        return ""
    return value
