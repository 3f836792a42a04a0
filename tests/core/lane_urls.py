"""Views for tests/core/test_asgi_handler.py: which thread served the request, and one
that waits until the test lets it finish."""

from __future__ import annotations

import threading

from django.http import HttpRequest, HttpResponse
from django.urls import path

release = threading.Event()


def whoami(request: HttpRequest) -> HttpResponse:
    return HttpResponse(threading.current_thread().name)


def slow(request: HttpRequest) -> HttpResponse:
    release.wait(timeout=10)
    return HttpResponse("slow done")


urlpatterns = [path("whoami/", whoami), path("slow/", slow)]
