"""One structured log line per request, with timing and the outcome."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("openmentor.request")

# Paths that carry a secret (calendar feed, invitation and join links) are logged without it.
_SECRET_PATH = re.compile(r"^/(calendar|invitations|join)/[^/]+?(\.ics)?(/|$)")


def loggable_path(path: str) -> str:
    return _SECRET_PATH.sub(lambda m: f"/{m.group(1)}/<token>{m.group(2) or ''}{m.group(3)}", path)


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if request.path not in ("/healthz",) and not request.path.startswith("/static/"):
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            logger.info(
                "%s %s %s %.1f ms",
                request.method,
                loggable_path(request.path),
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": loggable_path(request.path),
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": getattr(getattr(request, "user", None), "pk", None),
                },
            )
        return response
