"""One-click links in e-mails: signed, expiring, and good for one use.

A link carries its purpose and a small payload (ids, a rating) signed with SECRET_KEY, so
nobody can make one for another person or change what it does. `link_read` checks the
signature and the age; `link_claim` makes the first use count and every later one a
harmless no-op that the page can explain ("you have already …").
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from openmentor.core.models import OneClickUse

SALT = "openmentor.one-click"


class LinkError(Exception):
    """The link is not one of ours, was altered, is for something else, or has expired."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


def link_token(
    *, purpose: str, payload: dict[str, Any], issued_at: dt.datetime | None = None
) -> str:
    """A URL-safe token naming `purpose` and `payload` (plain JSON values).

    Its age is counted from `issued_at` (now by default), signed with the rest: the
    moment a background step acted, so links age on the product's clock, not a worker's.
    """
    issued = int((issued_at or timezone.now()).timestamp())
    return signing.dumps(
        {"purpose": purpose, "iat": issued, **payload}, salt=f"{SALT}:{purpose}", compress=True
    )


def link_read(
    token: str, *, purpose: str, max_age: dt.timedelta, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The payload of a link made for `purpose` at most `max_age` ago, or LinkError."""
    invalid = "This link is not valid: it may have been cut short or changed."
    try:
        data = signing.loads(token, salt=f"{SALT}:{purpose}")
    except signing.BadSignature as error:
        raise LinkError(invalid) from error
    if not isinstance(data, dict) or data.get("purpose") != purpose:
        raise LinkError(invalid)
    issued = data.get("iat")
    if not isinstance(issued, int):
        raise LinkError(invalid)
    age = (now or timezone.now()).timestamp() - issued
    if age > max_age.total_seconds():
        raise LinkError("This link has expired. Open OpenMentor to do this instead.", expired=True)
    return data


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_claim(token: str, *, purpose: str) -> bool:
    """True the first time a link is used; False ever after (a replay does nothing)."""
    try:
        with transaction.atomic():
            OneClickUse.objects.create(token_hash=token_hash(token), purpose=purpose[:40])
    except IntegrityError:
        return False
    return True


def link_used(token: str) -> bool:
    return OneClickUse.objects.filter(token_hash=token_hash(token)).exists()
