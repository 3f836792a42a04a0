"""profile_update checks again what the database cannot, and writes nothing when it refuses."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openmentor.people import services
from openmentor.people.models import Profile
from tests.conftest import Tenant
from tests.people.helpers import enrol, make_member, make_programme, snapshot

pytestmark = pytest.mark.django_db


def update_kwargs(**changes: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "job_title": "Analyst",
        "department": "Finance",
        "reports_to": None,
        "seniority_years": 3,
        "skills_offered": [],
        "skills_wanted": [],
        "goals": "",
        "bio": "",
        "timezone": "America/St_Johns",
        "languages": ["en"],
        "availability": [{"day": "mon", "start": "09:00", "end": "10:00"}],
        "mentor_capacity": 1,
    }
    kwargs.update(changes)
    return kwargs


@pytest.fixture
def profile(tenant: Tenant) -> Profile:
    make_programme(tenant.organisation, skills=["python"])
    return services.profile_get_or_create(
        organisation=tenant.organisation, user=tenant.participant.user
    )[0]


def test_get_or_create_is_for_members_only(tenant: Tenant, other_tenant: Tenant) -> None:
    with pytest.raises(PermissionDenied):
        services.profile_get_or_create(
            organisation=tenant.organisation, user=other_tenant.participant.user
        )
    assert not Profile.objects.filter(user=other_tenant.participant.user).exists()
    first, created = services.profile_get_or_create(
        organisation=tenant.organisation, user=tenant.owner.user
    )
    again, created_again = services.profile_get_or_create(
        organisation=tenant.organisation, user=tenant.owner.user
    )
    assert created and not created_again and first.pk == again.pk


BAD: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "end before start",
        {"availability": [{"day": "mon", "start": "11:00", "end": "10:00"}]},
        "availability",
        "the end must be after the start",
    ),
    (
        "overlapping",
        {
            "availability": [
                {"day": "mon", "start": "09:00", "end": "10:00"},
                {"day": "mon", "start": "09:30", "end": "11:00"},
            ]
        },
        "availability",
        "overlaps",
    ),
    (
        "malformed",
        {"availability": [{"day": "mon", "from": "09:00"}]},
        "availability",
        "must have exactly a day",
    ),
    (
        "unknown timezone",
        {"timezone": "Europe/Atlantis"},
        "timezone",
        "Choose a timezone from the list.",
    ),
    ("unknown language", {"languages": ["tlh"]}, "languages", "Unknown language: tlh."),
    (
        "skill outside the taxonomy",
        {"skills_wanted": ["knitting"]},
        "skills_wanted",
        "Not in your programmes' skills list: knitting.",
    ),
    ("capacity", {"mentor_capacity": 21}, "mentor_capacity", "Enter a number from 0 to 20."),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"), [c[1:] for c in BAD], ids=[c[0] for c in BAD]
)
def test_the_service_refuses_bad_values_and_writes_nothing(
    profile: Profile, changes: dict[str, Any], field: str, message: str
) -> None:
    before = snapshot(profile)
    with pytest.raises(ValidationError) as caught:
        services.profile_update(profile=profile, **update_kwargs(**changes))
    assert any(message in m for m in caught.value.message_dict[field])
    assert snapshot(profile) == before


def test_the_manager_must_be_another_member_of_the_same_organisation(
    tenant: Tenant, other_tenant: Tenant, profile: Profile
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.profile_update(
            profile=profile, **update_kwargs(reports_to=other_tenant.owner.user)
        )
    assert caught.value.message_dict["reports_to"] == ["Choose a member of this organisation."]
    with pytest.raises(ValidationError) as caught:
        services.profile_update(profile=profile, **update_kwargs(reports_to=profile.user))
    assert caught.value.message_dict["reports_to"] == ["You cannot be your own manager."]
    services.profile_update(profile=profile, **update_kwargs(reports_to=tenant.owner.user))
    profile.refresh_from_db()
    assert profile.reports_to == tenant.owner.user


def test_a_skill_dropped_from_the_taxonomy_can_be_kept(profile: Profile) -> None:
    services.profile_update(profile=profile, **update_kwargs(skills_offered=["python"]))
    profile.organisation.programmes.update(skills=["rust"])
    services.profile_update(profile=profile, **update_kwargs(skills_offered=["python", "rust"]))
    profile.refresh_from_db()
    assert profile.skills_offered == ["python", "rust"]


def test_completeness_is_stored_on_every_save_and_refreshed_on_enrolment(
    tenant: Tenant, profile: Profile
) -> None:
    services.profile_update(profile=profile, **update_kwargs())
    profile.refresh_from_db()
    assert profile.completeness == 100  # no programme role yet: the common fields are all there
    programme = make_programme(tenant.organisation)
    enrol(programme, profile.user, "mentee")
    assert services.profile_completeness_refresh(profile=profile) == 71
    profile.refresh_from_db()
    assert profile.completeness == 71


def test_completeness_ignores_withdrawn_enrolments(tenant: Tenant, profile: Profile) -> None:
    programme = make_programme(tenant.organisation)
    enrolment = enrol(programme, profile.user, "mentor")
    enrolment.status = "withdrawn"
    enrolment.save()
    other_member = make_member(tenant.organisation)
    enrol(programme, other_member.user, "mentee")
    services.profile_update(profile=profile, **update_kwargs())
    profile.refresh_from_db()
    assert profile.completeness == 100
