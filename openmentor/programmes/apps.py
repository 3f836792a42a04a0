from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "openmentor.programmes"
    label = "programmes"
