"""Writes of the read side: refreshing the health snapshot the dashboard reads."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from openmentor.dashboard.models import HealthSnapshot
from openmentor.programmes.models import Programme
from openmentor.tracking.selectors import programme_health


@transaction.atomic
def health_snapshot_refresh(*, programme: Programme, now: dt.datetime) -> int:
    """Assesses every open mentorship of `programme` at `now` and replaces its snapshot
    rows with the result (one transaction: a reader sees the old set or the new one)."""
    health = programme_health(programme=programme, now=now)
    HealthSnapshot.objects.filter(programme=programme).delete()
    HealthSnapshot.objects.bulk_create(
        [
            HealthSnapshot(
                mentorship_id=row.mentorship.pk,
                programme=programme,
                state=str(row.health.state),
                reasons=list(row.health.reasons),
                action=row.health.action[:300],
                assessed_at=now,
            )
            for row in health.rows
        ],
        batch_size=2000,
    )
    return len(health.rows)
