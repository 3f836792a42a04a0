"""The signalling websocket through the full ASGI application, as a browser reaches it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from openmentor.config.asgi import application
from openmentor.meetings.models import Meeting
from openmentor.video import services
from openmentor.video.models import CallMessage, Presence, Room
from tests.conftest import Tenant
from tests.meetings.helpers import make_meeting
from tests.messaging.conftest import new_participant
from tests.messaging.test_consumers import session_of
from tests.messaging.ws import WebsocketCommunicator
from tests.video.conftest import Pair

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]

SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"


def communicator(room_id: int, session: str) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://127.0.0.1")]
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    return WebsocketCommunicator(application, f"/ws/calls/{room_id}/", headers=headers)


@asynccontextmanager
async def opened(room_id: int, session: str) -> AsyncIterator[WebsocketCommunicator]:
    socket = communicator(room_id, session)
    ok, _ = await socket.connect()
    assert ok
    try:
        yield socket
    finally:
        await socket.disconnect()


async def join(socket: WebsocketCommunicator, client: str) -> dict[str, Any]:
    await socket.send_json_to({"type": "join", "client": client})
    frame: dict[str, Any] = await socket.receive_json_from()
    assert frame["type"] == "joined", frame
    return frame


async def settle(*sockets: WebsocketCommunicator) -> None:
    """Reads the arrival frames after joins: with Redis, an arrival can be reported
    twice (as `peer.joined` and as `peer.here`), in either order."""
    for socket in sockets:
        while not await socket.receive_nothing(timeout=0.3):
            frame = await socket.receive_json_from()
            assert frame["type"] in ("peer.joined", "peer.here"), frame


async def closed_code(socket: WebsocketCommunicator) -> int:
    output = await socket.receive_output(timeout=5)
    while output["type"] == "websocket.send":
        output = await socket.receive_output(timeout=5)
    assert output["type"] == "websocket.close"
    return int(output["code"])


@database_sync_to_async
def standing_room(pair: Pair) -> Room:
    return services.room_for_mentorship(mentorship=pair.mentorship)


@database_sync_to_async
def sessions(*members: Any) -> list[str]:
    return [session_of(m) for m in members]


async def test_anonymous_visitors_are_closed_with_4401(pair: Pair) -> None:
    room = await standing_room(pair)
    socket = communicator(room.pk, "")
    assert (await socket.connect())[0]
    assert await closed_code(socket) == 4401


async def test_strangers_managers_and_other_organisations_are_closed_with_4403(
    pair: Pair, other_tenant: Tenant
) -> None:
    room = await standing_room(pair)
    stranger = await database_sync_to_async(new_participant)(pair.tenant.organisation)
    outsiders = await sessions(pair.tenant.manager, pair.tenant.owner, stranger, other_tenant.owner)
    for session in outsiders:
        socket = communicator(room.pk, session)
        assert (await socket.connect())[0]
        assert await closed_code(socket) == 4403
    # An unknown room answers the same, so room ids cannot be probed.
    (mentee,) = await sessions(pair.mentee)
    socket = communicator(room.pk + 999, mentee)
    assert (await socket.connect())[0]
    assert await closed_code(socket) == 4403


async def test_a_meeting_room_opens_ten_minutes_before_the_start(pair: Pair) -> None:
    def rooms() -> tuple[Room, Room]:
        now = timezone.now()
        later = make_meeting(pair.mentorship, now + timedelta(minutes=11))
        soon = make_meeting(pair.mentorship, now + timedelta(minutes=9))
        return services.room_for_meeting(meeting=later), services.room_for_meeting(meeting=soon)

    later, soon = await database_sync_to_async(rooms)()
    (mentee,) = await sessions(pair.mentee)
    socket = communicator(later.pk, mentee)
    assert (await socket.connect())[0]
    refusal = await socket.receive_json_from()
    assert refusal["type"] == "error" and "opens at" in refusal["error"]
    assert await closed_code(socket) == 4409
    async with opened(soon.pk, mentee) as socket:
        await join(socket, "page1")


async def test_a_proposed_meeting_has_no_open_room(pair: Pair) -> None:
    def room() -> Room:
        meeting = make_meeting(pair.mentorship, timezone.now(), status=Meeting.Status.PROPOSED)
        return services.room_for_meeting(meeting=meeting)

    proposed = await database_sync_to_async(room)()
    (mentee,) = await sessions(pair.mentee)
    socket = communicator(proposed.pk, mentee)
    assert (await socket.connect())[0]
    refusal = await socket.receive_json_from()
    assert "accepted" in refusal["error"]
    assert await closed_code(socket) == 4409


async def test_two_members_find_each_other_and_negotiate(pair: Pair) -> None:
    room = await standing_room(pair)
    mentee, mentor = await sessions(pair.mentee, pair.mentor)
    mentee_id, mentor_id = pair.mentee.user.pk, pair.mentor.user.pk
    async with opened(room.pk, mentee) as a, opened(room.pk, mentor) as b:
        await join(a, "pageA")
        await join(b, "pageB")
        arrived = await a.receive_json_from()
        assert arrived == {
            "type": "peer.joined",
            "user": mentor_id,
            "name": pair.mentor.user.name,
            "client": "pageB",
        }
        here = await b.receive_json_from()
        about_a = {"user": mentee_id, "name": pair.mentee.user.name, "client": "pageA"}
        if here["type"] == "peer.joined":
            # With Redis, A's own arrival can reach B after B joined: then both come.
            assert here == {"type": "peer.joined", **about_a}
            here = await b.receive_json_from()
        assert here == {"type": "peer.here", **about_a}
        await settle(a, b)
        await a.send_json_to({"type": "offer", "to": mentor_id, "sdp": SDP})
        assert await b.receive_json_from() == {
            "type": "offer",
            "from": mentee_id,
            "sdp": SDP,
            "restart": False,
            "gen": 0,
        }
        await b.send_json_to({"type": "answer", "to": mentee_id, "sdp": SDP})
        assert await a.receive_json_from() == {
            "type": "answer",
            "from": mentor_id,
            "sdp": SDP,
            "gen": 0,
        }
        candidate = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0"}
        await b.send_json_to({"type": "ice", "to": mentee_id, "candidate": candidate, "gen": 3})
        assert await a.receive_json_from() == {
            "type": "ice",
            "from": mentor_id,
            "candidate": candidate,
            "gen": 3,
        }
        await a.send_json_to({"type": "relay", "event": {"kind": "media", "video": False}})
        assert (await b.receive_json_from())["event"] == {"kind": "media", "video": False}
        # Nothing is echoed to the sender.
        assert await a.receive_nothing(timeout=0.2)
        await b.send_json_to({"type": "leave"})
        assert await a.receive_json_from() == {
            "type": "peer.left",
            "user": mentor_id,
            "client": "pageB",
            "reason": "left",
        }


async def test_a_page_that_drops_is_reported_as_lost_and_its_presence_ends(pair: Pair) -> None:
    room = await standing_room(pair)
    mentee, mentor = await sessions(pair.mentee, pair.mentor)
    async with opened(room.pk, mentee) as a:
        await join(a, "pageA")
        b = communicator(room.pk, mentor)
        assert (await b.connect())[0]
        await join(b, "pageB")
        await a.receive_json_from()  # peer.joined
        await b.disconnect(code=1006)
        left = await a.receive_json_from()
        assert left["type"] == "peer.left" and left["reason"] == "lost"
    presences = await database_sync_to_async(list)(Presence.objects.filter(room=room))
    assert len(presences) == 2 and all(p.left_at is not None for p in presences)


async def test_a_second_tab_takes_over_the_call(pair: Pair) -> None:
    room = await standing_room(pair)
    (mentee,) = await sessions(pair.mentee)
    async with opened(room.pk, mentee) as first, opened(room.pk, mentee) as second:
        await join(first, "tab1")
        await join(second, "tab2")
        assert await first.receive_json_from() == {"type": "replaced"}
        assert await closed_code(first) == 4409
    open_presences = await database_sync_to_async(
        lambda: list(Presence.objects.filter(room=room).values_list("client_id", "left_at"))
    )()
    assert len(open_presences) == 2 and all(left for _, left in open_presences)


@pytest.mark.parametrize(
    ("frame", "says", "code"),
    [
        ("not json", "not valid JSON", "invalid"),
        ("[1]", "JSON object", "invalid"),
        ("{}", 'no "type"', "invalid"),
        ('{"type": "shout"}', "Unknown frame type 'shout'", "unknown_type"),
        (json.dumps({"type": "chat", "body": "x" * 70_000}), "64 KB", "too_large"),
        ('{"type": "join"}', '"client" id', "invalid"),
        ('{"type": "join", "client": "has spaces"}', '"client" id', "invalid"),
    ],
)
async def test_bad_frames_get_an_error_event_and_the_socket_stays_usable(
    pair: Pair, frame: str, says: str, code: str
) -> None:
    room = await standing_room(pair)
    (mentee,) = await sessions(pair.mentee)
    async with opened(room.pk, mentee) as socket:
        await socket.send_to(text_data=frame)
        reply = await socket.receive_json_from()
        assert reply["type"] == "error" and says in reply["error"] and reply["code"] == code
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
    assert await database_sync_to_async(CallMessage.objects.count)() == 0


async def test_out_of_order_and_forged_frames_are_refused(pair: Pair) -> None:
    room = await standing_room(pair)
    mentee, mentor = await sessions(pair.mentee, pair.mentor)
    stranger = await database_sync_to_async(new_participant)(pair.tenant.organisation)
    mentor_id = pair.mentor.user.pk
    async with opened(room.pk, mentee) as a, opened(room.pk, mentor) as b:
        await a.send_json_to({"type": "offer", "to": mentor_id, "sdp": SDP})
        assert (await a.receive_json_from())["code"] == "not_joined"
        await join(a, "pageA")
        await join(b, "pageB")
        await settle(a, b)
        refusals = [
            ({"type": "answer", "to": mentor_id, "sdp": SDP}, "out_of_order"),
            ({"type": "offer", "to": stranger.user.pk, "sdp": SDP}, "not_member"),
            ({"type": "offer", "to": pair.mentee.user.pk, "sdp": SDP}, "not_member"),
            ({"type": "offer", "to": str(mentor_id), "sdp": SDP}, "invalid"),
            ({"type": "offer", "to": mentor_id, "sdp": "hello"}, "invalid"),
            ({"type": "ice", "to": mentor_id, "candidate": "candidate:1"}, "invalid"),
            ({"type": "ice", "to": mentor_id, "candidate": None, "gen": -1}, "invalid"),
            ({"type": "offer", "to": mentor_id, "sdp": SDP, "gen": "2"}, "invalid"),
            ({"type": "relay", "event": {"kind": "hack"}}, "invalid"),
            ({"type": "relay", "event": {"kind": "media", "pad": "x" * 5000}}, "too_large"),
            ({"type": "join", "client": "again"}, "out_of_order"),
            ({"type": "chat", "body": "  "}, "invalid"),
        ]
        for frame, code in refusals:
            await a.send_json_to(frame)
            reply = await a.receive_json_from()
            assert reply["type"] == "error" and reply["code"] == code, (frame, reply)
        # None of them reached the other member.
        assert await b.receive_nothing(timeout=0.3)


async def test_chat_is_stored_with_the_room_and_reaches_everyone(pair: Pair) -> None:
    room = await standing_room(pair)
    mentee, mentor = await sessions(pair.mentee, pair.mentor)
    async with opened(room.pk, mentee) as a, opened(room.pk, mentor) as b:
        await join(a, "pageA")
        await join(b, "pageB")
        await settle(a, b)
        await a.send_json_to({"type": "chat", "body": "  Can you hear me?  "})
        for socket in (a, b):
            line = await socket.receive_json_from()
            assert line["type"] == "chat" and line["body"] == "Can you hear me?"
            assert line["author"] == pair.mentee.user.pk
    stored = await database_sync_to_async(CallMessage.objects.get)()
    assert stored.room_id == room.pk and stored.body == "Can you hear me?"


async def test_heartbeats_record_attendance_and_cut_off_a_member_who_left(pair: Pair) -> None:
    room = await standing_room(pair)
    (mentee,) = await sessions(pair.mentee)
    async with opened(room.pk, mentee) as socket:
        await join(socket, "page")
        await socket.send_json_to({"type": "heartbeat", "media": True})
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from() == {"type": "pong"}
        presence = await database_sync_to_async(Presence.objects.get)(room=room)
        assert presence.media_since is not None and presence.confirmed_until is not None
        await database_sync_to_async(pair.mentee.delete)()
        await socket.send_json_to({"type": "heartbeat", "media": True})
        assert await closed_code(socket) == 4403


async def test_a_join_after_a_long_wait_in_the_lobby_reads_access_again(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openmentor.video import consumers

    room = await standing_room(pair)
    (mentee,) = await sessions(pair.mentee)
    async with opened(room.pk, mentee) as socket:
        # Removed from the organisation while the page sat in the lobby.
        await database_sync_to_async(pair.mentee.delete)()
        monkeypatch.setattr(consumers, "JOIN_RECHECK_AFTER_S", -1.0)
        await socket.send_json_to({"type": "join", "client": "page"})
        assert await closed_code(socket) == 4403
    assert not await database_sync_to_async(Presence.objects.filter(room=room).exists)()
