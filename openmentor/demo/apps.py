from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Northwind demo organisation (`manage.py seed_demo`): data only, no pages."""

    name = "openmentor.demo"
    label = "demo"
