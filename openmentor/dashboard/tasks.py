"""The read side's periodic jobs: the health snapshot every ten minutes (a task per
programme, so one large programme does not hold up the scheduler's tick) and the weekly
report to the programme team on Monday mornings."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from openmentor.core.scheduler import periodic
from openmentor.dashboard.services import health_snapshot_refresh
from openmentor.dashboard.weekly import weekly_reports_send
from openmentor.programmes.models import Programme

REFRESH_EVERY_MINUTES = 10


@task()
def health_snapshot(*, programme_id: int, at: str) -> int:
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None:
        return 0
    return health_snapshot_refresh(programme=programme, now=dt.datetime.fromisoformat(at))


@periodic("dashboard.health_snapshot")
def health_snapshot_tick(minute: dt.datetime) -> None:
    if minute.minute % REFRESH_EVERY_MINUTES == 0:
        for pk in Programme.objects.exclude(status=Programme.Status.CLOSED).values_list(
            "pk", flat=True
        ):
            health_snapshot.enqueue(programme_id=pk, at=minute.isoformat())


@periodic("dashboard.weekly_report")
def weekly_report_tick(minute: dt.datetime) -> None:
    """Monday 07:00 UTC, beside the notification digest."""
    if minute.weekday() == 0 and minute.hour == 7 and minute.minute == 0:
        weekly_reports_send(now=minute)
