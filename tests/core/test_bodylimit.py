"""Request bodies over MAX_REQUEST_BYTES are refused before Django reads them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from django.conf import settings

from openmentor.config.asgi import application

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


def _scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/accounts/login/",
        "raw_path": b"/accounts/login/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }


async def _call(headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, int]:
    """The response status and how many body chunks the application asked for."""
    sent: list[dict[str, Any]] = []
    asked = 0

    async def receive() -> dict[str, Any]:
        nonlocal asked
        asked += 1
        if asked <= len(chunks):
            return {
                "type": "http.request",
                "body": chunks[asked - 1],
                "more_body": asked < len(chunks),
            }
        await asyncio.sleep(3600)  # a client that stays connected (Django cancels this)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await application(_scope(headers), receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return int(start["status"]), asked


async def test_a_declared_50_mb_body_is_refused_without_reading_it() -> None:
    status, asked = await _call([(b"content-length", str(50 * 1024 * 1024).encode())], [])
    assert status == 413
    assert asked == 0


async def test_a_body_streaming_past_the_limit_is_cut_off_and_refused() -> None:
    chunk = b"x" * (1024 * 1024)
    count = settings.MAX_REQUEST_BYTES // len(chunk) + 5
    status, asked = await _call(
        [(b"content-type", b"application/x-www-form-urlencoded")], [chunk] * count
    )
    assert status == 413
    # It stopped reading one chunk past the limit, not at the end of the body.
    assert asked <= settings.MAX_REQUEST_BYTES // len(chunk) + 1


async def test_a_small_body_reaches_django() -> None:
    body = b"login=a%40example.org&password=x"
    status, _ = await _call(
        [
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ],
        [body],
    )
    assert status == 403  # Django's CSRF answer: the request got through
