from django.urls import path

from openmentor.video import views

urlpatterns = [
    path(
        "o/<slug:slug>/mentorships/<int:mentorship_id>/meetings/<int:meeting_id>/call/",
        views.meeting_call,
        name="meeting_call",
    ),
    path(
        "o/<slug:slug>/mentorships/<int:mentorship_id>/call/",
        views.mentorship_call,
        name="mentorship_call",
    ),
    path("o/<slug:slug>/calls/<int:room_id>/", views.group_call, name="group_call"),
    path("o/<slug:slug>/calls/settings/", views.call_preferences, name="call_preferences"),
]
