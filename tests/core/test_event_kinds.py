"""Domain events are recorded with one of the kinds in core.events.EventKind."""

from __future__ import annotations

from typing import Any, cast

import pytest

from openmentor.core.events import EventKind, event_record
from openmentor.core.models import Event
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def test_an_unknown_kind_is_refused_and_nothing_is_written(tenant: Tenant) -> None:
    with pytest.raises(ValueError, match="made.up"):
        event_record(organisation=tenant.organisation, kind=cast(Any, "made.up"))
    assert not Event.objects.filter(kind="made.up").exists()


def test_a_known_kind_is_stored_as_its_value(tenant: Tenant) -> None:
    event = event_record(
        organisation=tenant.organisation, kind=EventKind.PROGRAMME_UPDATED, data={"a": 1}
    )
    event.refresh_from_db()
    assert (event.kind, event.data, event.organisation_id) == (
        "programme.updated",
        {"a": 1},
        tenant.organisation.pk,
    )
