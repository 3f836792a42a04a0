"""The one place where domain events are recorded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openmentor.core.models import Event

if TYPE_CHECKING:
    from openmentor.accounts.models import User
    from openmentor.organisations.models import Organisation


def event_record(
    *,
    organisation: Organisation,
    kind: str,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    return Event.objects.create(organisation=organisation, actor=actor, kind=kind, data=data or {})
