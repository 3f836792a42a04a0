"""The person's own profile page: what they see, what is saved, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from openmentor.people.models import Profile
from openmentor.programmes.models import Enrolment
from tests.conftest import Tenant, client_for
from tests.people.helpers import (
    enrol,
    make_member,
    make_profile,
    make_programme,
    snapshot,
    valid_post,
)

pytestmark = pytest.mark.django_db


def url(tenant: Tenant) -> str:
    return reverse("profile_edit", kwargs={"slug": tenant.organisation.slug})


@pytest.fixture
def taxonomy(tenant: Tenant) -> None:
    make_programme(tenant.organisation, skills=["python", "negotiation"])
    make_programme(tenant.organisation, skills=["leadership", "Python"])


def test_first_visit_creates_an_empty_profile_and_shows_what_is_missing(tenant: Tenant) -> None:
    response = client_for(tenant.participant).get(url(tenant))
    assert response.status_code == 200
    profile = Profile.objects.get(organisation=tenant.organisation, user=tenant.participant.user)
    assert profile.completeness == 0
    html = response.content.decode()
    assert "Your profile is 0% complete" in html
    assert "your job title" in html and "when you are available each week" in html
    # The timezone is left empty on the first visit so the browser can suggest one.
    assert 'name="timezone" id="id_timezone" value=""' in html
    # Every cell of the grid has a label, so it works without JavaScript.
    assert html.count('name="availability"') == 7 * 48
    assert 'for="id_availability_tue_540">Tuesday 09:00 to 09:30<' in html


def test_saving_a_complete_profile_stores_every_field(tenant: Tenant, taxonomy: None) -> None:
    make_programme(tenant.organisation)
    enrolment_programme = make_programme(tenant.organisation, skills=["python"])
    enrol(enrolment_programme, tenant.participant.user, Enrolment.Role.MENTOR)
    enrol(enrolment_programme, tenant.participant.user, Enrolment.Role.MENTEE)
    client = client_for(tenant.participant)
    post = valid_post(reports_to=str(tenant.manager.user_id))
    response = client.post(url(tenant), post)
    assert response.status_code == 302
    profile = Profile.objects.get(organisation=tenant.organisation, user=tenant.participant.user)
    assert profile.job_title == "Data analyst"
    assert profile.reports_to == tenant.manager.user
    assert profile.seniority_years == 4
    assert profile.skills_offered == ["python"] and profile.skills_wanted == ["leadership"]
    assert profile.timezone == "Europe/Berlin"
    assert profile.languages == ["en", "de"]
    assert profile.availability == [
        {"day": "tue", "start": "09:00", "end": "10:00"},
        {"day": "thu", "start": "17:00", "end": "17:30"},
    ]
    assert profile.mentor_capacity == 2
    assert profile.completeness == 100
    page = client.get(url(tenant)).content.decode()
    assert "Your profile is 100% complete" in page
    assert "Nothing is missing." in page
    assert "Your profile is saved." in page


def test_completeness_follows_the_roles_of_the_enrolments(tenant: Tenant, taxonomy: None) -> None:
    programme = make_programme(tenant.organisation, skills=["python"])
    enrol(programme, tenant.participant.user, Enrolment.Role.MENTOR)
    client = client_for(tenant.participant)
    client.post(url(tenant), valid_post(bio="", skills_offered=[]))
    profile = Profile.objects.get(organisation=tenant.organisation, user=tenant.participant.user)
    assert profile.completeness < 100
    page = client.get(url(tenant)).content.decode()
    assert "a short bio" in page and "the skills you offer" in page
    assert "your goals" not in page  # not a mentee


def test_skills_offered_are_the_union_of_the_organisations_taxonomies(
    tenant: Tenant, other_tenant: Tenant, taxonomy: None
) -> None:
    make_programme(other_tenant.organisation, skills=["espionage"])
    page = client_for(tenant.participant).get(url(tenant)).content.decode()
    for skill in ("python", "negotiation", "leadership"):
        assert f'value="{skill}"' in page
    assert "espionage" not in page
    assert 'value="Python"' not in page  # the same skill spelt twice is offered once


def test_the_manager_list_holds_only_members_of_this_organisation(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    page = client_for(tenant.participant).get(url(tenant)).content.decode()
    assert tenant.manager.user.email in page
    assert other_tenant.manager.user.email not in page
    assert f'<option value="{tenant.participant.user_id}"' not in page  # not themselves


BAD_INPUTS: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "unknown timezone",
        {"timezone": "Mars/Olympus_Mons"},
        "timezone",
        "is not a timezone we know",
    ),
    ("empty timezone", {"timezone": ""}, "timezone", "Choose your timezone from the list."),
    (
        "unknown language",
        {"languages": ["en", "xx-klingon"]},
        "languages",
        "is not one of the listed languages",
    ),
    (
        "skill outside the taxonomy",
        {"skills_offered": ["python", "knitting"]},
        "skills_offered",
        "is not in your programmes' skills list",
    ),
    (
        "malformed availability cell",
        {"availability": ["tue-09:00", "tue-25:00"]},
        "availability",
        "is not a half-hour on the weekly grid",
    ),
    (
        "availability not on a half hour",
        {"availability": ["tue-09:10"]},
        "availability",
        "is not a half-hour on the weekly grid",
    ),
    (
        "capacity above 20",
        {"mentor_capacity": "21"},
        "mentor_capacity",
        "Enter a number from 0 to 20.",
    ),
    (
        "negative capacity",
        {"mentor_capacity": "-1"},
        "mentor_capacity",
        "Enter a number from 0 to 20.",
    ),
    (
        "capacity not a number",
        {"mentor_capacity": "lots"},
        "mentor_capacity",
        "Enter a whole number from 0 to 20.",
    ),
    (
        "missing capacity",
        {"mentor_capacity": ""},
        "mentor_capacity",
        "Enter a number from 0 to 20.",
    ),
    ("bio too long", {"bio": "x" * 1001}, "bio", "Keep your bio to 1000 characters (it has 1001)."),
    (
        "seniority not a number",
        {"seniority_years": "ten"},
        "seniority_years",
        "Enter a whole number of years",
    ),
    (
        "manager who is not a member",
        {"reports_to": "999999"},
        "reports_to",
        "Choose a member of this organisation.",
    ),
    (
        "manager who is oneself",
        {"reports_to": "SELF"},
        "reports_to",
        "You cannot be your own manager.",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_is_refused_at_the_field_keeping_what_was_typed(
    tenant: Tenant, taxonomy: None, changes: dict[str, Any], field: str, message: str
) -> None:
    client = client_for(tenant.participant)
    client.get(url(tenant))
    profile = Profile.objects.get(organisation=tenant.organisation, user=tenant.participant.user)
    before = snapshot(profile)
    if changes.get("reports_to") == "SELF":
        changes = {"reports_to": str(tenant.participant.user_id)}
    response = client.post(url(tenant), valid_post(job_title="Typed title", **changes))
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert list(form.errors) == [field]
    html = response.content.decode()
    assert f'<p class="error" id="id_{field}_error">{escape(form.errors[field][0])}</p>' in html
    assert 'value="Typed title"' in html  # what the person typed is kept
    assert (
        'value="tue-09:00" id="id_availability_tue_540" checked' in html or field == "availability"
    )
    assert snapshot(profile) == before  # nothing written


def test_a_manager_from_another_organisation_is_refused(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    client = client_for(tenant.participant)
    response = client.post(url(tenant), valid_post(reports_to=str(other_tenant.manager.user_id)))
    assert response.status_code == 400
    assert response.context["form"].errors["reports_to"] == [
        "Choose a member of this organisation."
    ]
    profile = Profile.objects.get(organisation=tenant.organisation, user=tenant.participant.user)
    assert profile.reports_to is None and profile.job_title == ""


def test_profiles_are_per_organisation(tenant: Tenant) -> None:
    """The same person in two organisations keeps two separate profiles."""
    second = make_member(user=tenant.participant.user)
    make_profile(second.organisation, second.user, job_title="Elsewhere")
    client_for(tenant.participant).post(
        url(tenant), valid_post(skills_offered=[], skills_wanted=[])
    )
    assert Profile.objects.get(organisation=second.organisation).job_title == "Elsewhere"
    assert Profile.objects.get(organisation=tenant.organisation).job_title == "Data analyst"


def test_the_page_needs_a_bounded_number_of_queries(
    tenant: Tenant, django_assert_max_num_queries: Any
) -> None:
    for _ in range(60):
        make_member(tenant.organisation)
    for n in range(15):
        programme = make_programme(tenant.organisation, skills=[f"skill {n}"])
        enrol(programme, tenant.participant.user, Enrolment.Role.MENTEE)
    client = client_for(tenant.participant)
    client.get(url(tenant))
    with django_assert_max_num_queries(15):
        response = client.get(url(tenant))
    assert response.status_code == 200
    assert response.content.decode().count("<option value=") >= 61


def test_an_anonymous_visitor_is_sent_to_log_in(tenant: Tenant) -> None:
    response = Client().get(url(tenant))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
