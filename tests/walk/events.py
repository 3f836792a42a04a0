"""Walk maker for the event page: `event_id` names an event of the programme named by
`programme_slug` (made in the same organisation)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.utils import timezone

from openmentor.events.models import ProgrammeEvent
from openmentor.organisations.models import Organisation
from openmentor.programmes.models import Programme
from tests.factories import ProgrammeFactory


def event_id(organisation: Organisation, values: dict[str, Any]) -> int:
    programme = Programme.objects.filter(
        organisation=organisation, slug=values.get("programme_slug", "")
    ).first() or cast(Programme, ProgrammeFactory(organisation=organisation))
    start = timezone.now() + dt.timedelta(days=1)
    return ProgrammeEvent.objects.create(
        programme=programme, title="Launch", starts_at=start, ends_at=start + dt.timedelta(hours=1)
    ).pk


MAKERS = {"event_id": event_id}
