"""An owner configures OpenID Connect; a new person at the organisation's domain signs in
through it and lands in the organisation with the configured role; other domains are
refused; an existing account is signed in; "SSO required" refuses passwords."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from openmentor.accounts.models import User
from openmentor.organisations.models import Membership, Role
from openmentor.sso.adapter import SocialAccountAdapter
from openmentor.sso.models import SsoDomain, SsoProvider
from tests.conftest import Tenant
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.sso.fake_idp import ISSUER, FakeIdp

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(tenant: Tenant) -> Tenant:
    owner = tenant.owner.user
    owner.email = "olivia@acme.example"
    owner.save()
    return tenant


def _configure(tenant: Tenant, role: str = "manager") -> None:
    client = Client()
    client.force_login(tenant.owner.user)
    url = f"/o/{tenant.organisation.slug}/integrations/sso/"
    response = client.post(
        url,
        {
            "form": "oidc",
            "issuer": ISSUER,
            "client_id": "openmentor",
            "client_secret": "s3cret",
            "jit_role": role,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(url, {"form": "domain", "domain": "acme.example", "sso_required": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]


def _sign_in(monkeypatch: pytest.MonkeyPatch, claims: dict[str, Any]) -> tuple[Client, Any]:
    idp = FakeIdp(claims)
    monkeypatch.setattr(SocialAccountAdapter, "get_requests_session", lambda self: idp)
    client = Client()
    start = client.post("/sso/", {"email": "anyone@acme.example"})
    assert start.status_code == 302
    redirect = client.post(start["Location"])
    assert redirect.status_code == 302 and redirect["Location"].startswith(f"{ISSUER}/authorize")
    query = parse_qs(urlsplit(redirect["Location"]).query)
    assert query["client_id"] == ["openmentor"]
    callback = urlsplit(query["redirect_uri"][0]).path
    return client, client.get(callback, {"code": "code-1", "state": query["state"][0]})


def test_a_new_person_signs_in_and_lands_in_the_organisation_with_the_configured_role(
    acme: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure(acme, role="manager")
    client, response = _sign_in(
        monkeypatch,
        {
            "sub": "u-42",
            "email": "nia@acme.example",
            "email_verified": True,
            "given_name": "Nia",
            "family_name": "Okafor",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="nia@acme.example")
    assert user.first_name == "Nia"
    membership = Membership.objects.get(organisation=acme.organisation, user=user)
    assert membership.role == Role.MANAGER
    home = client.get(response["Location"], follow=True)
    assert home.redirect_chain[-1][0] == f"/o/{acme.organisation.slug}/"
    assert acme.organisation.name in home.content.decode()


def test_an_address_outside_the_claimed_domains_is_refused(
    acme: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure(acme)
    _, response = _sign_in(
        monkeypatch, {"sub": "u-1", "email": "mallory@elsewhere.example", "email_verified": True}
    )
    assert response.status_code == 403
    assert "serves only addresses at acme.example" in response.content.decode()
    assert not User.objects.filter(email="mallory@elsewhere.example").exists()


def test_an_existing_account_at_the_domain_is_signed_in_not_duplicated(
    acme: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure(acme, role="participant")
    existing = UserFactory(email="sam@acme.example")
    _, response = _sign_in(
        monkeypatch, {"sub": "u-7", "email": "sam@acme.example", "email_verified": True}
    )
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="sam@acme.example").count() == 1
    assert (
        Membership.objects.get(organisation=acme.organisation, user=existing).role
        == Role.PARTICIPANT
    )


def test_sso_required_refuses_a_password_for_members_at_the_domain(acme: Tenant) -> None:
    _configure(acme)
    member = MembershipFactory(
        organisation=acme.organisation, user=UserFactory(email="pat@acme.example")
    )
    client = Client()
    response = client.post("/accounts/login/", {"login": member.user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "signs in people at acme.example with its single sign-on" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Someone at the domain who is not a member, and members elsewhere, still use passwords.
    outsider = UserFactory(email="visitor@acme.example")
    assert (
        Client()
        .post("/accounts/login/", {"login": outsider.email, "password": PASSWORD})
        .status_code
        == 302
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "form": "oidc",
                "issuer": "ftp://idp",
                "client_id": "x",
                "client_secret": "y",
                "jit_role": "participant",
            },
            "https://",
        ),
        (
            {
                "form": "oidc",
                "issuer": ISSUER,
                "client_id": "x",
                "client_secret": "",
                "jit_role": "participant",
            },
            "Enter the client secret.",
        ),
        (
            {
                "form": "oidc",
                "issuer": ISSUER,
                "client_id": "x",
                "client_secret": "y",
                "jit_role": "owner",
            },
            "valid choice",
        ),
        ({"form": "domain", "domain": "gmail.com"}, "cannot be claimed"),
        ({"form": "domain", "domain": "globex.example"}, "must be at globex.example"),
        ({"form": "domain", "domain": "not a domain"}, "Enter a domain"),
        ({"form": "saml", "metadata": "<nope/>", "jit_role": "participant"}, "not IdP metadata"),
        ({"form": "saml", "entity_id": "x", "jit_role": "participant"}, "Paste the IdP"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_saved(
    acme: Tenant, data: dict[str, str], message: str
) -> None:
    client = Client()
    client.force_login(acme.owner.user)
    response = client.post(f"/o/{acme.organisation.slug}/integrations/sso/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SsoProvider.objects.exists() and not SsoDomain.objects.exists()


def test_an_address_without_sign_on_is_told_so() -> None:
    response = Client().post("/sso/", {"email": "someone@nowhere.example"})
    assert response.status_code == 400
    assert "No organisation signs in this address" in response.content.decode()


def test_the_sign_on_page_may_send_its_form_on_to_the_provider_only(acme: Tenant) -> None:
    """The content security policy's form-action also covers the redirect after the POST."""
    _configure(acme)
    page = Client().get(f"/accounts/oidc/om-{acme.organisation.slug}/login/")
    assert page.status_code == 200
    assert f"form-action 'self' {ISSUER}" in page["Content-Security-Policy"]
    assert (
        "form-action 'self';" in Client().get("/accounts/login/")["Content-Security-Policy"] + ";"
    )


def test_a_provider_that_now_resolves_inside_our_network_is_refused_with_a_page(
    acme: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issuer was checked when the owner saved it; at sign-in allauth fetches its
    discovery document (and later the endpoints it names), and each of those fetches is
    checked again: a host name that resolves to a private address by then is refused."""
    import socket

    from django.test import override_settings

    _configure(acme)
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda host, port, *a, **k: real("10.0.0.5", port, *a, **k)
    )
    client = Client()
    with override_settings(OUTBOUND_ALLOW_PRIVATE_TARGETS=False):
        start = client.post("/sso/", {"email": "anyone@acme.example"})
        assert start.status_code == 302
        response = client.post(start["Location"])
    assert response.status_code == 403
    body = response.content.decode()
    assert "could not be reached safely" in body and "10.0.0.5" in body
