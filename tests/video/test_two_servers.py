"""Signalling across two server processes through the Redis channel layer.

Starts a Redis of the test's own (free port, temporary folder) and two uvicorn processes
pointed at it and at the test database, then puts the mentor on one process and the
mentee on the other: everything between them must cross Redis.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from openmentor.video import services
from openmentor.video.models import CallMessage
from tests.conftest import make_tenant
from tests.messaging.test_consumers import session_of
from tests.processes import free_port, web_server
from tests.video.conftest import make_pair

ROOT = Path(__file__).resolve().parents[2]
SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs redis-server (apt-get install redis-server)"
)


@pytest.fixture(scope="module")
def two_servers(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[str]]:
    folder = tmp_path_factory.mktemp("redis")
    redis_port = free_port()
    redis = subprocess.Popen(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(redis_port),
            "--dir",
            str(folder),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with django_db_blocker.unblock():
        db_name = str(connection.settings_dict["NAME"])
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    with ExitStack() as servers:
        urls = [
            servers.enter_context(
                web_server(db_name, folder / f"uvicorn{n}.log", REDIS_URL=redis_url)
            ).removeprefix("http://")
            for n in range(2)
        ]
        yield urls
    redis.terminate()
    redis.wait(timeout=10)


async def _open(host: str, room: int, session: str) -> ClientConnection:
    return await connect(
        f"ws://{host}/ws/calls/{room}/",
        additional_headers={"Cookie": f"sessionid={session}"},
        origin=f"http://{host}",  # type: ignore[arg-type]
    )


async def _next(socket: ClientConnection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
    return frame


async def _next_not_arrival(socket: ClientConnection) -> dict[str, Any]:
    # Across processes an arrival can be reported twice (peer.joined and peer.here).
    while True:
        frame = await _next(socket)
        if frame["type"] not in ("peer.joined", "peer.here"):
            return frame


@pytest.mark.django_db(transaction=True)
def test_members_on_two_processes_negotiate_chat_and_take_over(two_servers: list[str]) -> None:
    pair = make_pair(make_tenant("Acme"))
    room = services.room_for_mentorship(mentorship=pair.mentorship).pk
    mentee, mentor = session_of(pair.mentee), session_of(pair.mentor)
    mentee_id, mentor_id = pair.mentee.user.pk, pair.mentor.user.pk
    one, two = two_servers

    async def scenario() -> None:
        a = await _open(one, room, mentee)
        b = await _open(two, room, mentor)
        await a.send(json.dumps({"type": "join", "client": "pageA"}))
        assert (await _next(a))["type"] == "joined"
        await b.send(json.dumps({"type": "join", "client": "pageB"}))
        assert (await _next(b))["type"] == "joined"
        assert (await _next(a)) == {
            "type": "peer.joined",
            "user": mentor_id,
            "name": pair.mentor.user.name,
            "client": "pageB",
        }
        # B learns A is there (A's own arrival may also reach B, just after B joined).
        about_a = await _next(b)
        if about_a["type"] == "peer.joined":
            about_a = await _next(b)
        assert about_a["type"] == "peer.here" and about_a["user"] == mentee_id
        await a.send(json.dumps({"type": "offer", "to": mentor_id, "sdp": SDP, "gen": 1}))
        offer = await _next_not_arrival(b)
        assert offer["type"] == "offer" and offer["from"] == mentee_id and offer["gen"] == 1
        await b.send(json.dumps({"type": "answer", "to": mentee_id, "sdp": SDP, "gen": 1}))
        assert (await _next_not_arrival(a))["type"] == "answer"
        await b.send(json.dumps({"type": "chat", "body": "Across processes"}))
        for page in (a, b):
            line = await _next_not_arrival(page)
            assert line["type"] == "chat" and line["body"] == "Across processes"
        # The mentee opens a second tab on the other process: it takes the call over.
        a2 = await _open(two, room, mentee)
        await a2.send(json.dumps({"type": "join", "client": "pageA2"}))
        assert (await _next(a2))["type"] == "joined"
        assert (await _next(a)) == {"type": "replaced"}
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(a.recv(), timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4409
        arrived = await _next(b)
        assert arrived["type"] == "peer.joined" and arrived["client"] == "pageA2"
        for page in (a2, b):
            await page.close()

    asyncio.run(scenario())
    assert CallMessage.objects.get().body == "Across processes"
