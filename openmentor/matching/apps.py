from django.apps import AppConfig


class MatchingConfig(AppConfig):
    """The Django side of matching: settings, runs, proposals and mentee choice.

    The engine itself (openmentor/matching/engine/) never imports Django.
    """

    name = "openmentor.matching"
    label = "matching"

    def ready(self) -> None:
        # Registers the periodic job that expires unanswered mentor requests.
        from openmentor.matching.choice import tasks as choice_tasks  # noqa: F401
        from openmentor.matching.services import runs  # noqa: F401  (its task lease kind)
