from django.apps import AppConfig


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "openmentor.events"
    label = "events"
    verbose_name = "Programme events"

    def ready(self) -> None:
        # Registers the reminder job with the periodic scheduler.
        from openmentor.events import reminders  # noqa: F401
