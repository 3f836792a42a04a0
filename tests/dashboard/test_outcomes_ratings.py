"""Feedback ratings in the outcomes report (means per score band, only over 5 rated
mentorships) and the score distribution on the proposal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from openmentor.dashboard import reports
from openmentor.feedback.models import MentorshipRating
from openmentor.matching import selectors
from openmentor.matching.models import MatchingRun
from openmentor.mentorships.models import Mentorship
from tests.conftest import Tenant
from tests.factories import MatchingRunFactory, MentorshipFactory
from tests.matching.helpers import manager_client, url
from tests.scenarios import EnrollingProgramme, enrolling_programme

pytestmark = pytest.mark.django_db


def rated(scenario: EnrollingProgramme, i: int, score: float, *ratings: int) -> Mentorship:
    mentorship = MentorshipFactory(
        programme=scenario.programme,
        mentee=scenario.mentees[i].user,
        mentor=scenario.mentors[i % len(scenario.mentors)].user,
        match_score=score,
        status=Mentorship.Status.ACTIVE,
        started_at=timezone.now() - dt.timedelta(days=60),
    )
    authors = [mentorship.mentee, mentorship.mentor]
    for n, value in enumerate(ratings):
        MentorshipRating.objects.create(
            mentorship=mentorship,
            author=authors[n % 2],
            moment="checkin" if n < 2 else "ending",
            rating=value,
        )
    return mentorship


def test_means_per_band_only_over_five_rated_mentorships(
    tenant: Tenant, django_assert_max_num_queries: Any
) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=10, mentees=40)
    for i in range(30):  # high band: 30 rated mentorships, mean of means 4.0
        rated(scenario, i, 0.9, 5, 3) if i % 2 else rated(scenario, i, 0.9, 4)
    for i in range(30, 34):  # low band: only 4 rated mentorships
        rated(scenario, i, 0.3, 1, 1)
    for i in range(34, 40):  # 60-80 band: unrated
        rated(scenario, i, 0.7)
    outcomes = reports.matching_outcomes(programme=scenario.programme)
    low, middle, upper, high = outcomes.bands
    assert outcomes.feedback_collected
    assert high.shown_rating == pytest.approx(4.0)
    assert low.mean_rating == 1.0 and low.shown_rating is None
    assert upper.shown_rating is None and middle.shown_rating is None
    client = manager_client(scenario)
    client.get("/")  # log in before counting
    with django_assert_max_num_queries(13):
        page = client.get(url("matching_outcomes", scenario.programme))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Mean feedback rating, by match score" in html
    assert "80 % and over: 4.0 / 5" in html
    assert "under 40 %: too few to show" in html
    # The 4 low-band mentorships' mean (1.0) is never on the page.
    assert "1.0 / 5" not in html


def test_other_programmes_ratings_are_not_mixed_in(tenant: Tenant, other_tenant: Tenant) -> None:
    ours = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    theirs = enrolling_programme(other_tenant.organisation, mentors=5, mentees=6)
    for i in range(6):
        rated(theirs, i, 0.9, 2)
    other_here = enrolling_programme(tenant.organisation, mentors=5, mentees=6)
    for i in range(6):
        rated(other_here, i, 0.9, 2)
    outcomes = reports.matching_outcomes(programme=ours.programme)
    assert not outcomes.feedback_collected
    assert (
        "No feedback collected yet."
        in manager_client(ours).get(url("matching_outcomes", ours.programme)).content.decode()
    )


def test_proposal_shows_the_spread_of_match_scores(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=2, mentees=4)
    matches = [
        {"mentee": f"u{e.user_id}", "mentor": f"u{scenario.mentors[0].user_id}", "score": s}
        for e, s in zip(scenario.mentees, [0.2, 0.5, 0.85, 0.95], strict=True)
    ]
    run = MatchingRunFactory(
        programme=scenario.programme,
        status=MatchingRun.Status.DONE,
        result={"version": 1, "matches": matches, "unmatched": [], "objective": {}},
    )
    proposal = selectors.proposal_for(run=run)
    assert "Match scores of the proposed pairs" in proposal.score_chart
    page = manager_client(scenario).get(url("matching_run", scenario.programme, run.pk))
    html = page.content.decode()
    assert page.status_code == 200
    chart = html.split("Match scores of the proposed pairs", 1)[1].split("</svg>", 1)[0]
    assert "under 40 %: 1 pair" in chart and "40–60 %: 1 pair" in chart
    assert "60–80 %: 0 pairs" in chart and "80 % and over: 2 pairs" in chart
    # Above the pairs table.
    assert html.index("Match scores of the proposed pairs") < html.index('<th scope="col">Mentee')
