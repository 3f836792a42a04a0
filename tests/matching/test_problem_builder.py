from __future__ import annotations

import pytest

from openmentor.matching.engine import load_problem
from openmentor.matching.problem import build_problem, engine_id
from openmentor.people.models import Profile, SelfIdentification
from openmentor.programmes.models import Enrolment
from tests.conftest import Tenant
from tests.scenarios import active_mentorship, enrolling_programme

pytestmark = pytest.mark.django_db


def test_a_manager_outside_the_lists_is_not_sent_to_the_engine(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=2, mentees=2)
    # The first mentee already has a mentor, so they are left out of this run; the second
    # mentee's manager is that first mentee.
    first, second = scenario.mentees
    active_mentorship(
        tenant.organisation,
        programme=scenario.programme,
        mentee=first.user.memberships.get(),
        mentor=scenario.mentors[0].user.memberships.get(),
    )
    Profile.objects.filter(user=second.user).update(reports_to=first.user)
    built = build_problem(programme=scenario.programme)
    assert engine_id(first.user_id) not in {m["id"] for m in built.data["mentees"]}
    load_problem(built.data)  # no "manager_id is not in mentees or mentors"


def test_protected_attributes_reach_only_the_audit_field(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=1)
    mentee = scenario.mentees[0]
    SelfIdentification.objects.create(
        organisation=tenant.organisation, user=mentee.user, gender="woman", age_band="25_34"
    )
    built = build_problem(programme=scenario.programme)
    person = next(m for m in built.data["mentees"] if m["id"] == engine_id(mentee.user_id))
    assert person["protected"] == {"gender": "woman", "age_band": "25_34"}
    scored_text = repr({k: v for k, v in person.items() if k != "protected"})
    assert "woman" not in scored_text and "25_34" not in scored_text


def test_past_partners_and_capacity_in_use_are_respected(tenant: Tenant) -> None:
    scenario = enrolling_programme(tenant.organisation, mentors=1, mentees=2)
    mentor = scenario.mentors[0]
    Profile.objects.filter(user=mentor.user).update(mentor_capacity=2)
    mentorship = active_mentorship(
        tenant.organisation,
        programme=scenario.programme,
        mentee=scenario.mentees[0].user.memberships.get(),
        mentor=mentor.user.memberships.get(),
    )
    mentorship.status = "ended"
    mentorship.ended_at = mentorship.started_at
    mentorship.save()
    Enrolment.objects.filter(user=scenario.mentees[0].user).update(matched_at=None)
    built = build_problem(programme=scenario.programme)
    assert [engine_id(scenario.mentees[0].user_id), engine_id(mentor.user_id)] in built.data[
        "forbidden_pairs"
    ]
    assert built.snapshot["mentors"][engine_id(mentor.user_id)] == 2  # ended: capacity back
