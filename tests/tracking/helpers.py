from __future__ import annotations

import datetime as dt

from openmentor.mentorships.activity import activity_record
from openmentor.mentorships.models import Activity, Mentorship


def held(mentorship: Mentorship, at: dt.datetime, key: str | None = None) -> Activity | None:
    return activity_record(
        mentorship=mentorship,
        kind=Activity.Kind.MEETING_HELD,
        key=key or f"test:held:{mentorship.pk}:{at.isoformat()}",
        at=at,
        data={"source": "test"},
    )


def started(mentorship: Mentorship, at: dt.datetime) -> None:
    Mentorship.objects.filter(pk=mentorship.pk).update(started_at=at, created_at=at)
    mentorship.refresh_from_db()
