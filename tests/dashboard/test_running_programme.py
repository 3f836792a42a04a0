"""The lifecycle phases of tests.scenarios, read back through the pages people see."""

from __future__ import annotations

import pytest

from openmentor.dashboard import reports
from openmentor.mentorships.models import Mentorship
from tests.conftest import Tenant, client_for
from tests.matching.helpers import manager_client, url
from tests.scenarios import matched_programme, running_programme

pytestmark = pytest.mark.django_db


def test_a_matched_programme_has_one_proposed_pair_a_mentee(tenant: Tenant) -> None:
    scenario = matched_programme(tenant.organisation, mentors=2, mentees=3)
    pairs = Mentorship.objects.filter(programme=scenario.programme)
    assert pairs.count() == 3
    assert set(pairs.values_list("status", flat=True)) == {Mentorship.Status.PROPOSED}
    assert {e.user_id for e in scenario.mentees} == set(pairs.values_list("mentee_id", flat=True))


def test_the_outcomes_report_of_a_running_programme_shows_its_ratings(tenant: Tenant) -> None:
    scenario = running_programme(tenant.organisation, mentors=2, mentees=5, rating=4)
    outcomes = reports.matching_outcomes(programme=scenario.programme)
    band = next(b for b in outcomes.bands if b.mentorships)
    assert (band.mentorships, band.ended_early, band.shown_rating) == (5, 0, 4.0)
    page = manager_client(scenario).get(url("matching_outcomes", scenario.programme))
    assert page.status_code == 200 and "4.0 / 5" in page.content.decode()


def test_a_member_of_a_running_pair_sees_it_on_their_home(tenant: Tenant) -> None:
    scenario = running_programme(tenant.organisation, mentors=1, mentees=1, meetings_held=2)
    mentee = scenario.mentees[0]
    membership = tenant.organisation.memberships.get(user=mentee.user)
    page = client_for(membership).get(f"/o/{tenant.organisation.slug}/")
    assert page.status_code == 200
    assert scenario.mentors[0].user.name in page.content.decode()
    assert len(scenario.meetings) == 2 and all(
        m.starts_at < m.created_at for m in scenario.meetings
    )
