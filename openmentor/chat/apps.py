from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "openmentor.chat"
    label = "chat"
    verbose_name = "Chat notifications"

    def ready(self) -> None:
        # Listens for at-risk events and for reminders and nudges; registers the weekly summary.
        from openmentor.chat import receivers, tasks  # noqa: F401
