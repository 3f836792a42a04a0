from typing import Any

from django.core.management.base import BaseCommand

from openmentor.core.scheduler import scheduler_tick


class Command(BaseCommand):
    help = "Run every periodic job once for the current minute (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for job, outcome in scheduler_tick().items():
            self.stdout.write(f"{job}: {outcome}")
