from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "openmentor.sso"
    label = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        # Gives people who signed in through an organisation's SSO their membership.
        from openmentor.sso import receivers  # noqa: F401
