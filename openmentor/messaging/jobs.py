"""Periodic jobs of the messaging app (imported at startup by MessagingConfig.ready)."""

from __future__ import annotations

from datetime import datetime

from openmentor.core.scheduler import periodic
from openmentor.messaging.services import unread_emails_send


@periodic("messaging.unread_email")
def unread_email(minute: datetime) -> int:
    return unread_emails_send(now=minute)
