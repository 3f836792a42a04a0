"""Every page that shows a meeting's time shows the same local time as the meeting page,
for people in several timezones: a half-hour offset, and a meeting after a DST change."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from openmentor.meetings.models import Meeting
from openmentor.people.models import Profile
from tests.conftest import Tenant, client_for
from tests.meetings.helpers import make_meeting
from tests.scenarios import active_mentorship

pytestmark = pytest.mark.django_db


def _after_next_dst_change(zone: str) -> dt.datetime:
    """14:10 UTC two days after the next clock change in `zone` (so the offset on the
    meeting day differs from today's)."""
    tz = ZoneInfo(zone)
    now = timezone.now()
    today = now.astimezone(tz).utcoffset()
    for days in range(1, 370):
        day = now + dt.timedelta(days=days)
        if day.astimezone(tz).utcoffset() != today:
            return (day + dt.timedelta(days=2)).replace(hour=14, minute=10, second=0, microsecond=0)
    raise AssertionError(f"{zone} has no clock change within a year")


def _in_three_days() -> dt.datetime:
    # 14:10 UTC is the next day in Adelaide (00:40) and 19:40 in Kolkata.
    soon = timezone.now() + dt.timedelta(days=3)
    return soon.replace(hour=14, minute=10, second=0, microsecond=0)


CASES = [
    ("Australia/Adelaide", _in_three_days),  # +10:30 / +9:30
    ("Asia/Kolkata", _in_three_days),  # +5:30
    ("America/New_York", lambda: _after_next_dst_change("America/New_York")),
    ("Europe/Berlin", lambda: _after_next_dst_change("Europe/Berlin")),
]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(("zone", "when"), CASES, ids=[c[0] for c in CASES])
def test_every_page_shows_the_meeting_at_the_time_of_the_meeting_page(
    tenant: Tenant, zone: str, when: object
) -> None:
    mentorship = active_mentorship(tenant.organisation, mentor=tenant.participant)
    Profile.objects.filter(organisation=tenant.organisation, user=tenant.participant.user).update(
        timezone=zone
    )
    starts = when()  # type: ignore[operator]
    meeting = make_meeting(mentorship, starts, status=Meeting.Status.ACCEPTED)
    local = starts.astimezone(ZoneInfo(zone))
    # What the meeting page says, and what the other pages must agree with.
    day = f"{local:%A} {local.day} {local:%B}"
    clock = f"{local:%H:%M}"
    assert clock != f"{starts:%H:%M}"  # else the test could not tell the zones apart

    client = client_for(tenant.participant)
    base = f"/o/{tenant.organisation.slug}/mentorships/{mentorship.pk}/meetings/"
    detail = _text(client.get(f"{base}{meeting.pk}/").content.decode())
    assert f"Meeting on {day} {local.year}" in detail
    assert f"{clock}–" in detail and zone in detail

    pages = {
        "home": f"/o/{tenant.organisation.slug}/",
        "meetings": base,
        "reschedule": f"{base}{meeting.pk}/reschedule/",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        body = _text(response.content.decode())
        assert f"{day}" in body and f"{clock}" in body, f"{name} disagrees with the meeting page"
        assert re.search(rf"{day}( {local.year})?, {clock}", body), name
        assert zone in body, f"{name} does not say which timezone"
