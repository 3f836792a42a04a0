"""A SAML round trip with a locally generated IdP certificate: the owner uploads the
IdP's metadata, a new person signs in through it and joins with the configured role;
a response signed with another key is refused."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from openmentor.accounts.models import User
from openmentor.organisations.models import Membership, Role
from tests.conftest import Tenant
from tests.sso import saml_idp

# A host with a dot: the SAML toolkit refuses single-label hosts such as "testserver".
HOST = "openmentor.acme.test"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sp_host")]


@pytest.fixture
def sp_host(settings: object) -> None:
    settings.ALLOWED_HOSTS = [HOST, "testserver"]  # type: ignore[attr-defined]


@pytest.fixture
def idp() -> saml_idp.Idp:
    return saml_idp.make_idp()


def _configure(tenant: Tenant, idp: saml_idp.Idp) -> None:
    owner = tenant.owner.user
    owner.email = "olivia@acme.example"
    owner.save()
    client = Client()
    client.force_login(owner)
    url = f"/o/{tenant.organisation.slug}/integrations/sso/"
    upload = SimpleUploadedFile("idp.xml", idp.metadata().encode(), content_type="application/xml")
    response = client.post(
        url, {"form": "saml", "metadata_file": upload, "jit_role": "participant"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.post(url, {"form": "domain", "domain": "acme.example"}).status_code == 302


def _round_trip(tenant: Tenant, signer: saml_idp.Idp) -> tuple[Client, object]:
    slug = tenant.organisation.slug
    client = Client(HTTP_HOST=HOST)  # as every browser sends it; the SAML toolkit reads it
    start = client.post("/sso/", {"email": "lin@acme.example"})
    assert start["Location"] == f"/accounts/saml/{slug}/login/"
    to_idp = client.post(start["Location"])
    assert to_idp.status_code == 302 and to_idp["Location"].startswith(saml_idp.SSO_URL)
    request_id = saml_idp.authn_request_id(to_idp["Location"])
    acs = f"http://{HOST}/accounts/saml/{slug}/acs/"
    body = saml_idp.signed_response(
        signer,
        acs_url=acs,
        audience=f"http://{HOST}/accounts/saml/{slug}/metadata/",
        in_response_to=request_id,
        email="lin@acme.example",
        given="Lin",
        family="Chen",
    )
    posted = client.post(acs, {"SAMLResponse": body})
    assert posted.status_code == 302
    return client, client.get(posted["Location"])


def test_a_saml_round_trip_signs_a_new_person_in_with_the_configured_role(
    tenant: Tenant, idp: saml_idp.Idp
) -> None:
    _configure(tenant, idp)
    client, finished = _round_trip(tenant, idp)
    assert finished.status_code == 302, finished.content.decode()[:3000]
    user = User.objects.get(email="lin@acme.example")
    assert (user.first_name, user.last_name) == ("Lin", "Chen")
    assert (
        Membership.objects.get(organisation=tenant.organisation, user=user).role == Role.PARTICIPANT
    )
    landed = client.get(finished["Location"], follow=True)
    assert landed.redirect_chain[-1][0] == f"/o/{tenant.organisation.slug}/"


def test_a_response_signed_with_another_key_is_refused(tenant: Tenant, idp: saml_idp.Idp) -> None:
    _configure(tenant, idp)
    _, finished = _round_trip(tenant, saml_idp.make_idp())
    assert finished.status_code != 302 or "/o/" not in finished.get("Location", "")
    assert not User.objects.filter(email="lin@acme.example").exists()
