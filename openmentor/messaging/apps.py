from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "openmentor.messaging"
    label = "messaging"
