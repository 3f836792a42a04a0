from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "openmentor.programmes"
    label = "programmes"

    def ready(self) -> None:
        # Registers the participant import's task lease kind (openmentor.core.leases).
        from openmentor.programmes.imports import services  # noqa: F401
