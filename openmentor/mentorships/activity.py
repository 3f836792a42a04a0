"""The activity record of mentorships: one typed row per happening, written here only.

Every app that sees something worth tracking (matching, meetings, messaging, feedback,
video attendance, nudges) calls `activity_record` with a key that names the happening,
so a retried task or a second worker records nothing twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from openmentor.core.events import EventKind, event_record
from openmentor.mentorships.models import Activity, Mentorship
from openmentor.organisations.models import Organisation

ActivityKind = Activity.Kind

__all__ = ["ActivityKind", "activity_record"]


def activity_record(
    *,
    mentorship: Mentorship,
    kind: str,
    key: str,
    actor: Model | None = None,
    at: dt.datetime | None = None,
    data: dict[str, Any] | None = None,
) -> Activity | None:
    """Records that `kind` happened in `mentorship` at `at` (now by default).

    Returns the new row, or None when `key` was recorded before (the happening is
    recorded once however often it is reported). An unknown kind is a ValueError.
    """
    kind = ActivityKind(kind)
    try:
        with transaction.atomic():
            activity = Activity.objects.create(
                programme_id=mentorship.programme_id,
                mentorship=mentorship,
                kind=kind,
                actor_id=actor.pk if actor is not None else None,
                occurred_at=at or timezone.now(),
                key=key[:120],
                data=data or {},
            )
    except IntegrityError:
        if Activity.objects.filter(key=key[:120]).exists():
            return None
        raise
    if kind == ActivityKind.MEETING_HELD:
        # The organisation's domain event (webhooks and chat listen to those), once, as the
        # activity is: a meeting held in a call or logged as held elsewhere.
        event_record(
            organisation=Organisation(pk=mentorship.programme.organisation_id),
            kind=EventKind.MEETING_HELD,
            data={
                "mentorship": mentorship.pk,
                "meeting": activity.data.get("meeting"),
                "source": activity.data.get("source", "reported"),
                "held_at": activity.occurred_at.isoformat(),
            },
        )
    elif kind == ActivityKind.MANAGER_ALERTED:
        # The managers were told the pair is in trouble (gone quiet through two nudges, or a
        # member said the match is not working): for the organisation's systems, the
        # mentorship is at risk. Names stay out, as in every event.
        event_record(
            organisation=Organisation(pk=mentorship.programme.organisation_id),
            kind=EventKind.MENTORSHIP_AT_RISK,
            data={"mentorship": mentorship.pk, "reason": activity.data.get("reason", "")},
        )
    return activity
