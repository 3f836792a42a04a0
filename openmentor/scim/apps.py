from django.apps import AppConfig


class ScimConfig(AppConfig):
    name = "openmentor.scim"
    label = "scim"
    verbose_name = "Provisioning (SCIM 2.0)"
