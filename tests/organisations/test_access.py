"""The tenancy decorator's side effects: what it writes to the session, and when."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import Tenant, client_for, make_tenant
from tests.factories import MembershipFactory


def test_organisation_pages_write_the_session_only_when_the_organisation_changes(
    tenant: Tenant,
) -> None:
    client = Client()
    client.force_login(tenant.manager.user)
    other = make_tenant("Globex")
    MembershipFactory(organisation=other.organisation, user=tenant.manager.user)
    here = reverse("organisation_dashboard", kwargs={"slug": tenant.organisation.slug})
    there = reverse("organisation_dashboard", kwargs={"slug": other.organisation.slug})

    first = client.get(here)
    assert first.status_code == 200 and "sessionid" in first.cookies
    stored = Session.objects.get().session_data
    for _ in range(3):
        again = client.get(here)
        assert again.status_code == 200
        assert "sessionid" not in again.cookies, "no new cookie when nothing changed"
    assert Session.objects.get().session_data == stored, "no session write either"

    switched = client.get(there)
    assert switched.status_code == 200 and "sessionid" in switched.cookies
    assert Session.objects.get().session_data != stored


def _dashboard(slug: str) -> str:
    return reverse("organisation_dashboard", kwargs={"slug": slug})


def test_an_owner_can_require_two_factor_authentication_for_owners_and_managers(
    tenant: Tenant,
) -> None:
    from allauth.mfa.models import Authenticator

    slug = tenant.organisation.slug
    security = reverse("organisation_security", kwargs={"slug": slug})
    owner, manager, participant = (
        client_for(tenant.owner),
        client_for(tenant.manager),
        client_for(tenant.participant),
    )
    assert manager.get(_dashboard(slug)).status_code == 200
    # Managers may not change it; participants do not even see the page.
    assert manager.post(security, {"require_mfa_for_managers": "on"}).status_code == 403
    assert participant.get(security).status_code == 403
    page = owner.get(security)
    assert page.status_code == 200
    assert "Require two-factor authentication for owners and managers" in page.text
    assert owner.post(security, {"require_mfa_for_managers": "on"}).status_code == 302
    tenant.organisation.refresh_from_db()
    assert tenant.organisation.require_mfa_for_managers

    for client in (manager, owner):
        response = client.get(_dashboard(slug))
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
    assert participant.get(_dashboard(slug)).status_code == 200

    Authenticator.objects.create(
        user=tenant.manager.user, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    assert manager.get(_dashboard(slug)).status_code == 200

    # Another organisation of the same manager is not affected.
    other = make_tenant("Initech")
    MembershipFactory(organisation=other.organisation, user=tenant.owner.user, role="manager")
    assert owner.get(_dashboard(other.organisation.slug)).status_code == 200


def test_healthz_answers_over_plain_http_when_https_is_enforced(tenant: Tenant) -> None:
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert Client().get("/healthz").status_code in {200, 503}
        assert Client().get("/accounts/login/").status_code == 301
