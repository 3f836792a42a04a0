from django.urls import path

from openmentor.messaging import views

urlpatterns = [
    path(
        "o/<slug:slug>/mentorships/<int:mentorship_id>/messages/",
        views.conversation,
        name="conversation",
    ),
    path(
        "o/<slug:slug>/mentorships/<int:mentorship_id>/messages/<int:message_id>/attachment/",
        views.message_attachment,
        name="message_attachment",
    ),
]
