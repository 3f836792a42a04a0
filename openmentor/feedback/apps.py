from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Ratings of mentorships (at a check-in and at the end) and the aggregate reports
    that read them, with self-identification, without ever showing one person's answer."""

    name = "openmentor.feedback"
    label = "feedback"
