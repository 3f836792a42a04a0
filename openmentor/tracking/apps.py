from django.apps import AppConfig


class TrackingConfig(AppConfig):
    """How mentorships are going: relationship health from the activity record, the
    nudge ladder for pairs gone quiet, and what happens when a meeting ends."""

    name = "openmentor.tracking"
    label = "tracking"

    def ready(self) -> None:
        # Registers the ladder sweep and the meeting-outcome job with the scheduler.
        from openmentor.tracking import tasks  # noqa: F401
