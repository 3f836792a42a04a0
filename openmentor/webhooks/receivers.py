from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from openmentor.core.events import event_recorded
from openmentor.core.models import Event
from openmentor.webhooks.services import deliveries_for_event


@receiver(event_recorded, sender=Event, dispatch_uid="webhooks.deliveries_for_event")
def _deliveries_for_event(sender: type[Event], event: Event, **kwargs: Any) -> None:
    deliveries_for_event(event=event)
