"""The conversation websocket: who may connect, the frames it takes, what it sends back.

The full ASGI application is used (origin check, session authentication, routing), as
a browser would reach it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse
from django.utils import timezone

from openmentor.config.asgi import application
from openmentor.mentorships.models import Mentorship
from openmentor.messaging import consumers, selectors, services
from openmentor.messaging.models import Message, ReadState
from openmentor.organisations.models import Membership
from tests.conftest import Tenant, client_for
from tests.messaging.conftest import Pair, new_participant
from tests.messaging.ws import WebsocketCommunicator

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def session_of(membership: Membership | None) -> str:
    if membership is None:
        return ""
    client = client_for(membership)
    return client.cookies["sessionid"].value


def communicator(mentorship_id: int, session: str, query: str = "") -> WebsocketCommunicator:
    headers = [(b"origin", b"http://127.0.0.1")]
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    path = f"/ws/mentorships/{mentorship_id}/messages/" + (f"?{query}" if query else "")
    return WebsocketCommunicator(application, path, headers=headers)


@asynccontextmanager
async def connected(
    mentorship_id: int, session: str, query: str = ""
) -> AsyncIterator[WebsocketCommunicator]:
    socket = communicator(mentorship_id, session, query)
    ok, _ = await socket.connect()
    assert ok
    try:
        yield socket
    finally:
        await socket.disconnect()


async def closed_with(mentorship_id: int, session: str) -> int:
    socket = communicator(mentorship_id, session)
    ok, _ = await socket.connect()
    assert ok  # accepted, then closed with a code the page can act on
    output = await socket.receive_output(timeout=5)
    assert output["type"] == "websocket.close"
    return int(output["code"])


@database_sync_to_async
def count_messages() -> int:
    return Message.objects.count()


async def test_anonymous_visitors_are_closed_with_4401(pair: Pair) -> None:
    assert await closed_with(pair.mentorship.pk, "") == 4401


async def test_only_the_two_members_may_connect(pair: Pair, other_tenant: Tenant) -> None:
    stranger = await database_sync_to_async(new_participant)(pair.tenant.organisation)
    for outsider in (pair.tenant.manager, pair.tenant.owner, stranger, other_tenant.owner):
        session = await database_sync_to_async(session_of)(outsider)
        assert await closed_with(pair.mentorship.pk, session) == 4403
    # An id that names no mentorship answers the same, so ids cannot be probed.
    mentee = await database_sync_to_async(session_of)(pair.mentee)
    assert await closed_with(999_999, mentee) == 4403


async def test_a_message_reaches_both_members_live_and_is_stored(pair: Pair) -> None:
    mentee = await database_sync_to_async(session_of)(pair.mentee)
    mentor = await database_sync_to_async(session_of)(pair.mentor)
    async with (
        connected(pair.mentorship.pk, mentee) as mentee_socket,
        connected(pair.mentorship.pk, mentor) as mentor_socket,
    ):
        await mentee_socket.send_json_to({"type": "message.send", "body": "  Hello!  "})
        for socket in (mentor_socket, mentee_socket):
            frame = await socket.receive_json_from(timeout=5)
            assert frame["type"] == "message"
            assert frame["body"] == "Hello!"
            assert frame["author"] == pair.mentee.user.pk
            assert frame["author_name"] == pair.mentee.user.name
            assert frame["attachment"] is None
            assert frame["created_at"].endswith("+00:00")
        stored = await database_sync_to_async(Message.objects.get)()
        assert frame["id"] == stored.pk
        assert stored.author_id == pair.mentee.user.pk


async def test_a_message_sent_by_the_form_also_arrives_live(pair: Pair) -> None:
    mentor = await database_sync_to_async(session_of)(pair.mentor)
    page = reverse("conversation", args=[pair.tenant.organisation.slug, pair.mentorship.pk])

    def post() -> int:
        return client_for(pair.mentee).post(page, {"body": "Sent without JavaScript"}).status_code

    async with connected(pair.mentorship.pk, mentor) as socket:
        assert await database_sync_to_async(post)() == 302
        frame = await socket.receive_json_from(timeout=5)
    assert frame["body"] == "Sent without JavaScript"


@pytest.mark.parametrize(
    ("frame", "says"),
    [
        ("not json at all", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('"message.send"', "must be a JSON object"),
        ("{}", 'no "type"'),
        ('{"type": "shout", "body": "hi"}', "Unknown frame type 'shout'"),
        ('{"type": "message.send"}', 'needs a "body"'),
        ('{"type": "message.send", "body": 42}', "must be text"),
        ('{"type": "message.send", "body": null}', "must be text"),
        ('{"type": "message.send", "body": ""}', "Write a message"),
        ('{"type": "message.send", "body": " \\n "}', "Write a message"),
        (json.dumps({"type": "message.send", "body": "z" * 5001}), "at most 5,000 characters"),
        (json.dumps({"type": "message.send", "body": "z" * 70_000}), "too large"),
        # PostgreSQL refuses NUL in text; a lone surrogate cannot be encoded at all.
        ('{"type": "message.send", "body": "a\\u0000b"}', "NUL character"),
        ('{"type": "message.send", "body": "a\\ud800b"}', "broken character"),
        ('{"type": "shout\\ud800"}', "Unknown frame type"),
    ],
)
async def test_bad_frames_get_a_clear_error_and_store_nothing(
    pair: Pair, frame: str, says: str
) -> None:
    mentee = await database_sync_to_async(session_of)(pair.mentee)
    async with connected(pair.mentorship.pk, mentee) as socket:
        await socket.send_to(text_data=frame)
        reply = await socket.receive_json_from(timeout=5)
        assert reply["type"] == "error"
        assert says in reply["error"]
        # The socket stays usable after a bad frame.
        await socket.send_json_to({"type": "message.send", "body": "still here"})
        assert (await socket.receive_json_from(timeout=5))["body"] == "still here"
    assert await count_messages() == 1


async def test_binary_frames_are_refused(pair: Pair) -> None:
    mentee = await database_sync_to_async(session_of)(pair.mentee)
    async with connected(pair.mentorship.pk, mentee) as socket:
        await socket.send_to(bytes_data=b'{"type": "message.send", "body": "hi"}')
        reply = await socket.receive_json_from(timeout=5)
    assert reply == {"type": "error", "error": "Send frames as JSON text, not binary."}
    assert await count_messages() == 0


async def test_a_read_frame_moves_the_read_position(pair: Pair) -> None:
    mentee = await database_sync_to_async(session_of)(pair.mentee)
    before = timezone.now()
    async with connected(pair.mentorship.pk, mentee) as socket:
        await socket.send_json_to({"type": "read"})
        # Frames are handled in order: once this error arrives, the read is stored.
        await socket.send_json_to({"type": "ping"})
        await socket.receive_json_from(timeout=5)
    state = await database_sync_to_async(ReadState.objects.get)(
        mentorship=pair.mentorship, user=pair.mentee.user
    )
    assert state.last_read_at >= before


async def test_after_the_mentorship_ends_sending_is_refused(pair: Pair) -> None:
    mentee = await database_sync_to_async(session_of)(pair.mentee)
    async with connected(pair.mentorship.pk, mentee) as socket:
        await database_sync_to_async(Mentorship.objects.filter(pk=pair.mentorship.pk).update)(
            status=Mentorship.Status.ENDED, ended_at=timezone.now()
        )
        await socket.send_json_to({"type": "message.send", "body": "one more"})
        reply = await socket.receive_json_from(timeout=5)
    assert reply["type"] == "error" and "has ended" in reply["error"]
    assert await count_messages() == 0


async def test_a_member_who_leaves_the_organisation_is_disconnected(pair: Pair) -> None:
    mentee = await database_sync_to_async(session_of)(pair.mentee)
    socket = communicator(pair.mentorship.pk, mentee)
    assert (await socket.connect())[0]
    await database_sync_to_async(pair.mentee.delete)()
    await socket.send_json_to({"type": "message.send", "body": "hello?"})
    output: dict[str, Any] = await socket.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4403}
    assert await count_messages() == 0


async def test_a_silent_socket_stops_receiving_once_its_member_left(pair: Pair) -> None:
    """Nothing sent by the leaver: the next message to the pair closes their socket."""
    mentee = await database_sync_to_async(session_of)(pair.mentee)
    socket = communicator(pair.mentorship.pk, mentee)
    assert (await socket.connect())[0]
    await database_sync_to_async(pair.mentee.delete)()

    def mentor_writes() -> None:
        services.message_send(
            mentorship=pair.mentorship, author=pair.mentor.user, body="are you there?"
        )

    await database_sync_to_async(mentor_writes)()
    output: dict[str, Any] = await socket.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4403}


async def test_a_reconnecting_page_catches_up_from_its_last_message(pair: Pair) -> None:
    def write() -> list[int]:
        return [
            Message.objects.create(
                mentorship=pair.mentorship, author=pair.mentor.user, body=f"m{i}"
            ).pk
            for i in range(3)
        ]

    ids = await database_sync_to_async(write)()
    mentee = await database_sync_to_async(session_of)(pair.mentee)
    async with connected(pair.mentorship.pk, mentee, query=f"after={ids[0]}") as socket:
        bodies = [(await socket.receive_json_from(timeout=5))["body"] for _ in range(2)]
        assert bodies == ["m1", "m2"]
        assert await socket.receive_nothing(timeout=0.2)
    async with connected(pair.mentorship.pk, mentee, query="after=junk") as socket:
        assert await socket.receive_nothing(timeout=0.2)


async def test_frames_over_the_connection_limit_are_refused_and_the_socket_survives(
    pair: Pair,
) -> None:
    mentee = await database_sync_to_async(session_of)(pair.mentee)
    async with connected(pair.mentorship.pk, mentee) as socket:
        for i in range(300):
            await socket.send_json_to({"type": "message.send", "body": f"flood {i}"})
        replies = [await socket.receive_json_from(timeout=10) for _ in range(300)]
        refused = [r for r in replies if r["type"] == "error"]
        assert all("too fast" in r["error"] for r in refused)
        stored = await count_messages()
        assert 0 < stored <= consumers.CONNECTION_BURST + 5
        assert len(refused) == 300 - stored
        # Tokens come back with time: the same socket can send again.
        await asyncio.sleep(1.1)
        await socket.send_json_to({"type": "message.send", "body": "calm again"})
        assert (await socket.receive_json_from(timeout=5))["body"] == "calm again"


async def test_one_person_is_limited_across_all_their_connections(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A long window, so the test cannot straddle two windows.
    monkeypatch.setattr(consumers, "PERSON_WINDOW_SECONDS", 3600)
    monkeypatch.setattr(consumers, "PERSON_MESSAGES", 8)
    mentee = await database_sync_to_async(session_of)(pair.mentee)
    sockets = [communicator(pair.mentorship.pk, mentee) for _ in range(4)]
    for socket in sockets:
        assert (await socket.connect())[0]
    try:
        for socket in sockets:
            for i in range(5):  # each connection stays under its own burst
                await socket.send_json_to({"type": "message.send", "body": f"m{i}"})
        # Each socket hears every stored message plus its own refusals. Read until all of
        # them have arrived (however slow the machine), then check that nothing more does.
        errors = 0
        heard = [0] * len(sockets)
        deadline = time.monotonic() + 20
        while (errors < 20 - 8 or min(heard) < 8) and time.monotonic() < deadline:
            for n, socket in enumerate(sockets):
                if await socket.receive_nothing(timeout=0.05):
                    continue
                frame = await socket.receive_json_from(timeout=5)
                if frame["type"] == "error":
                    assert "too fast" in frame["error"]
                    errors += 1
                else:
                    heard[n] += 1
        for socket in sockets:
            assert await socket.receive_nothing(timeout=0.3)
        assert heard == [8] * len(sockets)
    finally:
        for socket in sockets:
            await socket.disconnect()
    assert await count_messages() == 8
    assert errors == 20 - 8


async def test_delivery_does_not_query_access_for_every_socket(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = selectors.conversation_for_user

    def counting(**kwargs: Any) -> Mentorship | None:
        calls.append(kwargs["mentorship_id"])
        return real(**kwargs)

    monkeypatch.setattr(selectors, "conversation_for_user", counting)
    mentee = await database_sync_to_async(session_of)(pair.mentee)
    mentor = await database_sync_to_async(session_of)(pair.mentor)
    sockets = [communicator(pair.mentorship.pk, (mentee, mentor)[i % 2]) for i in range(20)]
    for socket in sockets:
        assert (await socket.connect())[0]
    try:
        for i in range(5):
            await sockets[i].send_json_to({"type": "message.send", "body": f"hello {i}"})
            for socket in sockets:
                assert (await socket.receive_json_from(timeout=5))["body"] == f"hello {i}"
    finally:
        for socket in sockets:
            await socket.disconnect()
    # One check per connection and one per send; none per delivery (was 20 per message).
    assert len(calls) == 20 + 5
