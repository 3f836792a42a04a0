"""Done-when scenario: a programme runs for 120 days on a frozen clock, with the ladder's
work done by real `manage.py worker` processes — two of them, on the database queue and on
RQ. Each day with something due the sweep is queued twice, so the two workers race over
the same steps; nobody may get anything twice.

Pairs A and D meet every two weeks and stay thriving, never nudged. Pair B stops after its
first meeting: nudged at 1.5×, 3× and 5× its two-week cadence (days 21, 42, 70), its
manager told at the second step, warned on day 83 and closed on day 90. Pair C stops too
but keeps the mentorship open from the warning's e-mail on day 84, so it stays open and
its ladder starts again (a first nudge of the new quiet spell on day 105).
"""

from __future__ import annotations

import datetime as dt
import email
import re
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from django.test import Client
from freezegun import freeze_time

from openmentor.mentorships.models import Mentorship
from openmentor.mentorships.services.journey import meeting_log_external
from openmentor.notifications.models import Notification
from openmentor.tracking.health import State
from openmentor.tracking.models import ClosureWarning, Nudge
from openmentor.tracking.selectors import ladder_due, programme_health
from openmentor.tracking.tasks import ladder_sweep
from tests.conftest import Tenant
from tests.faults import test_dead_worker as faults
from tests.faults.processes import wait_for
from tests.scenarios import active_mentorship

pytestmark = pytest.mark.django_db(transaction=True)

START = dt.datetime(2031, 3, 3, 13, tzinfo=dt.UTC)  # far from the workers' own clock
DAYS = 120


# The same queues, cleaned the same way, as the fault tests.
queue = faults.queue


@pytest.fixture
def workers(queue: str, tmp_path: Path) -> Iterator[faults.Workers]:
    media = tmp_path / "media"
    media.mkdir()
    running = faults.Workers(queue, tmp_path, media)
    yield running
    running.stop_all()


def idle(queue: str) -> bool:
    if queue == "rq":
        import django_rq
        from rq.registry import StartedJobRegistry

        rq_queue = django_rq.get_queue("default")
        started = StartedJobRegistry(queue=rq_queue).count
        return rq_queue.count == 0 and started == 0
    from django_tasks_db.models import DBTaskResult

    return not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()


def messages(folder: Path) -> list[Message]:
    found = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                found.append(email.message_from_string(chunk.strip()))
    return found


def text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    return ""


def test_a_programme_runs_120_days_with_its_ladder_on_real_workers(
    tenant: Tenant, workers: faults.Workers, queue: str
) -> None:
    pairs: dict[str, Mentorship] = {}
    programme = None
    for name in "ABCD":
        m = active_mentorship(tenant.organisation, programme=programme)
        programme = m.programme
        Mentorship.objects.filter(pk=m.pk).update(started_at=START, created_at=START)
        m.refresh_from_db()
        pairs[name] = m
    assert programme is not None
    workers.start()
    workers.start()
    kept_open_on = None
    for n in range(DAYS + 1):
        now = START + dt.timedelta(days=n)
        # The clock is frozen only around this process's own writes; the waits run on the
        # real clock (a frozen monotonic clock would never time out, and RQ would take its
        # running jobs for abandoned).
        with freeze_time(now):
            for name, m in pairs.items():
                if n == 0 or (name in "AD" and n % 14 == 0):
                    meeting_log_external(
                        mentorship=m, user=m.mentee, held_on=now.date(), duration_minutes=45
                    )
            due = bool(ladder_due(now=now))
            # Days with nothing due would queue sweeps that find nothing; skip the wait.
            if due:
                ladder_sweep.enqueue(at=now.isoformat())
                ladder_sweep.enqueue(at=now.isoformat())
        if due:
            time.sleep(0.2)
            wait_for(lambda: idle(queue), timeout=60, what=f"day {n}'s ladder")
        if kept_open_on is None and ClosureWarning.objects.filter(mentorship=pairs["C"]):
            # The mentee of C answers the warning the next day, from its e-mail.
            kept_open_on = n + 1
        if n == kept_open_on:
            mentee = pairs["C"].mentee.email
            mail = [m for m in messages(workers.emails) if mentee in (m["To"] or "")]
            link = re.search(r"/t/keep-open/[^\s]+/", "".join(text_of(m) for m in mail))
            assert link, "the warning e-mail carries a keep-open link"
            with freeze_time(now):
                page = Client().post(link.group(0))
            assert "stays open" in page.content.decode()
            wait_for(lambda: idle(queue), timeout=60, what="the partner's notice")
    end = START + dt.timedelta(days=DAYS)
    for m in pairs.values():
        m.refresh_from_db()

    # B: every step once, its manager told, closed after the warning.
    b = pairs["B"]

    def steps(m: Mentorship, audience: str = "member") -> list[tuple[int, int, dt.datetime]]:
        return sorted(
            Nudge.objects.filter(mentorship=m, audience=audience).values_list(
                "step", "user_id", "sent_at"
            )
        )

    assert [(s, t.date()) for s, _, t in steps(b)][::2] == [
        (1, (START + dt.timedelta(days=21)).date()),
        (2, (START + dt.timedelta(days=42)).date()),
        (3, (START + dt.timedelta(days=70)).date()),
    ]
    assert len(steps(b)) == 6
    assert {u for _, u, _ in steps(b, "manager")} == {
        tenant.manager.user_id,
        tenant.owner.user_id,
    }
    warning = ClosureWarning.objects.get(mentorship=b)
    assert warning.sent_at == START + dt.timedelta(days=83)
    assert b.status == Mentorship.Status.ENDED and b.end_reason == "inactive"
    assert b.ended_at == START + dt.timedelta(days=90)
    # C: kept open from the e-mail, still open; a first nudge of its new quiet spell.
    c = pairs["C"]
    assert c.status == Mentorship.Status.ACTIVE
    assert ClosureWarning.objects.get(mentorship=c).cancelled_by_id == c.mentee_id
    assert [s for s, _, _ in steps(c)] == [1, 1, 1, 1, 2, 2, 3, 3]
    # A and D meet regularly: thriving, never nudged.
    health = {
        row.mentorship.pk: row.health for row in programme_health(programme=programme, now=end).rows
    }
    for name in "AD":
        assert pairs[name].status == Mentorship.Status.ACTIVE
        assert health[pairs[name].pk].state == State.THRIVING, health[pairs[name].pk]
        assert not Nudge.objects.filter(mentorship=pairs[name]).exists()
    # Nobody got the same nudge twice: one notice and one e-mail per nudge row.
    nudges = Nudge.objects.filter(audience="member").count()
    assert nudges == 14
    assert Notification.objects.filter(kind__startswith="nudge.").count() == nudges
    sent = messages(workers.emails)
    assert sum("Time to catch up" in (m["Subject"] or "") for m in sent) == nudges
    assert sum("will close" in (m["Subject"] or "") for m in sent) == 4
    assert sum("gone quiet" in (m["Subject"] or "") for m in sent) == 4  # B and C, 2 each
