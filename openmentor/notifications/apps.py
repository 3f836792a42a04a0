from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "openmentor.notifications"
    label = "notifications"
