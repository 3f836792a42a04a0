from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "openmentor.meetings"
    label = "meetings"

    def ready(self) -> None:
        # Registers the reminder job with the periodic scheduler.
        # Cancels a pair's upcoming meetings when their mentorship ends.
        from openmentor.meetings import (
            receivers,  # noqa: F401
            reminders,  # noqa: F401
        )
