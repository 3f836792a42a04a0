from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "openmentor.people"
    label = "people"
