from django.urls import path

from openmentor.notifications import views

urlpatterns = [
    path("o/<slug:slug>/notifications/", views.notification_list, name="notification_list"),
    path("o/<slug:slug>/notifications/read/", views.notifications_read, name="notifications_read"),
    path(
        "o/<slug:slug>/notifications/settings/",
        views.notification_preferences,
        name="notification_preferences",
    ),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="notifications_unsubscribe"),
]
