from __future__ import annotations

from django.conf import settings
from django.db import models


class Event(models.Model):
    """A domain event worth reporting, recorded once where it happens.

    Reports read these rows instead of reconstructing history from current state.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=60)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} at {self.created_at:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """Each worker process writes its row every scheduler tick; /healthz reads them.

    Kept in the database rather than the cache because the local-memory cache is not
    shared between the web and worker processes.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class ScheduledRun(models.Model):
    """One row per periodic job per minute: the unique constraint makes ticks idempotent
    even when several workers tick at once."""

    job = models.CharField(max_length=100)
    minute = models.DateTimeField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "minute"], name="scheduled_run_once_per_minute")
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.minute:%Y-%m-%d %H:%M}"


class OneClickUse(models.Model):
    """A one-click link that has been used: its second click finds this row and does nothing.

    Only the SHA-256 of the link's token is kept, so the table gives no working link away.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=40)
    used_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.purpose} link used at {self.used_at:%Y-%m-%d %H:%M}"
