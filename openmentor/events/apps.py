from django.apps import AppConfig


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "openmentor.events"
    label = "events"
    verbose_name = "Programme events"

    def ready(self) -> None:
        # Registers the reminder job with the periodic scheduler.
        # Takes someone who leaves a circle out of the circle's events to come.
        from openmentor.events import (
            receivers,  # noqa: F401
            reminders,  # noqa: F401
        )
