"""EpochSeconds reads a datetime column as whole seconds since 1970, the same on SQLite and
PostgreSQL and the same as Python's own floor of `timestamp()`."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from openmentor.core.dbfunctions import EpochSeconds
from openmentor.core.models import Event
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

MOMENTS = [
    dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=dt.UTC),  # just before a DST change
    dt.datetime(
        2026, 12, 3, 13, 45, 30, 500000, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))
    ),
    dt.datetime(2038, 1, 19, 3, 14, 8, tzinfo=dt.UTC),  # past 32-bit seconds
]


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.isoformat())
def test_epoch_seconds_match_python(moment: dt.datetime, tenant: Tenant) -> None:
    event = Event.objects.create(organisation=tenant.organisation, kind="test.moment", data={})
    Event.objects.filter(pk=event.pk).update(created_at=moment)
    seconds = (
        Event.objects.filter(pk=event.pk)
        .annotate(seconds=EpochSeconds("created_at"))
        .values_list("seconds", flat=True)
        .get()
    )
    assert seconds == math.floor(moment.timestamp())
