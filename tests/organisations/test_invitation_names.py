"""Sign-up asks a name, and invitations name the inviter, the programme and the role."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client

from openmentor.accounts.models import User
from openmentor.organisations.services import invitation_create
from openmentor.programmes.models import Programme
from tests.conftest import Tenant, client_for
from tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

SIGNUP = {"email": "ada@example.org", "password1": "Blue-Harbour-Kite-42"}


def test_sign_up_asks_a_name_and_uses_it() -> None:
    client = Client()
    page = client.get("/accounts/signup/").content.decode()
    assert '<label for="id_name">Your name' in page
    data = {**SIGNUP, "password2": SIGNUP["password1"]}
    refused = client.post("/accounts/signup/", {**data, "name": "   "})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    assert not User.objects.exists()
    client.post("/accounts/signup/", {**data, "name": "  Ada   Lovelace "})
    assert User.objects.get().name == "Ada Lovelace"


def test_account_pages_use_the_sites_words() -> None:
    from tests.factories import PASSWORD, UserFactory

    person = UserFactory(display_name="Ada Lovelace")
    client = Client()
    page = client.post(
        "/accounts/login/", {"login": person.email, "password": PASSWORD}, follow=True
    ).content.decode()
    assert "You are logged in as Ada Lovelace." in page and "signed in" not in page
    login = Client().get("/accounts/login/").content.decode()
    signup = Client().get("/accounts/signup/").content.decode()
    assert re.search(r"<h1>\s*Log in\s*</h1>", login) and "Sign In" not in login
    assert "Sign Up" not in signup and "sign in" not in signup


def _programme_invitation(tenant: Tenant, status: str) -> tuple[Programme, str]:
    programme = ProgrammeFactory(
        organisation=tenant.organisation,
        name="Spring cohort",
        status=status,
        starts_on=dt.date(2027, 3, 1),
    )
    created = invitation_create(
        organisation=tenant.organisation,
        inviter=tenant.manager,
        email="new@example.org",
        role="participant",
        programme=programme,
        programme_role="mentee",
    )
    return programme, created.path


def test_the_invitation_page_names_the_programme_the_role_and_when_it_opens(
    tenant: Tenant, django_capture_on_commit_callbacks: object
) -> None:
    _, path = _programme_invitation(tenant, Programme.Status.DRAFT)
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", Client().get(path).content.decode()))
    assert f"{tenant.manager.user.name} invited new@example.org to join" in page
    assert "mentoring programme Spring cohort as a mentee" in page
    assert "Spring cohort is not open yet" in page and "1 March 2027" in page


def test_the_invitation_e_mail_names_them_too(
    tenant: Tenant, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _programme_invitation(tenant, Programme.Status.ENROLLING)
    (message,) = mail.outbox
    assert f"{tenant.manager.user.name} invited you to Spring cohort" in message.body
    assert "as a mentee" in message.body and "Spring cohort is open" in message.body


def test_inviting_into_a_draft_warns_the_manager(tenant: Tenant) -> None:
    programme = ProgrammeFactory(organisation=tenant.organisation, status=Programme.Status.DRAFT)
    client = client_for(tenant.manager)
    url = f"/o/{tenant.organisation.slug}/programmes/{programme.slug}/"
    assert "is still a draft" in client.get(url).content.decode()
    sent = client.post(
        url + "invite/", {"emails": "someone@example.org", "programme_role": ""}, follow=True
    )
    assert "is still a draft" in sent.content.decode()
    enrolling = ProgrammeFactory(
        organisation=tenant.organisation, status=Programme.Status.ENROLLING
    )
    assert (
        "is still a draft"
        not in client.get(
            f"/o/{tenant.organisation.slug}/programmes/{enrolling.slug}/"
        ).content.decode()
    )
