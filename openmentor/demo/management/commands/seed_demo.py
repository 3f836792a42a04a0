from typing import Any

from django.core.management.base import BaseCommand

from openmentor.demo.seed import DEMO_LOGINS, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the Northwind demo organisation (idempotent: a second run changes nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = seed_demo()
        if created:
            self.stdout.write(self.style.SUCCESS("Demo organisation Northwind created."))
        else:
            self.stdout.write("Demo organisation Northwind already present; nothing to do.")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, what in DEMO_LOGINS:
            self.stdout.write(f"  {email:32} {what}")
