"""Reverse mentoring: the junior person mentors the senior one. Matching prefers (or, as a
setting, requires) a less senior mentor; the words follow the roles."""

from __future__ import annotations

from typing import Any

import pytest

from openmentor.matching.models import MatchingRun
from openmentor.matching.problem import build_problem, settings_for
from openmentor.organisations.models import Role
from openmentor.programmes.models import Enrolment, Programme
from tests.conftest import Tenant, client_for
from tests.factories import MembershipFactory, ProfileFactory, ProgrammeFactory
from tests.matching.helpers import run_matching, url

pytestmark = pytest.mark.django_db


def reverse_programme(tenant: Tenant, **fields: Any) -> Programme:
    programme = ProgrammeFactory(
        organisation=tenant.organisation,
        kind=Programme.Kind.REVERSE,
        status=Programme.Status.ENROLLING,
        skills=["ai tools"],
        **fields,
    )
    for name, role, years in (
        ("Junior", Enrolment.Role.MENTOR, 1),
        ("Elder", Enrolment.Role.MENTOR, 25),
        ("Director", Enrolment.Role.MENTEE, 20),
    ):
        member = MembershipFactory(
            organisation=tenant.organisation, role=Role.PARTICIPANT, user__display_name=name
        )
        ProfileFactory(
            organisation=tenant.organisation,
            user=member.user,
            skills_offered=["ai tools"] if role == Enrolment.Role.MENTOR else [],
            skills_wanted=["ai tools"] if role == Enrolment.Role.MENTEE else [],
            seniority_years=years,
            mentor_capacity=1,
        )
        Enrolment.objects.create(programme=programme, user=member.user, role=role)
    return programme


def test_the_enrolment_choices_name_the_reverse_roles(tenant: Tenant) -> None:
    programme = reverse_programme(tenant)
    page = client_for(tenant.participant).get(
        f"/o/{tenant.organisation.slug}/programmes/{programme.slug}/enrol/"
    )
    body = page.content.decode()
    assert "Junior mentor — share what you know with a senior colleague" in body
    assert "Senior mentee — learn from a more junior colleague" in body
    assert 'value="both"' not in body


def test_matching_prefers_the_junior_mentor_and_the_review_says_so(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    programme = reverse_programme(tenant)
    built = build_problem(programme=programme)
    assert built.data["settings"]["seniority_direction"] == "mentee_ahead"
    assert built.data["settings"]["rules"]["mentor_less_senior"] is False
    client = client_for(tenant.manager)
    run = run_matching(client, programme, django_capture_on_commit_callbacks)
    assert run.status == MatchingRun.Status.DONE, run.error
    names = {f"u{e.user_id}": e.user.name for e in Enrolment.objects.filter(programme=programme)}
    (match,) = run.result["matches"]
    assert names[match["mentor"]] == "Junior" and names[match["mentee"]] == "Director"
    page = client.get(url("matching_run", programme, run.pk)).content.decode()
    assert (
        '<th scope="col">Senior mentee</th>' in page
        and '<th scope="col">Junior mentor</th>' in page
    )
    assert "The junior mentor is 19 years earlier in their career" in page


def test_the_setting_requires_a_less_senior_mentor(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    programme = reverse_programme(tenant)
    client = client_for(tenant.manager)
    form = client.get(url("matching_settings", programme)).content.decode()
    assert "Only propose pairs whose mentor is less senior than the mentee" in form
    data = {
        "weight_skills": "1", "weight_goals": "0", "weight_bio": "0", "weight_availability": "0",
        "weight_seniority": "1", "require_common_language": "on", "min_availability_overlap_minutes": "0",
        "same_department": "allow", "min_score_percent": "0", "candidates_per_mentee": "50",
        "mentors_per_mentee": "1", "default_mentor_capacity": "2", "recommendations_shown": "5",
        "max_open_requests": "2", "response_days": "3", "require_junior_mentor": "on",
    }  # fmt: skip
    response = client.post(url("matching_settings", programme), data)
    assert response.status_code in (200, 302), response.content.decode()[:500]
    assert settings_for(programme).require_junior_mentor is True
    assert (
        build_problem(programme=programme).data["settings"]["rules"]["mentor_less_senior"] is True
    )
    # Elder (25 years) is more senior than Director (20); once Junior is too, nobody may
    # mentor Director
    from openmentor.people.models import Profile

    Profile.objects.filter(organisation=tenant.organisation, user__display_name="Junior").update(
        seniority_years=22
    )
    run = run_matching(client, programme, django_capture_on_commit_callbacks)
    assert run.result["matches"] == []
    (unmatched,) = run.result["unmatched"]
    assert "less senior" in unmatched["reason"]


def test_other_programmes_do_not_offer_the_reverse_setting(tenant: Tenant) -> None:
    programme = ProgrammeFactory(
        organisation=tenant.organisation, status=Programme.Status.ENROLLING
    )
    form = client_for(tenant.manager).get(url("matching_settings", programme)).content.decode()
    assert "less senior than the mentee" not in form
