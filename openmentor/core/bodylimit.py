"""Refuses request bodies over MAX_REQUEST_BYTES before Django reads them whole.

Django's ASGI handler spools the entire body before any view or middleware runs, and
uvicorn has no body limit of its own, so the cap sits in front of Django: a declared
Content-Length over the limit is answered 413 at once, and a body that streams past
the limit (chunked, or lying about its length) is cut off and answered 413 too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
# Loose on purpose: Django, Channels and the tests each type the ASGI callables differently.
ASGIApp = Callable[..., Awaitable[None]]


def _too_large_body(limit: int) -> bytes:
    return (
        f"The request is too large: the limit is {limit // 1024 // 1024} MB. "
        "Upload a smaller file.\n"
    ).encode()


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def _refuse(self, send: Send) -> None:
        body = _too_large_body(self.limit)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.limit:
                    await self._refuse(send)
                    return
        received = 0
        cut_off = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, cut_off
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    cut_off = True
                    # Django takes a disconnect as an aborted request and answers nothing.
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, tracking_send)
        if cut_off and not started:
            await self._refuse(send)
