"""An event's group room through the signalling websocket: refused (4409) before it opens
10 minutes before the start and once the event is cancelled; open in between."""

from __future__ import annotations

import datetime as dt

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from openmentor.events import services
from openmentor.events.models import ProgrammeEvent
from openmentor.organisations.models import Role
from openmentor.programmes.models import Enrolment, Programme
from tests.conftest import Tenant
from tests.factories import make_member, make_programme
from tests.messaging.test_consumers import session_of
from tests.video.test_consumers import closed_code, communicator, join, opened

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def _events(tenant: Tenant) -> tuple[ProgrammeEvent, ProgrammeEvent, str]:
    programme = make_programme(tenant.organisation, status=Programme.Status.RUNNING)
    person = make_member(tenant.organisation, Role.PARTICIPANT)
    Enrolment.objects.create(programme=programme, user=person.user, role="mentee")
    made = []
    for minutes in (11, 9):
        start = timezone.now() + dt.timedelta(minutes=minutes)
        event = services.event_schedule(
            programme=programme,
            actor=tenant.manager,
            values={
                "title": "Webinar",
                "starts_at": start,
                "ends_at": start + dt.timedelta(hours=1),
            },
        )
        services.event_rsvp(event=event, user=person.user, going=True)
        made.append(event)
    return made[0], made[1], session_of(person)


async def test_the_event_room_opens_ten_minutes_before_and_closes_when_cancelled(
    tenant: Tenant,
) -> None:
    later, soon, session = await database_sync_to_async(_events)(tenant)
    socket = communicator(later.room_id or 0, session)
    assert (await socket.connect())[0]
    refusal = await socket.receive_json_from()
    assert refusal["type"] == "error" and "10 minutes before the event" in refusal["error"]
    assert await closed_code(socket) == 4409
    async with opened(soon.room_id or 0, session) as socket:
        await join(socket, "page1")
    await database_sync_to_async(services.event_cancel)(event=soon, actor=tenant.manager)
    socket = communicator(soon.room_id or 0, session)
    assert (await socket.connect())[0]
    refusal = await socket.receive_json_from()
    assert "This event was cancelled" in refusal["error"]
    assert await closed_code(socket) == 4409
