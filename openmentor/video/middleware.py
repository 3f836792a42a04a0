"""Pages may not use the camera, microphone or screen capture unless they say so.

The call page sets its own Permissions-Policy (camera and microphone for our origin);
every other page gets this one, so only the call page can ever ask for the camera.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

DENY = "camera=(), microphone=(), display-capture=()"


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", DENY)
        return response
