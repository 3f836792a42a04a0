from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "openmentor.organisations"
    label = "organisations"
