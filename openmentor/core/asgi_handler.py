"""Django's ASGI handler for HTTP, with each request run as one synchronous call on one
of a few long-lived threads.

Every view and middleware of OpenMentor is synchronous. Django's ASGIHandler still builds
its middleware chain for async and starts a new thread per request: a page crossed
between the event loop and threads four times (sync-only middleware sits between
async-capable ones) and started a thread, and twenty requests at once meant twenty
threads taking the GIL from each other after every database call. Measured with
bench/load.py (SQLite, 20 clients), a fifth of the web process's time went on that.

Here the chain is the plain synchronous one (as under WSGI) and a request runs in one
hop on a "lane": a single-thread executor kept for the life of the process, the least
busy of WEB_REQUEST_THREADS. More than one lane keeps a slow page (a PDF export) from
holding up every other; few lanes keep the GIL from being fought over.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


@dataclass
class _Lane:
    executor: ThreadPoolExecutor
    busy: int = field(default=0)


class LaneASGIHandler(ASGIHandler):
    def __init__(self, *, threads: int) -> None:
        base.BaseHandler.__init__(self)  # not ASGIHandler's: it loads the async chain
        self.load_middleware(is_async=False)
        self.lanes = [
            _Lane(ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"request-lane-{n}"))
            for n in range(max(1, threads))
        ]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        lane = min(self.lanes, key=lambda candidate: candidate.busy)
        lane.busy += 1
        try:
            # Every thread-sensitive call of this request (signals, the chain, closing
            # the response) runs on the lane's one thread.
            async with ThreadSensitiveContext(executor=lane.executor):
                await self.handle(scope, receive, send)
        finally:
            lane.busy -= 1

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase = await sync_to_async(self.get_response, thread_sensitive=True)(
            request
        )
        return response
