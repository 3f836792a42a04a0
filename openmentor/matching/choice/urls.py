"""Mentee-choice routes; included by matching/urls.py."""

from django.urls import URLPattern, URLResolver, path

from openmentor.matching.choice import views

_PROGRAMME = "o/<slug:slug>/programmes/<slug:programme_slug>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(_PROGRAMME + "choose/", views.recommendations, name="recommendations"),
    path(_PROGRAMME + "requests/", views.mentor_requests, name="mentor_requests"),
    path(_PROGRAMME + "requests/invite/", views.mentee_invite, name="mentee_invite"),
    path(
        _PROGRAMME + "choose/withdraw/",
        views.mentor_requests_withdraw,
        name="mentor_requests_withdraw",
    ),
    path(
        _PROGRAMME + "requests/<int:request_id>/accept/",
        views.mentor_request_accept,
        name="mentor_request_accept",
    ),
    path(
        _PROGRAMME + "requests/<int:request_id>/decline/",
        views.mentor_request_decline,
        name="mentor_request_decline",
    ),
]
