"""Event reminders a day and 15 minutes before, on a frozen clock through the scheduler:
only to the people going, in their own timezone, never twice, again for a moved event,
none for a cancelled one; and as each person's e-mail preference says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from freezegun import freeze_time

from openmentor.core.scheduler import registered_jobs, scheduler_tick
from openmentor.events import services
from openmentor.events.models import EventReminder, ProgrammeEvent
from openmentor.events.reminders import event_reminders_send
from openmentor.notifications.models import Notification, NotificationPreference
from openmentor.organisations.models import Membership, Role
from openmentor.programmes.models import Enrolment, Programme
from tests.conftest import Tenant
from tests.factories import make_member, make_profile, make_programme

pytestmark = pytest.mark.django_db
UTC = dt.UTC
Capture = Callable[..., Any]
START = dt.datetime(2026, 3, 10, 17, 0, tzinfo=UTC)  # 18:00 in Paris (CET)


def _tick(at: dt.datetime, capture: Capture) -> None:
    with freeze_time(at), capture(execute=True):
        scheduler_tick(now=at)


@pytest.fixture
def world(tenant: Tenant) -> tuple[ProgrammeEvent, list[Membership]]:
    programme = make_programme(tenant.organisation, status=Programme.Status.RUNNING)
    people = [make_member(tenant.organisation, Role.PARTICIPANT) for _ in range(3)]
    for person in people:
        Enrolment.objects.create(programme=programme, user=person.user, role="mentee")
        make_profile(tenant.organisation, person.user, timezone="Europe/Paris")
    with freeze_time(START - dt.timedelta(days=5)):
        event = services.event_schedule(
            programme=programme,
            actor=tenant.manager,
            values={
                "title": "Halfway party",
                "starts_at": START,
                "ends_at": START + dt.timedelta(hours=1),
            },
        )
        services.event_rsvp(event=event, user=people[0].user, going=True)
        services.event_rsvp(event=event, user=people[1].user, going=True)
        services.event_rsvp(event=event, user=people[2].user, going=False)
    return event, people


def test_the_job_is_registered() -> None:
    assert "events.reminders" in registered_jobs()


def test_a_day_and_15_minutes_before_to_those_going_once_each(
    world: tuple[ProgrammeEvent, list[Membership]], django_capture_on_commit_callbacks: Capture
) -> None:
    event, (ada, bo, not_going) = world
    mail.outbox.clear()
    _tick(START - dt.timedelta(hours=24, minutes=1), django_capture_on_commit_callbacks)
    assert mail.outbox == []
    _tick(START - dt.timedelta(hours=24), django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ada.user.email, bo.user.email])
    assert "Tuesday 10 March 2026, 18:00 (Europe/Paris)" in mail.outbox[0].body
    assert mail.outbox[0].subject == "Reminder: Halfway party starts tomorrow"
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers
    # Every later tick of the day window sends nothing more; a second worker neither.
    _tick(START - dt.timedelta(hours=20), django_capture_on_commit_callbacks)
    assert event_reminders_send(now=START - dt.timedelta(hours=2)) == 0
    assert len(mail.outbox) == 2
    _tick(START - dt.timedelta(minutes=14), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 4 and "in 15 minutes" in mail.outbox[-1].subject
    _tick(START - dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 4
    assert not_going.user.email not in {m.to[0] for m in mail.outbox}
    notices = Notification.objects.filter(kind__startswith="event.reminder")
    assert (
        sorted(n.kind for n in notices) == ["event.reminder_day"] * 2 + ["event.reminder_soon"] * 2
    )
    assert all(f"/events/{event.pk}/" in n.url for n in notices)


def test_a_moved_event_is_reminded_again_and_a_cancelled_one_not_at_all(
    tenant: Tenant,
    world: tuple[ProgrammeEvent, list[Membership]],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    event, _ = world
    _tick(START - dt.timedelta(hours=23), django_capture_on_commit_callbacks)
    assert EventReminder.objects.count() == 2
    later = START + dt.timedelta(hours=2)
    with freeze_time(START - dt.timedelta(hours=22)):
        services.event_update(
            event=event,
            actor=tenant.manager,
            values={"starts_at": later, "ends_at": later + dt.timedelta(hours=1)},
        )
    mail.outbox.clear()
    _tick(START - dt.timedelta(hours=21), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2 and "20:00 (Europe/Paris)" in mail.outbox[0].body
    with freeze_time(START - dt.timedelta(hours=1)):
        services.event_cancel(event=event, actor=tenant.manager)
    mail.outbox.clear()
    _tick(later - dt.timedelta(minutes=10), django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_the_person_s_e_mail_preference_is_respected(
    world: tuple[ProgrammeEvent, list[Membership]], django_capture_on_commit_callbacks: Capture
) -> None:
    event, (ada, bo, _) = world
    NotificationPreference.objects.create(
        organisation=event.programme.organisation, user=ada.user, category="meetings", email="off"
    )
    mail.outbox.clear()
    _tick(START - dt.timedelta(minutes=10), django_capture_on_commit_callbacks)
    assert [m.to[0] for m in mail.outbox] == [bo.user.email]
    # Ada still has the notice in the app.
    assert Notification.objects.filter(user=ada.user, kind="event.reminder_soon").exists()
