from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openmentor.core"
    label = "core"
