"""The engine fills a group programme's circles: each mentee in at most one circle, the
one that suits them, within each circle's places; never one they lead."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openmentor.matching.problem_circles import build_circle_problem
from openmentor.matching.services.circles import circles_fill
from openmentor.mentorships.models import Mentorship, MentorshipMember
from openmentor.mentorships.services import circles
from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment
from tests.conftest import Tenant, client_for
from tests.mentorships.circles import group_programme
from tests.scenarios import enrolling_programme

pytestmark = pytest.mark.django_db


def _wants(scenario_org: int, user_id: int, skills: list[str]) -> None:
    Profile.objects.filter(organisation_id=scenario_org, user_id=user_id).update(
        skills_wanted=skills, goals=""
    )


def _offers(scenario_org: int, user_id: int, skills: list[str]) -> None:
    Profile.objects.filter(organisation_id=scenario_org, user_id=user_id).update(
        skills_offered=skills, bio=""
    )


@pytest.fixture
def two_circles(tenant: Tenant):  # type: ignore[no-untyped-def]
    scenario = group_programme(tenant.organisation, mentors=2, mentees=6)
    org = tenant.organisation.pk
    _offers(org, scenario.mentors[0].user_id, ["python"])
    _offers(org, scenario.mentors[1].user_id, ["design"])
    for i, e in enumerate(scenario.mentees):
        _wants(org, e.user_id, ["python"] if i < 4 else ["design"])
    made = [
        circles.circle_create(
            programme=scenario.programme,
            manager=scenario.manager,
            topic=topic,
            capacity=capacity,
            mentors=[scenario.mentors[i].user],
            mentees=[],
        )
        for i, (topic, capacity) in enumerate([("Python", 3), ("Design", 3)])
    ]
    return scenario, made


def test_mentees_join_the_circle_of_their_topic_within_its_places(two_circles) -> None:  # type: ignore[no-untyped-def]
    scenario, (python, design) = two_circles
    filled = circles_fill(programme=scenario.programme, manager=scenario.manager)
    assert (filled.placed, filled.unplaced, filled.skipped) == (6, 0, 0)
    rows = MentorshipMember.objects.filter(role="mentee", left_at__isnull=True)
    per_mentee = Counter(r.user_id for r in rows)
    assert set(per_mentee.values()) == {1}, "each mentee in one circle"
    per_circle = Counter(r.mentorship_id for r in rows)
    assert per_circle == {python.pk: 3, design.pk: 3}, "places respected"
    in_design = {r.user_id for r in rows if r.mentorship_id == design.pk}
    # the two who want design are in it; the python circle is full, so one more joins it
    assert {e.user_id for e in scenario.mentees[4:]} <= in_design
    with pytest.raises(ValidationError, match="No circle has a free place"):
        circles_fill(programme=scenario.programme, manager=scenario.manager)
    Mentorship.objects.filter(pk=python.pk).update(capacity=4)
    with pytest.raises(ValidationError, match="Every active mentee is already in a circle"):
        circles_fill(programme=scenario.programme, manager=scenario.manager)


def test_nobody_is_placed_in_a_circle_they_lead(tenant: Tenant) -> None:
    scenario = group_programme(tenant.organisation, mentors=1, mentees=2)
    leader = scenario.mentees[0].user  # a mentee of the programme who also leads a circle
    Enrolment.objects.create(programme=scenario.programme, user=leader, role="mentor")
    own = circles.circle_create(
        programme=scenario.programme,
        manager=scenario.manager,
        topic="Leading",
        capacity=5,
        mentors=[leader],
    )
    built = build_circle_problem(programme=scenario.programme)
    assert [c["mentors"] for c in built.data["circles"]] == [[f"u{leader.pk}"]]
    filled = circles_fill(programme=scenario.programme, manager=scenario.manager)
    assert filled.placed == 1 and filled.unplaced == 1
    assert set(
        MentorshipMember.objects.filter(mentorship=own, role="mentee").values_list(
            "user_id", flat=True
        )
    ) == {scenario.mentees[1].user_id}


def test_filling_needs_circles_with_room_a_group_programme_and_a_manager(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    scenario = group_programme(tenant.organisation, mentors=1, mentees=2)
    with pytest.raises(ValidationError, match="No circle has a free place"):
        circles_fill(programme=scenario.programme, manager=scenario.manager)
    pairs = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    with pytest.raises(ValidationError, match="group programmes"):
        circles_fill(programme=pairs.programme, manager=scenario.manager)
    for outsider in (tenant.participant, other_tenant.manager):
        with pytest.raises(PermissionDenied):
            circles_fill(programme=scenario.programme, manager=outsider)
    assert not MentorshipMember.objects.exists()


def test_the_fill_button_places_mentees_and_says_how_many(two_circles, tenant: Tenant) -> None:  # type: ignore[no-untyped-def]
    scenario, _ = two_circles
    url = f"/o/{tenant.organisation.slug}/programmes/{scenario.programme.slug}/matching/circles/"
    assert client_for(tenant.participant).post(url).status_code in (403, 404)
    manager = client_for(tenant.manager)
    assert manager.get(url).status_code == 405
    response = manager.post(url, follow=True)
    assert "6 mentees placed in circles." in response.content.decode()
    assert MentorshipMember.objects.filter(role="mentee").count() == 6
    assert Mentorship.objects.filter(kind="circle", status="proposed").count() == 2
