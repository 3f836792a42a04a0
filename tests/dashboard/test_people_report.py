"""The self-identification report: aggregate only, groups under 5 suppressed, one
organisation's answers only, and no one's individual answer anywhere."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from openmentor.accounts.models import User
from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.people.models import SelfIdentification
from openmentor.programmes.models import Enrolment, Programme
from tests.conftest import Tenant, client_for
from tests.factories import MembershipFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db


def people(organisation: Organisation, n: int, **answers: str) -> list[Membership]:
    made = []
    for _ in range(n):
        member = cast(
            Membership, MembershipFactory(organisation=organisation, role=Role.PARTICIPANT)
        )
        SelfIdentification.objects.create(organisation=organisation, user=member.user, **answers)
        made.append(member)
    return made


def url(tenant: Tenant) -> str:
    return reverse("self_identification_report", args=[tenant.organisation.slug])


def row(html: str, label: str) -> str:
    """The table cell after the answer's label."""
    return html.split(f"<td>{label}</td><td>", 1)[1].split("</td>", 1)[0]


def test_groups_as_ranges_and_small_groups_suppressed(
    tenant: Tenant, django_assert_max_num_queries: Any
) -> None:
    people(tenant.organisation, 12, gender="woman", age_band="25_34")
    people(tenant.organisation, 3, gender="man", age_band="25_34")
    client = client_for(tenant.manager)
    with django_assert_max_num_queries(12):
        response = client.get(url(tenant))
    html = response.content.decode()
    assert response.status_code == 200
    assert row(html, "Woman") == "10–19"
    assert "fewer than 5" in row(html, "Man")
    # Listed whether anyone answered it or not, so "fewer than 5" gives nothing away.
    assert "fewer than 5" in row(html, "Non-binary")
    assert row(html, "25 to 34") == "10–19"
    assert "<svg" in html and 'role="img"' in html
    assert "no one’s individual answers are shown" in html


def test_no_individual_answer_on_the_page(tenant: Tenant) -> None:
    lone = people(tenant.organisation, 1, gender="non_binary", disability="yes")[0]
    lone.user.first_name, lone.user.last_name = "Zebedee", "Quuxley"
    lone.user.save()
    html = client_for(tenant.owner).get(url(tenant)).content.decode()
    assert "Zebedee" not in html and "Quuxley" not in html and lone.user.email not in html
    assert "fewer than 5" in row(html, "Non-binary")
    assert html.count("5–9") == 0 and "1</td>" not in html


def test_another_organisations_answers_are_never_counted(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    people(tenant.organisation, 3, gender="non_binary")
    people(other_tenant.organisation, 20, gender="non_binary")
    # Someone in both organisations who answered only in the other one.
    both = people(other_tenant.organisation, 1, gender="woman")[0]
    MembershipFactory(organisation=tenant.organisation, user=both.user)
    html = client_for(tenant.manager).get(url(tenant)).content.decode()
    assert "fewer than 5" in row(html, "Non-binary")
    assert "20–49" not in html


def test_narrowed_to_one_programme(tenant: Tenant, other_tenant: Tenant) -> None:
    programme = cast(Programme, ProgrammeFactory(organisation=tenant.organisation, name="Pilot"))
    inside = people(tenant.organisation, 6, gender="woman")
    people(tenant.organisation, 10, gender="man")
    for member in inside:
        Enrolment.objects.create(programme=programme, user=member.user, role="mentee")
    client = client_for(tenant.manager)
    whole = client.get(url(tenant)).content.decode()
    assert row(whole, "Man") == "10–19"
    response = client.get(url(tenant), {"programme": programme.slug})
    html = response.content.decode()
    assert response.status_code == 200 and "for the people in Pilot" in html
    assert row(html, "Woman") == "5–9" and "fewer than 5" in row(html, "Man")
    assert f'<option value="{programme.slug}" selected>Pilot</option>' in html


@pytest.mark.parametrize("value", ["no-such-programme", "'; drop table", "x" * 500])
def test_a_bad_programme_choice_is_refused(tenant: Tenant, value: str) -> None:
    response = client_for(tenant.manager).get(url(tenant), {"programme": value})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose one of the listed programmes." in html and "<svg" not in html


def test_another_organisations_programme_cannot_be_chosen(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = cast(Programme, ProgrammeFactory(organisation=other_tenant.organisation))
    members = people(other_tenant.organisation, 8, gender="woman")
    for member in members:
        Enrolment.objects.create(programme=theirs, user=member.user, role="mentee")
    response = client_for(tenant.manager).get(url(tenant), {"programme": theirs.slug})
    assert response.status_code == 400
    assert "5–9" not in response.content.decode()


def test_participants_are_refused(tenant: Tenant) -> None:
    people(tenant.organisation, 6, gender="woman")
    response = client_for(tenant.participant).get(url(tenant))
    assert response.status_code == 403 and "5–9" not in response.content.decode()
    client = Client()
    client.force_login(cast(User, UserFactory()))
    assert client.get(url(tenant)).status_code == 404
