"""A 50 MB upload to the import page is refused (413) before it is read whole, whether
it declares its length or streams without one."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from openmentor.config.asgi import application

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]

MB = 1024 * 1024
BOUNDARY = b"openmentor-test-boundary"


def _scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"multipart/form-data; boundary=" + BOUNDARY),
            *headers,
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }


def _upload_chunks(total: int) -> list[bytes]:
    """A multipart body carrying one file of `total` bytes, in 1 MB chunks."""
    head = (
        b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="file"; '
        b'filename="people.csv"\r\nContent-Type: text/csv\r\n\r\nemail,role\n'
    )
    chunks = [head] + [b"a@example.org,mentee\n" * (MB // 21)] * (total // MB)
    return [*chunks, b"\r\n--" + BOUNDARY + b"--\r\n"]


async def _post(headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, int]:
    """The response status and how many body chunks the server asked for."""
    path = reverse("import_upload", args=["acme", "spring"])
    sent: list[dict[str, Any]] = []
    asked = 0

    async def receive() -> dict[str, Any]:
        nonlocal asked
        asked += 1
        if asked <= len(chunks):
            return {"type": "http.request", "body": chunks[asked - 1], "more_body": True}
        await asyncio.sleep(3600)  # a client still sending (Django cancels this)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await application(_scope(path, headers), receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return int(start["status"]), asked


async def test_a_50_mb_upload_declaring_its_length_is_refused_unread() -> None:
    status, asked = await _post(
        [(b"content-length", str(50 * MB).encode())], _upload_chunks(50 * MB)
    )
    assert status == 413
    assert asked == 0


async def test_a_50_mb_upload_streamed_without_a_length_is_cut_off_at_the_limit() -> None:
    chunks = _upload_chunks(50 * MB)
    status, asked = await _post([], chunks)
    assert status == 413
    # It stopped one chunk past the limit (12 MB), not at the end of the 50 MB.
    assert asked <= settings.MAX_REQUEST_BYTES // MB + 2 < len(chunks)
