"""A quiet circle is nudged like a quiet pair: every current member, named by the circle,
and closed after its warning."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail

from openmentor.mentorships.models import Mentorship
from openmentor.tracking.models import Nudge
from openmentor.tracking.tasks import ladder_sweep
from tests.conftest import Tenant
from tests.mentorships.circles import running_circle
from tests.tracking.helpers import held, started

START = dt.datetime(2031, 3, 3, 12, tzinfo=dt.UTC)


def test_every_member_of_a_quiet_circle_is_nudged_and_then_it_closes(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    running = running_circle(tenant.organisation, mentees=3)
    circle = running.circle
    started(circle, START)
    held(circle, START)
    people = [running.mentors[0], *running.mentees[:3]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ladder_sweep.enqueue(at=(START + dt.timedelta(days=21)).isoformat())
    nudged = set(Nudge.objects.filter(step=1).values_list("user_id", flat=True))
    assert nudged == {u.pk for u in people}
    nudges = [m for m in mail.outbox if "Time to catch up" in m.subject]
    assert sorted(m.to[0] for m in nudges) == sorted(u.email for u in people)
    assert all("the Moving into management circle" in m.subject for m in nudges)
    for days in (60, 120, 200):
        with django_capture_on_commit_callbacks(execute=True):
            ladder_sweep.enqueue(at=(START + dt.timedelta(days=days)).isoformat())
    circle.refresh_from_db()
    assert circle.status == Mentorship.Status.ENDED
    assert circle.end_reason == Mentorship.EndReason.INACTIVE
