from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "openmentor.notifications"
    label = "notifications"

    def ready(self) -> None:
        # Registers the weekly digest with the periodic scheduler.
        from openmentor.notifications import tasks  # noqa: F401
