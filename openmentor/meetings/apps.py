from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "openmentor.meetings"
    label = "meetings"

    def ready(self) -> None:
        # Registers the reminder job with the periodic scheduler.
        from openmentor.meetings import reminders  # noqa: F401
