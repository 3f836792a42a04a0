"""Backfills the activity record from the tables that existed before it."""

from typing import Any

from django.db import migrations
from django.utils import timezone

from openmentor.tracking.backfill import activity_backfill


def forwards(apps: Any, schema_editor: Any) -> None:
    activity_backfill(apps.get_model, now=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0001_initial"),
        ("mentorships", "0004_alter_mentorship_end_reason_activity"),
        ("meetings", "0003_calendar_feed_seed"),
        ("messaging", "0001_initial"),
        ("feedback", "0001_initial"),
        ("video", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
