from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The read side on top of the domain apps: homes, dashboards and reports.

    It reads across programmes, matching, mentorships, meetings, messaging and feedback;
    none of them imports it, so the import graph runs one way.
    """

    name = "openmentor.dashboard"
    label = "dashboard"

    def ready(self) -> None:
        # Registers the periodic jobs (the health snapshot, the weekly report).
        from openmentor.dashboard import tasks  # noqa: F401
