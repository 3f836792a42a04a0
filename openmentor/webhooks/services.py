"""Writes of webhooks: an owner's endpoints, the deliveries a domain event makes, each
attempt at sending one, and an owner's replay."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import secrets
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from openmentor.core import outbound
from openmentor.core.models import Event
from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.webhooks.constants import (
    EVENT_TYPES,
    MAX_ATTEMPTS,
    MAX_ENDPOINTS,
    retry_delay_seconds,
)
from openmentor.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

# How long one attempt holds its delivery: a second worker leaves it alone meanwhile.
ATTEMPT_LEASE = dt.timedelta(minutes=2)


def _require_owner(actor: Membership, organisation_id: int) -> None:
    if actor.organisation_id != organisation_id or actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner of the organisation manages its webhooks.")


def target_check(url: str) -> str:
    """The URL as it will be stored, or ValidationError saying why it may not be called.

    What can be told without DNS is told here; the resolved address is checked again at
    every attempt (outbound.resolve), since a host name's answer can change."""
    try:
        outbound.url_check(url)
    except outbound.TargetRefused as error:
        raise ValidationError({"url": str(error)}) from error
    host = urlsplit(url.strip()).hostname or ""
    if not settings.OUTBOUND_ALLOW_PRIVATE_TARGETS:
        if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
            raise ValidationError({"url": "Local host names cannot receive webhooks."})
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            if not outbound.address_is_public(host):
                raise ValidationError(
                    {"url": f"{host} is a loopback, link-local or private address."}
                )
    return url.strip()


def _event_types_check(event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        raise ValidationError({"event_types": f"Unknown event types: {', '.join(unknown)}."})
    if not event_types:
        raise ValidationError({"event_types": "Choose at least one event."})
    return [t for t in EVENT_TYPES if t in event_types]


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@transaction.atomic
def webhook_endpoint_create(
    *, actor: Membership, url: str, description: str, event_types: list[str]
) -> WebhookEndpoint:
    """Subscribes `url` to `event_types` for the actor's organisation, with a new secret."""
    _require_owner(actor, actor.organisation_id)
    if (
        WebhookEndpoint.objects.filter(organisation_id=actor.organisation_id).count()
        >= MAX_ENDPOINTS
    ):
        raise ValidationError(f"An organisation has at most {MAX_ENDPOINTS} webhook endpoints.")
    if len(description) > 200:
        raise ValidationError({"description": "Keep the description under 200 characters."})
    return WebhookEndpoint.objects.create(
        organisation_id=actor.organisation_id,
        url=target_check(url),
        description=description.strip(),
        event_types=_event_types_check(event_types),
        secret=new_secret(),
        created_by=actor.user,
    )


@transaction.atomic
def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, actor: Membership, event_types: list[str], active: bool
) -> None:
    """Changes what the endpoint receives, or pauses it (paused: no new deliveries)."""
    _require_owner(actor, endpoint.organisation_id)
    endpoint.event_types = _event_types_check(event_types)
    endpoint.active = active
    endpoint.save(update_fields=["event_types", "active"])


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: Membership) -> None:
    _require_owner(actor, endpoint.organisation_id)
    endpoint.delete()


# --- deliveries -----------------------------------------------------------------------


def payload_for(event: Event, organisation: Organisation) -> dict[str, Any]:
    """The Standard Webhooks payload: type, timestamp and the event's data."""
    return {
        "type": event.kind,
        "timestamp": event.created_at.isoformat(),
        "data": {"organisation": organisation.slug, "event_id": event.pk, **event.data},
    }


def deliveries_for_event(*, event: Event) -> list[WebhookDelivery]:
    """Queues one delivery to each active endpoint of the event's organisation that
    subscribed to its type; the sending starts once the event's transaction commits."""
    if event.kind not in EVENT_TYPES:
        return []
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(
            organisation_id=event.organisation_id, active=True
        ).select_related("organisation")
        if event.kind in e.event_types
    ]
    deliveries = []
    for endpoint in endpoints:
        deliveries.append(
            WebhookDelivery.objects.create(
                endpoint=endpoint,
                event=event,
                message_id="msg_" + secrets.token_urlsafe(18),
                event_type=event.kind,
                payload=payload_for(event, endpoint.organisation),
            )
        )
    ids = [d.pk for d in deliveries]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return deliveries


def _enqueue(delivery_ids: list[int]) -> None:
    from openmentor.webhooks.tasks import webhook_deliver

    for delivery_id in delivery_ids:
        webhook_deliver.enqueue(delivery_id=delivery_id)


def signed_headers(
    endpoint: WebhookEndpoint, delivery: WebhookDelivery, body: str
) -> dict[str, str]:
    """The three Standard Webhooks headers, signed for this moment."""
    now = timezone.now()
    signature = Webhook(endpoint.secret).sign(msg_id=delivery.message_id, timestamp=now, data=body)
    return {
        "Content-Type": "application/json",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Takes the delivery for one attempt unless it is delivered, given up, or another
    attempt holds it."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=delivery_id,
        status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
    ).update(next_attempt_at=now + ATTEMPT_LEASE)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def webhook_delivery_attempt(*, delivery_id: int) -> WebhookDelivery | None:
    """Sends the delivery once. A 2xx answer delivers it; anything else (another status,
    a refused target, a network error) is logged and retried after a growing wait, until
    MAX_ATTEMPTS have failed."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True)
    status_code: int | None = None
    error = ""
    excerpt = ""
    duration = 0
    try:
        response = outbound.post(
            endpoint.url, body=body.encode(), headers=signed_headers(endpoint, delivery, body)
        )
    except outbound.TargetRefused as refused:
        error = f"Refused: {refused}"
    except OSError as failure:
        error = f"Could not deliver: {failure}"[:500]
    else:
        status_code, excerpt, duration = (
            response.status,
            response.body_excerpt,
            response.duration_ms,
        )
        if not 200 <= status_code < 300:
            error = f"The receiver answered {status_code}."
    now = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            status_code=status_code,
            error=error[:500],
            response_excerpt=excerpt,
            duration_ms=duration,
        )
        delivery.attempts += 1
        if not error:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.status = WebhookDelivery.Status.RETRYING
            delivery.next_attempt_at = now + dt.timedelta(
                seconds=retry_delay_seconds(delivery.attempts)
            )
        delivery.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at"])
    return delivery


def deliveries_due(*, now: dt.datetime) -> list[int]:
    """Deliveries whose retry is due (or whose first send was lost with its worker)."""
    return list(
        WebhookDelivery.objects.filter(
            Q(status=WebhookDelivery.Status.RETRYING, next_attempt_at__lte=now)
            | Q(
                status=WebhookDelivery.Status.PENDING,
                next_attempt_at__isnull=True,
                created_at__lte=now - ATTEMPT_LEASE,
            )
            | Q(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        ).values_list("pk", flat=True)[:500]
    )


@transaction.atomic
def webhook_delivery_replay(*, delivery: WebhookDelivery, actor: Membership) -> None:
    """Sends a delivery again now, with the same message id, whatever became of it."""
    _require_owner(actor, delivery.endpoint.organisation_id)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=None, delivered_at=None
    )
    delivery_id = delivery.pk
    transaction.on_commit(lambda: _enqueue([delivery_id]))
