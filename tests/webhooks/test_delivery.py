"""Domain events become signed deliveries to the endpoints that subscribed, sent from the
task queue, retried with growing waits, logged, and replayable."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone
from freezegun import freeze_time
from standardwebhooks.webhooks import Webhook

from openmentor.core.events import EventKind, event_record
from openmentor.webhooks.constants import MAX_ATTEMPTS
from openmentor.webhooks.models import WebhookDelivery, WebhookEndpoint
from openmentor.webhooks.services import (
    webhook_delivery_attempt,
    webhook_delivery_replay,
    webhook_endpoint_create,
)
from openmentor.webhooks.tasks import webhook_retries
from tests.conftest import Tenant
from tests.webhooks.receiver import receiver

pytestmark = pytest.mark.django_db


def _endpoint(tenant: Tenant, url: str, types: list[str] | None = None) -> WebhookEndpoint:
    return webhook_endpoint_create(
        actor=tenant.owner,
        url=url,
        description="HR",
        event_types=types or [EventKind.MENTORSHIP_STARTED, EventKind.MENTORSHIP_AT_RISK],
    )


def test_an_event_is_delivered_signed_to_the_subscribed_endpoints_only(
    tenant: Tenant, other_tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    with receiver() as ours, receiver() as theirs:
        endpoint = _endpoint(tenant, ours.url)
        _endpoint(tenant, ours.url, [EventKind.FEEDBACK_GIVEN])  # another type
        paused = _endpoint(tenant, ours.url)
        WebhookEndpoint.objects.filter(pk=paused.pk).update(active=False)
        _endpoint(other_tenant, theirs.url)  # another organisation
        with django_capture_on_commit_callbacks(execute=True):
            event = event_record(
                organisation=tenant.organisation,
                kind=EventKind.MENTORSHIP_STARTED,
                data={"mentorship": 41},
            )
        assert len(ours.received) == 1 and not theirs.received
        sent = ours.received[0]
        # A receiver verifies it with the standardwebhooks package and the secret.
        payload = Webhook(endpoint.secret).verify(sent.body, sent.headers)
        assert payload == {
            "type": "mentorship.started",
            "timestamp": event.created_at.isoformat(),
            "data": {
                "organisation": tenant.organisation.slug,
                "event_id": event.pk,
                "mentorship": 41,
            },
        }
        assert sent.headers["webhook-id"].startswith("msg_")
        assert sent.path == "/hooks/openmentor"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 1
    assert delivery.attempt_log.get().status_code == 204


def test_the_signature_fails_with_another_secret_or_a_changed_body(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    from standardwebhooks.webhooks import WebhookVerificationError

    with receiver() as ours:
        _endpoint(tenant, ours.url)
        with django_capture_on_commit_callbacks(execute=True):
            event_record(organisation=tenant.organisation, kind=EventKind.MENTORSHIP_AT_RISK)
        sent = ours.received[0]
    other = webhook_endpoint_create(
        actor=tenant.owner,
        url="https://x.example.org/",
        description="",
        event_types=["feedback.given"],
    )
    with pytest.raises(WebhookVerificationError):
        Webhook(other.secret).verify(sent.body, sent.headers)
    endpoint = WebhookEndpoint.objects.first()
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(sent.body.replace(b"at_risk", b"started"), sent.headers)


def test_failures_are_retried_with_growing_waits_until_they_give_up(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    with receiver() as ours:
        ours.statuses = [500] * MAX_ATTEMPTS
        _endpoint(tenant, ours.url)
        with django_capture_on_commit_callbacks(execute=True):
            event_record(organisation=tenant.organisation, kind=EventKind.MENTORSHIP_STARTED)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == WebhookDelivery.Status.RETRYING
        waits = [delivery.next_attempt_at - timezone.now()]
        for _ in range(MAX_ATTEMPTS - 1):
            # Not due yet: the periodic job leaves it alone.
            webhook_retries(timezone.now())
            assert WebhookDelivery.objects.get().attempts == delivery.attempts
            # Due: the job queues it (the tests' immediate backend runs it at once).
            with freeze_time(delivery.next_attempt_at + dt.timedelta(seconds=1)):
                webhook_retries(timezone.now())
                delivery.refresh_from_db()
                if delivery.next_attempt_at:
                    waits.append(delivery.next_attempt_at - timezone.now())
        assert len(ours.received) == MAX_ATTEMPTS
        assert all(r.headers["webhook-id"] == delivery.message_id for r in ours.received)
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.next_attempt_at is None
    # The wait after each failed attempt: 30 s, then four times longer each time.
    assert [round(w.total_seconds() / 30) for w in waits] == [1, 4, 16, 64, 256, 1024]
    assert [a.status_code for a in delivery.attempt_log.all()] == [500] * MAX_ATTEMPTS
    assert "answered 500" in delivery.attempt_log.first().error


def test_an_unreachable_receiver_is_logged_and_retried(tenant: Tenant) -> None:
    with receiver() as gone:
        url = gone.url
    endpoint = _endpoint(tenant, url)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_x", event_type="mentorship.started", payload={}
    )
    webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.RETRYING
    assert delivery.attempt_log.get().error.startswith("Could not deliver")
    # Held by an attempt (or not yet due): a second worker does not send it again.
    assert webhook_delivery_attempt(delivery_id=delivery.pk) is None


def test_the_owner_replays_a_failed_delivery_with_the_same_id(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    with receiver() as ours:
        endpoint = _endpoint(tenant, ours.url)
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            message_id="msg_replay",
            event_type="mentorship.started",
            payload={"type": "mentorship.started", "data": {"n": 1}},
            status=WebhookDelivery.Status.FAILED,
            attempts=MAX_ATTEMPTS,
        )
        with django_capture_on_commit_callbacks(execute=True):
            webhook_delivery_replay(delivery=delivery, actor=tenant.owner)
        assert [r.headers["webhook-id"] for r in ours.received] == ["msg_replay"]
        assert json.loads(ours.received[0].body)["data"] == {"n": 1}
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED


def test_only_owners_replay(tenant: Tenant) -> None:
    from django.core.exceptions import PermissionDenied

    endpoint = _endpoint(tenant, "https://hooks.example.org/")
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_y", event_type="mentorship.started", payload={}
    )
    with pytest.raises(PermissionDenied):
        webhook_delivery_replay(delivery=delivery, actor=tenant.manager)


def test_a_meeting_held_reaches_the_subscribers_once(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    from openmentor.core.models import Event
    from openmentor.mentorships.activity import ActivityKind, activity_record
    from tests.scenarios import active_mentorship

    mentorship = active_mentorship(tenant.organisation)
    with receiver() as ours:
        _endpoint(tenant, ours.url, [EventKind.MEETING_HELD])
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(2):  # reported twice (a retried task, a second worker)
                activity_record(
                    mentorship=mentorship,
                    kind=ActivityKind.MEETING_HELD,
                    key="outcome:meeting:77",
                    data={"meeting": 77, "source": "call"},
                )
        assert len(ours.received) == 1
        body = json.loads(ours.received[0].body)
        assert body["type"] == "meeting.held"
        assert body["data"]["mentorship"] == mentorship.pk
        assert body["data"]["meeting"] == 77 and body["data"]["source"] == "call"
    assert Event.objects.filter(kind=EventKind.MEETING_HELD).count() == 1


def test_a_mentorship_at_risk_reaches_the_subscribers_once(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    from openmentor.mentorships.activity import ActivityKind, activity_record
    from tests.scenarios import active_mentorship

    mentorship = active_mentorship(tenant.organisation)
    with receiver() as ours:
        _endpoint(tenant, ours.url, [EventKind.MENTORSHIP_AT_RISK])
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(2):
                activity_record(
                    mentorship=mentorship,
                    kind=ActivityKind.MANAGER_ALERTED,
                    key=f"alert:quiet:{mentorship.pk}:2026-11-01",
                    data={"reason": "quiet"},
                )
        assert len(ours.received) == 1
        body = json.loads(ours.received[0].body)
        assert body["type"] == "mentorship.at_risk"
        assert body["data"]["mentorship"] == mentorship.pk
        assert body["data"]["reason"] == "quiet"
