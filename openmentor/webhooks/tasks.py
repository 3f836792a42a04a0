"""Background sending of webhook deliveries (django-tasks) and their retries."""

from __future__ import annotations

from datetime import datetime

from django_tasks import task

from openmentor.core.scheduler import periodic


@task()
def webhook_deliver(*, delivery_id: int) -> None:
    """One attempt at sending a delivery; see services.webhook_delivery_attempt."""
    from openmentor.webhooks.services import webhook_delivery_attempt

    webhook_delivery_attempt(delivery_id=delivery_id)


@periodic("webhooks.retry")
def webhook_retries(minute: datetime) -> None:
    """Queues the deliveries whose wait before the next attempt is over."""
    from openmentor.webhooks.services import deliveries_due

    for delivery_id in deliveries_due(now=minute):
        webhook_deliver.enqueue(delivery_id=delivery_id)
