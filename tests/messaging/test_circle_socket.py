"""A circle's conversation websocket: every current member is live, nobody else, and a
member who leaves the circle is disconnected."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from openmentor.mentorships.services import circles
from openmentor.messaging.models import Message
from openmentor.organisations.models import Membership
from tests.conftest import Tenant
from tests.mentorships.circles import Circle, running_circle
from tests.messaging.test_consumers import closed_with, communicator, connected, session_of

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def _setup(tenant: Tenant) -> tuple[Circle, list[str], str]:
    running = running_circle(tenant.organisation, mentees=3)
    people = [running.mentors[0], *running.mentees[:3]]
    sessions = [
        session_of(Membership.objects.get(organisation=tenant.organisation, user=u)) for u in people
    ]
    outsider = session_of(
        Membership.objects.get(organisation=tenant.organisation, user=running.mentees[3])
    )
    return running, sessions, outsider


async def test_a_message_reaches_every_member_of_the_circle_live(tenant: Tenant) -> None:
    running, sessions, outsider = await database_sync_to_async(_setup)(tenant)
    circle_id = running.circle.pk
    assert await closed_with(circle_id, outsider) == 4403
    async with (
        connected(circle_id, sessions[0]) as mentor,
        connected(circle_id, sessions[1]) as first,
        connected(circle_id, sessions[2]) as second,
        connected(circle_id, sessions[3]) as third,
    ):
        await second.send_json_to({"type": "message.send", "body": "Hello, circle"})
        for socket in (mentor, first, second, third):
            frame = await socket.receive_json_from(timeout=5)
            assert frame["type"] == "message" and frame["body"] == "Hello, circle"
            assert frame["author"] == running.mentees[1].pk
        await first.send_json_to({"type": "message.send", "body": ""})
        error = await first.receive_json_from(timeout=5)
        assert error["type"] == "error"
    assert await database_sync_to_async(Message.objects.count)() == 1


async def test_a_member_who_leaves_the_circle_is_disconnected(tenant: Tenant) -> None:
    running, sessions, _ = await database_sync_to_async(_setup)(tenant)
    socket = communicator(running.circle.pk, sessions[1])
    assert (await socket.connect())[0]
    await database_sync_to_async(circles.circle_leave)(
        circle=running.circle, user=running.mentees[0]
    )
    await socket.send_json_to({"type": "message.send", "body": "still in?"})
    output: dict[str, Any] = await socket.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4403}
    assert await database_sync_to_async(Message.objects.count)() == 0
