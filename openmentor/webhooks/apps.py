from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "openmentor.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        # Listens for domain events; registers the retry job with the periodic scheduler.
        from openmentor.webhooks import receivers, tasks  # noqa: F401
