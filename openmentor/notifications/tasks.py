"""The weekly digest, sent on Monday mornings (07:00 UTC) by the scheduler."""

from __future__ import annotations

from datetime import datetime

from openmentor.core.scheduler import periodic
from openmentor.notifications.services import digest_send


@periodic("notifications.weekly_digest")
def weekly_digest(minute: datetime) -> None:
    if minute.weekday() == 0 and minute.hour == 7 and minute.minute == 0:
        digest_send(now=minute)
