"""Test-only URLconf: the real one plus a stand-in `programme_join` while the join flow
(owned by the programmes pages) is not registered yet. Used by conftest.py only then."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from openmentor.config.urls import urlpatterns as real_urlpatterns


def _join_stand_in(request: HttpRequest, token: str) -> HttpResponse:
    return HttpResponse(status=204)


urlpatterns = [
    *real_urlpatterns,
    path("join/<str:token>/", _join_stand_in, name="programme_join"),
]
