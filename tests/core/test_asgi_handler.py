"""Pages run synchronously on a few long-lived threads (openmentor/core/asgi_handler.py):
the same threads serve request after request, and a slow page holds up only its own."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from openmentor.core.asgi_handler import LaneASGIHandler
from tests.core import lane_urls

pytestmark = [pytest.mark.anyio]


def _scope(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }


async def _get(handler: LaneASGIHandler, path: str) -> tuple[int, str]:
    sent: list[dict[str, Any]] = []
    done = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if not done.is_set():
            done.set()
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)  # the client stays connected
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await handler(_scope(path), receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body.decode()


@pytest.fixture
def lanes(settings: Any) -> LaneASGIHandler:
    settings.ROOT_URLCONF = lane_urls.__name__
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    lane_urls.release.clear()
    return LaneASGIHandler(threads=2)


async def test_requests_are_served_by_the_same_few_threads(lanes: LaneASGIHandler) -> None:
    names = set()
    for _ in range(6):
        status, name = await _get(lanes, "/whoami/")
        assert status == 200
        names.add(name)
    # One after another, always the least busy lane: the first one, never a new thread.
    assert names == {"request-lane-0_0"}


async def test_a_slow_page_holds_up_only_its_own_lane(lanes: LaneASGIHandler) -> None:
    slow = asyncio.create_task(_get(lanes, "/slow/"))
    await asyncio.sleep(0.2)  # the slow page is running on lane 0
    status, name = await asyncio.wait_for(_get(lanes, "/whoami/"), timeout=5)
    assert (status, name) == (200, "request-lane-1_0")
    assert not slow.done()
    lane_urls.release.set()
    assert await asyncio.wait_for(slow, timeout=5) == (200, "slow done")


async def test_the_middleware_chain_is_the_synchronous_one(lanes: LaneASGIHandler) -> None:
    # One hop from the event loop per request: no async middleware mode to cross into.
    assert not asyncio.iscoroutinefunction(lanes._middleware_chain)
