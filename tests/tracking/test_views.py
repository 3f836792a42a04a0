"""The ladder's settings and "away until": bad input is refused with a message and writes
nothing; each page is scoped to its organisation and role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openmentor.people.models import Profile
from openmentor.tracking.models import TrackingSettings
from tests.conftest import Tenant, client_for
from tests.scenarios import active_mentorship

GOOD = {
    "first_nudge_factor": "1.5",
    "second_nudge_factor": "3",
    "third_nudge_factor": "5",
    "close_after_days": "90",
    "warning_days": "7",
    "pulse_first_day": "30",
    "pulse_every_days": "60",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"second_nudge_factor": "1.2"}, "The second nudge must come after the first."),
        ({"first_nudge_factor": "0.5"}, "The first nudge comes after one cadence at least."),
        ({"close_after_days": "5"}, "Enter 0 (never) or from 14 to 730 days."),
        ({"warning_days": "40"}, "Enter from 1 to 30 days."),
        ({"pulse_every_days": "3"}, "Enter from 14 to 365 days."),
        ({"third_nudge_factor": "lots"}, "Enter a number."),
    ],
)
def test_bad_settings_are_refused_at_the_field(
    tenant: Tenant, change: dict[str, str], message: str
) -> None:
    m = active_mentorship(tenant.organisation)
    url = reverse("tracking_settings", args=[tenant.organisation.slug, m.programme.slug])
    page = client_for(tenant.manager).post(url, {**GOOD, **change})
    assert page.status_code == 400
    assert message in page.content.decode()
    assert not TrackingSettings.objects.exists()


def test_settings_are_saved_for_managers_only(tenant: Tenant, other_tenant: Tenant) -> None:
    m = active_mentorship(tenant.organisation, mentee=tenant.participant)
    url = reverse("tracking_settings", args=[tenant.organisation.slug, m.programme.slug])
    assert client_for(tenant.participant).post(url, GOOD).status_code == 403
    assert client_for(other_tenant.manager).post(url, GOOD).status_code == 404
    assert (
        client_for(tenant.manager).post(url, {**GOOD, "close_after_days": "0"}).status_code == 302
    )
    assert TrackingSettings.objects.get(programme=m.programme).close_after_days == 0


def test_away_until_is_set_checked_and_cleared(tenant: Tenant) -> None:
    active_mentorship(tenant.organisation, mentor=tenant.participant)
    client = client_for(tenant.participant)
    url = reverse("away", args=[tenant.organisation.slug])
    today = timezone.localdate()
    past = client.post(url, {"away_until": str(today - dt.timedelta(days=1))})
    assert past.status_code == 400 and "Choose today or a later date." in past.content.decode()
    far = client.post(url, {"away_until": str(today + dt.timedelta(days=400))})
    assert "Choose a date within a year." in far.content.decode()
    assert client.post(url, {"away_until": "soon"}).status_code == 400
    profile = Profile.objects.get(organisation=tenant.organisation, user=tenant.participant.user)
    assert profile.away_until is None
    assert client.post(url, {"away_until": str(today + dt.timedelta(days=20))}).status_code == 302
    profile.refresh_from_db()
    assert profile.away_until == today + dt.timedelta(days=20)
    assert client.post(url, {"away_until": ""}).status_code == 302
    profile.refresh_from_db()
    assert profile.away_until is None


def test_an_away_mentor_gets_no_new_mentee_from_matching(tenant: Tenant) -> None:
    from openmentor.matching.problem import build_problem
    from tests.scenarios import enrolling_programme

    scenario = enrolling_programme(tenant.organisation, mentors=2, mentees=2)
    away = scenario.mentors[0].user
    Profile.objects.filter(user=away).update(away_until=timezone.localdate() + dt.timedelta(days=5))
    built = build_problem(programme=scenario.programme)
    capacity = {m["id"]: m["capacity"] for m in built.data["mentors"]}
    assert capacity[f"u{away.pk}"] == 0
    assert capacity[f"u{scenario.mentors[1].user_id}"] > 0
