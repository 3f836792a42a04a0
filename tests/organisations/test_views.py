from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from openmentor.organisations.models import Invitation, Membership, Organisation, Role
from openmentor.organisations.services import invitation_create
from tests.conftest import Tenant, client_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_create_organisation_form_validates_and_keeps_input() -> None:
    client = Client()
    client.force_login(UserFactory())
    response = client.post("/orgs/new/", {"name": " x "})
    assert response.status_code == 200
    assert "at least 2 characters" in response.content.decode()
    assert 'value=" x "' in response.content.decode() or 'value="x"' in response.content.decode()
    assert Organisation.objects.count() == 0
    response = client.post("/orgs/new/", {"name": "Initech"}, follow=True)
    assert response.redirect_chain[-1][0] == "/o/initech/"
    assert "Initech is ready" in response.content.decode()


def test_invitation_form_errors_are_shown_at_the_field(
    owner_client: Client, tenant: Tenant
) -> None:
    url = f"/o/{tenant.organisation.slug}/invitations/"
    response = owner_client.post(url, {"email": "not-an-address", "role": "manager"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a valid email address." in body and 'value="not-an-address"' in body
    response = owner_client.post(url, {"email": "ok@example.org", "role": "emperor"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_manager_form_offers_participant_role_only(manager_client: Client, tenant: Tenant) -> None:
    url = f"/o/{tenant.organisation.slug}/invitations/"
    body = manager_client.get(url).content.decode()
    assert 'value="participant"' in body and 'value="owner"' not in body
    response = manager_client.post(url, {"email": "boss@example.org", "role": "owner"})
    assert response.status_code == 400 and Invitation.objects.count() == 0


def test_owner_invites_and_sees_the_invitation_listed(
    owner_client: Client, tenant: Tenant, django_capture_on_commit_callbacks
) -> None:
    url = f"/o/{tenant.organisation.slug}/invitations/"
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            url, {"email": "pm@example.org", "role": "manager"}, follow=True
        )
    body = response.content.decode()
    assert "Invitation sent to pm@example.org" in body and "Programme manager" in body
    assert mail.outbox[0].subject.startswith("You are invited to Acme")


@pytest.mark.parametrize(
    ("token_state", "status", "text"),
    [("forged", 404, "not valid"), ("expired", 410, "expired"), ("used", 410, "already been used")],
)
def test_bad_invitation_links_give_a_clear_page(
    tenant: Tenant, token_state: str, status: int, text: str
) -> None:
    created = invitation_create(
        organisation=tenant.organisation,
        inviter=tenant.owner,
        email="i@example.org",
        role=Role.PARTICIPANT,
    )
    token = created.token
    if token_state == "forged":
        token = "AAAA" + token[4:]
    elif token_state == "expired":
        from datetime import timedelta

        from django.utils import timezone

        Invitation.objects.update(
            created_at=timezone.now() - timedelta(days=30),
            expires_at=timezone.now() - timedelta(days=1),
        )
    elif token_state == "used":
        from django.utils import timezone

        Invitation.objects.update(accepted_at=timezone.now())
    for client in (Client(), client_for(tenant.participant)):
        response = client.get(f"/invitations/{token}/")
        assert response.status_code == status
        assert text in response.content.decode()


def test_anonymous_invitee_is_brought_back_after_login(tenant: Tenant) -> None:
    created = invitation_create(
        organisation=tenant.organisation,
        inviter=tenant.owner,
        email="back@example.org",
        role=Role.MANAGER,
    )
    invitee = UserFactory(email="back@example.org")
    client = Client()
    assert "Sign up with that address" in client.get(created.path).content.decode()
    response = client.post(
        "/accounts/login/", {"login": "back@example.org", "password": "correct-horse-battery-7"}
    )
    assert response.status_code == 302 and response["Location"] == created.path
    response = client.post(created.path, follow=True)
    assert response.redirect_chain[-1][0] == f"/o/{tenant.organisation.slug}/"
    assert "Manager dashboard" in response.content.decode()
    assert Membership.objects.get(user=invitee).role == Role.MANAGER


def test_dashboard_differs_by_role(tenant: Tenant) -> None:
    slug = tenant.organisation.slug
    assert "Manager dashboard" in client_for(tenant.manager).get(f"/o/{slug}/").content.decode()
    body = client_for(tenant.participant).get(f"/o/{slug}/").content.decode()
    assert "Your mentoring at Acme" in body and "Manager dashboard" not in body
    assert "Invitations</a>" not in body


def test_switching_organisation_remembers_the_last_one(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    person = tenant.participant.user
    MembershipFactory(organisation=other_tenant.organisation, user=person, role=Role.MANAGER)
    client = client_for(tenant.participant)
    body = client.get(f"/o/{tenant.organisation.slug}/").content.decode()
    assert "Globex" in body and "Acme" in body  # both in the switcher
    client.get(f"/o/{other_tenant.organisation.slug}/")
    assert client.get("/")["Location"] == f"/o/{other_tenant.organisation.slug}/"


def test_member_list_shows_only_this_organisation(
    manager_client: Client, tenant: Tenant, other_tenant: Tenant, django_assert_max_num_queries
) -> None:
    for _ in range(30):
        MembershipFactory(organisation=tenant.organisation)
    with django_assert_max_num_queries(12):
        body = manager_client.get(f"/o/{tenant.organisation.slug}/members/").content.decode()
    assert tenant.participant.user.email in body
    assert other_tenant.participant.user.email not in body


def test_person_without_organisation_is_offered_to_create_one() -> None:
    client = Client()
    client.force_login(UserFactory())
    response = client.get("/", follow=True)
    assert "not part of an organisation yet" in response.content.decode()


def test_programme_invitation_leads_to_the_enrolment_page(tenant: Tenant) -> None:
    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory(organisation=tenant.organisation, status="enrolling")
    created = invitation_create(
        organisation=tenant.organisation,
        inviter=tenant.manager,
        email="p@example.org",
        role=Role.PARTICIPANT,
        programme=programme,
        programme_role="mentor",
    )
    client = Client()
    client.force_login(UserFactory(email="p@example.org"))
    response = client.post(created.path)
    assert response.status_code == 302
    assert response["Location"] == (
        f"/o/{tenant.organisation.slug}/programmes/{programme.slug}/enrol/?role=mentor"
    )
