from django.urls import URLPattern, path

from openmentor.events import views

urlpatterns: list[URLPattern] = [
    path(
        "o/<slug:slug>/programmes/<slug:programme_slug>/events/<int:event_id>/",
        views.event_detail,
        name="event_detail",
    ),
]
