from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "openmentor.meetings"
    label = "meetings"
