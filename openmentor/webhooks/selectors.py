from __future__ import annotations

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from openmentor.organisations.models import Organisation
from openmentor.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def webhook_endpoints(*, organisation: Organisation) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organisation=organisation).annotate(
        delivery_count=Count("deliveries")
    )


def webhook_endpoint_in(*, organisation: Organisation, endpoint_id: int) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, organisation=organisation, pk=endpoint_id)


def webhook_deliveries(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return endpoint.deliveries.all()


def webhook_delivery_in(*, organisation: Organisation, delivery_id: int) -> WebhookDelivery:
    return get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint"),
        endpoint__organisation=organisation,
        pk=delivery_id,
    )


def webhook_attempts(*, delivery: WebhookDelivery) -> QuerySet[WebhookAttempt]:
    return delivery.attempt_log.all()
