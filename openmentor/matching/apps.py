from django.apps import AppConfig


class MatchingConfig(AppConfig):
    """The Django side of matching: settings, runs, proposals and mentee choice.

    The engine itself (openmentor/matching/engine/) never imports Django.
    """

    name = "openmentor.matching"
    label = "matching"
