"""The e-mail about messages left unread for an hour, driven by the scheduler's clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from freezegun import freeze_time

from openmentor.core.scheduler import registered_jobs, scheduler_tick
from openmentor.messaging import services
from openmentor.messaging.models import Message
from openmentor.organisations.models import Membership
from tests.conftest import Tenant
from tests.messaging import files
from tests.messaging.conftest import Pair, make_pair, new_participant

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def tick(django_capture_on_commit_callbacks: Any) -> Callable[[float], dict[str, str]]:
    """Runs the scheduler as the worker would at T0 + `minutes`, delivering e-mails."""

    def run(minutes: float) -> dict[str, str]:
        with freeze_time(at(minutes)), django_capture_on_commit_callbacks(execute=True):
            return scheduler_tick()

    return run


def say(pair: Pair, author: Membership, body: str, minutes: float, **extra: Any) -> Message:
    with freeze_time(at(minutes)):
        return services.message_send(
            mentorship=pair.mentorship, author=author.user, body=body, **extra
        )


def read(pair: Pair, member: Membership, minutes: float) -> None:
    with freeze_time(at(minutes)):
        services.conversation_mark_read(mentorship=pair.mentorship, user=member.user)


def test_the_job_is_registered_with_the_scheduler() -> None:
    assert "messaging.unread_email" in registered_jobs()


def test_one_email_after_an_hour_unread_and_never_again(
    pair: Pair, tick: Callable[[float], dict[str, str]]
) -> None:
    say(pair, pair.mentor, "Are you free on Thursday? My secret plan", 0)
    assert tick(59)["messaging.unread_email"] == "ran"
    assert mail.outbox == []
    tick(60)
    [email] = mail.outbox
    assert email.to == [pair.mentee.user.email]
    assert email.subject == f"{pair.mentor.user.name} sent you a message on OpenMentor"
    body = str(email.body)
    assert "waited for you for over an hour" in body
    assert f"/o/{pair.tenant.organisation.slug}/mentorships/{pair.mentorship.pk}/messages/" in body
    assert "secret plan" not in body  # message text stays on the platform
    for later in (61, 120, 600):
        tick(later)
    assert len(mail.outbox) == 1
    assert Message.objects.get().email_notified_at == at(60)


def test_a_batch_of_messages_makes_one_email(
    pair: Pair, tick: Callable[[float], dict[str, str]]
) -> None:
    say(pair, pair.mentor, "one", 0)
    say(pair, pair.mentor, "two", 20)
    say(pair, pair.mentor, "with a file", 50, attachment=files.upload("a.pdf", files.PDF))
    tick(60)
    [email] = mail.outbox
    assert email.subject == f"{pair.mentor.user.name} sent you 3 messages on OpenMentor"
    assert "(one with a file)" in str(email.body)
    assert not Message.objects.filter(email_notified_at__isnull=True).exists()
    # A new message later starts a new batch.
    say(pair, pair.mentor, "four", 70)
    tick(129)
    assert len(mail.outbox) == 1
    tick(130)
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.endswith("sent you a message on OpenMentor")


def test_no_email_when_the_message_was_read_in_time(
    pair: Pair, tick: Callable[[float], dict[str, str]]
) -> None:
    say(pair, pair.mentor, "hello", 0)
    read(pair, pair.mentee, 30)
    for minutes in (60, 61, 180):
        tick(minutes)
    assert mail.outbox == []


def test_replying_counts_as_reading(pair: Pair, tick: Callable[[float], dict[str, str]]) -> None:
    say(pair, pair.mentor, "hello", 0)
    say(pair, pair.mentee, "hi!", 10)
    tick(60)
    assert mail.outbox == []  # the mentee read and answered; the mentor's hour is not up
    tick(70)
    [email] = mail.outbox
    assert email.to == [pair.mentor.user.email]


def test_only_what_was_not_read_is_counted(
    pair: Pair, tick: Callable[[float], dict[str, str]]
) -> None:
    say(pair, pair.mentor, "read", 0)
    read(pair, pair.mentee, 5)
    say(pair, pair.mentor, "unread 1", 10)
    say(pair, pair.mentor, "unread 2", 11)
    tick(69)
    assert mail.outbox == []
    tick(70)
    [email] = mail.outbox
    assert "2 messages" in email.subject
    assert Message.objects.get(body="read").email_notified_at is None


def test_one_email_per_conversation(
    tenant: Tenant, tick: Callable[[float], dict[str, str]]
) -> None:
    first = make_pair(tenant)
    second = make_pair(tenant, mentee=new_participant(tenant.organisation))
    say(first, first.mentor, "a", 0)
    say(first, first.mentor, "b", 1)
    say(second, second.mentor, "c", 2)
    tick(62)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [first.mentee.user.email, second.mentee.user.email]
    )


def test_a_scheduler_tick_that_runs_twice_sends_once(
    pair: Pair, tick: Callable[[float], dict[str, str]]
) -> None:
    say(pair, pair.mentor, "hello", 0)
    assert tick(60)["messaging.unread_email"] == "ran"
    assert tick(60)["messaging.unread_email"] == "skipped"  # another worker's tick
    assert services.unread_emails_send(now=at(60)) == 0  # and the job itself is idempotent
    assert len(mail.outbox) == 1


def test_messages_older_than_the_lookback_are_not_emailed(
    pair: Pair, tick: Callable[[float], dict[str, str]]
) -> None:
    """After a long outage of the worker, no burst of stale e-mails."""
    say(pair, pair.mentor, "long ago", 0)
    tick(services.UNREAD_EMAIL_LOOKBACK.total_seconds() / 60 + 1)
    assert mail.outbox == []


def test_an_inactive_person_is_not_emailed(
    pair: Pair, tick: Callable[[float], dict[str, str]]
) -> None:
    say(pair, pair.mentor, "hello", 0)
    pair.mentee.user.is_active = False
    pair.mentee.user.save()
    tick(60)
    assert mail.outbox == []


def test_a_circle_emails_each_other_member_once_about_messages_left_unread(
    tenant: Tenant, tick: Callable[[float], dict[str, str]]
) -> None:
    from tests.mentorships.circles import running_circle

    with freeze_time(at(-24 * 60)):
        world = running_circle(tenant.organisation, mentees=3)
    circle = world.circle
    mentor, (ada, bo, cy) = world.mentors[0], world.mentees[:3]

    def post(author: Any, body: str, minutes: float) -> None:
        with freeze_time(at(minutes)):
            services.message_send(mentorship=circle, author=author, body=body)

    post(ada, "Shall we meet on Thursday? My secret plan", 0)
    post(bo, "Thursday works", 10)
    with freeze_time(at(30)):
        services.conversation_mark_read(mentorship=circle, user=cy)  # Cy read both
    tick(59)
    assert mail.outbox == []
    tick(70)
    by_person = {email.to[0]: email for email in mail.outbox}
    # The mentor had both unread and Ada Bo's reply; Bo had read Ada's when he answered,
    # and Cy read both in time.
    assert sorted(by_person) == sorted([mentor.email, ada.email])
    assert by_person[mentor.email].subject == (
        f"2 new messages in the {circle.topic} circle on OpenMentor"
    )
    body = str(by_person[mentor.email].body)
    assert f"in the {circle.topic} circle at {tenant.organisation.name}" in body
    assert f"/o/{tenant.organisation.slug}/mentorships/{circle.pk}/messages/" in body
    assert "secret plan" not in body  # message text stays on the platform
    assert by_person[ada.email].subject.startswith("1 new message in the ")
    # Never twice for the same messages; a new one starts a new e-mail for who has not read it.
    for later in (71, 120, 600):
        tick(later)
    assert len(mail.outbox) == 2
    post(mentor, "See you all then", 700)
    tick(761)
    assert sorted(email.to[0] for email in mail.outbox[2:]) == sorted(
        [ada.email, bo.email, cy.email]
    )
