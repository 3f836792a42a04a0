from django.urls import URLPattern, path

from openmentor.events import views

PREFIX = "o/<slug:slug>/programmes/<slug:programme_slug>/events/"

urlpatterns: list[URLPattern] = [
    path(PREFIX, views.event_list, name="event_list"),
    path(PREFIX + "new/", views.event_create, name="event_create"),
    path(PREFIX + "<int:event_id>/", views.event_detail, name="event_detail"),
    path(PREFIX + "<int:event_id>/edit/", views.event_edit, name="event_edit"),
    path(PREFIX + "<int:event_id>/cancel/", views.event_cancel, name="event_cancel"),
    path(PREFIX + "<int:event_id>/recording/", views.event_recording, name="event_recording"),
]
