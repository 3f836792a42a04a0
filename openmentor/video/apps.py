from django.apps import AppConfig


class VideoConfig(AppConfig):
    name = "openmentor.video"
    label = "video"
    verbose_name = "Video calls"
