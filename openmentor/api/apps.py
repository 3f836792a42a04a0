from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "openmentor.api"
    label = "api"
    verbose_name = "REST API"
