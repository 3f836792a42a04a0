"""Walk makers for the webhook pages."""

from __future__ import annotations

from typing import Any

from openmentor.webhooks.models import WebhookDelivery, WebhookEndpoint
from openmentor.webhooks.services import new_secret


def endpoint_id(organisation: Any, values: dict[str, Any]) -> int:
    return WebhookEndpoint.objects.create(
        organisation=organisation,
        url="https://hooks.example.org/openmentor",
        event_types=["mentorship.started"],
        secret=new_secret(),
    ).pk


def delivery_id(organisation: Any, values: dict[str, Any]) -> int:
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id(organisation, values))
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id=f"msg_walk_{endpoint.pk}",
        event_type="mentorship.started",
        payload={"type": "mentorship.started", "data": {}},
        status=WebhookDelivery.Status.FAILED,
    ).pk


MAKERS = {"endpoint_id": endpoint_id, "delivery_id": delivery_id}
