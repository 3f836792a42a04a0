from django.urls import path

from openmentor.chat import views

urlpatterns = [
    path("o/<slug:slug>/integrations/chat/", views.chat_channels, name="chat_channels"),
    path(
        "o/<slug:slug>/integrations/chat/<int:channel_id>/delete/",
        views.chat_channel_delete,
        name="chat_channel_delete",
    ),
    path("o/<slug:slug>/me/chat/", views.chat_opt_in, name="chat_opt_in"),
]
