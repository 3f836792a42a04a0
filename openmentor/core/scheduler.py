"""Periodic jobs: the worker ticks this every minute.

Apps register jobs with `@periodic("name")`. A tick runs each job at most once per
minute across all workers: the claim is a row with a unique (job, minute) pair.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from openmentor.core.models import ScheduledRun, WorkerHeartbeat

logger = logging.getLogger(__name__)

Job = Callable[[datetime], object]
_jobs: dict[str, Job] = {}


def periodic(name: str) -> Callable[[Job], Job]:
    """Registers a function called with the tick's minute (aware UTC datetime)."""

    def register(function: Job) -> Job:
        _jobs[name] = function
        return function

    return register


def registered_jobs() -> dict[str, Job]:
    return dict(_jobs)


def heartbeat_beat(*, worker_id: str, started_at: datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen_at": timezone.now(),
        },
    )


def scheduler_tick(*, now: datetime | None = None) -> dict[str, str]:
    """Runs every registered job once for this minute; returns job -> outcome."""
    minute = (now or timezone.now()).replace(second=0, microsecond=0)
    outcomes: dict[str, str] = {}
    for name, job in sorted(_jobs.items()):
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=name, minute=minute)
        except IntegrityError:
            outcomes[name] = "skipped"  # another worker (or an earlier tick) ran it
            continue
        try:
            job(minute)
        except Exception as error:
            logger.exception("periodic job failed", extra={"job": name})
            run.error = repr(error)[:2000]
            outcomes[name] = "failed"
        else:
            outcomes[name] = "ran"
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at", "error"])
    return outcomes


@periodic("core.reclaim_stale_work")
def reclaim_stale_work(minute: datetime) -> None:
    """Hands back work whose worker died (openmentor.core.leases)."""
    from openmentor.core.leases import reclaim

    reclaim()


@periodic("core.prune_scheduled_runs")
def prune_scheduled_runs(minute: datetime) -> None:
    """Keeps a day of history so the table stays small."""
    ScheduledRun.objects.filter(minute__lt=minute - timedelta(days=1)).delete()
    WorkerHeartbeat.objects.filter(last_seen_at__lt=minute - timedelta(days=1)).delete()
