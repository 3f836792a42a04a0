"""Tracking's background work.

Every ten minutes the scheduler looks for ladder steps due and queues one task per step;
the steps carry the moment they were found due (`at`), so the outcome does not depend on
when, or on how many, workers run them (a frozen-clock test passes its own).
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from openmentor.core.scheduler import periodic
from openmentor.tracking.selectors import LadderAction, ladder_due
from openmentor.tracking.services.ladder import ladder_apply
from openmentor.tracking.services.milestones import milestones_record
from openmentor.tracking.services.outcomes import (
    meetings_settle,
    pairing_fits_open,
    pulses_open,
)

SWEEP_EVERY_MINUTES = 10


@task()
def ladder_sweep(*, at: str) -> int:
    """Queues every ladder step due at `at` (ISO 8601); returns how many."""
    now = dt.datetime.fromisoformat(at)
    due = ladder_due(now=now)
    for action in due:
        ladder_step.enqueue(
            mentorship_id=action.mentorship_id,
            action=action.action,
            step=action.step,
            spell_start=action.spell_start.isoformat(),
            at=at,
        )
    return len(due)


@task()
def ladder_step(*, mentorship_id: int, action: str, step: int, spell_start: str, at: str) -> int:
    return ladder_apply(
        action=LadderAction(
            mentorship_id=mentorship_id,
            action=action,
            step=step,
            spell_start=dt.datetime.fromisoformat(spell_start),
        ),
        now=dt.datetime.fromisoformat(at),
    )


@periodic("tracking.ladder")
def ladder_tick(minute: dt.datetime) -> None:
    if minute.minute % SWEEP_EVERY_MINUTES == 0:
        ladder_sweep.enqueue(at=minute.isoformat())


@periodic("tracking.meetings_settle")
def meetings_settle_tick(minute: dt.datetime) -> None:
    """Every five minutes: meetings whose room has closed get their outcome and questions."""
    if minute.minute % 5 == 0:
        meetings_settle(now=minute)
        pairing_fits_open(now=minute)
        milestones_record(now=minute)


@periodic("tracking.pulses")
def pulses_tick(minute: dt.datetime) -> None:
    if minute.hour == 8 and minute.minute == 0:
        pulses_open(now=minute)
