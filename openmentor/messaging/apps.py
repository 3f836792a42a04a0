from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "openmentor.messaging"
    label = "messaging"

    def ready(self) -> None:
        # Registers the periodic jobs with the scheduler.
        from openmentor.messaging import jobs  # noqa: F401
