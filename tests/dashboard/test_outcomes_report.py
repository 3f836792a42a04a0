"""Outcomes: match score band against early endings, with bounded queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from openmentor.dashboard import reports
from openmentor.mentorships.models import Mentorship
from tests.conftest import Tenant
from tests.factories import MentorshipFactory
from tests.matching.helpers import manager_client, url
from tests.scenarios import enrolling_programme

pytestmark = pytest.mark.django_db


def test_bands_count_early_endings_by_reason(
    tenant: Tenant, django_assert_max_num_queries: Any
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=10, mentees=30)
    now = timezone.now()
    for i, enrolment in enumerate(scenario.mentees):
        ended = i % 3 == 0
        MentorshipFactory(
            programme=scenario.programme,
            mentee=enrolment.user,
            mentor=scenario.mentors[i % 10].user,
            match_score=0.3 if i < 15 else 0.9,
            status=Mentorship.Status.ENDED if ended else Mentorship.Status.ACTIVE,
            started_at=now - dt.timedelta(days=100),
            ended_at=now - dt.timedelta(days=50) if ended else None,
            end_reason="chemistry" if ended else "",
        )
    outcomes = reports.matching_outcomes(programme=scenario.programme)
    low, _, _, high = outcomes.bands
    assert (low.mentorships, low.ended_early, low.early_by_reason) == (15, 5, {"chemistry": 5})
    assert high.mentorships == 15 and not outcomes.feedback_collected
    client = manager_client(scenario)
    with django_assert_max_num_queries(12):
        page = client.get(url("matching_outcomes", scenario.programme))
    html = page.content.decode()
    assert "No feedback collected yet." in html and "<svg" in html


def test_feedback_provider_plugs_in(tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    made = MentorshipFactory(
        programme=scenario.programme,
        mentee=scenario.mentees[0].user,
        mentor=scenario.mentors[0].user,
        match_score=0.85,
    )
    monkeypatch.setattr(reports, "feedback_ratings_provider", lambda p: {made.pk: 4.5})
    outcomes = reports.matching_outcomes(programme=scenario.programme)
    assert outcomes.feedback_collected and outcomes.bands[3].mean_rating == 4.5
