from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Ratings of mentorships (at a check-in and at the end), feedback after each meeting,
    the check-ins (pairing fit, pulse, closing with NPS) and the aggregate reports that
    read them, without ever showing one person's answer unless they share it."""

    name = "openmentor.feedback"
    label = "feedback"

    def ready(self) -> None:
        # Opens the closing survey when a mentorship ends.
        from openmentor.feedback import receivers  # noqa: F401
