"""The one place where domain events are recorded."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from openmentor.core.models import Event


def event_record(
    *,
    organisation: Model,
    kind: str,
    actor: Model | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Records that `kind` happened in `organisation` (an Organisation), by `actor` (a User).

    Typed as models only: core is the foundation and imports no other app.
    """
    return Event.objects.create(
        organisation_id=organisation.pk,
        actor_id=actor.pk if actor is not None else None,
        kind=kind,
        data=data or {},
    )
