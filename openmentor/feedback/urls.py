from django.urls import path

from openmentor.feedback import views

urlpatterns = [
    path(
        "o/<slug:slug>/mentorships/<int:mentorship_id>/feedback/",
        views.feedback_checkin,
        name="feedback_checkin",
    ),
    path(
        "o/<slug:slug>/mentorships/<int:mentorship_id>/end/",
        views.mentorship_end,
        name="mentorship_end",
    ),
]
