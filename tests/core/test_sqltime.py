"""The SQL moment arithmetic gives what Python gives, on SQLite and PostgreSQL alike: a
moment just before midnight on Sunday stays in its week, the last microsecond of a month
in its month, and a raw moment reads back unchanged."""

from __future__ import annotations

import datetime as dt

import pytest

from openmentor.core.models import Event
from openmentor.core.sqltime import (
    MonthIndex,
    RawMoment,
    WeekIndex,
    moment,
    month_index,
    week_index,
)
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

MOMENTS = [
    dt.datetime(2026, 3, 29, 23, 59, 59, 999999, tzinfo=dt.UTC),  # a Sunday's last instant
    dt.datetime(2026, 3, 30, 0, 0, tzinfo=dt.UTC),  # the Monday after
    dt.datetime(2026, 1, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),  # a month's last instant
    # 00:30 on 1 December in Kolkata is still November in UTC.
    dt.datetime(2026, 12, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
    dt.datetime(2038, 1, 19, 3, 14, 8, tzinfo=dt.UTC),  # past 32-bit seconds
]


@pytest.mark.parametrize("at", MOMENTS, ids=lambda m: m.isoformat())
def test_weeks_months_and_raw_moments_match_python(at: dt.datetime, tenant: Tenant) -> None:
    event = Event.objects.create(organisation=tenant.organisation, kind="test.moment", data={})
    Event.objects.filter(pk=event.pk).update(created_at=at)
    week, month, raw = (
        Event.objects.filter(pk=event.pk)
        .values_list(WeekIndex("created_at"), MonthIndex("created_at"), RawMoment("created_at"))
        .get()
    )
    utc_day = at.astimezone(dt.UTC).date()
    assert week == week_index(utc_day)
    assert month == month_index(utc_day)
    assert moment(raw) == at
